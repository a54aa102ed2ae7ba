import Foundation
import XCTest
@testable import Ouro

/// SmolLM2-135M-Instruct against transformers 5.24.0 + torch 2.13.0 (float32, the same GGUF): the
/// fixture written by `scripts/parity/llm.sh` (20 chat prompts: logits summaries per position and greedy
/// decoding of 40 tokens).
final class LLMParityTests: XCTestCase {
    struct Prompts: Decodable {
        var prompts: [String]; var prompt_ids: [[Int32]]; var greedy: [[Int32]]
    }

    func testChatTemplateIdsEqualTransformers() throws {
        let fx = try LLMTestSupport.fixture("prompts.json", as: Prompts.self)
        let m = try LLMTestSupport.model()
        for (p, ids) in zip(fx.prompts, fx.prompt_ids) { XCTAssertEqual(m.chatPromptIDs(p), ids, p) }
    }

    func testLogitsMatchTransformersWithin1e3() throws {
        let fx = try LLMTestSupport.fixture("prompts.json", as: LLMTestSupport.LogitsFixture.self)
        let m = try LLMTestSupport.model()
        let (worst, worstLSE) = LLMTestSupport.compareLogits(m, fx)
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
        // The products are single-threaded sgemm calls over tiles fixed by the shape, so the thread
        // count does not change a bit.
        for (x, y) in zip(one, two) { XCTAssertEqual(x.logprob, y.logprob) }
        let logits2 = m.logits([a])
        m.threads = 1
        XCTAssertEqual(m.logits([a]), logits2)
        // KNOWN PROBLEM (docs/llm.md, "Determinism"): OpenBLAS 0.3.21 computes a row of an sgemm with a
        // rounding that depends on the row's place in the call, so scores agree across batch layouts to
        // ~1e-7 relative, not bitwise.
        let alone = m.logprobs([a])[0]
        XCTAssertEqual(alone.logprob, one[1].logprob, accuracy: 1e-5 * abs(alone.logprob))
        XCTAssertEqual(alone.tokens, a.count - 1)
    }
}
