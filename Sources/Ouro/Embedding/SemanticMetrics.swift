import Foundation

/// Semantic diversity metrics over sentence embeddings (rows of an `EmbeddingMatrix`). All work in
/// double precision; cosine similarities use each row normalised to unit length (rows of zero
/// length are left as zero vectors).
public enum SemanticMetrics {
    /// Rows as unit vectors in double precision, row-major.
    static func unitRows(_ e: EmbeddingMatrix) -> [Double] {
        var u = [Double](repeating: 0, count: e.rows * e.cols)
        e.storage.withUnsafeBufferPointer { s in
            for i in 0..<e.rows {
                var n2 = 0.0
                for j in 0..<e.cols { let v = Double(s[i * e.cols + j]); n2 += v * v }
                let inv = n2 > 0 ? 1 / n2.squareRoot() : 0
                for j in 0..<e.cols { u[i * e.cols + j] = Double(s[i * e.cols + j]) * inv }
            }
        }
        return u
    }

    /// The study's semantic diversity: the mean cosine distance `1 − cos(eᵢ, eⱼ)` over all pairs i < j.
    ///
    /// Computed without the n × n matrix: for unit rows uᵢ, `Σ_{i<j} uᵢ·uⱼ = (‖Σᵢ uᵢ‖² − Σᵢ ‖uᵢ‖²) / 2`.
    /// - Throws: `EmbeddingError.invalidInput` for fewer than two rows.
    /// - Complexity: O(n · d).
    public static func semanticDiversity(_ e: EmbeddingMatrix) throws -> Double {
        guard e.rows >= 2 else { throw EmbeddingError.invalidInput("semantic_diversity needs at least 2 embeddings, got \(e.rows)") }
        let u = unitRows(e)
        var sum = [Double](repeating: 0, count: e.cols)
        var selfDots = 0.0
        for i in 0..<e.rows {
            for j in 0..<e.cols { let v = u[i * e.cols + j]; sum[j] += v; selfDots += v * v }
        }
        let total = sum.reduce(0) { $0 + $1 * $1 }
        let pairs = Double(e.rows) * Double(e.rows - 1) / 2
        return 1 - (total - selfDots) / 2 / pairs
    }

    /// The cosine similarity matrix `K` (n × n, row-major) of the rows.
    /// - Complexity: O(n² · d).
    public static func cosineSimilarities(_ e: EmbeddingMatrix) -> [Double] {
        let u = unitRows(e)
        let n = e.rows, d = e.cols
        // K = U Uᵀ: the Gram of Uᵀ (d × n) — transpose once, then one BLAS product.
        var ut = [Double](repeating: 0, count: n * d)
        for i in 0..<n { for j in 0..<d { ut[j * n + i] = u[i * d + j] } }
        return ut.withUnsafeBufferPointer { BLAS.gram($0.baseAddress!, rows: d, cols: n) }
    }

    /// kNN diversity: for each row, the mean cosine distance to its `k` nearest other rows (all
    /// others if there are fewer than `k`); the mean of that over rows.
    /// - Throws: `EmbeddingError.invalidInput` for fewer than two rows or `k < 1`.
    /// - Complexity: O(n² · d + n² log n).
    public static func knnDiversity(_ e: EmbeddingMatrix, k: Int) throws -> Double {
        guard e.rows >= 2, k >= 1 else { throw EmbeddingError.invalidInput("knn_diversity needs at least 2 embeddings and k ≥ 1 (got \(e.rows), k = \(k))") }
        let n = e.rows
        let kk = min(k, n - 1)
        let sims = cosineSimilarities(e)
        var total = 0.0
        var row = [Double](repeating: 0, count: n - 1)
        for i in 0..<n {
            var m = 0
            for j in 0..<n where j != i { row[m] = 1 - sims[i * n + j]; m += 1 }
            row.sort()
            var s = 0.0
            for t in 0..<kk { s += row[t] }
            total += s / Double(kk)
        }
        return total / Double(n)
    }

    /// The Vendi score with q = 1: `exp(−Σ λ log λ)` over the positive eigenvalues λ of `K / n`, K the
    /// cosine similarity matrix.
    ///
    /// K = U Uᵀ and the d × d matrix Uᵀ U share their non-zero eigenvalues, so the smaller of the two
    /// is decomposed (LAPACK `dsyev`).
    /// - Throws: `EmbeddingError.invalidInput` for no rows.
    /// - Complexity: O(n · d · min(n, d) + min(n, d)³).
    public static func vendi(_ e: EmbeddingMatrix) throws -> Double {
        guard e.rows >= 1 else { throw EmbeddingError.invalidInput("vendi needs at least 1 embedding") }
        let n = e.rows, d = e.cols
        var m: [Double]
        let size: Int
        if n <= d {
            m = cosineSimilarities(e); size = n
        } else {
            let u = unitRows(e)
            m = u.withUnsafeBufferPointer { BLAS.gram($0.baseAddress!, rows: n, cols: d) }; size = d
        }
        for i in m.indices { m[i] /= Double(n) }
        let values = try BLAS.symmetricEigen(m, n: size, vectors: false).values
        var h = 0.0
        for l in values where l > 0 { h -= l * log(l) }
        return exp(h)
    }

    /// The mean over dimensions of the per-dimension variance (population variance, divisor n).
    /// - Throws: `EmbeddingError.invalidInput` for no rows.
    /// - Complexity: O(n · d).
    public static func embeddingVariance(_ e: EmbeddingMatrix) throws -> Double {
        guard e.rows >= 1, e.cols >= 1 else { throw EmbeddingError.invalidInput("embedding_variance needs at least 1 embedding") }
        let (mean, _) = moments(e, covariance: false)
        var total = 0.0
        for j in 0..<e.cols {
            var s = 0.0
            for i in 0..<e.rows { let v = Double(e.storage[i * e.cols + j]) - mean[j]; s += v * v }
            total += s / Double(e.rows)
        }
        return total / Double(e.cols)
    }

    /// The mean and (if asked) the sample covariance (divisor n − 1), row-major d × d.
    static func moments(_ e: EmbeddingMatrix, covariance: Bool) -> (mean: [Double], cov: [Double]) {
        let n = e.rows, d = e.cols
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { mean[j] += Double(e.storage[i * d + j]) } }
        for j in 0..<d { mean[j] /= Double(n) }
        guard covariance else { return (mean, []) }
        var centred = [Double](repeating: 0, count: n * d)
        for i in 0..<n { for j in 0..<d { centred[i * d + j] = Double(e.storage[i * d + j]) - mean[j] } }
        var cov = centred.withUnsafeBufferPointer { BLAS.gram($0.baseAddress!, rows: n, cols: d) }
        let div = Double(max(n - 1, 1))
        for i in cov.indices { cov[i] /= div }
        return (mean, cov)
    }

    /// The Fréchet distance between Gaussians fitted to two sets of embeddings (as FID):
    /// `‖μa − μb‖² + tr(Σa) + tr(Σb) − 2 tr((Σa Σb)^½)`, Σ the sample covariances (divisor n − 1).
    ///
    /// Method: `tr((Σa Σb)^½) = tr((Σa^½ Σb Σa^½)^½)`, the latter a symmetric positive semi-definite
    /// matrix. `Σa^½` comes from the eigen-decomposition of Σa (negative round-off eigenvalues set to
    /// 0); the trace is the sum of the square roots of the (clamped) eigenvalues of `Σa^½ Σb Σa^½`.
    /// Both decompositions are LAPACK `dsyev` in double precision. Unlike a general `sqrtm` of the
    /// non-symmetric product, this is exact for singular covariances (fewer samples than dimensions).
    /// - Throws: `EmbeddingError.invalidInput` if the widths differ or a set has fewer than 2 rows.
    /// - Complexity: O((na + nb) · d² + d³).
    public static func frechetDistance(_ a: EmbeddingMatrix, _ b: EmbeddingMatrix) throws -> Double {
        guard a.cols == b.cols else { throw EmbeddingError.invalidInput("frechet distance: widths differ (\(a.cols) vs \(b.cols))") }
        guard a.rows >= 2, b.rows >= 2 else { throw EmbeddingError.invalidInput("frechet distance needs at least 2 embeddings in each set (got \(a.rows) and \(b.rows))") }
        let d = a.cols
        let (ma, ca) = moments(a, covariance: true)
        let (mb, cb) = moments(b, covariance: true)
        var meanTerm = 0.0
        for j in 0..<d { let t = ma[j] - mb[j]; meanTerm += t * t }
        var traces = 0.0
        for j in 0..<d { traces += ca[j * d + j] + cb[j * d + j] }
        // Σa^½ = V diag(√λ) Vᵀ.
        let (values, vectors) = try BLAS.symmetricEigen(ca, n: d, vectors: true)
        var scaled = vectors   // row k: √λ_k · v_k
        for k in 0..<d {
            let s = max(values[k], 0).squareRoot()
            for i in 0..<d { scaled[k * d + i] *= s }
        }
        // sqrtA[i][j] = Σ_k v_k[i] √λ_k v_k[j]  =  (Vᵀ) · scaled, with V's rows the eigenvectors.
        var vt = [Double](repeating: 0, count: d * d)
        for k in 0..<d { for i in 0..<d { vt[i * d + k] = vectors[k * d + i] } }
        let sqrtA = BLAS.multiply(vt, scaled, m: d, k: d, n: d)
        var m = BLAS.multiply(BLAS.multiply(sqrtA, cb, m: d, k: d, n: d), sqrtA, m: d, k: d, n: d)
        for i in 0..<d { for j in (i + 1)..<max(i + 1, d) { let s = (m[i * d + j] + m[j * d + i]) / 2; m[i * d + j] = s; m[j * d + i] = s } }
        let inner = try BLAS.symmetricEigen(m, n: d, vectors: false).values
        var traceSqrt = 0.0
        for l in inner { traceSqrt += max(l, 0).squareRoot() }
        return meanTerm + traces - 2 * traceSqrt
    }
}
