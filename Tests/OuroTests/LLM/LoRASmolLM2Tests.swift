import Foundation
import XCTest
@testable import Ouro

/// LoRA on SmolLM2-135M-Instruct (from `ouro data`; the tests fail saying so when it is missing).
final class LoRASmolLM2Tests: XCTestCase {
    static let posts = [
        "Just finished a 10k run in the rain. Soaked but happy! #running",
        "Coffee first, then we talk about Monday. ☕️",
    ]

    func testZeroBAdapterLeavesSmolLM2LogitsIdentical() throws {
        let m = try LLMTestSupport.model()
        let ids = m.chatPromptIDs("Generate a twitter post.")
        let ad = try LoRAAdapter(config: LoRAConfig(), model: m.config, seed: 1)
        XCTAssertEqual(try m.withAdapter(ad).logits([ids]), m.logits([ids]))
    }

    /// Two steps on two tweets with 1 and 2 threads: identical bits; the loss falls; the saved
    /// adapter, loaded back, gives the trained model's logits; the base model is unchanged.
    func testSmolLM2FinetuneIsThreadInvariantLearnsAndRoundTrips() throws {
        let m = try LLMTestSupport.model()
        let examples = Self.posts.map { TrainingExample(prompt: "Generate a twitter post.", completion: $0) }
        var o = FinetuneOptions()
        o.lora = LoRAConfig(rank: 4, alpha: 8); o.batchSize = 2; o.epochs = 2; o.learningRate = 2e-3; o.maxLength = 64
        let ids = m.chatPromptIDs("Generate a twitter post.")
        let before = m.logits([ids])
        let one = try m.finetune(examples, options: o, threads: 1)
        let two = try m.finetune(examples, options: o, threads: 2)
        print("LoRA SmolLM2 losses: \(one.losses)")
        XCTAssertEqual(one.losses.map(\.bitPattern), two.losses.map(\.bitPattern))
        XCTAssertEqual(one.model.adapter, two.model.adapter)
        XCTAssertLessThan(one.losses[1], one.losses[0])
        XCTAssertEqual(m.logits([ids]), before, "the base model changed")
        XCTAssertNil(m.adapter)
        let dir = NSTemporaryDirectory() + "ouro-lora-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try one.model.adapter!.save(folder: dir)
        let loaded = try m.withAdapter(folder: dir)
        let tuned = one.model.logits([ids])
        XCTAssertEqual(loaded.logits([ids]), tuned)
        XCTAssertNotEqual(tuned, before)
        XCTAssertTrue("\(loaded)".hasSuffix(", LoRA r4)"), "\(loaded)")
        // The public gradient entry gives finetune's first loss (to rounding: finetune shuffled the two).
        let start = try LoRAAdapter(config: o.lora, model: m.config, seed: o.seed)
        let g = try m.loraGradients(examples, adapter: start, maxLength: 64, threads: 2)
        XCTAssertEqual(g.loss, one.losses[0], accuracy: 1e-6 * g.loss)
        XCTAssertEqual(g.gradients.a(layer: 0, .q).count, 4 * 576)
        XCTAssertEqual(try m.trainingTokens(examples, maxLength: 64)[0].ids.last, m.tokenizer.eosID)
    }
}
