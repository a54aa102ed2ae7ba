import Foundation

/// How an experiment is run: the `ouro run` flags, or `e:run{…}` in the REPL.
public struct ExperimentRunOptions: Sendable {
    public var jobs = 1
    /// `--cell I/N`: run the I-th of N slices of the (cell, seed) pairs.
    public var slice: (index: Int, count: Int)?
    /// `--out DB`; default `results/<name>.db` under the working directory.
    public var out: String?
    public var resume = false
    public var force = false
    public var quiet = false
    public init() {}
}

/// What the engine reports while it runs an experiment; the command line draws it (a live line on
/// a terminal, one line per finished run otherwise). Called from worker threads.
public protocol RunProgressObserver: AnyObject, Sendable {
    /// Before the first run: how many runs and generations there are, on how many workers.
    func started(experiment: String, runs: Int, generations: Int, jobs: Int)
    /// After each committed generation.
    func generationDone(_ progress: RunProgress)
    /// After each optimizer step of a model trained in steps (LLM fine-tuning); by default nothing.
    func trainingStep(_ report: TrainingReport)
    /// After each run (finished now, or found finished).
    func runDone(cell: Int, seed: Int, outcome: RunOutcome)
    /// After the last run.
    func finished()
}

extension RunProgressObserver {
    public func trainingStep(_ report: TrainingReport) {}
}

/// What a worker reports while it runs one (cell, seed) pair.
public struct RunCallbacks {
    /// After each committed generation.
    public var generation: (RunProgress) -> Void
    /// After each optimizer step of a model trained in steps.
    public var training: (TrainingReport) -> Void
    public init(generation: @escaping (RunProgress) -> Void = { _ in }, training: @escaping (TrainingReport) -> Void = { _ in }) {
        self.generation = generation; self.training = training
    }
}

/// Runs failed at run time (exit code 1); the database keeps what finished.
public struct ExperimentFailure: Error, CustomStringConvertible {
    public let database: String
    public let messages: [String]
    public var description: String {
        "\(messages.count) run\(messages.count == 1 ? "" : "s") failed (finished runs are kept in \(database); rerun with --resume):\n"
            + messages.map { "  " + $0 }.joined(separator: "\n")
    }
}

/// A run stopped by Ctrl-C (exit code 130): finished runs and whole generations are kept.
public struct ExperimentInterrupted: Error, CustomStringConvertible {
    public let database: String
    public var description: String {
        "interrupted: every finished generation is kept in \(database); continue with --resume"
    }
}

/// Runs one experiment's cells: opens the store, registers the experiment, slices the (cell, seed)
/// pairs, starts the workers (each builds its own cells — one Lua state each, in the bridge),
/// collects failures, reports progress, and leaves one complete database file. The caller gives
/// what differs per front end: the prepared cells' shape and a worker factory.
public struct ExperimentRun {
    /// The experiment's name (the default database is `results/<name>.db`).
    public var name: String
    /// The experiment file's text, stored with its sha256.
    public var source: String
    /// The run's `--set` parameters as a JSON object.
    public var parameters: String
    /// Number of cells and the seeds each runs.
    public var cells: Int
    public var seeds: [Int]
    /// Generations per run (for progress).
    public var generations: Int
    public var options: ExperimentRunOptions

    /// Runs one (cell, seed) pair on a worker: `(pair, store, experiment id, progress callbacks)`.
    public typealias Worker = (RunPair, ResultStore, Int64, RunCallbacks) throws -> RunOutcome

    public init(name: String, source: String, parameters: String, cells: Int, seeds: [Int], generations: Int,
                options: ExperimentRunOptions) {
        self.name = name; self.source = source; self.parameters = parameters; self.cells = cells
        self.seeds = seeds; self.generations = generations; self.options = options
    }

    /// The default database of experiment `name`.
    public static func defaultDatabase(for name: String) -> String { "results/\(name).db" }

    /// The database this run writes.
    public var database: String { options.out ?? ExperimentRun.defaultDatabase(for: name) }

    /// Runs the pairs of this run's slice on `options.jobs` workers.
    /// - Parameters:
    ///   - observer: receives progress (nil: none).
    ///   - makeWorker: called once per worker thread, on that thread, with the worker's index;
    ///     returns the function that runs one pair there.
    /// - Returns: the database path.
    /// - Throws: the store's errors before anything runs; `ExperimentInterrupted` after Ctrl-C;
    ///   `ExperimentFailure` when runs failed (the others are kept).
    @discardableResult
    public func run(observer: (any RunProgressObserver)?, makeWorker: @escaping @Sendable (Int) throws -> Worker) throws -> String {
        let path = database
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let store = try ResultStore.open(path, mode: options.force ? .force : (options.resume ? .resume : .create))
        defer { try? store.finish() }   // one complete file, no -wal/-shm beside it, on every path out
        let experiment = try store.experiment(name: name, source: source, params: parameters)
        var pairs = ExperimentPlan.pairs(cells: cells, seeds: seeds)
        if let s = options.slice { pairs = try ExperimentPlan.slice(pairs, index: s.index, of: s.count) }
        let jobs = max(1, options.jobs)
        observer?.started(experiment: name, runs: pairs.count, generations: generations, jobs: jobs)
        let failures = ExperimentPlan.run(pairs, jobs: jobs) { w in
            let worker = try makeWorker(w)
            return { pair in
                let outcome = try worker(pair, store, experiment, RunCallbacks(generation: { observer?.generationDone($0) },
                                                                               training: { observer?.trainingStep($0) }))
                // ExperimentPlan numbers cells from 0; the store, Lua and users from 1.
                observer?.runDone(cell: pair.cell + 1, seed: pair.seed, outcome: outcome)
            }
        }
        observer?.finished()
        try store.finish()
        if Interruption.isRequested { throw ExperimentInterrupted(database: path) }
        if !failures.isEmpty { throw ExperimentFailure(database: path, messages: failures.map(\.description)) }
        return path
    }
}
