import Foundation
import GRDB

/// One generation of a metric's series over seeds.
public struct SeriesPoint: Equatable, Sendable {
    /// The generation (−1 for the human reference row).
    public let generation: Int
    /// Mean, sample sd, t-based 95% half-width and n over the runs (seeds) that have it.
    public let summary: SampleSummary
    public var mean: Double { summary.mean }
    public var sd: Double { summary.sd }
    public var ci95: Double { summary.ci95 }
    public var n: Int { summary.n }
}

/// One stored value of a metric: a run (seed) at a generation.
public struct MetricValue: Equatable, Sendable {
    public let seed: Int
    /// The generation (−1 for the human reference row).
    public let generation: Int
    /// The value; NaN where the metric was NaN (stored as NULL).
    public let value: Double
}

/// The shift of one seed's metric (see `MetricShift`).
public struct SeedShift: Equatable, Sendable {
    public let seed: Int
    /// The value at generation 0.
    public let base: Double
    /// The mean over the window's generations.
    public let window: Double
    /// `window / base`.
    public let ratio: Double
    /// `window − base`.
    public let difference: Double
}

/// The shift of a metric in a cell: the mean over the last generations relative to generation 0.
public struct MetricShift: Equatable, Sendable {
    public let metric: String
    public let cell: Int
    /// The generations averaged (the last `last` stored generations of the cell, never 0).
    public let generations: ClosedRange<Int>
    /// The per-seed ratio `mean(window)/value(g = 0)`, then summarised over seeds.
    public let ratio: SampleSummary
    /// The per-seed `mean(window) − value(g = 0)`, summarised over seeds.
    public let difference: SampleSummary
    public let perSeed: [SeedShift]
}

/// One run as listed by `runs()`.
public struct RunInfo: Equatable, Sendable {
    public let id: Int64
    public let experiment: String
    public let cell: Int
    /// The cell's parameters (JSON object text).
    public let cellParams: String
    public let seed: Int
    public let status: RunStatus
    public let started: String
    public let finished: String?
    /// The number of stored generations.
    public let generations: Int
    public let error: String?
}

/// One experiment as listed by `experiments()`.
public struct ExperimentInfo: Equatable, Sendable {
    public let id: Int64
    public let name: String
    public let sha256: String
    public let params: String
    public let created: String
    public let cells: Int
}

extension ResultStore {
    /// The experiments in the database, by id.
    public func experiments() throws -> [ExperimentInfo] {
        try reader.read { db in
            try Row.fetchAll(db, sql: """
                SELECT e.id, e.name, e.source_sha256, e.params, e.created, (SELECT COUNT(*) FROM cells c WHERE c.experiment = e.id) AS cells
                FROM experiments e ORDER BY e.id
                """).map {
                ExperimentInfo(id: $0["id"], name: $0["name"], sha256: $0["source_sha256"], params: $0["params"],
                               created: $0["created"], cells: $0["cells"])
            }
        }
    }

    /// The stored source text of an experiment file (the only experiment when `experiment` is nil).
    public func source(experiment: String? = nil) throws -> String {
        try reader.read { db in
            let id = try Self.experimentID(db, experiment, path: path)
            return try String.fetchOne(db, sql: "SELECT source FROM experiments WHERE id = ?", arguments: [id])!
        }
    }

    /// The distinct metric names stored, sorted.
    public func metricNames() throws -> [String] {
        try reader.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT name FROM metrics ORDER BY name") }
    }

    /// Every run, ordered by experiment, cell and seed.
    public func runs() throws -> [RunInfo] {
        try reader.read { db in
            try Row.fetchAll(db, sql: """
                SELECT r.id, e.name AS experiment, c.idx, c.params, r.seed, r.status, r.started, r.finished, r.error,
                       (SELECT COUNT(*) FROM generations g WHERE g.run = r.id) AS generations
                FROM runs r JOIN cells c ON c.id = r.cell JOIN experiments e ON e.id = c.experiment
                ORDER BY e.id, c.idx, r.seed
                """).map {
                RunInfo(id: $0["id"], experiment: $0["experiment"], cell: $0["idx"], cellParams: $0["params"], seed: $0["seed"],
                        status: RunStatus(rawValue: $0["status"]) ?? .failed, started: $0["started"], finished: $0["finished"],
                        generations: $0["generations"], error: $0["error"])
            }
        }
    }

    /// A metric per generation over the seeds of a cell.
    ///
    /// Every stored generation counts, whatever its run's status (stored generations are whole).
    /// NULL values (NaN at write time) are skipped. `ci95` is the half-width
    /// `t(0.975, n−1) · sd / √n` of Student's t (NaN when n < 2); see `Descriptive.summary`.
    /// - Parameters:
    ///   - metric: the metric name.
    ///   - cell: the cell index.
    ///   - experiment: the experiment name; nil when the database holds one experiment.
    ///   - includeReference: also return the human reference row as generation −1 (first).
    /// - Returns: one point per generation, ascending.
    public func series(_ metric: String, cell: Int, experiment: String? = nil, includeReference: Bool = false) throws -> [SeriesPoint] {
        try reader.read { db in
            let cellID = try Self.cellID(db, cell, experiment, path: path)
            try Self.requireMetric(db, metric)
            let rows = try Row.fetchAll(db, sql: """
                SELECT m.g, m.value FROM metrics m JOIN runs r ON r.id = m.run
                WHERE r.cell = ? AND m.name = ? AND m.value IS NOT NULL AND m.g >= ?
                ORDER BY m.g, r.seed
                """, arguments: [cellID, metric, includeReference ? -1 : 0])
            var byGeneration: [(Int, [Double])] = []
            for row in rows {
                let g: Int = row["g"], v: Double = row["value"]
                if byGeneration.last?.0 == g { byGeneration[byGeneration.count - 1].1.append(v) } else { byGeneration.append((g, [v])) }
            }
            return byGeneration.map { SeriesPoint(generation: $0.0, summary: Descriptive.summary($0.1)) }
        }
    }

    /// Every stored value of a metric in a cell, one per (seed, generation): the per-seed data
    /// behind `series` (for quantiles, counts of seeds, per-seed curves).
    /// - Parameters:
    ///   - seed: only this seed's values (nil: every seed).
    ///   - generation: only this generation (nil: every generation).
    ///   - includeReference: also the human reference rows (generation −1).
    /// - Returns: values ordered by seed, then generation.
    public func values(_ metric: String, cell: Int, seed: Int? = nil, generation: Int? = nil, experiment: String? = nil,
                       includeReference: Bool = false) throws -> [MetricValue] {
        try reader.read { db in
            let cellID = try Self.cellID(db, cell, experiment, path: path)
            try Self.requireMetric(db, metric)
            var sql = """
                SELECT r.seed, m.g, m.value FROM metrics m JOIN runs r ON r.id = m.run
                WHERE r.cell = ? AND m.name = ? AND m.g >= ?
                """
            var arguments: StatementArguments = [cellID, metric, includeReference ? -1 : 0]
            if let seed { sql += " AND r.seed = ?"; _ = arguments.append(contentsOf: [seed]) }
            if let generation { sql += " AND m.g = ?"; _ = arguments.append(contentsOf: [generation]) }
            sql += " ORDER BY r.seed, m.g"
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                MetricValue(seed: row["seed"], generation: row["g"], value: (row["value"] as Double?) ?? .nan)
            }
        }
    }

    /// The shift of a metric in a cell: per seed, the mean of the metric over the window of the
    /// last `last` generations divided by (and minus) its generation-0 value, then the mean, sd and
    /// t-based 95% interval of those per-seed ratios and differences over the seeds.
    ///
    /// The window is `max(1, G − last + 1)…G` with G the largest generation stored in the cell;
    /// a seed counts only when it has generation 0 and every generation of the window.
    /// A generation-0 value of 0 gives an infinite or NaN ratio for that seed.
    /// - Throws: `.notEnoughGenerations` when the cell has no generation after 0, or no seed
    ///   has the whole window.
    public func shift(_ metric: String, cell: Int, last: Int = 5, experiment: String? = nil) throws -> MetricShift {
        precondition(last >= 1, "last must be ≥ 1")
        return try reader.read { db in
            let cellID = try Self.cellID(db, cell, experiment, path: path)
            try Self.requireMetric(db, metric)
            let rows = try Row.fetchAll(db, sql: """
                SELECT r.seed, m.g, m.value FROM metrics m JOIN runs r ON r.id = m.run
                WHERE r.cell = ? AND m.name = ? AND m.g >= 0 AND m.value IS NOT NULL ORDER BY r.seed, m.g
                """, arguments: [cellID, metric])
            let top = rows.map { $0["g"] as Int }.max() ?? 0
            guard top >= 1 else { throw ResultStoreError.notEnoughGenerations(metric: metric, cell: cell) }
            let window = max(1, top - last + 1)...top
            var perSeed: [SeedShift] = []
            var i = 0
            while i < rows.count {
                let seed: Int = rows[i]["seed"]
                var values: [Int: Double] = [:]
                while i < rows.count && rows[i]["seed"] as Int == seed {
                    values[rows[i]["g"]] = rows[i]["value"]
                    i += 1
                }
                guard let base = values[0], window.allSatisfy({ values[$0] != nil }) else { continue }
                let w = Descriptive.mean(window.map { values[$0]! })
                perSeed.append(SeedShift(seed: seed, base: base, window: w, ratio: w / base, difference: w - base))
            }
            guard !perSeed.isEmpty else { throw ResultStoreError.notEnoughGenerations(metric: metric, cell: cell) }
            return MetricShift(metric: metric, cell: cell, generations: window,
                               ratio: Descriptive.summary(perSeed.map(\.ratio)),
                               difference: Descriptive.summary(perSeed.map(\.difference)), perSeed: perSeed)
        }
    }

    /// The texts generated at `generation` by the run of (cell, seed), in generation order;
    /// empty when none are stored.
    public func texts(cell: Int, seed: Int, generation: Int, experiment: String? = nil) throws -> [String] {
        try reader.read { db in
            let cellID = try Self.cellID(db, cell, experiment, path: path)
            return try String.fetchAll(db, sql: """
                SELECT t.text FROM texts t JOIN runs r ON r.id = t.run WHERE r.cell = ? AND r.seed = ? AND t.g = ? ORDER BY t.idx
                """, arguments: [cellID, seed, generation])
        }
    }

    /// The training loss of every optimizer step of the model of `generation` in the run of
    /// (cell, seed), in step order (NaN for a stored NULL); empty for models fitted in one go.
    public func trainingLosses(cell: Int, seed: Int, generation: Int, experiment: String? = nil) throws -> [Double] {
        try reader.read { db in
            guard try Self.hasLosses(db) else { return [] }
            let cellID = try Self.cellID(db, cell, experiment, path: path)
            return try Double?.fetchAll(db, sql: """
                SELECT l.loss FROM train_losses l JOIN runs r ON r.id = l.run WHERE r.cell = ? AND r.seed = ? AND l.g = ? ORDER BY l.step
                """, arguments: [cellID, seed, generation]).map { $0 ?? .nan }
        }
    }

    /// Whether any run of the file stored training losses (LLM experiments).
    public func hasTrainingLosses() throws -> Bool {
        try reader.read { db in
            try Self.hasLosses(db) && Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM train_losses)") == true
        }
    }

    /// The id of the cell with index `cell` of the named (or only) experiment.
    static func cellID(_ db: Database, _ cell: Int, _ experiment: String?, path: String) throws -> Int64 {
        let e = try experimentID(db, experiment, path: path)
        guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM cells WHERE experiment = ? AND idx = ?", arguments: [e, cell]) else {
            let name = try String.fetchOne(db, sql: "SELECT name FROM experiments WHERE id = ?", arguments: [e]) ?? "?"
            throw ResultStoreError.unknownCell(index: cell, experiment: name)
        }
        return id
    }

    static func experimentID(_ db: Database, _ name: String?, path: String) throws -> Int64 {
        let all = try Row.fetchAll(db, sql: "SELECT id, name FROM experiments ORDER BY id")
        let names = all.map { $0["name"] as String }
        if let name {
            guard let row = all.first(where: { $0["name"] as String == name }) else {
                throw ResultStoreError.unknownExperiment(name: name, available: names)
            }
            return row["id"]
        }
        guard let first = all.first else { throw ResultStoreError.noExperiment(path: path) }
        guard all.count == 1 else { throw ResultStoreError.ambiguousExperiment(available: names) }
        return first["id"]
    }

    static func requireMetric(_ db: Database, _ metric: String) throws {
        guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM metrics WHERE name = ?)", arguments: [metric]) == true else {
            throw ResultStoreError.unknownMetric(name: metric, available: try String.fetchAll(db, sql: "SELECT DISTINCT name FROM metrics ORDER BY name"))
        }
    }
}
