import Foundation

/// Keys and values of every layer for a set of sequences: a prefix shared by all of them (the
/// prompt, computed once) and, per sequence slot, up to `capacity` positions after it.
struct KVCache {
    let kvDim: Int, slots: Int, capacity: Int
    private(set) var prefixLength = 0
    var prefixK: [[Float]], prefixV: [[Float]]     // per layer: prefixLength × kvDim
    var k: [[Float]], v: [[Float]]                 // per layer: slots × capacity × kvDim

    init(layers: Int, kvDim: Int, slots: Int, capacity: Int, prefix: Int = 0) {
        self.kvDim = kvDim; self.slots = slots; self.capacity = capacity; prefixLength = prefix
        prefixK = [[Float]](repeating: [Float](repeating: 0, count: prefix * kvDim), count: layers)
        prefixV = prefixK
        k = [[Float]](repeating: [Float](repeating: 0, count: slots * capacity * kvDim), count: layers)
        v = k
    }

    /// A cache for `slots` new sequences that share `other`'s prefix (the arrays are shared copy-on-write).
    init(sharingPrefixOf other: KVCache, slots: Int, capacity: Int) {
        self.init(layers: other.k.count, kvDim: other.kvDim, slots: slots, capacity: capacity)
        prefixLength = other.prefixLength
        prefixK = other.prefixK; prefixV = other.prefixV
    }
}

/// Where the tokens of one forward call go: token ids, their sequence slot (−1: the shared prefix)
/// and their positions. A row attends the positions up to and including its own.
struct ForwardRows {
    var tokens: [Int32] = [], slots: [Int32] = [], positions: [Int32] = []
    var count: Int { tokens.count }
    mutating func append(token: Int32, slot: Int32, position: Int32) {
        tokens.append(token); slots.append(slot); positions.append(position)
    }
}

/// Reused activation buffers of one worker.
struct LlamaScratch {
    var x: [Float] = [], h: [Float] = [], qkv: [Float] = [], att: [Float] = [], gu: [Float] = [], act: [Float] = []
    var logits: [Float] = []
    /// `x Aᵀ` of a LoRA target (rows × rank).
    var u: [Float] = []
    mutating func reserve(rows: Int, _ c: LlamaModel.Config, rank: Int = 0) {
        let t = LlamaModel.paddedRows(rows) + LlamaModel.rowBlock
        func fit(_ b: inout [Float], _ n: Int) { if b.count < n { b = [Float](repeating: 0, count: n) } }
        fit(&x, t * c.hidden); fit(&h, t * c.hidden); fit(&qkv, t * (c.hidden + 2 * c.kvDim))
        fit(&att, t * c.hidden); fit(&gu, t * 2 * c.ffn); fit(&act, t * c.ffn); fit(&u, t * rank)
    }
}

extension LlamaModel {
    /// Matrix products run over a multiple of this many rows (zero rows pad the rest), so no row goes
    /// through OpenBLAS's partial-block path. This does not make a row's bits independent of its place
    /// in the call (OpenBLAS 0.3.21 rounds differently there; see docs/llm.md, "Determinism"); the
    /// thread count changes nothing (`Kernels.gemmTiled`).
    static let rowBlock = 16
    static func paddedRows(_ n: Int) -> Int { (n + rowBlock - 1) / rowBlock * rowBlock }

    /// Runs `rows` through every layer, writing their keys and values into `cache` (prefix rows
    /// first grow the prefix, which must be empty before), and leaves the final RMS-normalised
    /// hidden states in `scratch.h` (row-major, `rows.count × hidden`).
    /// Every row's result depends only on its token, position and its sequence's cached positions.
    /// Matrix products are single-threaded sgemm calls over tiles fixed by the shape (`Kernels.gemmTiled`),
    /// run on `threads` workers: the bits do not depend on `threads`.
    func forward(_ rows: ForwardRows, cache: inout KVCache, scratch: inout LlamaScratch) {
        let c = config, T = rows.count, H = c.hidden, kvd = c.kvDim, F = c.ffn, hd = c.headDim
        let M = Self.paddedRows(T)   // rows of every matrix product; rows T..<M stay zero
        let qs = H + 2 * kvd
        let workers = max(1, threads)
        scratch.reserve(rows: T, c, rank: adapter?.config.rank ?? 0)
        let prefixRows = rows.slots.reduce(0) { $0 + ($1 < 0 ? 1 : 0) }
        if prefixRows > 0 {
            precondition(cache.prefixLength == 0 && prefixRows == T, "the prefix is filled once, alone")
            cache = KVCache(layers: c.layers, kvDim: kvd, slots: cache.slots, capacity: cache.capacity, prefix: T)
        }
        let P = cache.prefixLength, cap = cache.capacity
        var lengths = [Int32](repeating: 0, count: T)
        var maxLen = 0
        for r in 0..<T { lengths[r] = rows.positions[r] + 1; maxLen = max(maxLen, Int(lengths[r])) }

        scratch.x.withUnsafeMutableBufferPointer { xb in
        scratch.h.withUnsafeMutableBufferPointer { hb in
        scratch.qkv.withUnsafeMutableBufferPointer { qb in
        scratch.att.withUnsafeMutableBufferPointer { ab in
        scratch.gu.withUnsafeMutableBufferPointer { gb in
        scratch.act.withUnsafeMutableBufferPointer { actb in
        scratch.u.withUnsafeMutableBufferPointer { ub in
        rows.positions.withUnsafeBufferPointer { pos in
        rows.slots.withUnsafeBufferPointer { slot in
        lengths.withUnsafeBufferPointer { len in
        ropeInvFreq.withUnsafeBufferPointer { inv in
            let x = xb.baseAddress!, h = hb.baseAddress!, qkv = qb.baseAddress!, att = ab.baseAddress!
            let gu = gb.baseAddress!, act = actb.baseAddress!, u = ub.baseAddress
            /// Adds `scale · (input Aᵀ) Bᵀ` of target `t` to `output` (LoRA, unmerged).
            func lora(_ l: Int, _ t: LoRATarget, _ input: UnsafePointer<Float>, _ ldIn: Int, _ output: UnsafeMutablePointer<Float>, _ ldOut: Int) {
                guard let ad = adapter else { return }
                Self.addLoRA(ad, layer: l, t, rows: M, input: input, ldIn: ldIn, output: output, ldOut: ldOut, u: u!, workers: workers)
            }
            embedding.withUnsafeBufferPointer { e in
                for r in 0..<T { (x + r * H).update(from: e.baseAddress! + Int(rows.tokens[r]) * H, count: H) }
            }
            (x + T * H).update(repeating: 0, count: (M - T) * H)
            (att + T * H).update(repeating: 0, count: (M - T) * H)
            for (l, layer) in layers.enumerated() {
                layer.attnNorm.withUnsafeBufferPointer { w in
                    Kernels.rmsNorm(x, into: h, rows: M, width: H, weight: w.baseAddress!, eps: c.eps, workers: workers)
                }
                layer.wqkv.withUnsafeBufferPointer { w in
                    Kernels.gemmTiled(transB: true, m: M, n: qs, k: H, a: h, lda: H, b: w.baseAddress!, ldb: H, beta: 0, c: qkv, ldc: qs, workers: workers)
                }
                lora(l, .q, h, H, qkv, qs); lora(l, .k, h, H, qkv + H, qs); lora(l, .v, h, H, qkv + H + kvd, qs)
                Kernels.rope(qkv, rows: T, stride: qs, offset: 0, heads: c.heads, headDim: hd, positions: pos.baseAddress!,
                             invFreq: inv.baseAddress!, workers: workers)
                Kernels.rope(qkv, rows: T, stride: qs, offset: H, heads: c.kvHeads, headDim: hd, positions: pos.baseAddress!,
                             invFreq: inv.baseAddress!, workers: workers)
                // Store this call's keys and values.
                for r in 0..<T {
                    let p = Int(pos[r])
                    let dst = slot[r] < 0 ? p : (Int(slot[r]) * cap + p - P)
                    let src = qkv + r * qs + H
                    if slot[r] < 0 {
                        cache.prefixK[l].withUnsafeMutableBufferPointer { $0.baseAddress!.advanced(by: dst * kvd).update(from: src, count: kvd) }
                        cache.prefixV[l].withUnsafeMutableBufferPointer { $0.baseAddress!.advanced(by: dst * kvd).update(from: src + kvd, count: kvd) }
                    } else {
                        cache.k[l].withUnsafeMutableBufferPointer { $0.baseAddress!.advanced(by: dst * kvd).update(from: src, count: kvd) }
                        cache.v[l].withUnsafeMutableBufferPointer { $0.baseAddress!.advanced(by: dst * kvd).update(from: src + kvd, count: kvd) }
                    }
                }
                cache.prefixK[l].withUnsafeBufferPointer { pkb in cache.prefixV[l].withUnsafeBufferPointer { pvb in
                cache.k[l].withUnsafeBufferPointer { skb in cache.v[l].withUnsafeBufferPointer { svb in
                    let pk = pkb.baseAddress, pv = pvb.baseAddress, sk = skb.baseAddress, sv = svb.baseAddress
                    Kernels.attention(q: qkv, qStride: qs, out: att, rows: T, heads: c.heads, kvHeads: c.kvHeads, headDim: hd,
                                      length: len.baseAddress!, maxLength: maxLen,
                                      kv: Kernels.KVLayout(prefixK: pk, prefixV: pv, prefix: P, slotK: sk, slotV: sv,
                                                           slots: slot.baseAddress!, capacity: cap, stride: kvd),
                                      workers: workers)
                } } } }
                // Output projection added to the residual stream.
                layer.wo.withUnsafeBufferPointer { w in
                    Kernels.gemmTiled(transB: true, m: M, n: H, k: H, a: att, lda: H, b: w.baseAddress!, ldb: H, beta: 1, c: x, ldc: H, workers: workers)
                }
                lora(l, .o, att, H, x, H)
                layer.ffnNorm.withUnsafeBufferPointer { w in
                    Kernels.rmsNorm(x, into: h, rows: M, width: H, weight: w.baseAddress!, eps: c.eps, workers: workers)
                }
                layer.wgu.withUnsafeBufferPointer { w in
                    Kernels.gemmTiled(transB: true, m: M, n: 2 * F, k: H, a: h, lda: H, b: w.baseAddress!, ldb: H, beta: 0, c: gu, ldc: 2 * F, workers: workers)
                }
                lora(l, .gate, h, H, gu, 2 * F); lora(l, .up, h, H, gu + F, 2 * F)
                Kernels.swiglu(gu, into: act, rows: M, ffn: F, workers: workers)
                layer.wdown.withUnsafeBufferPointer { w in
                    Kernels.gemmTiled(transB: true, m: M, n: H, k: F, a: act, lda: F, b: w.baseAddress!, ldb: F, beta: 1, c: x, ldc: H, workers: workers)
                }
                lora(l, .down, act, F, x, H)
            }
            outNorm.withUnsafeBufferPointer { w in
                Kernels.rmsNorm(x, into: h, rows: M, width: H, weight: w.baseAddress!, eps: c.eps, workers: workers)
            }
        } } } } } } } } } } }
    }

    /// `output += scale · (input Aᵀ) Bᵀ` for `rows` rows of target `t` of layer `l`, through `u`
    /// (rows × rank); nothing when `t` is not adapted.
    static func addLoRA(_ ad: LoRAAdapter, layer l: Int, _ t: LoRATarget, rows: Int, input: UnsafePointer<Float>, ldIn: Int,
                        output: UnsafeMutablePointer<Float>, ldOut: Int, u: UnsafeMutablePointer<Float>, workers: Int) {
        let i = l * 7 + t.slot, r = ad.config.rank, s = ad.dims[t.slot]
        guard !ad.a[i].isEmpty else { return }
        ad.a[i].withUnsafeBufferPointer { a in ad.b[i].withUnsafeBufferPointer { b in
            Kernels.gemmTiled(transB: true, m: rows, n: r, k: s.input, a: input, lda: ldIn, b: a.baseAddress!, ldb: s.input,
                              beta: 0, c: u, ldc: r, workers: workers)
            Kernels.gemmTiled(transB: true, m: rows, n: s.output, k: r, alpha: Float(ad.config.scale), a: u, lda: r,
                              b: b.baseAddress!, ldb: r, beta: 1, c: output, ldc: ldOut, workers: workers)
        } }
    }

    /// Logits (`rows × vocab`) of `rows` final hidden states starting at row `first` of `scratch.h`,
    /// into `scratch.logits`.
    func logits(rows: Int, first: Int = 0, scratch: inout LlamaScratch) {
        let V = config.vocab, H = config.hidden
        let M = Self.paddedRows(rows)
        precondition(scratch.h.count >= (first + M) * H)
        if scratch.logits.count < M * V { scratch.logits = [Float](repeating: 0, count: M * V) }
        let w = outputWeight ?? embedding
        scratch.h.withUnsafeBufferPointer { h in scratch.logits.withUnsafeMutableBufferPointer { out in
            w.withUnsafeBufferPointer { wb in
                Kernels.gemmTiled(transB: true, m: M, n: V, k: H, a: h.baseAddress! + first * H, lda: H, b: wb.baseAddress!, ldb: H,
                                  beta: 0, c: out.baseAddress!, ldc: V, workers: max(1, threads), columns: true)
            }
        } }
    }

    /// The logits of every position of each sequence (`Σ count × vocab`, sequences end to end): what
    /// `model(input_ids).logits` gives for each sequence alone.
    /// - Complexity: O(Σ L · parameters + Σ L² · hidden).
    public func logits(_ sequences: [[Int32]]) -> [Float] {
        let V = config.vocab
        var out: [Float] = []
        var scratch = LlamaScratch()
        for s in sequences where !s.isEmpty {
            var cache = KVCache(layers: config.layers, kvDim: config.kvDim, slots: 1, capacity: s.count)
            var rows = ForwardRows()
            for (p, t) in s.enumerated() { rows.append(token: t, slot: 0, position: Int32(p)) }
            forward(rows, cache: &cache, scratch: &scratch)
            logits(rows: s.count, scratch: &scratch)
            out.append(contentsOf: scratch.logits[0..<(s.count * V)])
        }
        return out
    }
}
