import Foundation

/// The study's "gaussianity" of a dataset: how well a single Gaussian describes its documents in a
/// 2-D projection of their vectors. The projection is the first two principal components of the
/// document vectors (in Ouro: the MiniLM sentence embeddings), the fit is the maximum-likelihood
/// Gaussian, and the score is its AIC (lower = the points are more concentrated / better described
/// by one Gaussian; it grows with n, so compare sets of the same size).
public enum DatasetProperties {
    /// The first `components` principal directions of row-major `vectors` (`rows × cols`), found by
    /// power iteration with deflation on the `cols × cols` covariance matrix (a fixed start vector,
    /// so the result is deterministic). Each direction is a unit vector; its sign is arbitrary.
    /// - Returns: `components` vectors of length `cols` and their eigenvalues (variances, divide by n).
    /// - Complexity: O(rows · cols² + components · iterations · cols²).
    public static func principalComponents(_ vectors: [Double], rows: Int, cols: Int, components: Int = 2,
                                           iterations: Int = 1000) -> (directions: [[Double]], variances: [Double]) {
        precondition(rows >= 1 && cols >= 1 && vectors.count == rows * cols, "vectors must hold rows × cols values")
        var mean = [Double](repeating: 0, count: cols)
        for i in 0..<rows { for j in 0..<cols { mean[j] += vectors[i * cols + j] } }
        for j in 0..<cols { mean[j] /= Double(rows) }
        var cov = [Double](repeating: 0, count: cols * cols)
        var centred = [Double](repeating: 0, count: cols)
        for i in 0..<rows {
            for j in 0..<cols { centred[j] = vectors[i * cols + j] - mean[j] }
            for a in 0..<cols {
                let ca = centred[a]
                if ca == 0 { continue }
                let base = a * cols
                for b in a..<cols { cov[base + b] += ca * centred[b] }
            }
        }
        for a in 0..<cols { for b in a..<cols { cov[a * cols + b] /= Double(rows); cov[b * cols + a] = cov[a * cols + b] } }
        var directions: [[Double]] = [], variances: [Double] = []
        for _ in 0..<min(components, cols) {
            // Start: a fixed, non-symmetric vector (unlikely to be orthogonal to the top eigenvector).
            var v = (0..<cols).map { 1 + Double($0 % 7) / 7 }
            for d in directions { v = subtractProjection(v, on: d) }
            normalize(&v)
            var lambda = 0.0
            for _ in 0..<iterations {
                var w = [Double](repeating: 0, count: cols)
                for a in 0..<cols {
                    var s = 0.0
                    let base = a * cols
                    for b in 0..<cols { s += cov[base + b] * v[b] }
                    w[a] = s
                }
                for d in directions { w = subtractProjection(w, on: d) }
                let norm = (w.reduce(0) { $0 + $1 * $1 }).squareRoot()
                if norm == 0 { lambda = 0; break }
                for k in 0..<cols { w[k] /= norm }
                let delta = zip(w, v).reduce(0) { $0 + abs($1.0 - $1.1) }
                v = w
                lambda = norm
                if delta < 1e-12 * Double(cols) { break }
            }
            directions.append(v)
            variances.append(lambda)
        }
        return (directions, variances)
    }

    /// AIC of the maximum-likelihood Gaussian fitted to `points` (row-major, `dimensions` columns):
    /// `2k − 2 ln L̂` with `k = d + d(d+1)/2` parameters and
    /// `ln L̂ = −(n/2)(d ln 2π + ln det Σ̂ + d)` (Σ̂ the covariance with divisor n).
    /// - Returns: the AIC, or NaN when Σ̂ is singular or there are fewer than 2 points.
    /// - Complexity: O(n · d² + d³) (d ≤ 3 here: the determinant is expanded directly for d ≤ 2).
    public static func gaussianAIC(points: [Double], dimensions d: Int) -> Double {
        precondition(d >= 1 && d <= 2 && points.count % d == 0, "points must hold n × d values, d in 1…2")
        let n = points.count / d
        guard n >= 2 else { return .nan }
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { mean[j] += points[i * d + j] } }
        for j in 0..<d { mean[j] /= Double(n) }
        var s = [Double](repeating: 0, count: d * d)
        for i in 0..<n {
            for a in 0..<d { for b in 0..<d { s[a * d + b] += (points[i * d + a] - mean[a]) * (points[i * d + b] - mean[b]) } }
        }
        for k in 0..<(d * d) { s[k] /= Double(n) }
        let det = d == 1 ? s[0] : s[0] * s[3] - s[1] * s[2]
        guard det > 0, det.isFinite else { return .nan }
        let dd = Double(d)
        let logL = -Double(n) / 2 * (dd * Foundation.log(2 * Double.pi) + Foundation.log(det) + dd)
        let k = dd + dd * (dd + 1) / 2
        return 2 * k - 2 * logL
    }

    /// Gaussianity of document vectors: the AIC (`gaussianAIC`) of the 2-D projection of `vectors`
    /// (`rows × cols`, row-major) on their first two principal components.
    /// - Returns: the AIC, or NaN for fewer than 3 rows or a degenerate projection.
    public static func gaussianity(_ vectors: [Double], rows: Int, cols: Int) -> Double {
        guard rows >= 3, cols >= 2 else { return .nan }
        let pcs = principalComponents(vectors, rows: rows, cols: cols, components: 2)
        guard pcs.directions.count == 2 else { return .nan }
        var projected = [Double](repeating: 0, count: rows * 2)
        for i in 0..<rows {
            for (c, dir) in pcs.directions.enumerated() {
                var s = 0.0
                for j in 0..<cols { s += vectors[i * cols + j] * dir[j] }
                projected[i * 2 + c] = s
            }
        }
        return gaussianAIC(points: projected, dimensions: 2)
    }

    private static func subtractProjection(_ v: [Double], on d: [Double]) -> [Double] {
        let dot = zip(v, d).reduce(0) { $0 + $1.0 * $1.1 }
        return zip(v, d).map { $0 - dot * $1 }
    }

    private static func normalize(_ v: inout [Double]) {
        let norm = (v.reduce(0) { $0 + $1 * $1 }).squareRoot()
        if norm > 0 { for k in v.indices { v[k] /= norm } }
    }
}
