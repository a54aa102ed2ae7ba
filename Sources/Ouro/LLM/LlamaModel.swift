import Foundation

/// A llama-architecture causal language model loaded from a GGUF file (any llama GGUF whose tensors
/// are F32, F16, Q8_0, Q4_0 or Q4_1; dequantized to `Float` once at load), with its byte-level BPE
/// tokenizer and chat template. The forward pass (`LlamaModel+Forward.swift`) computes what
/// Hugging Face `transformers`' `LlamaForCausalLM` computes in float32.
///
/// Hyperparameters come from the `llama.*` metadata. The GGUF stores the query and key projections
/// with each head's rows permuted for rotation of adjacent pairs (llama.cpp's convention); they are
/// permuted back at load, so rotary embeddings rotate the two halves of each head as Hugging Face does.
public final class LlamaModel: @unchecked Sendable {
    /// The model's shape, from the GGUF metadata.
    public struct Config: Sendable, Equatable {
        public var vocab: Int, hidden: Int, layers: Int, heads: Int, kvHeads: Int, headDim: Int, ffn: Int
        public var ropeBase: Float, eps: Float, contextLength: Int
        /// Width of the key/value projections.
        public var kvDim: Int { kvHeads * headDim }
    }

    struct Layer {
        var attnNorm: [Float]
        /// Query, key and value rows stacked (`hidden + 2 · kvDim` × hidden), Hugging Face's row order.
        var wqkv: [Float]
        var wo: [Float]                // hidden × hidden
        var ffnNorm: [Float]
        /// Gate and up rows stacked (`2 · ffn` × hidden).
        var wgu: [Float]
        var wdown: [Float]             // hidden × ffn
    }

    public let config: Config
    public let tokenizer: BPETokenizer
    public let chat: ChatTemplate
    /// The model's name (`general.name`), its architecture, and the file's dominant quantisation.
    public let name: String, architecture: String, quantization: String
    /// Number of parameters (elements of every tensor in the file).
    public let parameterCount: Int
    /// The file loaded.
    public let path: String
    /// Seconds the load took (mapping, parsing, dequantizing).
    public let loadSeconds: Double
    /// Threads for the row-parallel kernels and the tiled matrix products. Results do not depend on it.
    public var threads: Int = 1

    let embedding: [Float]             // vocab × hidden
    let outputWeight: [Float]?         // vocab × hidden, nil when tied to the embedding
    let outNorm: [Float]
    let layers: [Layer]
    let ropeInvFreq: [Float]
    /// The LoRA adapter applied to the projections (`W x + scale · B A x`, unmerged), if any.
    public let adapter: LoRAAdapter?

    /// Loads a llama GGUF.
    /// - Throws: `LLMError.modelMissing` (naming `ouro data`) if the file is missing; `.malformed` if
    ///   it is not a llama model or misses a tensor or hyperparameter; `.unsupportedType` for a tensor
    ///   in a type Ouro does not dequantize.
    public init(path: String) throws {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let g = try GGUFFile(path: path)
        self.path = path
        let arch = try g.require("general.architecture").string ?? ""
        guard arch == "llama" else { throw LLMError.malformed(file: path, "architecture '\(arch)' is not supported (Ouro runs 'llama')") }
        architecture = arch
        func int(_ key: String) throws -> Int {
            guard let v = try g.require("llama." + key).int else { throw LLMError.malformed(file: path, "llama.\(key) is not an integer") }
            return v
        }
        let hidden = try int("embedding_length"), heads = try int("attention.head_count")
        let kvHeads = g.metadata["llama.attention.head_count_kv"]?.int ?? heads
        guard heads > 0, kvHeads > 0, hidden % heads == 0, heads % kvHeads == 0 else {
            throw LLMError.malformed(file: path, "inconsistent head counts (hidden \(hidden), heads \(heads), kv heads \(kvHeads))")
        }
        let headDim = g.metadata["llama.rope.dimension_count"]?.int ?? hidden / heads
        guard headDim == hidden / heads, headDim % 2 == 0 else { throw LLMError.malformed(file: path, "rope dimension \(headDim) ≠ head width \(hidden / heads)") }
        let tok = try BPETokenizer(gguf: g)
        tokenizer = tok
        let vocab = g.tensors["token_embd.weight"]?.dims.last ?? tok.count
        let cfg = Config(vocab: vocab, hidden: hidden, layers: try int("block_count"), heads: heads, kvHeads: kvHeads,
                         headDim: headDim, ffn: try int("feed_forward_length"),
                         ropeBase: Float(g.metadata["llama.rope.freq_base"]?.double ?? 10_000),
                         eps: Float(try g.require("llama.attention.layer_norm_rms_epsilon").double ?? 1e-5),
                         contextLength: g.metadata["llama.context_length"]?.int ?? 2048)
        config = cfg
        if let scaling = g.metadata["llama.rope.scaling.type"]?.string, scaling != "none" {
            throw LLMError.malformed(file: path, "rope scaling '\(scaling)' is not supported")
        }
        chat = ChatTemplate(template: g.metadata["tokenizer.chat_template"]?.string)
        name = g.metadata["general.name"]?.string ?? ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let H = cfg.hidden, F = cfg.ffn, kvd = cfg.kvDim
        embedding = try g.floats("token_embd.weight", shape: [H, cfg.vocab])
        outputWeight = try g.tensors["output.weight"] == nil ? nil : g.floats("output.weight", shape: [H, cfg.vocab])
        outNorm = try g.floats("output_norm.weight", shape: [H])
        var layers: [Layer] = []
        for l in 0..<cfg.layers {
            let p = "blk.\(l)."
            let q = Self.unpermute(try g.floats(p + "attn_q.weight", shape: [H, H]), heads: heads, headDim: headDim, cols: H)
            let k = Self.unpermute(try g.floats(p + "attn_k.weight", shape: [H, kvd]), heads: kvHeads, headDim: headDim, cols: H)
            let v = try g.floats(p + "attn_v.weight", shape: [H, kvd])
            layers.append(Layer(attnNorm: try g.floats(p + "attn_norm.weight", shape: [H]), wqkv: q + k + v,
                                wo: try g.floats(p + "attn_output.weight", shape: [H, H]),
                                ffnNorm: try g.floats(p + "ffn_norm.weight", shape: [H]),
                                wgu: try g.floats(p + "ffn_gate.weight", shape: [H, F]) + g.floats(p + "ffn_up.weight", shape: [H, F]),
                                wdown: try g.floats(p + "ffn_down.weight", shape: [F, H])))
        }
        self.layers = layers
        // Hugging Face: inv_freq = 1 / base^(2i / d) in float32.
        ropeInvFreq = (0..<(headDim / 2)).map { i in 1 / powf(cfg.ropeBase, Float(2 * i) / Float(headDim)) }
        parameterCount = g.tensors.values.reduce(0) { $0 + $1.count }
        var byType: [String: Int] = [:]
        for t in g.tensors.values { byType[t.typeName, default: 0] += t.count }
        quantization = byType.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?.key ?? "F32"
        loadSeconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        adapter = nil
    }

    /// A model from its parts (no file): what `withAdapter` and the tests build.
    init(config: Config, tokenizer: BPETokenizer, chat: ChatTemplate, name: String, architecture: String, quantization: String,
         parameterCount: Int, path: String, loadSeconds: Double, embedding: [Float], outputWeight: [Float]?, outNorm: [Float],
         layers: [Layer], ropeInvFreq: [Float], adapter: LoRAAdapter?) {
        self.config = config; self.tokenizer = tokenizer; self.chat = chat; self.name = name; self.architecture = architecture
        self.quantization = quantization; self.parameterCount = parameterCount; self.path = path; self.loadSeconds = loadSeconds
        self.embedding = embedding; self.outputWeight = outputWeight; self.outNorm = outNorm; self.layers = layers
        self.ropeInvFreq = ropeInvFreq; self.adapter = adapter
    }

    /// The same base model with `adapter` applied to its projections (nil: the base alone). The base
    /// weights are shared, not copied; `threads` is carried over.
    /// - Throws: `LLMError.invalidInput` if the adapter was made for a model of another shape.
    public func withAdapter(_ adapter: LoRAAdapter?) throws -> LlamaModel {
        if let adapter, !adapter.fits(config) {
            throw LLMError.invalidInput("the LoRA adapter (\(adapter.layers) layers) does not fit \(displayName) (\(config.layers) layers, hidden \(config.hidden), ffn \(config.ffn), kv \(config.kvDim))")
        }
        let m = LlamaModel(config: config, tokenizer: tokenizer, chat: chat, name: name, architecture: architecture,
                           quantization: quantization, parameterCount: parameterCount, path: path, loadSeconds: loadSeconds,
                           embedding: embedding, outputWeight: outputWeight, outNorm: outNorm, layers: layers,
                           ropeInvFreq: ropeInvFreq, adapter: adapter?.padded(to: config.layers))
        m.threads = threads
        return m
    }

    /// The base model with the adapter saved in `folder` (peft's format, see `LoRAAdapter.load`).
    public func withAdapter(folder: String) throws -> LlamaModel { try withAdapter(LoRAAdapter.load(folder: folder)) }

    /// Undoes llama.cpp's per-head row permutation of a query/key weight (`rows` = heads · headDim,
    /// each row `cols` wide): GGUF row `h·d + 2i + j` is Hugging Face row `h·d + j·d/2 + i`.
    static func unpermute(_ w: [Float], heads: Int, headDim d: Int, cols: Int) -> [Float] {
        var out = [Float](repeating: 0, count: w.count)
        for h in 0..<heads {
            for i in 0..<(d / 2) {
                for j in 0..<2 {
                    let src = (h * d + 2 * i + j) * cols, dst = (h * d + j * d / 2 + i) * cols
                    for c in 0..<cols { out[dst + c] = w[src + c] }
                }
            }
        }
        return out
    }
}

extension LlamaModel: CustomStringConvertible {
    /// `LLM(smollm2-135m-instruct, llama, 135M params, 30 layers, Q4_1)`.
    public var description: String {
        let m = Double(parameterCount) / 1e6
        return "LLM(\(displayName), \(architecture), \(m >= 10 ? String(Int(m.rounded())) : String(format: "%.1f", m))M params, \(config.layers) layers, \(quantization)\(adapter.map { ", LoRA r\($0.config.rank)" } ?? ""))"
    }

    /// The catalog name when the file is a catalog model, else the GGUF's `general.name`.
    public var displayName: String {
        let file = (path as NSString).lastPathComponent
        return LLMWeights.name(ofFile: file) ?? name
    }
}
