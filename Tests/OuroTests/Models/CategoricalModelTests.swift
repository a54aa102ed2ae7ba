import XCTest
@testable import Ouro

final class CategoricalModelTests: XCTestCase {
    func testFitsEmpiricalFrequencies() throws {
        var m = CategoricalModel()
        try m.fit(dim: 1, values: [0, 2, 2, 1, 2, 0])
        XCTAssertEqual(m.counts, [2, 1, 3])
        XCTAssertEqual(m.probabilities, [2.0 / 6, 1.0 / 6, 3.0 / 6])
        // 1 − (4 + 1 + 9)/36
        XCTAssertEqual(m.heterozygosity, 1 - 14.0 / 36, accuracy: 1e-15)
        XCTAssertEqual(m.support, 3)
        XCTAssertTrue(m.description.hasPrefix("Categorical(K=3, 6 rows, support 3"), m.description)
    }

    func testRejectsValuesThatAreNotCategoryIds() {
        var m = CategoricalModel(categories: 3)
        XCTAssertThrowsError(try m.fit(dim: 1, values: [0, 1.5]))
        XCTAssertThrowsError(try m.fit(dim: 1, values: [0, 3]))
        XCTAssertThrowsError(try m.fit(dim: 1, values: [-1]))
        XCTAssertThrowsError(try m.fit(dim: 2, values: [0, 1]))
    }

    func testDrawsFollowTheProbabilitiesAndNeverAnAbsentCategory() throws {
        var m = CategoricalModel(categories: 5)
        try m.fit(dim: 1, values: [0, 1, 1, 3, 3, 3, 3, 3])   // p = (1, 2, 0, 5, 0)/8
        var rng = Xoshiro256(seed: 5)
        let n = 80_000
        let draws = m.generate(n: n, rng: &rng)
        var c = [Int](repeating: 0, count: 5)
        for d in draws { c[Int(d)] += 1 }
        XCTAssertEqual(c[2], 0)
        XCTAssertEqual(c[4], 0)
        for k in [0, 1, 3] {
            let p = m.probabilities[k]
            XCTAssertEqual(Double(c[k]) / Double(n), p, accuracy: 4 * (p * (1 - p) / Double(n)).squareRoot())
        }
    }

    func testWrightFisherHeterozygosityDecaysAsTheOracle() throws {
        // The human distribution has shares 0.4, 0.3, 0.2, 0.1; generation 0 fits n = 50 draws of it
        // (the runner's convention: generation g has been fitted g + 1 times). 2000 chains, g = 0…30.
        let n = 50, chains = 2000, generations = 31
        let initial = [Double](repeating: 0, count: 20) + [Double](repeating: 1, count: 15)
            + [Double](repeating: 2, count: 10) + [Double](repeating: 3, count: 5)
        var human = CategoricalModel(categories: 4)
        try human.fit(dim: 1, values: initial)
        var h = Array(repeating: [Double](), count: generations)
        for chain in 0..<chains {
            var rng = Xoshiro256(seed: 42, .index(chain))
            var data = human.generate(n: n, rng: &rng)
            var model = CategoricalModel(categories: 4)
            for g in 0..<generations {
                try model.fit(dim: 1, values: data)
                h[g].append(model.heterozygosity)
                data = model.generate(n: n, rng: &rng)
            }
        }
        let h0 = 1 - (400.0 + 225 + 100 + 25) / 2500
        for g in 0..<generations {
            let m = h[g].reduce(0, +) / Double(chains)
            let v = h[g].reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(chains - 1)
            let se = (v / Double(chains)).squareRoot()
            XCTAssertEqual(m, Oracles.heterozygosity(initial: h0, n: n, generation: g), accuracy: 4 * se + 1e-12, "g = \(g)")
        }
    }

    func testFixationProbabilityEqualsTheInitialShare() throws {
        // n = 20, type 0 starts with 6 of 20 (share 0.3) beside types 1 and 2 (7 each).
        let n = 20, chains = 4000
        let initial = [Double](repeating: 0, count: 6) + [Double](repeating: 1, count: 7) + [Double](repeating: 2, count: 7)
        var fixedZero = 0
        for chain in 0..<chains {
            var rng = Xoshiro256(seed: 8, .index(chain))
            var data = initial
            var model = CategoricalModel(categories: 3)
            var steps = 0
            repeat {
                try model.fit(dim: 1, values: data)
                data = model.generate(n: n, rng: &rng)
                steps += 1
            } while model.support > 1 && steps < 10_000
            XCTAssertEqual(model.support, 1, "chain \(chain) did not fix")
            if model.counts[0] == n { fixedZero += 1 }
        }
        let p = Oracles.fixationProbability(initialShare: 0.3)
        let se = (p * (1 - p) / Double(chains)).squareRoot()
        XCTAssertEqual(Double(fixedZero) / Double(chains), p, accuracy: 4 * se)
    }
}
