import Foundation

/// Student's t distribution with `df` degrees of freedom (any real df > 0).
///
/// The CDF goes through the regularized incomplete beta function,
/// `P(|T| > |t|) = I_{df/(df+t²)}(df/2, 1/2)`, evaluated by its continued fraction (modified
/// Lentz, Numerical Recipes §6.4), accurate to about 1e-14. Quantiles invert the CDF by
/// safeguarded Newton steps.
public enum StudentT {
    /// P(T ≤ t).
    public static func cdf(_ t: Double, df: Double) -> Double {
        precondition(df > 0, "df must be > 0")
        if t.isNaN { return .nan }
        if t.isInfinite { return t > 0 ? 1 : 0 }
        let tail = 0.5 * SpecialFunctions.regularizedIncompleteBeta(a: df / 2, b: 0.5, x: df / (df + t * t))
        return t >= 0 ? 1 - tail : tail
    }

    /// The two-sided p-value P(|T| ≥ |t|).
    public static func twoSidedP(_ t: Double, df: Double) -> Double {
        precondition(df > 0, "df must be > 0")
        if t.isNaN { return .nan }
        if t.isInfinite { return 0 }
        return SpecialFunctions.regularizedIncompleteBeta(a: df / 2, b: 0.5, x: df / (df + t * t))
    }

    /// The density at t.
    public static func pdf(_ t: Double, df: Double) -> Double {
        let logc = lgamma((df + 1) / 2) - lgamma(df / 2) - 0.5 * log(df * Double.pi)
        return exp(logc - (df + 1) / 2 * log1p(t * t / df))
    }

    /// The p-quantile: the t with P(T ≤ t) = p.
    /// - Precondition: 0 < p < 1, df > 0.
    public static func quantile(_ p: Double, df: Double) -> Double {
        precondition(p > 0 && p < 1, "p must be in (0, 1)")
        precondition(df > 0, "df must be > 0")
        if p == 0.5 { return 0 }
        if p < 0.5 { return -quantile(1 - p, df: df) }
        // Bracket [lo, hi] with cdf(lo) ≤ p < cdf(hi), then Newton steps kept inside the bracket.
        var lo = 0.0, hi = 1.0
        while cdf(hi, df: df) < p { lo = hi; hi *= 2 }
        var t = (lo + hi) / 2
        for _ in 0..<200 {
            let f = cdf(t, df: df) - p
            if f == 0 { return t }
            if f < 0 { lo = t } else { hi = t }
            var next = t - f / pdf(t, df: df)
            if !(next > lo && next < hi) { next = (lo + hi) / 2 }
            if abs(next - t) <= 1e-15 * abs(t) { return next }
            t = next
        }
        return t
    }
}

/// Special functions used by the statistics.
enum SpecialFunctions {
    /// The regularized incomplete beta function I_x(a, b), for a, b > 0 and 0 ≤ x ≤ 1.
    static func regularizedIncompleteBeta(a: Double, b: Double, x: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
        let front = exp(logFront)
        if x < (a + 1) / (a + b + 2) {
            return front * betaContinuedFraction(a: a, b: b, x: x) / a
        }
        return 1 - front * betaContinuedFraction(a: b, b: a, x: 1 - x) / b
    }

    /// The continued fraction of the incomplete beta function (modified Lentz).
    static func betaContinuedFraction(a: Double, b: Double, x: Double) -> Double {
        let tiny = 1e-300, eps = 1e-16
        let qab = a + b, qap = a + 1, qam = a - 1
        var c = 1.0
        var d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...10_000 {
            let m = Double(m), m2 = 2 * m
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let del = d * c
            h *= del
            if abs(del - 1) < eps { break }
        }
        return h
    }
}
