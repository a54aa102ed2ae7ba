import Foundation
import XCTest
@testable import Ouro

/// LoRA fine-tuning on SmolLM2-135M-Instruct against torch 2.13.0 + peft 0.21.2 (float32, the same
/// GGUF): the fixture `Tests/Fixtures/parity/lora/` written by `scripts/parity/lora.sh` and defined in
/// docs/lora-reference.md — rank 2, alpha 4, all seven projections of layers 0, 15 and 29 only
/// (`layers_to_transform`), 6 examples of at most 48 tokens. That peft loads an adapter Ouro saved is
/// checked on the reference side: `ADAPTER=dir scripts/parity/lora.sh` (set `OURO_LORA_SAVE=dir` here
/// to keep the adapter these tests train).
final class LoRAParityTests: XCTestCase {
    struct Examples: Decodable {
        struct Example: Decodable { var prompt: String; var completion: String; var prompt_len: Int; var input_ids: [Int32]; var labels: [Int] }
        var max_length: Int; var examples: [Example]; var grads_batch: [Int]; var step_batches: [[Int]]
    }
    typealias Logits = LLMTestSupport.LogitsFixture
    struct Grads: Decodable { var loss: Double; var tokens: Int; var examples: [Int] }
    struct Steps: Decodable {
        struct Step: Decodable { var step: Int; var examples: [Int]; var lr: Double; var loss: Double; var tokens: Int }
        var steps: [Step]
    }

    static let dir = LLMTestSupport.repoRoot.appendingPathComponent("Tests/Fixtures/parity/lora")
    static func json<T: Decodable>(_ name: String, as: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: dir.appendingPathComponent(name)))
    }
    static func examples() throws -> (fixture: Examples, examples: [TrainingExample]) {
        let fx = try json("examples.json", as: Examples.self)
        return (fx, fx.examples.map { TrainingExample(prompt: $0.prompt, completion: $0.completion) })
    }
    static let layers = [0, 15, 29]

    /// The chat-template ids of every prompt, then `LLMTestSupport.compareLogits`.
    static func compare(_ m: LlamaModel, _ fx: Logits, file: StaticString = #filePath, line: UInt = #line) -> (logit: Float, lse: Double) {
        for (k, ids) in fx.prompt_ids.enumerated() { XCTAssertEqual(m.chatPromptIDs(fx.prompts[k]), ids, fx.prompts[k], file: file, line: line) }
        return LLMTestSupport.compareLogits(m, fx, file: file, line: line)
    }

    func testTrainingTokensEqualPeftExamples() throws {
        let m = try LLMTestSupport.model()
        let (fx, examples) = try Self.examples()
        let t = try m.trainingTokens(examples, maxLength: fx.max_length)
        XCTAssertEqual(t.count, fx.examples.count)
        for (i, (got, want)) in zip(t, fx.examples).enumerated() {
            XCTAssertEqual(got.ids, want.input_ids, "example \(i)")
            XCTAssertEqual(got.promptLength, want.prompt_len, "example \(i)")
            let labels = got.ids.enumerated().map { $0.offset < got.promptLength ? -100 : Int($0.element) }
            XCTAssertEqual(labels, want.labels, "example \(i)")
        }
    }

    func testInitialAdapterLogitsMatchPeftWithin1e3() throws {
        let m = try LLMTestSupport.model()
        let ad = try LoRAAdapter.load(folder: Self.dir.appendingPathComponent("initial").path)
        XCTAssertEqual(ad.config.layers, Self.layers)
        XCTAssertEqual(ad.config.rank, 2)
        XCTAssertEqual(ad.config.scale, 2)
        XCTAssertEqual(ad.parameterCount, 61_056)
        let (worst, lse) = Self.compare(try m.withAdapter(ad), try Self.json("initial_logits.json", as: Logits.self))
        print("LoRA parity: initial adapter: max |Δlogit| = \(worst), max |Δ log-sum-exp| = \(lse)")
        XCTAssertLessThanOrEqual(worst, 1e-3)
        XCTAssertLessThanOrEqual(lse, 1e-3)
    }

    func testGradientsMatchPeft() throws {
        let m = try LLMTestSupport.model()
        let (fx, examples) = try Self.examples()
        let want = try Self.json("grads.json", as: Grads.self)
        XCTAssertEqual(fx.grads_batch, want.examples)
        let ad = try LoRAAdapter.load(folder: Self.dir.appendingPathComponent("initial").path)
        let batch = fx.grads_batch.map { examples[$0] }
        let g = try m.loraGradients(batch, adapter: ad, maxLength: fx.max_length, threads: 2)
        let lossRel = abs(g.loss - want.loss) / want.loss
        XCTAssertLessThanOrEqual(lossRel, 1e-4, "loss \(g.loss) vs torch \(want.loss)")
        let torch32 = try SafeTensors.read(path: Self.dir.appendingPathComponent("grads.safetensors").path)
        let exact = try SafeTensors.read(path: Self.dir.appendingPathComponent("grads_float64.safetensors").path)
        var worstNorm64 = 0.0, worstNorm32 = 0.0, worstMax64 = 0.0, worstMax32 = 0.0, worstName = ""
        var compared = 0
        for l in 0..<m.config.layers {
            for t in LoRATarget.allCases {
                guard Self.layers.contains(l) else {
                    XCTAssertTrue(g.gradients.a(layer: l, t).isEmpty && g.gradients.b(layer: l, t).isEmpty, "layer \(l) has gradients")
                    continue
                }
                for (matrix, mine) in [("A", g.gradients.a(layer: l, t)), ("B", g.gradients.b(layer: l, t))] {
                    let name = LoRAAdapter.peftName(layer: l, t, matrix)
                    guard let e = exact[name]?.values, let f = torch32[name]?.values, e.count == mine.count, f.count == mine.count else {
                        XCTFail("\(name): missing or of another size"); continue
                    }
                    compared += 1
                    func gaps(_ ref: [Float]) -> (norm: Double, max: Double) {
                        var d2 = 0.0, r2 = 0.0, dMax = 0.0, rMax = 0.0
                        for (x, y) in zip(mine, ref) {
                            let d = Double(x) - Double(y)
                            d2 += d * d; r2 += Double(y) * Double(y); dMax = max(dMax, abs(d)); rMax = max(rMax, abs(Double(y)))
                        }
                        return ((d2 / r2).squareRoot(), dMax / rMax)
                    }
                    let a = gaps(e), b = gaps(f)
                    if a.norm > worstNorm64 { worstNorm64 = a.norm; worstName = name }
                    worstMax64 = max(worstMax64, a.max); worstNorm32 = max(worstNorm32, b.norm); worstMax32 = max(worstMax32, b.max)
                    XCTAssertLessThanOrEqual(a.norm, 1e-3, "\(name): ‖Δ‖/‖g‖ vs float64")
                }
            }
        }
        XCTAssertEqual(compared, 42)
        print("LoRA parity: loss \(g.loss) vs torch \(want.loss) (relative \(lossRel)); gradients vs float64: worst ‖Δ‖/‖g‖ = \(worstNorm64) (\(worstName)), worst max|Δ|/max|g| = \(worstMax64); vs torch float32: worst ‖Δ‖/‖g‖ = \(worstNorm32), worst max|Δ|/max|g| = \(worstMax32)")
    }

    /// The 20 AdamW steps of `steps.json` (batches [0,1,2] and [3,4,5] alternating = batch 3, no
    /// shuffle, 10 epochs; unclipped; lr 2e-4 linear to 0 over the 20 steps), then the final logits,
    /// and the saved adapter reloaded.
    func testTwentyStepsMatchPeftAndTheSavedAdapterReloads() throws {
        let m = try LLMTestSupport.model()
        let (fx, examples) = try Self.examples()
        let steps = try Self.json("steps.json", as: Steps.self).steps
        XCTAssertEqual(steps.count, 20)
        for (k, s) in steps.enumerated() {
            XCTAssertEqual(s.examples, k % 2 == 0 ? [0, 1, 2] : [3, 4, 5], "the batches are not what batch 3 without shuffling gives")
        }
        let initial = try LoRAAdapter.load(folder: Self.dir.appendingPathComponent("initial").path)
        var o = FinetuneOptions()
        o.lora = initial.config; o.batchSize = 3; o.epochs = 10; o.shuffle = false; o.maxGradNorm = 0
        o.learningRate = 2e-4; o.weightDecay = 0.01; o.maxLength = fx.max_length; o.warmupSteps = 0
        var rates: [Double] = []
        let run = try m.finetune(examples, options: o, threads: 2, progress: { rates.append($0.learningRate) }, initial: initial)
        XCTAssertEqual(run.losses.count, 20)
        var worstLoss = 0.0
        for (k, s) in steps.enumerated() where k < run.losses.count {
            XCTAssertEqual(rates[k], s.lr, accuracy: 1e-12 + 1e-9 * s.lr, "step \(k + 1): learning rate")
            let rel = abs(run.losses[k] - s.loss) / s.loss
            worstLoss = max(worstLoss, rel)
            XCTAssertLessThanOrEqual(rel, 1e-3, "step \(k + 1): loss \(run.losses[k]) vs torch \(s.loss)")
        }
        let tuned = run.model
        let (worst, lse) = Self.compare(tuned, try Self.json("final_logits.json", as: Logits.self))
        print("LoRA parity: 20 steps: worst loss relative gap \(worstLoss); final logits max |Δlogit| = \(worst), max |Δ log-sum-exp| = \(lse)")
        XCTAssertLessThanOrEqual(worst, 1e-3)
        XCTAssertLessThanOrEqual(lse, 1e-3)

        // Saved as peft lays it out, then loaded back: the same tensors and identical logits.
        let keep = ProcessInfo.processInfo.environment["OURO_LORA_SAVE"]
        let out = keep ?? NSTemporaryDirectory() + "ouro-lora-parity-\(UUID().uuidString)"
        defer { if keep == nil { try? FileManager.default.removeItem(atPath: out) } }
        var saved = tuned.adapter!
        saved.baseModel = "HuggingFaceTB/SmolLM2-135M-Instruct"
        try saved.save(folder: out)
        let cfg = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/adapter_config.json"))) as? [String: Any]
        XCTAssertEqual(cfg?["layers_to_transform"] as? [Int], Self.layers)
        XCTAssertEqual(try SafeTensors.read(path: out + "/adapter_model.safetensors").count, 42)
        let back = try LoRAAdapter.load(folder: out)
        XCTAssertEqual(back.config, initial.config)
        let reloaded = try m.withAdapter(back)
        for ids in try Self.json("final_logits.json", as: Logits.self).prompt_ids {
            XCTAssertEqual(reloaded.logits([ids]), tuned.logits([ids]))
        }
    }
}
