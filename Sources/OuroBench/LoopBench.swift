import Foundation
import Ouro

/// `ouro bench loop`: one run of the loop with the reference study's shape (20 generations of
/// 4000 documents, synthetic ratio 0.25, accumulated pool) into a temporary results database,
/// reporting seconds per generation split into fit / generate / metrics / store and the loop's own
/// work (mixing, gathering training sets: everything else). Target: mixing + store ≤ 5% of the total.
public enum LoopBench {
    /// The measured phases, summed over generations.
    public struct Report: Sendable {
        public let generations: Int
        public let documents: Int
        public let fit: Double
        public let generate: Double
        public let metrics: Double
        public let store: Double
        public let loop: Double
        public let total: Double
        /// `loop / total`: mixing and gathering training sets.
        public var loopShare: Double { total > 0 ? loop / total : 0 }
        /// `(loop + store) / total`: the loop's own work as issue 4 counts it (mixing, store).
        public var ownShare: Double { total > 0 ? (loop + store) / total : 0 }

        /// A table: per-generation seconds of each phase and its share of the total.
        public var table: String {
            let g = Double(max(generations, 1))
            func row(_ name: String, _ s: Double) -> String {
                name.padding(toLength: 10, withPad: " ", startingAt: 0)
                    + String(format: "%10.4f s/gen %7.1f%%", s / g, total > 0 ? 100 * s / total : 0)
            }
            return ["loop bench: \(generations) generations × \(documents) documents",
                    row("fit", fit), row("generate", generate), row("metrics", metrics), row("store", store),
                    row("loop", loop), row("total", total),
                    String(format: "loop's own work (mixing + store) %.2f%% (target ≤ 5%%)", 100 * ownShare)].joined(separator: "\n")
        }
    }

    /// Runs one cell, seed `seed`, into a fresh temporary database (deleted afterwards).
    /// - Parameters:
    ///   - human: the human pool (at least `documents` documents; one fixed slice is used).
    ///   - model: builds the model spec (fitted fresh every generation).
    ///   - sampling: the sampling options of every generation.
    ///   - metrics: the metrics computed each generation (on `evalSize` generated documents).
    ///   - generations, documents, ratio, evalSize: the loop's shape.
    /// - Returns: the summed timings.
    public static func run<M: LoopModel>(human: M.Data, model: () throws -> M, sampling: M.Sampling? = nil,
                                         metrics: @escaping LoopMetrics<M> = { _, _, _ in [:] },
                                         generations: Int = 20, documents: Int = 4000, ratio: Double = 0.25,
                                         evalSize: Int = 250, seed: Int = 1) throws -> Report {
        let spec = CellSpec<M>(human: human, generations: generations, trainSize: documents,
                               syntheticRatio: .constant(ratio), freshHuman: false, accumulate: .pool(stratified: true),
                               model: .fresh([try model()]), sampling: .constant(sampling), metrics: metrics,
                               evalSize: evalSize)
        var runner = try LoopRunner(spec: spec)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ouro-loop-bench-\(ProcessInfo.processInfo.processIdentifier)-\(UInt64(DispatchTime.now().uptimeNanoseconds))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try ResultStore.open(dir.appendingPathComponent("bench.db").path, mode: .create)
        defer { try? store.close() }
        let experiment = try store.experiment(name: "bench-loop", source: "-- ouro bench loop")
        var fit = 0.0, gen = 0.0, met = 0.0, sto = 0.0, loop = 0.0, total = 0.0
        runner.progress = { p in
            fit += p.timings.fit ?? 0; gen += p.timings.generate ?? 0; met += p.timings.metrics ?? 0
            sto += p.timings.store ?? 0; loop += p.loopSeconds; total += p.seconds
        }
        _ = try runner.run(store: store, experiment: experiment, cellIndex: 0, seed: seed)
        return Report(generations: generations, documents: documents, fit: fit, generate: gen, metrics: met,
                      store: sto, loop: loop, total: total)
    }

    /// What `ouro bench loop` runs.
    public struct Options: Sendable {
        /// Human data: a .jsonl/.csv/.txt file, or a catalog name built in `dataFolder`.
        public var data = "tweets"
        public var dataFolder: String
        public var generations = 20, documents = 4000
        /// Metric names computed each generation, or `all` (every text metric but the embedding ones).
        public var metrics = "ttr,self_bleu,length,distinct_2"
        /// Sample at temperature 1.5 with min_p 0.2 (the reference study) instead of plainly.
        public var study = false
        public init(dataFolder: String) { self.dataFolder = dataFolder }
    }

    /// An order-3 n-gram loop on `o.data` (`run`), printed as a table, with the metrics' share of a
    /// generation; with `metrics = "all"` also the share of a study generation, semantic diversity on
    /// 250 texts included.
    /// - Throws: `BenchError` for a catalog set that is not built; load and metric errors.
    public static func study(_ o: Options) throws -> String {
        var path = o.data
        if DataFormat.infer(path: o.data) == nil {
            path = (o.dataFolder as NSString).appendingPathComponent(o.data + ".jsonl")
            guard FileManager.default.fileExists(atPath: path) else {
                throw BenchError(description: "data set '\(o.data)' is not built; run `ouro data` first (or pass --data FILE)")
            }
        }
        let human = try Dataset.load(path)
        // The registry an experiment has, without the embedding metrics.
        let registry = MetricRegistry.standard()
        registry.attachDataFolder(o.dataFolder, embeddings: nil)
        let names = o.metrics == "all" ? registry.infos.filter { $0.kind == .text }.map(\.name)
                                       : o.metrics.split(separator: ",").map(String.init)
        var params = GenerationParams()
        params.maxNewTokens = 60
        if o.study { params.temperature = 1.5; params.minP = 0.2 }
        // A pool larger than one training set, so the run has held-out human documents (ppl_human).
        let report = try run(
            human: human, model: { NGramLoopModel(try NGramModel(order: 3)) }, sampling: params,
            metrics: registry.textLoopMetrics(names),
            generations: o.generations, documents: min(o.documents, max(human.count - 250, 1)))
        var lines = [report.table, "metrics: " + names.joined(separator: ", ")]
        let g = Double(max(report.generations, 1))
        let perGen = report.metrics / g, rest = (report.total - report.metrics) / g
        lines.append(String(format: "metrics %.1f ms per generation = %.1f%% of a generation without its metrics (%.1f ms: fit, generate, store, loop)",
                            1000 * perGen, 100 * perGen / max(rest, 1e-12), 1000 * rest))
        guard o.metrics == "all" else { return lines.joined(separator: "\n") }
        // A generation of the study computes semantic diversity on its evaluation sample too: time it
        // on 250 generated-size texts (the human data's first 250) with a fresh embedding cache.
        registry.registerEmbeddingMetrics(cache: EmbeddingCache(dataFolder: o.dataFolder))
        let sample = EvaluationSet(human.select(Array(0..<min(250, human.count))))
        var computed = true
        let semantic = BenchTimer.seconds { computed = (try? registry.compute(["semantic_diversity"], on: sample)) != nil }
        guard computed else {
            lines.append("semantic_diversity not timed: the MiniLM model is not in \(o.dataFolder) (run `ouro data`)")
            return lines.joined(separator: "\n")
        }
        let study = rest + perGen + semantic
        lines.append(String(format: "semantic_diversity on 250 texts: %.1f ms; a study generation (the above + it): %.1f ms", 1000 * semantic, 1000 * study))
        lines.append(String(format: "non-embedding metrics' share of a study generation: %.2f%% (target < 1%%)", 100 * perGen / study))
        return lines.joined(separator: "\n")
    }
}
