import Foundation
import Ouro

/// Sentence embeddings as a Lua object: `E.rows`, `E.cols`, `E:row(i)`.
public final class EmbeddingBox: CustomStringConvertible {
    public let matrix: EmbeddingMatrix
    public init(_ matrix: EmbeddingMatrix) { self.matrix = matrix }
    public var description: String { "Matrix(\(matrix.rows) × \(matrix.cols))" }
}

/// `ouro.embed`, `d:cluster`, `ouro.data.mix_labels`, `ouro.classifier.*`, `ouro.stats.ols`.
extension OuroBindings {
    static func texts(_ lua: Lua, _ i: Int32, _ what: String) throws -> [String] {
        if let d = lua.object(at: i, as: Dataset.self) { return d.texts }
        return try lua.argStrings(i, what)
    }

    static func installAnalysis(into state: LuaState) {
        state.registerType(EmbeddingBox.self, name: "Matrix", methods: [
            "row": ("E:row(i) → row i as an array of numbers", { e, lua in
                let i = try lua.argInteger(2, "row")
                guard i >= 1 && i <= e.matrix.rows else { throw LuaArgumentError("row \(i) is out of range 1…\(e.matrix.rows)") }
                lua.push(e.matrix.row(i - 1).map(Double.init))
                return 1
            }),
        ], properties: [
            "rows": { e, lua in lua.push(e.matrix.rows) },
            "cols": { e, lua in lua.push(e.matrix.cols) },
        ])
        state.register("ouro.embed", doc: "ouro.embed(d_or_texts, { batch = 64 }) → Matrix of MiniLM sentence embeddings (L2-normalised)") { lua in
            let t = try texts(lua, 1, "texts")
            let o = try lua.options(at: 2, allowed: ["batch"])
            _ = try o.integer("batch", default: 64, min: 1)
            lua.push(object: EmbeddingBox(try lua.state.context.embeddings.embeddings(t)))
            return 1
        }

        // Clustering on the Dataset type (added to its methods table).
        state.addMethod(Dataset.self, "cluster", doc: "d:cluster{ k = 50, by = 'tfidf'|'embedding', seed = 1 } → list of Datasets (k-means++)") { d, lua in
            let o = try lua.options(at: 2, allowed: ["k", "by", "seed", "dimensions"])
            let k = try o.integer("k", min: 1, max: d.count) ?? { throw LuaArgumentError("'k' is required") }()
            let seed = UInt64(try o.integer("seed", default: 1, min: 0)!)
            let features: ClusterFeatures
            switch try o.string("by", default: "tfidf", oneOf: ["tfidf", "embedding"])! {
            case "embedding":
                let e = try lua.state.context.embeddings.embeddings(d.texts)
                features = .vectors(e.storage.map(Double.init), dimensions: e.cols)
            default:
                features = .tfidf(dimensions: try o.integer("dimensions", default: 100, min: 1)!)
            }
            let parts = try d.cluster(k: k, by: features, seed: seed)
            lua.newTable(arrayCount: Int32(parts.count))
            for (i, p) in parts.enumerated() { lua.push(object: p); lua.rawSet(-2, index: i + 1) }
            return 1
        }
        state.register("ouro.data.mix_labels", doc: "ouro.data.mix_labels(d, { label, shares = { A = 0.75, B = 0.25 }, n, seed }) → Dataset") { lua in
            let d = try lua.argObject(1, "data", as: Dataset.self)
            let o = try lua.options(at: 2, allowed: ["label", "shares", "n", "seed"])
            let label = try o.string("label") ?? { throw LuaArgumentError("'label' is required") }()
            guard case .table(let t)? = o["shares"], !t.fields.isEmpty else { throw LuaArgumentError("'shares' must be a table { value = share, … }") }
            var shares: [String: Double] = [:]
            for (k, v) in t.fields {
                guard let x = v.number, x >= 0 else { throw LuaArgumentError("'shares'.\(k) must be a number ≥ 0") }
                shares[k] = x
            }
            let n = try o.integer("n", min: 1) ?? { throw LuaArgumentError("'n' is required") }()
            try lua.state.checkEngineAllocation(bytes: Double(n) * 64, for: "mix_labels")
            lua.push(object: try d.mixLabels(label: label, shares: shares, n: n, seed: UInt64(try o.integer("seed", default: 1, min: 0)!)))
            return 1
        }

        state.registerType(Classifier.self, name: "Classifier", methods: [
            "predict": ("clf:predict(texts_or_d) → per text { label = probability, … }", { c, lua in
                let p = c.predict(try texts(lua, 2, "texts"))
                lua.push(LuaTable(array: p.map { .table(LuaTable(fields: $0.mapValues { .number($0) })) }))
                return 1
            }),
            "evaluate": ("clf:evaluate(d) → { accuracy, macro_f1, labels, confusion }", { c, lua in
                let e = try c.evaluate(try lua.argObject(2, "data", as: Dataset.self))
                lua.push(LuaTable(fields: [
                    "accuracy": .number(e.accuracy), "macro_f1": .number(e.macroF1),
                    "labels": .table(LuaTable(array: e.labels.map { .string($0) })),
                    "confusion": .table(LuaTable(array: e.confusion.map { .table(LuaTable(array: $0.map { .integer(Int64($0)) })) })),
                ]))
                return 1
            }),
            "lean": ("clf:lean(texts_or_d, { right = 'Republican', left = 'Democratic' }) → mean P(right) − P(left)", { c, lua in
                let t = try texts(lua, 2, "texts")
                let o = try lua.options(at: 3, allowed: ["right", "left"])
                let right = try o.string("right", default: "Republican")!, left = try o.string("left", default: "Democratic")!
                lua.push(try c.lean(t, right: right, left: left))
                return 1
            }),
            "save": ("clf:save(path) — JSON; honours the sandbox", { c, lua in
                let path = try writablePath(lua, 2)
                try c.save(to: path)
                return 0
            }),
        ])
        state.register("ouro.classifier.train", doc: "ouro.classifier.train(d, { label, kind = 'logistic'|'naive_bayes', tfidf, bigrams, c, alpha }) → Classifier") { lua in
            let d = try lua.argObject(1, "data", as: Dataset.self)
            let o = try lua.options(at: 2, allowed: ["label", "kind", "tfidf", "bigrams", "c", "alpha", "min_df"])
            let label = try o.string("label") ?? { throw LuaArgumentError("'label' is required") }()
            let kind = Classifier.Kind(rawValue: try o.string("kind", default: "logistic", oneOf: Classifier.Kind.allCases.map(\.rawValue))!)!
            var options = Classifier.Options()
            options.tfidf = try o.bool("tfidf", default: options.tfidf)!
            options.bigrams = try o.bool("bigrams", default: options.bigrams)!
            options.c = try o.number("c", default: options.c, min: 0, minExclusive: true)!
            options.alpha = try o.number("alpha", default: options.alpha, min: 0)!
            options.minDF = try o.integer("min_df", default: options.minDF, min: 1)!
            lua.push(object: try Classifier.train(d, label: label, kind: kind, options: options))
            return 1
        }
        state.register("ouro.classifier.load", doc: "ouro.classifier.load(path_or_name) → Classifier ('party', 'offensive': shipped by `ouro data`)") { lua in
            let spec = try lua.argString(1, "path or name")
            var path = spec
            if Catalog.classifiers.contains(where: { $0.name == spec }) {
                path = Catalog.classifierPath(spec, dataFolder: lua.state.context.dataFolder)
                guard FileManager.default.fileExists(atPath: path) else {
                    throw LuaArgumentError("classifier '\(spec)' is not built; build the catalog with `ouro data`")
                }
            } else {
                path = try resolveDataPath(spec, lua: lua)
            }
            lua.push(object: try Classifier.load(from: path))
            return 1
        }

        state.register("ouro.stats.ols", doc: "ouro.stats.ols{ y = {…}, x = { name = {…}, … }, standardize = true, folds = min(10, n) (0: no CV), seed = 1 } → coef, se, t, p, ci95, r2, adj_r2, cv_r2, vif") { lua in
            let o = try lua.options(at: 1, allowed: ["y", "x", "standardize", "folds", "seed"])
            func numbers(_ v: LuaValue?, _ what: String) throws -> [Double] {
                guard case .table(let t)? = v else { throw LuaArgumentError("'\(what)' must be an array of numbers") }
                return try t.array.enumerated().map { i, x in try x.number ?? { throw LuaArgumentError("'\(what)'[\(i + 1)] must be a number") }() }
            }
            let y = try numbers(o["y"], "y")
            guard case .table(let xt)? = o["x"], !xt.fields.isEmpty else { throw LuaArgumentError("'x' must be a table { name = { … }, … }") }
            let x = try xt.fields.keys.sorted().map { (name: $0, values: try numbers(xt.fields[$0], "x.\($0)")) }
            let r = try OLS.fit(y: y, x: x, standardize: try o.bool("standardize", default: true)!,
                                folds: try o.integer("folds", default: OLS.defaultFolds(rows: y.count), min: 0)!, seed: UInt64(try o.integer("seed", default: 1, min: 0)!))
            func perName(_ values: [Double]) -> LuaValue {
                .table(LuaTable(fields: Dictionary(uniqueKeysWithValues: zip(r.names, values.map { LuaValue.number($0) }))))
            }
            var vif: [String: LuaValue] = [:]
            for term in r.terms { if let v = term.vif { vif[term.name] = .number(v) } }
            lua.push(LuaTable(fields: [
                "coef": perName(r.coef), "se": perName(r.se), "t": perName(r.t), "p": perName(r.p),
                "ci95": .table(LuaTable(fields: Dictionary(uniqueKeysWithValues: zip(r.names, r.ci95.map {
                    LuaValue.table(LuaTable(array: [.number($0.lower), .number($0.upper)])) })))),
                "r2": .number(r.r2), "adj_r2": .number(r.adjR2), "cv_r2": .number(r.cvR2), "vif": .table(LuaTable(fields: vif)),
                "n": .integer(Int64(r.n)), "summary": .string(r.description),
            ]))
            return 1
        }
    }
}
