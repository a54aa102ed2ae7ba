import Foundation

/// One training sequence in token ids: the loss covers `tokens[promptLength...]`, each predicted from
/// the tokens before it.
@_spi(Bench) public struct TrainSequence: Sendable, Equatable {
    public var tokens: [Int32]
    public var promptLength: Int
    public init(tokens: [Int32], promptLength: Int) { self.tokens = tokens; self.promptLength = promptLength }
    /// Tokens the loss covers.
    var lossTokens: Int { max(0, tokens.count - max(1, promptLength)) }
}

/// The trainable tensors of a LoRA adapter as stable buffers, with their gradients.
final class LoRATrainState {
    let config: LoRAConfig, layers: Int, dims: [LoRAAdapter.Shape], baseModel: String
    let scale: Float
    /// Per `layer · 7 + slot`; nil for a projection that is not a target.
    var a: [FloatBuffer?], b: [FloatBuffer?], ga: [FloatBuffer?], gb: [FloatBuffer?]

    init(_ ad: LoRAAdapter) {
        config = ad.config; layers = ad.layers; dims = ad.dims; baseModel = ad.baseModel
        scale = Float(ad.config.scale)
        a = ad.a.map { $0.isEmpty ? nil : FloatBuffer($0) }
        b = ad.b.map { $0.isEmpty ? nil : FloatBuffer($0) }
        ga = ad.a.map { $0.isEmpty ? nil : FloatBuffer($0.count) }
        gb = ad.b.map { $0.isEmpty ? nil : FloatBuffer($0.count) }
    }

    /// Parameters and gradients in a fixed order (layer, target, A then B).
    var params: [FloatBuffer] { zip(a, b).flatMap { [$0.0, $0.1].compactMap { $0 } } }
    var grads: [FloatBuffer] { zip(ga, gb).flatMap { [$0.0, $0.1].compactMap { $0 } } }

    func zeroGrads() { for g in grads { g.zero() } }

    var adapter: LoRAAdapter {
        LoRAAdapter(config: config, layers: layers, dims: dims, baseModel: baseModel,
                    a: a.map { $0?.array ?? [] }, b: b.map { $0?.array ?? [] })
    }
}

/// One layer's activations kept for its backward pass.
final class LayerActivations {
    let h1, qkv, att, x2, h2, gu, act, u, probs: FloatBuffer
    init(rows n: Int, probs np: Int, _ c: LlamaModel.Config, rank: Int) {
        let H = c.hidden
        h1 = FloatBuffer(n * H); qkv = FloatBuffer(n * (H + 2 * c.kvDim)); att = FloatBuffer(n * H); x2 = FloatBuffer(n * H)
        h2 = FloatBuffer(n * H); gu = FloatBuffer(n * 2 * c.ffn); act = FloatBuffer(n * c.ffn); u = FloatBuffer(7 * n * rank)
        probs = FloatBuffer(np)
    }
    /// Bytes of a set for `n` rows and `np` attention probabilities.
    static func bytes(rows n: Int, probs np: Int, _ c: LlamaModel.Config, rank: Int) -> Int {
        4 * (n * (4 * c.hidden + c.hidden + 2 * c.kvDim + 3 * c.ffn + 7 * rank) + np)
    }
}

/// Activation and gradient buffers of one micro-batch (`rows` packed rows). The last `stored` layers
/// keep their own activations from the forward pass; the others share set 0 and are recomputed from
/// their input in the backward pass (gradient checkpointing).
final class TrainWorkspace {
    private(set) var rows = 0, probCount = 0, stored = -1
    var xs: [FloatBuffer] = []   // layer inputs (checkpoints), then the last layer's output
    var sets: [LayerActivations] = []
    var dx = FloatBuffer(0), dIn = FloatBuffer(0), dx2 = FloatBuffer(0), dh = FloatBuffer(0), datt = FloatBuffer(0)
    var dqkv = FloatBuffer(0), dgu = FloatBuffer(0), dact = FloatBuffer(0), du = FloatBuffer(0)
    let budget: Int

    /// - Parameter budget: bytes of activations to keep beyond one layer's (the rest is recomputed).
    init(budget: Int) { self.budget = budget }

    /// The activation set of layer `l` of `layers`.
    func set(_ l: Int, layers: Int) -> LayerActivations { l >= layers - stored ? sets[1 + l - (layers - stored)] : sets[0] }
    /// Whether layer `l`'s activations are still in its set after the forward pass.
    func kept(_ l: Int, layers: Int) -> Bool { l >= layers - stored - 1 }

    func ensure(rows n: Int, probs np: Int, _ c: LlamaModel.Config, rank: Int) {
        guard n > rows || np > probCount else { return }
        rows = max(rows, n); probCount = max(probCount, np)
        let H = c.hidden, qs = c.hidden + 2 * c.kvDim, F = c.ffn
        sets = []
        let one = LayerActivations.bytes(rows: rows, probs: probCount, c, rank: rank)
        stored = min(c.layers - 1, budget / one)
        sets = (0...stored).map { _ in LayerActivations(rows: rows, probs: probCount, c, rank: rank) }
        xs = (0...c.layers).map { _ in FloatBuffer(rows * H) }
        dx = FloatBuffer(rows * H); dIn = FloatBuffer(rows * H); dx2 = FloatBuffer(rows * H); dh = FloatBuffer(rows * H)
        datt = FloatBuffer(rows * H); dqkv = FloatBuffer(rows * qs); dgu = FloatBuffer(rows * 2 * F); dact = FloatBuffer(rows * F)
        du = FloatBuffer(rows * rank)
    }
}

extension LlamaModel {
    /// Fine-tunes a LoRA adapter on `examples` and returns the adapted model (sharing this model's
    /// base weights, which stay unchanged) and the loss of every optimizer step.
    ///
    /// Each example is the chat prompt of `prompt` (`chatPromptIDs`, as generation uses), the tokens of
    /// `completion` and the end-of-turn token, cut at `options.maxLength` tokens; the loss is the mean
    /// cross-entropy over the completion and end-of-turn tokens of all the micro-batches of a step
    /// (transformers' `num_items_in_batch` convention). AdamW with a linear schedule, gradients
    /// clipped to `options.maxGradNorm`. Results are bit-identical for any `threads`.
    /// - Parameters:
    ///   - threads: worker threads (OpenBLAS runs single-threaded per tile; see `Kernels.gemmTiled`).
    ///   - progress: called after every optimizer step (outside any lock).
    ///   - initial: the adapter to continue (its config replaces `options.lora`); nil: a fresh one
    ///     seeded by `options.seed`.
    /// - Throws: `LLMError.invalidInput` for empty examples, options out of range, or an `initial`
    ///   adapter that does not fit this model; `Interruption.Interrupted` after Ctrl-C (checked before
    ///   every optimizer step).
    /// - Complexity: O(epochs · Σ tokens · parameters), about three forward passes' work per token.
    public func finetune(_ examples: [TrainingExample], options: FinetuneOptions, threads: Int,
                         progress: ((TrainingProgress) -> Void)? = nil, initial: LoRAAdapter? = nil) throws -> (model: LlamaModel, losses: [Double]) {
        let seqs = try trainingSequences(examples, maxLength: options.maxLength)
        let (adapter, losses) = try finetune(sequences: seqs, options: options, threads: threads, progress: progress, initial: initial)
        return (try withAdapter(adapter), losses)
    }

    /// The token ids `finetune` trains on: per example the chat prompt, the completion's tokens and
    /// eos, cut at `maxLength`; and the number of prompt tokens (masked).
    /// - Throws: `LLMError.invalidInput` if the model has no end-of-sequence token.
    public func trainingTokens(_ examples: [TrainingExample], maxLength: Int) throws -> [(ids: [Int32], promptLength: Int)] {
        try trainingSequences(examples, maxLength: maxLength).map { ($0.tokens, $0.promptLength) }
    }

    func trainingSequences(_ examples: [TrainingExample], maxLength: Int) throws -> [TrainSequence] {
        guard let eos = tokenizer.eosID else { throw LLMError.invalidInput("the model has no end-of-sequence token to train on") }
        var prompts: [String: [Int32]] = [:]
        return examples.map { e -> TrainSequence in
            let p: [Int32]
            if let cached = prompts[e.prompt] { p = cached } else { p = chatPromptIDs(e.prompt); prompts[e.prompt] = p }
            let all = p + tokenizer.encode(e.completion) + [eos]
            return TrainSequence(tokens: Array(all.prefix(maxLength)), promptLength: p.count)
        }
    }

    /// The mean cross-entropy of `examples` taken as one batch (what `finetune`'s step computes,
    /// before clipping) and its gradient with respect to every `A` and `B` of `adapter`, returned as
    /// an adapter whose tensors are the gradients — for parity checks against peft's `.grad`.
    /// Bit-identical for any `threads`.
    /// - Throws: `LLMError.invalidInput` for no examples, no loss token, or an adapter that does not fit.
    public func loraGradients(_ examples: [TrainingExample], adapter: LoRAAdapter, maxLength: Int = 256,
                              threads: Int = 1) throws -> (loss: Double, gradients: LoRAAdapter) {
        guard adapter.fits(config) else { throw LLMError.invalidInput("the LoRA adapter does not fit \(displayName)") }
        let seqs = try trainingSequences(examples, maxLength: maxLength)
        let tokens = seqs.reduce(0) { $0 + $1.lossTokens }
        guard tokens > 0 else { throw LLMError.invalidInput("the examples have no completion token to score") }
        let state = LoRATrainState(adapter.padded(to: config.layers))
        let sum = accumulateGradients(seqs, state: state, denominator: Float(tokens),
                                      workspace: TrainWorkspace(budget: Self.activationBudget), workers: threads)
        let g = LoRAAdapter(config: state.config, layers: state.layers, dims: state.dims, baseModel: state.baseModel,
                            a: state.ga.map { $0?.array ?? [] }, b: state.gb.map { $0?.array ?? [] })
        return (sum / Double(tokens), g)
    }

    /// Bytes of layer activations kept from the forward pass for the backward pass beyond one layer's
    /// (the layers that do not fit are recomputed): 1 GiB. Batch 16 × 256 on SmolLM2 keeps 7 of 30 layers (16 × 64: all).
    @_spi(Bench) public static let activationBudget = 1 << 30

    /// `finetune` on token sequences (the tests' and the benchmark's entry).
    @_spi(Bench) public func finetune(sequences: [TrainSequence], options o: FinetuneOptions, threads: Int,
                  progress: ((TrainingProgress) -> Void)? = nil, initial: LoRAAdapter? = nil,
                  activationBudget: Int = LlamaModel.activationBudget) throws -> (adapter: LoRAAdapter, losses: [Double]) {
        guard !sequences.isEmpty else { throw LLMError.invalidInput("finetune needs at least one example") }
        guard o.batchSize >= 1, o.gradientAccumulation >= 1, o.epochs >= 0, o.maxLength >= 2, o.warmupSteps >= 0,
              o.learningRate >= 0, o.weightDecay >= 0, o.maxGradNorm >= 0 else {
            throw LLMError.invalidInput("finetune options out of range (batch_size, gradient accumulation, max_length ≥ 2, epochs, warmup_steps, learning_rate, weight_decay, max_grad_norm ≥ 0)")
        }
        guard o.maxLength <= config.contextLength else {
            throw LLMError.invalidInput("max_length \(o.maxLength) exceeds the model's context of \(config.contextLength)")
        }
        let start = try initial ?? LoRAAdapter(config: o.lora, model: config, seed: o.seed, baseModel: displayName)
        guard start.fits(config) else { throw LLMError.invalidInput("the initial LoRA adapter does not fit \(displayName)") }
        let state = LoRATrainState(start.padded(to: config.layers))
        let seqs = sequences.map { TrainSequence(tokens: Array($0.tokens.prefix(o.maxLength)), promptLength: $0.promptLength) }
        let micro = (seqs.count + o.batchSize - 1) / o.batchSize
        let perEpoch = (micro + o.gradientAccumulation - 1) / o.gradientAccumulation
        let total = perEpoch * o.epochs
        var opt = AdamW(beta1: o.beta1, beta2: o.beta2, epsilon: o.epsilon, weightDecay: o.weightDecay)
        let ws = TrainWorkspace(budget: activationBudget)
        var losses: [Double] = []
        var step = 0
        for epoch in 0..<o.epochs {
            var order = Array(0..<seqs.count)
            if o.shuffle { var g = Xoshiro256(seed: o.seed, "finetune-order", .index(epoch)); g.shuffle(&order) }
            for s in 0..<perEpoch {
                try Interruption.check()   // Ctrl-C: stops between optimizer steps; the adapter is dropped
                let batches = (s * o.gradientAccumulation..<min(micro, (s + 1) * o.gradientAccumulation)).map { m in
                    order[(m * o.batchSize)..<min(seqs.count, (m + 1) * o.batchSize)].map { seqs[$0] }
                }
                let lr = o.learningRate * AdamW.linearSchedule(step: step, total: total, warmup: o.warmupSteps)
                let tokens = batches.reduce(0) { $0 + $1.reduce(0) { $0 + $1.lossTokens } }
                state.zeroGrads()
                var sum = 0.0
                for b in batches { sum += accumulateGradients(b, state: state, denominator: Float(max(1, tokens)), workspace: ws, workers: threads) }
                if o.maxGradNorm > 0 { Self.clip(state.grads, maxNorm: o.maxGradNorm) }
                opt.update(state.params, state.grads, learningRate: lr)
                let loss = sum / Double(max(1, tokens))
                losses.append(loss)
                step += 1
                progress?(TrainingProgress(step: step, steps: total, loss: loss, learningRate: lr))
            }
        }
        return (state.adapter, losses)
    }

    /// torch's `clip_grad_norm_`: scales every gradient by `maxNorm / (‖g‖ + 1e-6)` when that is below 1.
    static func clip(_ grads: [FloatBuffer], maxNorm: Double) {
        var sq = 0.0
        for g in grads {
            var s = 0.0
            for j in 0..<g.count { let v = Double(g.p[j]); s += v * v }
            sq += s
        }
        let coef = maxNorm / (sq.squareRoot() + 1e-6)
        guard coef < 1 else { return }
        let f = Float(coef)
        for g in grads { for j in 0..<g.count { g.p[j] *= f } }
    }

    /// Packs `batch` into rows: the longest prefix that all its sequences share (at least one own
    /// token left to each; none for a single sequence) once, then each sequence's other tokens.
    /// Returns the layout, token ids, positions and, per row, the next tokens the loss scores there
    /// (one per sequence that has a target at that position; a shared row can hold several).
    /// Rows a training pass over `batch` computes (its shared chat prompt once).
    @_spi(Bench) public func computedRows(_ batch: [TrainSequence]) -> Int { pack(batch).tokens.count }

    func pack(_ batch: [TrainSequence]) -> (layout: Kernels.PackedLayout, tokens: [Int32], positions: [Int32], targets: [[Int32]]) {
        let seqs = batch.filter { !$0.tokens.isEmpty }
        var layout = Kernels.PackedLayout()
        var tokens: [Int32] = [], positions: [Int32] = [], targets: [[Int32]] = []
        var P = 0
        if seqs.count >= 2 {
            let minLength = seqs.map(\.tokens.count).min()!
            while P < minLength - 1 && seqs.allSatisfy({ $0.tokens[P] == seqs[0].tokens[P] }) { P += 1 }
        }
        /// The target of position `p` of `s`, if the loss scores it.
        func target(_ s: TrainSequence, _ p: Int) -> Int32? {
            p + 1 < s.tokens.count && p + 1 >= max(1, s.promptLength) ? s.tokens[p + 1] : nil
        }
        layout.prefix = P
        if P > 0 {
            layout.append(start: 0, count: P, prefix: 0, heads: config.heads)
            for p in 0..<P {
                tokens.append(seqs[0].tokens[p]); positions.append(Int32(p))
                targets.append(seqs.compactMap { target($0, p) })
            }
        }
        for s in seqs {
            layout.append(start: tokens.count, count: s.tokens.count - P, prefix: P, heads: config.heads)
            for p in P..<s.tokens.count {
                tokens.append(s.tokens[p]); positions.append(Int32(p))
                targets.append(target(s, p).map { [$0] } ?? [])
            }
        }
        return (layout, tokens, positions, targets)
    }

    /// Adds the gradients of `Σ cross-entropy / denominator` over `batch`'s loss tokens to
    /// `state`'s gradients; returns the sum of the cross-entropies. Gradient checkpointing: only
    /// each layer's input is kept, and the activations of the last layers that fit `ws`'s budget; the
    /// others are recomputed one layer at a time in the backward pass. The result does not depend on how
    /// many layers `ws` keeps, nor on `workers`.
    func accumulateGradients(_ batch: [TrainSequence], state: LoRATrainState, denominator: Float,
                             workspace ws: TrainWorkspace, workers: Int) -> Double {
        let (layout, tokens, positions, targets) = pack(batch)
        let N = tokens.count, H = config.hidden
        guard N > 0 else { return 0 }
        ws.ensure(rows: N, probs: layout.probCount, config, rank: state.config.rank)
        let prefixGrads = FloatBuffer(layout.blocks.count * config.kvHeads * layout.prefix * 2 * config.headDim)
        embedding.withUnsafeBufferPointer { e in
            for r in 0..<N { (ws.xs[0].p + r * H).update(from: e.baseAddress! + Int(tokens[r]) * H, count: H) }
        }
        let negated = positions.map { -$0 }
        for l in 0..<config.layers {
            layerForward(l, x: ws.xs[l].p, out: ws.xs[l + 1].p, rows: N, layout: layout, positions: positions, state: state, ws: ws, workers: workers)
        }
        ws.dx.zero()
        let loss = lossHead(ws.xs[config.layers].p, rows: N, targets: targets, denominator: denominator, dx: ws.dx.p, workers: workers)
        for l in stride(from: config.layers - 1, through: 0, by: -1) {
            if !ws.kept(l, layers: config.layers) {
                layerForward(l, x: ws.xs[l].p, out: nil, rows: N, layout: layout, positions: positions, state: state, ws: ws, workers: workers)
            }
            layerBackward(l, x: ws.xs[l].p, dOut: ws.dx.p, dIn: ws.dIn.p, rows: N, layout: layout, negatedPositions: negated,
                          state: state, ws: ws, prefixGrads: prefixGrads.p, workers: workers)
            swap(&ws.dx, &ws.dIn)
        }
        return loss
    }

    /// Final norm, tied output layer and cross-entropy over the rows with targets (a shared row
    /// scores each of its targets), 512 rows at a time; writes `∂(Σ CE / denominator)/∂x` into `dx` (zero elsewhere) and returns `Σ CE`.
    func lossHead(_ x: UnsafePointer<Float>, rows N: Int, targets: [[Int32]], denominator: Float, dx: UnsafeMutablePointer<Float>,
                  workers: Int) -> Double {
        let H = config.hidden, V = config.vocab, chunk = 512
        let lossRows = (0..<N).filter { !targets[$0].isEmpty }
        guard !lossRows.isEmpty else { return 0 }
        let m0 = min(chunk, lossRows.count)
        let xg = FloatBuffer(m0 * H), hg = FloatBuffer(m0 * H), dh = FloatBuffer(m0 * H), dxg = FloatBuffer(m0 * H)
        let logits = FloatBuffer(m0 * V)
        var rowLoss = [Double](repeating: 0, count: lossRows.count)
        let invDen = 1 / denominator
        (outputWeight ?? embedding).withUnsafeBufferPointer { wb in outNorm.withUnsafeBufferPointer { nb in
        rowLoss.withUnsafeMutableBufferPointer { lossb in
            let w = wb.baseAddress!, norm = nb.baseAddress!, lossp = lossb.baseAddress!
            var c0 = 0
            while c0 < lossRows.count {
                let m = min(chunk, lossRows.count - c0)
                for i in 0..<m { (xg.p + i * H).update(from: x + lossRows[c0 + i] * H, count: H) }
                Kernels.rmsNorm(xg.p, into: hg.p, rows: m, width: H, weight: norm, eps: config.eps, workers: workers)
                Kernels.gemmTiled(transB: true, m: m, n: V, k: H, a: hg.p, lda: H, b: w, ldb: H, beta: 0, c: logits.p, ldc: V,
                                  workers: workers, columns: true)
                let lg = logits.p
                Kernels.parallel(m, workers: workers, minPerWorker: 8) { range in
                    for i in range {
                        let row = lg + i * V, ts = targets[lossRows[c0 + i]]
                        var mx = -Float.infinity
                        for j in 0..<V where row[j] > mx { mx = row[j] }
                        var picked = 0.0
                        for t in ts { picked += Double(row[Int(t)] - mx) }
                        var z = 0.0
                        for j in 0..<V { let e = expf(row[j] - mx); row[j] = e; z += Double(e) }
                        lossp[c0 + i] = Double(ts.count) * Foundation.log(z) - picked
                        // ∂(Σ CE / denominator)/∂logit = Σ over the row's targets of (softmax − one-hot) / denominator.
                        let f = Float(Double(ts.count) / z) * invDen
                        for j in 0..<V { row[j] *= f }
                        for t in ts { row[Int(t)] -= invDen }
                    }
                }
                Kernels.gemmTiled(m: m, n: H, k: V, a: logits.p, lda: V, b: w, ldb: H, beta: 0, c: dh.p, ldc: H, workers: workers)
                dxg.zero()
                Kernels.rmsNormBackward(xg.p, dy: dh.p, weight: norm, addingTo: dxg.p, rows: m, width: H, eps: config.eps, workers: workers)
                for i in 0..<m { (dx + lossRows[c0 + i] * H).update(from: dxg.p + i * H, count: H) }
                c0 += m
            }
        } } }
        return rowLoss.reduce(0, +)
    }

    /// Layer `l`'s forward pass over packed rows (as `forward` computes it, with the LoRA terms),
    /// keeping the activations the backward pass needs in `ws`; writes the layer's output into `out`
    /// when given (the recomputation skips the last product).
    func layerForward(_ l: Int, x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>?, rows N: Int, layout: Kernels.PackedLayout,
                      positions: [Int32], state: LoRATrainState, ws: TrainWorkspace, workers: Int) {
        let c = config, H = c.hidden, kvd = c.kvDim, F = c.ffn, qs = H + 2 * kvd, r = state.config.rank
        let layer = layers[l], acts = ws.set(l, layers: c.layers)
        func loraForward(_ t: LoRATarget, _ input: UnsafePointer<Float>, _ ldIn: Int, _ output: UnsafeMutablePointer<Float>?, _ ldOut: Int) {
            let i = l * 7 + t.slot
            guard let a = state.a[i], let b = state.b[i] else { return }
            let u = acts.u.p + t.slot * N * r, s = state.dims[t.slot]
            Kernels.gemmTiled(transB: true, m: N, n: r, k: s.input, a: input, lda: ldIn, b: a.p, ldb: s.input, beta: 0, c: u, ldc: r, workers: workers)
            if let output {
                Kernels.gemmTiled(transB: true, m: N, n: s.output, k: r, alpha: state.scale, a: u, lda: r, b: b.p, ldb: r,
                                  beta: 1, c: output, ldc: ldOut, workers: workers)
            }
        }
        layer.attnNorm.withUnsafeBufferPointer { an in layer.wqkv.withUnsafeBufferPointer { wqkv in
        layer.wo.withUnsafeBufferPointer { wo in layer.ffnNorm.withUnsafeBufferPointer { fn in
        layer.wgu.withUnsafeBufferPointer { wgu in layer.wdown.withUnsafeBufferPointer { wd in
        positions.withUnsafeBufferPointer { pos in ropeInvFreq.withUnsafeBufferPointer { inv in
            let h1 = acts.h1.p, qkv = acts.qkv.p, att = acts.att.p, x2 = acts.x2.p, h2 = acts.h2.p, gu = acts.gu.p, act = acts.act.p
            Kernels.rmsNorm(x, into: h1, rows: N, width: H, weight: an.baseAddress!, eps: c.eps, workers: workers)
            Kernels.gemmTiled(transB: true, m: N, n: qs, k: H, a: h1, lda: H, b: wqkv.baseAddress!, ldb: H, beta: 0, c: qkv, ldc: qs, workers: workers)
            loraForward(.q, h1, H, qkv, qs); loraForward(.k, h1, H, qkv + H, qs); loraForward(.v, h1, H, qkv + H + kvd, qs)
            Kernels.rope(qkv, rows: N, stride: qs, offset: 0, heads: c.heads, headDim: c.headDim, positions: pos.baseAddress!,
                         invFreq: inv.baseAddress!, workers: workers)
            Kernels.rope(qkv, rows: N, stride: qs, offset: H, heads: c.kvHeads, headDim: c.headDim, positions: pos.baseAddress!,
                         invFreq: inv.baseAddress!, workers: workers)
            Kernels.attentionTrain(qkv: qkv, qStride: qs, out: att, probs: acts.probs.p, layout: layout, heads: c.heads, kvHeads: c.kvHeads,
                                   headDim: c.headDim, workers: workers)
            x2.update(from: x, count: N * H)
            Kernels.gemmTiled(transB: true, m: N, n: H, k: H, a: att, lda: H, b: wo.baseAddress!, ldb: H, beta: 1, c: x2, ldc: H, workers: workers)
            loraForward(.o, att, H, x2, H)
            Kernels.rmsNorm(x2, into: h2, rows: N, width: H, weight: fn.baseAddress!, eps: c.eps, workers: workers)
            Kernels.gemmTiled(transB: true, m: N, n: 2 * F, k: H, a: h2, lda: H, b: wgu.baseAddress!, ldb: H, beta: 0, c: gu, ldc: 2 * F, workers: workers)
            loraForward(.gate, h2, H, gu, 2 * F); loraForward(.up, h2, H, gu + F, 2 * F)
            Kernels.swiglu(gu, into: act, rows: N, ffn: F, workers: workers)
            if let out {
                out.update(from: x2, count: N * H)
                Kernels.gemmTiled(transB: true, m: N, n: H, k: F, a: act, lda: F, b: wd.baseAddress!, ldb: F, beta: 1, c: out, ldc: H, workers: workers)
            }
            loraForward(.down, act, F, out, H)
        } } } } } } } }
    }

    /// Layer `l`'s backward pass from the activations `layerForward` left in `ws`: given `dOut`, the
    /// gradient of the layer's output, writes the gradient of its input `x` into `dIn` and adds the
    /// LoRA tensors' gradients to `state`.
    func layerBackward(_ l: Int, x: UnsafePointer<Float>, dOut: UnsafePointer<Float>, dIn: UnsafeMutablePointer<Float>, rows N: Int,
                       layout: Kernels.PackedLayout, negatedPositions: [Int32], state: LoRATrainState, ws: TrainWorkspace,
                       prefixGrads: UnsafeMutablePointer<Float>, workers: Int) {
        let c = config, H = c.hidden, kvd = c.kvDim, F = c.ffn, qs = H + 2 * kvd, r = state.config.rank
        let layer = layers[l], acts = ws.set(l, layers: c.layers)
        /// For `Y += s·(X Aᵀ) Bᵀ`: `gB += s·dYᵀ U`, `dU = s·dY B`, `gA += dUᵀ X`, `dX += dU A`.
        func loraBackward(_ t: LoRATarget, _ input: UnsafePointer<Float>, _ ldIn: Int, _ dY: UnsafePointer<Float>, _ ldY: Int,
                          _ dX: UnsafeMutablePointer<Float>, _ ldX: Int) {
            let i = l * 7 + t.slot
            guard let a = state.a[i], let b = state.b[i], let ga = state.ga[i], let gb = state.gb[i] else { return }
            let u = acts.u.p + t.slot * N * r, du = ws.du.p, s = state.dims[t.slot]
            Kernels.gemmTiled(transA: true, m: s.output, n: r, k: N, alpha: state.scale, a: dY, lda: ldY, b: u, ldb: r, beta: 1,
                              c: gb.p, ldc: r, workers: workers)
            Kernels.gemmTiled(m: N, n: r, k: s.output, alpha: state.scale, a: dY, lda: ldY, b: b.p, ldb: r, beta: 0, c: du, ldc: r, workers: workers)
            Kernels.gemmTiled(transA: true, m: r, n: s.input, k: N, a: du, lda: r, b: input, ldb: ldIn, beta: 1, c: ga.p, ldc: s.input, workers: workers)
            Kernels.gemmTiled(m: N, n: s.input, k: r, a: du, lda: r, b: a.p, ldb: s.input, beta: 1, c: dX, ldc: ldX, workers: workers)
        }
        layer.attnNorm.withUnsafeBufferPointer { an in layer.wqkv.withUnsafeBufferPointer { wqkv in
        layer.wo.withUnsafeBufferPointer { wo in layer.ffnNorm.withUnsafeBufferPointer { fn in
        layer.wgu.withUnsafeBufferPointer { wgu in layer.wdown.withUnsafeBufferPointer { wd in
        negatedPositions.withUnsafeBufferPointer { pos in ropeInvFreq.withUnsafeBufferPointer { inv in
            let h1 = acts.h1.p, qkv = acts.qkv.p, att = acts.att.p, x2 = acts.x2.p, h2 = acts.h2.p, gu = acts.gu.p, act = acts.act.p
            let dx2 = ws.dx2.p, dh = ws.dh.p, datt = ws.datt.p, dqkv = ws.dqkv.p, dgu = ws.dgu.p, dact = ws.dact.p
            // MLP: out = x2 + act·Wdᵀ (+ LoRA)
            Kernels.gemmTiled(m: N, n: F, k: H, a: dOut, lda: H, b: wd.baseAddress!, ldb: F, beta: 0, c: dact, ldc: F, workers: workers)
            loraBackward(.down, act, F, dOut, H, dact, F)
            Kernels.swigluBackward(gu, dact: dact, into: dgu, rows: N, ffn: F, workers: workers)
            Kernels.gemmTiled(m: N, n: H, k: 2 * F, a: dgu, lda: 2 * F, b: wgu.baseAddress!, ldb: H, beta: 0, c: dh, ldc: H, workers: workers)
            loraBackward(.gate, h2, H, dgu, 2 * F, dh, H); loraBackward(.up, h2, H, dgu + F, 2 * F, dh, H)
            dx2.update(from: dOut, count: N * H)
            Kernels.rmsNormBackward(x2, dy: dh, weight: fn.baseAddress!, addingTo: dx2, rows: N, width: H, eps: c.eps, workers: workers)
            // Attention: x2 = x + att·Woᵀ (+ LoRA)
            Kernels.gemmTiled(m: N, n: H, k: H, a: dx2, lda: H, b: wo.baseAddress!, ldb: H, beta: 0, c: datt, ldc: H, workers: workers)
            loraBackward(.o, att, H, dx2, H, datt, H)
            Kernels.attentionBackward(qkv: qkv, qStride: qs, dOut: datt, probs: acts.probs.p, dqkv: dqkv, layout: layout, heads: c.heads,
                                      kvHeads: c.kvHeads, headDim: c.headDim, scratch: prefixGrads, workers: workers)
            // Rotary embeddings are rotations: their backward rotates by the opposite angle.
            Kernels.rope(dqkv, rows: N, stride: qs, offset: 0, heads: c.heads, headDim: c.headDim, positions: pos.baseAddress!,
                         invFreq: inv.baseAddress!, workers: workers)
            Kernels.rope(dqkv, rows: N, stride: qs, offset: H, heads: c.kvHeads, headDim: c.headDim, positions: pos.baseAddress!,
                         invFreq: inv.baseAddress!, workers: workers)
            Kernels.gemmTiled(m: N, n: H, k: qs, a: dqkv, lda: qs, b: wqkv.baseAddress!, ldb: H, beta: 0, c: dh, ldc: H, workers: workers)
            loraBackward(.q, h1, H, dqkv, qs, dh, H); loraBackward(.k, h1, H, dqkv + H, qs, dh, H)
            loraBackward(.v, h1, H, dqkv + H + kvd, qs, dh, H)
            dIn.update(from: dx2, count: N * H)
            Kernels.rmsNormBackward(x, dy: dh, weight: an.baseAddress!, addingTo: dIn, rows: N, width: H, eps: c.eps, workers: workers)
        } } } } } } } }
    }
}
