import XCTest
@testable import Ouro

final class OLSTests: XCTestCase {
    func testAnExactLineHasUnitR2AndItsOwnCoefficients() throws {
        // y = 3 + 2x exactly, plus a second regressor z with no effect except through noise-free y.
        let x: [Double] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
        let z: [Double] = [1, 0, 3, 1, 4, 1, 5, 9, 2, 6]
        let y = zip(x, z).map { 3 + 2 * $0 - 0.5 * $1 }
        let r = try OLS.fit(y: y, x: [("x", x), ("z", z)], standardize: false, folds: 5, seed: 1)
        XCTAssertEqual(r.coef[0], 3, accuracy: 1e-12)
        XCTAssertEqual(r["x"]!.coef, 2, accuracy: 1e-12)
        XCTAssertEqual(r["z"]!.coef, -0.5, accuracy: 1e-12)
        XCTAssertEqual(r.r2, 1, accuracy: 1e-12)
        XCTAssertEqual(r.cvR2, 1, accuracy: 1e-12)
        XCTAssertNil(r["intercept"]!.vif)
        XCTAssertEqual(r.dfResidual, 7)
    }

    func testStandardizedSlopeOfOneRegressorIsThePearsonCorrelation() throws {
        // With one regressor the standardized beta equals r, and VIF is 1.
        let x: [Double] = [1, 2, 4, 4, 5, 7, 8, 10]
        let y: [Double] = [2, 1, 5, 3, 6, 6, 9, 8]
        let r = try OLS.fit(y: y, x: [("x", x)], standardize: true, folds: 4, seed: 2)
        let mx = Descriptive.mean(x), my = Descriptive.mean(y)
        let sxy = zip(x, y).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
        let sxx = x.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }, syy = y.reduce(0) { $0 + ($1 - my) * ($1 - my) }
        let pearson = sxy / (sxx * syy).squareRoot()
        XCTAssertEqual(r["x"]!.coef, pearson, accuracy: 1e-12)
        XCTAssertEqual(r.r2, pearson * pearson, accuracy: 1e-12)
        XCTAssertEqual(r.vif, [1])
        XCTAssertEqual(r.coef[0], 0, accuracy: 1e-12)
    }

    func testCrossValidatedR2DependsOnTheSeedButNotOnStandardizing() throws {
        var rng = Xoshiro256(seed: 4)
        let x = (0..<40).map { _ in rng.normal() }
        let y = x.map { $0 + rng.normal() }
        let a = try OLS.fit(y: y, x: [("x", x)], standardize: false, folds: 10, seed: 1)
        let b = try OLS.fit(y: y, x: [("x", x)], standardize: true, folds: 10, seed: 1)
        let c = try OLS.fit(y: y, x: [("x", x)], standardize: false, folds: 10, seed: 2)
        XCTAssertEqual(a.cvR2, b.cvR2, accuracy: 1e-12)
        XCTAssertNotEqual(a.cvR2, c.cvR2)
        XCTAssertLessThan(a.cvR2, a.r2)
    }

    func testRefusesBadInput() {
        XCTAssertThrowsError(try OLS.fit(y: [1, 2, 3], x: [("x", [1, 2])], standardize: false, seed: 1)) {
            XCTAssertEqual($0 as? OLSError, .length(name: "x", count: 2, expected: 3))
        }
        XCTAssertThrowsError(try OLS.fit(y: [1, 2], x: [("x", [1, 2])], standardize: false, folds: 2, seed: 1)) {
            XCTAssertEqual($0 as? OLSError, .tooFewRows(rows: 2, parameters: 2))
        }
        XCTAssertThrowsError(try OLS.fit(y: [1, 2, 3, 4], x: [("x", [1, 1, 1, 1])], standardize: true, folds: 2, seed: 1)) {
            XCTAssertEqual($0 as? OLSError, .constant(name: "x"))
        }
        let a: [Double] = [1, 2, 3, 4, 6], b = a.map { 2 * $0 + 1 }
        XCTAssertThrowsError(try OLS.fit(y: [1, 3, 2, 5, 4], x: [("a", a), ("b", b)], standardize: false, folds: 2, seed: 1)) {
            XCTAssertEqual($0 as? OLSError, .collinear(name: "b"))
        }
        XCTAssertThrowsError(try OLS.fit(y: [1, 3, 2, 5], x: [("a", [1, 2, 3, 4]), ("a", [4, 1, 2, 2])], standardize: false, folds: 2, seed: 1))
        XCTAssertThrowsError(try OLS.fit(y: [1, 3, 2, .nan], x: [("a", [1, 2, 3, 4])], standardize: false, folds: 2, seed: 1))
    }
}
