import XCTest
@testable import Ouro

/// Every `Oracles` function against a simulation of exactly the loop its documentation describes,
/// with the runner's generation index (generation g = the model fitted g + 1 times). Chains are
/// seeded, so the tests are deterministic; the tolerance is 4 standard errors of the Monte Carlo
/// mean. (The Gaussian MLE / unbiased oracles are checked in GaussianModelTests.)
final class OraclesTests: XCTestCase {
    private func meanAndSE(_ xs: [Double]) -> (mean: Double, se: Double) {
        let n = Double(xs.count)
        let m = xs.reduce(0, +) / n
        let v = xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1)
        return (m, (v / n).squareRoot())
    }

    /// Runs `chains` chains of `generations` steps; `step(g, rng)` returns the value recorded at g.
    private func simulate(chains: Int, generations: Int, seed: UInt64,
                          _ chain: (inout Xoshiro256) throws -> [Double]) rethrows -> [[Double]] {
        var out = Array(repeating: [Double](), count: generations)
        for c in 0..<chains {
            var rng = Xoshiro256(seed: seed, .index(c))
            let values = try chain(&rng)
            for g in 0..<generations { out[g].append(values[g]) }
        }
        return out
    }

    private func assertMatches(_ sims: [[Double]], _ oracle: (Int) -> Double, _ what: String,
                               file: StaticString = #filePath, line: UInt = #line) {
        for (g, xs) in sims.enumerated() {
            let (m, se) = meanAndSE(xs)
            XCTAssertEqual(m, oracle(g), accuracy: 4 * se + 1e-12, "\(what), g = \(g)", file: file, line: line)
        }
    }

    // MARK: Gaussian mean with known σ

    /// Known-σ Gaussian mean loops (σ = 1, n rows): replace, accumulate, subsample.
    private func meanLoop(_ mode: Oracles.Mode, n: Int, generations: Int, rng: inout Xoshiro256) throws -> [Double] {
        var pool = (0..<n).map { _ in rng.normal() }       // generation 0's training data
        var train = pool
        var errors: [Double] = []
        var model = GaussianModel(knownSD: 1)
        for _ in 0..<generations {
            try model.fit(dim: 1, values: train)
            errors.append(model.mean[0] * model.mean[0])
            let new = model.generate(n: n, rng: &rng)
            switch mode {
            case .replace: train = new
            case .accumulate: pool += new; train = pool
            case .subsample: pool += new; train = rng.sampleIndices(n, from: pool.count).map { pool[$0] }
            }
        }
        return errors
    }

    func testGaussianMeanErrorMatchesReplaceAccumulateAndSubsample() throws {
        for mode in Oracles.Mode.allCases {
            let sims = try simulate(chains: 4000, generations: 8, seed: 11) { rng in try meanLoop(mode, n: 5, generations: 8, rng: &rng) }
            assertMatches(sims, { Oracles.gaussianMeanError(sigma2: 1, n: 5, mode: mode, generation: $0) }, "\(mode)")
        }
        // The three differ: subsample lies between accumulate and replace.
        let g = 7
        let r = Oracles.gaussianMeanError(sigma2: 1, n: 5, mode: .replace, generation: g)
        let a = Oracles.gaussianMeanError(sigma2: 1, n: 5, mode: .accumulate, generation: g)
        let s = Oracles.gaussianMeanError(sigma2: 1, n: 5, mode: .subsample, generation: g)
        XCTAssertLessThan(a, s)
        XCTAssertLessThan(s, r)
        XCTAssertLessThan(a, Double.pi * Double.pi / 6 / 5)
    }

    func testFreshDataErrorMatchesTheLoopAndTendsToTheStationaryValue() throws {
        let n = 10, rho = 0.3, fresh = 3
        let sims = try simulate(chains: 4000, generations: 12, seed: 12) { rng in
            var model = GaussianModel(knownSD: 1)
            var train = (0..<n).map { _ in rng.normal() }
            var out: [Double] = []
            for _ in 0..<12 {
                try model.fit(dim: 1, values: train)
                out.append(model.mean[0] * model.mean[0])
                train = model.generate(n: n - fresh, rng: &rng) + (0..<fresh).map { _ in rng.normal() }
            }
            return out
        }
        assertMatches(sims, { Oracles.freshDataError(sigma2: 1, n: n, rho: rho, generation: $0) }, "fresh ρ = 0.3")
        XCTAssertEqual(Oracles.freshDataError(sigma2: 1, n: n, rho: rho, generation: 400),
                       Oracles.freshDataStationaryError(sigma2: 1, n: n, rho: rho), accuracy: 1e-12)
        XCTAssertEqual(Oracles.freshDataError(sigma2: 2, n: n, rho: 0, generation: 4), 2 * 5 / Double(n), accuracy: 1e-12)
    }

    // MARK: Linear regression

    private func linregLoop(_ mode: Oracles.Mode, rows t: Int, features d: Int, sigma: Double, intercept: Bool,
                            generations: Int, rng: inout Xoshiro256) throws -> [Double] {
        let w = (0..<d).map { Double($0 + 1) }
        var human = [Double]()
        for _ in 0..<t {
            var y = 0.0
            for j in 0..<d { let x = rng.normal(); human.append(x); y += w[j] * x }
            human.append(y + sigma * rng.normal())
        }
        var train = human
        var out: [Double] = []
        for _ in 0..<generations {
            var m = LinearRegressionModel(intercept: intercept, noise: sigma, design: .fixed)
            try m.fit(dim: d + 1, values: train)
            out.append(zip(m.coefficients, w).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) })
            let new = m.generate(n: t, rng: &rng)
            train = mode == .replace ? new : train + new
        }
        return out
    }

    func testLinearRegressionErrorGrowsLinearlyUnderReplaceAndStaysBoundedUnderAccumulate() throws {
        for mode in [Oracles.Mode.replace, .accumulate] {
            let sims = try simulate(chains: 3000, generations: 6, seed: 13) { rng in
                try linregLoop(mode, rows: 12, features: 3, sigma: 0.5, intercept: false, generations: 6, rng: &rng)
            }
            assertMatches(sims, { Oracles.linearRegressionError(sigma2: 0.25, rows: 12, features: 3, mode: mode, generation: $0) }, "\(mode)")
        }
        // With an intercept the constant is σ²d/(T − d − 2).
        let sims = try simulate(chains: 3000, generations: 4, seed: 14) { rng in
            try linregLoop(.replace, rows: 12, features: 3, sigma: 0.5, intercept: true, generations: 4, rng: &rng)
        }
        assertMatches(sims, { Oracles.linearRegressionError(sigma2: 0.25, rows: 12, features: 3, intercept: true, mode: .replace, generation: $0) }, "intercept")
    }

    // MARK: KDE

    func testKDEVarianceMatchesReplaceAndAccumulate() throws {
        let n = 8, h = 0.5
        for mode in [Oracles.Mode.replace, .accumulate] {
            let sims = try simulate(chains: 4000, generations: 7, seed: 15) { rng in
                var train = (0..<n).map { _ in 1.5 * rng.normal() }
                var out: [Double] = []
                for _ in 0..<7 {
                    var m = KDEModel(bandwidth: h)
                    try m.fit(dim: 1, values: train)
                    out.append(m.variances[0])
                    let new = m.generate(n: n, rng: &rng)
                    train = mode == .replace ? new : train + new
                }
                return out
            }
            assertMatches(sims, { Oracles.kdeVariance(sigma2: 2.25, n: n, bandwidth: h, mode: mode, generation: $0) }, "kde \(mode)")
        }
        // Replace tends to n·h².
        XCTAssertEqual(Oracles.kdeVariance(sigma2: 1, n: 8, bandwidth: 0.5, mode: .replace, generation: 2000), 8 * 0.25, accuracy: 1e-9)
    }

    // MARK: Gaussian mixture (total variance = the MLE oracle)

    func testGMMTotalVarianceShrinksAsTheMLEOracle() throws {
        let n = 40
        let sims = try simulate(chains: 1500, generations: 6, seed: 16) { rng in
            // Generation 0 trains on draws of the mixture ½N(−3, 1) + ½N(3, 1) (variance 10).
            var train = (0..<n).map { _ in (rng.uniform() < 0.5 ? -3.0 : 3.0) + rng.normal() }
            var out: [Double] = []
            for g in 0..<6 {
                var m = GMMModel(k: 2, seed: UInt64(g) + 1)
                try m.fit(dim: 1, values: train)
                out.append(m.mixtureVariances[0])
                train = m.generate(n: n, rng: &rng)
            }
            return out
        }
        assertMatches(sims, { Oracles.mleVariance(sigma2: 10, n: n, generation: $0) }, "gmm total variance")
    }

    // MARK: Wright–Fisher

    func testLossInOneStepAndMeanFixationTime() throws {
        // A type of count 2 among n = 10 disappears in one resampling with probability (1 − 2/10)^10.
        var rng = Xoshiro256(seed: 17)
        var lost = 0
        let trials = 20000
        for _ in 0..<trials {
            var seen = false
            for _ in 0..<10 where rng.int(below: 10) < 2 { seen = true }
            if !seen { lost += 1 }
        }
        let p = Oracles.lossInOneStep(count: 2, n: 10)
        XCTAssertEqual(Double(lost) / Double(trials), p, accuracy: 4 * (p * (1 - p) / Double(trials)).squareRoot())

        // Mean fixation time: the diffusion approximation, within 10% at n = 20.
        let shares = [0.5, 0.3, 0.2], n = 20
        var times: [Double] = []
        for chain in 0..<2000 {
            var r = Xoshiro256(seed: 18, .index(chain))
            var p = shares
            var t = 0
            while p.filter({ $0 > 0 }).count > 1 {
                var counts = [0, 0, 0]
                for _ in 0..<n { counts[r.categorical(p)] += 1 }
                p = counts.map { Double($0) / Double(n) }
                t += 1
            }
            times.append(Double(t))
        }
        let mean = times.reduce(0, +) / Double(times.count)
        XCTAssertEqual(mean, Oracles.meanFixationTime(shares: shares, n: n), accuracy: 0.1 * mean)
    }
}
