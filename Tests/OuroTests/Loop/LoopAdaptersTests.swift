import Foundation
import XCTest
@testable import Ouro
import OuroBench

final class LoopAdaptersTests: XCTestCase {
    func testNumericDataSelectsConcatenatesAndStoresRowsExactly() {
        let d = NumericData(dim: 2, values: [0.1, -2, 3.5, 1e-300, 7, 0.30000000000000004])
        XCTAssertEqual(d.select([2, 0, 2]).values, [7, 0.30000000000000004, 0.1, -2, 7, 0.30000000000000004])
        XCTAssertEqual(NumericData.concat([d.select([1]), d.select([0])]).values, [3.5, 1e-300, 0.1, -2])
        let texts = d.storageTexts
        XCTAssertEqual(texts.count, 3)
        XCTAssertEqual(texts.flatMap { $0.split(separator: " ").map { Double($0)! } }, d.values, "round trip")
    }

    func testGatherReturnsTheNamedDocumentsInOrder() {
        let a = NumericData(dim: 1, values: [0, 1, 2, 3]), b = NumericData(dim: 1, values: [10, 11, 12])
        let g = NumericData.gather([a, b], [(1, 2), (0, 3), (1, 0), (0, 3), (0, 1)])
        XCTAssertEqual(g.values, [12, 3, 10, 3, 1])
        XCTAssertEqual(NumericData.gather([a, b], [(0, 1), (0, 2)]).values, [1, 2])
        let t = Dataset.from(texts: ["a b", "c", "d e f"])
        let u = Dataset.from(texts: ["x"])
        let h = Dataset.gather([t, u], [(1, 0), (0, 2), (0, 0)])
        XCTAssertEqual(h.texts, ["x", "d e f", "a b"])
        XCTAssertEqual(h.tokenStrings(at: 1), ["d", "e", "f"])
    }

    func testAGMMIsReseededByTheFitSeedAndFitsReproducibly() throws {
        let data = try NumericData.normal(mean: 0, sd: 1, n: 300, seed: 4)
        let spec = NumericLoopModel(GMMModel(k: 3, seed: 0))
        let a = try spec.fitted(on: data, seed: 11), b = try spec.fitted(on: data, seed: 11)
        XCTAssertEqual(a.model.seed, 11)
        XCTAssertEqual(a.model.means, b.model.means)
        XCTAssertEqual(try a.generate(n: 5, sampling: nil, seed: 2), try b.generate(n: 5, sampling: nil, seed: 2))
        XCTAssertNotEqual(try a.generate(n: 5, sampling: nil, seed: 2).values, try a.generate(n: 5, sampling: nil, seed: 3).values)
        XCTAssertThrowsError(try spec.generate(n: 1, sampling: nil, seed: 1))
    }

    func testTheNGramAdapterFitsFinetunesAndGeneratesDeterministically() throws {
        let human = Dataset.from(texts: ["the cat sat on the mat", "the dog sat on the log", "a cat and a dog"])
        let spec = NGramLoopModel(try NGramModel(order: 2))
        let m = try spec.fitted(on: human, seed: 1)
        XCTAssertTrue(m.model.isFitted)
        XCTAssertFalse(spec.model.isFitted, "the spec is untouched")
        let params = GenerationParams(temperature: 1, maxNewTokens: 8)
        let a = try m.generate(n: 6, sampling: params, seed: 9), b = try m.generate(n: 6, sampling: params, seed: 9)
        XCTAssertEqual(a.texts, b.texts)
        XCTAssertEqual(a.count, 6)
        XCTAssertTrue(a.offsets.indices.dropFirst().allSatisfy { a.tokenCount(at: $0 - 1) <= 8 })
        // Fine-tuning with weight 1 on "the bird flew" makes "bird" follow "the" with probability 1.
        let tuned = try m.finetuned(on: Dataset.from(texts: ["the bird flew"]), weight: 1, seed: 1)
        let bird = Vocabulary.shared.id(for: "bird"), the = Vocabulary.shared.id(for: "the")
        XCTAssertEqual(try tuned.model.probability(of: bird, after: [the]), try NGramModel(order: 2, documents: [[the, bird, Vocabulary.shared.id(for: "flew")]]).probability(of: bird, after: [the]), accuracy: 1e-12)
    }

    func testTheBenchReportsEveryPhaseOfEveryGeneration() throws {
        var calls = 0
        let report = try LoopBench.run(human: wordPool(300), model: { UnigramTestModel() },
                                       metrics: { d, _, _ in calls += 1; return ["n": Double(d.count)] },
                                       generations: 3, documents: 100, evalSize: 20)
        XCTAssertEqual(calls, 4, "reference + 3 generations")
        XCTAssertEqual(report.generations, 3)
        let phases = report.fit + report.generate + report.metrics + report.store + report.loop
        XCTAssertEqual(phases, report.total, accuracy: 1e-9 + 1e-6 * report.total)
        XCTAssertTrue(report.table.contains("loop's own work"))
    }
}
