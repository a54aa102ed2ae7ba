import XCTest
@testable import Ouro

final class GMMModelTests: XCTestCase {
    private func twoClusters(seed: UInt64, n: Int) -> [Double] {
        var rng = Xoshiro256(seed: seed)
        var x = [Double]()
        for i in 0..<n {
            if i % 4 == 0 { x += [5 + 0.5 * rng.normal(), -3 + 0.5 * rng.normal()] }   // weight 1/4
            else { x += [-2 + rng.normal(), 1 + 2 * rng.normal()] }                      // weight 3/4
        }
        return x
    }

    func testRecoversTheParametersOfTwoSeparatedComponents() throws {
        var m = GMMModel(k: 2, seed: 1)
        try m.fit(dim: 2, values: twoClusters(seed: 3, n: 4000))
        XCTAssertTrue(m.converged)
        let small = m.weights[0] < m.weights[1] ? 0 : 1, big = 1 - small
        // Standard errors with 1000 / 3000 rows: weight ≈ 0.007, means ≈ 0.016 / 0.04.
        XCTAssertEqual(m.weights[small], 0.25, accuracy: 0.03)
        XCTAssertEqual(m.mean(small)[0], 5, accuracy: 0.08)
        XCTAssertEqual(m.mean(small)[1], -3, accuracy: 0.08)
        XCTAssertEqual(m.mean(big)[0], -2, accuracy: 0.1)
        XCTAssertEqual(m.mean(big)[1], 1, accuracy: 0.2)
        XCTAssertEqual(m.covariance(big)[3], 4, accuracy: 0.5)
        XCTAssertEqual(m.covariance(small)[0], 0.25, accuracy: 0.05)
        XCTAssertTrue(m.description.hasPrefix("GMM(k=2, 2-D, 4000 rows"), m.description)
    }

    func testFittingIsDeterministicForASeed() throws {
        let x = twoClusters(seed: 4, n: 500)
        var a = GMMModel(k: 3, seed: 9), b = GMMModel(k: 3, seed: 9)
        try a.fit(dim: 2, values: x)
        try b.fit(dim: 2, values: x)
        XCTAssertEqual(a.weights, b.weights)
        XCTAssertEqual(a.means, b.means)
        XCTAssertEqual(a.covariances, b.covariances)
        var r1 = Xoshiro256(seed: 2), r2 = Xoshiro256(seed: 2)
        XCTAssertEqual(a.generate(n: 50, rng: &r1), b.generate(n: 50, rng: &r2))
    }

    func testOneComponentEqualsTheMLEGaussianPlusTheFloor() throws {
        let x = twoClusters(seed: 5, n: 300)
        var m = GMMModel(k: 1, seed: 0, varianceFloor: 1e-6)
        try m.fit(dim: 2, values: x)
        var g = GaussianModel(estimator: .mle)
        try g.fit(dim: 2, values: x)
        XCTAssertEqual(m.weights, [1])
        for j in 0..<2 { XCTAssertEqual(m.means[j], g.mean[j], accuracy: 1e-12) }
        XCTAssertEqual(m.covariances[1], g.covariance[1], accuracy: 1e-12)
        XCTAssertEqual(m.covariances[0], g.covariance[0] * (1 + 1e-6), accuracy: 1e-12)
        XCTAssertEqual(m.covariances[3], g.covariance[3] * (1 + 1e-6), accuracy: 1e-12)
    }

    func testTheVarianceFloorKeepsACollapsedComponentDefinite() throws {
        // Three identical points and a far cluster: one component sits on a single value.
        var x: [Double] = [10, 10, 10]
        var rng = Xoshiro256(seed: 6)
        for _ in 0..<100 { x.append(rng.normal()) }
        var m = GMMModel(k: 2, seed: 3)
        try m.fit(dim: 1, values: x)
        XCTAssertTrue(m.logLikelihood.isFinite)
        XCTAssertTrue(m.covariances.allSatisfy { $0 > 0 && $0.isFinite })
        let draws = m.generate(n: 1000, rng: &rng)
        XCTAssertTrue(draws.allSatisfy(\.isFinite))
    }

    func testFarRowsDoNotUnderflowTheResponsibilities() throws {
        // Without log-sum-exp a row 1e4 standard deviations from both components gets 0/0.
        var m = GMMModel(k: 2, seed: 1)
        try m.fit(dim: 1, values: [0, 0.1, -0.1, 0.05, 20, 20.1, 19.9, 20.05, 1e5])
        XCTAssertTrue(m.logLikelihood.isFinite)
        XCTAssertTrue(m.weights.allSatisfy(\.isFinite))
    }

    func testRejectsFewerRowsThanComponents() {
        var m = GMMModel(k: 3)
        XCTAssertThrowsError(try m.fit(dim: 1, values: [1, 2])) {
            XCTAssertEqual($0 as? NumericModelError, .tooFewRows(model: "gmm", rows: 2, needed: 3))
        }
    }
}
