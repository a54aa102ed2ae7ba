/// Why the results store refused an operation. Every message names the database file or the
/// experiment, cell, seed or metric involved, so that the CLI can print it as it is.
public enum ResultStoreError: Error, Equatable, CustomStringConvertible {
    /// The file exists but is not a results database written by Ouro.
    case notOuroDatabase(path: String, reason: String)
    /// The database was written by a newer Ouro (schema version in `PRAGMA user_version`).
    case newerSchema(path: String, version: Int, supported: Int)
    /// `.readOnly` or a merge input names a file that does not exist.
    case missing(path: String)
    /// `.create` into a database that already holds runs.
    case refusedOverwrite(path: String, runs: Int, finished: Int)
    /// An experiment of this name is stored with another source hash or other parameters.
    case experimentChanged(name: String, path: String)
    /// A cell index is stored with other parameters.
    case cellChanged(index: Int, stored: String, given: String)
    /// Parameters that are not a JSON object.
    case invalidParams(String)
    /// `beginRun` for a (cell, seed) whose run is already finished.
    case runFinished(cell: Int, seed: Int)
    case unknownRun(Int64)
    /// A write to a run that is not running (finished or failed).
    case runNotRunning(run: Int64, status: String)
    /// `commitGeneration` for a generation that is already stored.
    case generationExists(run: Int64, generation: Int)
    case noExperiment(path: String)
    case unknownExperiment(name: String, available: [String])
    /// A query without an experiment name on a database that holds several experiments.
    case ambiguousExperiment(available: [String])
    case unknownCell(index: Int, experiment: String)
    case unknownMetric(name: String, available: [String])
    /// `shift` needs generation 0 and at least one later generation.
    case notEnoughGenerations(metric: String, cell: Int)
    /// Merge inputs that do not hold the same experiment(s).
    case mergeMismatch(path: String, reference: String, detail: String)
    /// The same (cell, seed) finished in two merge inputs.
    case duplicateRun(experiment: String, cell: Int, seed: Int, first: String, second: String)

    public var description: String {
        switch self {
        case .notOuroDatabase(let path, let reason):
            return "\(path): not an Ouro results database (\(reason))"
        case .newerSchema(let path, let version, let supported):
            return "\(path): results schema version \(version) is newer than this Ouro supports (\(supported)); update Ouro"
        case .missing(let path):
            return "\(path): no such results database"
        case .refusedOverwrite(let path, let runs, let finished):
            return "\(path) already holds \(runs) run\(runs == 1 ? "" : "s") (\(finished) finished); use --resume to continue them or --force to overwrite the file"
        case .experimentChanged(let name, let path):
            return "\(path): experiment '\(name)' is stored with a different source file or parameters; use --force to start over or write to another database"
        case .cellChanged(let index, let stored, let given):
            return "cell \(index) is stored with parameters \(stored), not \(given)"
        case .invalidParams(let text):
            return "parameters must be a JSON object, got \(text)"
        case .runFinished(let cell, let seed):
            return "the run of cell \(cell), seed \(seed) is already finished"
        case .unknownRun(let id):
            return "no run with id \(id)"
        case .runNotRunning(let run, let status):
            return "run \(run) is \(status), not running"
        case .generationExists(let run, let g):
            return "run \(run) already has generation \(g)"
        case .noExperiment(let path):
            return "\(path) holds no experiment"
        case .unknownExperiment(let name, let available):
            return "no experiment '\(name)'; the database holds: \(available.joined(separator: ", "))"
        case .ambiguousExperiment(let available):
            return "the database holds several experiments (\(available.joined(separator: ", "))); name one"
        case .unknownCell(let index, let experiment):
            return "experiment '\(experiment)' has no cell \(index)"
        case .unknownMetric(let name, let available):
            return "no metric '\(name)' in the database; it holds: \(available.isEmpty ? "none" : available.joined(separator: ", "))"
        case .notEnoughGenerations(let metric, let cell):
            return "shift of '\(metric)' in cell \(cell) needs generation 0 and a later generation"
        case .mergeMismatch(let path, let reference, let detail):
            return "cannot merge \(path) with \(reference): \(detail)"
        case .duplicateRun(let experiment, let cell, let seed, let first, let second):
            return "experiment '\(experiment)' cell \(cell) seed \(seed) finished in both \(first) and \(second)"
        }
    }
}
