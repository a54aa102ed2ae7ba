import Foundation

/// A float buffer with a stable address for the training loops (zero-filled, freed on deinit).
final class FloatBuffer: @unchecked Sendable {
    let p: UnsafeMutablePointer<Float>
    let count: Int
    init(_ count: Int) {
        self.count = count
        p = .allocate(capacity: max(1, count))
        p.initialize(repeating: 0, count: max(1, count))
    }
    convenience init(_ values: [Float]) {
        self.init(values.count)
        values.withUnsafeBufferPointer { p.update(from: $0.baseAddress!, count: values.count) }
    }
    var array: [Float] { Array(UnsafeBufferPointer(start: p, count: count)) }
    func zero() { p.update(repeating: 0, count: count) }
    deinit { p.deallocate() }
}

// The training pass's kernels (LoRA fine-tuning): a matrix product whose result does not depend on
// the number of workers, and the backward of RMSNorm, SwiGLU and causal attention. Every output
// element is computed by exactly one worker in a fixed order; reductions over rows run inside one
// single-threaded sgemm call, so results are bit-identical for any worker count.
extension Kernels {
    /// Rows (or columns) of `C` per sgemm call of `gemmTiled` for a side of length `m`: an even number
    /// of tiles of at most 512 (a multiple of 64, at least 128). Large tiles repack the other operand
    /// less often; an even count splits evenly over two workers.
    static func gemmTile(_ m: Int) -> Int {
        var tiles = (m + 511) / 512
        tiles += tiles % 2
        return max(128, (m + tiles - 1) / tiles + 63) / 64 * 64
    }

    /// `C = alpha · op(A) · op(B) + beta · C` (row-major, see `BLAS.gemm`) as independent sgemm calls
    /// over fixed tiles of `C` — row tiles (`gemmTile(m)` rows) when `m ≥ 256`, else column tiles
    /// when `n ≥ 256`, else one call — run on `workers` threads. The tiling depends only on the
    /// shape, so the bits do not depend on `workers` (OpenBLAS itself runs at one thread: `BLAS.pin`).
    /// - Parameter columns: split by columns whenever `n ≥ 256` (each call then packs only its slice
    ///   of a large `B`).
    /// - Complexity: O(m · n · k).
    @_spi(Bench) public static func gemmTiled(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
                          a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                          beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, workers: Int, columns: Bool = false) {
        let byRows = m >= 256 && !(columns && n >= 256)
        let t = byRows ? gemmTile(m) : gemmTile(n)
        if byRows {
            parallel((m + t - 1) / t, workers: workers) { range in
                for i in range {
                    let r0 = i * t
                    BLAS.gemm(transA: transA, transB: transB, m: min(t, m - r0), n: n, k: k, alpha: alpha,
                              a: transA ? a + r0 : a + r0 * lda, lda: lda, b: b, ldb: ldb, beta: beta, c: c + r0 * ldc, ldc: ldc)
                }
            }
        } else if n >= 256 {
            parallel((n + t - 1) / t, workers: workers) { range in
                for i in range {
                    let c0 = i * t
                    BLAS.gemm(transA: transA, transB: transB, m: m, n: min(t, n - c0), k: k, alpha: alpha, a: a, lda: lda,
                              b: transB ? b + c0 * ldb : b + c0, ldb: ldb, beta: beta, c: c + c0, ldc: ldc)
                }
            }
        } else if m > 0 && n > 0 {
            BLAS.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                      beta: beta, c: c, ldc: ldc)
        }
    }

    /// Backward of `rmsNorm`: given `dy` (gradient of `y = weight ⊙ x / rms(x)`), adds the gradient of
    /// `x` to `dx` (`dx += inv·w⊙dy − x·inv³·Σ(w⊙dy⊙x)/width`, sums in double precision).
    static func rmsNormBackward(_ x: UnsafePointer<Float>, dy: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                addingTo dx: UnsafeMutablePointer<Float>, rows: Int, width: Int, eps: Float, workers: Int) {
        parallel(rows, workers: workers, minPerWorker: 16) { range in
            for r in range {
                let row = x + r * width, g = dy + r * width, out = dx + r * width
                var sq = 0.0, dot = 0.0
                for j in 0..<width {
                    let v = Double(row[j])
                    sq += v * v
                    dot += Double(weight[j] * g[j]) * v
                }
                let inv = 1 / (Float(sq / Double(width)) + eps).squareRoot()
                let di = Double(inv)
                let coef = Float(dot * di * di * di / Double(width))
                for j in 0..<width { out[j] += inv * (weight[j] * g[j]) - row[j] * coef }
            }
        }
    }

    /// Backward of `swiglu`: from `dact` (rows × ffn) and the pre-activation `gu` (gate then up),
    /// writes the gradient of `gu` into `dgu`.
    static func swigluBackward(_ gu: UnsafePointer<Float>, dact: UnsafePointer<Float>, into dgu: UnsafeMutablePointer<Float>,
                               rows: Int, ffn: Int, workers: Int) {
        parallel(rows, workers: workers, minPerWorker: 8) { range in
            for r in range {
                let g = gu + r * 2 * ffn, u = g + ffn, d = dact + r * ffn, dg = dgu + r * 2 * ffn, du = dg + ffn
                for j in 0..<ffn {
                    let a = g[j], sig = 1 / (1 + expf(-a)), silu = a * sig
                    du[j] = d[j] * silu
                    dg[j] = d[j] * u[j] * (sig * (1 + a * (1 - sig)))
                }
            }
        }
    }

    /// Where the sequences of a packed batch lie. The first `prefix` rows are a prefix that every
    /// sequence shares (the common chat prompt, computed once); each block of query rows
    /// `start ..< start + count` attends the shared prefix (when its `prefix` is that length, 0 for
    /// the prefix's own block and for unshared sequences) and, causally, its own rows. A block's
    /// attention probabilities (heads × count × (prefix + count)) start at `probOffset`.
    struct PackedLayout {
        struct Block { var start: Int, count: Int, prefix: Int, probOffset: Int }
        var blocks: [Block] = []
        var prefix = 0
        var probCount = 0
        mutating func append(start: Int, count: Int, prefix: Int, heads: Int) {
            blocks.append(Block(start: start, count: count, prefix: prefix, probOffset: probCount))
            probCount += heads * count * (prefix + count)
        }
        var maxWidth: Int { blocks.map { $0.prefix + $0.count }.max() ?? 0 }
    }

    /// Causal grouped-query attention of a packed batch with sgemm: per block and head,
    /// `P = softmax(mask(Q Kᵀ / √d))` over the shared prefix's keys and the block's own (stored in
    /// `probs`), and `out = P V`.
    /// - Parameters:
    ///   - qkv: rows of `qStride` floats: query heads, then key heads at `hidden`, value heads at `hidden + kvDim`.
    ///   - out: rows of `hidden` floats.
    static func attentionTrain(qkv: UnsafePointer<Float>, qStride qs: Int, out: UnsafeMutablePointer<Float>, probs: UnsafeMutablePointer<Float>,
                               layout: PackedLayout, heads: Int, kvHeads: Int, headDim hd: Int, workers: Int) {
        let group = heads / kvHeads, H = heads * hd, kvd = kvHeads * hd
        let scale = 1 / Float(hd).squareRoot()
        parallel(layout.blocks.count * kvHeads, workers: workers) { range in
            for task in range {
                let b = layout.blocks[task / kvHeads], g = task % kvHeads
                let L = b.count, pre = b.prefix, W = pre + L, base = qkv + b.start * qs
                for h in (g * group)..<((g + 1) * group) {
                    let p = probs + b.probOffset + h * L * W
                    if pre > 0 {
                        BLAS.gemm(transA: false, transB: true, m: L, n: pre, k: hd, alpha: scale, a: base + h * hd, lda: qs,
                                  b: qkv + H + g * hd, ldb: qs, beta: 0, c: p, ldc: W)
                    }
                    BLAS.gemm(transA: false, transB: true, m: L, n: L, k: hd, alpha: scale, a: base + h * hd, lda: qs,
                              b: base + H + g * hd, ldb: qs, beta: 0, c: p + pre, ldc: W)
                    for i in 0..<L {
                        let row = p + i * W, end = pre + i + 1
                        var mx = -Float.infinity
                        for j in 0..<end where row[j] > mx { mx = row[j] }
                        var total: Float = 0
                        for j in 0..<end { let e = expf(row[j] - mx); row[j] = e; total += e }
                        let inv = 1 / total
                        for j in 0..<end { row[j] *= inv }
                        for j in end..<W { row[j] = 0 }
                    }
                    let o = out + b.start * H + h * hd
                    if pre > 0 {
                        BLAS.gemm(transA: false, transB: false, m: L, n: hd, k: pre, a: p, lda: W, b: qkv + H + kvd + g * hd, ldb: qs,
                                  beta: 0, c: o, ldc: H)
                    }
                    BLAS.gemm(transA: false, transB: false, m: L, n: hd, k: L, a: p + pre, lda: W, b: base + H + kvd + g * hd, ldb: qs,
                              beta: pre > 0 ? 1 : 0, c: o, ldc: H)
                }
            }
        }
    }

    /// Backward of `attentionTrain`: from `dOut` (rows × hidden) and the stored `probs`, writes the
    /// gradients of the (rotated) queries, keys and values into `dqkv` (same layout as `qkv`). Each
    /// key/value head sums its query heads' contributions in head order; the shared prefix's key and
    /// value gradients add the blocks' contributions in block order (through `scratch`, blocks ×
    /// kvHeads × prefix × 2 · headDim floats), so the result does not depend on `workers`.
    static func attentionBackward(qkv: UnsafePointer<Float>, qStride qs: Int, dOut: UnsafePointer<Float>, probs: UnsafePointer<Float>,
                                  dqkv: UnsafeMutablePointer<Float>, layout: PackedLayout, heads: Int, kvHeads: Int, headDim hd: Int,
                                  scratch: UnsafeMutablePointer<Float>, workers: Int) {
        let group = heads / kvHeads, H = heads * hd, kvd = kvHeads * hd, P = layout.prefix
        let scale = 1 / Float(hd).squareRoot()
        let maxW = layout.maxWidth
        parallel(layout.blocks.count * kvHeads, workers: workers) { range in
            let dp = UnsafeMutablePointer<Float>.allocate(capacity: max(1, maxW * maxW))
            defer { dp.deallocate() }
            for task in range {
                let b = layout.blocks[task / kvHeads], g = task % kvHeads
                let L = b.count, pre = b.prefix, W = pre + L
                let base = qkv + b.start * qs, dbase = dqkv + b.start * qs
                let shared = scratch + task * P * 2 * hd   // this block's dK, dV of the prefix rows (pre × 2hd)
                let kp = qkv + H + g * hd, vp = qkv + H + kvd + g * hd
                for (n, h) in ((g * group)..<((g + 1) * group)).enumerated() {
                    let p = probs + b.probOffset + h * L * W
                    let dO = dOut + b.start * H + h * hd, q = base + h * hd
                    let beta: Float = n == 0 ? 0 : 1
                    // dV += Pᵀ dO
                    BLAS.gemm(transA: true, transB: false, m: L, n: hd, k: L, a: p + pre, lda: W, b: dO, ldb: H,
                              beta: beta, c: dbase + H + kvd + g * hd, ldc: qs)
                    if pre > 0 {
                        BLAS.gemm(transA: true, transB: false, m: pre, n: hd, k: L, a: p, lda: W, b: dO, ldb: H,
                                  beta: beta, c: shared + hd, ldc: 2 * hd)
                    }
                    // dP = dO Vᵀ, then dS = P ⊙ (dP − rowsum(P ⊙ dP))
                    if pre > 0 {
                        BLAS.gemm(transA: false, transB: true, m: L, n: pre, k: hd, a: dO, lda: H, b: vp, ldb: qs, beta: 0, c: dp, ldc: W)
                    }
                    BLAS.gemm(transA: false, transB: true, m: L, n: L, k: hd, a: dO, lda: H, b: base + H + kvd + g * hd, ldb: qs,
                              beta: 0, c: dp + pre, ldc: W)
                    for i in 0..<L {
                        let pr = p + i * W, dr = dp + i * W, end = pre + i + 1
                        var d: Float = 0
                        for j in 0..<end { d += pr[j] * dr[j] }
                        for j in 0..<end { dr[j] = pr[j] * (dr[j] - d) }
                        for j in end..<W { dr[j] = 0 }
                    }
                    // dQ = dS K / √d ; dK += dSᵀ Q / √d
                    BLAS.gemm(transA: false, transB: false, m: L, n: hd, k: L, alpha: scale, a: dp + pre, lda: W, b: base + H + g * hd, ldb: qs,
                              beta: 0, c: dbase + h * hd, ldc: qs)
                    BLAS.gemm(transA: true, transB: false, m: L, n: hd, k: L, alpha: scale, a: dp + pre, lda: W, b: q, ldb: qs,
                              beta: beta, c: dbase + H + g * hd, ldc: qs)
                    if pre > 0 {
                        BLAS.gemm(transA: false, transB: false, m: L, n: hd, k: pre, alpha: scale, a: dp, lda: W, b: kp, ldb: qs,
                                  beta: 1, c: dbase + h * hd, ldc: qs)
                        BLAS.gemm(transA: true, transB: false, m: pre, n: hd, k: L, alpha: scale, a: dp, lda: W, b: q, ldb: qs,
                                  beta: beta, c: shared, ldc: 2 * hd)
                    }
                }
            }
        }
        // The prefix's own block wrote its key/value gradients; add every other block's, in order.
        guard P > 0 else { return }
        for (bi, b) in layout.blocks.enumerated() where b.prefix > 0 {
            for g in 0..<kvHeads {
                let shared = scratch + (bi * kvHeads + g) * P * 2 * hd
                for i in 0..<P {
                    let dk = dqkv + i * qs + H + g * hd, dv = dqkv + i * qs + H + kvd + g * hd, src = shared + i * 2 * hd
                    for j in 0..<hd { dk[j] += src[j]; dv[j] += src[hd + j] }
                }
            }
        }
    }
}
