import Foundation
import Ouro

/// `ouro.metrics.*`, `ouro.lexical.*`, `ouro.score.*`.
extension OuroBindings {
    /// The evaluation set of a Dataset (texts + engine tokens) or of numeric data.
    static func evaluationSet(_ lua: Lua, _ i: Int32, _ what: String) throws -> EvaluationSet {
        if let d = lua.object(at: i, as: Dataset.self) {
            return EvaluationSet(d)
        }
        if let n = lua.object(at: i, as: NumericDataset.self) {
            return EvaluationSet(numeric: n.data.values)
        }
        if lua.kind(at: i) == .table {
            return EvaluationSet(texts: try lua.argStrings(i, what))
        }
        throw LuaArgumentError("\(what) must be a Dataset, NumericData or an array of strings, got \(lua.typeName(at: i))")
    }

    static func installMetrics(into state: LuaState) {
        state.register("ouro.metrics.compute", doc: "ouro.metrics.compute(d, { 'self_bleu', … }, { human = h, model = m, held_out = h2 }) → { name = value, … }") { lua in
            var set = try evaluationSet(lua, 1, "data")
            let names = try lua.argStrings(2, "metric names")
            let o = try lua.options(at: 3, allowed: ["human", "model", "held_out"])
            if o.has("human") {
                _ = lua.rawGet(3, field: "human")
                set.human = try evaluationSet(lua, lua.top, "human")
                lua.pop()
            }
            if o.has("held_out") {
                _ = lua.rawGet(3, field: "held_out")
                set.heldOut = try evaluationSet(lua, lua.top, "held_out")
                lua.pop()
            }
            if o.has("model") {
                _ = lua.rawGet(3, field: "model")
                defer { lua.pop() }
                if let toy = lua.object(at: lua.top, as: NumericModelBox.self) {
                    set.numericModel = toy.model
                } else if let m = lua.object(at: lua.top, as: NGramModel.self) {
                    set.model = m
                } else if let m = lua.object(at: lua.top, as: LlamaModel.self) {
                    set.model = m
                } else {
                    throw LuaArgumentError("option 'model' must be an n-gram model, an LLM or a toy model, got \(lua.typeName(at: lua.top))")
                }
            }
            let values = try lua.state.context.metrics.compute(names, on: set)
            lua.push(LuaTable(fields: values.mapValues { .number($0) }))
            return 1
        }
        state.register("ouro.metrics.list", doc: "ouro.metrics.list() → { { name, description, kind, direction }, … }") { lua in
            let infos = lua.state.context.metrics.infos
            lua.push(LuaTable(array: infos.map { info in
                .table(LuaTable(fields: ["name": .string(info.name), "description": .string(info.description),
                                         "kind": .string(info.kind.rawValue), "direction": .string(info.direction.rawValue)]))
            }))
            return 1
        }
        state.register("ouro.metrics.register", doc: "ouro.metrics.register(name, function(texts | values | model) … return number end, { description, kind = 'text'|'numeric'|'model', direction = 'moreDiverse'|…, seconds = cost of one call for ouro check's estimate })") { lua in
            let name = try lua.argString(1, "metric name")
            guard lua.kind(at: 2) == .function, case .function(let f) = try lua.value(at: 2) else {
                throw LuaArgumentError("expected a function(texts) returning a number, got \(lua.typeName(at: 2))")
            }
            let o = try lua.options(at: 3, allowed: ["description", "kind", "direction", "seconds"])
            let kind = MetricInfo.Kind(rawValue: try o.string("kind", default: "text", oneOf: ["text", "numeric", "model"])!)!
            let directions = MetricInfo.Direction.allCases.map { "\($0)" }
            let dname = try o.string("direction", default: "larger", oneOf: directions)!
            let direction = MetricInfo.Direction.allCases[directions.firstIndex(of: dname)!]
            var info = MetricInfo(name: name, description: try o.string("description", default: "a metric defined in Lua")!,
                                  kind: kind, direction: direction)
            info.secondsPerCall = try o.number("seconds", default: 0, min: 0, max: 1e7)!
            try lua.state.context.metrics.register(info) { set in
                let arg: LuaValue
                switch kind {
                case .numeric: arg = .table(LuaTable(array: (set.numeric ?? []).map { .number($0) }))
                case .text: arg = .table(LuaTable(array: set.texts.map { .string($0) }))
                case .model: arg = .object(NumericModelBox(set.numericModel!))   // the registry checked it is there
                }
                let r = try f.call([arg])
                guard let v = r.first?.number else {
                    throw LuaArgumentError("metric '\(name)' must return a number, got \(r.first?.typeName ?? "nothing")")
                }
                return v
            }
            return 0
        }
        state.register("ouro.score.vader", doc: "ouro.score.vader(text) → { compound, pos, neu, neg } (= vaderSentiment 3.3.2)") { lua in
            let text = try lua.argString(1, "text")
            let s = try vader(lua.state).polarityScores(text)
            lua.push(LuaTable(fields: ["compound": .number(s.compound), "pos": .number(s.pos), "neu": .number(s.neu), "neg": .number(s.neg)]))
            return 1
        }
        let lexical: [(String, String, ([String], LuaOptions) throws -> Double, [String])] = [
            ("ttr", "type-token ratio", { t, _ in Lexical.ttr(t) }, []),
            ("mattr", "moving-average TTR ({ window = 50 })", { t, o in Lexical.mattr(t, window: try o.integer("window", default: 50, min: 1)!) }, ["window"]),
            ("mtld", "MTLD ({ threshold = 0.72 })", { t, o in Lexical.mtld(t, threshold: try o.number("threshold", default: 0.72, min: 0, max: 1)!) }, ["threshold"]),
            ("hdd", "HD-D ({ sample = 42 })", { t, o in Lexical.hdd(t, sample: try o.integer("sample", default: 42, min: 1)!) }, ["sample"]),
            ("distinct", "distinct-n over one token list ({ n = 1 })", { t, o in Lexical.distinct([t], n: try o.integer("n", default: 1, min: 1, max: 4)!) }, ["n"]),
        ]
        for (name, doc, f, allowed) in lexical {
            state.register("ouro.lexical.\(name)", doc: "ouro.lexical.\(name)(tokens, opts) → \(doc)") { lua in
                let tokens = try lua.argStrings(1, "tokens")
                let o = try lua.options(at: 2, allowed: allowed)
                lua.push(try f(tokens, o))
                return 1
            }
        }
    }

    /// The registry's VADER analyzer (one cache per state), after checking the lexicon is installed.
    static func vader(_ state: LuaState) throws -> Vader {
        let dir = MetricRegistry.vaderFolder(dataFolder: state.context.dataFolder)
        guard FileManager.default.fileExists(atPath: dir.appendingPathComponent("vader_lexicon.txt").path) else {
            throw LuaArgumentError("the VADER lexicon is not installed (looked in \(dir.path)); build the catalog with `ouro data`")
        }
        return try state.context.metrics.vaderAnalyzer()
    }
}
