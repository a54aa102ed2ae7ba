import Foundation
import XCTest
@testable import Ouro

final class DistancesTests: XCTestCase {
    func testJSIsZeroForIdenticalCorporaAndSymmetric() {
        let a = [["a", "b", "a"], ["c"]], b = [["x", "y"], ["a"]]
        XCTAssertEqual(Distances.jsDivergence(a, a, n: 1), 0, accuracy: 1e-15)
        XCTAssertEqual(Distances.jsDivergence(a, b, n: 2), Distances.jsDivergence(b, a, n: 2), accuracy: 1e-15)
    }

    func testJSOfDisjointCorporaApproachesOneBitAsEpsilonVanishes() {
        // Without smoothing, disjoint supports give M = P/2 on P's support: JS = ½·1 + ½·1 = 1 bit.
        let js = Distances.jsDivergence([["a", "b"]], [["c", "d"]], n: 1, epsilon: 1e-12)
        XCTAssertEqual(js, 1, accuracy: 1e-9)
    }

    func testSmoothedKLByHand() {
        // A = {a:1}, B = {b:1}, ε = 1: union {a, b}; P = (2/3, 1/3), Q = (1/3, 2/3);
        // KL = 2/3·log2 2 + 1/3·log2 ½ = 1/3 bit.
        XCTAssertEqual(Distances.klDivergence([["a"]], [["b"]], n: 1, epsilon: 1), 1.0 / 3.0, accuracy: 1e-15)
    }

    func testShiftIsTheMeanOfTheLastFiveOverGenerationZero() throws {
        let values: [Double] = [2, 9, 9, 9, 1, 1, 1, 2, 0]   // last 5: 1,1,1,2,0 → mean 1
        let s = try Shift(values: values, last: 5)
        XCTAssertEqual(s.ratio, 0.5)
        XCTAssertEqual(s.difference, -1)
        XCTAssertEqual(s.absoluteDifference, 1)
        XCTAssertEqual(try Shift(values: [4, 2], last: 5).generationsAveraged, 1)
        XCTAssertThrowsError(try Shift(values: [0, 1]))
        XCTAssertThrowsError(try Shift(values: [1]))
    }

    /// Unigrams and bigrams are counted with integer keys; the result equals counting joined strings.
    func testPackedCountsEqualTheStringDefinition() {
        var rng = Xoshiro256(seed: 8, "distances")
        func corpus(_ n: Int) -> [[String]] {
            (0..<n).map { _ in (0..<rng.int(below: 12)).map { _ in "w\(rng.int(below: 40))" } }
        }
        for _ in 0..<5 {
            let a = corpus(60), b = corpus(45)
            for n in 1...2 {
                let (p, q) = Distances.smoothed(Distances.ngramCounts(a, n: n), Distances.ngramCounts(b, n: n), epsilon: 0.5)
                XCTAssertEqual(Distances.jsDivergence(a, b, n: n), Distances.js(p, q), accuracy: 1e-12)
                XCTAssertEqual(Distances.klDivergence(a, b, n: n), Distances.kl(p, q), accuracy: 1e-12)
            }
        }
    }
}
