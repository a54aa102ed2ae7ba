import Foundation
import XCTest
@testable import Ouro

final class SemanticMetricsTests: XCTestCase {
    /// Reference values: numpy/scipy in float64 on the fixture's (rounded) reference embeddings,
    /// computed by scripts/parity/embed_reference.py (definitions there).
    func testMetricsMatchTheNumpyReferenceOnTheFixture() throws {
        let fx = try EmbeddingTestSupport.fixture()
        let e = EmbeddingMatrix(rowArrays: fx.embeddings)
        XCTAssertEqual(try SemanticMetrics.semanticDiversity(e), fx.metrics["semantic_diversity"]!, accuracy: 1e-9)
        XCTAssertEqual(try SemanticMetrics.knnDiversity(e, k: 5), fx.metrics["knn_diversity_5"]!, accuracy: 1e-9)
        XCTAssertEqual(try SemanticMetrics.knnDiversity(e, k: 15), fx.metrics["knn_diversity_15"]!, accuracy: 1e-9)
        XCTAssertEqual(try SemanticMetrics.vendi(e), fx.metrics["vendi"]!, accuracy: 1e-8)
        XCTAssertEqual(try SemanticMetrics.embeddingVariance(e), fx.metrics["embedding_variance"]!, accuracy: 1e-12)
    }

    /// Reference: scipy.linalg.sqrtm of Σa·Σb (the FID code) on the first 8 dimensions, 20 vs 20 rows.
    func testFrechetDistanceMatchesScipySqrtmReference() throws {
        let fx = try EmbeddingTestSupport.fixture()
        let a = EmbeddingMatrix(rowArrays: fx.embeddings[0..<20].map { Array($0.prefix(8)) })
        let b = EmbeddingMatrix(rowArrays: fx.embeddings[20..<40].map { Array($0.prefix(8)) })
        XCTAssertEqual(try SemanticMetrics.frechetDistance(a, b), fx.frechet_first8_20v20, accuracy: 1e-9)
    }

    /// Hand derivation: for n orthonormal rows every pair has cosine 0 (distance 1), K = I so
    /// K/n has n eigenvalues 1/n and Vendi = exp(log n) = n.
    func testOrthonormalRowsHaveDiversityOneAndVendiN() throws {
        var rows: [[Float]] = []
        for i in 0..<4 { var r = [Float](repeating: 0, count: 6); r[i] = i % 2 == 0 ? 2 : -1; rows.append(r) }
        let e = EmbeddingMatrix(rowArrays: rows)
        XCTAssertEqual(try SemanticMetrics.semanticDiversity(e), 1, accuracy: 1e-12)
        XCTAssertEqual(try SemanticMetrics.knnDiversity(e, k: 5), 1, accuracy: 1e-12)
        XCTAssertEqual(try SemanticMetrics.vendi(e), 4, accuracy: 1e-9)
    }

    /// Hand derivation: identical rows have cosine 1 (diversity 0) and K/n = (1/n)·11ᵀ has the single
    /// eigenvalue 1, so Vendi = 1. Eight rows in 3 dimensions exercise the d × d (dual) path.
    func testIdenticalRowsHaveDiversityZeroAndVendiOne() throws {
        let e = EmbeddingMatrix(rowArrays: Array(repeating: [0.6, 0.8, 0], count: 8))
        XCTAssertEqual(try SemanticMetrics.semanticDiversity(e), 0, accuracy: 1e-12)
        XCTAssertEqual(try SemanticMetrics.knnDiversity(e, k: 3), 0, accuracy: 1e-7)
        XCTAssertEqual(try SemanticMetrics.vendi(e), 1, accuracy: 1e-9)
        XCTAssertEqual(try SemanticMetrics.embeddingVariance(e), 0, accuracy: 1e-12)
    }

    /// Hand derivation: rows (1, 0) and (−1, 0): per-dimension variances 1 and 0, mean 0.5.
    func testEmbeddingVarianceIsThePopulationVarianceMeanOverDimensions() throws {
        let e = EmbeddingMatrix(rowArrays: [[1, 0], [-1, 0]])
        XCTAssertEqual(try SemanticMetrics.embeddingVariance(e), 0.5, accuracy: 1e-12)
    }

    /// Hand derivation: translating a set by s leaves its covariance unchanged, so the distance is
    /// ‖s‖² (here 3² + 4² = 25), and a set's distance to itself is 0 — also with fewer rows than
    /// dimensions (singular covariance).
    func testFrechetDistanceOfATranslationIsTheSquaredShift() throws {
        let rows: [[Float]] = [[0.1, 0.5, -0.2], [0.3, -0.1, 0.0], [-0.4, 0.2, 0.7], [0.0, 0.9, -0.3], [0.2, 0.2, 0.2]]
        let a = EmbeddingMatrix(rowArrays: rows)
        let b = EmbeddingMatrix(rowArrays: rows.map { [$0[0] + 3, $0[1] + 4, $0[2]] })
        XCTAssertEqual(try SemanticMetrics.frechetDistance(a, b), 25, accuracy: 1e-5)
        // Zero up to round-off (square roots of eigenvalues near 0 amplify it).
        XCTAssertEqual(try SemanticMetrics.frechetDistance(a, a), 0, accuracy: 1e-7)
        let few = EmbeddingMatrix(rowArrays: Array(rows.prefix(2)))
        XCTAssertEqual(try SemanticMetrics.frechetDistance(few, few), 0, accuracy: 1e-7)
    }

    func testMetricsRejectTooFewRowsAndMismatchedWidths() {
        let one = EmbeddingMatrix(rowArrays: [[1, 0]])
        XCTAssertThrowsError(try SemanticMetrics.semanticDiversity(one))
        XCTAssertThrowsError(try SemanticMetrics.knnDiversity(one, k: 5))
        XCTAssertThrowsError(try SemanticMetrics.frechetDistance(EmbeddingMatrix(rowArrays: [[1, 0], [0, 1]]),
                                                                 EmbeddingMatrix(rowArrays: [[1, 0, 0], [0, 1, 0]])))
    }
}
