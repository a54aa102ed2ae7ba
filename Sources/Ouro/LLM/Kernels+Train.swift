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
    /// Rows (or columns) of `C` per sgemm call of `gemmTiled` for a side of length `m`: about a
    /// quarter of it, a multiple of 64 between 128 and 512 (large tiles repack the other operand less
    /// often; four tiles keep two or more workers busy).
    static func gemmTile(_ m: Int) -> Int { min(512, max(128, (m / 4 + 63) / 64 * 64)) }

    /// `C = alpha · op(A) · op(B) + beta · C` (row-major, see `BLAS.gemm`) as independent sgemm calls
    /// over fixed tiles of `C` — row tiles (`gemmTile(m)` rows) when `m ≥ 256`, else column tiles
    /// when `n ≥ 256`, else one call — run on `workers` threads. The tiling depends only on the
    /// shape, so the bits do not depend on `workers`. Call with OpenBLAS at one thread
    /// (`BLAS.withThreads(1)`).
    /// - Parameter columns: split by columns whenever `n ≥ 256` (each call then packs only its slice
    ///   of a large `B`).
    /// - Complexity: O(m · n · k).
    static func gemmTiled(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
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

    /// Where the sequences of a packed batch lie: sequence `s` is rows `starts[s] ..< starts[s] + lengths[s]`,
    /// its attention probabilities (heads × L × L) at `probOffsets[s]`.
    struct PackedLayout {
        var starts: [Int], lengths: [Int], probOffsets: [Int]
        var maxLength: Int { lengths.max() ?? 0 }
    }

    /// Causal grouped-query attention of packed sequences with sgemm: per sequence and head,
    /// `P = softmax(mask(Q Kᵀ / √d))` (stored in `probs`) and `out = P V`.
    /// - Parameters:
    ///   - qkv: rows of `qStride` floats: query heads, then key heads at `hidden`, value heads at `hidden + kvDim`.
    ///   - out: rows of `hidden` floats.
    static func attentionTrain(qkv: UnsafePointer<Float>, qStride qs: Int, out: UnsafeMutablePointer<Float>, probs: UnsafeMutablePointer<Float>,
                               layout: PackedLayout, heads: Int, kvHeads: Int, headDim hd: Int, workers: Int) {
        let group = heads / kvHeads, H = heads * hd, kvd = kvHeads * hd
        let scale = 1 / Float(hd).squareRoot()
        parallel(layout.starts.count * kvHeads, workers: workers) { range in
            for task in range {
                let s = task / kvHeads, g = task % kvHeads
                let L = layout.lengths[s], base = qkv + layout.starts[s] * qs
                for h in (g * group)..<((g + 1) * group) {
                    let p = probs + layout.probOffsets[s] + h * L * L
                    BLAS.gemm(transA: false, transB: true, m: L, n: L, k: hd, alpha: scale, a: base + h * hd, lda: qs,
                              b: base + H + g * hd, ldb: qs, beta: 0, c: p, ldc: L)
                    for i in 0..<L {
                        let row = p + i * L
                        var mx = -Float.infinity
                        for j in 0...i where row[j] > mx { mx = row[j] }
                        var total: Float = 0
                        for j in 0...i { let e = expf(row[j] - mx); row[j] = e; total += e }
                        let inv = 1 / total
                        for j in 0...i { row[j] *= inv }
                        for j in (i + 1)..<L { row[j] = 0 }
                    }
                    BLAS.gemm(transA: false, transB: false, m: L, n: hd, k: L, a: p, lda: L, b: base + H + kvd + g * hd, ldb: qs,
                              beta: 0, c: out + layout.starts[s] * H + h * hd, ldc: H)
                }
            }
        }
    }

    /// Backward of `attentionTrain`: from `dOut` (rows × hidden) and the stored `probs`, writes the
    /// gradients of the (rotated) queries, keys and values into `dqkv` (same layout as `qkv`). Each
    /// key/value head sums its query heads' contributions in head order.
    static func attentionBackward(qkv: UnsafePointer<Float>, qStride qs: Int, dOut: UnsafePointer<Float>, probs: UnsafePointer<Float>,
                                  dqkv: UnsafeMutablePointer<Float>, layout: PackedLayout, heads: Int, kvHeads: Int, headDim hd: Int,
                                  workers: Int) {
        let group = heads / kvHeads, H = heads * hd, kvd = kvHeads * hd
        let scale = 1 / Float(hd).squareRoot()
        let maxL = layout.maxLength
        parallel(layout.starts.count * kvHeads, workers: workers) { range in
            let dp = UnsafeMutablePointer<Float>.allocate(capacity: max(1, maxL * maxL))
            defer { dp.deallocate() }
            for task in range {
                let s = task / kvHeads, g = task % kvHeads
                let L = layout.lengths[s], r0 = layout.starts[s]
                let base = qkv + r0 * qs, dbase = dqkv + r0 * qs
                for (n, h) in ((g * group)..<((g + 1) * group)).enumerated() {
                    let p = probs + layout.probOffsets[s] + h * L * L
                    let dO = dOut + r0 * H + h * hd
                    let beta: Float = n == 0 ? 0 : 1
                    // dV += Pᵀ dO
                    BLAS.gemm(transA: true, transB: false, m: L, n: hd, k: L, a: p, lda: L, b: dO, ldb: H,
                              beta: beta, c: dbase + H + kvd + g * hd, ldc: qs)
                    // dP = dO Vᵀ, then dS = P ⊙ (dP − rowsum(P ⊙ dP))
                    BLAS.gemm(transA: false, transB: true, m: L, n: L, k: hd, a: dO, lda: H, b: base + H + kvd + g * hd, ldb: qs,
                              beta: 0, c: dp, ldc: L)
                    for i in 0..<L {
                        let pr = p + i * L, dr = dp + i * L
                        var d: Float = 0
                        for j in 0...i { d += pr[j] * dr[j] }
                        for j in 0...i { dr[j] = pr[j] * (dr[j] - d) }
                        for j in (i + 1)..<L { dr[j] = 0 }
                    }
                    // dQ = dS K / √d ; dK += dSᵀ Q / √d
                    BLAS.gemm(transA: false, transB: false, m: L, n: hd, k: L, alpha: scale, a: dp, lda: L, b: base + H + g * hd, ldb: qs,
                              beta: 0, c: dbase + h * hd, ldc: qs)
                    BLAS.gemm(transA: true, transB: false, m: L, n: hd, k: L, alpha: scale, a: dp, lda: L, b: base + h * hd, ldb: qs,
                              beta: beta, c: dbase + H + g * hd, ldc: qs)
                }
            }
        }
    }
}
