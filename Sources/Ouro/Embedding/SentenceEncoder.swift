import Foundation
import Synchronization

/// A sentence encoder: all-MiniLM-L6-v2 (a 6-layer BERT) loaded from a sentence-transformers folder
/// (`model.safetensors`, `config.json`, `vocab.txt`, `sentence_bert_config.json`), computing what
/// `SentenceTransformer.encode(texts, normalize_embeddings)` computes: WordPiece ids → BERT encoder →
/// mean pooling over the tokens → L2 normalisation.
///
/// The encoder (per layer: fused QKV projection, scaled dot-product attention per head, output
/// projection + residual + LayerNorm, exact-erf GELU feed-forward + residual + LayerNorm; LayerNorm
/// ε from `config.json`, 1e-12) runs in single precision; matrix products through OpenBLAS
/// `cblas_sgemm`.
///
/// Batching: texts are sorted by token count and cut into batches of `batchSize`; a batch's sequences
/// are packed end to end (no padding at all), the dense layers run as one matrix product over every
/// token of the batch and attention runs per sequence and head over that sequence's own tokens.
/// Threads: the batches (fixed by the texts and `batchSize` alone) are spread over `threads`
/// workers, longest first, each worker taking the next batch when it is done with one, and running
/// it start to end on its own buffers with OpenBLAS on one thread.
/// A batch is computed the same way whatever the thread count, so a text's embedding does not
/// depend on it (no reduction is ever split across threads).
public final class SentenceEncoder: @unchecked Sendable {
    /// The model's shape, from `config.json`.
    public struct Config: Sendable, Equatable {
        public var hidden: Int, layers: Int, heads: Int, intermediate: Int
        public var vocabSize: Int, maxPositions: Int, layerNormEps: Float
        /// Width of one attention head.
        public var headDim: Int { hidden / heads }
    }

    struct Layer {
        var qkvW: [Float], qkvB: [Float]          // (3H × H), 3H: query, key, value rows stacked
        var outW: [Float], outB: [Float]          // H × H
        var ln1G: [Float], ln1B: [Float]
        var interW: [Float], interB: [Float]      // I × H
        var out2W: [Float], out2B: [Float]        // H × I
        var ln2G: [Float], ln2B: [Float]
    }

    /// The tokenizer (from `vocab.txt`, `tokenizer_config.json` and `max_seq_length`).
    public let tokenizer: WordPieceTokenizer
    /// The model's shape.
    public let config: Config
    /// The folder the model was loaded from.
    public let modelFolder: String
    /// Workers, each embedding whole batches (see above). Default 1; an experiment gives the encoder
    /// the cores of its worker (`EmbeddingCache.threads`: all cores with `--jobs 1`, cores ÷ jobs
    /// otherwise), `ouro bench embed --threads T` sets it explicitly. Results do not depend on it.
    public var threads: Int = 1

    let wordEmb: [Float], posEmb: [Float], typeEmb0: [Float], embLNG: [Float], embLNB: [Float]
    let layers: [Layer]

    /// Loads a sentence-transformers BERT folder.
    /// - Parameter modelFolder: e.g. `<data>/models/minilm` (see `MiniLMWeights`).
    /// - Throws: `EmbeddingError.modelMissing` (naming `ouro data`) if the folder or a file is missing;
    ///   `.malformed` if a file does not hold what a BERT model needs.
    public init(modelFolder: String) throws {
        self.modelFolder = modelFolder
        func path(_ name: String) -> String { (modelFolder as NSString).appendingPathComponent(name) }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: modelFolder, isDirectory: &isDir), isDir.boolValue else {
            throw EmbeddingError.modelMissing(path: modelFolder)
        }
        func json(_ name: String) throws -> [String: Any] {
            guard let d = FileManager.default.contents(atPath: path(name)) else { throw EmbeddingError.modelMissing(path: path(name)) }
            guard let o = try? JSONSerialization.jsonObject(with: d) as? [String: Any] else {
                throw EmbeddingError.malformed(file: path(name), "not a JSON object")
            }
            return o
        }
        let cfg = try json("config.json")
        func int(_ key: String) throws -> Int {
            guard let v = (cfg[key] as? NSNumber)?.intValue else { throw EmbeddingError.malformed(file: path("config.json"), "no integer '\(key)'") }
            return v
        }
        let config = Config(hidden: try int("hidden_size"), layers: try int("num_hidden_layers"),
                            heads: try int("num_attention_heads"), intermediate: try int("intermediate_size"),
                            vocabSize: try int("vocab_size"), maxPositions: try int("max_position_embeddings"),
                            layerNormEps: (cfg["layer_norm_eps"] as? NSNumber)?.floatValue ?? 1e-12)
        guard (cfg["hidden_act"] as? String ?? "gelu") == "gelu", config.hidden % config.heads == 0,
              config.headDim % 16 == 0, config.intermediate % 16 == 0 else {
            throw EmbeddingError.malformed(file: path("config.json"), "unsupported BERT shape or activation")
        }
        self.config = config
        var maxLength = config.maxPositions
        if FileManager.default.fileExists(atPath: path("sentence_bert_config.json")),
           let m = (try json("sentence_bert_config.json")["max_seq_length"] as? NSNumber)?.intValue {
            maxLength = min(m, maxLength)
        }
        var lower = true
        if FileManager.default.fileExists(atPath: path("tokenizer_config.json")),
           let l = try json("tokenizer_config.json")["do_lower_case"] as? Bool { lower = l }
        tokenizer = try WordPieceTokenizer(vocabFile: path("vocab.txt"), lowercase: lower, maxLength: maxLength)

        let st = try SafetensorsFile(path: path("model.safetensors"))
        // Accept both bare (`embeddings.…`) and `bert.`-prefixed names.
        let prefix = st.tensors["embeddings.word_embeddings.weight"] == nil && st.tensors["bert.embeddings.word_embeddings.weight"] != nil ? "bert." : ""
        let H = config.hidden, I = config.intermediate
        func t(_ name: String, _ shape: [Int]) throws -> [Float] { try st.floats(prefix + name, shape: shape) }
        wordEmb = try t("embeddings.word_embeddings.weight", [config.vocabSize, H])
        posEmb = try t("embeddings.position_embeddings.weight", [config.maxPositions, H])
        typeEmb0 = Array(try st.floats(prefix + "embeddings.token_type_embeddings.weight")[0..<H])
        embLNG = try t("embeddings.LayerNorm.weight", [H])
        embLNB = try t("embeddings.LayerNorm.bias", [H])
        var layers: [Layer] = []
        for l in 0..<config.layers {
            let p = "encoder.layer.\(l)."
            layers.append(Layer(
                qkvW: try t(p + "attention.self.query.weight", [H, H]) + t(p + "attention.self.key.weight", [H, H]) + t(p + "attention.self.value.weight", [H, H]),
                qkvB: try t(p + "attention.self.query.bias", [H]) + t(p + "attention.self.key.bias", [H]) + t(p + "attention.self.value.bias", [H]),
                outW: try t(p + "attention.output.dense.weight", [H, H]), outB: try t(p + "attention.output.dense.bias", [H]),
                ln1G: try t(p + "attention.output.LayerNorm.weight", [H]), ln1B: try t(p + "attention.output.LayerNorm.bias", [H]),
                interW: try t(p + "intermediate.dense.weight", [I, H]), interB: try t(p + "intermediate.dense.bias", [I]),
                out2W: try t(p + "output.dense.weight", [H, I]), out2B: try t(p + "output.dense.bias", [H]),
                ln2G: try t(p + "output.LayerNorm.weight", [H]), ln2B: try t(p + "output.LayerNorm.bias", [H])))
        }
        self.layers = layers
    }

    /// Embeds texts: one L2-normalised row per text, in input order.
    /// - Parameter texts: the texts (any length; each is truncated to `tokenizer.maxLength` tokens).
    /// - Parameter batchSize: texts per batch (after sorting by length).
    /// - Returns: a `texts.count × config.hidden` matrix.
    /// - Complexity: O(Σ Lᵢ · layers · H · (H + I) + Σ Lᵢ² · H) for token counts Lᵢ.
    public func embed(_ texts: [String], batchSize: Int = 64) throws -> EmbeddingMatrix {
        var ids = [[Int32]](repeating: [], count: texts.count)
        let tok = tokenizer
        let workers = max(1, threads)
        ids.withUnsafeMutableBufferPointer { out in
            let base = out.baseAddress!
            Kernels.parallel(texts.count, workers: workers, minPerWorker: 16) { range in
                for i in range { base[i] = tok.encode(texts[i]) }
            }
        }
        return try embed(tokenIDs: ids, batchSize: batchSize)
    }

    /// Embeds pre-tokenised sequences (each `[CLS] … [SEP]`, at most `config.maxPositions` long).
    /// - Returns: one L2-normalised row per sequence, in input order.
    /// - Throws: `Interruption.Interrupted` between batches once a stop was requested (Ctrl-C).
    public func embed(tokenIDs: [[Int32]], batchSize: Int = 64) throws -> EmbeddingMatrix {
        let H = config.hidden
        let n = tokenIDs.count
        var out = [Float](repeating: 0, count: n * H)
        guard n > 0 else { return EmbeddingMatrix(rows: 0, cols: H, storage: []) }
        let order = (0..<n).sorted { (tokenIDs[$0].count, $0) < (tokenIDs[$1].count, $1) }
        let step = max(1, batchSize)
        let batches = stride(from: 0, to: n, by: step).map { Array(order[$0..<min(n, $0 + step)]) }
        // Workers take the batches longest first, each the next one not yet taken (so they finish close
        // together); each writes only its texts' rows, and a batch is computed the same by any worker.
        let cost = batches.map { $0.reduce(0) { $0 + tokenIDs[$1].count } }
        let queue = batches.indices.sorted { (cost[$0], $1) > (cost[$1], $0) }
        let next = Atomic<Int>(0)
        let workers = min(max(1, threads), batches.count)
        out.withUnsafeMutableBufferPointer { ob in
            let o = UncheckedSendable(ob.baseAddress!)
            Kernels.parallel(workers, workers: workers) { range in
                for _ in range {
                    var scratch = Scratch()
                    while !Interruption.isRequested {
                        let taken = next.add(1, ordering: .relaxed).oldValue
                        if taken >= queue.count { break }
                        let batch = batches[queue[taken]]
                        let pooled = forward(batch.map { tokenIDs[$0] }, scratch: &scratch)
                        for (k, i) in batch.enumerated() {
                            for j in 0..<H { o.value[i * H + j] = pooled[k * H + j] }
                        }
                    }
                }
            }
        }
        try Interruption.check()   // Ctrl-C: batches after the request were skipped; no partial matrix escapes
        return EmbeddingMatrix(rows: n, cols: H, storage: out)
    }

    /// Reused per-batch buffers.
    struct Scratch {
        var x: [Float] = [], qkv: [Float] = [], ctx: [Float] = [], a: [Float] = [], inter: [Float] = []
        mutating func reserve(tokens t: Int, hidden h: Int, intermediate i: Int) {
            func fit(_ b: inout [Float], _ c: Int) { if b.count < c { b = [Float](repeating: 0, count: c) } }
            fit(&x, t * h); fit(&qkv, t * 3 * h); fit(&ctx, t * h); fit(&a, t * h); fit(&inter, t * i)
        }
    }

    /// Runs one packed batch through the encoder; returns the pooled, normalised rows (batch order).
    func forward(_ seqs: [[Int32]], scratch: inout Scratch) -> [Float] {
        let H = config.hidden, I = config.intermediate, heads = config.heads, hd = config.headDim
        var offsets = [0]
        for s in seqs { offsets.append(offsets.last! + min(s.count, config.maxPositions)) }
        let T = offsets.last!
        scratch.reserve(tokens: T, hidden: H, intermediate: I)
        let workers = 1    // one batch, one thread: the parallelism is over batches (see `embed`)
        let eps = config.layerNormEps

        scratch.x.withUnsafeMutableBufferPointer { xb in
        scratch.qkv.withUnsafeMutableBufferPointer { qb in
        scratch.ctx.withUnsafeMutableBufferPointer { cb in
        scratch.a.withUnsafeMutableBufferPointer { ab in
        scratch.inter.withUnsafeMutableBufferPointer { ib in
            let x = xb.baseAddress!, qkv = qb.baseAddress!, ctx = cb.baseAddress!, a = ab.baseAddress!, inter = ib.baseAddress!
            // Embeddings: word + position + token type 0, then LayerNorm.
            wordEmb.withUnsafeBufferPointer { we in posEmb.withUnsafeBufferPointer { pe in
            typeEmb0.withUnsafeBufferPointer { te in embLNG.withUnsafeBufferPointer { g in embLNB.withUnsafeBufferPointer { b in
                for (s, seq) in seqs.enumerated() {
                    for p in 0..<(offsets[s + 1] - offsets[s]) {
                        let id = Int(seq[p]) < config.vocabSize && seq[p] >= 0 ? Int(seq[p]) : Int(tokenizer.unkID)
                        let row = x + (offsets[s] + p) * H
                        for j in 0..<H { row[j] = we[id * H + j] + pe[p * H + j] + te[j] }
                    }
                }
                Kernels.layerNorm(x, rows: T, width: H, gamma: g.baseAddress!, beta: b.baseAddress!, eps: eps, workers: workers)
            } } } } }

            for layer in layers {
                // Q, K, V for every token: one product with the stacked weights.
                Kernels.broadcastRows(layer.qkvB, into: qkv, rows: T)
                layer.qkvW.withUnsafeBufferPointer { w in
                    BLAS.gemmABt(m: T, n: 3 * H, k: H, a: x, lda: H, b: w.baseAddress!, ldb: H, beta: 1, c: qkv, ldc: 3 * H)
                }
                // Attention, per sequence and head, over that sequence's tokens only.
                Kernels.attention(qkv: qkv, ctx: ctx, offsets: offsets, heads: heads, headDim: hd, hidden: H, workers: workers)
                // Output projection + residual, LayerNorm.
                Kernels.addRows(layer.outB, to: x, into: a, rows: T)
                layer.outW.withUnsafeBufferPointer { w in
                    BLAS.gemmABt(m: T, n: H, k: H, a: ctx, lda: H, b: w.baseAddress!, ldb: H, beta: 1, c: a, ldc: H)
                }
                layer.ln1G.withUnsafeBufferPointer { g in layer.ln1B.withUnsafeBufferPointer { b in
                    Kernels.layerNorm(a, rows: T, width: H, gamma: g.baseAddress!, beta: b.baseAddress!, eps: eps, workers: workers)
                } }
                // Feed-forward: GELU(a Wᵢᵀ + bᵢ) W₂ᵀ + b₂ + a, LayerNorm.
                layer.interW.withUnsafeBufferPointer { w in
                    BLAS.gemmABt(m: T, n: I, k: H, a: a, lda: H, b: w.baseAddress!, ldb: H, beta: 0, c: inter, ldc: I)
                }
                Kernels.biasGELU(inter, rows: T, bias: layer.interB, workers: workers)
                Kernels.addRows(layer.out2B, to: a, into: x, rows: T)
                layer.out2W.withUnsafeBufferPointer { w in
                    BLAS.gemmABt(m: T, n: H, k: I, a: inter, lda: I, b: w.baseAddress!, ldb: I, beta: 1, c: x, ldc: H)
                }
                layer.ln2G.withUnsafeBufferPointer { g in layer.ln2B.withUnsafeBufferPointer { b in
                    Kernels.layerNorm(x, rows: T, width: H, gamma: g.baseAddress!, beta: b.baseAddress!, eps: eps, workers: workers)
                } }
            }
        } } } } }

        // Mean pooling over each sequence's tokens, then L2 normalisation.
        var pooled = [Float](repeating: 0, count: seqs.count * H)
        var sums = [Double](repeating: 0, count: H)
        for s in 0..<seqs.count {
            for j in 0..<H { sums[j] = 0 }
            let L = offsets[s + 1] - offsets[s]
            for p in offsets[s]..<offsets[s + 1] {
                let base = p * H
                for j in 0..<H { sums[j] += Double(scratch.x[base + j]) }
            }
            var norm2 = 0.0
            var mean = [Float](repeating: 0, count: H)
            for j in 0..<H { mean[j] = Float(sums[j] / Double(max(L, 1))); norm2 += Double(mean[j]) * Double(mean[j]) }
            let scale = 1 / max(norm2.squareRoot(), 1e-12)
            for j in 0..<H { pooled[s * H + j] = Float(Double(mean[j]) * scale) }
        }
        return pooled
    }
}
