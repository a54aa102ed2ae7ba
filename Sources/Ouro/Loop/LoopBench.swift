import Foundation

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
}
