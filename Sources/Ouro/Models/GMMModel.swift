import Foundation

/// A Gaussian mixture with `k` full-covariance components, fitted by expectation–maximisation.
///
/// Fitting is deterministic for a given `seed`: k-means++ picks `k` initial centres (seeded
/// `Xoshiro256(seed:, "gmm-init")`), every row is assigned to its nearest centre, and one M-step
/// on that hard assignment gives the starting parameters (a component with fewer than two rows
/// starts from the covariance of the whole data). EM then alternates E-steps (responsibilities
/// by log-sum-exp, so far-away rows never underflow) and M-steps until the mean log-likelihood
/// per row improves by less than `tolerance` or `maxIterations` is reached.
///
/// Variance floor: every covariance gets `varianceFloor · v_j` added to its diagonal entry j, where
/// `v_j` is the variance of coordinate j over the data (so the floor is scale-free and a component
/// collapsing on one point keeps a definite covariance). Each component variance is thus at least
/// `varianceFloor · v_j`. scikit-learn's `reg_covar` is the same idea with an absolute value.
public struct GMMModel: NumericModel {
    public let k: Int
    public let seed: UInt64
    public let maxIterations: Int
    public let tolerance: Double
    public let varianceFloor: Double

    public private(set) var dim: Int = 0
    /// The number of rows of the last fit.
    public private(set) var rows: Int = 0
    /// Mixture weights (`k`, summing to 1).
    public private(set) var weights: [Double] = []
    /// Component means, `k × dim` row-major.
    public private(set) var means: [Double] = []
    /// Component covariances, `k` blocks of `dim × dim` row-major.
    public private(set) var covariances: [Double] = []
    /// Mean log-likelihood per row at the end of the fit.
    public private(set) var logLikelihood: Double = -.infinity
    /// EM iterations run.
    public private(set) var iterations: Int = 0
    /// Whether the tolerance was reached before `maxIterations`.
    public private(set) var converged: Bool = false

    var factors: [Double] = []

    /// Creates an unfitted mixture.
    /// - Parameters:
    ///   - k: the number of components (≥ 1).
    ///   - seed: seeds the k-means++ initialisation.
    ///   - maxIterations: EM iteration cap.
    ///   - tolerance: stop when the mean log-likelihood per row improves by less than this.
    ///   - varianceFloor: relative variance floor (see the type's documentation).
    public init(k: Int, seed: UInt64 = 0, maxIterations: Int = 200, tolerance: Double = 1e-8,
                varianceFloor: Double = 1e-6) {
        precondition(k >= 1, "gmm: k must be ≥ 1")
        precondition(maxIterations >= 1, "gmm: maxIterations must be ≥ 1")
        precondition(varianceFloor > 0, "gmm: varianceFloor must be > 0")
        self.k = k
        self.seed = seed
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.varianceFloor = varianceFloor
    }

    public var isFitted: Bool { dim > 0 }

    /// The mean of component `c` (`dim` values).
    public func mean(_ c: Int) -> [Double] { Array(means[(c * dim)..<((c + 1) * dim)]) }

    /// The covariance of component `c` (`dim × dim` row-major).
    public func covariance(_ c: Int) -> [Double] { Array(covariances[(c * dim * dim)..<((c + 1) * dim * dim)]) }

    /// The mean of the mixture, Σ_c w_c μ_c (`dim` values). After an M-step it equals the mean
    /// of the fitted rows.
    public var mixtureMean: [Double] {
        (0..<dim).map { j in (0..<k).reduce(0) { $0 + weights[$1] * means[$1 * dim + j] } }
    }

    /// The variance of the mixture per coordinate, Σ_c w_c (σ²_cj + μ²_cj) − (Σ_c w_c μ_cj)².
    /// After an M-step it equals the fitted rows' MLE variance (plus the variance floor), so a
    /// refit loop shrinks it as `Oracles.mleVariance`.
    public var mixtureVariances: [Double] {
        let mu = mixtureMean
        return (0..<dim).map { j in
            (0..<k).reduce(0) { s, c in
                let m = means[c * dim + j]
                return s + weights[c] * (covariances[c * dim * dim + j * dim + j] + m * m)
            } - mu[j] * mu[j]
        }
    }

    /// Fits the mixture by EM from a k-means++ start.
    /// - Throws: `NumericModelError` on a bad shape, a non-finite value, or fewer rows than `k`.
    /// - Complexity: O(iterations · rows · k · dim²).
    public mutating func fit(dim d: Int, values x: [Double]) throws {
        let n = try NumericModelError.rows(dim: d, values: x)
        guard n >= k else { throw NumericModelError.tooFewRows(model: "gmm", rows: n, needed: k) }
        if let bad = x.firstIndex(where: { !$0.isFinite }) {
            throw NumericModelError.invalidValue(model: "gmm", index: bad, value: x[bad], expected: "a finite number")
        }
        // Per-coordinate data variance → the floor; the whole-data covariance for empty starts.
        var global = GaussianModel(estimator: .mle)
        try global.fit(dim: d, values: x)
        var floor = global.variances.map { max($0, 0) * varianceFloor }
        for j in 0..<d where floor[j] == 0 { floor[j] = varianceFloor }  // constant coordinate

        // k-means++ start, then one M-step on the hard assignment.
        var rng = Xoshiro256(seed: seed, "gmm-init")
        let centres = Self.kMeansPlusPlus(x, rows: n, dim: d, k: k, rng: &rng)
        var resp = [Double](repeating: 0, count: n * k)
        for r in 0..<n {
            var best = 0, bestD = Double.infinity
            for c in 0..<k {
                var s = 0.0
                for j in 0..<d { let t = x[r * d + j] - centres[c * d + j]; s += t * t }
                if s < bestD { bestD = s; best = c }
            }
            resp[r * k + best] = 1
        }
        dim = d
        rows = n
        mStep(x, resp: resp, floor: floor, fallback: global.covariance)

        var previous = -Double.infinity
        iterations = 0
        converged = false
        while iterations < maxIterations {
            let ll = eStep(x, resp: &resp)
            iterations += 1
            logLikelihood = ll
            if ll - previous < tolerance && iterations > 1 { converged = true; break }
            previous = ll
            mStep(x, resp: resp, floor: floor, fallback: global.covariance)
        }
        if !converged { logLikelihood = eStep(x, resp: &resp) }
    }

    /// Responsibilities of each component for each row (log-sum-exp).
    /// - Returns: the mean log-likelihood per row.
    func eStep(_ x: [Double], resp: inout [Double]) -> Double {
        let d = dim, n = rows
        var w = [Double](repeating: 0, count: d)
        var logp = [Double](repeating: 0, count: k)
        let logDets = (0..<k).map { c in
            GaussianMath.logDeterminant(factor: Array(factors[(c * d * d)..<((c + 1) * d * d)]), dim: d)
        }
        let comps = (0..<k).map { (mean: mean($0), factor: Array(factors[($0 * d * d)..<(($0 + 1) * d * d)])) }
        var total = 0.0
        for r in 0..<n {
            var top = -Double.infinity
            for c in 0..<k {
                logp[c] = log(weights[c]) + GaussianMath.logDensity(x, at: r * d, mean: comps[c].mean,
                                                                     factor: comps[c].factor, logDet: logDets[c],
                                                                     dim: d, scratch: &w)
                top = max(top, logp[c])
            }
            var s = 0.0
            for c in 0..<k { s += exp(logp[c] - top) }
            let lse = top + log(s)
            total += lse
            for c in 0..<k { resp[r * k + c] = exp(logp[c] - lse) }
        }
        return total / Double(n)
    }

    /// Weights, means and floored covariances from responsibilities; a component with less than
    /// two rows' worth of responsibility takes `fallback` (the whole-data covariance).
    mutating func mStep(_ x: [Double], resp: [Double], floor: [Double], fallback: [Double]) {
        let d = dim, n = rows
        weights = [Double](repeating: 0, count: k)
        means = [Double](repeating: 0, count: k * d)
        covariances = [Double](repeating: 0, count: k * d * d)
        factors = [Double](repeating: 0, count: k * d * d)
        var mass = [Double](repeating: 0, count: k)
        for r in 0..<n {
            for c in 0..<k {
                let g = resp[r * k + c]
                mass[c] += g
                for j in 0..<d { means[c * d + j] += g * x[r * d + j] }
            }
        }
        var diff = [Double](repeating: 0, count: d)
        for c in 0..<k {
            weights[c] = max(mass[c], 1e-300) / Double(n)
            if mass[c] > 0 { for j in 0..<d { means[c * d + j] /= mass[c] } }
            let base = c * d * d
            if mass[c] < 2 {
                for i in 0..<(d * d) { covariances[base + i] = fallback[i] }
                if mass[c] == 0 { for j in 0..<d { means[c * d + j] = Double.nan } }
            } else {
                for r in 0..<n {
                    let g = resp[r * k + c]
                    if g == 0 { continue }
                    for j in 0..<d { diff[j] = x[r * d + j] - means[c * d + j] }
                    for i in 0..<d { for j in 0...i { covariances[base + i * d + j] += g * diff[i] * diff[j] } }
                }
                for i in 0..<d {
                    for j in 0...i {
                        covariances[base + i * d + j] /= mass[c]
                        covariances[base + j * d + i] = covariances[base + i * d + j]
                    }
                }
            }
            for j in 0..<d { covariances[base + j * d + j] += floor[j] }
            let f = GaussianMath.cholesky(Array(covariances[base..<(base + d * d)]), dim: d).factor
            for i in 0..<(d * d) { factors[base + i] = f[i] }
        }
        // A component that received no responsibility at all (only possible with duplicate
        // centres) restarts at the whole-data mean.
        let overall = (0..<d).map { j in (0..<n).reduce(0.0) { $0 + x[$1 * d + j] } / Double(n) }
        for c in 0..<k where means[c * d].isNaN { for j in 0..<d { means[c * d + j] = overall[j] } }
        var s = 0.0
        for c in 0..<k { s += weights[c] }
        for c in 0..<k { weights[c] /= s }
    }

    /// k-means++ (Arthur & Vassilvitskii, 2007): the first centre uniformly, each next one with
    /// probability proportional to the squared distance to the nearest chosen centre (uniformly
    /// among unchosen rows when every distance is zero).
    /// - Returns: `k × dim` centres, row-major.
    static func kMeansPlusPlus(_ x: [Double], rows n: Int, dim d: Int, k: Int, rng: inout Xoshiro256) -> [Double] {
        var centres = [Double](repeating: 0, count: k * d)
        var chosen = [Int]()
        var nearest = [Double](repeating: .infinity, count: n)
        var pick = rng.int(below: n)
        for c in 0..<k {
            chosen.append(pick)
            for j in 0..<d { centres[c * d + j] = x[pick * d + j] }
            if c == k - 1 { break }
            var total = 0.0
            for r in 0..<n {
                var s = 0.0
                for j in 0..<d { let t = x[r * d + j] - x[pick * d + j]; s += t * t }
                nearest[r] = min(nearest[r], s)
                total += nearest[r]
            }
            if total > 0 {
                pick = rng.categorical(nearest)
            } else {
                let rest = (0..<n).filter { !chosen.contains($0) }
                pick = rest[rng.int(below: rest.count)]
            }
        }
        return centres
    }

    /// Draws `n` rows: a component by weight, then a Gaussian draw from it.
    /// - Precondition: the model is fitted.
    /// - Complexity: O(n · (k + dim²)).
    public func generate(n: Int, rng: inout Xoshiro256) -> [Double] {
        precondition(isFitted, "gmm: generate before fit")
        let d = dim
        var out = [Double](repeating: 0, count: n * d)
        var z = [Double](repeating: 0, count: d)
        let comps = (0..<k).map { (mean: mean($0), factor: Array(factors[($0 * d * d)..<(($0 + 1) * d * d)])) }
        for i in 0..<n {
            let c = rng.categorical(weights)
            GaussianMath.draw(mean: comps[c].mean, factor: comps[c].factor, dim: d, rng: &rng,
                              into: &out, at: i * d, scratch: &z)
        }
        return out
    }

    /// A one-line summary: k, dimension, and per component its weight and mean.
    public var description: String {
        guard isFitted else { return "GMM(k=\(k), unfitted)" }
        let parts = (0..<k).map { c -> String in
            let m = dim == 1 ? GaussianMath.format(means[c]) : GaussianMath.format(mean(c))
            let v = dim == 1 ? "sd " + GaussianMath.format(covariances[c].squareRoot()) : "variances " + GaussianMath.format((0..<dim).map { covariances[c * dim * dim + $0 * dim + $0] })
            return "w \(GaussianMath.format(weights[c])): mean \(m), \(v)"
        }
        return "GMM(k=\(k), \(dim)-D, \(rows) rows, \(iterations) EM iterations: " + parts.joined(separator: "; ") + ")"
    }
}
