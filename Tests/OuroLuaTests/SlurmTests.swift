import Foundation
import XCTest
import Ouro
@testable import OuroLua

/// `ouro slurm`, `ouro status` and `ouro run --experiment`: the scripts run by hand (no scheduler),
/// and a real one-node Slurm started by scripts/slurm-local.sh (installed with apt-get when missing).
final class SlurmTests: XCTestCase {
    /// Two cells × three seeds = 6 runs of a Gaussian loop; `generations` and `evalSize` set its length.
    static func experiment(generations: Int = 4, evalSize: Int = 50) -> String {
        ExperimentTests.gaussian("grid = { synthetic_ratio = { 0.25, 1 } },", generations: generations)
            .replacingOccurrences(of: "eval_size = 50", with: "eval_size = \(evalSize)")
    }

    func metricRows(_ db: String) throws -> [String] {
        try ResultStore.open(db, mode: .readOnly).exportCSV().split(separator: "\n").map(String.init)
    }

    func bash(_ script: String, cwd: String, _ environment: [String: String] = [:]) throws -> (Int32, String, String) {
        try TestSupport.run("/bin/bash", [script], cwd: cwd, environment: environment)
    }

    /// The array and merge scripts, run by bash as Slurm would run them (one call per task id),
    /// give the database of a local `--jobs 1` run, for any number of tasks; the merge script
    /// refuses while a part is incomplete.
    func testTheScriptsGiveTheLocalResultsForAnyNumberOfTasks() throws {
        let dir = TestSupport.tempFolder()
        try Self.experiment().write(toFile: dir + "/exp.lua", atomically: true, encoding: .utf8)
        let local = try TestSupport.runOuro(["run", "exp.lua", "--quiet", "--out", "local.db", "--jobs", "1"], cwd: dir)
        XCTAssertEqual(local.0, 0, local.2)
        let expected = try metricRows(dir + "/local.db")
        XCTAssertEqual(expected.count, 1 + 6 * 5 * 2)

        let (session, _) = try TestSupport.session(Self.experiment(), name: "exp.lua", folder: TestSupport.tempFolder())
        try ExperimentDriver.declare(session)
        XCTAssertEqual(try ExperimentDriver.declaredNames(in: session), ["g"])
        let (cells, seeds) = try ExperimentDriver.runs(session, name: "g")
        XCTAssertEqual(cells * seeds.count, 6)
        for n in [1, 4, 6] {
            let work = dir + "/n\(n)"
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: dir + "/exp.lua", toPath: work + "/exp.lua")
            let a = try SlurmArray(file: "exp.lua", experiment: "g", tasks: n, cells: cells, seeds: seeds, workdir: work,
                                   executable: TestSupport.ouroExecutable)
            try a.writeScripts()
            try a.save()
            for task in 1...n {
                if task == n {
                    // Before the last task: the merge job refuses and names what to do.
                    let early = try bash(a.mergeScript, cwd: work)
                    XCTAssertEqual(early.0, 1, "N = \(n): \(early.1) \(early.2)")
                    XCTAssert(early.2.contains("task(s) incomplete (\(n))") && early.2.contains("ouro slurm exp.lua --resubmit"), early.2)
                    XCTAssertFalse(FileManager.default.fileExists(atPath: work + "/results/g.db"))
                }
                let r = try bash(a.arrayScript, cwd: work, ["SLURM_ARRAY_TASK_ID": String(task)])
                XCTAssertEqual(r.0, 0, "N = \(n), task \(task): \(r.2)")
            }
            let merged = try bash(a.mergeScript, cwd: work)
            XCTAssertEqual(merged.0, 0, "N = \(n): \(merged.2)")
            XCTAssertEqual(try metricRows(work + "/results/g.db"), expected, "N = \(n)")
            XCTAssert(FileManager.default.fileExists(atPath: work + "/results/g-report/report.html"), "N = \(n): the report")
            let status = try TestSupport.runOuro(["status", "results/g.slurm"], cwd: work)
            XCTAssertEqual(status.0, 0, status.2)
            XCTAssert(status.1.contains("\(n) task\(n == 1 ? "" : "s"): \(n) done") && status.1.contains("results/g.db: merged"), status.1)
        }
    }

    /// `--experiment NAME` runs one experiment of a file that declares several, and no post-run
    /// code (a slice holds only part of the results).
    func testRunExperimentRunsOneExperimentAndNoPostRunCode() throws {
        let dir = TestSupport.tempFolder()
        let two = ExperimentTests.gaussian("after = function(r) print('post-run code') end,").replacingOccurrences(of: "name = \"g\"", with: "name = \"a\"")
            + "\n" + ExperimentTests.gaussian().replacingOccurrences(of: "name = \"g\"", with: "name = \"b\"")
            + "\nafter_all(function() print('post-run code') end)\n"
        try two.write(toFile: dir + "/two.lua", atomically: true, encoding: .utf8)
        for jobs in ["1", "2"] {
            let r = try TestSupport.runOuro(["run", "two.lua", "--experiment", "b", "--cell", "1/2", "--out", "b\(jobs).db", "--jobs", jobs, "--quiet"], cwd: dir)
            XCTAssertEqual(r.0, 0, r.2)
            XCTAssertFalse(r.1.contains("post-run code"), r.1)
            let runs = try ResultStore.open(dir + "/b\(jobs).db", mode: .readOnly).runs()
            XCTAssertEqual(Set(runs.map(\.experiment)), ["b"])
            XCTAssertEqual(runs.count, 2, "the first of two slices of 3 seeds")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/results/a.db"))
        let bad = try TestSupport.runOuro(["run", "two.lua", "--experiment", "c"], cwd: dir)
        XCTAssertEqual(bad.0, 2)
        XCTAssert(bad.2.contains("two.lua declares no experiment 'c' (declared: a, b)"), bad.2)
        // ouro slurm --dry-run: one array and one merge script per experiment.
        let dry = try TestSupport.runOuro(["slurm", "two.lua", "--dry-run", "--tasks", "2"], cwd: dir)
        XCTAssertEqual(dry.0, 0, dry.2)
        for name in ["a", "b"] {
            XCTAssert(dry.1.contains("# results/\(name).slurm/array.sbatch\n#!/bin/bash\n"), dry.1)
            XCTAssert(dry.1.contains("--experiment \(name) --cell \"$task/2\""), dry.1)
            XCTAssert(dry.1.contains("sbatch --dependency=afterany:$array results/\(name).slurm/merge.sbatch"), dry.1)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/results"), "--dry-run writes nothing")
        let tooMany = try TestSupport.runOuro(["slurm", "two.lua", "--dry-run", "--tasks", "4"], cwd: dir)
        XCTAssertEqual(tooMany.0, 2)
        XCTAssert(tooMany.2.contains("--tasks must be between 1 and the 3 runs"), tooMany.2)
    }

    // MARK: - A real Slurm

    /// Starts scripts/slurm-local.sh in a fresh folder and stops it when the test ends, failed or
    /// not. Returns the environment for Slurm's tools, or nil after recording the failure.
    func startSlurm(file: StaticString = #filePath, line: UInt = #line) throws -> [String: String]? {
        let dir = TestSupport.tempFolder() + "/slurm"
        let script = TestSupport.repoRoot + "/scripts/slurm-local.sh"
        addTeardownBlock {
            let r = try? TestSupport.run(script, ["stop", dir])
            if let r, r.0 != 0 { print("slurm-local.sh stop: \(r.2)") }
        }
        let started = Date()
        let r = try TestSupport.run(script, ["start", dir])
        guard r.0 == 0 else {
            XCTFail("Slurm could not start (scripts/slurm-local.sh start exited \(r.0)):\n\(r.2)", file: file, line: line)
            return nil
        }
        print(String(format: "slurm-test: Slurm started in %.1f s", Date().timeIntervalSince(started)))
        return ["SLURM_CONF": dir + "/slurm.conf"]
    }

    /// Waits until `condition` holds; false after `seconds`.
    func wait(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(200_000)
        }
        return try condition()
    }

    /// N = 3 array tasks on a real Slurm; one is cancelled mid-run, the merge job then refuses
    /// (instead of waiting forever), `--resubmit` runs that task again from its part, and the
    /// merged database equals a local `--jobs 1` run.
    func testARealSlurmRunsTheArrayResubmitsACancelledTaskAndMergesTheLocalResults() throws {
        guard let env = try startSlurm() else { return }
        let dir = TestSupport.tempFolder()
        try Self.experiment(generations: 40, evalSize: 3000).write(toFile: dir + "/exp.lua", atomically: true, encoding: .utf8)
        let slurm = { (args: [String]) in try TestSupport.run("/usr/bin/env", args, cwd: dir, environment: env) }
        let queueEmpty = { try slurm(["squeue", "--me", "--noheader"]).1.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }

        // sbatch accepts both scripts as written (--test-only: validated, not queued).
        let dry = try TestSupport.runOuro(["slurm", "exp.lua", "--dry-run", "--tasks", "3"], cwd: dir, environment: env)
        XCTAssertEqual(dry.0, 0, dry.2)

        let t0 = Date()
        let submit = try TestSupport.runOuro(["slurm", "exp.lua", "--tasks", "3", "--time", "00:10:00", "--mem", "300M"], cwd: dir, environment: env)
        XCTAssertEqual(submit.0, 0, submit.2)
        XCTAssert(submit.1.contains("g: array job ") && submit.1.contains("tasks 1-3 of 3"), submit.1)
        for script in ["array", "merge"] {
            let check = try slurm(["sbatch", "--test-only", "results/g.slurm/\(script).sbatch"])
            XCTAssertEqual(check.0, 0, "sbatch --test-only \(script).sbatch: \(check.2)")
        }
        let array = try SlurmArray.load(folder: dir + "/results/g.slurm")
        let job = try XCTUnwrap(array.submissions.first?.arrayJob)

        // Cancel task 2 once it has stored a generation and before it finishes.
        let part2 = dir + "/results/g.slurm/part-2.db"
        var stored = 0
        let midRun = wait(120) {
            guard let runs = try? ResultStore.open(part2, mode: .readOnly).runs() else { return false }
            stored = runs.reduce(0) { $0 + $1.generations }
            return stored >= 3
        }
        let queueText = { (try? slurm(["squeue", "--me"]).1) ?? "squeue failed" }
        XCTAssert(midRun, "task 2 stored no generation in 120 s: \(queueText())")
        XCTAssertEqual(try slurm(["scancel", "\(job)_2"]).0, 0)
        let tCancel = Date()
        let partial = try ResultStore.open(part2, mode: .readOnly).runs()
        XCTAssert(partial.contains { $0.status != .finished } || partial.count < 2, "task 2 was cancelled mid-run: \(partial)")

        // The other tasks finish; the merge job runs (afterany), refuses, and the queue empties.
        XCTAssert(try wait(300, queueEmpty), "the queue did not empty: \(queueText())")
        let tDrained = Date()
        let mergeLog = (try? String(contentsOfFile: dir + "/results/g.slurm/merge.log", encoding: .utf8)) ?? ""
        XCTAssert(mergeLog.contains("1 of 3 task(s) incomplete (2)") && mergeLog.contains("--resubmit"), mergeLog)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/results/g.db"))
        let status = try TestSupport.runOuro(["status", "results/g.slurm"], cwd: dir, environment: env)
        XCTAssertEqual(status.0, 0, status.2)
        XCTAssert(status.1.contains("3 tasks: 2 done, 1 failed") && status.1.contains("  task 2: failed"), status.1)

        let again = try TestSupport.runOuro(["slurm", "exp.lua", "--resubmit"], cwd: dir, environment: env)
        XCTAssertEqual(again.0, 0, again.2)
        XCTAssert(again.1.contains("(task 2 of 3)"), again.1)
        XCTAssert(try wait(300, queueEmpty), "the queue did not empty: \(queueText())")
        let tMerged = Date()
        XCTAssert(FileManager.default.fileExists(atPath: dir + "/results/g.db"),
                  (try? String(contentsOfFile: dir + "/results/g.slurm/merge.log", encoding: .utf8)) ?? "no merge log")
        let log2 = (try? String(contentsOfFile: dir + "/results/g.slurm/task-2.log", encoding: .utf8)) ?? ""
        XCTAssert(log2.contains("resumed from generation"), "task 2 resumed its part: \(log2)")
        let done = try TestSupport.runOuro(["status", "results/g.slurm"], cwd: dir, environment: env)
        XCTAssert(done.1.contains("3 tasks: 3 done") && done.1.contains("results/g.db: merged"), done.1)

        let tLocal = Date()
        let local = try TestSupport.runOuro(["run", "exp.lua", "--quiet", "--out", "local.db", "--jobs", "1"], cwd: dir)
        XCTAssertEqual(local.0, 0, local.2)
        let tEnd = Date()
        let rows = try metricRows(dir + "/local.db")
        XCTAssertEqual(try metricRows(dir + "/results/g.db"), rows, "the merged database equals the local --jobs 1 run")
        print(String(format: "slurm-test: submit → task 2 cancelled after %d stored generations: %.1f s; → queue drained, merge refused: %.1f s; "
                     + "resubmit → merged: %.1f s; local --jobs 1 run: %.1f s; %d metric rows equal",
                     stored, tCancel.timeIntervalSince(t0), tDrained.timeIntervalSince(tCancel), tMerged.timeIntervalSince(tDrained),
                     tEnd.timeIntervalSince(tLocal), rows.count - 1))
    }

    /// `ouro slurm experiments/paper/datasets.lua --dry-run` prints, for each of its experiments,
    /// scripts that sbatch accepts (`--test-only`). Needs the catalog (`make data`).
    func testThePaperFilesScriptsAreAcceptedBySbatch() throws {
        let data = TestSupport.repoRoot + "/data"
        let catalog = ProcessInfo.processInfo.environment["OURO_DATA"] ?? data
        for set in ["tweets", "movie_reviews", "nyt_editorials", "fortunes", "amazon_reviews", "sotu"]
        where !FileManager.default.fileExists(atPath: catalog + "/\(set).jsonl") {
            return XCTFail("the catalog is not built (\(catalog)/\(set).jsonl missing): run `make data` (or `.build/release/ouro data`)")
        }
        guard let env = try startSlurm() else { return }
        let dir = TestSupport.tempFolder()
        let r = try TestSupport.runOuro(["slurm", TestSupport.repoRoot + "/experiments/paper/datasets.lua", "--dry-run",
                                         "--partition", "local", "--time", "04:00:00"], cwd: dir, environment: env.merging(["OURO_DATA": catalog]) { $1 })
        XCTAssertEqual(r.0, 0, r.2)
        // The output: "# results/NAME.slurm/array.sbatch", that script, "# results/NAME.slurm/merge.sbatch", …
        var scripts: [(name: String, text: String)] = []
        for line in r.1.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# results/") && line.hasSuffix(".sbatch") { scripts.append((String(line.dropFirst(2)), "")) }
            else if line.hasPrefix("# submit with:") { scripts.append(("", "")) }
            else if !scripts.isEmpty { scripts[scripts.count - 1].text += line + "\n" }
        }
        scripts.removeAll { $0.name.isEmpty }
        XCTAssertEqual(scripts.count, 8, "4 experiments × (array + merge): \(r.1)")
        for (name, text) in scripts {
            XCTAssert(text.hasPrefix("#!/bin/bash\n"), text)
            let path = dir + "/" + name.replacingOccurrences(of: "/", with: "_")
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            if name.hasSuffix("array.sbatch") { XCTAssert(text.contains("#SBATCH --array=1-25\n"), "5 ratios × 5 seeds: \(text)") }
            let check = try TestSupport.run("/usr/bin/env", ["sbatch", "--test-only", path], cwd: dir, environment: env)
            XCTAssertEqual(check.0, 0, "sbatch --test-only \(name): \(check.2)")
        }
    }
}
