import Foundation
import Ouro

/// Numeric data (vectors or category ids) as a Lua object: `ouro.data.normal{…}` and friends.
public final class NumericDataset: CustomStringConvertible {
    public let data: NumericData
    public init(_ data: NumericData) { self.data = data }
    public var description: String { data.description }
}

/// `ouro.data.*`, `ouro.text.*` and the `Dataset` methods.
extension OuroBindings {
    static func installData(into state: LuaState) {
        registerDatasetType(state)
        state.registerType(NumericDataset.self, name: "NumericData", methods: [
            "count": ("d:count() → number of rows", { d, lua in lua.push(d.data.count); return 1 }),
            "dim": ("d:dim() → dimension of each row", { d, lua in lua.push(d.data.dim); return 1 }),
            "values": ("d:values() → the values (1-D) or rows (a table of tables)", { d, lua in
                if d.data.dim == 1 { lua.push(d.data.values) } else {
                    lua.newTable(arrayCount: Int32(d.data.count))
                    for r in 0..<d.data.count { lua.push(Array(d.data.row(r))); lua.rawSet(-2, index: r + 1) }
                }
                return 1
            }),
        ])

        state.register("ouro.data.load", doc: "ouro.data.load(path_or_name, { text = 'text', paragraphs = false, invalid_utf8 = 'error' }) → Dataset (.jsonl/.csv/.txt, or a catalog name)") { lua in
            let spec = try lua.argString(1, "path or catalog name")
            let o = try lua.options(at: 2, allowed: ["text", "paragraphs", "format", "tokenizer", "invalid_utf8"])
            var options = LoadOptions()
            options.textField = try o.string("text", default: "text")!
            options.paragraphs = try o.bool("paragraphs", default: false)!
            if let f = try o.string("format", oneOf: DataFormat.allCases.map(\.rawValue)) { options.format = DataFormat(rawValue: f) }
            options.tokenizer = try tokenizer(o)
            options.replaceInvalidUTF8 = try o.string("invalid_utf8", default: "error", oneOf: ["error", "replace"]) == "replace"
            let path = try resolveDataPath(spec, lua: lua)
            var report = LoadReport()
            let d = try Dataset.load(path, options: options, report: &report)
            if report.replacedInvalidUTF8 > 0 {
                // Replacement was asked for: said once, on stderr, with the count and the first line.
                FileHandle.standardError.write(Data("\(lua.userLocation())ouro.data.load: \(LuaState.displayPath(path)): replaced \(report.replacedInvalidUTF8) invalid UTF-8 sequence\(report.replacedInvalidUTF8 == 1 ? "" : "s") with U+FFFD (first at line \(report.firstInvalidLine ?? 0))\n".utf8))
            }
            lua.push(object: d)
            return 1
        }
        state.register("ouro.data.from", doc: "ouro.data.from{ 'text', … } → Dataset from Lua strings") { lua in
            try lua.state.checkEngineAllocation(bytes: textBytes(lua, 1), for: "ouro.data.from")
            let texts = try lua.argStrings(1, "texts")
            let o = try lua.options(at: 2, allowed: ["tokenizer"])
            lua.push(object: Dataset.from(texts: texts, tokenizer: try tokenizer(o)))
            return 1
        }
        state.register("ouro.data.concat", doc: "ouro.data.concat{ a, b, … } → one Dataset (label columns united), or one NumericData (rows of the same dim)") { lua in
            guard lua.kind(at: 1) == .table else { throw LuaArgumentError("expected a table of datasets, got \(lua.typeName(at: 1))") }
            _ = lua.rawGet(1, index: 1)
            let numeric = lua.object(at: -1, as: NumericDataset.self) != nil
            lua.pop()
            if numeric {
                var parts: [NumericData] = []
                for k in stride(from: 1, through: lua.rawLength(1), by: 1) {
                    _ = lua.rawGet(1, index: k)
                    defer { lua.pop() }
                    let d = try lua.argObject(-1, "datasets[\(k)] (all NumericData, like datasets[1])", as: NumericDataset.self).data
                    guard d.dim == parts.first?.dim ?? d.dim else {
                        throw LuaArgumentError("datasets[\(k)] has rows of dim \(d.dim), datasets[1] of dim \(parts[0].dim)")
                    }
                    parts.append(d)
                }
                lua.push(object: NumericDataset(NumericData.concat(parts)))
                return 1
            }
            var parts: [Dataset] = []
            for k in stride(from: 1, through: lua.rawLength(1), by: 1) {
                _ = lua.rawGet(1, index: k)
                defer { lua.pop() }
                parts.append(try lua.argObject(-1, "datasets[\(k)]", as: Dataset.self))
            }
            guard !parts.isEmpty else { throw LuaArgumentError("expected at least one dataset") }
            lua.push(object: Dataset.concat(parts))
            return 1
        }
        state.register("ouro.data.numeric", doc: "ouro.data.numeric{ 0.5, 1.2, … } or { { x1, y1 }, { x2, y2 }, … } → NumericData from a Lua array") { lua in
            let t = try lua.argTable(1, "rows")
            guard t.fields.isEmpty else { throw LuaArgumentError("expected an array of numbers or of rows, got a table with field '\(t.fields.keys.sorted()[0])'") }
            let rows: [[Double]] = try t.array.enumerated().map { i, v in
                if let x = v.number { return [x] }
                guard case .table(let r) = v, r.fields.isEmpty else { throw LuaArgumentError("rows[\(i + 1)] must be a number or an array of numbers, got \(v.typeName)") }
                return try r.array.enumerated().map { j, x in try x.number ?? { throw LuaArgumentError("rows[\(i + 1)][\(j + 1)] must be a number, got \(x.typeName)") }() }
            }
            do { lua.push(object: NumericDataset(try NumericData.rows(rows))) } catch let e as DataError { throw LuaArgumentError("\(e)") }
            return 1
        }
        state.register("ouro.data.mixture", doc: "ouro.data.mixture{ components = { { weight = 0.5, mean = -2, sd = 1 }, … }, n = 1000, seed = 1 } → NumericData (mean may be a vector)") { lua in
            let o = try lua.options(at: 1, allowed: ["components", "n", "seed"])
            guard case .table(let t)? = o["components"], !t.array.isEmpty else {
                throw LuaArgumentError("'components' must be a non-empty array of { weight = …, mean = …, sd = … }")
            }
            let components = try t.array.enumerated().map { i, v -> NumericData.Component in
                guard case .table(let c) = v else { throw LuaArgumentError("components[\(i + 1)] must be a table { weight, mean, sd }") }
                let co = try LuaOptions(validating: c, allowed: ["weight", "mean", "sd"])
                let mean: [Double]
                if case .table(let m)? = co["mean"] {
                    mean = try m.array.map { try $0.number ?? { throw LuaArgumentError("components[\(i + 1)].mean must hold numbers") }() }
                } else {
                    mean = [try co.number("mean", default: 0)!]
                }
                return .init(weight: try co.number("weight", default: 1, min: 0)!, mean: mean, sd: try co.number("sd", default: 1, min: 0)!)
            }
            let n = try o.integer("n", min: 1) ?? { throw LuaArgumentError("'n' is required (number of rows)") }()
            lua.push(object: NumericDataset(try NumericData.mixture(components, n: n, seed: UInt64(try o.integer("seed", default: 1, min: 0)!))))
            return 1
        }
        state.register("ouro.data.linear", doc: "ouro.data.linear{ weights = { … }, intercept = 0, noise = 1, n = 1000, seed = 1 } → NumericData rows (x₁…x_d, y), x ~ N(0, I)") { lua in
            let o = try lua.options(at: 1, allowed: ["weights", "intercept", "noise", "n", "seed"])
            guard case .table(let t)? = o["weights"], !t.array.isEmpty else { throw LuaArgumentError("'weights' must be a non-empty array of numbers") }
            let w = try t.array.enumerated().map { i, v in try v.number ?? { throw LuaArgumentError("'weights'[\(i + 1)] must be a number") }() }
            let n = try o.integer("n", min: 1) ?? { throw LuaArgumentError("'n' is required (number of rows)") }()
            lua.push(object: NumericDataset(try NumericData.linear(weights: w, intercept: try o.number("intercept", default: 0)!,
                                                                   noise: try o.number("noise", default: 1, min: 0)!, n: n,
                                                                   seed: UInt64(try o.integer("seed", default: 1, min: 0)!))))
            return 1
        }
        state.register("ouro.data.normal", doc: "ouro.data.normal{ mean = 0, sd = 1, n = 1000, seed = 1 } → NumericData (mean may be a vector)") { lua in
            let o = try lua.options(at: 1, allowed: ["mean", "sd", "n", "seed"])
            let sd = try o.number("sd", default: 1, min: 0)!
            let n = try o.integer("n", min: 1) ?? { throw LuaArgumentError("'n' is required (number of rows)") }()
            let seed = UInt64(try o.integer("seed", default: 1, min: 0)!)
            let dim = o["mean"]?.table?.array.count ?? 1
            try lua.state.checkEngineAllocation(bytes: Double(n) * Double(max(dim, 1)) * 16, for: "ouro.data.normal")
            let data: NumericData
            if case .table(let t)? = o["mean"] {
                let mean = try t.array.enumerated().map { i, v in
                    try v.number ?? { throw LuaArgumentError("'mean'[\(i + 1)] must be a number") }()
                }
                data = try NumericData.normal(mean: mean, sd: sd, n: n, seed: seed)
            } else {
                data = try NumericData.normal(mean: try o.number("mean", default: 0)!, sd: sd, n: n, seed: seed)
            }
            lua.push(object: NumericDataset(data))
            return 1
        }
        state.register("ouro.data.categorical", doc: "ouro.data.categorical{ probs = {…}, n = 100, seed = 1 } → NumericData of category ids 0…K−1") { lua in
            let o = try lua.options(at: 1, allowed: ["probs", "n", "seed"])
            guard case .table(let t)? = o["probs"], !t.array.isEmpty else { throw LuaArgumentError("'probs' must be a non-empty array of numbers") }
            let probs = try t.array.enumerated().map { i, v in
                try v.number ?? { throw LuaArgumentError("'probs'[\(i + 1)] must be a number") }()
            }
            let n = try o.integer("n", min: 1) ?? { throw LuaArgumentError("'n' is required") }()
            let seed = UInt64(try o.integer("seed", default: 1, min: 0)!)
            try lua.state.checkEngineAllocation(bytes: Double(n) * 16, for: "ouro.data.categorical")
            lua.push(object: NumericDataset(try NumericData.categorical(probs: probs, n: n, seed: seed)))
            return 1
        }
        state.register("ouro.text.tokenize", doc: "ouro.text.tokenize(text, { tokenizer = 'word'|'character' }) → array of tokens") { lua in
            let text = try lua.argString(1, "text")
            let o = try lua.options(at: 2, allowed: ["tokenizer"])
            try lua.state.checkEngineAllocation(bytes: Double(text.utf8.count) * 24, for: "ouro.text.tokenize")
            lua.push(try tokenizer(o).tokenize(text))
            return 1
        }
        state.register("ouro.text.detokenize", doc: "ouro.text.detokenize(tokens) → readable text") { lua in
            lua.push(Detokenizer.detokenize(try lua.argStrings(1, "tokens")))
            return 1
        }
    }

    /// What a Dataset built from the strings of the array at `i` costs at its peak: about 24 bytes
    /// per byte of text (the text, its tokens, token ids, offsets and the builder's copies; measured
    /// on a 30 MB string), plus 64 per document. 0 when `i` is not a table (the reader then says so).
    static func textBytes(_ lua: Lua, _ i: Int32) -> Double {
        guard lua.kind(at: i) == .table else { return 0 }
        var total = 0.0
        for k in stride(from: 1, through: lua.rawLength(i), by: 1) {
            if lua.rawGet(i, index: k) == .string { total += Double(lua.rawLength(-1)) * 24 + 64 }
            lua.pop()
        }
        return total
    }

    static func tokenizer(_ o: LuaOptions) throws -> Tokenizer {
        let kind = try o.string("tokenizer", default: "word", oneOf: Tokenizer.Kind.allCases.map(\.rawValue))!
        return Tokenizer(Tokenizer.Kind(rawValue: kind)!)
    }

    /// A path relative to the script's folder (then the working directory), or a catalog name
    /// (`tweets` → `<data folder>/tweets.jsonl`); checked against the sandbox.
    static func resolveDataPath(_ spec: String, lua: Lua) throws -> String {
        let state = lua.state
        _ = try Sandbox.resolve(spec)   // a NUL byte is refused before the name-or-path guess
        let looksLikeName = !spec.contains("/") && DataFormat.infer(path: spec) == nil
        if looksLikeName {
            let path: String
            do { path = try Catalog.path(for: spec, dataFolder: state.context.dataFolder) } catch {
                throw LuaArgumentError("\(error)")
            }
            return try state.sandbox?.checkRead(path) ?? path
        }
        return try checkedRead(lua, spec)
    }

    static func registerDatasetType(_ state: LuaState) {
        state.registerType(Dataset.self, name: "Dataset", methods: [
            "count": ("d:count() → number of documents", { d, lua in lua.push(d.count); return 1 }),
            "name": ("d:name() → the data set's name (file name when loaded; kept by subsets), or nil", { d, lua in
                if let n = d.name { lua.push(n) } else { lua.pushNil() }
                return 1
            }),
            "named": ("d:named(name) → the same documents under a name (report legends use it)", { d, lua in
                lua.push(object: d.named(try lua.argString(2, "name")))
                return 1
            }),
            "tokens": ("d:tokens() → total number of tokens; d:tokens(i) → the tokens of document i", { d, lua in
                if lua.isNoneOrNil(at: 2) { lua.push(d.tokenCount); return 1 }
                let i = try docIndex(lua, 2, d)
                lua.push(d.tokenStrings(at: i))
                return 1
            }),
            "texts": ("d:texts() → array of the documents' texts", { d, lua in lua.push(d.texts); return 1 }),
            "text": ("d:text(i) → the text of document i", { d, lua in lua.push(d.text(at: try docIndex(lua, 2, d))); return 1 }),
            "labels": ("d:labels() → names of the label columns", { d, lua in lua.push(d.columnNames); return 1 }),
            "column": ("d:column(name) → array of a label column's values (missing = nil; field n = count)", { d, lua in
                let name = try lua.argString(2, "column name")
                guard let col = d.column(name) else {
                    throw LuaArgumentError("no column '\(name)'\(Suggestions.hint(for: name, in: d.columnNames)) (columns: \(d.columnNames.joined(separator: ", ")))")
                }
                lua.newTable(arrayCount: Int32(col.count), fieldCount: 1)
                for i in 0..<col.count { pushLabel(col[i], lua); lua.rawSet(-2, index: i + 1) }
                lua.push(col.count); lua.rawSet(-2, field: "n")
                return 1
            }),
            "get": ("d:get(i) → { text = …, <labels> }", { d, lua in
                pushDocument(d, try docIndex(lua, 2, d), lua)
                return 1
            }),
            "filter": ("d:filter{ min_tokens, max_tokens, strip_links, drop_trailing_hashtags, dedup } or d:filter(function(doc) … end) → Dataset", { d, lua in
                if lua.kind(at: 2) == .function {
                    guard case .function(let f) = try lua.value(at: 2) else { return 0 }
                    let out = try d.filter(where: { i in
                        let r = try f.call([documentValue(d, i)], on: lua)
                        return r.first?.isTruthy ?? false
                    })
                    lua.push(object: out)
                    return 1
                }
                let o = try lua.options(at: 2, allowed: ["min_tokens", "max_tokens", "strip_links", "drop_trailing_hashtags", "dedup"])
                var f = FilterOptions()
                f.minTokens = try o.integer("min_tokens", min: 0)
                f.maxTokens = try o.integer("max_tokens", min: 0)
                f.stripLinks = try o.bool("strip_links", default: false)!
                f.dropTrailingHashtags = try o.bool("drop_trailing_hashtags", default: false)!
                f.dedup = try o.bool("dedup", default: false)!
                if let lo = f.minTokens, let hi = f.maxTokens, lo > hi {
                    throw LuaArgumentError("'min_tokens' (\(lo)) is larger than 'max_tokens' (\(hi))")
                }
                lua.push(object: d.filter(f))
                return 1
            }),
            "sample": ("d:sample(n, { seed = 1 }) → n documents drawn without replacement", { d, lua in
                let n = try lua.argInteger(2, "n")
                guard n >= 0 && n <= d.count else { throw LuaArgumentError("cannot sample \(n) documents from a dataset of \(d.count)") }
                let o = try lua.options(at: 3, allowed: ["seed"])
                lua.push(object: try d.sample(n, seed: UInt64(try o.integer("seed", default: 1, min: 0)!)))
                return 1
            }),
            "shuffle": ("d:shuffle{ seed = 1 } → the documents in random order", { d, lua in
                let o = try lua.options(at: 2, allowed: ["seed"])
                lua.push(object: d.shuffled(seed: UInt64(try o.integer("seed", default: 1, min: 0)!)))
                return 1
            }),
            "slice": ("d:slice(from, to) → documents from..to (1-based, inclusive)", { d, lua in
                let from = try lua.argInteger(2, "from")
                let to = lua.isNoneOrNil(at: 3) ? d.count : try lua.argInteger(3, "to")
                guard from >= 1 else { throw LuaArgumentError("'from' must be ≥ 1, got \(from)") }
                lua.push(object: d.slice(from - 1, min(to, d.count)))
                return 1
            }),
            "split": ("d:split{ 0.9, 0.1, seed = 1 } → one Dataset per fraction", { d, lua in
                guard lua.kind(at: 2) == .table else { throw LuaArgumentError("expected { fraction, …, seed = n }") }
                let t = try lua.argTable(2, "fractions")
                _ = try LuaOptions(validating: t, allowed: ["seed"], allowPositional: true)
                let fractions = try t.array.enumerated().map { i, v -> Double in
                    guard let x = v.number, x >= 0 else { throw LuaArgumentError("fraction \(i + 1) must be a non-negative number") }
                    return x
                }
                guard !fractions.isEmpty else { throw LuaArgumentError("give at least one fraction, e.g. { 0.9, 0.1 }") }
                let sum = fractions.reduce(0, +)
                guard abs(sum - 1) < 1e-9 else { throw LuaArgumentError("fractions must sum to 1, got \(sum)") }
                let seed: Int64 = { if case .integer(let s)? = t.fields["seed"] { return s }; return 1 }()
                let parts = try d.split(fractions: fractions, seed: UInt64(max(0, seed)))
                for p in parts { lua.push(object: p) }
                return Int32(parts.count)
            }),
            "save": ("d:save(path) — writes JSONL (text + labels); honours the sandbox", { d, lua in
                let path = try writablePath(lua, 2)
                try d.save(to: path)
                return 0
            }),
        ])
    }

    static func docIndex(_ lua: Lua, _ i: Int32, _ d: Dataset) throws -> Int {
        let k = try lua.argInteger(i, "document index")
        guard k >= 1 && k <= d.count else { throw LuaArgumentError("document index \(k) is out of range 1…\(d.count)") }
        return k - 1
    }

    static func pushLabel(_ v: LabelValue, _ lua: Lua) {
        switch v {
        case .string(let s): lua.push(s)
        case .number(let x): lua.push(x)
        case .missing: lua.pushNil()
        }
    }

    static func documentValue(_ d: Dataset, _ i: Int) -> LuaValue {
        var t = LuaTable(fields: ["text": .string(d.text(at: i))])
        for label in d.document(at: i).labels {
            switch label.value {
            case .string(let s): t.fields[label.name] = .string(s)
            case .number(let x): t.fields[label.name] = .number(x)
            case .missing: break
            }
        }
        return .table(t)
    }

    static func pushDocument(_ d: Dataset, _ i: Int, _ lua: Lua) { lua.push(documentValue(d, i)) }
}
