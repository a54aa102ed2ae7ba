import Foundation

/// Summary metrics of numeric samples (for numeric models: Gaussian, categorical, …).
public enum NumericMetrics {
    /// Arithmetic mean (0 for no values).
    public static func mean(_ x: [Double]) -> Double {
        guard !x.isEmpty else { return 0 }
        var s = 0.0
        for v in x { s += v }
        return s / Double(x.count)
    }

    /// Unbiased sample variance Σ(x − x̄)² ÷ (n − 1), two-pass; 0 for fewer than 2 values.
    public static func variance(_ x: [Double]) -> Double {
        guard x.count >= 2 else { return 0 }
        let m = mean(x)
        var s = 0.0
        for v in x { let d = v - m; s += d * d }
        return s / Double(x.count - 1)
    }

    /// Counts of the distinct values, in ascending order of value (deterministic).
    static func valueCounts(_ x: [Double]) -> [Int] {
        let sorted = x.sorted()
        var counts: [Int] = []
        var i = 0
        while i < sorted.count {
            var j = i + 1
            while j < sorted.count && sorted[j] == sorted[i] { j += 1 }
            counts.append(j - i)
            i = j
        }
        return counts
    }

    /// Entropy (nats) of the empirical distribution of the values (exact equality groups values).
    public static func entropy(_ x: [Double]) -> Double { Distances.entropy(counts: valueCounts(x)) }

    /// Number of distinct values.
    public static func support(_ x: [Double]) -> Int { valueCounts(x).count }

    /// Heterozygosity 1 − Σ pᵢ² of the empirical distribution (0 for no values).
    public static func heterozygosity(_ x: [Double]) -> Double {
        guard !x.isEmpty else { return 0 }
        let n = Double(x.count)
        var s = 0.0
        for c in valueCounts(x) { let p = Double(c) / n; s += p * p }
        return 1 - s
    }
}
