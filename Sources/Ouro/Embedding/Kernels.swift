import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The encoder's hot loops over contiguous buffers: bias broadcast, LayerNorm, bias + GELU, attention.
/// Work is split into `workers` contiguous parts run by `DispatchQueue.concurrentPerform`; each
/// output element is computed by exactly one worker in a fixed order, so results do not depend on
/// the number of workers.
@_spi(Bench) public enum Kernels {
    /// Runs `body(range)` over `0..<count` split into at most `workers` contiguous ranges.
    @inline(__always)
    static func parallel(_ count: Int, workers: Int, minPerWorker: Int = 1, _ body: (Range<Int>) -> Void) {
        let parts = max(1, min(workers, count / max(1, minPerWorker)))
        if parts == 1 { body(0..<count); return }
        withoutActuallyEscaping(body) { body in
            // The parts write disjoint outputs; the closure is only shared for the call's duration.
            let shared = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: parts) { w in
                shared.value((count * w / parts)..<(count * (w + 1) / parts))
            }
        }
    }

    /// Fills each of `rows` rows of `dst` (row width `bias.count`) with `bias`.
    static func broadcastRows(_ bias: [Float], into dst: UnsafeMutablePointer<Float>, rows: Int) {
        let w = bias.count
        bias.withUnsafeBufferPointer { b in
            for r in 0..<rows { (dst + r * w).update(from: b.baseAddress!, count: w) }
        }
    }

    /// `dst[r] = src[r] + bias` for each of `rows` rows of width `bias.count`.
    static func addRows(_ bias: [Float], to src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, rows: Int) {
        let w = bias.count
        bias.withUnsafeBufferPointer { b in
            for r in 0..<rows {
                let s = src + r * w, d = dst + r * w
                for j in 0..<w { d[j] = s[j] + b[j] }
            }
        }
    }

    /// In-place LayerNorm of each row: `(x − mean) / sqrt(var + eps) · gamma + beta` (biased variance;
    /// mean and variance each summed in sixteen single-precision lanes, the lanes added in double
    /// precision). `width` is a multiple of 16.
    static func layerNorm(_ x: UnsafeMutablePointer<Float>, rows: Int, width: Int, gamma: UnsafePointer<Float>,
                          beta: UnsafePointer<Float>, eps: Float, workers: Int) {
        precondition(width % 16 == 0, "layerNorm: width \(width) is not a multiple of 16")
        let chunks = width / 16
        let g = UnsafeRawPointer(gamma), b = UnsafeRawPointer(beta)
        parallel(rows, workers: workers, minPerWorker: 64) { range in
            for r in range {
                let row = UnsafeMutableRawPointer(x + r * width)
                var acc = V()
                for c in 0..<chunks { acc += row.loadUnaligned(fromByteOffset: c * 64, as: V.self) }
                let mean = laneSum(acc) / Double(width)
                let m = V(repeating: Float(mean))
                acc = V()
                for c in 0..<chunks {
                    let d = row.loadUnaligned(fromByteOffset: c * 64, as: V.self) - m
                    acc += d * d
                }
                let s = V(repeating: Float(1 / (laneSum(acc) / Double(width) + Double(eps)).squareRoot()))
                for c in 0..<chunks {
                    let v = row.loadUnaligned(fromByteOffset: c * 64, as: V.self)
                    let y = (v - m) * s * g.loadUnaligned(fromByteOffset: c * 64, as: V.self)
                        + b.loadUnaligned(fromByteOffset: c * 64, as: V.self)
                    row.storeBytes(of: y, toByteOffset: c * 64, as: V.self)
                }
            }
        }
    }

    /// The sixteen lanes added in double precision, in a fixed order.
    @inline(__always) static func laneSum(_ v: V) -> Double {
        var s = 0.0
        for l in 0..<16 { s += Double(v[l]) }
        return s
    }

    /// In place, for each of `rows` rows of width `bias.count` (a multiple of 16): `x ← GELU(x + bias)`,
    /// the exact-erf GELU `v · ½ · (1 + erf(v / √2))` (`VectorMath.gelu`).
    static func biasGELU(_ x: UnsafeMutablePointer<Float>, rows: Int, bias: [Float], workers: Int) {
        let w = bias.count
        precondition(w % 16 == 0, "biasGELU: width \(w) is not a multiple of 16")
        bias.withUnsafeBufferPointer { bp in
            let b = UnsafeRawPointer(bp.baseAddress!)
            parallel(rows, workers: workers, minPerWorker: 16) { range in
                for r in range {
                    let row = UnsafeMutableRawPointer(x + r * w)
                    for c in 0..<(w / 16) {
                        let v = row.loadUnaligned(fromByteOffset: c * 64, as: V.self) + b.loadUnaligned(fromByteOffset: c * 64, as: V.self)
                        row.storeBytes(of: VectorMath.gelu(v), toByteOffset: c * 64, as: V.self)
                    }
                }
            }
        }
    }

    /// Multi-head scaled dot-product attention over packed sequences, without padding.
    /// Per sequence and head (L tokens): `S = QKᵀ / √headDim` (one `sgemm`), each row of S turned into
    /// softmax probabilities (sixteen at a time, `VectorMath.exp`), then `P V` (one `sgemm`) into ctx.
    /// - Parameter qkv: per token, `[q | k | v]` (3 · hidden floats), heads contiguous within each.
    /// - Parameter ctx: per token, the heads' outputs concatenated (hidden floats).
    /// - Parameter offsets: sequence `s` is tokens `offsets[s]..<offsets[s+1]`.
    static func attention(qkv: UnsafeMutablePointer<Float>, ctx: UnsafeMutablePointer<Float>, offsets: [Int],
                          heads: Int, headDim: Int, hidden: Int, workers: Int) {
        let nSeq = offsets.count - 1
        let stride = 3 * hidden
        let scale = 1 / Float(headDim).squareRoot()
        var longest = 0
        for s in 0..<nSeq { longest = Swift.max(longest, offsets[s + 1] - offsets[s]) }
        let padded = (longest + 15) / 16 * 16
        offsets.withUnsafeBufferPointer { off in
            parallel(nSeq * heads, workers: workers) { range in
                // Scores, one row per query, rows `width` floats apart (L rounded up to 16).
                let p = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(1, longest * padded))
                defer { p.deallocate() }
                let raw = UnsafeMutableRawPointer(p)
                for task in range {
                    let s = task / heads, h = task % heads
                    let lo = off[s], L = off[s + 1] - lo
                    if L == 0 { continue }
                    let width = (L + 15) / 16 * 16, chunks = width / 16
                    let q = UnsafePointer(qkv + lo * stride + h * headDim)
                    BLAS.gemmABt(m: L, n: L, k: headDim, alpha: scale, a: q, lda: stride, b: q + hidden, ldb: stride,
                                 beta: 0, c: p, ldc: width)
                    // Lanes at or past L (the last chunk's tail) hold no score: masked out of max and sum.
                    let lanes = SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
                    let tail = lanes .>= SIMD16<Int32>(repeating: Int32(L - (chunks - 1) * 16))
                    for i in 0..<L {
                        let rowOffset = i * width * 4
                        var mx = V(repeating: -.infinity)
                        for c in 0..<chunks {
                            var v = raw.loadUnaligned(fromByteOffset: rowOffset + c * 64, as: V.self)
                            if c == chunks - 1 { v.replace(with: -.infinity, where: tail) }
                            mx.replace(with: v, where: v .> mx)
                        }
                        let m = V(repeating: mx.max())
                        var total = V()
                        for c in 0..<chunks {
                            var e = VectorMath.exp(raw.loadUnaligned(fromByteOffset: rowOffset + c * 64, as: V.self) - m)
                            if c == chunks - 1 { e.replace(with: 0, where: tail) }
                            total += e
                            raw.storeBytes(of: e, toByteOffset: rowOffset + c * 64, as: V.self)
                        }
                        let inv = V(repeating: Float(1 / laneSum(total)))
                        for c in 0..<chunks {
                            let e = raw.loadUnaligned(fromByteOffset: rowOffset + c * 64, as: V.self)
                            raw.storeBytes(of: e * inv, toByteOffset: rowOffset + c * 64, as: V.self)
                        }
                    }
                    BLAS.gemm(transA: false, transB: false, m: L, n: headDim, k: L, a: p, lda: width,
                              b: q + 2 * hidden, ldb: stride, beta: 0, c: ctx + lo * hidden + h * headDim, ldc: hidden)
                }
            }
        }
    }

    typealias V = SIMD16<Float>
}

