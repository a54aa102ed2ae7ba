import XCTest
@testable import Ouro

final class DescriptiveTests: XCTestCase {
    func testSummaryUsesTheSampleSDAndATBasedInterval() {
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, Σ(x−5)² = 32, sample variance 32/7.
        let xs: [Double] = [2, 4, 4, 4, 5, 5, 7, 9]
        let s = Descriptive.summary(xs)
        XCTAssertEqual(s.n, 8)
        XCTAssertEqual(s.mean, 5)
        XCTAssertEqual(s.sd, (32.0 / 7).squareRoot(), accuracy: 1e-15)
        // t(0.975, 7) = 2.364624251592784 (scipy.stats.t.ppf(0.975, 7)).
        XCTAssertEqual(s.ci95, 2.364624251592784 * s.sd / 8.0.squareRoot(), accuracy: 1e-12)
    }

    func testSmallSamplesHaveNoSpread() {
        XCTAssertTrue(Descriptive.mean([]).isNaN)
        let one = Descriptive.summary([3])
        XCTAssertEqual(one.mean, 3)
        XCTAssertTrue(one.sd.isNaN && one.ci95.isNaN)
    }

    func testTQuantileHasClosedFormsForOneAndTwoDegreesOfFreedom() {
        // df = 1 is Cauchy: q(p) = tan(π(p − ½)); df = 2: q(p) = (2p − 1)·√(2 / (4p(1 − p))).
        for p in [0.6, 0.9, 0.975, 0.999] {
            XCTAssertEqual(StudentT.quantile(p, df: 1), tan(Double.pi * (p - 0.5)), accuracy: 1e-9 * max(1, tan(Double.pi * (p - 0.5))))
            let q2 = (2 * p - 1) * (2 / (4 * p * (1 - p))).squareRoot()
            XCTAssertEqual(StudentT.quantile(p, df: 2), q2, accuracy: 1e-10 * max(1, q2))
            XCTAssertEqual(StudentT.quantile(1 - p, df: 2), -q2, accuracy: 1e-10 * max(1, q2))
        }
        XCTAssertEqual(StudentT.twoSidedP(0, df: 5), 1, accuracy: 1e-15)
    }
}
