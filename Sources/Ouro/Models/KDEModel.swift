/// A kernel density estimate with a Gaussian kernel of fixed bandwidth h (Gerstgrasser et al.
/// 2024's non-parametric toy): `fit` keeps the rows, `generate` picks a fitted row uniformly and
/// adds h·z to each coordinate (z ~ N(0, 1)). Its variance per coordinate is the fitted rows'
/// MLE variance plus h² (see `Oracles.kdeVariance`).
public struct KDEModel: NumericModel {
    /// The kernel's standard deviation h.
    public let bandwidth: Double
    public private(set) var dim: Int = 0
    /// The fitted rows, row-major.
    public private(set) var points: [Double] = []

    /// Creates an unfitted model.
    /// - Parameter bandwidth: h > 0, finite.
    public init(bandwidth: Double) {
        precondition(bandwidth.isFinite && bandwidth > 0, "kde: bandwidth must be finite and > 0")
        self.bandwidth = bandwidth
    }

    public var isFitted: Bool { dim > 0 }

    /// The number of rows of the last fit.
    public var rows: Int { dim > 0 ? points.count / dim : 0 }

    /// The mean of the estimate per coordinate (the fitted rows' mean).
    public var mean: [Double] {
        var m = [Double](repeating: 0, count: dim)
        for (i, x) in points.enumerated() { m[i % dim] += x }
        let n = Double(rows)
        return m.map { $0 / n }
    }

    /// The variance of the estimate per coordinate: the fitted rows' MLE variance plus h².
    public var variances: [Double] {
        let mu = mean
        var v = [Double](repeating: 0, count: dim)
        for (i, x) in points.enumerated() {
            let d: Double = x - mu[i % dim]
            v[i % dim] += d * d
        }
        let n = Double(rows), h2 = bandwidth * bandwidth
        return v.map { $0 / n + h2 }
    }

    /// Keeps the rows.
    /// - Throws: `NumericModelError` on a bad shape, no rows, or a non-finite value.
    /// - Complexity: O(rows · dim).
    public mutating func fit(dim d: Int, values: [Double]) throws {
        let n = try NumericModelError.rows(dim: d, values: values)
        guard n >= 1 else { throw NumericModelError.tooFewRows(model: "kde", rows: 0, needed: 1) }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw NumericModelError.invalidValue(model: "kde", index: bad, value: values[bad], expected: "a finite number")
        }
        dim = d
        points = values
    }

    /// Draws `n` rows: per row one uniform index, then `dim` normals.
    /// - Precondition: the model is fitted.
    /// - Complexity: O(n · dim).
    public func generate(n: Int, rng: inout Xoshiro256) -> [Double] {
        precondition(isFitted, "kde: generate before fit")
        var out = [Double](repeating: 0, count: n * dim)
        for i in 0..<n {
            let r = rng.int(below: rows)
            for j in 0..<dim { out[i * dim + j] = points[r * dim + j] + bandwidth * rng.normal() }
        }
        return out
    }

    /// A one-line summary: bandwidth, rows, mean and variance.
    public var description: String {
        guard isFitted else { return "KDE(bandwidth \(GaussianMath.format(bandwidth)), unfitted)" }
        return "KDE(bandwidth \(GaussianMath.format(bandwidth)), \(dim)-D, \(rows) rows: mean \(GaussianMath.format(mean)), variances \(GaussianMath.format(variances)))"
    }
}
