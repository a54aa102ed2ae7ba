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
        pin()
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
        pin()
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }

    /// `C = Aᵀ · A` in double precision for row-major `A` (m × n); `C` is n × n, both triangles filled.
    /// - Complexity: O(m · n²).
    static func gram(_ a: UnsafePointer<Double>, rows m: Int, cols n: Int) -> [Double] {
        var c = [Double](repeating: 0, count: n * n)
        pin()
        c.withUnsafeMutableBufferPointer { cp in
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, blasint(n), blasint(n), blasint(m), 1,
                        a, blasint(n), a, blasint(n), 0, cp.baseAddress, blasint(n))
        }
        return c
    }

    /// `C = A · B` in double precision, row-major, `A` m × k, `B` k × n.
    /// - Complexity: O(m · n · k).
    static func multiply(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        pin()
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, blasint(m), blasint(n), blasint(k), 1,
                                ap.baseAddress, blasint(k), bp.baseAddress, blasint(n), 0, cp.baseAddress, blasint(n))
                }
            }
        }
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
        pin()
        dsyev_(&jobz, &uplo, &nn, &a, &lda, &w, &query, &lwork, &info, 1, 1)
        lwork = Int32(max(query[0], Double(3 * n)))
        var work = [Double](repeating: 0, count: Int(lwork))
        dsyev_(&jobz, &uplo, &nn, &a, &lda, &w, &work, &lwork, &info, 1, 1)
        guard info == 0 else { throw EmbeddingError.invalidInput("symmetric eigen-decomposition failed (dsyev info \(info))") }
        return (w, vectors ? a : [])
    }

    /// OpenBLAS runs every call on the calling thread: its thread count is one process-wide setting
    /// (`openblas_set_num_threads` writes a global every call reads), so it is set to 1 once, before
    /// the first call, and never changed. Parallel work splits into independent single-threaded calls
    /// over tiles fixed by the shape (`Kernels.gemmTiled`), so results do not depend on the number of
    /// workers, and workers of one process (`--jobs N`) run their products at the same time.
    private static let singleThreaded: Void = openblas_set_num_threads(1)

    /// Makes sure OpenBLAS is at one thread (see `singleThreaded`); every entry point calls it.
    @inline(__always)
    static func pin() { _ = singleThreaded }
}
