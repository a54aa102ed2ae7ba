import Foundation
import XCTest
@testable import Ouro

/// A small deterministic corpus over a handful of words (ids from Vocabulary.shared).
enum NGramTestCorpus {
    static let words = ["the", "cat", "dog", "sat", "ran", "on", "mat", "a", "big", "red"]
    static func documents(_ count: Int, seed: UInt64, vocab: [String] = words) -> [[UInt32]] {
        var rng = Xoshiro256(seed: seed, "corpus")
        let ids = Vocabulary.shared.ids(for: vocab)
        return (0..<count).map { _ in
            // Zipf-ish words with a little local structure (bigram preferences).
            var d: [UInt32] = []
            var prev = 0
            for _ in 0..<(1 + rng.int(below: 8)) {
                let j = rng.uniform() < 0.5 ? (prev + 1) % ids.count : min(rng.int(below: ids.count), rng.int(below: ids.count))
                d.append(ids[j]); prev = j
            }
            return d
        }
    }
}

final class NGramModelTests: XCTestCase {
    let smoothings: [NGramModel.Smoothing] = [.kneserNey, .wittenBell, .addK(0.5)]

    func contexts(_ m: NGramModel, seed: UInt64) -> [[UInt32]] {
        var rng = Xoshiro256(seed: seed, "contexts")
        let v = m.vocabulary.filter { $0 != Vocabulary.bos }
        let unseen = Vocabulary.shared.id(for: "zzz-never-seen")
        var out: [[UInt32]] = [[], [unseen], [unseen, v[0]]]
        for _ in 0..<12 { out.append((0..<(rng.int(below: 6))).map { _ in v[rng.int(below: v.count)] }) }
        return out
    }

    func assertSumsToOne(_ m: NGramModel, _ label: String, file: StaticString = #filePath, line: UInt = #line) throws {
        for ctx in contexts(m, seed: 3) {
            let d = try m.nextTokenDistribution(context: ctx)
            let s = d.reduce(0) { $0 + $1.probability }
            XCTAssertLessThan(abs(1 - s), 1e-9, "\(label) context \(ctx): Σ = \(s)", file: file, line: line)
            XCTAssertTrue(d.allSatisfy { $0.probability >= 0 }, file: file, line: line)
            // probability(of:after:) agrees with the distribution.
            for (t, p) in d.prefix(5) where t != Vocabulary.bos {
                XCTAssertEqual(try m.probability(of: t, after: ctx), p, accuracy: 1e-12, file: file, line: line)
            }
        }
    }

    func testNextTokenProbabilitiesSumToOneForOrders2To5AndAllSmoothings() throws {
        let docs = NGramTestCorpus.documents(400, seed: 1)
        for n in 2...5 {
            for s in smoothings {
                try assertSumsToOne(try NGramModel(order: n, smoothing: s, documents: docs), "order \(n) \(s.name)")
            }
        }
    }

    func testFinetunedModelSumsToOneAndIsTheStatedMixture() throws {
        let base = try NGramModel(order: 3, documents: NGramTestCorpus.documents(300, seed: 1))
        let extra = NGramTestCorpus.documents(100, seed: 2, vocab: ["the", "fox", "jumps", "over", "lazy", "dog"])
        let before = try base.perplexity(extra)
        let ft = try base.finetune(extra, weight: 0.3)
        XCTAssertEqual(try base.perplexity(extra), before, "base is untouched")
        let fresh = try NGramModel(order: 3, documents: extra)
        for n in 2...5 {
            let b = try NGramModel(order: n, smoothing: .wittenBell, documents: NGramTestCorpus.documents(300, seed: 1))
            try assertSumsToOne(try b.finetune(extra, weight: 0.4), "finetuned order \(n)")
        }
        try assertSumsToOne(ft, "finetuned")
        let fox = Vocabulary.shared.id(for: "fox"), the = Vocabulary.shared.id(for: "the")
        let pb = try base.probability(of: fox, after: [the]), pn = try fresh.probability(of: fox, after: [the])
        // fox is outside the base vocabulary: alone, the base scores it as <unk>; inside the mixture
        // the base component gives it 0 (its mass stays on <unk>), so only the new component counts.
        XCTAssertEqual(pb, try base.probability(of: Vocabulary.unk, after: [the]))
        XCTAssertEqual(try ft.probability(of: fox, after: [the]), 0.3 * pn, accuracy: 1e-15)
        let dog = Vocabulary.shared.id(for: "dog")   // in both vocabularies
        XCTAssertEqual(try ft.probability(of: dog, after: [the]),
                       0.7 * (try base.probability(of: dog, after: [the])) + 0.3 * (try fresh.probability(of: dog, after: [the])),
                       accuracy: 1e-15)
    }

    func testARPARoundTripScoresLikeTheModel() throws {
        let docs = NGramTestCorpus.documents(300, seed: 5), held = NGramTestCorpus.documents(50, seed: 6)
        for s in smoothings {
            for n in [1, 2, 4] {
                let m = try NGramModel(order: n, smoothing: s, documents: docs)
                let back = try ARPA.parse(try ARPA.export(m))
                for ctx in contexts(m, seed: 9) {
                    let a = try m.nextTokenDistribution(context: ctx), b = try back.nextTokenDistribution(context: ctx)
                    XCTAssertEqual(a.map(\.token), b.map(\.token))
                    for (x, y) in zip(a, b) { XCTAssertEqual(x.probability, y.probability, accuracy: 1e-12, "\(s.name) \(n)") }
                }
                XCTAssertEqual(try back.perplexity(held), try m.perplexity(held), accuracy: 1e-9)
            }
        }
    }

    func testFinetunedARPAIsExactOnListedNGramsAndNormalised() throws {
        let base = try NGramModel(order: 3, documents: NGramTestCorpus.documents(300, seed: 1))
        let ft = try base.finetune(NGramTestCorpus.documents(80, seed: 4), weight: 0.5)
        let back = try ARPA.parse(try ARPA.export(ft))
        for ctx in contexts(ft, seed: 2) {
            let s = try back.nextTokenDistribution(context: ctx).reduce(0) { $0 + $1.probability }
            XCTAssertLessThan(abs(1 - s), 1e-9)
        }
        let a = Vocabulary.shared.id(for: "the"), b = Vocabulary.shared.id(for: "cat")
        XCTAssertEqual(try back.probability(of: b, after: [a]), try ft.probability(of: b, after: [a]), accuracy: 1e-12)
    }

    func testInvalidOrderAndEmptyDataAreClearErrors() {
        XCTAssertThrowsError(try NGramModel(order: 0)) { XCTAssertTrue("\($0)".contains("'order'")) }
        XCTAssertThrowsError(try NGramModel(order: 9)) { XCTAssertTrue("\($0)".contains("between 1 and 6")) }
        XCTAssertThrowsError(try NGramModel(order: 3).fit([])) { XCTAssertTrue("\($0)".contains("empty")) }
        XCTAssertThrowsError(try NGramModel(order: 3).perplexity([[1]])) { XCTAssertTrue("\($0)".contains("fitted")) }
    }

    func testDescriptionIsReadable() throws {
        let m = try NGramModel(order: 3, documents: NGramTestCorpus.documents(200, seed: 1))
        let tri = m.ngramCounts[2]
        XCTAssertEqual(m.description, "NGram(order 3, kneser-ney, \(m.typeCount) types, \(tri) trigrams)")
        // The tables hold a global → local id map of 4 bytes per type of the process-wide vocabulary,
        // whose size depends on what other tests loaded; the per-n-gram cost excludes it.
        let perNGram = Double(m.storageBytes - m.idMapBytes) / Double(m.ngramCounts.reduce(0, +))
        XCTAssertLessThan(perNGram, 64)
    }

    func testUnknownWordsScoreAsUnk() throws {
        let m = try NGramModel(order: 2, documents: NGramTestCorpus.documents(200, seed: 1))
        let x = Vocabulary.shared.id(for: "qqq-unknown"), y = Vocabulary.shared.id(for: "qqq-other")
        XCTAssertEqual(try m.logprob([x]), try m.logprob([y]))
        XCTAssertEqual(try m.probability(of: x, after: []), try m.probability(of: Vocabulary.unk, after: []))
        XCTAssertEqual(try m.logprob([x], base: .ten), try m.logprob([x]) / log(10), accuracy: 1e-12)
    }

    /// The document scorer (one trie walk per token, local ids mapped once) gives the same bits as
    /// scoring token by token with `probability(of:after:)`: plain models of orders 1–5 and fine-tuned
    /// mixtures, with unknown words and words only one component knows.
    func testDocumentScoringEqualsTokenByTokenProbabilities() throws {
        let base = NGramTestCorpus.documents(300, seed: 1)
        let extra = NGramTestCorpus.documents(100, seed: 2, vocab: ["the", "fox", "jumps", "over", "lazy", "dog"])
        let unknown = Vocabulary.shared.id(for: "qqq-scorer-unknown")
        var docs = NGramTestCorpus.documents(30, seed: 9) + extra.prefix(10)
        docs.append([]); docs.append([unknown, docs[0].first!, unknown])
        var models = try (1...5).map { try NGramModel(order: $0, documents: base) }
        models.append(try models[2].finetune(extra, weight: 0.3))
        models.append(try models[3].finetune(extra, weight: 0.6).finetune(base.prefix(50).map { $0 }, weight: 0.2))
        for m in models {
            for d in docs {
                var expected = 0.0
                for i in 0...d.count {
                    let token = i < d.count ? d[i] : Vocabulary.eos
                    expected += log(try m.probability(of: token, after: Array(d[..<i])))
                }
                XCTAssertEqual(try m.logprob(d), expected, "\(m) \(d)")
            }
        }
    }
}
