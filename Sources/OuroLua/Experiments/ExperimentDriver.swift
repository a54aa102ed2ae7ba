import Foundation
import Ouro

/// How declared experiments are run (the `ouro run` flags, or `e:run{…}` in the REPL).
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

/// One cell, validated and ready to run on the state that prepared it.
struct PreparedCell {
    let index: Int
    let parameters: String
    let generations: Int
    let humanNeeded: Int
    let humanPool: Int
    let trainSize: Int
    let run: (ResultStore, Int64, Int, ((RunProgress) -> Void)?) throws -> RunOutcome
}

/// Runs the experiments declared by a file: validates every cell in the main state (bad input
/// fails before anything runs), opens the results database, and hands the (cell, seed) pairs to
/// workers — each worker with its own Lua state that loads the same file — so results are the same
/// for any number of workers.
public enum ExperimentDriver {
    /// Names of the experiments the session's file declared and did not run itself (`e:run{}`).
    public static func declaredNames(in session: OuroSession) throws -> [String] {
        try ExperimentSpecReader.declared(in: session.state).filter { $0["done"] != .boolean(true) }.compactMap { $0["name"]?.string }
    }

    /// A worker re-runs the file's main chunk to declare the experiments; when the chunk reaches
    /// `e:run{}` of the experiment the worker serves, it stops there with this marker.
    static let workerStop = "(worker: experiment declared)"
    /// `ouro check` stops a file's main chunk at its first `e:run{}` with this marker.
    public static let checkStop = "(check: experiments declared)"

    /// Validates every cell of experiment `name` (schedules evaluated for every generation, pool
    /// sizes checked) and returns them.
    static func prepare(_ state: LuaState, name: String) throws -> (LuaTable, [PreparedCell]) {
        let e = try ExperimentSpecReader.experiment(named: name, in: state)
        let count = e["cells"]?.table?.array.count ?? 0
        let cells = try (1...max(count, 1)).filter { $0 <= count }.map { try prepareCell(state, e, $0) }
        return (e, cells)
    }

    static func prepareCell(_ state: LuaState, _ e: LuaTable, _ cell: Int) throws -> PreparedCell {
        let r = try ExperimentSpecReader(state: state, experiment: e, cell: cell)
        let name = e["name"]?.string ?? "experiment"
        func wrap<M: LoopModel>(_ spec: CellSpec<M>, pool: Int) throws -> PreparedCell {
            let runner: LoopRunner<M>
            do { runner = try LoopRunner(spec: spec) } catch {
                throw LuaError(.runtime, "\(name), cell \(cell)\(r.params.isEmpty ? "" : " \(r.parametersJSON)"): \(error)")
            }
            return PreparedCell(index: cell, parameters: r.parametersJSON, generations: runner.plan.generations,
                                humanNeeded: runner.plan.humanNeeded, humanPool: pool, trainSize: runner.plan.trainSize,
                                run: { store, exp, seed, progress in
                                    var rr = runner
                                    rr.progress = progress
                                    return try rr.run(store: store, experiment: exp, cellIndex: cell, seed: seed)
                                })
        }
        switch r.fields["human"] {
        case .object(let o)? where o is Dataset:
            let d = o as! Dataset
            return try wrap(try r.textSpec(human: d), pool: d.count)
        case .object(let o)? where o is NumericDataset:
            let data = (o as! NumericDataset).data
            let first: NumericModelBox?
            switch r.fields["model"] ?? r.fields["base"] {
            case .object(let m)?: first = m as? NumericModelBox
            case .table(let t)?: if case .object(let m)? = t.array.first { first = m as? NumericModelBox } else { first = nil }
            default: first = nil
            }
            guard let model = first?.model else {
                throw LuaError(.runtime, "\(name): numeric data needs a toy model (ouro.model.gaussian{…}, gmm{…}, categorical{…})")
            }
            func open<B: NumericModel>(_ m: B) throws -> PreparedCell {
                try wrap(try r.numericSpec(human: data, kind: B.self), pool: data.count)
            }
            return try open(model)
        default:
            throw LuaError(.runtime, "\(name): 'human' must be a Dataset or NumericData")
        }
    }

    /// The plan as text: cells × seeds × generations and the data needed.
    public static func plan(_ session: OuroSession, name: String) throws -> String {
        let (e, cells) = try prepare(session.state, name: name)
        let seeds = e["seeds"]?.table?.array.count ?? e["spec"]?.table?["seeds"]?.table?.array.count ?? 1
        let g = cells.first?.generations ?? 0
        var lines = ["experiment '\(name)': \(cells.count) cell\(cells.count == 1 ? "" : "s") × \(seeds) seed\(seeds == 1 ? "" : "s") × \(g) generations = \(cells.count * seeds) runs"]
        for c in cells {
            lines.append("  cell \(c.index) \(c.parameters): train_size \(c.trainSize), needs \(c.humanNeeded) of \(c.humanPool) human documents")
        }
        return lines.joined(separator: "\n")
    }

    /// The default database of experiment `name`.
    public static func defaultDatabase(for name: String) -> String { "results/\(name).db" }

    /// Runs experiment `name` declared in `session`. Returns the database path; throws a
    /// `LuaError` for bad input (before anything runs) and `ExperimentFailure` when runs failed.
    @discardableResult
    public static func run(_ session: OuroSession, name: String, options: ExperimentRunOptions,
                           log: @escaping @Sendable (String) -> Void) throws -> String {
        let (e, cells) = try prepare(session.state, name: name)
        let seeds = (e["spec"]?.table?["seeds"]?.table?.array ?? [.integer(1)]).compactMap(\.int)
        let path = options.out ?? defaultDatabase(for: name)
        try session.state.sandbox?.checkWrite(path)   // the name is checked; `out` was resolved by the caller
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let store = try ResultStore.open(path, mode: options.force ? .force : (options.resume ? .resume : .create))
        let source = (try? session.scriptPath.map { try OuroSession.readScript($0) }) ?? nil
        let params = ExperimentSpecReader.jsonObject(session.options.params)
        let expID = try store.experiment(name: name, source: source ?? "", params: params)

        var pairs = ExperimentPlan.pairs(cells: cells.count, seeds: seeds)
        if let s = options.slice { pairs = try ExperimentPlan.slice(pairs, index: s.index, of: s.count) }
        // ExperimentPlan numbers cells from 0; the store and Lua from 1.
        let progress = ProgressReporter(name: name, runs: pairs.count, generations: cells.first?.generations ?? 0,
                                        jobs: options.jobs, quiet: options.quiet, log: log)
        let jobs = session.scriptPath == nil ? 1 : max(1, options.jobs)
        let context = UncheckedBox((cells: cells, options: session.options, script: session.scriptPath))
        let failures = ExperimentPlan.run(pairs, jobs: jobs) { worker in
            let prepared: [PreparedCell]
            var workerSession: OuroSession? = nil
            if jobs == 1 {
                prepared = context.value.cells
            } else {
                // Each worker: its own Lua state, loading the same file (its prints are silenced).
                let s = try OuroSession(scriptPath: context.value.script, options: context.value.options)
                s.state.output = { _ in }
                s.state.context.workerTarget = name
                // The encoder gets this worker's share of the cores (results do not depend on it).
                s.state.context.embeddings.threads = max(1, ProcessInfo.processInfo.activeProcessorCount / jobs)
                do { try s.run() } catch let e as LuaError where e.message.hasSuffix(ExperimentDriver.workerStop) {}
                prepared = try prepare(s.state, name: name).1
                workerSession = s
            }
            return { pair in
                withExtendedLifetime(workerSession) {}
                let cell = prepared[pair.cell]
                let outcome = try cell.run(store, expID, pair.seed, { p in progress.generationDone(p) })
                progress.runDone(cell: cell.index, seed: pair.seed, outcome: outcome)
            }
        }
        progress.finish()
        if !failures.isEmpty {
            throw ExperimentFailure(database: path, messages: failures.map(\.description))
        }
        return path
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

/// A value handed to worker threads; its use is serialised by construction (one worker per state).
final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

extension ExperimentSpecReader {
    /// A flat JSON object of scalar values (keys sorted).
    static func jsonObject(_ params: [String: LuaValue]) -> String {
        let r = ExperimentSpecReader.jsonString
        var parts: [String] = []
        for k in params.keys.sorted() {
            let v: String
            switch params[k]! {
            case .integer(let i): v = String(i)
            case .number(let d): v = d.isFinite ? String(d) : "null"
            case .boolean(let b): v = String(b)
            case .string(let s): v = r(s)
            case .object(let d as Dataset) where d.name != nil: v = r(d.name!)   // legends read "human = tweets"
            case .object(let o): v = r(String(describing: o))
            default: v = r(params[k]!.typeName)
            }
            parts.append("\(r(k)): \(v)")
        }
        return "{" + parts.joined(separator: ", ") + "}"
    }
}

/// Progress: on a terminal a live line on stderr (experiment, cell, seed, generation, rate, ETA);
/// otherwise one line per finished run; nothing with `quiet`.
final class ProgressReporter: @unchecked Sendable {
    let name: String
    let runs: Int
    let generations: Int
    let jobs: Int
    let quiet: Bool
    let live: Bool
    let log: @Sendable (String) -> Void
    private let lock = NSLock()
    private var done = 0
    private var gensDone = 0
    private let start = Date()

    init(name: String, runs: Int, generations: Int, jobs: Int, quiet: Bool, log: @escaping @Sendable (String) -> Void) {
        self.name = name; self.runs = runs; self.generations = generations; self.jobs = jobs
        self.quiet = quiet; self.log = log
        live = !quiet && isatty(2) != 0
    }

    func generationDone(_ p: RunProgress) {
        lock.lock(); defer { lock.unlock() }
        gensDone += 1
        guard live else { return }
        let elapsed = Date().timeIntervalSince(start)
        let rate = Double(gensDone) / max(elapsed, 1e-9)
        let remaining = Double(runs * generations - gensDone) / max(rate, 1e-9)
        let line = String(format: "\r\u{1B}[K%@ · cell %d seed %d · generation %d/%d · %.2f gen/s · run %d/%d · ETA %@",
                          name as NSString, p.cell, p.seed, p.generation + 1, p.generations, rate, done + 1, runs,
                          ProgressReporter.duration(remaining) as NSString)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func runDone(cell: Int, seed: Int, outcome: RunOutcome) {
        lock.lock(); defer { lock.unlock() }
        done += 1
        guard !quiet, !live else { return }
        let how: String
        switch outcome {
        case .alreadyFinished: how = "already finished"
        case .finished(let from?): how = "resumed from generation \(from), finished"
        case .finished(nil): how = "finished"
        }
        log("\(name): cell \(cell) seed \(seed) \(how) (\(done)/\(runs), \(ProgressReporter.duration(Date().timeIntervalSince(start))))\n")
    }

    func finish() {
        guard live else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    static func duration(_ s: Double) -> String {
        guard s.isFinite else { return "?" }
        if s < 60 { return String(format: "%.0fs", s) }
        if s < 3600 { return String(format: "%dm%02ds", Int(s) / 60, Int(s) % 60) }
        return String(format: "%dh%02dm", Int(s) / 3600, (Int(s) % 3600) / 60)
    }
}
