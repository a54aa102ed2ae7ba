import Foundation
import Ouro

/// A toy model (Gaussian, GMM, categorical, linreg, KDE) as a Lua object. The engine's toy models
/// are values; the box gives them the identity Lua objects need (`m:fit(d)` changes `m` and returns it).
public final class NumericModelBox: CustomStringConvertible {
    public var model: any NumericModel
    public let kind: String
    public init(_ model: any NumericModel, kind: String) { self.model = model; self.kind = kind }
    /// A box named after the model's type (what `m.kind` says in Lua).
    public convenience init(_ model: any NumericModel) { self.init(model, kind: NumericModelBox.kind(of: model)) }
    public var description: String { model.description }

    /// The Lua name of a toy model's type: the `ouro.model.<name>` that makes it.
    public static func kind(of model: any NumericModel) -> String {
        switch model {
        case is GaussianModel: return "gaussian"
        case is GMMModel: return "gmm"
        case is CategoricalModel: return "categorical"
        case is LinearRegressionModel: return "linreg"
        case is KDEModel: return "kde"
        default: return "\(type(of: model))"
        }
    }
}

/// `ouro.model.*` and the model methods.
extension OuroBindings {
    static let samplingKeys = ["n", "temperature", "top_k", "top_p", "min_p", "repetition_penalty", "max_new_tokens", "seed", "prompt"]

    /// Hugging Face-named sampling options → `GenerationParams` (validated with the options' names).
    static func generationParams(_ o: LuaOptions) throws -> GenerationParams {
        var p = GenerationParams()
        p.temperature = try o.number("temperature", default: 1, min: 0, minExclusive: true)!
        p.topK = try o.integer("top_k", default: 0, min: 0)!
        p.topP = try o.number("top_p", default: 1, min: 0, max: 1, minExclusive: true)!
        p.minP = try o.number("min_p", default: 0, min: 0, max: 1)!
        p.repetitionPenalty = try o.number("repetition_penalty", default: 1, min: 0, minExclusive: true)!
        p.maxNewTokens = try o.integer("max_new_tokens", default: 256, min: 1)!
        if let prompt = try o.string("prompt") { p.prompt = Vocabulary.shared.lookupOrUnknown(Tokenizer.word.tokenize(prompt)) }
        try p.validate()
        return p
    }

    /// The documents of a Dataset as token-id sequences.
    static func documents(_ d: Dataset) -> [[UInt32]] { (0..<d.count).map { Array(d.tokens(at: $0)) } }

    /// A fitted parameter per coordinate: a number for a 1-D model, an array otherwise.
    static func pushCoordinates(_ v: [Double], _ lua: Lua) { v.count == 1 ? lua.push(v[0]) : lua.push(v) }

    static func installModels(into state: LuaState) {
        installLLM(into: state)
        state.registerType(NGramModel.self, name: "NGram", methods: [
            "fit": ("m:fit(d) → m, fitted on the Dataset d (replacing any earlier fit)", { m, lua in
                let d = try lua.argObject(2, "data", as: Dataset.self)
                guard d.count > 0 else { throw LuaArgumentError("cannot fit on an empty dataset") }
                try m.fit(tokens: d.tokenIDs, offsets: d.offsets)
                lua.pushValue(at: 1)
                return 1
            }),
            "perplexity": ("m:perplexity(d) → perplexity of Dataset d (KenLM/SRILM convention: counts </s>, not <s>)", { m, lua in
                let d = try lua.argObject(2, "data", as: Dataset.self)
                lua.push(try m.perplexity(documents(d)))
                return 1
            }),
            "logprob": ("m:logprob(text) → natural-log probability of the text (with </s>)", { m, lua in
                let text = try lua.argString(2, "text")
                let ids = Vocabulary.shared.lookupOrUnknown(Tokenizer.word.tokenize(text))
                lua.push(try m.logprob(ids))
                return 1
            }),
            "generate": ("m:generate{ n, temperature, top_k, top_p, min_p, repetition_penalty, max_new_tokens, seed, prompt } → Dataset", { m, lua in
                let o = try lua.options(at: 2, allowed: samplingKeys)
                let n = try o.integer("n", default: 1, min: 0)!
                let seed = UInt64(try o.integer("seed", default: 1, min: 0)!)
                let params = try generationParams(o)
                // token ids, then the Dataset's text and tokens: about 32 bytes per token at the peak
                try lua.state.checkEngineAllocation(bytes: Double(n) * (Double(params.maxNewTokens + params.prompt.count) * 32 + 64),
                                                    for: "generate")
                let seqs = try m.generate(n: n, params: params, seed: seed)
                lua.push(object: Dataset.from(tokenSequences: seqs))
                return 1
            }),
            "finetune": ("m:finetune(d, { weight = w }) → a new model: (1−w)·p_base + w·p_d; m is unchanged", { m, lua in
                let d = try lua.argObject(2, "data", as: Dataset.self)
                let o = try lua.options(at: 3, allowed: ["weight"])
                let w = try o.number("weight", default: 0.5, min: 0, max: 1)!
                guard d.count > 0 else { throw LuaArgumentError("cannot finetune on an empty dataset") }
                lua.push(object: try m.finetune(documents(d), weight: w))
                return 1
            }),
            "save": ("m:save(path) — ARPA file, readable by KenLM/SRILM; honours the sandbox", { m, lua in
                let path = try writablePath(lua, 2)
                try ARPA.write(m, to: path)
                return 0
            }),
        ])
        state.register("ouro.model.ngram", doc: "ouro.model.ngram{ order = 3, smoothing = 'kneser-ney'|'witten-bell'|'add-k', k = 1 } → NGram (unfitted)") { lua in
            let o = try lua.options(at: 1, allowed: ["order", "smoothing", "k"])
            let order = try o.integer("order", default: 3, min: 1, max: NGramModel.maxOrder)!
            let name = try o.string("smoothing", default: "kneser-ney", oneOf: ["kneser-ney", "witten-bell", "add-k"])!
            let k = try o.number("k", default: 1, min: 0, minExclusive: true)!
            lua.push(object: try NGramModel(order: order, smoothing: try NGramModel.Smoothing(name: name, k: k)))
            return 1
        }
        state.register("ouro.model.load", doc: "ouro.model.load(path) → NGram from an ARPA file") { lua in
            let path = try resolveDataPath(try lua.argString(1, "path"), lua: lua)
            lua.push(object: try ARPA.load(path))
            return 1
        }

        state.registerType(NumericModelBox.self, name: "ToyModel", methods: [
            "fit": ("m:fit(d) → m, fitted on NumericData d", { m, lua in
                let d = try lua.argObject(2, "data", as: NumericDataset.self)
                try m.model.fit(dim: d.data.dim, values: d.data.values)
                lua.pushValue(at: 1)
                return 1
            }),
            "generate": ("m:generate{ n = 100, seed = 1 } → NumericData", { m, lua in
                let o = try lua.options(at: 2, allowed: ["n", "seed"])
                let n = try o.integer("n", default: 1, min: 1)!
                var rng = Xoshiro256(seed: UInt64(try o.integer("seed", default: 1, min: 0)!), "generate")
                guard m.model.dim > 0 else { throw LuaArgumentError("the model has not been fitted (call fit first)") }
                try lua.state.checkEngineAllocation(bytes: Double(n) * Double(m.model.dim) * 16, for: "generate")
                lua.push(object: NumericDataset(NumericData(dim: m.model.dim, values: m.model.generate(n: n, rng: &rng))))
                return 1
            }),
        ], properties: [
            "kind": { m, lua in lua.push(m.kind) },
            // Fitted parameters (nil before a fit, or where the model has no such parameter). Metrics of
            // kind "model" read them: a number for 1-D models, an array per coordinate otherwise.
            "mean": { m, lua in
                switch m.model {
                case let g as GaussianModel where g.isFitted: pushCoordinates(g.mean, lua)
                case let k as KDEModel where k.isFitted: pushCoordinates(k.mean, lua)
                case let g as GMMModel where g.isFitted: pushCoordinates(g.mixtureMean, lua)
                default: lua.pushNil()
                }
            },
            "variance": { m, lua in
                switch m.model {
                case let g as GaussianModel where g.isFitted: pushCoordinates(g.variances, lua)
                case let k as KDEModel where k.isFitted: pushCoordinates(k.variances, lua)
                case let g as GMMModel where g.isFitted: pushCoordinates(g.mixtureVariances, lua)
                default: lua.pushNil()
                }
            },
            "probabilities": { m, lua in
                if let c = m.model as? CategoricalModel { lua.push(c.probabilities) } else { lua.pushNil() }
            },
            "weights": { m, lua in
                if let g = m.model as? GMMModel { lua.push(g.weights) } else { lua.pushNil() }
            },
            "means": { m, lua in   // GMM: one entry per component (a number when 1-D, else an array)
                guard let g = m.model as? GMMModel, g.isFitted else { return lua.pushNil() }
                lua.push(LuaTable(array: (0..<g.k).map { c in
                    g.dim == 1 ? .number(g.mean(c)[0]) : .table(LuaTable(array: g.mean(c).map { .number($0) })) }))
            },
            "variances": { m, lua in   // GMM: each component's variances (the covariance diagonal)
                guard let g = m.model as? GMMModel, g.isFitted else { return lua.pushNil() }
                lua.push(LuaTable(array: (0..<g.k).map { c in
                    let cov = g.covariance(c)
                    return g.dim == 1 ? .number(cov[0]) : .table(LuaTable(array: (0..<g.dim).map { .number(cov[$0 * g.dim + $0]) }))
                }))
            },
            "coefficients": { m, lua in
                if let r = m.model as? LinearRegressionModel, r.isFitted { lua.push(r.coefficients) } else { lua.pushNil() }
            },
            "intercept": { m, lua in
                if let r = m.model as? LinearRegressionModel, r.isFitted { lua.push(r.intercept) } else { lua.pushNil() }
            },
            "bandwidth": { m, lua in
                if let k = m.model as? KDEModel { lua.push(k.bandwidth) } else { lua.pushNil() }
            },
            "rows": { m, lua in
                switch m.model {
                case let g as GaussianModel: lua.push(g.rows)
                case let g as GMMModel: lua.push(g.rows)
                case let c as CategoricalModel: lua.push(c.rows)
                case let r as LinearRegressionModel: lua.push(r.rows)
                case let k as KDEModel: lua.push(k.rows)
                default: lua.pushNil()
                }
            },
        ])
        state.register("ouro.model.gaussian", doc: "ouro.model.gaussian{ estimator = 'mle'|'unbiased' } or { known_sd = σ } → a Gaussian (1-D or d-dim)") { lua in
            let o = try lua.options(at: 1, allowed: ["estimator", "known_sd"])
            let e = try o.string("estimator", default: "mle", oneOf: GaussianModel.Estimator.allCases.map(\.rawValue))!
            let known = try o.number("known_sd", min: 0, minExclusive: true)
            if known != nil && o.has("estimator") {
                throw LuaArgumentError("'estimator' has no effect with 'known_sd' (only the mean is fitted, its estimate is the sample mean); give one of them")
            }
            lua.push(object: NumericModelBox(GaussianModel(estimator: GaussianModel.Estimator(rawValue: e)!, knownSD: known), kind: "gaussian"))
            return 1
        }
        state.register("ouro.model.gmm", doc: "ouro.model.gmm{ k = 2, seed = 0 } → a Gaussian mixture fitted by EM") { lua in
            let o = try lua.options(at: 1, allowed: ["k", "seed", "max_iterations"])
            let k = try o.integer("k", default: 2, min: 1)!
            lua.push(object: NumericModelBox(GMMModel(k: k, seed: UInt64(try o.integer("seed", default: 0, min: 0)!),
                                                     maxIterations: try o.integer("max_iterations", default: 200, min: 1)!), kind: "gmm"))
            return 1
        }
        state.register("ouro.model.linreg", doc: "ouro.model.linreg{ noise = 1, intercept = false, design = 'fixed'|'random' } → least squares on rows (x₁…x_d, y) that generates y = x·ŵ + noise·z") { lua in
            let o = try lua.options(at: 1, allowed: ["noise", "intercept", "design"])
            let design = try o.string("design", default: "fixed", oneOf: LinearRegressionModel.Design.allCases.map(\.rawValue))!
            lua.push(object: NumericModelBox(LinearRegressionModel(intercept: try o.bool("intercept", default: false)!,
                                                                   noise: try o.number("noise", default: 1, min: 0)!,
                                                                   design: LinearRegressionModel.Design(rawValue: design)!)))
            return 1
        }
        state.register("ouro.model.kde", doc: "ouro.model.kde{ bandwidth = h } → a Gaussian kernel density estimate with a fixed bandwidth") { lua in
            let o = try lua.options(at: 1, allowed: ["bandwidth"])
            guard let h = try o.number("bandwidth", min: 0, minExclusive: true) else {
                throw LuaArgumentError("'bandwidth' is required (the kernel's standard deviation, > 0)")
            }
            lua.push(object: NumericModelBox(KDEModel(bandwidth: h)))
            return 1
        }
        state.register("ouro.model.categorical", doc: "ouro.model.categorical{} → a categorical model over category ids") { lua in
            let o = try lua.options(at: 1, allowed: ["categories"])
            lua.push(object: NumericModelBox(CategoricalModel(categories: try o.integer("categories", min: 1)), kind: "categorical"))
            return 1
        }
    }
}

/// `ouro.oracle.*`: the closed forms of PAPER.md, for experiment files to print beside their curves.
extension OuroBindings {
    static func installOracles(into state: LuaState) {
        func reg(_ name: String, _ doc: String, _ keys: [String], _ f: @escaping (LuaOptions) throws -> Double) {
            state.register("ouro.oracle.\(name)", doc: "ouro.oracle.\(name){ \(keys.joined(separator: ", ")) } → \(doc)") { lua in
                lua.push(try f(try lua.options(at: 1, allowed: keys)))
                return 1
            }
        }
        func n(_ o: LuaOptions) throws -> Int { try o.integer("n", min: 2) ?? { throw LuaArgumentError("'n' is required") }() }
        func g(_ o: LuaOptions) throws -> Int { try o.integer("g", min: 0) ?? { throw LuaArgumentError("'g' is required") }() }
        reg("mle_variance", "E[σ²] after refitting g+1 times by MLE: σ²·((n−1)/n)^(g+1)", ["sigma2", "n", "g"]) { o in
            Oracles.mleVariance(sigma2: try o.number("sigma2", default: 1, min: 0)!, n: try n(o), generation: try g(o))
        }
        reg("mle_mean_drift", "E[(μ_g − μ)²] under MLE refits", ["sigma2", "n", "g"]) { o in
            Oracles.mleMeanSquaredDrift(sigma2: try o.number("sigma2", default: 1, min: 0)!, n: try n(o), generation: try g(o))
        }
        reg("unbiased_sd", "E[σ_g] with the unbiased estimator: α^(g+1)·σ", ["sigma", "n", "g"]) { o in
            Oracles.unbiasedSD(sigma: try o.number("sigma", default: 1, min: 0)!, n: try n(o), generation: try g(o))
        }
        reg("unbiased_mean_drift", "E[(μ_g − μ)²] with the unbiased estimator: σ²(g+1)/n", ["sigma2", "n", "g"]) { o in
            Oracles.unbiasedMeanSquaredDrift(sigma2: try o.number("sigma2", default: 1, min: 0)!, n: try n(o), generation: try g(o))
        }
        reg("heterozygosity", "Wright–Fisher: E[1 − Σp²] of generation g's model: H₀·(1 − 1/n)^(g+1)", ["h0", "n", "g"]) { o in
            Oracles.heterozygosity(initial: try o.number("h0", min: 0, max: 1) ?? { throw LuaArgumentError("'h0' is required") }(),
                                   n: try n(o), generation: try g(o))
        }
        reg("fixation_probability", "Wright–Fisher: the probability that a type of initial share p takes over: p", ["p"]) { o in
            Oracles.fixationProbability(initialShare: try o.number("p", min: 0, max: 1) ?? { throw LuaArgumentError("'p' is required") }())
        }
        reg("mean_fixation_time", "Wright–Fisher (diffusion approximation): mean generations until one type remains, −2n·Σ(1−pᵢ)ln(1−pᵢ)", ["shares", "n"]) { o in
            guard case .table(let t)? = o["shares"], !t.array.isEmpty else { throw LuaArgumentError("'shares' must be a non-empty array of numbers") }
            return Oracles.meanFixationTime(shares: try t.array.map { try $0.number ?? { throw LuaArgumentError("'shares' must hold numbers") }() }, n: try n(o))
        }
        reg("fresh_data_error", "E[(μ_g−μ*)²] with a fresh fraction ρ: σ²/n·Σ_{k≤g}(1−ρ)^(2k); without g the stationary σ²/(n·ρ(2−ρ))", ["sigma2", "n", "rho", "g"]) { o in
            let s2 = try o.number("sigma2", default: 1, min: 0)!
            let rho = try o.number("rho", min: 0, max: 1) ?? { throw LuaArgumentError("'rho' is required") }()
            if o.has("g") { return Oracles.freshDataError(sigma2: s2, n: try n(o), rho: rho, generation: try g(o)) }
            guard rho > 0 else { throw LuaArgumentError("the stationary error needs rho > 0 (give g for the error at generation g)") }
            return Oracles.freshDataStationaryError(sigma2: s2, n: try n(o), rho: rho)
        }
        func mode(_ o: LuaOptions, _ allowed: [Oracles.Mode]) throws -> Oracles.Mode {
            Oracles.Mode(rawValue: try o.string("mode", default: "replace", oneOf: allowed.map(\.rawValue))!)!
        }
        reg("gaussian_mean_error", "E[(μ_g−μ*)²], Gaussian mean with known σ, all-synthetic after generation 0; mode 'replace' | 'accumulate' | 'subsample'", ["sigma2", "n", "g", "mode"]) { o in
            Oracles.gaussianMeanError(sigma2: try o.number("sigma2", default: 1, min: 0)!, n: try n(o), mode: try mode(o, Oracles.Mode.allCases), generation: try g(o))
        }
        reg("linreg_error", "E‖ŵ_g − w*‖², least squares on its own predictions (fixed design, T rows, d features); mode 'replace' | 'accumulate'", ["sigma2", "n", "d", "g", "mode", "intercept"]) { o in
            let d = try o.integer("d", min: 1) ?? { throw LuaArgumentError("'d' is required (number of features)") }()
            let intercept = try o.bool("intercept", default: false)!
            let t = try n(o)
            guard t > d + 1 + (intercept ? 1 : 0) else { throw LuaArgumentError("'n' must exceed d + 1\(intercept ? " + 1 (intercept)" : "")") }
            return Oracles.linearRegressionError(sigma2: try o.number("sigma2", default: 1, min: 0)!, rows: t, features: d, intercept: intercept,
                                                 mode: try mode(o, [.replace, .accumulate]), generation: try g(o))
        }
        reg("kde_variance", "E[variance of generation g's KDE] (bandwidth h, n rows per generation); mode 'replace' | 'accumulate'", ["sigma2", "n", "bandwidth", "g", "mode"]) { o in
            Oracles.kdeVariance(sigma2: try o.number("sigma2", default: 1, min: 0)!, n: try n(o),
                                bandwidth: try o.number("bandwidth", min: 0, minExclusive: true) ?? { throw LuaArgumentError("'bandwidth' is required") }(),
                                mode: try mode(o, [.replace, .accumulate]), generation: try g(o))
        }
    }
}
