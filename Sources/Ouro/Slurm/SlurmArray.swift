import Foundation

/// One experiment split into a Slurm job array: task `i` of `tasks` runs the `i`-th slice of the
/// (cell, seed) pairs (`ouro run FILE --experiment NAME --cell i/N --out part-i.db --resume`) and a
/// merge job, started after every task has ended, checks that each part is complete, merges them
/// into `results/<name>.db` and writes the report.
///
/// The array lives in one folder, `results/<name>.slurm/` (relative to `workdir`):
/// `array.sbatch` and `merge.sbatch` (the scripts), `task-<i>.log`, `merge.log`, `part-<i>.db`, and
/// `array.json` (this value: what a task must finish, and the jobs submitted so far), which
/// `ouro status` and `ouro slurm --resubmit` read.
public struct SlurmArray: Codable, Equatable, Sendable {
    /// Resources asked of the scheduler for each task (and, except `cpus`, for the merge job).
    public struct Resources: Codable, Equatable, Sendable {
        /// Wall-clock limit per task, Slurm's `[days-]hours:minutes:seconds` form.
        public var time = "02:00:00"
        public var partition: String?
        /// Memory per task, e.g. `4G`.
        public var mem = "4G"
        /// CPUs per task; the task runs `ouro run --jobs <cpus>` (results do not depend on it).
        public var cpus = 1
        public init() {}
    }

    /// One `sbatch` of the array (first submission or `--resubmit`) and its merge job.
    public struct Submission: Codable, Equatable, Sendable {
        public var arrayJob: String?
        /// The array task ids submitted (1-based).
        public var tasks: [Int]
        public var mergeJob: String
        public var submitted: String
        public init(arrayJob: String?, tasks: [Int], mergeJob: String, submitted: String) {
            self.arrayJob = arrayJob; self.tasks = tasks; self.mergeJob = mergeJob; self.submitted = submitted
        }
    }

    /// The experiment file, as given (relative to `workdir` unless absolute).
    public var file: String
    public var experiment: String
    /// Number of array tasks (slices).
    public var tasks: Int
    /// Cells of the experiment and its seeds, as `ouro check` plans them.
    public var cells: Int
    public var seeds: [Int]
    /// The folder every job starts in (`#SBATCH --chdir`): where `ouro slurm` ran.
    public var workdir: String
    /// The `ouro` executable the jobs run.
    public var executable: String
    /// Options passed on to every `ouro run` (`--set key=value`, `--trust`, limits).
    public var runArguments: [String]
    public var resources: Resources
    public var submissions: [Submission] = []

    /// - Throws: `SlurmError.badTasks` unless `1 ≤ tasks ≤ cells × seeds`.
    public init(file: String, experiment: String, tasks: Int, cells: Int, seeds: [Int], workdir: String,
                executable: String, runArguments: [String] = [], resources: Resources = Resources()) throws {
        let runs = cells * seeds.count
        guard tasks >= 1, tasks <= runs else { throw SlurmError.badTasks(tasks: tasks, runs: runs, experiment: experiment) }
        self.file = file; self.experiment = experiment; self.tasks = tasks; self.cells = cells; self.seeds = seeds
        self.workdir = workdir; self.executable = executable; self.runArguments = runArguments; self.resources = resources
    }

    /// The default number of tasks: one per (cell, seed) run, at most `limit` (Slurm's default
    /// `MaxArraySize` is 1001).
    public static func defaultTasks(runs: Int, limit: Int = 1000) -> Int { max(1, min(runs, limit)) }

    // MARK: Paths (relative to `workdir`)

    /// `results/<name>.slurm`
    public static func folder(for experiment: String) -> String { "results/\(experiment).slurm" }
    public var folder: String { Self.folder(for: experiment) }
    /// `results/<name>.db`, the merged database.
    public var database: String { "results/\(experiment).db" }
    public var arrayScript: String { folder + "/array.sbatch" }
    public var mergeScript: String { folder + "/merge.sbatch" }
    public var manifest: String { folder + "/array.json" }
    public var mergeLog: String { folder + "/merge.log" }
    public func part(_ task: Int) -> String { folder + "/part-\(task).db" }
    public func log(_ task: Int) -> String { folder + "/task-\(task).log" }
    /// `path` made absolute against `workdir`.
    public func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : (workdir as NSString).appendingPathComponent(path)
    }

    // MARK: The work of each task

    /// The (cell, seed) pairs task `task` runs (cells numbered from 1, as in the results database).
    public func pairs(task: Int) -> [RunPair] {
        let all = ExperimentPlan.pairs(cells: cells, seeds: seeds)
        let slice = (try? ExperimentPlan.slice(all, index: task, of: tasks)) ?? []
        return slice.map { RunPair(cell: $0.cell + 1, seed: $0.seed) }
    }

    // MARK: The manifest

    /// Writes `array.json` into the folder (created if missing).
    public func save() throws {
        try FileManager.default.createDirectory(atPath: absolute(folder), withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: absolute(manifest)), options: .atomic)
    }

    /// Reads `array.json` from an array folder (`results/<name>.slurm`).
    /// - Throws: `SlurmError.notAnArrayFolder` when the folder has no readable manifest.
    public static func load(folder: String) throws -> SlurmArray {
        let path = (folder as NSString).appendingPathComponent("array.json")
        guard let data = FileManager.default.contents(atPath: path) else { throw SlurmError.notAnArrayFolder(folder) }
        var array: SlurmArray
        do { array = try JSONDecoder().decode(SlurmArray.self, from: data) } catch {
            throw SlurmError.notAnArrayFolder(folder + " (array.json: \(error))")
        }
        // A folder copied elsewhere (results/ brought back from the cluster) is read where it is now.
        let here = URL(fileURLWithPath: folder).standardizedFileURL
        if here.path.hasSuffix("/" + array.folder) {
            array.workdir = here.deletingLastPathComponent().deletingLastPathComponent().path
        }
        return array
    }
}

/// Errors of `ouro slurm` and `ouro status`; their descriptions are the messages users see.
public enum SlurmError: Error, CustomStringConvertible, Equatable {
    case badTasks(tasks: Int, runs: Int, experiment: String)
    case notAnArrayFolder(String)
    case alreadySubmitted(folder: String, file: String)
    case databaseExists(String)
    case command(String, status: Int32, output: String)
    case unexpectedOutput(String, output: String)
    /// Tasks of an array are not complete (`ouro status --require-complete`).
    case incomplete(String)

    public var description: String {
        switch self {
        case .incomplete(let what): return what
        case .badTasks(let t, let runs, let e):
            return "--tasks must be between 1 and the \(runs) runs (cells × seeds) of '\(e)', got \(t)"
        case .notAnArrayFolder(let f):
            return "\(f): not a job-array folder of `ouro slurm` (no array.json)"
        case .alreadySubmitted(let folder, let file):
            return "\(folder) exists (submitted before): continue with `ouro slurm \(file) --resubmit`, or remove the folder to start over"
        case .databaseExists(let db):
            return "\(db) exists: move it away (or remove it) before submitting, so the merge job does not overwrite it"
        case .command(let c, let status, let output):
            return "`\(c)` failed (exit \(status))\(output.isEmpty ? "" : ": " + output.trimmingCharacters(in: .whitespacesAndNewlines))"
        case .unexpectedOutput(let c, let output):
            return "`\(c)` printed '\(output.trimmingCharacters(in: .whitespacesAndNewlines))', not a job id"
        }
    }
}
