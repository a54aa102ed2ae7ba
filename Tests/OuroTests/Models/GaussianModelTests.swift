import XCTest
@testable import Ouro

/// Mean and its standard error over independent Monte Carlo chains.
private func meanAndSE(_ xs: [Double]) -> (mean: Double, se: Double) {
    let n = Double(xs.count)
    let m = xs.reduce(0, +) / n
    let v = xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1)
    return (m, (v / n).squareRoot())
}

final class GaussianModelTests: XCTestCase {
    /// Runs `chains` replace loops of `generations` fits on n rows each, starting from N(0, σ²) human
    /// data, and returns per generation the fitted (mean, variance) of every chain.
    private func loop(estimator: GaussianModel.Estimator, n: Int, sigma: Double, generations: Int,
                      chains: Int, seed: UInt64) throws -> [[(mean: Double, variance: Double)]] {
        var out = Array(repeating: [(mean: Double, variance: Double)](), count: generations)
        for chain in 0..<chains {
            var rng = Xoshiro256(seed: seed, .index(chain))
            var data = (0..<n).map { _ in sigma * rng.normal() }
            var model = GaussianModel(estimator: estimator)
            for g in 0..<generations {
                try model.fit(dim: 1, values: data)
                out[g].append((model.mean[0], model.variance))
                data = model.generate(n: n, rng: &rng)
            }
        }
        return out
    }

    func testFitsMeanAndVarianceWithTheChosenDivisor() throws {
        // Rows 1, 2, 3, 6: mean 3, squared deviations 4 + 1 + 0 + 9 = 14.
        var mle = GaussianModel(estimator: .mle)
        try mle.fit(dim: 1, values: [1, 2, 3, 6])
        XCTAssertEqual(mle.mean, [3])
        XCTAssertEqual(mle.variance, 14.0 / 4, accuracy: 1e-15)
        var unbiased = GaussianModel(estimator: .unbiased)
        try unbiased.fit(dim: 1, values: [1, 2, 3, 6])
        XCTAssertEqual(unbiased.variance, 14.0 / 3, accuracy: 1e-15)
        XCTAssertTrue(unbiased.description.contains("unbiased, 1-D, 4 rows"), unbiased.description)
    }

    func testFitsAFullCovarianceInSeveralDimensions() throws {
        // Rows (0,0), (2,2), (4,0), (2,-2)... hand-computed: mean (2, 0);
        // deviations (−2,0), (0,2), (2,0), (0,−2): Sxx = 8, Syy = 8, Sxy = 0.
        // Add a correlated set: rows (0,0), (1,2), (2,4): mean (1,2), Sxx=2, Sxy=4, Syy=8.
        var m = GaussianModel(estimator: .unbiased)
        try m.fit(dim: 2, values: [0, 0, 1, 2, 2, 4])
        XCTAssertEqual(m.mean, [1, 2])
        XCTAssertEqual(m.covariance, [1, 2, 2, 4])
        // Rank one: the semi-definite Cholesky keeps every draw on the line y = 2x.
        var rng = Xoshiro256(seed: 3)
        let draws = m.generate(n: 50, rng: &rng)
        for i in 0..<50 { XCTAssertEqual(draws[2 * i + 1], 2 * draws[2 * i], accuracy: 1e-9) }
    }

    func testMultivariateSamplesReproduceTheCovariance() throws {
        var truth = GaussianModel(estimator: .mle)
        // A definite 3-D covariance from six hand-picked rows.
        try truth.fit(dim: 3, values: [1, 0, 2, 0, 1, 1, 2, 2, 0, -1, 0, 1, 0, -2, 3, 1, 1, 1])
        var rng = Xoshiro256(seed: 11)
        let draws = truth.generate(n: 200_000, rng: &rng)
        var refit = GaussianModel(estimator: .mle)
        try refit.fit(dim: 3, values: draws)
        // Standard error of a sample covariance entry is ≤ √((σᵢᵢσⱼⱼ + σᵢⱼ²)/N) ≤ √(2·max σ²/N)·max σ.
        let maxVar = truth.variances.max()!
        let se = (2 * maxVar * maxVar / 200_000).squareRoot()
        for i in 0..<9 { XCTAssertEqual(refit.covariance[i], truth.covariance[i], accuracy: 5 * se) }
        for j in 0..<3 { XCTAssertEqual(refit.mean[j], truth.mean[j], accuracy: 5 * (maxVar / 200_000).squareRoot()) }
    }

    func testRejectsBadShapesAndTooFewRows() {
        var m = GaussianModel(estimator: .unbiased)
        XCTAssertThrowsError(try m.fit(dim: 2, values: [1, 2, 3])) { XCTAssertEqual($0 as? NumericModelError, .shape(dim: 2, count: 3)) }
        XCTAssertThrowsError(try m.fit(dim: 1, values: [1])) {
            XCTAssertEqual($0 as? NumericModelError, .tooFewRows(model: "gaussian", rows: 1, needed: 2))
        }
        XCTAssertThrowsError(try m.fit(dim: 1, values: [1, .nan]))
    }

    func testGenerationIsDeterministicForASeed() throws {
        var m = GaussianModel(estimator: .mle)
        try m.fit(dim: 1, values: [0, 1, 2, 5])
        var a = Xoshiro256(seed: 9), b = Xoshiro256(seed: 9)
        XCTAssertEqual(m.generate(n: 100, rng: &a), m.generate(n: 100, rng: &b))
    }

    // MARK: - Oracles (PAPER.md), 2000 chains, tolerance 4 standard errors of the Monte Carlo mean.

    func testMLEReplaceShrinksVarianceAtTheRateOfTheOracle() throws {
        for n in [10, 100] {
            let sigma = 2.0
            let gens = try loop(estimator: .mle, n: n, sigma: sigma, generations: 21, chains: 2000, seed: UInt64(n))
            for g in 0...20 {
                let (m, se) = meanAndSE(gens[g].map(\.variance))
                let expected = Oracles.mleVariance(sigma2: sigma * sigma, n: n, generation: g)
                XCTAssertEqual(m, expected, accuracy: 4 * se, "n = \(n), g = \(g)")
            }
            let drift = meanAndSE(gens[20].map { $0.mean * $0.mean })
            XCTAssertEqual(drift.mean, Oracles.mleMeanSquaredDrift(sigma2: sigma * sigma, n: n, generation: 20),
                           accuracy: 4 * drift.se, "n = \(n)")
        }
        // The oracle is a real constraint: n = 10 loses ~89% of the variance by g = 20.
        XCTAssertLessThan(Oracles.mleVariance(sigma2: 1, n: 10, generation: 20), 0.12)
    }

    func testUnbiasedReplaceShrinksTheSDByAlphaAndTheMeanDriftsLinearly() throws {
        for n in [10, 100] {
            let sigma = 1.5
            let gens = try loop(estimator: .unbiased, n: n, sigma: sigma, generations: 21, chains: 2000, seed: 1000 + UInt64(n))
            for g in [0, 1, 2, 5, 10, 15, 20] {
                let sd = meanAndSE(gens[g].map { $0.variance.squareRoot() })
                XCTAssertEqual(sd.mean, Oracles.unbiasedSD(sigma: sigma, n: n, generation: g), accuracy: 4 * sd.se, "n = \(n), g = \(g)")
                let drift = meanAndSE(gens[g].map { $0.mean * $0.mean })
                XCTAssertEqual(drift.mean, Oracles.unbiasedMeanSquaredDrift(sigma2: sigma * sigma, n: n, generation: g),
                               accuracy: 4 * drift.se, "n = \(n), g = \(g)")
            }
        }
    }

    func testAlphaMatchesTheGammaRatioForSmallN() {
        // n = 2: α = √2 · Γ(1)/Γ(1/2) = √2/√π. n = 3: α = √1 · Γ(3/2)/Γ(1) = √π/2.
        XCTAssertEqual(Oracles.alpha(n: 2), (2 / Double.pi).squareRoot(), accuracy: 1e-14)
        XCTAssertEqual(Oracles.alpha(n: 3), Double.pi.squareRoot() / 2, accuracy: 1e-14)
        // Large n stays finite and approaches 1 − 1/(4n).
        XCTAssertEqual(Oracles.alpha(n: 100_000), 1 - 1.0 / 400_000, accuracy: 1e-9)
    }

    func testFreshDataFractionHoldsTheMeanErrorAtTheStationaryOracle() throws {
        // Mean-only Gaussian with known σ; each generation trains on round(ρn) fresh human rows
        // (from N(0, σ²)) and n − round(ρn) rows generated by the previous model.
        let n = 20, sigma = 1.0
        for rho in [0.1, 0.5] {
            let fresh = Int((rho * Double(n)).rounded())
            var perChain = [Double]()
            for chain in 0..<1000 {
                var rng = Xoshiro256(seed: 77, .index(chain), .name("rho\(rho)"))
                var model = GaussianModel(estimator: .mle, knownSD: sigma)
                try model.fit(dim: 1, values: (0..<n).map { _ in sigma * rng.normal() })
                var sum = 0.0
                for g in 1...160 {
                    var train = model.generate(n: n - fresh, rng: &rng)
                    for _ in 0..<fresh { train.append(sigma * rng.normal()) }
                    try model.fit(dim: 1, values: train)
                    // (1−ρ)^(2·60) < 4e-6: from generation 60 on the chain is stationary.
                    if g > 60 { sum += model.mean[0] * model.mean[0] }
                }
                perChain.append(sum / 100)
            }
            let (m, se) = meanAndSE(perChain)
            let expected = Oracles.freshDataStationaryError(sigma2: sigma * sigma, n: n, rho: rho)
            XCTAssertEqual(m, expected, accuracy: 4 * se, "ρ = \(rho)")
        }
    }
}
