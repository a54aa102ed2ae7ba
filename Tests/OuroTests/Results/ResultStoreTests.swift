import Foundation
import GRDB
import XCTest
@testable import Ouro

final class ResultStoreTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("ouro-results-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    private func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    private let source = "experiment { name = \"toy\", generations = 3 }\n"

    /// One experiment, `cells` cells with params {"ratio": 0.25·(c+1)}, the given seeds, `generations`
    /// generations; metric "m" = 10·seed + g + cell, "k" = 1 (and a reference row m = −1), texts "s<seed>g<g>i<i>".
    @discardableResult
    private func populate(_ store: ResultStore, cells: [Int] = [0], seeds: [Int], generations: Int, finish: Bool = true,
                          source: String? = nil) throws -> [Int64] {
        let e = try store.experiment(name: "toy", source: source ?? self.source, params: "{\"generations\": 3}")
        var runs: [Int64] = []
        for c in cells {
            let cell = try store.cell(experiment: e, index: c, params: "{\"ratio\": \(0.25 * Double(c + 1)), \"model\": \"gaussian\"}")
            for seed in seeds {
                let run = try store.beginRun(cell: cell, seed: seed)
                try store.commitReference(run: run, metrics: ["m": -1])
                for g in 0..<generations {
                    try store.commitGeneration(run: run, generation: g, counts: GenerationCounts(human: 3 - min(g, 2), synthetic: min(g, 2)),
                                               timings: GenerationTimings(fit: 0.5, generate: 0.25, metrics: 0.125),
                                               metrics: ["m": Double(10 * seed + g + c), "k": 1],
                                               texts: (0..<2).map { "s\(seed)g\(g)i\($0)" })
                }
                if finish { try store.finishRun(run) }
                runs.append(run)
            }
        }
        return runs
    }

    func testANewDatabaseCarriesTheApplicationIDAndSchemaVersion() throws {
        let p = path("new.db")
        let store = try ResultStore.open(p, mode: .create)
        try store.close()
        let q = try DatabaseQueue(path: p)
        try q.read { db in
            XCTAssertEqual(try Int32.fetchOne(db, sql: "PRAGMA application_id"), 0x4F55_524F)
            XCTAssertEqual(try Int.fetchOne(db, sql: "PRAGMA user_version"), ResultStore.schemaVersion)
            XCTAssertEqual(try String.fetchOne(db, sql: "PRAGMA journal_mode"), "wal")
            let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            XCTAssertEqual(tables, ["cells", "experiments", "generations", "metrics", "runs", "texts", "train_losses"])
        }
    }

    func testAForeignFileIsRefusedWithAMessageNamingIt() throws {
        let text = path("x.db")
        try "id,value\n1,2\n".write(toFile: text, atomically: true, encoding: .utf8)
        for mode in [ResultStore.Mode.create, .resume, .force, .readOnly] {
            XCTAssertThrowsError(try ResultStore.open(text, mode: mode)) { error in
                XCTAssertTrue("\(error)".hasPrefix("\(text): not an Ouro results database"), "\(error)")
            }
        }
        XCTAssertEqual(try String(contentsOfFile: text, encoding: .utf8), "id,value\n1,2\n", "force must not delete a foreign file")

        let other = path("other.db")
        let q = try DatabaseQueue(path: other)
        try q.write { try $0.execute(sql: "CREATE TABLE t (x)") }
        try q.close()
        for mode in [ResultStore.Mode.create, .force, .readOnly] {
            XCTAssertThrowsError(try ResultStore.open(other, mode: mode)) { error in
                XCTAssertEqual(error as? ResultStoreError, .notOuroDatabase(path: other, reason: "an SQLite database with application_id 0"))
            }
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: other))
        XCTAssertThrowsError(try ResultStore.open(path("absent.db"), mode: .readOnly)) {
            XCTAssertEqual($0 as? ResultStoreError, .missing(path: self.path("absent.db")))
        }
    }

    func testANewerSchemaIsRefused() throws {
        let p = path("future.db")
        try ResultStore.open(p, mode: .create).close()
        let q = try DatabaseQueue(path: p)
        try q.write { try $0.execute(sql: "PRAGMA user_version = 99") }
        try q.close()
        XCTAssertThrowsError(try ResultStore.open(p, mode: .readOnly)) {
            XCTAssertEqual($0 as? ResultStoreError, .newerSchema(path: p, version: 99, supported: ResultStore.schemaVersion))
        }
    }

    func testCreatingIntoADatabaseWithFinishedRunsIsRefusedUnlessResumeOrForce() throws {
        let p = path("done.db")
        try populate(try ResultStore.open(p, mode: .create), seeds: [1, 2], generations: 2)
        XCTAssertThrowsError(try ResultStore.open(p, mode: .create)) { error in
            XCTAssertEqual(error as? ResultStoreError, .refusedOverwrite(path: p, runs: 2, finished: 2))
            XCTAssertTrue("\(error)".contains("--resume"), "\(error)")
            XCTAssertTrue("\(error)".contains("--force"), "\(error)")
        }
        XCTAssertEqual(try ResultStore.open(p, mode: .resume).runs().count, 2)
        let fresh = try ResultStore.open(p, mode: .force)
        XCTAssertEqual(try fresh.runs().count, 0)
        XCTAssertEqual(try fresh.experiments().count, 0)
    }

    func testAGenerationIsAllOrNothing() throws {
        let store = try ResultStore.open(path("atomic.db"), mode: .create)
        let e = try store.experiment(name: "toy", source: source)
        let cell = try store.cell(experiment: e, index: 0)
        let run = try store.beginRun(cell: cell, seed: 1)
        try store.commitGeneration(run: run, generation: 0, counts: .init(human: 4, synthetic: 0), timings: .init(),
                                   metrics: ["m": 1], texts: ["a", "b"])
        struct Boom: Error {}
        // The hook throws after the generation row and its metrics are inserted, before the texts.
        store.hooks.insideGeneration = { throw Boom() }
        XCTAssertThrowsError(try store.commitGeneration(run: run, generation: 1, counts: .init(human: 2, synthetic: 2), timings: .init(),
                                                        metrics: ["m": 2, "k": 3], texts: ["c", "d"])) { XCTAssertTrue($0 is Boom) }
        XCTAssertEqual(try store.lastCompletedGeneration(cell: cell, seed: 1), 0)
        try store.reader.read { db in
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM generations WHERE g = 1"), 0)
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM metrics WHERE g = 1"), 0)
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM texts WHERE g = 1"), 0)
        }
        store.hooks.insideGeneration = nil
        try store.commitGeneration(run: run, generation: 1, counts: .init(human: 2, synthetic: 2), timings: .init(),
                                   metrics: ["m": 2, "k": 3], texts: ["c", "d"])
        XCTAssertEqual(try store.texts(cell: 0, seed: 1, generation: 1), ["c", "d"])
        XCTAssertThrowsError(try store.commitGeneration(run: run, generation: 1, counts: .init(human: 2, synthetic: 2), timings: .init(),
                                                        metrics: [:], texts: [])) {
            XCTAssertEqual($0 as? ResultStoreError, .generationExists(run: run, generation: 1))
        }
        // The store measured its own time when none was given.
        let seconds = try store.reader.read { try Double.fetchOne($0, sql: "SELECT seconds_store FROM generations WHERE g = 1") }
        XCTAssertNotNil(seconds)
    }

    func testResumeContinuesAnUnfinishedRunFromItsLastGeneration() throws {
        let p = path("resume.db")
        let runs = try populate(try ResultStore.open(p, mode: .create), seeds: [1], generations: 3, finish: false)
        let store = try ResultStore.open(p, mode: .resume)
        let e = try store.experiment(name: "toy", source: source, params: "{ \"generations\" : 3 }")
        let cell = try store.cell(experiment: e, index: 0, params: "{\"model\": \"gaussian\", \"ratio\": 0.25}")
        XCTAssertEqual(try store.lastCompletedGeneration(cell: cell, seed: 1), 2)
        XCTAssertNil(try store.lastCompletedGeneration(cell: cell, seed: 2))
        XCTAssertEqual(try store.runStatus(cell: cell, seed: 1), .running)
        let run = try store.beginRun(cell: cell, seed: 1)
        XCTAssertEqual(run, runs[0])
        try store.commitGeneration(run: run, generation: 3, counts: .init(human: 1, synthetic: 2), timings: .init(),
                                   metrics: ["m": 13], texts: [])
        try store.finishRun(run)
        XCTAssertEqual(try store.runStatus(cell: cell, seed: 1), .finished)
        XCTAssertThrowsError(try store.beginRun(cell: cell, seed: 1)) {
            XCTAssertEqual($0 as? ResultStoreError, .runFinished(cell: 0, seed: 1))
        }
        XCTAssertThrowsError(try store.commitGeneration(run: run, generation: 4, counts: .init(human: 1, synthetic: 2), timings: .init(),
                                                        metrics: [:], texts: [])) {
            XCTAssertEqual($0 as? ResultStoreError, .runNotRunning(run: run, status: "finished"))
        }
        // A changed experiment file is not silently mixed into the same database.
        XCTAssertThrowsError(try store.experiment(name: "toy", source: source + "-- edited\n", params: "{\"generations\": 3}")) {
            XCTAssertEqual($0 as? ResultStoreError, .experimentChanged(name: "toy", path: p))
        }
    }

    func testAFailedRunKeepsItsGenerationsAndCanBeResumed() throws {
        let store = try ResultStore.open(path("failed.db"), mode: .create)
        let runs = try populate(store, seeds: [4], generations: 2, finish: false)
        try store.failRun(runs[0], message: "model diverged")
        let info = try store.runs()[0]
        XCTAssertEqual(info.status, .failed)
        XCTAssertEqual(info.error, "model diverged")
        XCTAssertEqual(info.generations, 2)
        let cell = try store.cell(experiment: 1, index: 0, params: "{\"ratio\": 0.25, \"model\": \"gaussian\"}")
        XCTAssertEqual(try store.beginRun(cell: cell, seed: 4), runs[0])
        XCTAssertEqual(try store.runs()[0].status, .running)
    }

    func testSeriesSummarisesEachGenerationOverSeedsWithAStudentTInterval() throws {
        let store = try ResultStore.open(path("series.db"), mode: .create)
        try populate(store, seeds: [1, 2, 4], generations: 3)
        let s = try store.series("m", cell: 0)
        XCTAssertEqual(s.map(\.generation), [0, 1, 2])
        // Generation 1: values 11, 21, 41 → mean 73/3, sample sd √(Σ(x−x̄)²/2), ci95 = t(0.975, 2)·sd/√3.
        let v: [Double] = [11, 21, 41]
        let mean = 73.0 / 3
        let sd = (v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 2).squareRoot()
        XCTAssertEqual(s[1].mean, mean, accuracy: 1e-12)
        XCTAssertEqual(s[1].sd, sd, accuracy: 1e-12)
        // t(0.975, 2) = (2p − 1)/√(2p(1 − p)) at p = 0.975 (closed form for df 2) = 4.30265272974946.
        let t2 = 0.95 / (2 * 0.975 * 0.025).squareRoot()
        XCTAssertEqual(s[1].ci95, t2 * sd / 3.0.squareRoot(), accuracy: 1e-9)
        XCTAssertEqual(s[1].n, 3)
        let withReference = try store.series("m", cell: 0, includeReference: true)
        XCTAssertEqual(withReference.first?.generation, -1)
        XCTAssertEqual(withReference.first?.mean, -1)
        XCTAssertThrowsError(try store.series("nope", cell: 0)) {
            XCTAssertEqual($0 as? ResultStoreError, .unknownMetric(name: "nope", available: ["k", "m"]))
        }
        XCTAssertThrowsError(try store.series("m", cell: 7)) {
            XCTAssertEqual($0 as? ResultStoreError, .unknownCell(index: 7, experiment: "toy"))
        }
    }

    func testShiftAveragesThePerSeedRatioOfTheLastGenerationsToGenerationZero() throws {
        let store = try ResultStore.open(path("shift.db"), mode: .create)
        try populate(store, seeds: [1, 3], generations: 8)
        let shift = try store.shift("m", cell: 0, last: 5)
        XCTAssertEqual(shift.generations, 3...7)
        // Seed s: base 10s, window mean 10s + 5 (generations 3…7) → ratio 1 + 5/(10s), difference 5.
        XCTAssertEqual(shift.perSeed.map(\.seed), [1, 3])
        XCTAssertEqual(shift.perSeed[0].ratio, 15.0 / 10, accuracy: 1e-12)
        XCTAssertEqual(shift.perSeed[1].ratio, 35.0 / 30, accuracy: 1e-12)
        XCTAssertEqual(shift.ratio.mean, (15.0 / 10 + 35.0 / 30) / 2, accuracy: 1e-12)
        XCTAssertEqual(shift.difference.mean, 5, accuracy: 1e-12)
        XCTAssertEqual(shift.difference.sd, 0, accuracy: 1e-12)
        XCTAssertEqual(try store.shift("m", cell: 0, last: 50).generations, 1...7)
    }

    func testTextsComeBackInGenerationOrder() throws {
        let store = try ResultStore.open(path("texts.db"), mode: .create)
        try populate(store, seeds: [2], generations: 2)
        XCTAssertEqual(try store.texts(cell: 0, seed: 2, generation: 1), ["s2g1i0", "s2g1i1"])
        XCTAssertEqual(try store.texts(cell: 0, seed: 9, generation: 1), [])
    }

    func testRunsListsEveryRunWithItsCell() throws {
        let store = try ResultStore.open(path("runs.db"), mode: .create)
        try populate(store, cells: [0, 1], seeds: [5, 6], generations: 2)
        let runs = try store.runs()
        XCTAssertEqual(runs.map(\.cell), [0, 0, 1, 1])
        XCTAssertEqual(runs.map(\.seed), [5, 6, 5, 6])
        XCTAssertTrue(runs.allSatisfy { $0.status == .finished && $0.generations == 2 && $0.finished != nil && $0.experiment == "toy" })
    }

    func testExportCSVIsTidyWithOneColumnPerCellParameter() throws {
        let store = try ResultStore.open(path("csv.db"), mode: .create)
        try populate(store, cells: [0, 1], seeds: [1], generations: 1)
        let lines = try store.exportCSV().split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[0], "experiment,cell,model,ratio,seed,generation,metric,value")
        XCTAssertEqual(Array(lines[1...]), [
            "toy,0,gaussian,0.25,1,-1,m,-1.0",
            "toy,0,gaussian,0.25,1,0,k,1.0",
            "toy,0,gaussian,0.25,1,0,m,10.0",
            "toy,1,gaussian,0.5,1,-1,m,-1.0",
            "toy,1,gaussian,0.5,1,0,k,1.0",
            "toy,1,gaussian,0.5,1,0,m,11.0",
        ])
        XCTAssertEqual(ResultStore.csvField("a,\"b\""), "\"a,\"\"b\"\"\"")
    }

    func testMergeCombinesSlicesOfTheSameExperiment() throws {
        let a = path("a.db"), b = path("b.db"), out = path("all.db")
        try populate(try ResultStore.open(a, mode: .create), cells: [0], seeds: [1, 2], generations: 2)
        let sb = try ResultStore.open(b, mode: .create)
        try populate(sb, cells: [1], seeds: [1], generations: 2)
        // An unfinished copy of (cell 0, seed 1) in b: the finished one in a wins.
        let cell0 = try sb.cell(experiment: 1, index: 0, params: "{\"ratio\": 0.25, \"model\": \"gaussian\"}")
        let partial = try sb.beginRun(cell: cell0, seed: 1)
        try sb.commitGeneration(run: partial, generation: 0, counts: .init(human: 3, synthetic: 0), timings: .init(),
                                metrics: ["m": 999], texts: ["partial"])
        try sb.close()
        let summary = try ResultStore.merge([a, b], into: out)
        XCTAssertEqual(summary, ResultStore.MergeSummary(runs: 3, skipped: 1))
        let merged = try ResultStore.open(out, mode: .readOnly)
        XCTAssertEqual(try merged.runs().map { "\($0.cell)/\($0.seed)" }, ["0/1", "0/2", "1/1"])
        XCTAssertEqual(try merged.series("m", cell: 0)[0].mean, 15)      // seeds 1, 2: 10 and 20
        XCTAssertEqual(try merged.texts(cell: 1, seed: 1, generation: 1), ["s1g1i0", "s1g1i1"])
        XCTAssertEqual(try merged.source(), source)
        // The merged export equals the concatenation of the inputs' rows (same tidy form).
        let csv = try merged.exportCSV()
        XCTAssertEqual(csv.split(separator: "\n").count, 1 + 3 * 5)
    }

    func testMergeRefusesAnotherExperimentAndDuplicateFinishedRuns() throws {
        let a = path("a.db"), b = path("b.db"), c = path("c.db")
        try populate(try ResultStore.open(a, mode: .create), seeds: [1], generations: 1)
        try populate(try ResultStore.open(b, mode: .create), seeds: [1], generations: 1, source: source + "-- other\n")
        try populate(try ResultStore.open(c, mode: .create), seeds: [1], generations: 1)
        XCTAssertThrowsError(try ResultStore.merge([a, b], into: path("ab.db"))) { error in
            guard case .mergeMismatch(let p, let reference, _)? = error as? ResultStoreError else { return XCTFail("\(error)") }
            XCTAssertEqual(p, b)
            XCTAssertEqual(reference, a)
        }
        XCTAssertThrowsError(try ResultStore.merge([a, c], into: path("ac.db"))) {
            XCTAssertEqual($0 as? ResultStoreError, .duplicateRun(experiment: "toy", cell: 0, seed: 1, first: a, second: c))
        }
    }

    func testQueriesNeedAnExperimentNameWhenThereAreSeveral() throws {
        let store = try ResultStore.open(path("two.db"), mode: .create)
        try populate(store, seeds: [1], generations: 1)
        let e2 = try store.experiment(name: "second", source: "x")
        _ = try store.cell(experiment: e2, index: 0)
        XCTAssertThrowsError(try store.series("m", cell: 0)) {
            XCTAssertEqual($0 as? ResultStoreError, .ambiguousExperiment(available: ["toy", "second"]))
        }
        XCTAssertEqual(try store.series("m", cell: 0, experiment: "toy").count, 1)
    }

    func testReadOnlyStoresRefuseWrites() throws {
        let p = path("ro.db")
        try populate(try ResultStore.open(p, mode: .create), seeds: [1], generations: 1)
        let store = try ResultStore.open(p, mode: .readOnly)
        XCTAssertThrowsError(try store.experiment(name: "new", source: "y"))
        XCTAssertEqual(try store.runs().count, 1)
    }

    func testSHA256MatchesTheFIPSVectors() {
        // FIPS 180-2 appendix B.1 ("abc") and the empty message (also `printf '' | sha256sum`).
        XCTAssertEqual(SHA256.hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        // Several blocks and non-ASCII (python3 hashlib.sha256(('x'*1000+'é').encode()).hexdigest()).
        XCTAssertEqual(SHA256.hex(String(repeating: "x", count: 1000) + "é"),
                       "e814854d1a4a0dc9f9181288cfe08ff530ede303db766eceec5fffb519ce0c4a")
    }
}
