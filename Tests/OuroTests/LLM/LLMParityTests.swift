import Foundation
import XCTest
@testable import Ouro

/// SmolLM2-135M-Instruct against transformers 5.24.0 + torch 2.13.0 (float32, the same GGUF): the
/// fixture written by `scripts/parity/llm.sh` (20 chat prompts: logits summaries per position and greedy
/// decoding of 40 tokens).
final class LLMParityTests: XCTestCase {
    struct Prompts: Decodable {
        struct Row: Decodable { var top_ids: [[Int32]]; var top_vals: [[Float]]; var probe_vals: [[Float]]; var lse: [Double] }
        var prompts: [String]; var prompt_ids: [[Int32]]; var probe_ids: [Int]; var logits: [Row]; var greedy: [[Int32]]
    }

    func testChatTemplateIdsEqualTransformers() throws {
        let fx = try LLMTestSupport.fixture("prompts.json", as: Prompts.self)
        let m = try LLMTestSupport.model()
        for (p, ids) in zip(fx.prompts, fx.prompt_ids) { XCTAssertEqual(m.chatPromptIDs(p), ids, p) }
    }

    func testLogitsMatchTransformersWithin1e3() throws {
        let fx = try LLMTestSupport.fixture("prompts.json", as: Prompts.self)
        let m = try LLMTestSupport.model()
        let V = m.config.vocab
        var worst: Float = 0, worstLSE = 0.0
        for (k, ids) in fx.prompt_ids.enumerated() {
            let l = m.logits([ids])
            let row = fx.logits[k]
            for p in 0..<ids.count {
                let base = p * V
                for (j, id) in row.top_ids[p].enumerated() { worst = max(worst, abs(l[base + Int(id)] - row.top_vals[p][j])) }
                for (j, id) in fx.probe_ids.enumerated() { worst = max(worst, abs(l[base + id] - row.probe_vals[p][j])) }
                var mx = -Float.infinity, arg = 0
                for j in 0..<V where l[base + j] > mx { mx = l[base + j]; arg = j }
                var z = 0.0
                for j in 0..<V { z += exp(Double(l[base + j] - mx)) }
                worstLSE = max(worstLSE, abs(Double(mx) + log(z) - row.lse[p]))
                XCTAssertEqual(Int32(arg), row.top_ids[p][0], "prompt \(k) position \(p): argmax differs")
            }
        }
        print("LLM parity: max |Δlogit| = \(worst), max |Δ log-sum-exp| = \(worstLSE)")
        XCTAssertLessThanOrEqual(worst, 1e-3)
        XCTAssertLessThanOrEqual(worstLSE, 1e-3)
    }

    func testGreedyDecodingEqualsTransformers() throws {
        let fx = try LLMTestSupport.fixture("prompts.json", as: Prompts.self)
        let m = try LLMTestSupport.model()
        var p = GenerationParams()
        p.maxNewTokens = 40
        var same = 0
        for (k, ids) in fx.prompt_ids.enumerated() {
            let out = try m.generate(promptIDs: ids, n: 1, params: p, greedy: true, seed: 1)[0]
            XCTAssertEqual(out, fx.greedy[k], "prompt \(k): \(fx.prompts[k])")
            if out == fx.greedy[k] { same += 1 }
        }
        print("LLM parity: greedy identical for \(same)/\(fx.prompt_ids.count) prompts")
    }

    /// The texts agree here; bitwise independence is not guaranteed (see the next test and docs/llm.md).
    func testSampledTextsAgreeAcrossBatchSizesAndThreads() throws {
        let m = try LLMTestSupport.model()
        var p = GenerationParams(temperature: 1.5, minP: 0.2, maxNewTokens: 12)
        p.repetitionPenalty = 1.1
        let ids = m.chatPromptIDs("Generate a twitter post.")
        let saved = m.threads
        defer { m.threads = saved }
        m.threads = 1
        let a = try m.generate(promptIDs: ids, n: 6, params: p, seed: 3, batchSize: 6)
        m.threads = 2
        let b = try m.generate(promptIDs: ids, n: 6, params: p, seed: 3, batchSize: 4)
        let c = try m.generate(promptIDs: ids, n: 2, params: p, seed: 3, batchSize: 1)
        XCTAssertEqual(a, b)
        XCTAssertEqual(Array(a.prefix(2)), c)
        XCTAssertNotEqual(a[0], a[1], "different sequences draw from different streams")
        let d = try m.generate(promptIDs: ids, n: 2, params: p, seed: 4)
        XCTAssertNotEqual(Array(a.prefix(2)), d, "another seed gives other texts")
    }

    func testScoresAgreeAcrossThreadsAndBatchesToRounding() throws {
        let m = try LLMTestSupport.model()
        let a = m.tokenizer.encode("The quick brown fox jumps over the lazy dog.")
        let b = m.tokenizer.encode("Hello there")
        let saved = m.threads
        defer { m.threads = saved }
        m.threads = 1
        let one = m.logprobs([b, a, b])
        m.threads = 2
        let two = m.logprobs([b, a, b])
        // KNOWN PROBLEM (docs/llm.md, "Determinism"): OpenBLAS 0.3.21 (Zen kernels) computes a row of an
        // sgemm with a rounding that depends on the row's place in the call and on the thread split, so
        // scores agree across thread counts and batch layouts to ~1e-7 relative, not bitwise.
        for (x, y) in zip(one, two) { XCTAssertEqual(x.logprob, y.logprob, accuracy: 1e-5 * abs(x.logprob)) }
        let alone = m.logprobs([a])[0]
        XCTAssertEqual(alone.logprob, one[1].logprob, accuracy: 1e-5 * abs(alone.logprob))
        XCTAssertEqual(alone.tokens, a.count - 1)
    }
}
