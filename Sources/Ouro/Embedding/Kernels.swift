import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The encoder's hot loops over contiguous buffers: bias broadcast, LayerNorm, GELU, attention.
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
    /// statistics accumulated in double precision).
    static func layerNorm(_ x: UnsafeMutablePointer<Float>, rows: Int, width: Int, gamma: UnsafePointer<Float>,
                          beta: UnsafePointer<Float>, eps: Float, workers: Int) {
        parallel(rows, workers: workers, minPerWorker: 64) { range in
            for r in range {
                let row = x + r * width
                var sum = 0.0
                for j in 0..<width { sum += Double(row[j]) }
                let mean = sum / Double(width)
                var sq = 0.0
                for j in 0..<width { let d = Double(row[j]) - mean; sq += d * d }
                let rstd = 1 / (sq / Double(width) + Double(eps)).squareRoot()
                let m = Float(mean), s = Float(rstd)
                for j in 0..<width { row[j] = (row[j] - m) * s * gamma[j] + beta[j] }
            }
        }
    }

    /// In-place exact-erf GELU, `x · ½ · (1 + erf(x / √2))` (`VectorMath.gelu`, sixteen at a time).
    static func gelu(_ x: UnsafeMutablePointer<Float>, count: Int, workers: Int) {
        parallel(count, workers: workers, minPerWorker: 16_384) { range in
            VectorMath.apply(x + range.lowerBound, count: range.count, VectorMath.gelu)
        }
    }

    /// Multi-head scaled dot-product attention over packed sequences, without padding.
    /// - Parameter qkv: per token, `[q | k | v]` (3 · hidden floats), heads contiguous within each.
    /// - Parameter ctx: per token, the heads' outputs concatenated (hidden floats).
    /// - Parameter offsets: sequence `s` is tokens `offsets[s]..<offsets[s+1]`.
    static func attention(qkv: UnsafeMutablePointer<Float>, ctx: UnsafeMutablePointer<Float>, offsets: [Int],
                          heads: Int, headDim: Int, hidden: Int, workers: Int) {
        let nSeq = offsets.count - 1
        let tasks = nSeq * heads
        let stride = 3 * hidden
        let scale = 1 / Float(headDim).squareRoot()
        let chunks = headDim / 16
        let q0 = UnsafePointer(qkv)
        offsets.withUnsafeBufferPointer { off in
            parallel(tasks, workers: workers) { range in
                var scores = [Float]()
                for task in range {
                    let s = task / heads, h = task % heads
                    let lo = off[s], L = off[s + 1] - lo
                    if scores.count < L { scores = [Float](repeating: 0, count: L) }
                    scores.withUnsafeMutableBufferPointer { sb in
                        let p = sb.baseAddress!
                        for i in 0..<L {
                            let q = q0 + (lo + i) * stride + h * headDim
                            var mx = -Float.infinity
                            for j in 0..<L {
                                let sc = dot(q, q0 + (lo + j) * stride + hidden + h * headDim, headDim) * scale
                                p[j] = sc
                                mx = Swift.max(mx, sc)
                            }
                            VectorMath.apply(p, count: L) { VectorMath.exp($0 - mx) }
                            var total: Float = 0
                            for j in 0..<L { total += p[j] }
                            let inv = 1 / total
                            let out = ctx + (lo + i) * hidden + h * headDim
                            for c in 0..<chunks {
                                var acc = SIMD16<Float>()
                                for j in 0..<L {
                                    let v = UnsafeRawPointer(q0 + (lo + j) * stride + 2 * hidden + h * headDim)
                                    acc.addProduct(SIMD16(repeating: p[j]), v.loadUnaligned(fromByteOffset: c * 64, as: SIMD16<Float>.self))
                                }
                                acc *= inv
                                UnsafeMutableRawPointer(out).storeBytes(of: acc, toByteOffset: c * 64, as: SIMD16<Float>.self)
                            }
                        }
                    }
                }
            }
        }
    }
}

private extension SIMD16 where Scalar == Float {
    /// `self += a * b` lane-wise, as a vector multiply and add (`addingProduct` becomes a library
    /// `fmaf` call per lane on this target).
    @inline(__always) mutating func addProduct(_ a: SIMD16<Float>, _ b: SIMD16<Float>) { self = self + a * b }
}
