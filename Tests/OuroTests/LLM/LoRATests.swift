import Foundation
import XCTest
@_spi(Bench) @testable import Ouro

/// LoRA fine-tuning on a tiny random llama: gradients against central differences, the training
/// forward against the inference forward, thread invariance, the optimizer, the PEFT format.
final class LoRATests: XCTestCase {
    /// Every A and B of every layer and target: the gradient along a random ±1 direction over the
    /// whole tensor, and at the tensor's largest-gradient coordinate, against fourth-order central
    /// differences of the loss (relative error `|Δ| / (|g| + 0.1)` below 2e-3; measured worst 8.2e-4).
    func testGradientsMatchCentralDifferencesForEveryTensor() throws {
        let m = try TinyLlama.model()
        let seqs = TinyLlama.sequences(count: 3, length: 12, prompt: 4, shared: true)
        XCTAssertEqual(m.pack(seqs).layout.prefix, 4)
        let lora = LoRAConfig(rank: 4, alpha: 8)
        let ad = try TinyLlama.adapter(lora)
        let (_, ga, gb) = TinyLlama.lossAndGradients(m, seqs, ad)
        var g = Xoshiro256(seed: 11, "directions")
        var worst = 0.0
        for l in 0..<ad.layers {
            for t in lora.targets {
                for isA in [true, false] {
                    let grad = isA ? ga[l * 7 + t.slot] : gb[l * 7 + t.slot]
                    let base = isA ? ad.a(layer: l, t) : ad.b(layer: l, t)
                    func loss(_ delta: [Float]) -> Double {
                        var x = ad
                        let moved = zip(base, delta).map { $0 + $1 }
                        x.set(layer: l, t, a: isA ? moved : ad.a(layer: l, t), b: isA ? ad.b(layer: l, t) : moved)
                        return TinyLlama.lossAndGradients(m, seqs, x).loss
                    }
                    /// Fourth-order central difference `(8(f(h) − f(−h)) − (f(2h) − f(−2h))) / 12h` along `dir`.
                    func derivative(_ dir: [Float], _ h: Float) -> Double {
                        func f(_ k: Float) -> Double { loss(dir.map { $0 * k * h }) }
                        return (8 * (f(1) - f(-1)) - (f(2) - f(-2))) / (12 * Double(h))
                    }
                    // Along a random ±1 direction over the whole tensor.
                    let dir = base.map { _ in Float(g.int(below: 2) == 0 ? -1 : 1) }
                    let fd = derivative(dir, 2e-3)
                    let an = zip(grad, dir).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                    // Float32 rounding of the loss leaves ~1e-4 of absolute noise in a difference quotient.
                    let rel = abs(fd - an) / (abs(an) + 0.1)
                    XCTAssertLessThan(rel, 2e-3, "layer \(l) \(t.rawValue) \(isA ? "A" : "B"): directional \(an) vs FD \(fd)")
                    worst = max(worst, rel)
                    // At the largest coordinate.
                    let j = grad.indices.max { abs(grad[$0]) < abs(grad[$1]) }!
                    var e = [Float](repeating: 0, count: base.count)
                    e[j] = 1
                    let fdj = derivative(e, 4e-3)
                    let relj = abs(fdj - Double(grad[j])) / (abs(Double(grad[j])) + 0.1)
                    XCTAssertLessThan(relj, 2e-3, "layer \(l) \(t.rawValue) \(isA ? "A" : "B")[\(j)]: \(grad[j]) vs FD \(fdj)")
                    worst = max(worst, relj)
                }
            }
        }
        print("LoRA gradient check: worst relative error \(worst)")
    }

    /// The training pass's loss equals the cross-entropy of the inference forward's logits.
    func testTrainingLossEqualsInferenceCrossEntropy() throws {
        let m = try TinyLlama.model()
        let seqs = TinyLlama.sequences(count: 3, length: 14, prompt: 5)
        let ad = try TinyLlama.adapter(LoRAConfig(rank: 4, alpha: 8))
        let train = TinyLlama.lossAndGradients(m, seqs, ad).loss
        let fm = try m.withAdapter(ad)
        var sum = 0.0, n = 0
        let V = m.config.vocab
        for s in seqs {
            let l = fm.logits([s.tokens])
            for p in (s.promptLength - 1)..<(s.tokens.count - 1) {
                let row = l[(p * V)..<((p + 1) * V)]
                let mx = row.max()!
                let z = row.reduce(0.0) { $0 + exp(Double($1 - mx)) }
                sum += log(z) - Double(row[p * V + Int(s.tokens[p + 1])] - mx)
                n += 1
            }
        }
        XCTAssertEqual(train, sum / Double(n), accuracy: 1e-5 * abs(train))
    }

    func testZeroBAdapterLeavesLogitsIdentical() throws {
        let m = try TinyLlama.model()
        let ad = try LoRAAdapter(config: LoRAConfig(rank: 4, alpha: 8), model: m.config, seed: 1)
        let ids = TinyLlama.sequences(count: 2, length: 20, prompt: 1).map(\.tokens)
        XCTAssertEqual(try m.withAdapter(ad).logits(ids), m.logits(ids))
        XCTAssertNotEqual(try m.withAdapter(TinyLlama.adapter(ad.config)).logits(ids), m.logits(ids))
    }

    /// Generation (prompt prefix in the KV cache, then one row per step) applies the adapter as the
    /// full forward does: every greedy token is the argmax of the adapted logits before it.
    func testGreedyGenerationThroughAnAdapterFollowsItsLogits() throws {
        let m = try TinyLlama.model()
        let fm = try m.withAdapter(TinyLlama.adapter(LoRAConfig(rank: 4, alpha: 8)))
        let prompt = TinyLlama.sequences(count: 1, length: 8, prompt: 1)[0].tokens
        var p = GenerationParams()
        p.maxNewTokens = 6
        let out = try fm.generate(promptIDs: prompt, n: 2, params: p, greedy: true, seed: 1, batchSize: 2)
        XCTAssertEqual(out[0], out[1])
        let all = prompt + out[0]
        let l = fm.logits([all]), V = m.config.vocab
        for (k, t) in out[0].enumerated() {
            let row = Array(l[((prompt.count - 1 + k) * V)..<((prompt.count + k) * V)])
            XCTAssertEqual(Int32(row.indices.max { row[$0] < row[$1] }!), t, "step \(k)")
        }
        XCTAssertNotEqual(out[0], try m.generate(promptIDs: prompt, n: 1, params: p, greedy: true, seed: 1)[0], "the adapter changes nothing")
    }

    func testInitialisationIsPeftsKaimingUniformAndZeroB() throws {
        let c = LlamaModel.Config(vocab: 40, hidden: 64, layers: 2, heads: 4, kvHeads: 2, headDim: 16, ffn: 96,
                                  ropeBase: 10_000, eps: 1e-5, contextLength: 64)
        let ad = try LoRAAdapter(config: LoRAConfig(rank: 8, targets: [.q, .down]), model: c, seed: 3)
        let a = ad.a(layer: 1, .down)
        XCTAssertEqual(a.count, 8 * 96)
        XCTAssertLessThanOrEqual(a.map(abs).max()!, 1 / Float(96).squareRoot())
        XCTAssertGreaterThan(a.map(abs).max()!, 0.9 / Float(96).squareRoot())
        XCTAssertEqual(ad.b(layer: 0, .q), [Float](repeating: 0, count: 64 * 8))
        XCTAssertTrue(ad.a(layer: 0, .k).isEmpty)
        XCTAssertEqual(ad, try LoRAAdapter(config: LoRAConfig(rank: 8, targets: [.q, .down]), model: c, seed: 3))
        XCTAssertNotEqual(ad, try LoRAAdapter(config: LoRAConfig(rank: 8, targets: [.q, .down]), model: c, seed: 4))
    }

    func testSaveLoadRoundTripIsExactInPeftsLayout() throws {
        let m = try TinyLlama.model()
        var ad = try TinyLlama.adapter(LoRAConfig(rank: 4, alpha: 12, targets: [.q, .v, .down], rslora: true))
        ad.baseModel = "tiny"
        let dir = NSTemporaryDirectory() + "ouro-lora-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ad.save(folder: dir)
        let back = try LoRAAdapter.load(folder: dir)
        XCTAssertEqual(back, ad)
        let ids = [TinyLlama.sequences(count: 1, length: 10, prompt: 1)[0].tokens]
        XCTAssertEqual(try m.withAdapter(folder: dir).logits(ids), try m.withAdapter(ad).logits(ids))
        // peft's names and shapes, F32.
        let t = try SafeTensors.read(path: dir + "/adapter_model.safetensors")
        XCTAssertEqual(t.count, 2 * 3 * 2)
        XCTAssertEqual(t["base_model.model.model.layers.1.self_attn.v_proj.lora_A.weight"]?.shape, [4, 16])
        XCTAssertEqual(t["base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight"]?.shape, [8, 4])
        XCTAssertEqual(t["base_model.model.model.layers.0.mlp.down_proj.lora_A.weight"]?.shape, [4, 24])
        let cfg = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/adapter_config.json"))) as! [String: Any]
        XCTAssertEqual(cfg["peft_type"] as? String, "LORA")
        XCTAssertEqual(cfg["task_type"] as? String, "CAUSAL_LM")
        XCTAssertEqual(cfg["r"] as? Int, 4)
        XCTAssertEqual(cfg["lora_alpha"] as? Int, 12)
        XCTAssertEqual(cfg["use_rslora"] as? Bool, true)
        XCTAssertEqual(cfg["target_modules"] as? [String], ["q_proj", "v_proj", "down_proj"])
        XCTAssertEqual(cfg["bias"] as? String, "none")
    }

    func testSafeTensorsReadsHalfAndBFloat16() throws {
        // A header with one F16 tensor [2] = (1.5, -2) and one BF16 tensor [1] = 3.
        let header = #"{"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[4,6]}}"#
        var d = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { d.append(contentsOf: $0) }
        d.append(contentsOf: Array(header.utf8))
        for h in [Float16(1.5).bitPattern, Float16(-2).bitPattern, UInt16(Float(3).bitPattern >> 16)] {
            withUnsafeBytes(of: h.littleEndian) { d.append(contentsOf: $0) }
        }
        let t = try SafeTensors.parse(d, file: "x.safetensors")
        XCTAssertEqual(t["a"], SafeTensors.Tensor(shape: [2], values: [1.5, -2]))
        XCTAssertEqual(t["b"], SafeTensors.Tensor(shape: [1], values: [3]))
    }

    func testLoadRefusesWhatIsNotPlainLoRA() throws {
        let dir = NSTemporaryDirectory() + "ouro-lora-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        XCTAssertThrowsError(try LoRAAdapter.load(folder: dir))
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try #"{"peft_type":"LORA","r":4,"lora_alpha":8,"target_modules":["q_proj"],"use_dora":true}"#
            .write(toFile: dir + "/adapter_config.json", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try LoRAAdapter.load(folder: dir)) { XCTAssertTrue("\($0)".contains("DoRA")) }
    }

    /// Enough rows (16 sequences of ~46 tokens) for several sgemm tiles and two loss chunks.
    func testTrainingIsBitIdenticalForOneAndTwoThreads() throws {
        let m = try TinyLlama.model()
        let seqs = TinyLlama.sequences(count: 32, length: 48, prompt: 6, shared: true)
        var o = FinetuneOptions()
        o.maxLength = 64; o.lora = LoRAConfig(rank: 4, alpha: 8); o.batchSize = 16; o.gradientAccumulation = 1; o.epochs = 2; o.learningRate = 1e-2
        let one = try m.finetune(sequences: seqs, options: o, threads: 1)
        let two = try m.finetune(sequences: seqs, options: o, threads: 2)
        XCTAssertEqual(one.losses.count, 4)
        XCTAssertEqual(one.losses.map(\.bitPattern), two.losses.map(\.bitPattern))
        XCTAssertEqual(one.adapter, two.adapter)
        let ad = try TinyLlama.adapter(o.lora)
        let g1 = TinyLlama.lossAndGradients(m, Array(seqs[0..<16]), ad, workers: 1), g2 = TinyLlama.lossAndGradients(m, Array(seqs[0..<16]), ad, workers: 2)
        XCTAssertEqual(g1.loss.bitPattern, g2.loss.bitPattern)
        XCTAssertEqual(g1.ga, g2.ga)
        XCTAssertEqual(g1.gb, g2.gb)
    }

    /// A batch whose sequences share their prompt computes it once; loss and gradients equal those of
    /// the sequences run one by one (to rounding), and the sequences' order only moves rounding.
    func testSharedPromptIsComputedOnceWithTheSameResult() throws {
        let m = try TinyLlama.model()
        let seqs = TinyLlama.sequences(count: 4, length: 16, prompt: 5, shared: true)
        let packed = m.pack(seqs)
        XCTAssertEqual(packed.layout.prefix, 5)
        XCTAssertEqual(packed.tokens.count, 5 + seqs.reduce(0) { $0 + $1.tokens.count - 5 })
        XCTAssertEqual(packed.targets[4].count, 4, "the last prompt row scores every sequence's first completion token")
        let ad = try TinyLlama.adapter(LoRAConfig(rank: 4, alpha: 8))
        let together = TinyLlama.lossAndGradients(m, seqs, ad)
        let state = LoRATrainState(ad)
        let tokens = Float(seqs.reduce(0) { $0 + $1.lossTokens })
        var sum = 0.0
        for s in seqs { sum += m.accumulateGradients([s], state: state, denominator: tokens, workspace: TrainWorkspace(budget: 0), workers: 1) }
        XCTAssertEqual(together.loss, sum / Double(tokens), accuracy: 1e-6 * sum)
        for (i, g) in state.ga.enumerated() {
            for (x, y) in zip(g?.array ?? [], together.ga[i]) { XCTAssertEqual(x, y, accuracy: 1e-5 + 1e-4 * abs(y)) }
        }
        for (i, g) in state.gb.enumerated() {
            for (x, y) in zip(g?.array ?? [], together.gb[i]) { XCTAssertEqual(x, y, accuracy: 1e-5 + 1e-4 * abs(y)) }
        }
    }

    /// Keeping every layer's activations, none (recomputing all but the last), or some gives the
    /// same bits.
    func testGradientCheckpointingGivesTheSameBits() throws {
        let m = try TinyLlama.model()
        let seqs = TinyLlama.sequences(count: 3, length: 20, prompt: 4)
        let ad = try TinyLlama.adapter(LoRAConfig(rank: 4, alpha: 8))
        let all = TinyLlama.lossAndGradients(m, seqs, ad), none = TinyLlama.lossAndGradients(m, seqs, ad, budget: 0)
        let one = LayerActivations.bytes(rows: 57, probs: 4 * (20 * 20 + 19 * 19 + 18 * 18), TinyLlama.config, rank: 4)
        let some = TinyLlama.lossAndGradients(m, seqs, ad, budget: one)
        for r in [none, some] {
            XCTAssertEqual(r.loss.bitPattern, all.loss.bitPattern)
            XCTAssertEqual(r.ga, all.ga)
            XCTAssertEqual(r.gb, all.gb)
        }
    }

    func testLossDecreasesOnATinyOverfitSet() throws {
        let m = try TinyLlama.model()
        let seqs = TinyLlama.sequences(count: 4, length: 16, prompt: 3)
        var o = FinetuneOptions()
        o.maxLength = 64; o.lora = LoRAConfig(rank: 8, alpha: 16); o.batchSize = 4; o.epochs = 30; o.learningRate = 2e-2; o.shuffle = false
        var seen: [TrainingProgress] = []
        let r = try m.finetune(sequences: seqs, options: o, threads: 1, progress: { seen.append($0) })
        XCTAssertEqual(seen.count, 30)
        XCTAssertEqual(seen.last?.steps, 30)
        XCTAssertEqual(seen.first?.learningRate, 2e-2)   // linear decay from the full rate, no warm-up
        XCTAssertEqual(seen.map(\.loss), r.losses)
        XCTAssertLessThan(r.losses.last!, 0.7 * r.losses.first!)
    }

    /// Ctrl-C (`Interruption.request()`) stops fine-tuning before the next optimizer step and sampling
    /// before the next token: `Interrupted` is thrown, nothing half-made is returned.
    func testCtrlCStopsFinetuningAndSampling() throws {
        let m = try TinyLlama.model()
        defer { Interruption.reset() }
        var o = FinetuneOptions()
        o.maxLength = 64; o.lora = LoRAConfig(rank: 4, alpha: 8); o.batchSize = 2; o.epochs = 10
        var steps = 0
        XCTAssertThrowsError(try m.finetune(sequences: TinyLlama.sequences(count: 4, length: 16, prompt: 3), options: o, threads: 1,
                                            progress: { p in steps = p.step; if p.step == 3 { Interruption.request() } })) { e in
            XCTAssertTrue(e is Interruption.Interrupted, "\(e)")
        }
        XCTAssertEqual(steps, 3, "no optimizer step after the request")
        Interruption.request()
        XCTAssertThrowsError(try m.generate(promptIDs: [1, 2, 3], n: 4, params: GenerationParams(maxNewTokens: 20), seed: 1)) { e in
            XCTAssertTrue(e is Interruption.Interrupted, "\(e)")
        }
        Interruption.reset()
        XCTAssertEqual(try m.generate(promptIDs: [1, 2, 3], n: 2, params: GenerationParams(maxNewTokens: 20), seed: 1).count, 2)
    }

    /// Gradient accumulation of two micro-batches of 2 equals one batch of 4 (the mean over the
    /// step's tokens), up to rounding.
    func testGradientAccumulationMatchesOneBigBatch() throws {
        let m = try TinyLlama.model()
        let seqs = TinyLlama.sequences(count: 4, length: 16, prompt: 3)
        var o = FinetuneOptions()
        o.maxLength = 64; o.lora = LoRAConfig(rank: 4, alpha: 8); o.batchSize = 4; o.epochs = 3; o.learningRate = 1e-2; o.shuffle = false
        let big = try m.finetune(sequences: seqs, options: o, threads: 1)
        o.batchSize = 2; o.gradientAccumulation = 2
        let acc = try m.finetune(sequences: seqs, options: o, threads: 1)
        XCTAssertEqual(big.losses.count, acc.losses.count)
        for (a, b) in zip(big.losses, acc.losses) { XCTAssertEqual(a, b, accuracy: 1e-5 * a) }
    }

    func testAdamWMatchesTorchsFormulaAndTheLinearSchedule() {
        var opt = AdamW(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01)
        let p = FloatBuffer([1, -2]), g = FloatBuffer([0.5, 0.25])
        opt.update([p], [g], learningRate: 0.1)
        // |m̂| / √v̂ = |g| / |g| = 1 at step 1, so each moves by lr·sign(g) after the decay.
        let expected0: Float = 1 * (1 - 0.001) - 0.1
        XCTAssertEqual(p.p[0], expected0, accuracy: 1e-6)
        let expected1: Float = -2 * (1 - 0.001) - 0.1
        XCTAssertEqual(p.p[1], expected1, accuracy: 1e-6)
        XCTAssertEqual(AdamW.linearSchedule(step: 0, total: 10, warmup: 0), 1)
        XCTAssertEqual(AdamW.linearSchedule(step: 5, total: 10, warmup: 0), 0.5)
        XCTAssertEqual(AdamW.linearSchedule(step: 1, total: 10, warmup: 2), 0.5)
        XCTAssertEqual(AdamW.linearSchedule(step: 2, total: 10, warmup: 2), 1)
        XCTAssertEqual(AdamW.linearSchedule(step: 6, total: 10, warmup: 2), 0.5)
    }

    /// peft's `layers_to_transform`: an adapter on layer 1 only equals an adapter on both layers whose
    /// layer-0 tensors are zero (logits, loss, layer-1 gradients); layer 0 has no tensors and no
    /// gradients; save and load keep the list.
    func testLayersToTransformAdaptsOnlyTheListedLayers() throws {
        let m = try TinyLlama.model()
        let seqs = TinyLlama.sequences(count: 3, length: 10, prompt: 3)
        let only = try TinyLlama.adapter(LoRAConfig(rank: 2, alpha: 4, layers: [1]))
        XCTAssertTrue(only.a(layer: 0, .q).isEmpty)
        XCTAssertEqual(only.parameterCount * 2, try LoRAAdapter(config: LoRAConfig(rank: 2, alpha: 4), model: m.config, seed: 1).parameterCount)
        var both = try LoRAAdapter(config: LoRAConfig(rank: 2, alpha: 4), model: m.config, seed: 1)
        for t in LoRATarget.allCases {
            both.set(layer: 0, t, a: both.a(layer: 0, t).map { _ in 0 }, b: both.b(layer: 0, t))
            both.set(layer: 1, t, a: only.a(layer: 1, t), b: only.b(layer: 1, t))
        }
        let ids: [Int32] = [1, 2, 3, 4, 5, 6]
        XCTAssertEqual(try m.withAdapter(only).logits([ids]), try m.withAdapter(both).logits([ids]))
        let x = TinyLlama.lossAndGradients(m, seqs, only), y = TinyLlama.lossAndGradients(m, seqs, both)
        XCTAssertEqual(x.loss, y.loss, accuracy: 1e-6 * y.loss)
        XCTAssertTrue(x.ga[0].isEmpty && x.gb[0].isEmpty)
        for t in LoRATarget.allCases {
            for (p, q) in zip(x.ga[7 + t.slot] + x.gb[7 + t.slot], y.ga[7 + t.slot] + y.gb[7 + t.slot]) { XCTAssertEqual(p, q, accuracy: 1e-5 * max(1, abs(q))) }
        }
        XCTAssertThrowsError(try LoRAAdapter(config: LoRAConfig(layers: [2]), model: m.config, seed: 1))
        let dir = NSTemporaryDirectory() + "ouro-lora-layers-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try only.save(folder: dir)
        let back = try LoRAAdapter.load(folder: dir)
        XCTAssertEqual(back.config.layers, [1])
        XCTAssertEqual(try m.withAdapter(back).logits([ids]), try m.withAdapter(only).logits([ids]))
        XCTAssertEqual(try SafeTensors.read(path: dir + "/adapter_model.safetensors").count, 14)
    }
}
