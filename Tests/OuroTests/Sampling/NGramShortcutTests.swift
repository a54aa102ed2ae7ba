import Foundation
import XCTest
@testable import Ouro

/// The bounded shortcut for filtered sampling against the full-vocabulary reference
/// `GenerationParams.process(nextTokenDistribution)` on a model of realistic shape.
final class NGramShortcutTests: XCTestCase {
    /// A Zipf-like corpus: 3000 sentences over 2500 word types with local structure, so that
    /// contexts have from one to hundreds of continuations and a long unigram tail.
    static let corpus: [[UInt32]] = {
        var rng = Xoshiro256(seed: 5, "shortcut-corpus")
        let V = 2500
        let ids = Vocabulary.shared.ids(for: (0..<V).map { "sc\($0)" })
        return (0..<3000).map { _ in
            var d: [UInt32] = []
            var prev = rng.int(below: 50)
            for _ in 0..<(3 + rng.int(below: 15)) {
                let j: Int
                let u = rng.uniform()
                if u < 0.35 { j = (prev * 7 + rng.int(below: 3)) % V }             // bigram habits
                else { j = min(Int(Foundation.exp(rng.uniform() * Foundation.log(Double(V)))) - 1, V - 1) }  // Zipf
                d.append(ids[j]); prev = j
            }
            return d
        }
    }()

    static let options: [GenerationParams] = [
        GenerationParams(temperature: 1.5, minP: 0.2), GenerationParams(minP: 0.05),
        GenerationParams(temperature: 0.7, minP: 0.1), GenerationParams(minP: 1),
        GenerationParams(topK: 1), GenerationParams(temperature: 1.3, topK: 10), GenerationParams(topK: 400),
        GenerationParams(topP: 0.9), GenerationParams(topP: 0.3),
        GenerationParams(temperature: 1.5, topK: 20, topP: 0.8),
        GenerationParams(temperature: 1.5, topP: 0.95, minP: 0.2),
        GenerationParams(temperature: 0.8, topK: 30, topP: 0.9, minP: 0.05),
        GenerationParams(temperature: 1.5, topP: 0.9), GenerationParams(temperature: 0.7, topP: 0.5),
        GenerationParams(temperature: 1.2, topP: 0.3), GenerationParams(temperature: 0.5, topP: 0.99),
    ]

    /// Contexts: prefixes taken from the corpus (seen), random word pairs (mostly unseen), empty.
    func contexts(_ count: Int, seed: UInt64) -> [[UInt32]] {
        var rng = Xoshiro256(seed: seed, "shortcut-contexts")
        let docs = NGramShortcutTests.corpus
        var out: [[UInt32]] = [[]]
        for k in 0..<count {
            let d = docs[rng.int(below: docs.count)]
            if k % 4 == 3 {
                out.append([docs[rng.int(below: docs.count)][0], d[rng.int(below: d.count)]])
            } else {
                out.append(Array(d.prefix(rng.int(below: d.count + 1))))
            }
        }
        return out
    }

    /// Asserts that the shortcut gives the reference kept set and probabilities (|Δ| < 1e-12).
    /// Returns how many contexts the shortcut declined (it may only decline top-p at T ≠ 1).
    @discardableResult
    func assertShortcutEqualsReference(_ m: NGramModel, contexts: [[UInt32]], label: String,
                                       file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        var declined = 0
        for ctx in contexts {
            let dist = try m.nextTokenDistribution(context: ctx)
            for o in NGramShortcutTests.options {
                let ref = o.process(dist.map(\.probability), seen: { _ in false })
                guard let fast = try m.shortcutDistribution(context: ctx, params: o) else {
                    declined += 1
                    XCTAssertTrue(o.topP < 1 && o.temperature != 1 && o.topK == 0,
                                  "\(label): shortcut declined \(o) at \(ctx)", file: file, line: line)
                    continue
                }
                let kept = dist.indices.filter { ref[$0] > 0 }
                XCTAssertEqual(fast.map(\.token), kept.map { dist[$0].token },
                               "\(label): kept set for \(o) at \(ctx)", file: file, line: line)
                guard fast.count == kept.count else { continue }
                for (f, i) in zip(fast, kept) {
                    XCTAssertLessThan(abs(f.probability - ref[i]), 1e-12, "\(label) \(o) at \(ctx)", file: file, line: line)
                }
            }
        }
        return declined
    }

    func testShortcutEqualsTheFullPipelineOnManyContexts() throws {
        let docs = NGramShortcutTests.corpus
        var declined = 0
        for order in [2, 3, 4] {
            let m = try NGramModel(order: order, documents: docs)
            declined += try assertShortcutEqualsReference(m, contexts: contexts(40, seed: UInt64(order)), label: "KN order \(order)")
        }
        // Top-p alone at T ≠ 1 settles most contexts by bounding the unread mass.
        XCTAssertLessThan(declined, 60, "declined \(declined) (context, option) pairs; the four top-p-alone options at T ≠ 1 have \(4 * 3 * 41)")
        for s: NGramModel.Smoothing in [.wittenBell, .addK(0.1)] {
            let m = try NGramModel(order: 3, smoothing: s, documents: docs)
            try assertShortcutEqualsReference(m, contexts: contexts(25, seed: 9), label: s.name)
        }
    }

    func testShortcutEqualsTheFullPipelineForFinetunedMixtures() throws {
        let docs = NGramShortcutTests.corpus
        let base = try NGramModel(order: 3, documents: Array(docs.prefix(2000)))
        let ft = try base.finetune(Array(docs.suffix(1000)), weight: 0.5)
        try assertShortcutEqualsReference(ft, contexts: contexts(40, seed: 21), label: "mixture of 2")
        let ft3 = try ft.finetune(NGramTestCorpus.documents(200, seed: 4), weight: 0.3)
        try assertShortcutEqualsReference(ft3, contexts: contexts(20, seed: 22), label: "mixture of 3")
    }

    func testShortcutAndFullPathDrawTheSameDocuments() throws {
        let docs = NGramShortcutTests.corpus
        let m = try NGramModel(order: 3, documents: docs)
        let ft = try m.finetune(Array(docs.prefix(500)), weight: 0.4)
        for (model, p) in [(m, GenerationParams(temperature: 1.5, minP: 0.2, maxNewTokens: 40)),
                           (m, GenerationParams(temperature: 0.9, topK: 15, topP: 0.9, maxNewTokens: 40)),
                           (ft, GenerationParams(temperature: 1.5, minP: 0.2, maxNewTokens: 40))] {
            let fast = try model.generate(n: 40, params: p, seed: 17, shortcut: true)
            let full = try model.generate(n: 40, params: p, seed: 17, shortcut: false)
            XCTAssertEqual(fast, full, "\(p)")
            XCTAssertEqual(fast, try model.generate(n: 40, params: p, seed: 17))
        }
    }

    /// A repetition penalty moves only the seen tokens: the shortcut merges them back at their
    /// penalized values and gives the reference kept set and probabilities.
    func testShortcutWithARepetitionPenaltyEqualsTheFullPipeline() throws {
        let docs = NGramShortcutTests.corpus
        let m = try NGramModel(order: 3, documents: docs)
        let ft = try m.finetune(Array(docs.prefix(500)), weight: 0.4)
        let options = [GenerationParams(temperature: 1.5, minP: 0.2, repetitionPenalty: 1.3),
                       GenerationParams(minP: 0.02, repetitionPenalty: 2), GenerationParams(topK: 20, repetitionPenalty: 1.2),
                       GenerationParams(topP: 0.9, repetitionPenalty: 1.5), GenerationParams(temperature: 0.8, minP: 0.1, repetitionPenalty: 0.7),
                       GenerationParams(temperature: 1.5, topK: 40, topP: 0.8, repetitionPenalty: 1.4)]
        var rng = Xoshiro256(seed: 3, "penalty-seen")
        for (label, model) in [("KN order 3", m), ("mixture", ft)] {
            for ctx in contexts(25, seed: 31) {
                let dist = try model.nextTokenDistribution(context: ctx)
                // Seen: the context, and a few frequent and random tokens (as a document's history).
                let byP = dist.indices.sorted { dist[$0].probability > dist[$1].probability }
                var seen = Set(ctx)
                for r in 0..<3 { seen.insert(dist[byP[r * 2]].token) }
                for _ in 0..<5 { seen.insert(dist[rng.int(below: dist.count)].token) }
                for o in options {
                    let ref = o.process(dist.map(\.probability), seen: { seen.contains(dist[$0].token) })
                    let fast = try XCTUnwrap(try model.shortcutDistribution(context: ctx, params: o, seen: Array(seen)), "\(label) \(o)")
                    let kept = dist.indices.filter { ref[$0] > 0 }
                    XCTAssertEqual(fast.map(\.token), kept.map { dist[$0].token }, "\(label): kept set for \(o) at \(ctx)")
                    guard fast.count == kept.count else { continue }
                    for (f, i) in zip(fast, kept) {
                        XCTAssertLessThan(abs(f.probability - ref[i]), 1e-12, "\(label) \(o) at \(ctx)")
                    }
                }
            }
            // Whole documents: the same draws as the full path.
            let p = GenerationParams(temperature: 1.5, minP: 0.1, repetitionPenalty: 1.3, maxNewTokens: 40)
            XCTAssertEqual(try model.generate(n: 30, params: p, seed: 5, shortcut: true),
                           try model.generate(n: 30, params: p, seed: 5, shortcut: false), label)
        }
    }

    func testShortcutIsNotUsedWithTemperatureAlone() throws {
        let m = try NGramModel(order: 2, documents: NGramTestCorpus.documents(50, seed: 1))
        XCTAssertNotNil(try m.shortcutDistribution(context: [], params: GenerationParams(minP: 0.1, repetitionPenalty: 1.2)))
        XCTAssertNil(try m.shortcutDistribution(context: [], params: GenerationParams(temperature: 1.5)))
        XCTAssertNotNil(try m.shortcutDistribution(context: [], params: GenerationParams(temperature: 1.5, minP: 0.1)))
    }
}
