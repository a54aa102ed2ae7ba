import Foundation
import GRDB
import XCTest
@testable import Ouro

/// The training losses stored with a generation (`train_losses`): written in the generation's
/// transaction, read back in step order, copied by merge, absent from older files, drawn in the report.
final class ResultStoreLossesTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("ouro-losses-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    /// One cell, `seeds`, two generations; generation g of seed s has losses [s + g + 1, (s + g + 1) / 2].
    private func populate(_ path: String, seeds: [Int]) throws {
        let store = try ResultStore.open(path, mode: .create)
        let e = try store.experiment(name: "llm", source: "experiment {}")
        let cell = try store.cell(experiment: e, index: 1)
        for seed in seeds {
            let run = try store.beginRun(cell: cell, seed: seed)
            for g in 0..<2 {
                let l = Double(seed + g + 1)
                try store.commitGeneration(run: run, generation: g, counts: .init(human: 4, synthetic: 0), timings: .init(),
                                           metrics: ["length": 3], texts: ["a", "b"], losses: [l, l / 2, .nan])
            }
            try store.finishRun(run)
        }
        try store.finish()
    }

    func testLossesComeBackInStepOrderAndSurviveMerge() throws {
        try populate(path("a.db"), seeds: [1])
        try populate(path("b.db"), seeds: [2])
        let a = try ResultStore.open(path("a.db"), mode: .readOnly)
        let back = try a.trainingLosses(cell: 1, seed: 1, generation: 1)
        XCTAssertEqual(back.prefix(2), [3, 1.5])
        XCTAssertTrue(back[2].isNaN, "NaN is stored as NULL and read back as NaN")
        XCTAssertTrue(try a.hasTrainingLosses())
        XCTAssertEqual(try a.trainingLosses(cell: 1, seed: 1, generation: 5), [])
        try ResultStore.merge([path("a.db"), path("b.db")], into: path("all.db"))
        let all = try ResultStore.open(path("all.db"), mode: .readOnly)
        XCTAssertEqual(try all.trainingLosses(cell: 1, seed: 2, generation: 0).prefix(2), [3, 1.5])
        XCTAssertEqual(try all.trainingLosses(cell: 1, seed: 1, generation: 0).prefix(2), [2, 1])
    }

    func testAFileWrittenBeforeTheTableHasNoLossesAndGainsTheTableWhenWritten() throws {
        try populate(path("old.db"), seeds: [1])
        let queue = try DatabaseQueue(path: path("old.db"))
        try queue.write { db in try db.execute(sql: "DROP TABLE train_losses") }
        try queue.close()
        let old = try ResultStore.open(path("old.db"), mode: .readOnly)
        XCTAssertEqual(try old.trainingLosses(cell: 1, seed: 1, generation: 0), [])
        XCTAssertFalse(try old.hasTrainingLosses())
        try old.close()
        let writable = try ResultStore.open(path("old.db"), mode: .resume)
        XCTAssertEqual(try writable.trainingLosses(cell: 1, seed: 1, generation: 0), [])
        try writable.finish()
    }

    func testTheReportDrawsALossChartPerCellWithALinePerGeneration() throws {
        try populate(path("a.db"), seeds: [1, 2])
        let html = try HTMLReport.render(store: try ResultStore.open(path("a.db"), mode: .readOnly))
        XCTAssertTrue(html.contains("Training loss"), "the section")
        XCTAssertTrue(html.contains("optimizer step") && html.contains("generation 0") && html.contains("generation 1"), "the chart")
        XCTAssertTrue(html.contains("mean ± 95% CI over 2 seeds"))
    }

    func testAnEstimateCountsTrainingAndSampledTokensPerGeneration() {
        let plan = CellPlan<NGramLoopModel>(generations: 3, trainSize: 100, synthetic: [0, 50, 50], human: [100, 50, 50],
                                            humanNeeded: 200, weights: [], sampling: [nil, nil, nil])
        let e = RunEstimate.llm(plan: plan, evalSize: 20, curationFraction: nil, meanExampleTokens: 60, epochs: 2,
                                maxNewTokens: { _ in 10 }, accumulatesAll: false)
        XCTAssertEqual(e.trainingTokens, 3 * 100 * 2 * 60)
        XCTAssertEqual(e.sampledTokens, Double((50 + 50 + 20) * 10))   // the next share, or the evaluation sample at the end
        let curated = RunEstimate.llm(plan: plan, evalSize: 20, curationFraction: 0.5, meanExampleTokens: 60, epochs: 1,
                                      maxNewTokens: { _ in 10 }, accumulatesAll: true)
        XCTAssertEqual(curated.trainingTokens, Double((100 + 200 + 300) * 60))
        XCTAssertEqual(curated.sampledTokens, Double((100 + 100 + 20) * 10))
        XCTAssertEqual(TimeText.duration(3725), "1h02m")
    }
}
