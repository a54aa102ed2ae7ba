/// A Gaussian fitted to numeric data: 1-D (mean, variance) or d-dimensional with a full covariance.
///
/// `estimator` chooses the covariance divisor: `.mle` divides by n (the maximum-likelihood estimate,
/// whose refit loop shrinks the variance by (n−1)/n per generation), `.unbiased` by n − 1.
/// With `knownSD` the model estimates only the mean and keeps the covariance at `knownSD²·I`
/// (the "Gaussian mean with known σ" of the fresh-data oracle).
/// Sampling draws `mean + L z` with `L` the Cholesky factor of the covariance (semi-definite
/// covariances, e.g. from fewer rows than dimensions, are allowed).
public struct GaussianModel: NumericModel {
    /// The covariance estimator.
    public enum Estimator: String, Sendable, CaseIterable {
        /// Divide by n (maximum likelihood).
        case mle
        /// Divide by n − 1.
        case unbiased
    }

    public let estimator: Estimator
    /// When set, the covariance is fixed at `knownSD² · I` and only the mean is fitted.
    public let knownSD: Double?
    public private(set) var dim: Int = 0
    /// The number of rows of the last fit.
    public private(set) var rows: Int = 0
    /// The fitted mean (`dim` values).
    public private(set) var mean: [Double] = []
    /// The fitted covariance, `dim × dim` row-major.
    public private(set) var covariance: [Double] = []
    /// The Cholesky factor of `covariance` (lower triangular, row-major).
    public private(set) var factor: [Double] = []

    /// Creates an unfitted model.
    /// - Parameters:
    ///   - estimator: the covariance divisor (n or n − 1).
    ///   - knownSD: a fixed standard deviation per coordinate; `nil` estimates the covariance.
    public init(estimator: Estimator = .mle, knownSD: Double? = nil) {
        precondition(knownSD.map { $0 >= 0 && $0.isFinite } ?? true, "knownSD must be finite and ≥ 0")
        self.estimator = estimator
        self.knownSD = knownSD
    }

    /// Whether `fit` has been called successfully.
    public var isFitted: Bool { dim > 0 }

    /// The variances of the coordinates (the covariance diagonal).
    public var variances: [Double] { (0..<dim).map { covariance[$0 * dim + $0] } }

    /// The variance of a 1-D model (of the first coordinate otherwise).
    public var variance: Double { covariance[0] }

    /// The standard deviation of a 1-D model (of the first coordinate otherwise).
    public var sd: Double { covariance[0].squareRoot() }

    /// Fits mean and covariance to the rows of `values` (two-pass, centred sums).
    /// - Parameters:
    ///   - dim: values per row.
    ///   - values: row-major data, `rows * dim` values, all finite.
    /// - Throws: `NumericModelError` on a bad shape, a non-finite value, or too few rows
    ///   (1 for `.mle` or a known SD, 2 for `.unbiased`).
    /// - Complexity: O(rows · dim² + dim³).
    public mutating func fit(dim d: Int, values: [Double]) throws {
        let n = try NumericModelError.rows(dim: d, values: values)
        let needed = (estimator == .unbiased && knownSD == nil) ? 2 : 1
        guard n >= needed else { throw NumericModelError.tooFewRows(model: "gaussian", rows: n, needed: needed) }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw NumericModelError.invalidValue(model: "gaussian", index: bad, value: values[bad], expected: "a finite number")
        }
        var mu = [Double](repeating: 0, count: d)
        var cov = [Double](repeating: 0, count: d * d)
        values.withUnsafeBufferPointer { x in
            for r in 0..<n { for j in 0..<d { mu[j] += x[r * d + j] } }
            for j in 0..<d { mu[j] /= Double(n) }
            if let s = knownSD {
                for j in 0..<d { cov[j * d + j] = s * s }
                return
            }
            var c = [Double](repeating: 0, count: d)
            for r in 0..<n {
                for j in 0..<d { c[j] = x[r * d + j] - mu[j] }
                for i in 0..<d { for j in 0...i { cov[i * d + j] += c[i] * c[j] } }
            }
            let divisor = Double(estimator == .mle ? n : n - 1)
            for i in 0..<d {
                for j in 0...i {
                    cov[i * d + j] /= divisor
                    cov[j * d + i] = cov[i * d + j]
                }
            }
        }
        dim = d
        rows = n
        mean = mu
        covariance = cov
        factor = GaussianMath.cholesky(cov, dim: d).factor
    }

    /// Draws `n` rows from the fitted Gaussian.
    /// - Returns: `n * dim` values, row-major.
    /// - Precondition: the model is fitted.
    /// - Complexity: O(n · dim²).
    public func generate(n: Int, rng: inout Xoshiro256) -> [Double] {
        precondition(isFitted, "gaussian: generate before fit")
        precondition(n >= 0, "n must be ≥ 0")
        var out = [Double](repeating: 0, count: n * dim)
        if dim == 1 {
            let m = mean[0], s = factor[0]
            for i in 0..<n { out[i] = m + s * rng.normal() }
            return out
        }
        var z = [Double](repeating: 0, count: dim)
        for i in 0..<n {
            GaussianMath.draw(mean: mean, factor: factor, dim: dim, rng: &rng, into: &out, at: i * dim, scratch: &z)
        }
        return out
    }

    /// A one-line summary: estimator, dimension, rows and the fitted parameters.
    public var description: String {
        let head = "Gaussian(\(estimator.rawValue)" + (knownSD.map { ", known sd \(GaussianMath.format($0))" } ?? "")
        guard isFitted else { return head + ", unfitted)" }
        if dim == 1 {
            return head + ", 1-D, \(rows) rows: mean \(GaussianMath.format(mean[0])), sd \(GaussianMath.format(sd)))"
        }
        return head + ", \(dim)-D, \(rows) rows: mean \(GaussianMath.format(mean)), variances \(GaussianMath.format(variances)))"
    }
}
