import Foundation
import XCTest
import Ouro
@testable import OuroLua

/// Issue 18: what the classic model-collapse experiments need (toy models and data, metrics of the
/// model, per-seed results, paired grids, accumulate-subsample) and the defects it found.
final class ClassicsTests: XCTestCase {
    func write(_ source: String, _ dir: String, _ name: String = "exp.lua") throws {
        try source.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
    }

    func run(_ source: String, _ args: [String] = ["run", "exp.lua", "--quiet"]) throws -> (Int32, String, String, String) {
        let dir = TestSupport.tempFolder()
        try write(source, dir)
        let r = try TestSupport.runOuro(args, cwd: dir)
        return (r.0, r.1, r.2, dir)
    }

    // MARK: Defects

    func testAScheduleFunctionsBadValueNamesTheFunctionsLine() throws {
        let source = ExperimentTests.gaussian().replacingOccurrences(
            of: "synthetic_ratio = 0.5,", with: "\n  synthetic_ratio = function(g)\n    return g == 3 and 1.2 or 0.5\n  end,")
        let r = try run(source)
        XCTAssertEqual(r.0, 2, r.2)
        XCTAssert(r.2.contains("exp.lua:6: experiment 'g', cell 1: synthetic_ratio must be a number between 0 and 1, got 1.2 at generation 3"), r.2)
        XCTAssertFalse(FileManager.default.fileExists(atPath: r.3 + "/results/g.db"))
    }

    func testEvalSizeZeroIsAcceptedAndContradictsMetrics() throws {
        let none = ExperimentTests.gaussian().replacingOccurrences(of: "metrics = { \"mean\", \"variance\" }, eval_size = 50", with: "eval_size = 0")
        var r = try run(none)
        XCTAssertEqual(r.0, 0, r.2)
        let store = try ResultStore.open(r.3 + "/results/g.db", mode: .readOnly)
        XCTAssertEqual(try store.metricNames(), [])
        XCTAssertEqual(try store.runs().filter { $0.status == .finished }.count, 3)

        r = try run(ExperimentTests.gaussian().replacingOccurrences(of: "eval_size = 50", with: "eval_size = 0"))
        XCTAssertEqual(r.0, 2, r.2)
        XCTAssert(r.2.contains("exp.lua:1: experiment: 'eval_size' = 0 computes no metric, yet 'metrics' names 2"), r.2)
    }

    func testContradictoryModelOptionsAreRejected() throws {
        let (s, _) = try TestSupport.session("return ouro.model.gaussian{ estimator = 'unbiased', known_sd = 1 }")
        XCTAssertThrowsError(try s.run()) { e in
            XCTAssert("\(e)".contains("script.lua:1:") && "\(e)".contains("'estimator' has no effect with 'known_sd'"), "\(e)")
        }
    }

    func testAFailedRunIsNumberedOnceTheUsersWay() throws {
        let source = """
        ouro.metrics.register("boom", function(v) error("boom") end, { kind = "numeric" })
        """ + ExperimentTests.gaussian().replacingOccurrences(of: "\"mean\", \"variance\"", with: "\"boom\"")
            .replacingOccurrences(of: "seeds = { 1, 2, 3 }", with: "seeds = { 7 }")
        let r = try run(source)
        XCTAssertEqual(r.0, 1, r.2)
        XCTAssert(r.2.contains("  cell 1, seed 7, human reference: "), r.2)
        XCTAssertFalse(r.2.contains("cell 0"), r.2)
        XCTAssertFalse(r.2.contains("seed 7: cell"), r.2)
    }

    func testCheckCatchesAModelThatCannotReadTheData() throws {
        let source = ExperimentTests.gaussian().replacingOccurrences(of: "ouro.model.gaussian{ estimator = \"mle\" }", with: "ouro.model.categorical{ categories = 3 }")
            .replacingOccurrences(of: "metrics = { \"mean\", \"variance\" }", with: "metrics = { \"support\" }")
        let r = try run(source, ["check", "exp.lua"])
        XCTAssertEqual(r.0, 2, r.1 + r.2)
        XCTAssert(r.2.contains("cannot be fitted on the human data") && r.2.contains("expected a category id in 0..<3"), r.2)
    }

    func testAModelMetricInATextExperimentIsRefusedBeforeRunning() throws {
        let source = """
        ouro.metrics.register("p", function(m) return 1 end, { kind = "model" })
        experiment { name = "t", human = ouro.data.from{ "a b c", "b c d", "c d e", "d e f" }, model = ouro.model.ngram{ order = 2 },
          generations = 2, train_size = 2, metrics = { "p" }, eval_size = 2 }
        """
        let r = try run(source, ["check", "exp.lua"])
        XCTAssertEqual(r.0, 2, r.1 + r.2)
        XCTAssert(r.2.contains("metric 'p' reads a toy model's parameters"), r.2)
    }

    func testCheckChecksEveryExperimentOfAFile() throws {
        let first = ExperimentTests.gaussian("after = function(r) for _, p in ipairs(r:series('mean')) do print(p.mean) end end,")
        let second = ExperimentTests.gaussian().replacingOccurrences(of: "name = \"g\"", with: "name = \"h\"")
        var r = try run(first + "\n" + second, ["check", "exp.lua"])
        XCTAssertEqual(r.0, 0, r.2)
        XCTAssert(r.1.contains("experiment 'g'") && r.1.contains("experiment 'h'"), r.1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: r.3 + "/results"), "check ran nothing")
        // An error in the second experiment is found.
        r = try run(first + "\n" + second.replacingOccurrences(of: "train_size = 20", with: "train_size = 0"), ["check", "exp.lua"])
        XCTAssertEqual(r.0, 2, r.1)
        XCTAssert(r.2.contains("'train_size' must be an integer"), r.2)
    }

    func testPairedGridValuesMakeOneCellPerEntry() throws {
        let source = ExperimentTests.gaussian("grid = { { train_size = 8, eval_size = 8 }, { train_size = 12, eval_size = 12 } },")
        let r = try run(source, ["check", "exp.lua"])
        XCTAssertEqual(r.0, 0, r.2)
        XCTAssert(r.1.contains("2 cells × 3 seeds"), r.1)
        XCTAssert(r.1.contains("cell 1 {\"eval_size\": 8, \"train_size\": 8}: train_size 8"), r.1)
        XCTAssert(r.1.contains("cell 2 {\"eval_size\": 12, \"train_size\": 12}: train_size 12"), r.1)
        let mixed = try run(ExperimentTests.gaussian("grid = { { train_size = 8 }, eval_size = { 8 } },"), ["check", "exp.lua"])
        XCTAssertEqual(mixed.0, 2)
        XCTAssert(mixed.2.contains("grid: mix of a list of cells and field 'eval_size'"), mixed.2)
    }

    // MARK: Metrics of the model, per-seed values

    func testAModelMetricReadsEachGenerationsFittedModelAndValuesArePerSeed() throws {
        let source = """
        ouro.metrics.register("model_var", function(m) return m.variance end, { kind = "model" })
        experiment {
          name = "m", human = ouro.data.normal{ n = 500, seed = 2 }, model = ouro.model.gaussian{},
          generations = 3, train_size = 10, synthetic_ratio = 1, fresh_human = false, accumulate = false,
          metrics = { "model_var", "variance" }, eval_size = 5, seeds = { 1, 2 },
          after = function(r)
            for _, v in ipairs(r:values("model_var")) do print(v.seed, v.generation, v.value) end
            print(#r:values("model_var", { seed = 2 }), #r:values("variance", { generation = 1 }), #r:values("variance", { reference = true }))
          end,
        }
        """
        let r = try run(source)
        XCTAssertEqual(r.0, 0, r.2)
        let lines = r.1.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 7, r.1)
        XCTAssertEqual(lines.last, "3\t2\t8", "3 generations of seed 2; 2 seeds at generation 1; (3 + reference) × 2")
        // Every model_var is the fitted model's MLE variance: the variance of its 10 training rows, not of the 5-row sample.
        let store = try ResultStore.open(r.3 + "/results/m.db", mode: .readOnly)
        let perSeed = try store.values("model_var", cell: 1)
        XCTAssertEqual(perSeed.map(\.seed), [1, 1, 1, 2, 2, 2])
        XCTAssertEqual(perSeed.map(\.generation), [0, 1, 2, 0, 1, 2])
        XCTAssertEqual(try store.values("model_var", cell: 1, includeReference: true).count, 6, "no reference row for a metric of the model")
        for v in perSeed {
            let texts = try store.texts(cell: 1, seed: v.seed, generation: v.generation)
            XCTAssertEqual(texts.count, v.generation < 2 ? 10 : 5, "the output: the 10 rows the next generation trains on (the last: eval_size)")
            if v.generation >= 1 {
                // The model of generation g was fitted on generation g − 1's output.
                let rows = try store.texts(cell: 1, seed: v.seed, generation: v.generation - 1).map { Double($0)! }
                let m = rows.reduce(0, +) / 10
                XCTAssertEqual(v.value, rows.reduce(0) { $0 + ($1 - m) * ($1 - m) } / 10, accuracy: 1e-12)
            }
        }
    }

    // MARK: Models and data

    func testToyModelsAndNumericDataFromLua() throws {
        let (s, out) = try TestSupport.session("""
        local d = ouro.data.numeric{ { 1, 2 }, { 2, 4.5 }, { 3, 5.5 }, { 4, 8 } }
        print(d:count(), d:dim())
        local m = ouro.model.linreg{ noise = 0 }:fit(d)
        print(string.format("%.4f", m.coefficients[1]), m.intercept, m.kind)
        local g = m:generate{ n = 5, seed = 1 }:values()
        print(g[1][1], g[5][1], string.format("%.4f", g[1][2]))
        local mi = ouro.model.linreg{ intercept = true, noise = 0 }:fit(d)
        print(string.format("%.4f %.4f", mi.coefficients[1], mi.intercept))
        local k = ouro.model.kde{ bandwidth = 0.5 }:fit(ouro.data.numeric{ 1, 3 })
        print(k.mean, k.variance, k.bandwidth, k:generate{ n = 3 }:count())
        local mix = ouro.data.mixture{ components = { { weight = 1, mean = -10, sd = 0 }, { weight = 3, mean = 10, sd = 0 } }, n = 4000 }
        local pos = 0
        for _, v in ipairs(mix:values()) do if v == 10 then pos = pos + 1 end end
        print(pos > 2850 and pos < 3150)
        local both = ouro.data.concat{ ouro.data.numeric{ 1, 2 }, ouro.data.numeric{ 3 } }
        print(both:count(), table.concat(both:values(), ","))
        local lin = ouro.data.linear{ weights = { 2, -1 }, noise = 0, n = 50 }
        local f = ouro.model.linreg{}:fit(lin)
        print(string.format("%.6f %.6f", f.coefficients[1], f.coefficients[2]), lin:dim())
        local gm = ouro.model.gmm{ k = 2 }:fit(ouro.data.numeric{ -5, -5.5, -4.5, 5, 5.5, 4.5 })
        print(string.format("%.4f %.4f", math.abs(gm.mean), gm.variance), #gm.means)
        """)
        try s.run()
        XCTAssertEqual(out.text.split(separator: "\n").map(String.init), [
            "4\t2",
            "1.9833\t0.0\tlinreg",
            "1.0\t1.0\t1.9833",                 // fixed design: the sorted distinct rows, cycling
            "1.9000 0.2500",
            "2.0\t1.25\t0.5\t3",                // KDE variance = MLE variance (1) + h² (0.25)
            "true",
            "3\t1.0,2.0,3.0",
            "2.000000 -1.000000\t3",
            "0.0000 25.1667\t2",                 // a GMM's mixture mean and variance = the data's (after EM)
        ], out.text)
    }

    func testNumericDataAndModelErrorsAreClear() throws {
        let cases: [(String, String)] = [
            ("ouro.data.numeric{ { 1, 2 }, { 3 } }", "row 2 has 1 values, row 1 has 2"),
            ("ouro.data.concat{ ouro.data.numeric{ 1 }, ouro.data.numeric{ { 1, 2 } } }", "datasets[2] has rows of dim 2, datasets[1] of dim 1"),
            ("ouro.model.linreg{}:fit(ouro.data.numeric{ 1, 2 })", "dim ≥ 2"),
            ("ouro.model.kde{}", "'bandwidth' is required"),
            ("ouro.data.mixture{ components = { { weight = -1 } }, n = 3 }", "weight"),
        ]
        for (code, expected) in cases {
            let (s, _) = try TestSupport.session(code)
            XCTAssertThrowsError(try s.run(), code) { e in XCTAssert("\(e)".contains(expected), "\(code): \(e)") }
        }
    }

    func testOLSWorksOnSmallSamplesAndFoldsZeroSwitchesCVOff() throws {
        let (s, out) = try TestSupport.session("""
        local x = { 1, 2, 3, 4, 5, 6 }
        local y = { 1.1, 1.9, 3.2, 3.9, 5.1, 6.2 }
        local r = ouro.stats.ols{ y = y, x = { x = x }, standardize = false }
        print(r.cv_r2 == r.cv_r2, string.format("%.3f", r.coef.x))
        local n = ouro.stats.ols{ y = y, x = { x = x }, folds = 0 }
        print(n.cv_r2 ~= n.cv_r2, string.format("%.4f", n.r2))
        """)
        try s.run()
        XCTAssertEqual(out.text, "true\t1.023\ntrue\t0.9954\n", "numpy.polyfit: slope 1.022857, r² 0.995423")
    }

    func testAccumulateSpellingsRunEveryPoolMode() throws {
        for mode in ["false", "true", "\"replace\"", "\"pool\"", "\"pool-shuffled\"", "\"subsample\"", "\"all\""] {
            let r = try run(ExperimentTests.gaussian("accumulate = \(mode),"))
            XCTAssertEqual(r.0, 0, "\(mode): \(r.2)")
        }
        let bad = try run(ExperimentTests.gaussian("accumulate = \"keep\","))
        XCTAssertEqual(bad.0, 2)
        XCTAssert(bad.2.contains("'accumulate' must be true, false, \"replace\", \"pool\", \"pool-shuffled\", \"subsample\" or \"all\""), bad.2)
    }

    func testOracleFunctionsFollowTheRunnersGeneration() throws {
        let (s, out) = try TestSupport.session("""
        print(ouro.oracle.heterozygosity{ h0 = 0.5, n = 2, g = 0 }, ouro.oracle.mle_variance{ n = 2, g = 0 })
        print(ouro.oracle.linreg_error{ n = 12, d = 3, g = 1, mode = "replace" }, ouro.oracle.gaussian_mean_error{ n = 4, g = 1, mode = "accumulate" })
        print(ouro.oracle.fresh_data_error{ n = 10, rho = 0.5, g = 0 }, ouro.oracle.fixation_probability{ p = 0.3 })
        """)
        try s.run()
        XCTAssertEqual(out.text, "0.25\t0.5\n0.75\t0.3125\n0.1\t0.3\n")
    }
}
