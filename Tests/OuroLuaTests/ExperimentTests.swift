import Foundation
import XCTest
import Ouro
@testable import OuroLua

final class ExperimentTests: XCTestCase {
    /// A small Gaussian experiment; `extra` is spliced into the table.
    static func gaussian(_ extra: String = "", generations: Int = 4, seeds: String = "{ 1, 2, 3 }") -> String {
        """
        experiment {
          name = "g",
          human = ouro.data.normal{ mean = 0, sd = 1, n = 2000, seed = 1 },
          model = ouro.model.gaussian{ estimator = "mle" },
          generations = \(generations), train_size = 20, synthetic_ratio = 0.5,
          metrics = { "mean", "variance" }, eval_size = 50, seeds = \(seeds),
          \(extra)
        }
        """
    }

    func write(_ source: String, _ dir: String, _ name: String = "exp.lua") throws {
        try source.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
    }

    /// Runs `ouro run exp.lua --out DB` in `dir`, sends `signal` once 5 generations are stored.
    func runUntilStored(_ db: String, in dir: String, thenSend signal: Int32) throws -> ChildProcess.Result {
        try ChildProcess.interact(TestSupport.ouroExecutable, ["run", "exp.lua", "--quiet", "--out", db],
                                  environment: ["OURO_STDLIB": TestSupport.stdlib], workingDirectory: dir) { child in
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline {
                if let s = try? ResultStore.open(dir + "/" + db, mode: .readOnly), let runs = try? s.runs(),
                   runs.reduce(0, { $0 + $1.generations }) >= 5 { break }
                try await Task.sleep(nanoseconds: 20_000_000)
            }
            try child.send(signal)
        }
    }

    func metricRows(_ db: String) throws -> [String] {
        let store = try ResultStore.open(db, mode: .readOnly)
        // The tidy CSV without timing columns: (experiment, cell, params, seed, generation, metric, value).
        return try store.exportCSV().split(separator: "\n").map(String.init)
    }

    /// docs/loop.md's field reference is the schema's own rendering (one field table: the docs are
    /// generated from it, so a field added, renamed or re-ranged in stdlib/experiment.lua without the
    /// docs fails here).
    func testTheFieldReferenceInTheDocsIsTheSchemas() throws {
        let dir = TestSupport.tempFolder()
        try write("io.write(ouro.experiment_field_reference())", dir, "fields.lua")
        let r = try TestSupport.runOuro(["run", "fields.lua"], cwd: dir)
        XCTAssertEqual(r.0, 0, r.2)
        XCTAssert(r.1.hasPrefix("| field | kind | default | meaning |\n") && r.1.contains("| `train_size` | integer ≥ 1 | required |"), r.1)
        let docs = try String(contentsOfFile: TestSupport.repoRoot + "/docs/loop.md", encoding: .utf8)
        let begin = try XCTUnwrap(docs.range(of: "-->\n", range: try XCTUnwrap(docs.range(of: "<!-- fields:")).upperBound..<docs.endIndex))
        let end = try XCTUnwrap(docs.range(of: "<!-- /fields -->"))
        XCTAssertEqual(String(docs[begin.upperBound..<end.lowerBound]), r.1,
                       "docs/loop.md's field table is stale: replace the block between the <!-- fields --> markers with the output of `ouro run` on a file holding io.write(ouro.experiment_field_reference())")
    }

    /// The Swift side of the field table: `ExperimentFields`' properties and coding keys are the
    /// block `ouro._experiment_fields_swift()` generates from stdlib/experiment.lua (name, order, Swift
    /// type, optional exactly when the field has neither a default nor `required`), and a declared
    /// experiment decodes into it.
    func testTheSwiftFieldsAreTheFieldTable() throws {
        let dir = TestSupport.tempFolder()
        try write("io.write(ouro._experiment_fields_swift())", dir, "fields.lua")
        let r = try TestSupport.runOuro(["run", "fields.lua"], cwd: dir)
        XCTAssertEqual(r.0, 0, r.2)
        let source = try String(contentsOfFile: TestSupport.repoRoot + "/Sources/OuroLua/Experiments/ExperimentFields.swift", encoding: .utf8)
        let begin = try XCTUnwrap(source.range(of: "\n", range: try XCTUnwrap(source.range(of: "// fields: generated")).upperBound..<source.endIndex))
        let end = try XCTUnwrap(source.range(of: "    // /fields"))
        XCTAssertEqual(String(source[begin.upperBound..<end.lowerBound]), r.1,
                       "ExperimentFields.swift is stale: replace the block between the // fields markers with the output of `ouro run` on a file holding io.write(ouro._experiment_fields_swift())")
        XCTAssertEqual(ExperimentFields.CodingKeys.allCases.count, r.1.components(separatedBy: "    var ").count - 1)
        let (session, _) = try TestSupport.session(Self.gaussian())
        try ExperimentDriver.declare(session)
        let fields = try XCTUnwrap(ExperimentSpecReader.declared(in: session.state).first).spec
        XCTAssertEqual([fields.generations, fields.trainSize, fields.evalSize], [4, 20, 50])
        XCTAssertEqual(fields.seeds, [1, 2, 3])
        XCTAssertEqual(fields.metrics, ["mean", "variance"])
        // Decoding errors name the field's path.
        XCTAssertThrowsError(try LuaDecoder.decode([Int].self, from: .table(LuaTable(array: [.integer(1), .number(1.5)])))) { e in
            XCTAssertEqual("\(e)".contains("'[2]' must be an integer"), true, "\(e)")
        }
    }

    func testBadExperimentsFailWithTheUsersLineAndExitTwo() throws {
        let dir = TestSupport.tempFolder()
        // Errors name the offending field's own line (lines of `gaussian()`: 1 `experiment {`,
        // 5 generations/train_size/synthetic_ratio, 6 metrics/eval_size/seeds, 7 the extra fields).
        let cases: [(String, String)] = [
            (Self.gaussian().replacingOccurrences(of: "synthetic_ratio = 0.5", with: "synthetic_ratio = 1.7"),
             "exp.lua:5: experiment: 'synthetic_ratio' must be a number in [0, 1], got 1.7"),
            (Self.gaussian().replacingOccurrences(of: "train_size = 20", with: "train_size = 0"),
             "exp.lua:5: experiment: 'train_size' must be an integer ≥ 1, got 0"),
            (Self.gaussian().replacingOccurrences(of: "\"variance\" }", with: "\"varience\" }"),
             "exp.lua:6: experiment: unknown metric 'varience' (did you mean 'variance'?)"),
            (Self.gaussian("generatons = 3,"), "exp.lua:7: experiment: unknown option 'generatons' (did you mean 'generations'?)"),
            (Self.gaussian("sampling = { temprature = 1 },"),
             "exp.lua:7: experiment: sampling: unknown option 'temprature' (did you mean 'temperature'?)"),
            (Self.gaussian("grid = {\n synthetic_ratio = { 0.5, 1.7 } },"),
             "exp.lua:8: experiment: 'grid.synthetic_ratio' must be a number in [0, 1], got 1.7"),
            (Self.gaussian("-- eval_size = 3 in a comment, then a [[long string]] is skipped\n  grid = { eval_size = { -1 } },"),
             "exp.lua:8: experiment: 'grid.eval_size' must be an integer ≥ 0, got -1"),
            (Self.gaussian().replacingOccurrences(of: "synthetic_ratio = 0.5", with: "synthetic_ratio = function(g) return g == 3 and 1.5 or 0.5 end"),
             "got 1.5 at generation 3"),
            (Self.gaussian().replacingOccurrences(of: "n = 2000", with: "n = 30"), "exp.lua:1: experiment 'g', cell 1: "),
            (Self.gaussian().replacingOccurrences(of: "human = ouro.data.normal{ mean = 0, sd = 1, n = 2000, seed = 1 },", with: ""),
             "exp.lua:1: experiment: 'human' is required"),
        ]
        for (source, expected) in cases {
            try write(source, dir)
            for command in ["run", "check"] {
                let r = try TestSupport.runOuro([command, "exp.lua"] + (command == "run" ? ["--quiet"] : []), cwd: dir)
                XCTAssertEqual(r.0, 2, "\(command) «\(expected)»: \(r.2)")
                XCTAssert(r.2.contains(expected), "\(command): expected «\(expected)» in «\(r.2)»")
                XCTAssertFalse(r.2.contains("ouro._"), "no internal name in «\(r.2)»")
                XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/results/g.db"), "no partial results for «\(expected)»")
            }
        }
    }

    func testAFinishedRunLeavesOneCompleteDatabaseFile() throws {
        let dir = TestSupport.tempFolder()
        try write(Self.gaussian(seeds: "{ 1, 2 }"), dir)
        XCTAssertEqual(try TestSupport.runOuro(["run", "exp.lua", "--quiet"], cwd: dir).0, 0)
        for suffix in ["-wal", "-shm"] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/results/g.db" + suffix), "results/g.db\(suffix) is left")
        }
        // The .db copied alone (as from a cluster) holds every row.
        let alone = TestSupport.tempFolder() + "/g.db"
        try FileManager.default.copyItem(atPath: dir + "/results/g.db", toPath: alone)
        XCTAssertEqual(try metricRows(alone), try metricRows(dir + "/results/g.db"))
        XCTAssertEqual(try metricRows(alone).count, 1 + 2 * (4 + 1) * 2, "header + seeds × (generations + reference) × metrics")
        // The same for a --cell slice and for ouro merge.
        XCTAssertEqual(try TestSupport.runOuro(["run", "exp.lua", "--quiet", "--cell", "1/2", "--out", "a.db"], cwd: dir).0, 0)
        XCTAssertEqual(try TestSupport.runOuro(["run", "exp.lua", "--quiet", "--cell", "2/2", "--out", "b.db"], cwd: dir).0, 0)
        XCTAssertEqual(try TestSupport.runOuro(["merge", "a.db", "b.db", "--out", "m.db"], cwd: dir).0, 0)
        let left = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix("-wal") || $0.hasSuffix("-shm") }
        XCTAssertEqual(left, [])
    }

    func testCtrlCStopsARunThatResumesToTheSameResults() throws {
        let dir = TestSupport.tempFolder()
        try write(Self.gaussian(generations: 60, seeds: "{ 1, 2 }").replacingOccurrences(of: "eval_size = 50", with: "eval_size = 3000"), dir)
        XCTAssertEqual(try TestSupport.runOuro(["run", "exp.lua", "--quiet", "--out", "full.db"], cwd: dir).0, 0)
        let stopped = try runUntilStored("stopped.db", in: dir, thenSend: SIGINT)
        XCTAssertEqual(stopped.status, 130, stopped.errors)
        XCTAssert(stopped.errors.contains("interrupted") && stopped.errors.contains("--resume"), stopped.errors)
        let partial = try ResultStore.open(dir + "/stopped.db", mode: .readOnly).runs()
        XCTAssert(partial.contains { $0.status != .finished }, "stopped mid-run")
        let resumed = try TestSupport.runOuro(["run", "exp.lua", "--quiet", "--out", "stopped.db", "--resume"], cwd: dir)
        XCTAssertEqual(resumed.0, 0, resumed.2)
        XCTAssertEqual(try metricRows(dir + "/stopped.db"), try metricRows(dir + "/full.db"))
    }

    func testCheckPrintsThePlanWithoutRunning() throws {
        let dir = TestSupport.tempFolder()
        try write(Self.gaussian("grid = { synthetic_ratio = { 0.25, 0.5 } },"), dir)
        let r = try TestSupport.runOuro(["check", "exp.lua"], cwd: dir)
        XCTAssertEqual(r.0, 0, r.2)
        XCTAssert(r.1.contains("experiment 'g': 2 cells × 3 seeds × 4 generations = 6 runs"), r.1)
        XCTAssert(r.1.contains("{\"synthetic_ratio\": 0.25}"), r.1)
        // The fields, from the field table: its order, grid fields named, defaults marked, no address.
        let fieldLines = r.1.split(separator: "\n").dropFirst().prefix { !$0.hasPrefix("  cell ") }.map(String.init)
        XCTAssertEqual(fieldLines, [
            "  human            NumericData(2000 rows, dim 1)",
            "  model            Gaussian(mle, unfitted)",
            "  chain            false   (default)",
            "  generations      4",
            "  train_size       20",
            "  synthetic_ratio  by cell (grid)",
            "  fresh_human      true   (default)",
            "  accumulate       true   (default)",
            "  sampling         {}   (default)",
            "  metrics          { \"mean\", \"variance\" }",
            "  eval_size        50",
            "  seeds            { 1, 2, 3 }",
        ], r.1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/results/g.db"))
    }

    func testResultsAreIdenticalForAnyNumberOfWorkersAndSlices() throws {
        let dir = TestSupport.tempFolder()
        try write(Self.gaussian("grid = { synthetic_ratio = { 0.25, 1 } },"), dir)
        var r = try TestSupport.runOuro(["run", "exp.lua", "--quiet", "--out", "one.db", "--jobs", "1"], cwd: dir)
        XCTAssertEqual(r.0, 0, r.2)
        r = try TestSupport.runOuro(["run", "exp.lua", "--quiet", "--out", "two.db", "--jobs", "2"], cwd: dir)
        XCTAssertEqual(r.0, 0, r.2)
        r = try TestSupport.runOuro(["run", "exp.lua", "--quiet", "--out", "a.db", "--cell", "1/2"], cwd: dir)
        XCTAssertEqual(r.0, 0, r.2)
        r = try TestSupport.runOuro(["run", "exp.lua", "--quiet", "--out", "b.db", "--cell", "2/2"], cwd: dir)
        XCTAssertEqual(r.0, 0, r.2)
        r = try TestSupport.runOuro(["merge", "a.db", "b.db", "--out", "merged.db"], cwd: dir)
        XCTAssertEqual(r.0, 0, r.2)
        let one = try metricRows(dir + "/one.db")
        XCTAssertEqual(one.count, 1 + 2 * 3 * (4 + 1) * 2, "header + cells × seeds × (generations + reference) × metrics")
        XCTAssertEqual(try metricRows(dir + "/two.db"), one)
        XCTAssertEqual(try metricRows(dir + "/merged.db"), one)
    }

    func testAFinishedDatabaseIsNotOverwrittenWithoutResumeOrForce() throws {
        let dir = TestSupport.tempFolder()
        try write(Self.gaussian(), dir)
        XCTAssertEqual(try TestSupport.runOuro(["run", "exp.lua", "--quiet"], cwd: dir).0, 0)
        let again = try TestSupport.runOuro(["run", "exp.lua", "--quiet"], cwd: dir)
        XCTAssertEqual(again.0, 2)
        XCTAssert(again.2.contains("results/g.db"), again.2)
        XCTAssertEqual(try TestSupport.runOuro(["run", "exp.lua", "--quiet", "--resume"], cwd: dir).0, 0)
        XCTAssertEqual(try TestSupport.runOuro(["run", "exp.lua", "--quiet", "--force"], cwd: dir).0, 0)
        try "not a database".write(toFile: dir + "/foreign.db", atomically: true, encoding: .utf8)
        let foreign = try TestSupport.runOuro(["run", "exp.lua", "--quiet", "--out", "foreign.db", "--force"], cwd: dir)
        XCTAssertEqual(foreign.0, 2)
        XCTAssert(foreign.2.contains("foreign.db: not an Ouro results database"), foreign.2)
    }

    func testAKilledRunResumesToTheSameResults() throws {
        let dir = TestSupport.tempFolder()
        try write(Self.gaussian(generations: 60, seeds: "{ 1, 2 }").replacingOccurrences(of: "eval_size = 50", with: "eval_size = 3000"), dir)
        XCTAssertEqual(try TestSupport.runOuro(["run", "exp.lua", "--quiet", "--out", "full.db"], cwd: dir).0, 0)

        // Start a run, SIGKILL it once some generations are stored, then resume.
        let killed = try runUntilStored("killed.db", in: dir, thenSend: SIGKILL)
        XCTAssertEqual(killed.status, 128 + SIGKILL, "the run finished before it could be killed; make it longer")
        let partial = try ResultStore.open(dir + "/killed.db", mode: .readOnly).runs()
        XCTAssert(partial.contains { $0.status != .finished }, "killed mid-run")

        let resumed = try TestSupport.runOuro(["run", "exp.lua", "--quiet", "--out", "killed.db", "--resume"], cwd: dir)
        XCTAssertEqual(resumed.0, 0, resumed.2)
        XCTAssertEqual(try metricRows(dir + "/killed.db"), try metricRows(dir + "/full.db"))
    }

    func testATextExperimentRunsEndToEndAndReports() throws {
        let dir = TestSupport.tempFolder()
        let fixtures = TestSupport.repoRoot + "/Tests/Fixtures/data/tweets.jsonl"
        try FileManager.default.copyItem(atPath: fixtures, toPath: dir + "/tweets.jsonl")
        try write("""
            local tweets = ouro.data.load("tweets.jsonl")
            experiment {
              name = "text",
              human = tweets,
              model = ouro.model.ngram{ order = 2 },
              generations = 3, train_size = 10, synthetic_ratio = 0.5, fresh_human = false,
              sampling = { temperature = 1.5, min_p = 0.2, max_new_tokens = 30 },
              metrics = { "ttr", "self_bleu", "length" }, eval_size = 8, seeds = { 1, 2 },
              after = function(r) print(#r:texts{ cell = 1, seed = 1, generation = 2 } >= 8, #r:series("ttr") == 3) end,
            }
            """, dir)
        let r = try TestSupport.runOuro(["run", "exp.lua", "--quiet"], cwd: dir)
        XCTAssertEqual(r.0, 0, r.2)
        XCTAssertEqual(r.1, "true\ttrue\n")
        let report = try TestSupport.runOuro(["report", "results/text.db"], cwd: dir)
        XCTAssertEqual(report.0, 0, report.2)
        let html = try String(contentsOfFile: dir + "/results/text-report/report.html", encoding: .utf8)
        XCTAssert(html.contains("self_bleu") && html.contains("<svg"))
    }

    /// `ppl_human` in an experiment: held-out human documents under each generation's model; the
    /// human reference row has no model, so no value. From Lua it takes the model and the documents.
    func testPplHumanIsAMetricOfEachGenerationsModel() throws {
        let dir = TestSupport.tempFolder()
        try FileManager.default.copyItem(atPath: TestSupport.repoRoot + "/Tests/Fixtures/data/tweets.jsonl",
                                         toPath: dir + "/tweets.jsonl")
        try write("""
            local tweets = ouro.data.load("tweets.jsonl")
            local train, held = tweets:slice(1, 20), tweets:slice(21, 30)
            local m = ouro.model.ngram{ order = 2 }:fit(train)
            local v = ouro.metrics.compute(train, { "ppl_human" }, { model = m, held_out = held })
            print(v.ppl_human == m:perplexity(held))
            local ok, err = pcall(ouro.metrics.compute, train, { "ppl_human" })
            print(err:match("measures the model that generated the texts") ~= nil)
            experiment {
              name = "forgot", human = tweets, model = ouro.model.ngram{ order = 2 },
              generations = 3, train_size = 10, synthetic_ratio = 0.5, fresh_human = false,
              sampling = { temperature = 1.5, min_p = 0.2, max_new_tokens = 30 },
              metrics = { "ppl_human", "length" }, eval_size = 8, seeds = { 1 },
            }
            """, dir)
        let r = try TestSupport.runOuro(["run", "exp.lua", "--quiet"], cwd: dir)
        XCTAssertEqual(r.0, 0, r.2)
        XCTAssertEqual(r.1, "true\ntrue\n")
        // A pool that training uses up leaves nothing held out: an error before anything runs.
        try write("""
            experiment {
              name = "no_held_out", human = ouro.data.load("tweets.jsonl"), model = ouro.model.ngram{ order = 2 },
              generations = 5, train_size = 10, synthetic_ratio = 0.5, fresh_human = true,
              metrics = { "ppl_human" }, eval_size = 4, seeds = { 1 },
            }
            """, dir, "bad.lua")
        let bad = try TestSupport.runOuro(["run", "bad.lua", "--quiet"], cwd: dir)
        XCTAssertEqual(bad.0, 2, bad.2)
        XCTAssertTrue(bad.2.contains("bad.lua:1: experiment 'no_held_out', cell 1: metric 'ppl_human': it needs held-out human documents, and training uses all 30"), bad.2)
        let store = try ResultStore.open(dir + "/results/forgot.db", mode: .readOnly)
        let ppl = try store.series("ppl_human", cell: 1, includeReference: true)
        XCTAssertEqual(ppl.count, 3, "generations 0–2, no reference row")
        XCTAssertTrue(ppl.allSatisfy { $0.mean > 1 && $0.mean.isFinite }, "\(ppl.map(\.mean))")
        XCTAssertEqual(try store.series("length", cell: 1, includeReference: true).count, 4)
    }

    /// Cells that differ by their human data are told apart by the datasets' names.
    func testGridCellsOverDatasetsAreNamedByTheirData() throws {
        let dir = TestSupport.tempFolder()
        try write("""
            local a = ouro.data.from{ "the cat sat on the mat", "a dog ran", "the bird flew", "cats and dogs" }
            local b = ouro.data.from{ "stocks fell today", "markets rose", "the bank cut rates", "bonds rallied" }
            experiment {
              name = "named", human = a, model = ouro.model.ngram{ order = 2 },
              generations = 1, train_size = 2, synthetic_ratio = 0.5, metrics = { "length" }, eval_size = 2,
              seeds = { 1 }, grid = { human = { a:named("animals"), b:named("money") } },
            }
            """, dir)
        let r = try TestSupport.runOuro(["run", "exp.lua", "--quiet"], cwd: dir)
        XCTAssertEqual(r.0, 0, r.2)
        let store = try ResultStore.open(dir + "/results/named.db", mode: .readOnly)
        XCTAssertEqual(try ReportCell.all(in: store).map(\.label), ["human = animals", "human = money"])
    }

    /// stdlib/study.lua: run sizes from --set ({ full, quick } pairs, direct overrides, seeds as a
    /// list, sets as names) and the study's loop defaults under the file's own fields.
    func testTheStudyModuleReadsSizesAndFillsTheProtocol() throws {
        let dir = TestSupport.tempFolder()
        try write("""
            local study = require("study")
            local P = study.params{ generations = { 20, 8 }, seeds = { 5, 3 }, train_size = 200, sets = { "a" } }
            print(P.quick, P.generations, #P.seeds, P.seeds[3], P.train_size, table.concat(P.sets, ","))
            local e = study.experiment {
              name = "s", human = ouro.data.from{ "a b c", "d e f", "g h i", "j k l" }, base = ouro.model.ngram{ order = 2 }:fit(ouro.data.from{ "a b" }),
              generations = 2, train_size = 2, synthetic_ratio = 0.5, fresh_human = false, eval_size = 2, seeds = P.seeds,
            }
            print(e.spec.finetune.weight, e.spec.fresh_human, e.spec.accumulate, e.spec.sampling.temperature, e.spec.sampling.min_p)
            print(study.ratio_label(1), study.ratio_label(1 / 16))
            """, dir)
        let r = try TestSupport.runOuro(["run", "exp.lua", "--quiet", "--set", "quick=true", "--set", "train_size=50", "--set", "sets=x,y"], cwd: dir)
        XCTAssertEqual(r.0, 0, r.2)
        let lines = r.1.split(separator: "\n").map(String.init)
        XCTAssertEqual(Array(lines.prefix(3)), ["true\t8\t3\t3\t50\tx,y", "0.8\tfalse\ttrue\t1.5\t0.2", "1\t1/16"])
    }

    func testAClassifierCanBeAMetric() throws {
        let dir = TestSupport.tempFolder()
        var jsonl = ""
        for i in 1...60 {
            let r = i % 2 == 0
            jsonl += "{\"text\": \"\(r ? "taxes budget deficit cut spending" : "health care workers union wages") number \(i)\", \"party\": \"\(r ? "Republican" : "Democratic")\"}\n"
        }
        try jsonl.write(toFile: dir + "/speeches.jsonl", atomically: true, encoding: .utf8)
        try write("""
            local d = ouro.data.load("speeches.jsonl")
            local clf = ouro.classifier.train(d, { label = "party", kind = "naive_bayes" })
            experiment {
              name = "lean", human = d, model = ouro.model.ngram{ order = 2 },
              generations = 2, train_size = 20, synthetic_ratio = 0.5,
              metrics = { { classifier = clf, score = "lean" } }, eval_size = 10, seeds = { 1 },
              after = function(r)
                local s = r:series("lean")
                print(#s, s[1].mean >= -1 and s[1].mean <= 1)
              end,
            }
            """, dir)
        let r = try TestSupport.runOuro(["run", "exp.lua", "--quiet"], cwd: dir)
        XCTAssertEqual(r.0, 0, r.2)
        XCTAssertEqual(r.1, "2\ttrue\n")
    }

    /// The shipped experiment files that need no catalog data pass `ouro check` without running
    /// (they only declare); the others need `ouro data` and are checked by hand.
    func testShippedSyntheticExperimentsPassCheckWithoutRunning() throws {
        let dir = TestSupport.tempFolder()
        let classics = ["shumailov_gmm", "gerstgrasser_linreg", "gerstgrasser_kde", "kazdan_subsample", "bertrand_fresh", "wright_fisher"]
        for name in ["hello", "gaussian_collapse", "categorical_drift", "accumulate_vs_replace"] + classics.map({ "classics/" + $0 }) {
            let r = try TestSupport.runOuro(["check", TestSupport.repoRoot + "/experiments/\(name).lua"], cwd: dir)
            XCTAssertEqual(r.0, 0, "\(name): \(r.2)")
            XCTAssert(r.1.contains("\(name).lua: ok"), r.1)
            XCTAssertLessThan(try String(contentsOfFile: TestSupport.repoRoot + "/experiments/\(name).lua", encoding: .utf8)
                .split(separator: "\n", omittingEmptySubsequences: false).count, name.hasPrefix("classics/") ? 61 : 1000, "\(name): a classic is one short file")
            if name != "hello" { XCTAssert(r.1.contains("experiment '\(name.replacingOccurrences(of: "classics/", with: ""))'"), r.1) }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/results"), "check ran nothing")
    }

    /// Declare, then run: `after` runs once, in the coordinating process, whatever --jobs is; the
    /// main chunk's own code runs once too (workers run it silenced); e:run() in a file is refused.
    func testPostRunCodeRunsOnceInTheCoordinatingProcess() throws {
        let dir = TestSupport.tempFolder()
        try write(Self.gaussian("grid = { synthetic_ratio = { 0.25, 1 } }, after = function(r) print('after', #r:runs()) end,")
                  + "\nprint('declared')\nafter_all(function(rs) print('all', #rs.g:runs()) end)\n", dir)
        for jobs in ["1", "2"] {
            let r = try TestSupport.runOuro(["run", "exp.lua", "--quiet", "--force", "--jobs", jobs], cwd: dir)
            XCTAssertEqual(r.0, 0, r.2)
            XCTAssertEqual(r.1, "declared\nafter\t6\nall\t6\n", "--jobs \(jobs)")
        }
        // A --cell slice holds part of the results: no post-run code.
        let slice = try TestSupport.runOuro(["run", "exp.lua", "--quiet", "--cell", "1/2", "--out", "part.db"], cwd: dir)
        XCTAssertEqual(slice.1, "declared\n", slice.2)
        // A file does not run experiments itself.
        try write(Self.gaussian().replacingOccurrences(of: "experiment {", with: "local e = experiment {") + "\ne:run()\n", dir, "old.lua")
        let old = try TestSupport.runOuro(["run", "old.lua", "--quiet"], cwd: dir)
        XCTAssertEqual(old.0, 2)
        XCTAssert(old.2.contains("old.lua:9: Experiment:run: a file declares experiments") && old.2.contains("after = function(r)"), old.2)
    }

    /// math.random in a file, a schedule and a Lua metric is seeded by the engine: the same
    /// database for --jobs 1 and --jobs 2, and the same again on a rerun.
    func testMathRandomInAFileGivesTheSameResultsForAnyNumberOfWorkers() throws {
        let dir = TestSupport.tempFolder()
        try write("""
            local jitter = math.random()
            ouro.metrics.register("noise", function(values) return math.random() end, { kind = "numeric" })
            experiment {
              name = "g",
              human = ouro.data.normal{ mean = jitter, sd = 1, n = 2000, seed = 1 },
              model = ouro.model.gaussian{ estimator = "mle" },
              generations = 4, train_size = 20,
              synthetic_ratio = function(g) return 0.25 + 0.5 * math.random() end,
              metrics = { "mean", "noise" }, eval_size = 50, seeds = { 1, 2, 3 },
              grid = { train_size = { 20, 30 } },
            }
            """, dir)
        var r = try TestSupport.runOuro(["run", "exp.lua", "--quiet", "--out", "one.db", "--jobs", "1"], cwd: dir)
        XCTAssertEqual(r.0, 0, r.2)
        r = try TestSupport.runOuro(["run", "exp.lua", "--quiet", "--out", "two.db", "--jobs", "2"], cwd: dir)
        XCTAssertEqual(r.0, 0, r.2)
        r = try TestSupport.runOuro(["run", "exp.lua", "--quiet", "--out", "again.db", "--jobs", "2"], cwd: dir)
        XCTAssertEqual(r.0, 0, r.2)
        let one = try metricRows(dir + "/one.db")
        XCTAssertEqual(one.count, 1 + 2 * 3 * (4 + 1) * 2)
        XCTAssertEqual(try metricRows(dir + "/two.db"), one)
        XCTAssertEqual(try metricRows(dir + "/again.db"), one)
        let noise = one.filter { $0.contains(",noise,") }.map { $0.split(separator: ",").last! }
        XCTAssertGreaterThan(Set(noise).count, 20, "the metric's draws differ per seed, cell and generation")
    }
}
