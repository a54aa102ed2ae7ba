import Foundation
import XCTest
@testable import Ouro

final class LoopRunnerTests: XCTestCase {
    /// Runs `spec` for (cell 0, `seed`) into a new store and returns every training set reported.
    private func trainingSets(_ spec: CellSpec<Gaussian>, seed: Int = 1, scratch: LoopScratch? = nil,
                              db: String = "mix.db") throws -> [TrainingSetRecord] {
        let s = try scratch ?? LoopScratch()
        let store = try s.store(db)
        let e = try store.experiment(name: "t", source: "x")
        var runner = try LoopRunner(spec: spec)
        var records: [TrainingSetRecord] = []
        runner.onTrainingSet = { records.append($0) }
        XCTAssertEqual(try runner.run(store: store, experiment: e, cellIndex: 0, seed: seed), .finished(resumedFrom: nil))
        return records
    }

    private func gaussianSpec(pool: Int, generations: Int, trainSize: Int, ratio: Schedule<Double>, fresh: Bool,
                              accumulate: Accumulate, evalSize: Int = 10) throws -> CellSpec<Gaussian> {
        CellSpec(human: try normalPool(pool), generations: generations, trainSize: trainSize, syntheticRatio: ratio,
                 freshHuman: fresh, accumulate: accumulate, model: .fresh([Gaussian(GaussianModel())]),
                 metrics: meanAndVariance, evalSize: evalSize)
    }

    private func humans(_ r: TrainingSetRecord) -> [Int] {
        r.sources.compactMap { if case .human(let i) = $0 { return i } else { return nil } }
    }
    private func synthetics(_ r: TrainingSetRecord) -> [(Int, Int)] {
        r.sources.compactMap { if case .synthetic(let g, let i) = $0 { return (g, i) } else { return nil } }
    }

    // MARK: - Mixing

    func testStudyMixingUsesDisjointFreshSlicesAndAPoolWithoutGenerationZero() throws {
        // train_size 4000, ratio 0.25, fresh human, accumulated pool: the pool must hold
        // 4000 + 3 · 3000 documents for 4 generations.
        let spec = try gaussianSpec(pool: 13_000, generations: 4, trainSize: 4000, ratio: .constant(0.25), fresh: true,
                                    accumulate: .pool(stratified: true))
        XCTAssertEqual(try spec.resolve().humanNeeded, 13_000)
        let sets = try trainingSets(spec)
        XCTAssertEqual(sets.count, 4)
        let gen0 = Set(humans(sets[0]))
        XCTAssertEqual(sets[0].sources.count, 4000)
        XCTAssertEqual(gen0.count, 4000)
        var slices = Set<Int>()
        for g in 1..<4 {
            let r = sets[g]
            XCTAssertEqual(r.sources.count, 4000, "generation \(g) trains on 4000 documents")
            XCTAssertEqual(humans(r).count, 3000, "generation \(g): 3000 human")
            XCTAssertEqual(synthetics(r).count, 1000, "generation \(g): 1000 synthetic")
            XCTAssertEqual(Set(r.sources).count, 4000, "no document twice")
            // The new data: a fresh slice of 3000 human documents, disjoint from every earlier slice,
            // and 1000 documents of the previous generation's output.
            let slice = Set(r.newData.compactMap { if case .human(let i) = $0 { return i } else { return nil } })
            XCTAssertEqual(slice.count, 3000)
            XCTAssertTrue(slice.isDisjoint(with: slices), "slice \(g) is fresh")
            XCTAssertTrue(slice.isDisjoint(with: gen0), "slice \(g) is disjoint from generation 0's")
            XCTAssertEqual(r.newData.count - slice.count, 1000)
            XCTAssertTrue(r.newData.allSatisfy { if case .synthetic(let sg, _) = $0 { return sg == g - 1 } else { return true } })
            slices.formUnion(slice)
            // The training set comes from the pool of generations 1…g only.
            let h = Set(humans(r))
            XCTAssertTrue(h.isDisjoint(with: gen0), "generation 0's human data never enters the pool (g = \(g))")
            XCTAssertTrue(h.isSubset(of: slices))
            for (sg, _) in synthetics(r) { XCTAssertTrue((0..<g).contains(sg), "synthetic from an earlier generation") }
        }
        // Generation 1's pool is exactly its new data: 3000 human of the second slice of the shuffle.
        XCTAssertEqual(Set(humans(sets[1])).count, 3000)
        XCTAssertTrue(synthetics(sets[1]).allSatisfy { $0.0 == 0 })
        // A pool of three generations: synthetic documents of several producers are drawn.
        XCTAssertEqual(Set(synthetics(sets[3]).map(\.0)), [0, 1, 2])
    }

    func testFreshHumanSlicesAreTheConsecutiveCutsOfOneShuffle() throws {
        // With replace, the human part of generation g's training set is exactly its fresh slice.
        let spec = try gaussianSpec(pool: 1000, generations: 5, trainSize: 200, ratio: .function { g in 0.25 * Double(g - 1) },
                                    fresh: true, accumulate: .replace)
        let plan = try spec.resolve()
        XCTAssertEqual(plan.human, [200, 200, 150, 100, 50])
        XCTAssertEqual(plan.humanNeeded, 700)
        let sets = try trainingSets(spec)
        var all = Set<Int>()
        for (g, r) in sets.enumerated() {
            let h = humans(r)
            XCTAssertEqual(h.count, plan.human[g])
            XCTAssertEqual(synthetics(r).count, plan.synthetic[g])
            XCTAssertTrue(all.isDisjoint(with: h), "slice \(g) is disjoint from the earlier ones")
            all.formUnion(h)
            // replace: synthetic documents are the previous model's first outputs.
            XCTAssertEqual(Set(synthetics(r).map(\.0)).subtracting([g - 1]), [])
            XCTAssertEqual(Set(synthetics(r).map(\.1)), Set(0..<plan.synthetic[g]))
        }
        XCTAssertEqual(all.count, 700)
    }

    func testFixedHumanDataIsDrawnFromGenerationZerosSlice() throws {
        let spec = try gaussianSpec(pool: 300, generations: 4, trainSize: 100, ratio: .constant(0.5), fresh: false,
                                    accumulate: .replace)
        XCTAssertEqual(try spec.resolve().humanNeeded, 100)
        let sets = try trainingSets(spec)
        let slice = Set(humans(sets[0]))
        for r in sets.dropFirst() {
            XCTAssertEqual(humans(r).count, 50)
            XCTAssertTrue(Set(humans(r)).isSubset(of: slice))
        }
    }

    func testAccumulateAllGrowsWithEverythingIncludingGenerationZero() throws {
        let spec = try gaussianSpec(pool: 1000, generations: 4, trainSize: 100, ratio: .constant(0.3), fresh: true,
                                    accumulate: .all)
        let sets = try trainingSets(spec)
        for (g, r) in sets.enumerated() {
            XCTAssertEqual(r.sources.count, 100 * (g + 1))
            XCTAssertEqual(synthetics(r).count, 30 * g)
            if g > 0 { XCTAssertTrue(Set(sets[g - 1].sources).isSubset(of: Set(r.sources))) }
        }
    }

    func testSubsampleDrawsTrainSizeFromEverythingIncludingGenerationZero() throws {
        let spec = try gaussianSpec(pool: 1000, generations: 5, trainSize: 100, ratio: .constant(1), fresh: false,
                                    accumulate: .subsample)
        let sets = try trainingSets(spec)
        let generationZero = Set(sets[0].sources)
        var zeroSeen = 0
        for (g, r) in sets.enumerated() {
            XCTAssertEqual(r.sources.count, 100)
            XCTAssertEqual(Set(r.sources).count, 100, "drawn without replacement")
            guard g > 0 else { continue }
            // Everything so far: generation 0's slice and the outputs of generations 0 … g − 1.
            XCTAssertTrue(r.sources.allSatisfy { s in
                if case .synthetic(let sg, let i) = s { return sg < g && i < 100 } else { return generationZero.contains(s) }
            })
            zeroSeen += humans(r).count
        }
        // Generation g draws 100 of 100·(g+1): on average 100/(g+1) human documents at g = 1…4.
        XCTAssertGreaterThan(zeroSeen, 60)
        XCTAssertLessThan(zeroSeen, 200)
    }

    func testAnUnstratifiedPoolTakesTrainSizeOfTheWholePool() throws {
        let spec = try gaussianSpec(pool: 2000, generations: 4, trainSize: 200, ratio: .constant(0.5), fresh: true,
                                    accumulate: .pool(stratified: false))
        let sets = try trainingSets(spec)
        XCTAssertEqual(synthetics(sets[1]).count, 100, "generation 1's pool is its new data")
        var counts: [Int] = []
        for r in sets.dropFirst() {
            XCTAssertEqual(r.sources.count, 200)
            XCTAssertEqual(Set(r.sources).count, 200)
            counts.append(synthetics(r).count)
        }
        XCTAssertEqual(counts.reduce(0, +) > 0, true)
    }

    // MARK: - Bad input

    func testATooSmallHumanPoolFailsBeforeRunningAndSaysHowManyAreNeeded() throws {
        let spec = try gaussianSpec(pool: 12_999, generations: 4, trainSize: 4000, ratio: .constant(0.25), fresh: true,
                                    accumulate: .pool(stratified: true))
        XCTAssertThrowsError(try LoopRunner(spec: spec)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("needs 13000 documents"), text)
            XCTAssertTrue(text.contains("has 12999"), text)
        }
        var fixed = spec
        fixed.freshHuman = false
        fixed.human = try normalPool(3999)
        XCTAssertThrowsError(try LoopRunner(spec: fixed)) { XCTAssertTrue("\($0)".contains("needs 4000 documents"), "\($0)") }
    }

    func testARatioScheduleOutOfRangeNamesTheGeneration() throws {
        let spec = try gaussianSpec(pool: 1000, generations: 6, trainSize: 10, ratio: .function { g in g == 4 ? 1.5 : 0.5 },
                                    fresh: true, accumulate: .replace)
        XCTAssertThrowsError(try LoopRunner(spec: spec)) { error in
            XCTAssertEqual("\(error)", "synthetic_ratio must be a number between 0 and 1, got 1.5 at generation 4")
        }
        struct Boom: Error, CustomStringConvertible { var description: String { "boom" } }
        var throwing = spec
        throwing.syntheticRatio = .function { g in if g == 2 { throw Boom() }; return 0.5 }
        XCTAssertThrowsError(try LoopRunner(spec: throwing)) { XCTAssertEqual("\($0)", "synthetic_ratio at generation 2: boom") }
        var nan = spec
        nan.syntheticRatio = .constant(.nan)
        XCTAssertThrowsError(try LoopRunner(spec: nan)) { XCTAssertTrue("\($0)".contains("at generation 1"), "\($0)") }
        var zero = spec
        zero.trainSize = 0
        XCTAssertThrowsError(try LoopRunner(spec: zero)) { XCTAssertEqual("\($0)", "train_size must be an integer ≥ 1, got 0") }
        var weight = spec
        weight.syntheticRatio = .constant(0.5)
        weight.model = .finetune(base: Gaussian(GaussianModel()), weight: .function { g in g == 3 ? -0.1 : 0.5 })
        XCTAssertThrowsError(try LoopRunner(spec: weight)) {
            XCTAssertEqual("\($0)", "finetune weight must be a number between 0 and 1, got -0.1 at generation 3")
        }
    }

    // MARK: - Oracle

    func testMLERefitThroughTheRunnerShrinksVarianceAtTheOracleRate() throws {
        // Replace, ratio 1, n = 10: generation g's model has been refitted g + 1 times, so
        // E[σ²_g] = ((n−1)/n)^(g+1) · S² (Oracles.mleVariance), where S² is the human pool's variance
        // with divisor N − 1: generation 0 draws its 10 rows without replacement from the N-row pool,
        // and E[MLE variance] = (n−1)/n · S² holds exactly for such draws. The metric is the unbiased
        // variance of 40 rows generated by model g, whose expectation given the model is σ²_g.
        let n = 10, generations = 6, seeds = 500
        let human = try normalPool(5000, mean: 3, sd: 2)
        let mu = human.values.reduce(0, +) / 5000
        let s2 = human.values.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / 4999
        let scratch = try LoopScratch()
        let store = try scratch.store("oracle.db")
        let e = try store.experiment(name: "oracle", source: "x")
        let spec = CellSpec<Gaussian>(human: human, generations: generations, trainSize: n, syntheticRatio: .constant(1),
                                      freshHuman: false, accumulate: .replace, model: .fresh([Gaussian(GaussianModel(estimator: .mle))]),
                                      metrics: meanAndVariance, evalSize: 40)
        let runner = try LoopRunner(spec: spec)
        for seed in 1...seeds { _ = try runner.run(store: store, experiment: e, cellIndex: 0, seed: seed) }
        let series = try store.series("variance", cell: 0)
        XCTAssertEqual(series.map(\.generation), Array(0..<generations))
        for p in series {
            XCTAssertEqual(p.n, seeds)
            let expected = Oracles.mleVariance(sigma2: s2, n: n, generation: p.generation)
            let se = p.sd / Double(p.n).squareRoot()
            XCTAssertEqual(p.mean, expected, accuracy: 4 * se, "generation \(p.generation)")
        }
        // The decay is visible: the last generation is below the first by much more than its error.
        XCTAssertLessThan(series.last!.mean + 4 * series.last!.sd / Double(seeds).squareRoot(), series[0].mean)
    }

    // MARK: - Resume

    private func resumeSpec() throws -> CellSpec<NumericLoopModel<GMMModel>> {
        CellSpec(human: try normalPool(3000, sd: 1.5), generations: 6, trainSize: 200,
                 syntheticRatio: .function { g in g.isMultiple(of: 2) ? 0.5 : 0.75 }, freshHuman: true,
                 accumulate: .pool(stratified: true),
                 model: .fresh([NumericLoopModel(GMMModel(k: 1)), NumericLoopModel(GMMModel(k: 2, maxIterations: 20))]),
                 curate: .predicate { d, i in d.values[i] > -2 },
                 metrics: { d, _, _ in ["mean": d.values.reduce(0, +) / Double(d.count), "max": d.values.max()!] },
                 evalSize: 50, parameters: #"{"synthetic_ratio": "alternating"}"#)
    }

    func testAResumedRunStoresTheSameValuesAsAnUninterruptedOne() throws {
        struct Abandon: Error {}
        let scratch = try LoopScratch()
        let whole = try scratch.store("whole.db")
        let e1 = try whole.experiment(name: "resume", source: "x")
        _ = try LoopRunner(spec: try resumeSpec()).run(store: whole, experiment: e1, cellIndex: 3, seed: 7)

        let broken = try scratch.store("broken.db")
        let e2 = try broken.experiment(name: "resume", source: "x")
        var first = try LoopRunner(spec: try resumeSpec())
        first.afterGeneration = { g in if g == 2 { throw Abandon() } }
        XCTAssertThrowsError(try first.run(store: broken, experiment: e2, cellIndex: 3, seed: 7))
        XCTAssertEqual(try broken.runs().map(\.generations), [3])
        try broken.close()

        let reopened = try scratch.store("broken.db", mode: .resume)
        let e3 = try reopened.experiment(name: "resume", source: "x")
        var replays: [Int] = []
        var second = try LoopRunner(spec: try resumeSpec())
        second.onTrainingSet = { if $0.replay { replays.append($0.generation) } }
        XCTAssertEqual(try second.run(store: reopened, experiment: e3, cellIndex: 3, seed: 7), .finished(resumedFrom: 3))
        XCTAssertEqual(replays, [0, 1, 2])
        XCTAssertEqual(try reopened.exportCSV(), try whole.exportCSV())
        for g in 0..<6 {
            XCTAssertEqual(try reopened.texts(cell: 3, seed: 7, generation: g), try whole.texts(cell: 3, seed: 7, generation: g))
        }
        XCTAssertEqual(try second.run(store: reopened, experiment: e3, cellIndex: 3, seed: 7), .alreadyFinished)
    }

    // MARK: - Curation, models, text data

    func testMetricCurationKeepsTheTopFractionOfTheCandidates() throws {
        let scratch = try LoopScratch()
        let store = try scratch.store("curate.db")
        let e = try store.experiment(name: "c", source: "x")
        let spec = CellSpec<Gaussian>(human: try normalPool(500), generations: 3, trainSize: 40, syntheticRatio: .constant(0.5),
                                      freshHuman: false, accumulate: .replace, model: .fresh([Gaussian(GaussianModel())]),
                                      curate: .metric(name: "value", keep: .top, fraction: 0.25, score: { $0.values }),
                                      metrics: meanAndVariance, evalSize: 30)
        var runner = try LoopRunner(spec: spec)
        var sets: [TrainingSetRecord] = []
        runner.onTrainingSet = { sets.append($0) }
        _ = try runner.run(store: store, experiment: e, cellIndex: 0, seed: 3)
        for g in 1..<3 {
            let texts = try store.texts(cell: 0, seed: 3, generation: g - 1)
            XCTAssertEqual(texts.count, 80, "⌈20 / 0.25⌉ candidates (more than eval_size)")
            let values = texts.map { Double($0)! }
            let top = Set((0..<80).sorted { values[$0] > values[$1] }.prefix(20))
            XCTAssertEqual(Set(synthetics(sets[g]).map(\.1)), top)
        }
        XCTAssertEqual(try store.texts(cell: 0, seed: 3, generation: 2).count, 30, "last generation: eval only")
    }

    func testPredicateCurationGeneratesBatchesUntilEnoughPass() throws {
        let scratch = try LoopScratch()
        let store = try scratch.store("pred.db")
        let e = try store.experiment(name: "p", source: "x")
        // About 16% of N(0, 1) exceeds 1: the first batch of 50 cannot hold 40 passing rows.
        let spec = CellSpec<Gaussian>(human: try normalPool(500), generations: 2, trainSize: 40, syntheticRatio: .constant(1),
                                      freshHuman: false, accumulate: .replace, model: .fresh([Gaussian(GaussianModel())]),
                                      curate: .predicate { d, i in d.values[i] > 1 }, metrics: meanAndVariance, evalSize: 50)
        var runner = try LoopRunner(spec: spec)
        var sets: [TrainingSetRecord] = []
        runner.onTrainingSet = { sets.append($0) }
        _ = try runner.run(store: store, experiment: e, cellIndex: 0, seed: 1)
        let values = try store.texts(cell: 0, seed: 0 + 1, generation: 0).map { Double($0)! }
        XCTAssertGreaterThan(values.count, 50)
        XCTAssertEqual((values.count - 50) % 40, 0, "later batches hold `need` documents each")
        let used = synthetics(sets[1]).map(\.1)
        XCTAssertEqual(used.count, 40)
        XCTAssertTrue(used.allSatisfy { values[$0] > 1 })
        XCTAssertEqual(used.sorted(), values.indices.filter { values[$0] > 1 }.prefix(40).sorted(), "the first 40 that pass")

        var hopeless = spec
        hopeless.curate = .predicate { _, _ in false }
        XCTAssertThrowsError(try LoopRunner(spec: hopeless).run(store: store, experiment: e, cellIndex: 1, seed: 1)) {
            XCTAssertTrue("\($0)".contains("cell 1, seed 1, generation 0: curate kept only 0 of"), "\($0)")
        }
        XCTAssertEqual(try store.runs().first { $0.cell == 1 }?.status, .failed)
    }

    func testTextRunsStoreEveryGeneratedTextAndReportProgress() throws {
        let scratch = try LoopScratch()
        let store = try scratch.store("text.db")
        let e = try store.experiment(name: "text", source: "x")
        let spec = CellSpec<UnigramTestModel>(
            human: wordPool(400), generations: 3, trainSize: 100, syntheticRatio: .constant(0.5), freshHuman: true,
            accumulate: .replace, model: .chain(UnigramTestModel(), weight: .constant(0.5)),
            sampling: .function { g in 3 + g },
            metrics: { d, _, _ in ["tokens": Double(d.tokenCount) / Double(d.count)] }, evalSize: 20)
        var runner = try LoopRunner(spec: spec)
        var progress: [RunProgress] = []
        runner.progress = { progress.append($0) }
        _ = try runner.run(store: store, experiment: e, cellIndex: 0, seed: 1)
        XCTAssertEqual(progress.map(\.generation), [0, 1, 2])
        XCTAssertEqual(progress.map(\.counts), [GenerationCounts(human: 100, synthetic: 0),
                                                GenerationCounts(human: 50, synthetic: 50),
                                                GenerationCounts(human: 50, synthetic: 50)])
        // Generations 0 and 1 generate 50 documents (the next training share), the last one 20;
        // the sampling schedule sets the length: 3 + g tokens.
        for (g, count) in [(0, 50), (1, 50), (2, 20)] {
            let texts = try store.texts(cell: 0, seed: 1, generation: g)
            XCTAssertEqual(texts.count, count)
            XCTAssertTrue(texts.allSatisfy { $0.split(separator: " ").count == 3 + g }, "\(texts.first ?? "")")
        }
        XCTAssertEqual(try store.series("tokens", cell: 0, includeReference: true).map(\.mean), [4, 3, 4, 5])
    }

    /// `ppl_human` reads human documents no training set holds: the metrics see the run's held-out
    /// documents (disjoint from every training set, the same every generation) and the generation's
    /// model (none for the reference row).
    func testMetricsSeeHeldOutHumanDocumentsAndTheGenerationsModel() throws {
        let scratch = try LoopScratch()
        let store = try scratch.store("heldout.db")
        let e = try store.experiment(name: "heldout", source: "x")
        let pool = Dataset.from(texts: (0..<230).map { "doc\($0) a b" })
        func index(_ text: String) -> Int { Int(text.split(separator: " ")[0].dropFirst(3))! }
        var heldOut: [[Int]] = [], models: [Bool] = []
        let spec = CellSpec<UnigramTestModel>(
            human: pool, generations: 3, trainSize: 100, syntheticRatio: .constant(0.5), freshHuman: true,
            accumulate: .all, model: .fresh([UnigramTestModel()]), sampling: .constant(3),
            metrics: { _, _, c in
                heldOut.append((c.heldOutHuman.map { $0.texts } ?? []).map(index))
                models.append(c.model != nil)
                return [:]
            }, evalSize: 20)
        var runner = try LoopRunner(spec: spec)
        var trained = Set<Int>()
        runner.onTrainingSet = { r in
            for case .human(let i) in r.sources { trained.insert(i) }
        }
        _ = try runner.run(store: store, experiment: e, cellIndex: 0, seed: 3)
        XCTAssertEqual(models, [false, true, true, true], "reference row first, then generations 0–2")
        XCTAssertEqual(trained.count, 200, "100 + 50 + 50 human documents train")
        XCTAssertEqual(heldOut[0].count, 20, "evalSize held-out documents (the pool has 30 unused)")
        XCTAssertTrue(heldOut.allSatisfy { $0 == heldOut[0] }, "the same held-out sample every generation")
        XCTAssertTrue(trained.isDisjoint(with: heldOut[0]), "held-out documents never train")

        // A pool with nothing left over: no held-out sample.
        var tight = spec
        tight.human = Dataset.from(texts: (0..<200).map { "doc\($0) a b" })
        heldOut = []
        _ = try LoopRunner(spec: tight).run(store: store, experiment: e, cellIndex: 1, seed: 3)
        XCTAssertEqual(heldOut, [[], [], [], []])
    }
}
