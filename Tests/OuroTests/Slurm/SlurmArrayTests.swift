import Foundation
import XCTest
@testable import Ouro

/// A scheduler that records what it is asked; its queue is set by the test.
final class FakeScheduler: SlurmScheduler {
    var submitted: [(script: String, options: [String])] = []
    /// Submissions from this one on fail.
    var failFrom = Int.max
    var cancelled: [String] = []
    var jobs: [String: String] = [:]
    private var next = 100

    func submit(script: String, options: [String]) throws -> String {
        if submitted.count >= failFrom { throw SlurmError.command("sbatch", status: 1, output: "sbatch: error: Batch job submission failed") }
        submitted.append((script, options))
        next += 1
        return String(next)
    }
    func queue() throws -> [String: String] { jobs }
    func cancel(_ job: String) throws { cancelled.append(job); jobs[job] = nil }
    func accounting(_ jobs: [String]) -> [String: String] { [:] }
}

final class SlurmArrayTests: XCTestCase {
    func tempFolder() -> String {
        let dir = NSTemporaryDirectory() + "ouro-slurm-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    func array(_ dir: String, tasks: Int = 3, cells: Int = 2, seeds: [Int] = [1, 2, 3]) throws -> SlurmArray {
        var r = SlurmArray.Resources()
        r.cpus = 2
        r.partition = "short"
        return try SlurmArray(file: "exp.lua", experiment: "g", tasks: tasks, cells: cells, seeds: seeds, workdir: dir,
                              executable: "/opt/ouro bin/ouro", runArguments: ["--set", "n=it's"], resources: r)
    }

    /// Writes a part database of task `task` holding its slice, the first `finished` runs finished.
    func writePart(_ a: SlurmArray, task: Int, finished: Int) throws {
        let store = try ResultStore.open(a.absolute(a.part(task)), mode: .force)
        let e = try store.experiment(name: a.experiment, source: "x")
        for (i, pair) in a.pairs(task: task).enumerated() {
            let run = try store.beginRun(cell: try store.cell(experiment: e, index: pair.cell), seed: pair.seed)
            if i < finished { try store.finishRun(run) }
        }
        try store.close()
    }

    func testTasksPartitionTheRunsAndAreBounded() throws {
        let dir = tempFolder()
        for n in 1...6 {
            let a = try array(dir, tasks: n)
            let all = (1...n).flatMap { a.pairs(task: $0) }
            XCTAssertEqual(Set(all).count, 6, "N = \(n)")
            XCTAssertEqual(all.count, 6)
            XCTAssertEqual(Set(all.map(\.cell)), [1, 2], "cells numbered as in the results database")
        }
        XCTAssertThrowsError(try array(dir, tasks: 7)) { e in
            XCTAssertEqual("\(e)", "--tasks must be between 1 and the 6 runs (cells × seeds) of 'g', got 7")
        }
        XCTAssertThrowsError(try array(dir, tasks: 0))
        XCTAssertEqual(SlurmArray.defaultTasks(runs: 25), 25)
        XCTAssertEqual(SlurmArray.defaultTasks(runs: 5000), 1000)
    }

    func testArraySpecAndShellQuoting() {
        XCTAssertEqual(SlurmArray.arraySpec([7, 1, 2, 3, 5]), "1-3,5,7")
        XCTAssertEqual(SlurmArray.arraySpec([4]), "4")
        XCTAssertEqual(SlurmArray.shellQuoted("results/g.slurm"), "results/g.slurm")
        XCTAssertEqual(SlurmArray.shellQuoted("it's here"), #"'it'\''s here'"#)
        XCTAssertEqual(SlurmArray.shellQuoted(""), "''")
    }

    func testScriptsRunTheSlicesResumeAndMergeOnlyWhenComplete() throws {
        let dir = tempFolder()
        let a = try array(dir)
        let s = a.arrayScriptText
        XCTAssert(s.hasPrefix("#!/bin/bash\n"))
        for line in ["#SBATCH --array=1-3", "#SBATCH --chdir=\(dir)", "#SBATCH --output=\(dir)/results/g.slurm/task-%a.log",
                     "#SBATCH --cpus-per-task=2", "#SBATCH --mem=4G", "#SBATCH --time=02:00:00", "#SBATCH --partition=short",
                     #"exec '/opt/ouro bin/ouro' run exp.lua --experiment g --cell "$task/3" --out results/g.slurm/part-"$task".db --resume --jobs 2 --set 'n=it'\''s'"#] {
            XCTAssert(s.contains(line + "\n"), "missing «\(line)» in\n\(s)")
        }
        let m = a.mergeScriptText
        for line in ["#SBATCH --job-name=ouro-g-merge", "#SBATCH --cpus-per-task=1",
                     "'/opt/ouro bin/ouro' status results/g.slurm --require-complete",
                     "'/opt/ouro bin/ouro' merge results/g.slurm/part-{1..3}.db --out results/g.db",
                     "'/opt/ouro bin/ouro' report results/g.db"] {
            XCTAssert(m.contains(line + "\n"), "missing «\(line)» in\n\(m)")
        }
        // Every #SBATCH line precedes the first command (sbatch stops reading directives there).
        for text in [s, m] {
            let lines = text.split(separator: "\n")
            let firstCommand = lines.firstIndex { !$0.hasPrefix("#") }!
            XCTAssertFalse(lines[firstCommand...].contains { $0.hasPrefix("#SBATCH") })
        }
    }

    func testStatusComesFromThePartsAndTheQueue() throws {
        let dir = tempFolder()
        var a = try array(dir)
        let fake = FakeScheduler()
        guard case .submitted(let first) = try a.submit(with: fake) else { return XCTFail("not submitted") }
        XCTAssertEqual(first.tasks, [1, 2, 3])
        XCTAssertEqual(fake.submitted.map(\.options), [[], ["--dependency=afterany:101"]])
        XCTAssertEqual(try SlurmArray.load(folder: dir + "/results/g.slurm"), a, "the manifest round-trips")
        XCTAssertThrowsError(try a.submit(with: fake)) { XCTAssert("\($0)".contains("--resubmit"), "\($0)") }

        try writePart(a, task: 1, finished: 2)
        try writePart(a, task: 2, finished: 1)
        try "ouro: task 2/3\ng: cell 1 seed 2 finished (1/2, 3s)\n".write(toFile: a.absolute(a.log(2)), atomically: true, encoding: .utf8)
        fake.jobs = ["101_3": "RUNNING", "102": "PENDING"]
        let states = a.status(queue: fake.jobs)
        XCTAssertEqual(states.map(\.state), [.done, .failed, .running])
        XCTAssertEqual(states.map(\.finished), [2, 1, 0])
        XCTAssertEqual(states[1].lastLogLine, "g: cell 1 seed 2 finished (1/2, 3s)")
        let report = a.statusReport(states, queue: fake.jobs)
        XCTAssert(report.contains("  task 2: failed, 1/2 runs finished · g: cell 1 seed 2 finished (1/2, 3s)"), report)
        XCTAssert(report.contains("merge job 102: pending"), report)
        XCTAssert(report.contains("ouro slurm exp.lua --resubmit"), report)

        // Resubmit: only task 2 (task 3 is still running); the pending merge job is replaced by one
        // after the new array and the old one.
        guard case .submitted(let second) = try a.resubmit(with: fake) else { return XCTFail("not resubmitted") }
        XCTAssertEqual(second.tasks, [2])
        XCTAssertEqual(fake.cancelled, ["102"])
        XCTAssertEqual(fake.submitted[2].options, ["--array=2"])
        XCTAssertEqual(fake.submitted[3].options, ["--dependency=afterany:103:101"])
        XCTAssertEqual(try SlurmArray.load(folder: dir + "/results/g.slurm").submissions.count, 2)

        // Task 2 queued again and task 3 running: nothing to resubmit.
        fake.jobs = ["103_2": "PENDING", "101_3": "RUNNING", "104": "PENDING"]
        guard case .nothing = try a.resubmit(with: fake) else { return XCTFail("resubmitted queued tasks") }

        // Everything complete but never merged (the merge job was cancelled): the merge job alone.
        try writePart(a, task: 2, finished: 2)
        try writePart(a, task: 3, finished: 2)
        fake.jobs = [:]
        XCTAssertEqual(a.status(queue: [:]).map(\.state), [.done, .done, .done])
        guard case .mergeOnly(let merge) = try a.resubmit(with: fake) else { return XCTFail("no merge job") }
        XCTAssertEqual(merge.tasks, [])
        XCTAssertEqual(fake.submitted.last!.options, [])
    }

    func testAnArrayWhoseMergeJobCannotBeSubmittedIsCancelled() throws {
        let dir = tempFolder()
        var a = try array(dir)
        let fake = FakeScheduler()
        fake.failFrom = 1
        XCTAssertThrowsError(try a.submit(with: fake)) { XCTAssert("\($0)".contains("Batch job submission failed"), "\($0)") }
        XCTAssertEqual(fake.cancelled, ["101"])
        XCTAssertThrowsError(try SlurmArray.load(folder: dir + "/results/g.slurm"), "nothing recorded")
        fake.failFrom = .max
        guard case .submitted = try a.submit(with: fake) else { return XCTFail("a second try submits") }
    }

    func testAFolderCopiedElsewhereIsReadWhereItIs() throws {
        let dir = tempFolder()
        var a = try array(dir)
        _ = try a.submit(with: FakeScheduler())
        let moved = tempFolder()
        try FileManager.default.createDirectory(atPath: moved + "/results", withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: dir + "/results/g.slurm", toPath: moved + "/results/g.slurm")
        XCTAssertEqual(try SlurmArray.load(folder: moved + "/results/g.slurm").workdir, moved)
        XCTAssertThrowsError(try SlurmArray.load(folder: dir)) { XCTAssert("\($0)".contains("not a job-array folder"), "\($0)") }
    }

    func testQueueLinesParse() {
        XCTAssertEqual(SlurmCommands.parseQueue("12_3|RUNNING\n12_4|PENDING\n13|CANCELLED by 0\n\n"),
                       ["12_3": "RUNNING", "12_4": "PENDING", "13": "CANCELLED"])
    }
}
