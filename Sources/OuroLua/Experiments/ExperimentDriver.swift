import Foundation
import Ouro

/// One cell, validated and ready to run on the state that prepared it.
struct PreparedCell {
    let index: Int
    let parameters: String
    let generations: Int
    let humanNeeded: Int
    let humanPool: Int
    let trainSize: Int
    let run: (ResultStore, Int64, Int, RunCallbacks?) throws -> RunOutcome
    /// The estimated work of one run, for `ouro check` (LLM experiments; nil otherwise).
    var estimate: RunEstimate? = nil
}

/// Runs the experiments declared by a file: validates every cell in the main state (bad input
/// fails before anything runs), opens the results database, and hands the (cell, seed) pairs to
/// workers — each worker with its own Lua state that runs the same file's main chunk, which only
/// declares — so results are the same for any number of workers. The experiment's `after` runs
/// once, in the coordinating state, when every cell is done.
public enum ExperimentDriver {
    /// Names of the experiments the session's file declared, in declaration order.
    public static func declaredNames(in session: OuroSession) throws -> [String] {
        try ExperimentSpecReader.declared(in: session.state).map(\.name)
    }

    /// Runs a file's main chunk as `ouro run`, `ouro check` and the workers do: it declares
    /// experiments (an `e:run()` there is refused); nothing runs yet.
    public static func declare(_ session: OuroSession) throws {
        session.state.context.declaring = true
        defer { session.state.context.declaring = false }
        try session.run()
    }

    /// The runs of experiment `name`: its number of cells and its seeds, every cell validated.
    public static func runs(_ session: OuroSession, name: String) throws -> (cells: Int, seeds: [Int]) {
        let (e, cells) = try prepare(session.state, name: name)
        return (cells.count, e.spec.seeds)
    }


    /// Validates every cell of experiment `name` (schedules evaluated for every generation, pool
    /// sizes checked) and returns them.
    static func prepare(_ state: LuaState, name: String) throws -> (DeclaredExperiment, [PreparedCell]) {
        state.reseedRandom("prepare " + name)
        let e = try ExperimentSpecReader.experiment(named: name, in: state)
        let cells = try e.cells.indices.map { try prepareCell(state, e, $0 + 1) }
        return (e, cells)
    }

    static func prepareCell(_ state: LuaState, _ e: DeclaredExperiment, _ cell: Int) throws -> PreparedCell {
        do { return try readCell(state, e, cell) } catch let error as LuaError { throw error } catch {
            // An engine check (a metric's needs, a plan): name the experiment's line and the cell.
            throw LuaError(.runtime, "\(e.where)experiment '\(e.name)', cell \(cell): \(error)")
        }
    }

    private static func readCell(_ state: LuaState, _ e: DeclaredExperiment, _ cell: Int) throws -> PreparedCell {
        let r = try ExperimentSpecReader(state: state, experiment: e, cell: cell)
        let name = e.name, at = e.where   // `file:line: ` of the experiment's declaration
        func wrap<M: LoopModel>(_ spec: CellSpec<M>, pool: Int) throws -> PreparedCell {
            let runner: LoopRunner<M>
            do { runner = try LoopRunner(spec: spec) } catch {
                // An invalid schedule value names the line of the function that returned it.
                let loc = r.location(of: error)
                throw LuaError(.runtime, "\(loc.isEmpty ? at : loc)experiment '\(name)', cell \(cell)\(r.params.isEmpty ? "" : " \(r.parametersJSON)"): \(error)")
            }
            return PreparedCell(index: cell, parameters: r.parametersJSON, generations: runner.plan.generations,
                                humanNeeded: runner.plan.humanNeeded, humanPool: pool, trainSize: runner.plan.trainSize,
                                run: { store, exp, seed, callbacks in
                                    var rr = runner
                                    rr.progress = callbacks?.generation
                                    rr.training = callbacks?.training
                                    return try rr.run(store: store, experiment: exp, cellIndex: cell, seed: seed)
                                })
        }
        switch r.fields.human.object {
        case let d as Dataset:
            if r.isLLM {
                let spec = try r.llmSpec(human: d)
                var cell = try wrap(spec, pool: d.count)
                let registry = state.context.metrics
                cell.estimate = try spec.estimate(metricSecondsPerCall: r.metricNames.reduce(0) { $0 + (registry.info($1)?.secondsPerCall ?? 0) })
                return cell
            }
            return try wrap(try r.textSpec(human: d), pool: d.count)
        case let numeric as NumericDataset:
            let data = numeric.data
            let first = (r.fields.model?.objects.first ?? r.fields.base?.object) as? NumericModelBox
            guard let model = first?.model else {
                throw LuaError(.runtime, "\(at)experiment '\(name)': numeric data needs a toy model (ouro.model.gaussian{…}, gmm{…}, categorical{…})")
            }
            func open<B: NumericModel>(_ m: B) throws -> PreparedCell {
                try wrap(try r.numericSpec(human: data, kind: B.self), pool: data.count)
            }
            return try open(model)
        default:
            throw LuaError(.runtime, "\(at)experiment '\(name)': 'human' must be a Dataset or NumericData")
        }
    }

    /// The plan as text: cells × seeds × generations and the data needed.
    public static func plan(_ session: OuroSession, name: String) throws -> String {
        let (e, cells) = try prepare(session.state, name: name)
        let seeds = e.spec.seeds.count
        let g = cells.first?.generations ?? 0
        var lines = ["experiment '\(name)': \(cells.count) cell\(cells.count == 1 ? "" : "s") × \(seeds) seed\(seeds == 1 ? "" : "s") × \(g) generations = \(cells.count * seeds) runs",
                     e.planFields]
        for c in cells {
            lines.append("  cell \(c.index) \(c.parameters): train_size \(c.trainSize), needs \(c.humanNeeded) of \(c.humanPool) human documents")
        }
        let estimates = cells.compactMap(\.estimate)
        if !estimates.isEmpty {
            lines += estimates.reduce(RunEstimate(trainingTokens: 0, sampledTokens: 0), +)
                .planLines(seeds: seeds, cores: ProcessInfo.processInfo.activeProcessorCount)
        }
        return lines.joined(separator: "\n")
    }

    /// Runs experiment `name` declared in `session` (`ExperimentRun` does the orchestration), then
    /// its `after`. Returns the database path; throws a `LuaError` for bad input (before anything
    /// runs), `ExperimentFailure` when runs failed, `ExperimentInterrupted` after Ctrl-C.
    @discardableResult
    public static func run(_ session: OuroSession, name: String, options: ExperimentRunOptions) throws -> String {
        let (e, cells) = try prepare(session.state, name: name)
        let seeds = e.spec.seeds
        var options = options
        if session.scriptPath == nil { options.jobs = 1 }   // a REPL session has no file for workers to load
        let source = (try? session.scriptPath.map { try OuroSession.readScript($0) }) ?? nil
        let job = ExperimentRun(name: name, source: source ?? "", parameters: ExperimentSpecReader.jsonObject(session.options.params),
                                cells: cells.count, seeds: seeds, generations: cells.first?.generations ?? 0, options: options)
        try session.state.sandbox?.checkWrite(job.database)   // the name is checked; `out` was resolved by the caller
        let context = UncheckedSendable((cells: cells, options: session.options, script: session.scriptPath))
        let jobs = options.jobs
        let path = try session.state.asTopLevel {
            try job.run(observer: options.quiet ? nil : session.state.context.progress) { _ in
                var prepared = context.value.cells
                var workerSession: OuroSession? = nil
                if jobs > 1 {
                    // Each worker: its own Lua state, running the same file's main chunk (which only
                    // declares; its prints are silenced).
                    let s = try OuroSession(scriptPath: context.value.script, options: context.value.options)
                    s.state.output = { _ in }
                    // This worker's share of the cores (LLM threads; results do not depend on it).
                    s.state.context.runDefaults.jobs = jobs
                    // The encoder gets this worker's share of the cores (results do not depend on it).
                    s.state.context.embeddings.threads = s.state.context.workerThreads
                    try declare(s)
                    prepared = try prepare(s.state, name: name).1
                    workerSession = s
                }
                return { pair, store, experiment, progress in
                    withExtendedLifetime(workerSession) {}
                    return try prepared[pair.cell].run(store, experiment, pair.seed, progress)
                }
            }
        }
        // Post-run code: once, here, with the results (a --cell slice holds only part of them).
        if options.slice == nil, let after = e.spec.after {
            session.state.reseedRandom("after " + name)
            try after.call([.object(ResultsHandle(try ResultStore.open(path, mode: .readOnly)))])
        }
        return path
    }

    /// Calls the file's `after_all(function(rs) … end)` handlers once every experiment ran:
    /// `rs[name]` is the results of each (run by `ouro run`, not by a --cell slice).
    public static func afterAll(_ session: OuroSession, databases: [String: String]) throws {
        let lua = session.state.lua
        let top = lua.top
        defer { lua.setTop(top) }
        guard lua.getGlobal("ouro") == .table, lua.rawGet(-1, field: "_after_all") == .table,
              case .table(let list) = try lua.value(at: -1), !list.array.isEmpty else { return }
        var results: [String: LuaValue] = [:]
        for (name, path) in databases { results[name] = .object(ResultsHandle(try ResultStore.open(path, mode: .readOnly))) }
        for case .function(let f) in list.array {
            session.state.reseedRandom("after_all")
            try f.call([.table(LuaTable(fields: results))])
        }
    }
}
