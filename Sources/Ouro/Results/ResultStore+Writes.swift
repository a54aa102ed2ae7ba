import Foundation
import GRDB

/// The counts of documents in one generation's training set.
public struct GenerationCounts: Equatable, Sendable {
    public var human: Int
    public var synthetic: Int
    public init(human: Int, synthetic: Int) { self.human = human; self.synthetic = synthetic }
}

/// Seconds spent in one generation's phases. A `nil` store time is measured by
/// `commitGeneration` itself (the time of its transaction up to the last statement).
public struct GenerationTimings: Equatable, Sendable {
    public var fit: Double?
    public var generate: Double?
    public var metrics: Double?
    public var store: Double?
    public init(fit: Double? = nil, generate: Double? = nil, metrics: Double? = nil, store: Double? = nil) {
        self.fit = fit; self.generate = generate; self.metrics = metrics; self.store = store
    }
}

/// The state of a run.
public enum RunStatus: String, Sendable, Equatable {
    case running, finished, failed
}

extension ResultStore {
    /// Registers an experiment, or returns the stored one of that name when its source and
    /// parameters are the same (a resumed or sliced run).
    /// - Parameters:
    ///   - name: the experiment's name (unique in the database).
    ///   - source: the full text of the experiment file; its SHA-256 identifies the experiment.
    ///   - params: a JSON object of run-wide settings (e.g. `--set` overrides), `{}` by default.
    /// - Returns: the experiment's id.
    /// - Throws: `ResultStoreError.experimentChanged` when the name is stored with another source
    ///   hash or other parameters; `.invalidParams` when `params` is not a JSON object.
    public func experiment(name: String, source: String, params: String = "{}") throws -> Int64 {
        _ = try JSONScalar.object(params)
        let sha = SHA256.hex(source)
        return try database.write { db in
            if let row = try Row.fetchOne(db, sql: "SELECT id, source_sha256, params FROM experiments WHERE name = ?", arguments: [name]) {
                guard row["source_sha256"] as String == sha, try JSONScalar.sameObject(row["params"], params) else {
                    throw ResultStoreError.experimentChanged(name: name, path: path)
                }
                return row["id"]
            }
            try db.execute(sql: "INSERT INTO experiments (name, source, source_sha256, params, created) VALUES (?, ?, ?, ?, ?)",
                           arguments: [name, source, sha, params, ResultStore.now()])
            return db.lastInsertedRowID
        }
    }

    /// Registers a cell of an experiment, or returns the stored one with the same index.
    /// - Parameters:
    ///   - experiment: the id from `experiment(name:source:params:)`.
    ///   - index: the cell's number as the runner numbers it (queries use the same number).
    ///   - params: the cell's parameters as a JSON object (e.g. `{"synthetic_ratio": 0.25}`).
    /// - Returns: the cell's id.
    /// - Throws: `.cellChanged` when the index is stored with other parameters.
    public func cell(experiment: Int64, index: Int, params: String = "{}") throws -> Int64 {
        _ = try JSONScalar.object(params)
        return try database.write { db in
            if let row = try Row.fetchOne(db, sql: "SELECT id, params FROM cells WHERE experiment = ? AND idx = ?", arguments: [experiment, index]) {
                guard try JSONScalar.sameObject(row["params"], params) else {
                    throw ResultStoreError.cellChanged(index: index, stored: row["params"], given: params)
                }
                return row["id"]
            }
            try db.execute(sql: "INSERT INTO cells (experiment, idx, params) VALUES (?, ?, ?)", arguments: [experiment, index, params])
            return db.lastInsertedRowID
        }
    }

    /// Starts the run of (cell, seed), or continues its unfinished run (status back to running).
    /// Pair with `lastCompletedGeneration(cell:seed:)` to know where to continue.
    /// - Returns: the run's id.
    /// - Throws: `.runFinished` when that run is already finished.
    public func beginRun(cell: Int64, seed: Int) throws -> Int64 {
        try database.write { db in
            if let row = try Row.fetchOne(db, sql: "SELECT id, status FROM runs WHERE cell = ? AND seed = ?", arguments: [cell, seed]) {
                if row["status"] as String == RunStatus.finished.rawValue {
                    let idx = try Int.fetchOne(db, sql: "SELECT idx FROM cells WHERE id = ?", arguments: [cell]) ?? Int(cell)
                    throw ResultStoreError.runFinished(cell: idx, seed: seed)
                }
                let id: Int64 = row["id"]
                try db.execute(sql: "UPDATE runs SET status = 'running', error = NULL, finished = NULL WHERE id = ?", arguments: [id])
                return id
            }
            try db.execute(sql: "INSERT INTO runs (cell, seed, status, started) VALUES (?, ?, 'running', ?)",
                           arguments: [cell, seed, ResultStore.now()])
            return db.lastInsertedRowID
        }
    }

    /// The last generation stored for (cell, seed), nil when the run has none (or does not exist).
    public func lastCompletedGeneration(cell: Int64, seed: Int) throws -> Int? {
        try reader.read { db in
            try Int.fetchOne(db, sql: """
                SELECT MAX(g.g) FROM generations g JOIN runs r ON r.id = g.run WHERE r.cell = ? AND r.seed = ?
                """, arguments: [cell, seed])
        }
    }

    /// The status of the run of (cell, seed), nil when it was never started.
    public func runStatus(cell: Int64, seed: Int) throws -> RunStatus? {
        try reader.read { db in
            try String.fetchOne(db, sql: "SELECT status FROM runs WHERE cell = ? AND seed = ?", arguments: [cell, seed])
                .flatMap(RunStatus.init(rawValue:))
        }
    }

    /// Stores the metric values of the human reference data (generation −1) of a run, in one
    /// transaction, replacing earlier reference values of that run.
    public func commitReference(run: Int64, metrics: [String: Double]) throws {
        try database.write { db in
            try Self.requireRunning(db, run)
            for name in metrics.keys.sorted() {
                try db.execute(sql: "INSERT OR REPLACE INTO metrics (run, g, name, value) VALUES (?, -1, ?, ?)",
                               arguments: [run, name, Self.storable(metrics[name]!)])
            }
        }
    }

    /// Stores one completed generation, all-or-nothing: its counts and timings, every metric
    /// value and every generated text (in order) are written in ONE transaction.
    /// - Parameters:
    ///   - run: the id from `beginRun`.
    ///   - generation: g ≥ 0, not yet stored for this run.
    ///   - counts: human and synthetic documents in the training set.
    ///   - timings: phase seconds (see `GenerationTimings`).
    ///   - metrics: metric values on this generation's evaluation sample (NaN is stored as NULL).
    ///   - texts: the generated documents.
    ///   - losses: the training loss of each optimizer step of the generation's model (steps 1…).
    /// - Throws: `.runNotRunning`, `.generationExists`, or the database's error; nothing of the
    ///   generation is stored when it throws.
    /// - Complexity: O(metrics + texts) statements.
    public func commitGeneration(run: Int64, generation g: Int, counts: GenerationCounts, timings: GenerationTimings,
                                 metrics: [String: Double], texts: [String], losses: [Double] = []) throws {
        let hook = hooks.insideGeneration
        try database.write { db in
            let start = DispatchTime.now().uptimeNanoseconds
            try Self.requireRunning(db, run)
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM generations WHERE run = ? AND g = ?)", arguments: [run, g]) == true {
                throw ResultStoreError.generationExists(run: run, generation: g)
            }
            try db.execute(sql: """
                INSERT INTO generations (run, g, n_human, n_synthetic, seconds_fit, seconds_generate, seconds_metrics, seconds_store)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [run, g, counts.human, counts.synthetic, timings.fit, timings.generate, timings.metrics, timings.store])
            let metric = try db.cachedStatement(sql: "INSERT INTO metrics (run, g, name, value) VALUES (?, ?, ?, ?)")
            for name in metrics.keys.sorted() {
                try metric.execute(arguments: [run, g, name, Self.storable(metrics[name]!)])
            }
            try hook?()
            let text = try db.cachedStatement(sql: "INSERT INTO texts (run, g, idx, text) VALUES (?, ?, ?, ?)")
            for (i, t) in texts.enumerated() { try text.execute(arguments: [run, g, i, t]) }
            if !losses.isEmpty {
                let loss = try db.cachedStatement(sql: "INSERT INTO train_losses (run, g, step, loss) VALUES (?, ?, ?, ?)")
                for (i, l) in losses.enumerated() { try loss.execute(arguments: [run, g, i + 1, Self.storable(l)]) }
            }
            if timings.store == nil {
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                try db.execute(sql: "UPDATE generations SET seconds_store = ? WHERE run = ? AND g = ?", arguments: [seconds, run, g])
            }
        }
    }

    /// Marks a run finished.
    public func finishRun(_ run: Int64) throws {
        try database.write { db in
            try Self.requireRunning(db, run)
            try db.execute(sql: "UPDATE runs SET status = 'finished', finished = ? WHERE id = ?", arguments: [ResultStore.now(), run])
        }
    }

    /// Marks a run failed with a message; its completed generations stay and `--resume` retries it.
    public func failRun(_ run: Int64, message: String) throws {
        try database.write { db in
            guard try String.fetchOne(db, sql: "SELECT status FROM runs WHERE id = ?", arguments: [run]) != nil else {
                throw ResultStoreError.unknownRun(run)
            }
            try db.execute(sql: "UPDATE runs SET status = 'failed', finished = ?, error = ? WHERE id = ?",
                           arguments: [ResultStore.now(), message, run])
        }
    }

    static func requireRunning(_ db: Database, _ run: Int64) throws {
        guard let status = try String.fetchOne(db, sql: "SELECT status FROM runs WHERE id = ?", arguments: [run]) else {
            throw ResultStoreError.unknownRun(run)
        }
        guard status == RunStatus.running.rawValue else { throw ResultStoreError.runNotRunning(run: run, status: status) }
    }

    /// NaN and infinities have no SQLite REAL form that survives every reader: NaN → NULL.
    static func storable(_ x: Double) -> Double? { x.isNaN ? nil : x }
}
