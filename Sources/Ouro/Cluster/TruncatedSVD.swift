import Foundation

/// Truncated SVD of a sparse matrix by the randomized range finder of Halko, Martinsson & Tropp
/// (2011, Algorithms 4.4 and 5.1), seeded and deterministic: the document projection of latent
/// semantic analysis.
public enum TruncatedSVD {
    /// The result: the rows projected on the leading `k` right singular vectors (`U_k Σ_k`).
    public struct Result: Sendable {
        /// Row-major `rows × dimensions` coordinates.
        public let coordinates: [Double]
        /// Number of coordinates per row (`min(k, rows, columns)`).
        public let dimensions: Int
        /// The leading singular values, decreasing.
        public let singularValues: [Double]
    }

    /// The leading `k` singular triplets of `a`, approximately (exact when `k + oversampling`
    /// reaches the rank).
    ///
    /// Draws a Gaussian test matrix Ω (`columns × l`, `l = k + oversampling`) from the stream
    /// `(seed, "svd")`, forms Q = orth(A Ω) refined by `powerIterations` rounds of
    /// orth(A (Aᵀ Q)), then the eigen-decomposition (cyclic Jacobi) of the small `l × l` matrix
    /// (QᵀA)(QᵀA)ᵀ. Singular vector signs are fixed so that the largest entry of each small
    /// eigenvector is positive. Same input and seed ⇒ bit-identical output.
    /// - Parameters:
    ///   - a: the matrix (e.g. TF-IDF rows).
    ///   - k: number of dimensions to keep.
    ///   - oversampling: extra random directions (default 10).
    ///   - powerIterations: refinement rounds (default 4).
    ///   - seed: seeds Ω.
    /// - Complexity: O(nnz · l · (2 · powerIterations + 3) + (rows + columns) · l² + l³) time,
    ///   O((rows + columns) · l) memory.
    public static func fit(_ a: SparseMatrix, k: Int, oversampling: Int = 10, powerIterations: Int = 4,
                           seed: UInt64) -> Result {
        let kk = max(0, min(k, a.rows, a.columns))
        let l = min(kk + max(0, oversampling), min(a.rows, a.columns))
        if kk == 0 || l == 0 {
            return Result(coordinates: [], dimensions: 0, singularValues: [])
        }
        var rng = Xoshiro256(seed: seed, "svd")
        var omega = [Double](repeating: 0, count: a.columns * l)
        for i in omega.indices { omega[i] = rng.normal() }
        var q = a.multiply(omega, width: l)
        orthonormalize(&q, rows: a.rows, width: l)
        for _ in 0..<powerIterations {
            var z = a.transposeMultiply(q, width: l)
            orthonormalize(&z, rows: a.columns, width: l)
            q = a.multiply(z, width: l)
            orthonormalize(&q, rows: a.rows, width: l)
        }
        // Bᵀ = Aᵀ Q (columns × l); M = B Bᵀ = (Bᵀ)ᵀ Bᵀ (l × l).
        let bt = a.transposeMultiply(q, width: l)
        var m = [Double](repeating: 0, count: l * l)
        for r in 0..<a.columns {
            let base = r * l
            for i in 0..<l {
                let x = bt[base + i]
                if x == 0 { continue }
                for j in i..<l { m[i * l + j] += x * bt[base + j] }
            }
        }
        for i in 0..<l { for j in 0..<i { m[i * l + j] = m[j * l + i] } }
        let (values, vectors) = symmetricEigen(m, n: l)   // decreasing values, vectors as columns
        let sigma = values.prefix(kk).map { max($0, 0).squareRoot() }
        // Coordinates U Σ = Q · V_k · Σ_k.
        var coords = [Double](repeating: 0, count: a.rows * kk)
        for r in 0..<a.rows {
            for c in 0..<kk {
                var s = 0.0
                for j in 0..<l { s += q[r * l + j] * vectors[j * l + c] }
                coords[r * kk + c] = s * sigma[c]
            }
        }
        return Result(coordinates: coords, dimensions: kk, singularValues: Array(sigma))
    }

    /// Orthonormalises the columns of a row-major `rows × width` matrix in place (modified
    /// Gram–Schmidt, applied twice, on a column-major copy); a column that is (numerically)
    /// dependent on the earlier ones becomes zero.
    /// - Complexity: O(rows · width²).
    static func orthonormalize(_ x: inout [Double], rows: Int, width: Int) {
        var cm = [Double](repeating: 0, count: rows * width)
        for r in 0..<rows { for c in 0..<width { cm[c * rows + r] = x[r * width + c] } }
        cm.withUnsafeMutableBufferPointer { p in
            for c in 0..<width {
                let col = p.baseAddress! + c * rows
                var original = 0.0
                for r in 0..<rows { original += col[r] * col[r] }
                for _ in 0..<2 {
                    for prev in 0..<c {
                        let pc = p.baseAddress! + prev * rows
                        var dot = 0.0
                        for r in 0..<rows { dot += col[r] * pc[r] }
                        if dot != 0 { for r in 0..<rows { col[r] -= dot * pc[r] } }
                    }
                }
                var norm = 0.0
                for r in 0..<rows { norm += col[r] * col[r] }
                norm = norm.squareRoot()
                if norm == 0 || norm <= 1e-10 * original.squareRoot() {
                    for r in 0..<rows { col[r] = 0 }
                } else {
                    for r in 0..<rows { col[r] /= norm }
                }
            }
        }
        for r in 0..<rows { for c in 0..<width { x[r * width + c] = cm[c * rows + r] } }
    }

    /// Eigenvalues (decreasing) and eigenvectors (columns of a row-major `n × n` matrix) of a
    /// symmetric matrix, by cyclic Jacobi rotations until the off-diagonal mass is below 1e-15 of
    /// the total. Each eigenvector's largest-magnitude entry is made positive.
    static func symmetricEigen(_ matrix: [Double], n: Int) -> ([Double], [Double]) {
        var a = matrix
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        var total = 0.0
        for x in a { total += x * x }
        for _ in 0..<100 {
            var off = 0.0
            for i in 0..<n { for j in (i + 1)..<max(n, i + 1) { off += 2 * a[i * n + j] * a[i * n + j] } }
            if off <= 1e-30 * total || off == 0 { break }
            for p in 0..<n {
                for q in (p + 1)..<max(n, p + 1) {
                    let apq = a[p * n + q]
                    if apq == 0 { continue }
                    let app = a[p * n + p], aqq = a[q * n + q]
                    let theta = (aqq - app) / (2 * apq)
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<n {
                        let akp = a[k * n + p], akq = a[k * n + q]
                        a[k * n + p] = c * akp - s * akq
                        a[k * n + q] = s * akp + c * akq
                    }
                    for k in 0..<n {
                        let apk = a[p * n + k], aqk = a[q * n + k]
                        a[p * n + k] = c * apk - s * aqk
                        a[q * n + k] = s * apk + c * aqk
                    }
                    for k in 0..<n {
                        let vkp = v[k * n + p], vkq = v[k * n + q]
                        v[k * n + p] = c * vkp - s * vkq
                        v[k * n + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        let order = (0..<n).sorted { a[$0 * n + $0] > a[$1 * n + $1] || (a[$0 * n + $0] == a[$1 * n + $1] && $0 < $1) }
        var values = [Double](), vectors = [Double](repeating: 0, count: n * n)
        for (newCol, old) in order.enumerated() {
            values.append(a[old * n + old])
            var big = 0, bigAbs = -1.0
            for k in 0..<n where abs(v[k * n + old]) > bigAbs { bigAbs = abs(v[k * n + old]); big = k }
            let sign: Double = v[big * n + old] < 0 ? -1 : 1
            for k in 0..<n { vectors[k * n + newCol] = sign * v[k * n + old] }
        }
        return (values, vectors)
    }
}
