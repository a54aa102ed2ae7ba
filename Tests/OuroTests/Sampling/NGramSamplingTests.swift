import Foundation
import XCTest
@testable import Ouro

/// Upper tail of the chi-square distribution: Q(k/2, x/2) (regularized incomplete gamma).
private func ngramChiSquarePValue(_ x: Double, df: Int) -> Double {
    let a = Double(df) / 2, z = x / 2
    if z <= 0 { return 1 }
    // log Γ(a) for a = df/2 (integer or half-integer): Γ(a) = Π (a−1)(a−2)… down to 1 or 1/2, Γ(1/2) = √π.
    var lg = df % 2 == 0 ? 0.0 : 0.5 * log(Double.pi)
    var t = a - 1
    while t > 0.25 { lg += log(t); t -= 1 }
    if z < a + 1 {   // series for P
        var sum = 1 / a, term = 1 / a, n = a
        for _ in 0..<10_000 { n += 1; term *= z / n; sum += term; if term < sum * 1e-15 { break } }
        return 1 - sum * exp(-z + a * log(z) - lg)
    }
    var b = z + 1 - a, c = 1e300, d = 1 / b, h = d   // continued fraction for Q (Lentz)
    for i in 1..<10_000 {
        let an = -Double(i) * (Double(i) - a)
        b += 2; d = an * d + b; if abs(d) < 1e-300 { d = 1e-300 }
        c = b + an / c; if abs(c) < 1e-300 { c = 1e-300 }
        d = 1 / d; let del = d * c; h *= del
        if abs(del - 1) < 1e-15 { break }
    }
    return exp(-z + a * log(z) - lg) * h
}

final class NGramSamplingTests: XCTestCase {
    lazy var model = try! NGramModel(order: 3, documents: NGramTestCorpus.documents(400, seed: 11))

    /// Draws the first new token `draws` times and compares with `params.process` of the model's
    /// full next-token distribution by a chi-square test.
    func assertSamplesMatch(_ m: NGramModel, _ params: GenerationParams, draws: Int = 20_000, seed: UInt64 = 42,
                            file: StaticString = #filePath, line: UInt = #line) throws {
        var p = params
        p.maxNewTokens = 1
        let docs = try m.generate(n: draws, params: p, seed: seed)
        let dist = try m.nextTokenDistribution(context: p.prompt)
        let known = Set(dist.map(\.token))
        let seenTokens = Set(p.prompt.map { known.contains($0) ? $0 : Vocabulary.unk })
        let expected = params.process(dist.map(\.probability), seen: { seenTokens.contains(dist[$0].token) })
        var counts = [UInt32: Int]()
        for d in docs { counts[d.count > p.prompt.count ? d.last! : Vocabulary.eos, default: 0] += 1 }
        var chi = 0.0, df = -1
        for (i, (t, _)) in dist.enumerated() {
            let e = expected[i] * Double(draws), o = Double(counts[t] ?? 0)
            if e == 0 { XCTAssertEqual(o, 0, "token \(t) has probability 0", file: file, line: line); continue }
            chi += (o - e) * (o - e) / e; df += 1
        }
        let pv = ngramChiSquarePValue(chi, df: max(df, 1))
        XCTAssertGreaterThan(pv, 0.001, "χ² = \(chi), df = \(df), params \(params)", file: file, line: line)
    }

    var prompt: [UInt32] { Vocabulary.shared.ids(for: ["the", "cat"]) }

    func testPlainSamplingMatchesTheModelDistribution() throws {
        try assertSamplesMatch(model, GenerationParams())
        try assertSamplesMatch(model, GenerationParams(prompt: prompt))
        try assertSamplesMatch(model, GenerationParams(prompt: Vocabulary.shared.ids(for: ["zzz-unseen", "on"])))
    }

    func testEachOptionSamplesItsStatedDistribution() throws {
        let options: [GenerationParams] = [
            GenerationParams(temperature: 0.6, prompt: prompt), GenerationParams(temperature: 1.7, prompt: prompt),
            GenerationParams(topK: 3, prompt: prompt), GenerationParams(topP: 0.7, prompt: prompt),
            GenerationParams(minP: 0.2, prompt: prompt), GenerationParams(repetitionPenalty: 1.8, prompt: prompt),
            GenerationParams(temperature: 1.3, topK: 5, topP: 0.9, minP: 0.05, repetitionPenalty: 1.2, prompt: prompt),
            GenerationParams(temperature: 0.8, minP: 0.1),
            // Shortcut combinations (top-p at T ≠ 1 with min-p uses the lower bound of the normaliser).
            GenerationParams(temperature: 1.5, minP: 0.2, prompt: prompt), GenerationParams(temperature: 1.5, topP: 0.9, minP: 0.2),
            GenerationParams(temperature: 0.9, topK: 4, topP: 0.8, prompt: prompt),
        ]
        for o in options { try assertSamplesMatch(model, o) }
    }

    func testFinetunedModelSamplesTheMixture() throws {
        let ft = try model.finetune(NGramTestCorpus.documents(100, seed: 3, vocab: ["the", "fox", "ran"]), weight: 0.4)
        try assertSamplesMatch(ft, GenerationParams(prompt: prompt))
        try assertSamplesMatch(ft, GenerationParams(temperature: 1.2, topP: 0.8, minP: 0.05, prompt: prompt))
        // The bounded shortcut's mixture scan, one option at a time and combined.
        for o in [GenerationParams(temperature: 1.5, minP: 0.2, prompt: prompt), GenerationParams(topK: 4, prompt: prompt),
                  GenerationParams(topP: 0.7, prompt: prompt), GenerationParams(temperature: 0.7, topK: 6, topP: 0.9)] {
            try assertSamplesMatch(ft, o)
        }
    }

    func testProcessingFollowsHuggingFaceOnAHandExample() {
        // p = [0.5, 0.3, 0.15, 0.05]; top_k = 2 keeps {0, 1} → [0.625, 0.375, 0, 0].
        let p = [0.5, 0.3, 0.15, 0.05]
        let k = GenerationParams(topK: 2).process(p, seen: { _ in false })
        XCTAssertEqual(k[0], 0.625, accuracy: 1e-12); XCTAssertEqual(k[2], 0)
        // top_p: masses before tokens are 0, 0.5, 0.8, 0.95 → 0.75 keeps {0, 1}, 0.85 keeps {0, 1, 2}.
        XCTAssertEqual(GenerationParams(topP: 0.75).process(p, seen: { _ in false })[2], 0)
        XCTAssertGreaterThan(GenerationParams(topP: 0.85).process(p, seen: { _ in false })[2], 0)
        XCTAssertEqual(GenerationParams(topP: 0.85).process(p, seen: { _ in false })[3], 0)
        // min_p = 0.4: threshold 0.2 removes tokens 2 and 3.
        let mp = GenerationParams(minP: 0.4).process(p, seen: { _ in false })
        XCTAssertEqual(mp[1], 0.375, accuracy: 1e-12); XCTAssertEqual(mp[3], 0)
        // repetition_penalty 2 on token 0: p₀ ↦ 0.25 before renormalising.
        let rp = GenerationParams(repetitionPenalty: 2).process(p, seen: { $0 == 0 })
        XCTAssertEqual(rp[0], 0.25 / 0.75, accuracy: 1e-12)
        // temperature 0.5 squares probabilities before renormalising.
        let t = GenerationParams(temperature: 0.5).process(p, seen: { _ in false })
        XCTAssertEqual(t[1], 0.09 / (0.25 + 0.09 + 0.0225 + 0.0025), accuracy: 1e-12)
    }

    func testInvalidOptionsNameTheOption() {
        XCTAssertThrowsError(try GenerationParams(topP: 1.5).validate()) { XCTAssertTrue("\($0)".contains("'top_p'")) }
        XCTAssertThrowsError(try GenerationParams(temperature: -1).validate()) { XCTAssertTrue("\($0)".contains("'temperature'")) }
        XCTAssertThrowsError(try GenerationParams(minP: 2).validate()) { XCTAssertTrue("\($0)".contains("'min_p'")) }
        XCTAssertThrowsError(try GenerationParams(topK: -1).validate()) { XCTAssertTrue("\($0)".contains("'top_k'")) }
        XCTAssertThrowsError(try GenerationParams(repetitionPenalty: 0).validate()) { XCTAssertTrue("\($0)".contains("'repetition_penalty'")) }
        XCTAssertThrowsError(try model.generate(n: 1, params: GenerationParams(maxNewTokens: 0), seed: 1))
    }

    func testGenerationIsDeterministicAndIndependentOfN() throws {
        let p = GenerationParams(temperature: 1.1, minP: 0.05, maxNewTokens: 30)
        let a = try model.generate(n: 20, params: p, seed: 7), b = try model.generate(n: 20, params: p, seed: 7)
        XCTAssertEqual(a, b)
        XCTAssertEqual(Array(a.prefix(5)), try model.generate(n: 5, params: p, seed: 7))
        XCTAssertNotEqual(a, try model.generate(n: 20, params: p, seed: 8))
        let plain = try model.generate(n: 10, seed: 3)
        XCTAssertEqual(plain, try model.generate(n: 10, seed: 3))
        XCTAssertTrue(plain.allSatisfy { $0.count <= 256 && !$0.contains(Vocabulary.eos) })
    }

    /// Issue 14 #6: a refit replaces the model's vocabulary; sampling with a repetition penalty
    /// (which goes through the union index) must use the new one, not the index of the first fit.
    func testRefitThenSampleWithARepetitionPenaltyUsesTheNewVocabulary() throws {
        let m = try NGramModel(order: 2, documents: NGramTestCorpus.documents(50, seed: 1, vocab: ["a", "b"]))
        for p in [GenerationParams(repetitionPenalty: 1.2, maxNewTokens: 20),
                  GenerationParams(minP: 0.05, repetitionPenalty: 1.2, maxNewTokens: 20),
                  GenerationParams(temperature: 0.9, maxNewTokens: 20)] {
            _ = try m.generate(n: 5, params: p, seed: 1)
            let other = ["x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12"]
            try m.fit(NGramTestCorpus.documents(200, seed: 2, vocab: other))
            let known = Set(Vocabulary.shared.ids(for: other))
            let docs = try m.generate(n: 20, params: p, seed: 1)
            XCTAssertTrue(docs.joined().allSatisfy { known.contains($0) || $0 == Vocabulary.unk }, "\(p)")
            // and the same draws as a model fitted once on the new data
            let fresh = try NGramModel(order: 2, documents: NGramTestCorpus.documents(200, seed: 2, vocab: other))
            XCTAssertEqual(docs, try fresh.generate(n: 20, params: p, seed: 1), "\(p)")
            try m.fit(NGramTestCorpus.documents(50, seed: 1, vocab: ["a", "b"]))
        }
    }
}
