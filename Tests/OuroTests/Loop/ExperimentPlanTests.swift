import Foundation
import XCTest
@testable import Ouro

final class ExperimentPlanTests: XCTestCase {
    func testSlicesPartitionThePairsRoundRobin() throws {
        let pairs = ExperimentPlan.pairs(cells: 3, seeds: [1, 2, 5])
        XCTAssertEqual(pairs.count, 9)
        XCTAssertEqual(pairs.prefix(4), [RunPair(cell: 0, seed: 1), RunPair(cell: 0, seed: 2), RunPair(cell: 0, seed: 5),
                                         RunPair(cell: 1, seed: 1)])
        for n in 1...10 {
            let slices = try (1...n).map { try ExperimentPlan.slice(pairs, index: $0, of: n) }
            XCTAssertEqual(slices.flatMap { $0 }.sorted { ($0.cell, $0.seed) < ($1.cell, $1.seed) }, pairs, "N = \(n)")
            XCTAssertLessThanOrEqual(slices.map(\.count).max()! - slices.map(\.count).min()!, 1)
        }
        XCTAssertEqual(try ExperimentPlan.slice(pairs, index: 2, of: 4), [pairs[1], pairs[5]])
        XCTAssertThrowsError(try ExperimentPlan.slice(pairs, index: 0, of: 4))
        XCTAssertEqual(try ExperimentPlan.parseSlice("2/8").index, 2)
        for bad in ["0/2", "3/2", "2", "a/b", "1/0", "1/2/3"] {
            XCTAssertThrowsError(try ExperimentPlan.parseSlice(bad), bad)
        }
    }

    /// A cell of the partition test: cell c has synthetic ratio (c + 1) / 4 and chains its models.
    private static func spec(cell: Int) throws -> CellSpec<Gaussian> {
        CellSpec(human: try normalPool(2000), generations: 4, trainSize: 50, syntheticRatio: .constant(Double(cell + 1) / 4),
                 freshHuman: true, accumulate: .pool(stratified: true),
                 model: .chain(Gaussian(GaussianModel(estimator: .unbiased)), weight: .constant(1)),
                 metrics: meanAndVariance, evalSize: 20, parameters: #"{"synthetic_ratio": \#(Double(cell + 1) / 4)}"#)
    }

    /// Runs `pairs` on `jobs` threads into the database at `path`, each worker with its own specs.
    private func run(_ pairs: [RunPair], jobs: Int, path: String) throws {
        let store = try ResultStore.open(path, mode: .resume)
        let e = try store.experiment(name: "plan", source: "x")
        let failures = ExperimentPlan.run(pairs, jobs: jobs) { _ in
            let runners = try (0..<2).map { try LoopRunner(spec: Self.spec(cell: $0)) }
            return { pair in _ = try runners[pair.cell].run(store: store, experiment: e, cellIndex: pair.cell, seed: pair.seed) }
        }
        XCTAssertTrue(failures.isEmpty, "\(failures)")
        try store.close()
    }

    func testResultsDoNotDependOnWorkersOrSlicing() throws {
        let scratch = try LoopScratch()
        let pairs = ExperimentPlan.pairs(cells: 2, seeds: [1, 2, 3])
        try run(pairs, jobs: 1, path: scratch.path("one.db"))
        // Two threads on all pairs, in reverse order.
        try run(pairs.reversed(), jobs: 2, path: scratch.path("two.db"))
        // Two slices, each on two threads, into one database.
        for i in 1...2 { try run(try ExperimentPlan.slice(pairs, index: i, of: 2), jobs: 2, path: scratch.path("sliced.db")) }
        let reference = try scratch.store("one.db", mode: .readOnly).exportCSV()
        XCTAssertEqual(reference.split(separator: "\n").count, 1 + 6 * 5 * 2, "header + pairs × (reference + 4 generations) × 2 metrics")
        XCTAssertEqual(try scratch.store("two.db", mode: .readOnly).exportCSV(), reference)
        XCTAssertEqual(try scratch.store("sliced.db", mode: .readOnly).exportCSV(), reference)
    }

    func testAFailingPairIsReportedAndTheOthersStillRun() throws {
        struct Boom: Error {}
        let pairs = ExperimentPlan.pairs(cells: 1, seeds: Array(1...6))
        let ran = Ran()
        let failures = ExperimentPlan.run(pairs, jobs: 3) { _ in
            return { pair in if pair.seed == 4 { throw Boom() }; ran.add(pair) }
        }
        XCTAssertEqual(failures.map(\.pair), [RunPair(cell: 0, seed: 4)])
        XCTAssertEqual(ran.pairs, pairs.filter { $0.seed != 4 })
        // A worker that cannot start leaves its pairs to the others.
        let others = Ran()
        let start = ExperimentPlan.run(pairs, jobs: 2) { w in
            if w == 0 { throw Boom() }
            return { others.add($0) }
        }
        XCTAssertEqual(start.count, 1)
        XCTAssertNil(start[0].pair)
        XCTAssertEqual(others.pairs, pairs)
    }
}

/// Pairs run by workers, in pair order.
private final class Ran: @unchecked Sendable {
    private let lock = NSLock()
    private var done: [RunPair] = []
    func add(_ p: RunPair) { lock.lock(); done.append(p); lock.unlock() }
    var pairs: [RunPair] { lock.lock(); defer { lock.unlock() }; return done.sorted { $0.seed < $1.seed } }
}
