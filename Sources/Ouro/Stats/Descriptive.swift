import Foundation

/// Summary of a sample: size, mean, sample standard deviation and a t-based 95% interval.
public struct SampleSummary: Equatable, Sendable, CustomStringConvertible {
    /// The number of (finite) values summarised.
    public let n: Int
    /// The arithmetic mean (NaN when n = 0).
    public let mean: Double
    /// The sample standard deviation, divisor n − 1 (NaN when n < 2).
    public let sd: Double
    /// Half-width of the 95% confidence interval of the mean, `t(0.975, n−1) · sd / √n`
    /// (NaN when n < 2).
    public let ci95: Double

    public init(n: Int, mean: Double, sd: Double, ci95: Double) {
        self.n = n; self.mean = mean; self.sd = sd; self.ci95 = ci95
    }

    /// The lower end of the 95% interval.
    public var lower: Double { mean - ci95 }
    /// The upper end of the 95% interval.
    public var upper: Double { mean + ci95 }

    public var description: String {
        "\(String(format: "%.6g", mean)) ± \(String(format: "%.3g", ci95)) (sd \(String(format: "%.3g", sd)), n = \(n))"
    }
}

/// Summary statistics used everywhere results are aggregated (one definition for the whole engine).
public enum Descriptive {
    /// The arithmetic mean; NaN for an empty sample.
    /// - Complexity: O(n).
    public static func mean(_ xs: [Double]) -> Double {
        guard !xs.isEmpty else { return .nan }
        var s = 0.0
        for x in xs { s += x }
        return s / Double(xs.count)
    }

    /// The sample variance (divisor n − 1, two-pass); NaN when n < 2.
    /// - Complexity: O(n).
    public static func variance(_ xs: [Double]) -> Double {
        guard xs.count >= 2 else { return .nan }
        let m = mean(xs)
        var s = 0.0
        for x in xs { s += (x - m) * (x - m) }
        return s / Double(xs.count - 1)
    }

    /// The sample standard deviation (divisor n − 1); NaN when n < 2.
    public static func sd(_ xs: [Double]) -> Double { variance(xs).squareRoot() }

    /// The two-sided critical value of Student's t for a `level` interval with `df` degrees of
    /// freedom: `t((1 + level)/2, df)` (2.262… for level 0.95, df 9).
    public static func tCritical(level: Double = 0.95, df: Double) -> Double {
        StudentT.quantile((1 + level) / 2, df: df)
    }

    /// n, mean, sd and the t-based 95% half-width `t(0.975, n−1) · sd / √n`.
    /// - Complexity: O(n).
    public static func summary(_ xs: [Double]) -> SampleSummary {
        let n = xs.count
        let m = mean(xs)
        guard n >= 2 else { return SampleSummary(n: n, mean: m, sd: .nan, ci95: .nan) }
        let s = sd(xs)
        return SampleSummary(n: n, mean: m, sd: s, ci95: tCritical(df: Double(n - 1)) * s / Double(n).squareRoot())
    }
}
