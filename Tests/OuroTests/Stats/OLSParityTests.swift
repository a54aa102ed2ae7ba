import Foundation
import XCTest
@testable import Ouro

/// Compares `OLS.fit` and `StudentT` with the statsmodels/scipy reference values written by
/// scripts/parity/ols.sh into Tests/Fixtures/parity/ols/ols.json.
final class OLSParityTests: XCTestCase {
    private struct Fixture: Decodable {
        struct Column: Decodable { let name: String; let values: [Double] }
        struct Case: Decodable {
            let name: String, standardize: Bool, folds: Int, seed: UInt64
            let y: [Double], x: [Column], order: [Int]
            let coef, se, t, p, ci_lower, ci_upper, vif: [Double]
            let r2, adj_r2, cv_r2: Double
        }
        struct Quantile: Decodable { let df, p, quantile: Double }
        struct PValue: Decodable { let df, t, p_two_sided: Double }
        let cases: [Case]
        let t_quantiles: [Quantile]
        let t_p_values: [PValue]
    }

    private func fixture() throws -> Fixture {
        let url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/parity/ols/ols.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    /// |a − b| ≤ 1e-8 · max(1, |b|).
    private func close(_ a: Double, _ b: Double, _ what: @autoclosure () -> String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertLessThanOrEqual(abs(a - b), 1e-8 * max(1, abs(b)), "\(what()): \(a) vs reference \(b)", file: file, line: line)
    }

    func testCoefficientsInferenceAndFitStatisticsMatchStatsmodels() throws {
        let f = try fixture()
        XCTAssertEqual(f.cases.count, 3)
        for c in f.cases {
            let r = try OLS.fit(y: c.y, x: c.x.map { (name: $0.name, values: $0.values) }, standardize: c.standardize,
                                folds: c.folds, seed: c.seed)
            XCTAssertEqual(r.names, ["intercept"] + c.x.map(\.name))
            for j in 0..<r.names.count {
                let what = "\(c.name) \(r.names[j])"
                close(r.coef[j], c.coef[j], "\(what) coef")
                close(r.se[j], c.se[j], "\(what) se")
                // The intercept of a standardized fit is 0 to rounding: its t and p are noise.
                if !(c.standardize && j == 0) {
                    close(r.t[j], c.t[j], "\(what) t")
                    close(r.p[j], c.p[j], "\(what) p")
                }
                close(r.ci95[j].lower, c.ci_lower[j], "\(what) ci lower")
                close(r.ci95[j].upper, c.ci_upper[j], "\(what) ci upper")
            }
            close(r.r2, c.r2, "\(c.name) r2")
            close(r.adjR2, c.adj_r2, "\(c.name) adj r2")
            for j in 0..<c.vif.count { close(r.vif[j], c.vif[j], "\(c.name) vif \(j)") }
            close(r.cvR2, c.cv_r2, "\(c.name) cv r2")
        }
    }

    func testTheCrossValidationShuffleIsTheOneThePythonScriptReplays() throws {
        for c in try fixture().cases {
            var order = Array(0..<c.y.count)
            var rng = Xoshiro256(seed: c.seed)
            rng.shuffle(&order)
            XCTAssertEqual(order, c.order, c.name)
        }
    }

    func testStudentTQuantilesAndPValuesMatchScipy() throws {
        let f = try fixture()
        for q in f.t_quantiles {
            close(StudentT.quantile(q.p, df: q.df), q.quantile, "t quantile p=\(q.p) df=\(q.df)")
            close(StudentT.cdf(q.quantile, df: q.df), q.p, "t cdf df=\(q.df)")
        }
        for v in f.t_p_values {
            close(StudentT.twoSidedP(v.t, df: v.df), v.p_two_sided, "t p-value t=\(v.t) df=\(v.df)")
        }
    }
}
