import Foundation
import Ouro

/// Reads one cell of a declared experiment (the table `experiment{…}` validated and expanded in
/// stdlib/experiment.lua) into the engine's `CellSpec`. Lua functions (schedules, curation, Lua
/// metrics) become closures over this state, so a spec belongs to the worker that built it.
struct ExperimentSpecReader {
    let state: LuaState
    /// The converted `spec` table of the cell.
    let fields: [String: LuaValue]
    let params: [String: LuaValue]
    let cellIndex: Int

    /// The experiment table named `name` in `ouro._experiments` of `state`, converted.
    static func experiment(named name: String, in state: LuaState) throws -> LuaTable {
        try checkName(name)
        for e in try declared(in: state) where e["name"]?.string == name { return e }
        throw LuaError(.runtime, "experiment '\(name)' is not declared by this file")
    }

    /// Experiment names become file names (`results/<name>.db`, `<name>-report/`), so a name is
    /// 1…100 letters, digits, `_`, `-` and `.`, not starting with `.`: no `/`, no `..`, no NUL.
    /// (stdlib/experiment.lua checks the same rule at the user's line; this is the engine's guard.)
    static func checkName(_ name: String) throws {
        let ok = !name.isEmpty && name.utf8.count <= 100 && !name.hasPrefix(".")
            && name.utf8.allSatisfy { c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x2D || c == 0x2E
            }
        guard ok else {
            throw LuaError(.runtime, "experiment: the name '\(name.replacingOccurrences(of: "\0", with: "\\0").prefix(100))' is not a valid name: use 1–100 letters, digits, '_', '-' and '.', not starting with '.'")
        }
    }

    /// Every declared experiment, in declaration order.
    static func declared(in state: LuaState) throws -> [LuaTable] {
        let lua = state.lua
        let top = lua.top
        defer { lua.setTop(top) }
        guard lua.getGlobal("ouro") == .table, lua.rawGet(-1, field: "_experiments") == .table else { return [] }
        guard case .table(let list) = try lua.value(at: -1) else { return [] }
        return list.array.compactMap(\.table)
    }

    init(state: LuaState, experiment: LuaTable, cell: Int) throws {
        guard let cells = experiment["cells"]?.table?.array, cell >= 1, cell <= cells.count,
              let c = cells[cell - 1].table, let spec = c["spec"]?.table else {
            throw LuaError(.runtime, "experiment has no cell \(cell)")
        }
        self.state = state
        self.fields = spec.fields
        self.params = c["params"]?.table?.fields ?? [:]
        self.cellIndex = cell
    }

    // MARK: Fields

    func int(_ key: String) throws -> Int {
        guard let v = fields[key]?.int else { throw LuaError(.runtime, "experiment: '\(key)' is missing") }
        return v
    }

    func bool(_ key: String) -> Bool { if case .boolean(let b)? = fields[key] { return b }; return false }

    /// A number or `function(g)` as a schedule; the function's result is checked per generation.
    func numberSchedule(_ value: LuaValue?, _ name: String) throws -> Schedule<Double> {
        switch value {
        case .integer(let i)?: return .constant(Double(i))
        case .number(let d)?: return .constant(d)
        case .function(let f)?:
            return .function { g in
                let r = try f.call([.integer(Int64(g))])
                guard let x = r.first?.number else {
                    throw LoopError("'\(name)' function returned \(r.first?.typeName ?? "nothing") at generation \(g), expected a number")
                }
                return x
            }
        default: throw LuaError(.runtime, "experiment: '\(name)' must be a number or function(g)")
        }
    }

    var accumulate: Accumulate {
        switch fields["accumulate"] {
        case .boolean(false)?: return .replace
        case .string("all")?: return .all
        default: return .pool(stratified: true)
        }
    }

    /// The cell's parameters as a JSON object (grid values), for the store.
    var parametersJSON: String { ExperimentSpecReader.jsonObject(params) }

    /// `s` as a JSON string literal (Foundation's encoder does the escaping).
    static func jsonString(_ s: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return (try? encoder.encode(s)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }

    // MARK: Models

    /// The model plan from `model` / `base` + `finetune` / `chain`.
    func modelPlan<M: LoopModel>(_ convert: (AnyObject) throws -> M) throws -> ModelPlan<M> {
        let weight = try fields["finetune"]?.table.map { try numberSchedule($0["weight"], "finetune.weight") }
        if let base = fields["base"], case .object(let o) = base {
            return .finetune(base: try convert(o), weight: weight ?? .constant(0.5))
        }
        var specs: [M] = []
        switch fields["model"] {
        case .object(let o)?: specs = [try convert(o)]
        case .table(let t)?:
            specs = try t.array.map { v in
                guard case .object(let o) = v else { throw LuaError(.runtime, "experiment: 'model' entries must be models") }
                return try convert(o)
            }
        default: throw LuaError(.runtime, "experiment: give a model")
        }
        if bool("chain") { return .chain(specs[0], weight: weight ?? .constant(0.5)) }
        return .fresh(specs)
    }

    // MARK: Metrics

    var metricNames: [String] { fields["metrics"]?.table?.array.compactMap(\.string) ?? [] }
}

extension ExperimentSpecReader {
    /// The cell as a text experiment (n-gram models over Datasets).
    func textSpec(human: Dataset) throws -> CellSpec<NGramLoopModel> {
        let names = metricNames
        let registry = state.context.metrics
        let sampling: Schedule<GenerationParams?>
        switch fields["sampling"] {
        case .function(let f)?:
            sampling = .function { g in
                let r = try f.call([.integer(Int64(g))])
                guard case .table(let t)? = r.first else {
                    throw LoopError("'sampling' function must return a table at generation \(g), got \(r.first?.typeName ?? "nothing")")
                }
                return try ExperimentSpecReader.generationParams(t, generation: g)
            }
        case .table(let t)?: sampling = .constant(try ExperimentSpecReader.generationParams(t, generation: nil))
        default: sampling = .constant(nil)
        }
        var curation: Curation<Dataset>? = nil
        switch fields["curate"] {
        case .function(let f)?:
            curation = .predicate { d, i in
                let r = try f.call([OuroBindings.documentValue(d, i)])
                if case .boolean(false)? = r.first { return false }
                if case .nil? = r.first { return false }
                return !r.isEmpty
            }
        case .table(let t)?:
            let metric = t["metric"]?.string ?? ""
            let keep: CurationKeep = t["keep"]?.string == "bottom" ? .bottom : .top
            curation = .metric(name: metric, keep: keep, fraction: t["fraction"]?.number ?? 1, score: { d in
                try (0..<d.count).map { i in
                    let one = EvaluationSet(texts: [d.text(at: i)], tokens: [d.tokenStrings(at: i)])
                    return try registry.compute([metric], on: one)[metric] ?? .nan
                }
            })
        default: break
        }
        let spec = CellSpec(
            human: human, generations: try int("generations"), trainSize: try int("train_size"),
            syntheticRatio: try numberSchedule(fields["synthetic_ratio"], "synthetic_ratio"),
            freshHuman: bool("fresh_human"), accumulate: accumulate,
            model: try modelPlan { o in
                guard let m = o as? NGramModel else {
                    throw LuaError(.runtime, "experiment: a text experiment needs n-gram models, got \(type(of: o))")
                }
                return NGramLoopModel(m)
            },
            sampling: sampling, curate: curation,
            metrics: registry.textLoopMetrics(names),
            evalSize: try int("eval_size"), parameters: parametersJSON)
        // Metrics of the model (ppl_human) read human documents no training set holds: say so before running.
        if let m = names.first(where: { registry.info($0)?.needsModel == true }), let plan = try? spec.resolve(),
           human.count <= plan.humanNeeded {
            throw LuaError(.runtime, "metric '\(m)' needs held-out human documents, and training uses all \(human.count) of the human pool (\(plan.humanNeeded) needed); give more human data or lower train_size/generations")
        }
        return spec
    }

    static func generationParams(_ t: LuaTable, generation: Int?) throws -> GenerationParams {
        do {
            let o = try LuaOptions(validating: t, allowed: OuroBindings.samplingKeys)
            return try OuroBindings.generationParams(o)
        } catch {
            let at = generation.map { " at generation \($0)" } ?? ""
            throw LoopError("sampling\(at): \(error)")
        }
    }

    /// The cell as a numeric experiment over one kind of toy model.
    func numericSpec<B: NumericModel>(human: NumericData, kind: B.Type) throws -> CellSpec<NumericLoopModel<B>> {
        let names = metricNames
        let registry = state.context.metrics
        var curation: Curation<NumericData>? = nil
        if case .function(let f)? = fields["curate"] {
            curation = .predicate { d, i in
                let row = d.row(i)
                let arg: LuaValue = row.count == 1 ? .number(row.first!) : .table(LuaTable(array: row.map { .number($0) }))
                let r = try f.call([arg])
                if case .boolean(false)? = r.first { return false }
                if case .nil? = r.first { return false }
                return !r.isEmpty
            }
        }
        return CellSpec(
            human: human, generations: try int("generations"), trainSize: try int("train_size"),
            syntheticRatio: try numberSchedule(fields["synthetic_ratio"], "synthetic_ratio"),
            freshHuman: bool("fresh_human"), accumulate: accumulate,
            model: try modelPlan { o in
                guard let box = o as? NumericModelBox, let m = box.model as? B else {
                    throw LuaError(.runtime, "experiment: every model of a numeric experiment must be of the same kind (\(B.self))")
                }
                return NumericLoopModel(m)
            },
            sampling: .constant(nil), curate: curation,
            metrics: { sample, reference, _ in
                guard !names.isEmpty else { return [:] }
                var set = EvaluationSet(numeric: sample.values)
                set.human = EvaluationSet(numeric: reference.values)
                return try registry.compute(names, on: set)
            },
            evalSize: try int("eval_size"), parameters: parametersJSON)
    }
}
