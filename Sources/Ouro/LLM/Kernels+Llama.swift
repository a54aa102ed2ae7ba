import Foundation

// The llama forward pass's hot loops over contiguous buffers: RMSNorm, rotary embeddings, SwiGLU and
// causal grouped-query attention over a KV cache. As in `Kernels`, work is split over rows (tokens)
// or (row, head) pairs; every output element is computed by exactly one worker in a fixed order, so
// results do not depend on the number of workers.
extension Kernels {
    /// `dst[r] = x[r] / sqrt(mean(x[r]²) + eps) · weight` for each row (sum of squares in double precision).
    static func rmsNorm(_ x: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, rows: Int, width: Int,
                        weight: UnsafePointer<Float>, eps: Float, workers: Int) {
        parallel(rows, workers: workers, minPerWorker: 16) { range in
            for r in range {
                let row = x + r * width, out = dst + r * width
                var sq = 0.0
                for j in 0..<width { let v = Double(row[j]); sq += v * v }
                let inv = 1 / (Float(sq / Double(width)) + eps).squareRoot()
                for j in 0..<width { out[j] = weight[j] * (row[j] * inv) }
            }
        }
    }

    /// Rotary embeddings in place, Hugging Face's rotate-half form: for each head of width `d`, element
    /// `i < d/2` and its partner `i + d/2` rotate by angle `position · invFreq[i]`.
    /// - Parameter x: `rows` rows of `stride` floats; heads `0..<heads` start at `offset` in each row.
    static func rope(_ x: UnsafeMutablePointer<Float>, rows: Int, stride: Int, offset: Int, heads: Int, headDim d: Int,
                     positions: UnsafePointer<Int32>, invFreq: UnsafePointer<Float>, workers: Int) {
        let half = d / 2
        parallel(rows, workers: workers, minPerWorker: 16) { range in
            var cs = [Float](repeating: 0, count: d)
            cs.withUnsafeMutableBufferPointer { c in
                let cosv = c.baseAddress!, sinv = c.baseAddress! + half
                for r in range {
                    let p = Float(positions[r])
                    for i in 0..<half { let a = p * invFreq[i]; cosv[i] = cosf(a); sinv[i] = sinf(a) }
                    for h in 0..<heads {
                        let v = x + r * stride + offset + h * d
                        for i in 0..<half {
                            let a = v[i], b = v[i + half]
                            v[i] = a * cosv[i] - b * sinv[i]
                            v[i + half] = b * cosv[i] + a * sinv[i]
                        }
                    }
                }
            }
        }
    }

    /// SwiGLU: `dst[r][j] = silu(gu[r][j]) · gu[r][ffn + j]` (gate then up, each `ffn` wide).
    static func swiglu(_ gu: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, rows: Int, ffn: Int, workers: Int) {
        parallel(rows, workers: workers, minPerWorker: 8) { range in
            for r in range {
                let g = gu + r * 2 * ffn, u = g + ffn, o = dst + r * ffn
                for j in 0..<ffn { let a = g[j]; o[j] = a / (1 + expf(-a)) * u[j] }
            }
        }
    }

    /// Where each row's cached keys and values are: positions `0..<prefix` in the shared prefix
    /// (`prefixK`/`prefixV`, one row of `stride` floats per position), the later ones in the row's own
    /// slot (`slotK`/`slotV`: `capacity` positions per slot; row `r` uses slot `slots[r]`).
    struct KVLayout {
        var prefixK: UnsafePointer<Float>?, prefixV: UnsafePointer<Float>?, prefix: Int
        var slotK: UnsafePointer<Float>?, slotV: UnsafePointer<Float>?, slots: UnsafePointer<Int32>, capacity: Int
        var stride: Int
    }

    /// Causal grouped-query attention of each row over its sequence's cached keys and values.
    /// Every (row, head) is computed alone in a fixed order (scores, max, exponentials, the weighted
    /// sum of values in position order), so the bits do not depend on `workers` or on the other rows.
    /// - Parameters:
    ///   - q: per row, the query heads (`heads · headDim` floats at `q + r · qStride`), rotated.
    ///   - out: per row, the heads' outputs concatenated (`heads · headDim` floats).
    ///   - kv: where row `r`'s positions are (a position is a row of `kvHeads · headDim` floats).
    ///   - length: row `r` attends positions `0..<length[r]`.
    static func attention(q: UnsafePointer<Float>, qStride: Int, out: UnsafeMutablePointer<Float>, rows: Int,
                          heads: Int, kvHeads: Int, headDim: Int, length: UnsafePointer<Int32>, maxLength: Int,
                          kv: KVLayout, workers: Int) {
        let group = heads / kvHeads
        let scale = 1 / Float(headDim).squareRoot()
        let P = kv.prefix, stride = kv.stride
        parallel(rows * heads, workers: workers, minPerWorker: 4) { range in
            var scores = [Float](repeating: 0, count: maxLength)
            var acc = [Float](repeating: 0, count: headDim)
            scores.withUnsafeMutableBufferPointer { sb in acc.withUnsafeMutableBufferPointer { ab in
                let s = sb.baseAddress!, a = ab.baseAddress!
                for task in range {
                    let r = task / heads, h = task % heads, off = (h / group) * headDim
                    let L = Int(length[r]), n0 = min(L, P)
                    // Position p's key/value: the prefix's row p, else the slot's row p − P.
                    let pk = kv.prefixK.map { $0 + off }, pv = kv.prefixV.map { $0 + off }
                    let slotStart = L > P ? Int(kv.slots[r]) * kv.capacity * stride + off : 0
                    let sk = kv.slotK.map { $0 + slotStart }, sv = kv.slotV.map { $0 + slotStart }
                    let qh = q + r * qStride + h * headDim
                    var mx = -Float.infinity
                    for p in 0..<n0 {
                        let sc = dot(qh, pk! + p * stride, headDim) * scale
                        s[p] = sc
                        if sc > mx { mx = sc }
                    }
                    for p in n0..<L {
                        let sc = dot(qh, sk! + (p - P) * stride, headDim) * scale
                        s[p] = sc
                        if sc > mx { mx = sc }
                    }
                    var total: Float = 0
                    for p in 0..<L { let e = expf(s[p] - mx); s[p] = e; total += e }
                    let o = out + r * heads * headDim + h * headDim
                    if headDim == 64 {
                        // The weighted sum in four registers (the same operations as `axpy`, in order).
                        var a0 = SIMD16<Float>(), a1 = a0, a2 = a0, a3 = a0
                        @inline(__always) func add(_ w: Float, _ v: UnsafePointer<Float>) {
                            let wv = SIMD16<Float>(repeating: w), rv = UnsafeRawPointer(v)
                            a0 = a0 + wv * rv.loadUnaligned(fromByteOffset: 0, as: SIMD16<Float>.self)
                            a1 = a1 + wv * rv.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
                            a2 = a2 + wv * rv.loadUnaligned(fromByteOffset: 128, as: SIMD16<Float>.self)
                            a3 = a3 + wv * rv.loadUnaligned(fromByteOffset: 192, as: SIMD16<Float>.self)
                        }
                        for p in 0..<n0 { add(s[p], pv! + p * stride) }
                        for p in n0..<L { add(s[p], sv! + (p - P) * stride) }
                        let t = SIMD16<Float>(repeating: total), ro = UnsafeMutableRawPointer(o)
                        ro.storeBytes(of: a0 / t, toByteOffset: 0, as: SIMD16<Float>.self)
                        ro.storeBytes(of: a1 / t, toByteOffset: 64, as: SIMD16<Float>.self)
                        ro.storeBytes(of: a2 / t, toByteOffset: 128, as: SIMD16<Float>.self)
                        ro.storeBytes(of: a3 / t, toByteOffset: 192, as: SIMD16<Float>.self)
                    } else {
                        for j in 0..<headDim { a[j] = 0 }
                        for p in 0..<n0 { axpy(s[p], pv! + p * stride, a, headDim) }
                        for p in n0..<L { axpy(s[p], sv! + (p - P) * stride, a, headDim) }
                        for j in 0..<headDim { o[j] = a[j] / total }
                    }
                }
            } }
        }
    }

    /// The largest logit of a row and Σ exp(logit − max) in double precision: the softmax's
    /// denominator, shared by log-probabilities (`logprobs`) and the judge's digit probabilities.
    static func softmaxDenominator(_ row: UnsafePointer<Float>, count: Int) -> (max: Float, sum: Double) {
        var mx = -Float.infinity
        for j in 0..<count where row[j] > mx { mx = row[j] }
        var z = 0.0
        for j in 0..<count { z += Foundation.exp(Double(row[j] - mx)) }
        return (mx, z)
    }

    /// `Σ a[j]·b[j]` in a fixed order: 16 lanes over chunks of 16, the lanes summed pairwise (halves
    /// added: 16 → 8 → 4 → 2 → 1, a short dependency chain), then a scalar tail.
    @inline(__always) static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD16<Float>()
        let chunks = n / 16
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        for c in 0..<chunks {
            acc = acc + ra.loadUnaligned(fromByteOffset: c * 64, as: SIMD16<Float>.self) * rb.loadUnaligned(fromByteOffset: c * 64, as: SIMD16<Float>.self)
        }
        let h8 = acc.lowHalf + acc.highHalf, h4 = h8.lowHalf + h8.highHalf, h2 = h4.lowHalf + h4.highHalf
        var s = h2[0] + h2[1]
        for j in (chunks * 16)..<n { s += a[j] * b[j] }
        return s
    }

    /// `y[j] += w · x[j]` for `j < n`.
    @inline(__always) static func axpy(_ w: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        let chunks = n / 16
        let wv = SIMD16<Float>(repeating: w)
        let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y)
        for c in 0..<chunks {
            let v = ry.loadUnaligned(fromByteOffset: c * 64, as: SIMD16<Float>.self) + wv * rx.loadUnaligned(fromByteOffset: c * 64, as: SIMD16<Float>.self)
            ry.storeBytes(of: v, toByteOffset: c * 64, as: SIMD16<Float>.self)
        }
        for j in (chunks * 16)..<n { y[j] += w * x[j] }
    }
}
