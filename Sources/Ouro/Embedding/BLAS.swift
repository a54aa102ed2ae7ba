import COpenBLAS
import Foundation

/// Ouro's one door to OpenBLAS (CBLAS `sgemm`, LAPACK `dsyev`). Everything in `Embedding/` that needs
/// dense linear algebra goes through these helpers; no other file imports `COpenBLAS`.
enum BLAS {
    /// `C = alpha · A · Bᵀ + beta · C` for row-major `A` (m × k, leading dimension `lda`), `B` (n × k,
    /// `ldb`) and `C` (m × n, `ldc`): the product of a PyTorch-style `Linear` weight (out × in).
    /// - Complexity: O(m · n · k).
    @inline(__always)
    static func gemmABt(m: Int, n: Int, k: Int, alpha: Float = 1,
                        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, blasint(m), blasint(n), blasint(k), alpha,
                    a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }

    /// `C = alpha · op(A) · op(B) + beta · C`, row-major, `op(X)` = `Xᵀ` when its flag is set; `op(A)`
    /// is m × k, `op(B)` k × n, `C` m × n.
    /// - Complexity: O(m · n · k).
    @inline(__always)
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                     a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                     beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }

    /// `C = Aᵀ · A` in double precision for row-major `A` (m × n); `C` is n × n, both triangles filled.
    /// - Complexity: O(m · n²).
    static func gram(_ a: UnsafePointer<Double>, rows m: Int, cols n: Int) -> [Double] {
        var c = [Double](repeating: 0, count: n * n)
        withThreads(1) { c.withUnsafeMutableBufferPointer { cp in
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, blasint(n), blasint(n), blasint(m), 1,
                        a, blasint(n), a, blasint(n), 0, cp.baseAddress, blasint(n))
        } }
        return c
    }

    /// `C = A · B` in double precision, row-major, `A` m × k, `B` k × n.
    /// - Complexity: O(m · n · k).
    static func multiply(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        withThreads(1) { a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, blasint(m), blasint(n), blasint(k), 1,
                                ap.baseAddress, blasint(k), bp.baseAddress, blasint(n), 0, cp.baseAddress, blasint(n))
                }
            }
        } }
        return c
    }

    /// Eigen-decomposition of a real symmetric n × n matrix (LAPACK `dsyev`).
    /// - Parameter matrix: the matrix, row-major (only symmetry matters: row- and column-major agree).
    /// - Parameter vectors: whether to compute eigenvectors.
    /// - Returns: eigenvalues in ascending order and, if asked, the eigenvectors as rows
    ///   (`vectors[k * n + i]` is component `i` of the eigenvector of `values[k]`).
    /// - Complexity: O(n³).
    static func symmetricEigen(_ matrix: [Double], n: Int, vectors: Bool) throws -> (values: [Double], vectors: [Double]) {
        precondition(matrix.count == n * n)
        if n == 0 { return ([], []) }
        var a = matrix
        var w = [Double](repeating: 0, count: n)
        var jobz: CChar = vectors ? 86 /* V */ : 78 /* N */
        var uplo: CChar = 85 /* U */
        var nn = Int32(n), lda = Int32(n), info: Int32 = 0
        var lwork: Int32 = -1
        var query = [Double](repeating: 0, count: 1)
        withThreads(1) {
            dsyev_(&jobz, &uplo, &nn, &a, &lda, &w, &query, &lwork, &info, 1, 1)
            lwork = Int32(max(query[0], Double(3 * n)))
            var work = [Double](repeating: 0, count: Int(lwork))
            dsyev_(&jobz, &uplo, &nn, &a, &lda, &w, &work, &lwork, &info, 1, 1)
        }
        guard info == 0 else { throw EmbeddingError.invalidInput("symmetric eigen-decomposition failed (dsyev info \(info))") }
        return (w, vectors ? a : [])
    }

    /// The number of threads OpenBLAS uses for one call.
    static var threads: Int { Int(openblas_get_num_threads()) }

    /// OpenBLAS's thread count is one process-wide setting (`openblas_set_num_threads` writes a
    /// global that every BLAS call reads): it is changed, and every call that depends on it runs,
    /// only under this lock, so a worker's calls never see another worker's setting.
    private static let lock = NSLock()

    /// Runs `body` holding `lock` with OpenBLAS at `n` threads; restores the previous count.
    /// Not reentrant: `body` must not call another `withThreads`.
    static func withThreads<T>(_ n: Int, _ body: () throws -> T) rethrows -> T {
        lock.lock(); defer { lock.unlock() }
        let previous = threads
        openblas_set_num_threads(Int32(max(1, n)))
        defer { openblas_set_num_threads(Int32(previous)) }
        return try body()
    }
}
