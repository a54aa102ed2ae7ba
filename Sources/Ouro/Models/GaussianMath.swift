import Foundation

/// Dense linear algebra on small row-major `d × d` matrices, shared by the Gaussian models.
enum GaussianMath {
    /// The Cholesky factor `L` (lower triangular, row-major) of a symmetric positive semi-definite
    /// matrix, with `L Lᵀ = a`. A pivot that is not positive (to rounding: ≤ 1e-12 times the
    /// largest diagonal entry) gives a zero column, so rank-deficient covariances (fewer rows than
    /// dimensions, constant coordinates) still factor and sampling stays inside their support.
    /// - Returns: the factor and whether every pivot was positive (the matrix is definite).
    /// - Complexity: O(d³).
    static func cholesky(_ a: [Double], dim d: Int) -> (factor: [Double], definite: Bool) {
        var l = [Double](repeating: 0, count: d * d)
        var scale = 0.0
        for i in 0..<d { scale = max(scale, abs(a[i * d + i])) }
        let tiny = scale * 1e-12
        var definite = true
        for j in 0..<d {
            var s = a[j * d + j]
            for k in 0..<j { s -= l[j * d + k] * l[j * d + k] }
            if s <= tiny || !s.isFinite {
                definite = false
                continue  // column j stays zero
            }
            let ljj = s.squareRoot()
            l[j * d + j] = ljj
            for i in (j + 1)..<d {
                var t = a[i * d + j]
                for k in 0..<j { t -= l[i * d + k] * l[j * d + k] }
                l[i * d + j] = t / ljj
            }
        }
        return (l, definite)
    }

    /// Writes `mean + L z` for a fresh standard normal vector `z` into `out[offset..<offset+d]`.
    /// - Complexity: O(d²).
    static func draw(mean: [Double], factor l: [Double], dim d: Int, rng: inout Xoshiro256,
                     into out: inout [Double], at offset: Int, scratch z: inout [Double]) {
        for i in 0..<d { z[i] = rng.normal() }
        for i in 0..<d {
            var s = mean[i]
            for k in 0...i { s += l[i * d + k] * z[k] }
            out[offset + i] = s
        }
    }

    /// log N(x; mean, L Lᵀ) for a definite factor `L`, reading `x` from `values[offset..<offset+d]`.
    /// - Complexity: O(d²).
    static func logDensity(_ values: [Double], at offset: Int, mean: [Double], factor l: [Double],
                           logDet: Double, dim d: Int, scratch w: inout [Double]) -> Double {
        // Solve L w = x − mean by forward substitution; the Mahalanobis term is |w|².
        var q = 0.0
        for i in 0..<d {
            var s = values[offset + i] - mean[i]
            for k in 0..<i { s -= l[i * d + k] * w[k] }
            w[i] = s / l[i * d + i]
            q += w[i] * w[i]
        }
        return -0.5 * (Double(d) * log(2 * Double.pi) + logDet + q)
    }

    /// log det(L Lᵀ) = 2 Σ log Lᵢᵢ.
    static func logDeterminant(factor l: [Double], dim d: Int) -> Double {
        var s = 0.0
        for i in 0..<d { s += log(l[i * d + i]) }
        return 2 * s
    }

    /// Formats a number for model descriptions (4 significant digits).
    static func format(_ x: Double) -> String { String(format: "%.4g", x) }

    static func format(_ xs: [Double]) -> String { "[" + xs.map(format).joined(separator: ", ") + "]" }
}
