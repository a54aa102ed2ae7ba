import Foundation
@_spi(Bench) @testable import Ouro

/// A tiny random llama (2 layers, hidden 16, 4 heads over 2 KV heads, ffn 24, vocab 40) built in
/// memory for the LoRA tests, and helpers to run its training pass.
enum TinyLlama {
    static let config = LlamaModel.Config(vocab: 40, hidden: 16, layers: 2, heads: 4, kvHeads: 2, headDim: 4, ffn: 24,
                                          ropeBase: 10_000, eps: 1e-5, contextLength: 128)

    /// Weights drawn from `(seed, "tiny-llama")`: linear weights N(0, 1/in), norms 1 + N(0, 0.1²),
    /// embedding N(0, 1); the output layer is tied to the embedding.
    static func model(seed: UInt64 = 7) throws -> LlamaModel {
        let c = config
        var g = Xoshiro256(seed: seed, "tiny-llama")
        func normal(_ n: Int, _ sd: Double, mean: Double = 0) -> [Float] { (0..<n).map { _ in Float(g.normal(mean: mean, sd: sd)) } }
        let H = c.hidden, kvd = c.kvDim, F = c.ffn
        let layers = (0..<c.layers).map { _ in
            LlamaModel.Layer(attnNorm: normal(H, 0.1, mean: 1), wqkv: normal((H + 2 * kvd) * H, 1 / Double(H).squareRoot()),
                             wo: normal(H * H, 1 / Double(H).squareRoot()), ffnNorm: normal(H, 0.1, mean: 1),
                             wgu: normal(2 * F * H, 1 / Double(H).squareRoot()), wdown: normal(H * F, 1 / Double(F).squareRoot()))
        }
        let letters = "abcdefghijklmnopqrstuvwxyz0123456789.".map(String.init) + ["Ġ"]
        let tokens = letters + ["<|im_start|>", "<|im_end|>"]
        let tok = try BPETokenizer(tokens: tokens, merges: [], types: letters.map { _ in 1 } + [3, 3], pre: "gpt2", bos: nil, eos: 39)
        let inv = (0..<(c.headDim / 2)).map { i in 1 / powf(c.ropeBase, Float(2 * i) / Float(c.headDim)) }
        return LlamaModel(config: c, tokenizer: tok, chat: ChatTemplate(defaultSystem: nil), name: "tiny", architecture: "llama",
                          quantization: "F32", parameterCount: 0, path: "tiny.gguf", loadSeconds: 0, embedding: normal(c.vocab * H, 1),
                          outputWeight: nil, outNorm: normal(H, 0.1, mean: 1), layers: layers, ropeInvFreq: inv, adapter: nil)
    }

    /// `count` random sequences of `length` tokens (ids below 38) whose first `prompt` tokens are
    /// masked; with `shared`, every sequence starts with the same `prompt` tokens (as a common chat
    /// prompt does).
    static func sequences(count: Int, length: Int, prompt: Int, shared: Bool = false, seed: UInt64 = 3) -> [TrainSequence] {
        var g = Xoshiro256(seed: seed, "tiny-sequences")
        var h = Xoshiro256(seed: seed, "tiny-prompt")
        let common = (0..<prompt).map { _ in Int32(h.int(below: 38)) }
        return (0..<count).map { i in
            let L = max(prompt + 2, length - i % 5)
            var t = (0..<L).map { _ in Int32(g.int(below: 38)) }
            if shared { t.replaceSubrange(0..<prompt, with: common) }
            return TrainSequence(tokens: t, promptLength: prompt)
        }
    }

    /// A fresh adapter of `config` with every `B` drawn from N(0, sd²) too (so `A` gets gradients).
    static func adapter(_ lora: LoRAConfig, for c: LlamaModel.Config = config, seed: UInt64 = 5, bSD: Double = 0.3) throws -> LoRAAdapter {
        var ad = try LoRAAdapter(config: lora, model: c, seed: seed)
        var g = Xoshiro256(seed: seed, "tiny-b")
        for l in 0..<ad.layers where lora.adapts(layer: l) {
            for t in lora.targets {
                let b = ad.b(layer: l, t).map { _ in Float(g.normal(mean: 0, sd: bSD)) }
                ad.set(layer: l, t, a: ad.a(layer: l, t), b: b)
            }
        }
        return ad
    }

    /// The mean loss over `seqs` and its gradients (per `layer · 7 + slot`) at `adapter`.
    static func lossAndGradients(_ m: LlamaModel, _ seqs: [TrainSequence], _ adapter: LoRAAdapter, workers: Int = 1,
                                 budget: Int = LlamaModel.activationBudget) -> (loss: Double, ga: [[Float]], gb: [[Float]]) {
        let state = LoRATrainState(adapter)
        let tokens = seqs.reduce(0) { $0 + $1.lossTokens }
        let sum = m.accumulateGradients(seqs, state: state, denominator: Float(tokens), workspace: TrainWorkspace(budget: budget),
                                        workers: workers)
        return (sum / Double(tokens), state.ga.map { $0?.array ?? [] }, state.gb.map { $0?.array ?? [] })
    }
}
