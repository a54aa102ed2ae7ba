import Foundation

extension Xoshiro256 {
    /// A uniform double in [0, 1) with 53 random bits.
    @inlinable
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform integer in `0..<bound` (Lemire's nearly-divisionless method, exact).
    /// - Precondition: `bound > 0`.
    @inlinable
    public mutating func int(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let t = (0 &- b) % b
            while m.low < t { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }

    /// A standard normal draw (Marsaglia's polar method; one of each pair is discarded so that
    /// the generator carries no hidden state beyond xoshiro's).
    public mutating func normal() -> Double {
        while true {
            let u = 2 * uniform() - 1, v = 2 * uniform() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 { return u * (-2 * Foundation.log(s) / s).squareRoot() }
        }
    }

    /// A normal draw with the given mean and standard deviation.
    public mutating func normal(mean: Double, sd: Double) -> Double { mean + sd * normal() }

    /// Shuffles `array` in place (Fisher–Yates, from the end).
    public mutating func shuffle<T>(_ array: inout [T]) {
        var i = array.count - 1
        while i > 0 {
            let j = int(below: i + 1)
            array.swapAt(i, j)
            i -= 1
        }
    }

    /// `k` distinct indices from `0..<n`, in random order (partial Fisher–Yates).
    /// - Complexity: O(n) memory and O(n) time.
    public mutating func sampleIndices(_ k: Int, from n: Int) -> [Int] {
        precondition(k >= 0 && k <= n, "cannot sample \(k) of \(n)")
        var idx = Array(0..<n)
        for i in 0..<k { idx.swapAt(i, i + int(below: n - i)) }
        return Array(idx[0..<k])
    }

    /// An index drawn with probability proportional to `weights[i]` (non-negative, positive sum).
    public mutating func categorical(_ weights: [Double]) -> Int {
        var total = 0.0
        for w in weights { total += w }
        precondition(total > 0, "weights must have a positive sum")
        let r = uniform() * total
        var acc = 0.0
        for (i, w) in weights.enumerated() {
            acc += w
            if r < acc { return i }
        }
        return weights.lastIndex(where: { $0 > 0 })!
    }
}
