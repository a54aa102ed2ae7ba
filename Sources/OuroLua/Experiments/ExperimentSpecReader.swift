import Foundation
import Ouro

/// Reads one cell of a declared experiment (the table `experiment{…}` validated and expanded in
/// stdlib/experiment.lua, decoded into `ExperimentFields`) into the engine's `CellSpec`. Lua
/// functions (schedules, curation, Lua metrics) become closures over this state, so a spec belongs
/// to the worker that built it.
struct ExperimentSpecReader {
    let state: LuaState
    /// The cell's fields.
    let fields: ExperimentFields
    /// The cell's grid values (field name → value).
    let params: [String: LuaValue]
    let cellIndex: Int

    /// The experiment named `name` in `ouro._experiments` of `state`.
    static func experiment(named name: String, in state: LuaState) throws -> DeclaredExperiment {
        try checkName(name)
        for e in try declared(in: state) where e.name == name { return e }
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

    /// The name of an experiment object (`e` of `e:run()`, `e:plan()`), without decoding the rest.
    static func name(of experiment: LuaTable) throws -> String {
        struct Named: Decodable { var name: String }
        return try LuaDecoder.decode(Named.self, from: .table(experiment)).name
    }

    /// Every declared experiment, in declaration order.
    static func declared(in state: LuaState) throws -> [DeclaredExperiment] {
        let lua = state.lua
        let top = lua.top
        defer { lua.setTop(top) }
        guard lua.getGlobal("ouro") == .table, lua.rawGet(-1, field: "_experiments") == .table else { return [] }
        return try LuaDecoder.decode([DeclaredExperiment].self, from: try lua.value(at: -1))
    }

    init(state: LuaState, experiment: DeclaredExperiment, cell: Int) throws {
        guard cell >= 1, cell <= experiment.cells.count else { throw LuaError(.runtime, "experiment has no cell \(cell)") }
        let c = experiment.cells[cell - 1]
        self.state = state
        self.fields = c.spec
        self.params = c.params.fields
        self.cellIndex = cell
    }

    // MARK: Fields

    /// A number or `function(g)` as a schedule; the function's result is checked per generation.
    func numberSchedule(_ value: ExperimentFields.NumberOrFunction, _ name: String) -> Schedule<Double> {
        switch value {
        case .number(let d): return .constant(d)
        case .function(let f):
            return .function { g in
                let r = try f.call([.integer(Int64(g))])
                guard let x = r.first?.number else {
                    throw LoopError("'\(name)' function returned \(r.first?.typeName ?? "nothing") at generation \(g), expected a number")
                }
                return x
            }
        }
    }

    /// `finetune = { weight = w or function(g) }` of a model that is not an LLM.
    var finetuneWeight: ExperimentFields.NumberOrFunction? {
        get throws { try fields.finetune.map { try LuaDecoder.decode(FinetuneWeight.self, from: .table($0)).weight } ?? nil }
    }
    private struct FinetuneWeight: Decodable { var weight: ExperimentFields.NumberOrFunction? }

    /// Where the cell's schedule functions are defined, keyed by the name the engine's schedule
    /// errors start with (`CellSpec.resolve`).
    var scheduleLocations: [(field: String, location: String)] {
        var out: [(String, String)] = []
        if case .function(let f) = fields.syntheticRatio { out.append(("synthetic_ratio", f.location)) }
        if case .function(let f)? = try? finetuneWeight { out.append(("finetune weight", f.location)) }
        if case .function(let f) = fields.sampling { out.append(("sampling", f.location)) }
        return out
    }

    /// The `file:line: ` of the schedule function an engine error is about (its value or its
    /// failure at some generation), or "".
    func location(of error: Error) -> String {
        let message = "\(error)"
        return scheduleLocations.first { message.hasPrefix($0.field + " ") }?.location ?? ""
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
    /// `base` with `chain = true` continues the previous generation's model from the base.
    func modelPlan<M: LoopModel>(_ convert: (AnyObject) throws -> M) throws -> ModelPlan<M> {
        let weight = try finetuneWeight.map { numberSchedule($0, "finetune.weight") } ?? .constant(0.5)
        if let base = fields.base {
            let b = try convert(base.object)
            return fields.chain ? .chain(b, weight: weight) : .finetune(base: b, weight: weight)
        }
        guard let models = fields.model, !models.objects.isEmpty else { throw LuaError(.runtime, "experiment: give a model") }
        let specs = try models.objects.map(convert)
        if fields.chain { return .chain(specs[0], weight: weight) }
        return .fresh(specs)
    }

    // MARK: Metrics

    var metricNames: [String] { fields.metrics }
}

extension ExperimentSpecReader {
    /// Whether the cell's model is an LLM (`base = ouro.model.llm(…)`).
    var isLLM: Bool {
        (fields.base?.object ?? fields.model?.objects.first) is LlamaModel
    }

    /// The cell as a text experiment over n-gram models.
    func textSpec(human: Dataset) throws -> CellSpec<NGramLoopModel> {
        try textSpec(human: human, models: "n-grams") { o in
            guard let m = o as? NGramModel else {
                throw LuaError(.runtime, "experiment: a text experiment needs n-gram models, got \(type(of: o))")
            }
            return NGramLoopModel(m)
        }
    }

    /// The cell as an LLM experiment: `base` fine-tuned with LoRA (`finetune` options, the study's
    /// recipe for what is left out) on documents answering `prompt`, on this state's worker threads.
    func llmSpec(human: Dataset) throws -> CellSpec<LLMLoopModel> {
        let options: FinetuneOptions
        do {
            let t = fields.finetune ?? LuaTable()
            options = try OuroBindings.finetuneOptions(try LuaOptions(validating: t, allowed: OuroBindings.llmFinetuneKeys.filter { $0 != "prompt" }))
        } catch let e as LuaArgumentError { throw LuaError(.runtime, "experiment: finetune: \(e.message)") }
        let prompt: LLMPrompt
        do {
            guard let p = try OuroBindings.llmPrompt(fields.prompt) else {
                throw LuaError(.runtime, "experiment: an LLM needs prompt = \"…\" (the instruction each document answers)")
            }
            prompt = p
        } catch let e as LuaArgumentError { throw LuaError(.runtime, "experiment: \(e.message)") }
        let threads = state.context.workerThreads
        return try textSpec(human: human, models: "LLMs") { o in
            guard let m = o as? LlamaModel else {
                throw LuaError(.runtime, "experiment: an LLM experiment's base must be an LLM, got \(type(of: o))")
            }
            return LLMLoopModel(m, options: options, prompt: prompt, threads: threads)
        }
    }

    /// The cell as a text experiment over any model of texts (`convert` reads the Lua model).
    func textSpec<M: TextLoopModel>(human: Dataset, models: String, convert: (AnyObject) throws -> M) throws -> CellSpec<M> {
        let names = metricNames
        let registry = state.context.metrics
        if let m = names.first(where: { registry.info($0)?.kind == .model }) {
            throw LuaError(.runtime, "metric '\(m)' reads a toy model's parameters (kind \"model\"), and a text experiment's models are \(models)")
        }
        let sampling: Schedule<GenerationParams?>
        switch fields.sampling {
        case .function(let f):
            sampling = .function { g in
                let r = try f.call([.integer(Int64(g))])
                guard case .table(let t)? = r.first else {
                    throw LoopError("'sampling' function must return a table at generation \(g), got \(r.first?.typeName ?? "nothing")")
                }
                return try ExperimentSpecReader.generationParams(t, generation: g)
            }
        case .table(let t): sampling = .constant(try ExperimentSpecReader.generationParams(t, generation: nil))
        }
        var curation: Curation<Dataset>? = nil
        switch fields.curate {
        case .function(let f)?:
            curation = .predicate { d, i in
                let r = try f.call([OuroBindings.documentValue(d, i)])
                return r.first?.isTruthy ?? false
            }
        case .table(let t)?:
            let c = try LuaDecoder.decode(CurateByMetric.self, from: .table(t))
            curation = .metric(name: c.metric, keep: c.keep == "bottom" ? .bottom : .top, fraction: c.fraction,
                               score: registry.documentScorer(c.metric))
        case nil: break
        }
        let spec = CellSpec(
            human: human, generations: fields.generations, trainSize: fields.trainSize,
            syntheticRatio: numberSchedule(fields.syntheticRatio, "synthetic_ratio"),
            freshHuman: fields.freshHuman, accumulate: fields.accumulate.mode,
            model: try modelPlan(convert),
            sampling: sampling, curate: curation,
            metrics: registry.textLoopMetrics(names, of: M.self),
            evalSize: fields.evalSize, parameters: parametersJSON)
        try registry.requireHeldOutHuman(for: names, humanPool: human.count) { try spec.resolve().humanNeeded }
        return spec
    }

    /// `curate = { metric = name, keep = "top"|"bottom", fraction = x }`.
    private struct CurateByMetric: Decodable { var metric: String; var keep: String; var fraction: Double }

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
        if case .function(let f)? = fields.curate {
            curation = .predicate { d, i in
                let row = d.row(i)
                let arg: LuaValue = row.count == 1 ? .number(row.first!) : .table(LuaTable(array: row.map { .number($0) }))
                let r = try f.call([arg])
                return r.first?.isTruthy ?? false
            }
        }
        let spec = CellSpec(
            human: human, generations: fields.generations, trainSize: fields.trainSize,
            syntheticRatio: numberSchedule(fields.syntheticRatio, "synthetic_ratio"),
            freshHuman: fields.freshHuman, accumulate: fields.accumulate.mode,
            model: try modelPlan { o in
                guard let box = o as? NumericModelBox, let m = box.model as? B else {
                    throw LuaError(.runtime, "experiment: every model of a numeric experiment must be of the same kind (\(B.self))")
                }
                return NumericLoopModel(m)
            },
            sampling: .constant(nil), curate: curation,
            metrics: { sample, reference, context in
                // Metrics of the model (kind "model") read the generation's fitted model; the
                // reference row has none.
                let chosen = context.model != nil ? names : names.filter { registry.info($0)?.kind != .model }
                guard !chosen.isEmpty else { return [:] }
                var set = EvaluationSet(numeric: sample.values)
                set.human = EvaluationSet(numeric: reference.values)
                set.numericModel = context.model?.model
                return try registry.compute(chosen, on: set)
            },
            evalSize: fields.evalSize, parameters: parametersJSON)
        // A model that cannot read the human data (a categorical model on Gaussian data, linreg on
        // 1-D rows) fails here, before anything runs: fit each spec on the first training-size rows.
        let probe = human.select(Array(0..<min(human.count, fields.trainSize)))
        var specs: [NumericLoopModel<B>] = []
        switch spec.model {
        case .fresh(let s): specs = s
        case .finetune(let b, _), .chain(let b, _): specs = [b]
        }
        for m in specs where probe.count > 0 {
            do { _ = try m.fitted(on: probe, seed: 0) } catch {
                throw LuaError(.runtime, "the model \(m.model) cannot be fitted on the human data (\(human)): \(error)")
            }
        }
        return spec
    }
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
