import Foundation
import XCTest
@testable import Ouro

/// The float32 logits processors against transformers' (fixture: 1,000 vocabulary-sized vectors, each
/// option alone and combined): same kept set, probabilities within 1e-6.
final class LLMSamplingTests: XCTestCase {
    /// A case is `[vector, option index, kept count, Σ ids, Σ ids², first 4 ids (−1: none), their 4
    /// probabilities, largest probability]`.
    struct Fixture: Decodable {
        var vocab: Int; var seen: Int; var options: [String]; var cases: [[Double]]
    }

    /// The fixture's vector `v`: four SplitMix64 uniforms per element summed, centred, scaled by 1 + v mod 5.
    static func vector(_ v: Int, _ V: Int) -> [Float] {
        let base = UInt64(v) &* UInt64(4 * V)
        func u(_ i: Int) -> Double { Double(SplitMix64.mix(base &+ UInt64(i)) >> 11) * 0x1p-53 }
        let scale = 1.0 + Double(v % 5)
        return (0..<V).map { j in Float((u(4 * j) + u(4 * j + 1) + u(4 * j + 2) + u(4 * j + 3) - 2.0) * scale) }
    }

    static func params(_ o: String) -> GenerationParams {
        var p = GenerationParams()
        switch o {
        case "temperature": p.temperature = 1.5
        case "top_k": p.topK = 50
        case "top_p": p.topP = 0.9
        case "min_p": p.minP = 0.1
        case "repetition_penalty": p.repetitionPenalty = 1.3
        default: p.repetitionPenalty = 1.2; p.temperature = 1.5; p.topK = 200; p.topP = 0.95; p.minP = 0.05
        }
        return p
    }

    func testKeptSetsAndProbabilitiesEqualTransformers() throws {
        let fx = try LLMTestSupport.fixture("processors.json", as: Fixture.self)
        var vec: [Float] = [], current = -1
        var worst = 0.0, mismatched = 0, topPBoundary = 0
        for c in fx.cases {
            let v = Int(c[0]), o = fx.options[Int(c[1])]
            if v != current { vec = Self.vector(v, fx.vocab); current = v }
            let seen = (0..<fx.seen).map { Int32(SplitMix64.mix(UInt64($0) &+ UInt64(v * 1000 + 7)) % UInt64(fx.vocab)) }
            var s = vec
            let kept = s.withUnsafeMutableBufferPointer { Self.params(o).keptSet(scores: $0.baseAddress!, count: fx.vocab, seen: seen) }
            let ids = kept.ids.map(Int.init)
            let first = Array(c[5..<9]).map(Int.init).filter { $0 >= 0 }
            let same = ids.count == Int(c[2]) && ids.reduce(0, +) == Int(c[3]) && ids.reduce(0) { $0 + $1 * $1 } == Int(c[4])
                && Array(ids.prefix(4)) == first
            if !same {
                // Known limit (docs/llm.md): top-p's cut compares a float32 cumulative sum with 1 − top_p; on
                // flat vectors keeping ~10⁴ tokens, torch's vectorised softmax rounds differently and the cut
                // can move by the one boundary token. Counted and bounded, every other difference fails.
                if o == "top_p" && abs(ids.count - Int(c[2])) == 1 { topPBoundary += 1; continue }
                mismatched += 1; XCTFail("vector \(v) \(o): kept \(ids.count) tokens, transformers \(Int(c[2]))"); continue
            }
            for (p, q) in zip(kept.probs.prefix(first.count), c[9..<13]) { worst = max(worst, abs(Double(p) - q)) }
            worst = max(worst, abs(Double(kept.probs.max()!) - c[13]))
        }
        print("LLM parity: processors \(fx.cases.count) cases, kept sets differ in \(mismatched) (+ \(topPBoundary) top-p cuts one token apart), max |Δp| = \(worst)")
        XCTAssertLessThanOrEqual(worst, 1e-6)
        XCTAssertLessThanOrEqual(topPBoundary, 10, "top-p boundary differences beyond rounding")
    }

    func testGreedyTakesTheFirstLargestLogitAfterThePenalty() {
        var s: [Float] = [1, 3, 3, -2]
        let k = s.withUnsafeMutableBufferPointer { GenerationParams().keptSet(scores: $0.baseAddress!, count: 4, seen: [], greedy: true) }
        XCTAssertEqual(k.ids, [1])
        var t: [Float] = [1, 3, 2.9, -2]
        var p = GenerationParams(); p.repetitionPenalty = 2
        let k2 = t.withUnsafeMutableBufferPointer { p.keptSet(scores: $0.baseAddress!, count: 4, seen: [1, 1], greedy: true) }
        XCTAssertEqual(k2.ids, [2], "3 / 2 = 1.5 < 2.9")
        XCTAssertEqual(t[1], 1.5)
    }

    func testDrawFollowsTheKeptProbabilities() {
        var k = LogitsKeptSet()
        k.ids = [4, 9]; k.probs = [0.25, 0.75]
        XCTAssertEqual(k.draw(0.0), 4)
        XCTAssertEqual(k.draw(0.2499), 4)
        XCTAssertEqual(k.draw(0.25), 9)
        XCTAssertEqual(k.draw(0.9999), 9)
    }
}
