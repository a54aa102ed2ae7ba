import Foundation

/// "Nice" axis ticks: steps of 1, 2 or 5 × 10ᵏ.
public enum Ticks {
    /// Evenly spaced tick values covering `[min, max]`.
    ///
    /// The step is the smallest of 1, 2, 5 × 10ᵏ that gives at most `target` intervals; the first
    /// tick is the largest multiple of the step ≤ `min`, the last the smallest ≥ `max`. Each tick is
    /// `k · step` computed from its integer multiple (no accumulated rounding).
    /// - Parameters:
    ///   - min: the smallest value to cover (finite).
    ///   - max: the largest (finite, > `min`; an empty range is widened by 1 on each side).
    ///   - target: the most intervals wanted (≥ 1).
    ///   - integer: steps of at least 1 (for generations).
    /// - Returns: ascending ticks, at least two.
    /// - Complexity: O(ticks).
    public static func nice(min lo: Double, max hi: Double, target: Int = 6, integer: Bool = false) -> [Double] {
        precondition(lo.isFinite && hi.isFinite, "ticks need a finite range")
        var lo = lo, hi = hi
        if hi <= lo { lo -= 1; hi += 1 }
        let step = niceStep(span: hi - lo, target: Swift.max(1, target), integer: integer)
        let first = (lo / step).rounded(.down), last = (hi / step).rounded(.up)
        // Guard against a tiny relative rounding excess creating an extra tick.
        let a = (first + 1) * step - lo < 1e-9 * step ? first + 1 : first
        let b = hi - (last - 1) * step < 1e-9 * step ? last - 1 : last
        let count = Swift.max(1, Int(b - a))
        return (0...count).map { (a + Double($0)) * step }
    }

    /// The smallest step in {1, 2, 5} × 10ᵏ with `span / step ≤ target` (≥ 1 when `integer`).
    static func niceStep(span: Double, target: Int, integer: Bool) -> Double {
        let raw = span / Double(target)
        var magnitude = pow(10, (log10(raw)).rounded(.down))
        while true {
            for m in [1.0, 2.0, 5.0] {
                let s = m * magnitude
                if s * (1 + 1e-12) >= raw && (!integer || s >= 1) { return s }
            }
            magnitude *= 10
        }
    }

    /// A tick label with as many decimals as the step needs (`step` 0.05 → 2 decimals),
    /// scientific notation for magnitudes ≥ 1e6 or steps < 1e-4.
    public static func label(_ v: Double, step: Double) -> String {
        if v == 0 { return "0" }
        if abs(v) >= 1e6 || step < 1e-4 {
            return String(format: "%.3g", v)
        }
        let decimals = Swift.max(0, Int((-log10(step) - 1e-9).rounded(.up)))
        let s = String(format: "%.\(decimals)f", v)
        return s.hasPrefix("-") && Double(s) == 0 ? String(s.dropFirst()) : s
    }

    /// A value in 4 significant digits (tooltips and tables).
    public static func short(_ v: Double) -> String {
        guard v.isFinite else { return v.isNaN ? "NaN" : (v > 0 ? "∞" : "−∞") }
        if v == 0 { return "0" }
        if abs(v) >= 1e6 || abs(v) < 1e-3 { return String(format: "%.3e", v) }
        if abs(v) >= 1e4 { return String(format: "%.0f", v) }
        return String(format: "%.4g", v)
    }
}
