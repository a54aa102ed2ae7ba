import Foundation

/// Closed-form expectations of the toy recursive loops (PAPER.md, "Results that serve as oracles").
///
/// **One convention for the generation index**, that of the runner: `generation` g is the model
/// the loop trains at generation g. Generation 0 is fitted on n rows drawn from the true (human)
/// distribution; generation g ≥ 1 on rows drawn from earlier models. So the model of generation g
/// has been fitted g + 1 times on samples, and every function below takes that g (g ≥ 0).
/// Each function is checked against a simulation of exactly that loop (Tests/OuroTests/Models/OraclesTests.swift).
public enum Oracles {
    /// How past generations enter a training set, for the oracles that distinguish it.
    public enum Mode: String, Sendable, CaseIterable {
        /// Only the previous generation's n samples.
        case replace
        /// Everything so far: the n human rows and n samples of every later generation (Gerstgrasser et al.).
        case accumulate
        /// n rows drawn without replacement from everything so far, generation 0 included (Kazdan et al.).
        case subsample
    }

    /// E[σ²_g] for the MLE refit loop (replace, n rows per generation): ((n−1)/n)^(g+1) · σ².
    /// The same holds for the total variance of any model whose fit preserves the sample's first
    /// two moments (a Gaussian mixture after an EM M-step).
    /// - Parameters: sigma2: the human variance σ²; n: rows per fit; generation: g ≥ 0.
    public static func mleVariance(sigma2: Double, n: Int, generation g: Int) -> Double {
        pow(Double(n - 1) / Double(n), Double(g + 1)) * sigma2
    }

    /// E[(μ_g − μ)²] for the MLE refit loop: σ² · (1 − ((n−1)/n)^(g+1)).
    public static func mleMeanSquaredDrift(sigma2: Double, n: Int, generation g: Int) -> Double {
        sigma2 * (1 - pow(Double(n - 1) / Double(n), Double(g + 1)))
    }

    /// α = E[s]/σ for the unbiased sample standard deviation of n normal rows:
    /// √(2/(n−1)) · Γ(n/2) / Γ((n−1)/2), computed through `lgamma` (stable for large n).
    /// - Precondition: n ≥ 2.
    public static func alpha(n: Int) -> Double {
        precondition(n >= 2, "alpha needs n ≥ 2")
        let m = Double(n)
        return (2 / (m - 1)).squareRoot() * exp(lgamma(m / 2) - lgamma((m - 1) / 2))
    }

    /// E[σ_g] for the unbiased refit loop: α^(g+1) · σ (σ_g → 0 almost surely although E[σ²_g] = σ²).
    public static func unbiasedSD(sigma: Double, n: Int, generation g: Int) -> Double {
        pow(alpha(n: n), Double(g + 1)) * sigma
    }

    /// E[(μ_g − μ)²] for the unbiased refit loop: σ² · (g + 1) / n.
    public static func unbiasedMeanSquaredDrift(sigma2: Double, n: Int, generation g: Int) -> Double {
        sigma2 * Double(g + 1) / Double(n)
    }

    /// Wright–Fisher: E[1 − Σp²] of the categorical model of generation g, each generation fitted
    /// on n draws (generation 0 on n draws from the human distribution of heterozygosity H₀):
    /// H₀ · (1 − 1/n)^(g+1).
    public static func heterozygosity(initial h0: Double, n: Int, generation g: Int) -> Double {
        h0 * pow(1 - 1 / Double(n), Double(g + 1))
    }

    /// The probability that a type eventually takes over the whole population: its initial share.
    public static func fixationProbability(initialShare p0: Double) -> Double { p0 }

    /// The probability that a type of count c disappears in one resampling of n draws: (1 − c/n)^n.
    public static func lossInOneStep(count c: Int, n: Int) -> Double {
        pow(1 - Double(c) / Double(n), Double(n))
    }

    /// Approximate mean number of generations until one type remains (diffusion approximation):
    /// −2n · Σ (1 − pᵢ) ln(1 − pᵢ).
    public static func meanFixationTime(shares p: [Double], n: Int) -> Double {
        -2 * Double(n) * p.reduce(0) { $0 + ($1 < 1 ? (1 - $1) * log(1 - $1) : 0) }
    }

    /// Stationary E[(μ − μ*)²] of a Gaussian mean with known σ when each generation's n training
    /// rows hold a fraction ρ of fresh human rows: σ² / (n · ρ (2 − ρ)).
    /// (The error follows e' = (1−ρ) e + ε with Var ε = σ²/n, whose stationary variance this is.)
    public static func freshDataStationaryError(sigma2: Double, n: Int, rho: Double) -> Double {
        sigma2 / (Double(n) * rho * (2 - rho))
    }

    /// E[(μ_g − μ*)²] of the same loop at generation g (Bertrand et al.):
    /// σ²/n · Σ_{k=0..g} (1−ρ)^(2k), which tends to `freshDataStationaryError` for ρ > 0 and is
    /// σ²(g+1)/n (replace) for ρ = 0. Exact when ρ·n is an integer.
    public static func freshDataError(sigma2: Double, n: Int, rho: Double, generation g: Int) -> Double {
        let q = (1 - rho) * (1 - rho)
        var s = 0.0, t = 1.0
        for _ in 0...g { s += t; t *= q }
        return sigma2 / Double(n) * s
    }

    /// Σ_{k=1..m} 1/k² (→ π²/6).
    static func inverseSquares(_ m: Int) -> Double {
        var s = 0.0
        for k in 1...m { s += 1 / (Double(k) * Double(k)) }
        return s
    }

    /// E[(μ_g − μ*)²] of a Gaussian mean with known σ refitted on n rows per generation, all
    /// synthetic after generation 0, under `mode`: replace σ²(g+1)/n; accumulate
    /// σ²/n · Σ_{k=1..g+1} 1/k² (bounded by π²/6 · σ²/n); subsample: exact moment recursion
    /// (pool sum A and sum of squares R: a subsample of n from N pooled rows has mean error
    /// E[A²]/N² + (N−n)/(n(N−1)) · (E[R]/N − E[A²]/N²)).
    public static func gaussianMeanError(sigma2: Double, n: Int, mode: Mode, generation g: Int) -> Double {
        let t = Double(n)
        switch mode {
        case .replace:
            return sigma2 * Double(g + 1) / t
        case .accumulate:
            return sigma2 / t * inverseSquares(g + 1)
        case .subsample:
            var a = t * sigma2, r = t * sigma2, pool = t   // E[A²], E[R], N for generation 0's pool
            var e2 = 0.0
            for k in 0...g {
                let c = pool > t ? (pool - t) / (t * (pool - 1)) : 0
                e2 = a / (pool * pool) + c * (r / pool - a / (pool * pool))
                if k == g { break }
                // Generation k + 1 adds n rows drawn from N(μ_k, σ²): E[A e_k] = E[A²]/N.
                a += 2 * t * a / pool + t * t * e2 + t * sigma2
                r += t * e2 + t * sigma2
                pool += t
            }
            return e2
        }
    }

    /// E‖ŵ_g − w*‖² of least squares refitted on its own predictions (Gerstgrasser et al.; Dohmatob
    /// et al.): T rows of d standard-normal features, targets with noise variance σ², the model of
    /// generation g ≥ 1 trained on targets that generation g − 1 generated for the same design.
    /// With c = σ²·d/(T − d − 1) (the expected error of one fit; T − d − 2 when an intercept is
    /// also fitted): replace c·(g+1) (linear growth); accumulate c · Σ_{k=1..g+1} 1/k² < π²/6 · c.
    /// With x ~ N(0, I) this is also the expected excess test error E[(x·(ŵ − w*))²].
    /// - Precondition: T > d + 1 (+ 1 with intercept); mode `.replace` or `.accumulate`.
    public static func linearRegressionError(sigma2: Double, rows t: Int, features d: Int, intercept: Bool = false,
                                             mode: Mode, generation g: Int) -> Double {
        let dof = Double(t - d - 1 - (intercept ? 1 : 0))
        precondition(dof > 0, "linear regression oracle needs T > d + 1 (+1 with an intercept)")
        let c = sigma2 * Double(d) / dof
        switch mode {
        case .replace: return c * Double(g + 1)
        case .accumulate: return c * inverseSquares(g + 1)
        case .subsample: preconditionFailure("linear regression oracle: subsample has no closed form here")
        }
    }

    /// E[variance of the KDE of generation g] (per coordinate) for a kernel density estimate with a
    /// fixed Gaussian bandwidth h, refitted on n of its own samples per generation (human data of
    /// variance σ²). The KDE's variance is its data's MLE variance plus h². Replace tends to n·h²;
    /// accumulate grows like h²·ln g. Exact moment recursion (pool sum A, sum of squares B).
    /// - Precondition: mode `.replace` or `.accumulate`.
    public static func kdeVariance(sigma2: Double, n: Int, bandwidth h: Double, mode: Mode, generation g: Int) -> Double {
        precondition(mode != .subsample, "kde oracle: subsample has no closed form here")
        let m = Double(n), h2 = h * h
        var a = m * sigma2, b = m * sigma2, pool = m      // E[A²], E[B], N
        var v = 0.0
        for k in 0...g {
            v = b / pool - a / (pool * pool) + h2
            if k == g { break }
            if mode == .replace {
                a += m * v                                  // A' = sum of n draws: E[A'²|·] = A² + nV
                b += m * h2
            } else {
                a = a * (1 + m / pool) * (1 + m / pool) + m * v
                b += m * (b / pool + h2)
                pool += m
            }
        }
        return v
    }
}
