import Foundation

/// The sampling pipeline on a language model's float32 logits, as `transformers`' logits processors
/// compute it (in this order: `RepetitionPenaltyLogitsProcessor`, `TemperatureLogitsWarper`,
/// `TopKLogitsWarper`, `TopPLogitsWarper`, `MinPLogitsWarper`, each keeping at least one token, then
/// softmax). The arithmetic is theirs, in float32: the penalty multiplies a negative logit by θ and
/// divides a positive one; temperature divides; top-k removes logits below the k-th largest; top-p
/// sorts ascending, accumulates the softmax (in double, stored as float) and removes tokens whose
/// cumulative mass is ≤ 1 − top_p; min-p removes tokens whose probability is below min_p × the
/// largest. Sampling then draws from the kept tokens' probabilities with Ouro's own generator.
public struct LogitsKeptSet: Sendable {
    /// Kept token ids, ascending.
    public var ids: [Int32] = []
    /// Their probabilities after the pipeline (sum to 1 up to rounding).
    public var probs: [Float] = []
    public init() {}

    /// A token drawn from the kept set with a uniform `u` in [0, 1): the first id whose cumulative
    /// probability (in double, ids ascending) exceeds `u · total`.
    public func draw(_ u: Double) -> Int32 {
        var total = 0.0
        for p in probs { total += Double(p) }
        let target = u * total
        var acc = 0.0
        for (k, p) in probs.enumerated() {
            acc += Double(p)
            if acc > target { return ids[k] }
        }
        return ids[ids.count - 1]
    }
}

extension GenerationParams {
    /// Applies the penalty (for the ids in `seen`), then, unless `greedy`, temperature, top-k, top-p
    /// and min-p to `scores` in place, and returns the kept set. Greedy: the one largest logit after
    /// the penalty (the first among equals), with probability 1.
    /// - Parameter seen: the ids in the sequence so far (prompt included); duplicates are harmless.
    /// - Complexity: O(n) for min-p and temperature; O(n log n) with top-k or top-p.
    public func keptSet(scores s: UnsafeMutablePointer<Float>, count n: Int, seen: [Int32], greedy: Bool = false) -> LogitsKeptSet {
        var out = LogitsKeptSet()
        if repetitionPenalty != 1 {
            let theta = Float(repetitionPenalty)
            var done = Set<Int32>()
            for id in seen where id >= 0 && Int(id) < n && done.insert(id).inserted {
                let v = s[Int(id)]
                s[Int(id)] = v < 0 ? v * theta : v / theta
            }
        }
        if greedy {
            var best = 0
            for i in 1..<n where s[i] > s[best] { best = i }
            out.ids = [Int32(best)]; out.probs = [1]
            return out
        }
        if temperature != 1 {
            let t = Float(temperature)
            for i in 0..<n { s[i] = s[i] / t }
        }
        if topK > 0 && topK < n {
            var copy = Array(UnsafeBufferPointer(start: s, count: n))
            copy.sort(by: >)
            let kth = copy[topK - 1]
            for i in 0..<n where s[i] < kth { s[i] = -.infinity }
        }
        if topP < 1 {
            var order = (0..<n).map { Int32($0) }
            order.sort { s[Int($0)] != s[Int($1)] ? s[Int($0)] < s[Int($1)] : $0 < $1 }
            let m = s[Int(order[n - 1])]
            var z = 0.0
            var e = [Float](repeating: 0, count: n)
            for (k, i) in order.enumerated() { let v = expf(s[Int(i)] - m); e[k] = v; z += Double(v) }
            let r = Float(1 / z)
            let cut = Float(1 - topP)
            var cum = 0.0
            for k in 0..<(n - 1) {
                cum += Double(e[k] * r)
                if Float(cum) <= cut { s[Int(order[k])] = -.infinity }
            }
        }
        var m = -Float.infinity
        for i in 0..<n where s[i] > m { m = s[i] }
        if minP > 0 {
            // p_i < min_p · p_max  ⇔  exp(s_i − max) < min_p (the normaliser cancels); exp is only
            // evaluated near the threshold.
            let mp = Float(minP)
            let lo = Foundation.log(minP) - 1e-3
            for i in 0..<n {
                let d = s[i] - m
                if Double(d) < lo { s[i] = -.infinity; continue }
                if expf(d) < mp { s[i] = -.infinity }
            }
        }
        var z = 0.0
        for i in 0..<n where s[i] > -.infinity {
            let e = expf(s[i] - m)
            out.ids.append(Int32(i)); out.probs.append(e); z += Double(e)
        }
        let r = Float(1 / z)
        for k in 0..<out.probs.count { out.probs[k] *= r }
        return out
    }
}
