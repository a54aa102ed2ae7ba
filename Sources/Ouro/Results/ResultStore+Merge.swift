import Foundation
import GRDB

extension ResultStore {
    /// What `merge` copied.
    public struct MergeSummary: Equatable, Sendable {
        /// Runs copied into the target.
        public let runs: Int
        /// Runs left out because another input had the same (cell, seed) finished or further along.
        public let skipped: Int
    }

    /// Merges results databases of the same experiment(s) (e.g. the slices of `--cell I/N`)
    /// into a new database.
    ///
    /// Every input must hold the same experiments: same names, same source sha256 and same
    /// parameters; cells with the same index must have the same parameters. For each
    /// (experiment, cell, seed) one run is copied with all its generations, metrics and texts:
    /// the finished one (finished in two inputs is an error), else the one with the most stored
    /// generations (the first input on a tie).
    /// - Parameters:
    ///   - paths: the input databases (opened read-only; never changed).
    ///   - target: the output database; created, or an existing Ouro database without runs.
    /// - Throws: `ResultStoreError.mergeMismatch`, `.duplicateRun`, or the errors of `open`.
    @discardableResult
    public static func merge(_ paths: [String], into target: String) throws -> MergeSummary {
        precondition(!paths.isEmpty, "merge needs at least one input")
        struct Candidate { let source: Int; let runID: Int64; let status: String; let generations: Int; let seed: Int }
        let inputs = try paths.map { try ResultStore.open($0, mode: .readOnly) }
        defer { for i in inputs { try? i.close() } }
        // Experiments: (name, sha, params) identical everywhere.
        let experiments = try inputs.map { try $0.experiments() }
        func identity(_ e: [ExperimentInfo]) throws -> [String] {
            try e.map { try $0.name + "\u{0}" + $0.sha256 + "\u{0}" + JSONScalar.object(JSONScalar.object($0.params)).json }.sorted()
        }
        let reference = try identity(experiments[0])
        guard !reference.isEmpty else { throw ResultStoreError.noExperiment(path: paths[0]) }
        for i in 1..<inputs.count {
            guard try identity(experiments[i]) != reference else { continue }
            let names = { (e: [ExperimentInfo]) in e.map { "'\($0.name)' (sha256 \($0.sha256.prefix(12)))" }.joined(separator: ", ") }
            throw ResultStoreError.mergeMismatch(path: paths[i], reference: paths[0],
                                                 detail: "it holds \(names(experiments[i])), not \(names(experiments[0])) with the same parameters")
        }
        // Cells per experiment name and index, parameters identical.
        var cellParams: [String: [Int: String]] = [:]
        var candidates: [String: [Int: [Int: [Candidate]]]] = [:]
        for (i, input) in inputs.enumerated() {
            try input.reader.read { db in
                for row in try Row.fetchAll(db, sql: "SELECT e.name, c.idx, c.params FROM cells c JOIN experiments e ON e.id = c.experiment") {
                    let name: String = row["name"], idx: Int = row["idx"], p: String = row["params"]
                    if let known = cellParams[name]?[idx] {
                        guard try JSONScalar.sameObject(known, p) else {
                            throw ResultStoreError.mergeMismatch(path: paths[i], reference: paths[0],
                                                                 detail: "cell \(idx) of '\(name)' has parameters \(p), not \(known)")
                        }
                    } else { cellParams[name, default: [:]][idx] = p }
                }
            }
            for run in try input.runs() {
                candidates[run.experiment, default: [:]][run.cell, default: [:]][run.seed, default: []]
                    .append(Candidate(source: i, runID: run.id, status: run.status.rawValue, generations: run.generations, seed: run.seed))
            }
        }
        // Choose one run per (experiment, cell, seed).
        var chosen: [(experiment: String, cell: Int, candidate: Candidate)] = []
        var skipped = 0
        for name in candidates.keys.sorted() {
            for cell in candidates[name]!.keys.sorted() {
                for seed in candidates[name]![cell]!.keys.sorted() {
                    let list = candidates[name]![cell]![seed]!
                    let finished = list.filter { $0.status == RunStatus.finished.rawValue }
                    if finished.count > 1 {
                        throw ResultStoreError.duplicateRun(experiment: name, cell: cell, seed: seed,
                                                            first: paths[finished[0].source], second: paths[finished[1].source])
                    }
                    var best = finished.first ?? list[0]
                    if finished.isEmpty { for c in list.dropFirst() where c.generations > best.generations { best = c } }
                    chosen.append((name, cell, best))
                    skipped += list.count - 1
                }
            }
        }
        // Write the target.
        let out = try ResultStore.open(target, mode: .create)
        defer { try? out.finish() }
        var experimentIDs: [String: Int64] = [:]
        for e in experiments[0] {
            experimentIDs[e.name] = try out.experiment(name: e.name, source: inputs[0].source(experiment: e.name), params: e.params)
        }
        var cellIDs: [String: [Int: Int64]] = [:]
        for name in cellParams.keys.sorted() {
            for idx in cellParams[name]!.keys.sorted() {
                cellIDs[name, default: [:]][idx] = try out.cell(experiment: experimentIDs[name]!, index: idx, params: cellParams[name]![idx]!)
            }
        }
        let writer = try out.database
        for (source, path) in paths.enumerated() {
            let runs = chosen.filter { $0.candidate.source == source }
            if runs.isEmpty { continue }
            try writer.writeWithoutTransaction { db in
                try db.execute(sql: "ATTACH DATABASE ? AS src", arguments: [path])
                defer { try? db.execute(sql: "DETACH DATABASE src") }
                let sourceHasLosses = try db.tableExists("train_losses", in: "src")
                try db.inTransaction {
                    for run in runs {
                        let old = run.candidate.runID
                        try db.execute(sql: """
                            INSERT INTO runs (cell, seed, status, started, finished, error)
                            SELECT ?, seed, status, started, finished, error FROM src.runs WHERE id = ?
                            """, arguments: [cellIDs[run.experiment]![run.cell]!, old])
                        let new = db.lastInsertedRowID
                        try db.execute(sql: """
                            INSERT INTO generations SELECT ?, g, n_human, n_synthetic, seconds_fit, seconds_generate, seconds_metrics, seconds_store
                            FROM src.generations WHERE run = ?
                            """, arguments: [new, old])
                        try db.execute(sql: "INSERT INTO metrics SELECT ?, g, name, value FROM src.metrics WHERE run = ?", arguments: [new, old])
                        try db.execute(sql: "INSERT INTO texts SELECT ?, g, idx, text FROM src.texts WHERE run = ?", arguments: [new, old])
                        if sourceHasLosses {
                            try db.execute(sql: "INSERT INTO train_losses SELECT ?, g, step, loss FROM src.train_losses WHERE run = ?",
                                           arguments: [new, old])
                        }
                    }
                    return .commit
                }
            }
        }
        return MergeSummary(runs: chosen.count, skipped: skipped)
    }
}
