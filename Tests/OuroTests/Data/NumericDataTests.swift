import XCTest
@testable import Ouro

final class NumericDataTests: XCTestCase {
    func testNormalIsDeterministicRowMajorWithTheRequestedMoments() throws {
        let a = try NumericData.normal(mean: [10, -5], sd: 2, n: 20_000, seed: 1)
        XCTAssertEqual(a, try NumericData.normal(mean: [10, -5], sd: 2, n: 20_000, seed: 1))
        XCTAssertEqual(a.dim, 2)
        XCTAssertEqual(a.count, 20_000)
        for j in 0..<2 {
            let xs = stride(from: j, to: a.values.count, by: 2).map { a.values[$0] }
            let m = xs.reduce(0, +) / Double(xs.count)
            let v = xs.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(xs.count - 1)
            // Standard error of the mean is 2/√20000 ≈ 0.014; of the variance ≈ 4·√(2/20000) ≈ 0.04.
            XCTAssertEqual(m, j == 0 ? 10 : -5, accuracy: 0.07)
            XCTAssertEqual(v, 4, accuracy: 0.2)
        }
        // Values are the stream (seed, "normal") drawn row by row.
        var rng = Xoshiro256(seed: 1, "normal")
        XCTAssertEqual(a.values[0], rng.normal(mean: 10, sd: 2))
        XCTAssertEqual(a.values[1], rng.normal(mean: -5, sd: 2))
        XCTAssertEqual(a.description, "NumericData(20000 rows, dim 2)")
    }

    func testCategoricalDrawsZeroBasedIdsWithTheGivenFrequencies() throws {
        let c = try NumericData.categorical(probs: [0.5, 0.3, 0.2], n: 30_000, seed: 2)
        XCTAssertEqual(c.dim, 1)
        XCTAssertTrue(c.values.allSatisfy { [0, 1, 2].contains($0) })
        for (k, p) in [0.5, 0.3, 0.2].enumerated() {
            let f = Double(c.values.filter { $0 == Double(k) }.count) / 30_000
            XCTAssertEqual(f, p, accuracy: 0.015)  // > 5 binomial standard errors (≤ 0.0029)
        }
        XCTAssertEqual(c, try NumericData.categorical(probs: [0.5, 0.3, 0.2], n: 30_000, seed: 2))
    }

    func testRejectsBadParameters() {
        XCTAssertThrowsError(try NumericData.normal(mean: 0, sd: -1, n: 3, seed: 1))
        XCTAssertThrowsError(try NumericData.normal(mean: [], sd: 1, n: 3, seed: 1))
        XCTAssertThrowsError(try NumericData.categorical(probs: [0, 0], n: 3, seed: 1))
        XCTAssertThrowsError(try NumericData.categorical(probs: [0.5, -0.1], n: 3, seed: 1))
        XCTAssertThrowsError(try NumericData.categorical(probs: [1], n: -1, seed: 1))
    }
}
