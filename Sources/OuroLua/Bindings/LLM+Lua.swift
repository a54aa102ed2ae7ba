import Foundation
import Ouro

/// `ouro.model.llm` and the language model's methods (engine: `Sources/Ouro/LLM/`).
extension OuroBindings {
    static let llmGenerateKeys = ["n", "prompt", "system", "temperature", "top_k", "top_p", "min_p", "repetition_penalty",
                                  "max_new_tokens", "seed", "batch_size"]

    /// Loaded models by path, shared by the states of one process (weights are read-only).
    nonisolated(unsafe) private static var llmCache: [String: LlamaModel] = [:]
    private static let llmLock = NSLock()

    /// The model at `path`, loaded once per process, with threads for this worker
    /// (`OuroContext.workerThreads`: the cores divided by `--jobs`).
    static func loadLLM(_ path: String, threads: Int) throws -> LlamaModel {
        llmLock.lock(); defer { llmLock.unlock() }
        let m = try llmCache[path] ?? LlamaModel(path: path)
        llmCache[path] = m
        m.threads = threads
        return m
    }

    /// The sampling options of `m:generate` and `m:chat` (Hugging Face's names); `temperature = 0`
    /// means greedy decoding. `temperature` is the default when the option is absent.
    static func llmSampling(_ o: LuaOptions, temperature: Double) throws -> (GenerationParams, greedy: Bool) {
        let t = try o.number("temperature", default: temperature, min: 0)!
        var p = GenerationParams()
        p.temperature = t == 0 ? 1 : t
        p.topK = try o.integer("top_k", default: 0, min: 0)!
        p.topP = try o.number("top_p", default: 1, min: 0, max: 1, minExclusive: true)!
        p.minP = try o.number("min_p", default: 0, min: 0, max: 1)!
        p.repetitionPenalty = try o.number("repetition_penalty", default: 1, min: 0, minExclusive: true)!
        p.maxNewTokens = try o.integer("max_new_tokens", default: 256, min: 1)!
        do { try p.validate() } catch { throw LuaArgumentError("\(error)") }
        return (p, t == 0)
    }

    static func installLLM(into state: LuaState) {
        state.registerType(LlamaModel.self, name: "LLM", methods: [
            "generate": ("m:generate{ n, prompt, system, temperature (0 = greedy), top_k, top_p, min_p, repetition_penalty, max_new_tokens, seed, batch_size } → Dataset of completions", { m, lua in
                let o = try lua.options(at: 2, allowed: llmGenerateKeys)
                let n = try o.integer("n", default: 1, min: 0)!
                let seed = UInt64(try o.integer("seed", default: 1, min: 0)!)
                let (p, greedy) = try llmSampling(o, temperature: 1)
                let prompt = try o.string("prompt", default: "")!
                let system = try o.string("system")
                let batch = try o.integer("batch_size", default: 256, min: 1)!
                let ids = m.chatPromptIDs(prompt, system: system)
                let seqs: [[Int32]]
                do { seqs = try m.generate(promptIDs: ids, n: n, params: p, greedy: greedy, seed: seed, batchSize: batch) } catch let e as LLMError {
                    throw LuaArgumentError("\(e)")
                }
                lua.push(object: Dataset.from(texts: seqs.map { m.tokenizer.decode($0, skipSpecial: true) }))
                return 1
            }),
            "perplexity": ("m:perplexity(d) → perplexity of Dataset d's texts (each text's tokens after its first)", { m, lua in
                let d = try lua.argObject(2, "data", as: Dataset.self)
                do { lua.push(try m.perplexity(d.texts)) } catch let e as LLMError { throw LuaArgumentError("\(e)") }
                return 1
            }),
            "logprob": ("m:logprob(text) → natural-log probability of the text's tokens after its first", { m, lua in
                let text = try lua.argString(2, "text")
                lua.push(m.logprobs([m.tokenizer.encode(text)])[0].logprob)
                return 1
            }),
            "tokenize": ("m:tokenize(text) → { token ids } (the model's byte-level BPE; special-token strings become their ids)", { m, lua in
                let text = try lua.argString(2, "text")
                lua.push(LuaTable(array: m.tokenizer.encode(text).map { .integer(Int64($0)) }))
                return 1
            }),
            "decode": ("m:decode{ ids } → text", { m, lua in
                let ids = try lua.argTable(2, "ids").array.map { v -> Int32 in
                    let x: Double
                    switch v { case .integer(let k): x = Double(k); case .number(let d): x = d; default: x = -1 }
                    guard let i = Int32(exactly: x), i >= 0, Int(i) < m.tokenizer.count else {
                        throw LuaArgumentError("ids must be token ids in 0..<\(m.tokenizer.count)")
                    }
                    return i
                }
                lua.push(m.tokenizer.decode(ids))
                return 1
            }),
            "chat": ("m:chat(prompt [, { temperature, max_new_tokens, seed, … }]) → the reply (greedy by default)", { m, lua in
                let prompt = try lua.argString(2, "prompt")
                let o = try lua.options(at: 3, allowed: llmGenerateKeys.filter { $0 != "n" && $0 != "prompt" })
                let (p, greedy) = try llmSampling(o, temperature: 0)
                let seqs = try m.generate(promptIDs: m.chatPromptIDs(prompt, system: try o.string("system")), n: 1, params: p,
                                          greedy: greedy, seed: UInt64(try o.integer("seed", default: 1, min: 0)!))
                lua.push(m.tokenizer.decode(seqs[0], skipSpecial: true))
                return 1
            }),
            "judge": ("m:judge(d_or_texts, { rubric = 'quality'|'positivity'|'… {text} …', scale = 100, answer = 'Rating: ' }) → { expected rating per text }, { P(the reply is a number in 0…scale) per text }: the model as a judge, read from its digit probabilities (no sampling)", { m, lua in
                let t = try texts(lua, 2, "texts")
                let o = try lua.options(at: 3, allowed: ["rubric", "scale", "answer"])
                let r = try o.string("rubric", default: "quality")!
                var j = LLMJudge.named[r] ?? LLMJudge(rubric: r)   // the engine checks the rubric
                j.scale = try o.integer("scale", default: 100, min: 1, max: 9999)!
                j.answerPrefix = try o.string("answer", default: j.answerPrefix)!
                let scores: [JudgeScore]
                do { scores = try m.judge(t, j) } catch let e as LLMError { throw LuaArgumentError("\(e)") }
                lua.push(LuaTable(array: scores.map { .number($0.expected) }))
                lua.push(LuaTable(array: scores.map { .number($0.numberMass) }))
                return 2
            }),
            "finetune": ("m:finetune(d, { prompt = text or function(text), lora = { rank, alpha, targets, rslora }, learning_rate, epochs, batch_size, gradient_accumulation_steps, weight_decay, max_length, warmup_steps, max_grad_norm (0: no clipping), shuffle, seed }) → a new model with a LoRA adapter trained on Dataset d (m unchanged), { loss per step }", { m, lua in
                let d = try lua.argObject(2, "data", as: Dataset.self)
                let o = try lua.options(at: 3, allowed: llmFinetuneKeys)
                let options = try finetuneOptions(o)
                let prompt = try llmPrompt(o, lua: lua)
                guard d.count > 0 else { throw LuaArgumentError("the data set is empty: fine-tuning needs at least one document") }
                let line = TrainingProgressLine(label: "finetune")
                let tuned: LLMLoopModel
                do {
                    // The loop's fine-tuning, one place: continues m's adapter if it has one.
                    tuned = try LLMLoopModel(m, options: options, prompt: prompt, threads: lua.state.context.workerThreads)
                        .finetuned(on: d, weight: 1, seed: options.seed, progress: line.report)
                } catch let e as LLMError { line.end(); throw LuaArgumentError("\(e)") } catch { line.end(); throw error }
                line.end()
                lua.push(object: tuned.model)
                lua.push(LuaTable(array: tuned.trainingLosses.map { .number($0) }))
                return 2
            }),
            "save_adapter": ("m:save_adapter(dir) → m: writes the LoRA adapter in peft's format (adapter_config.json, adapter_model.safetensors); honours the sandbox", { m, lua in
                let dir = try writablePath(lua, 2, "folder")
                guard var a = m.adapter else {
                    throw LuaArgumentError("\(m.displayName) has no LoRA adapter to save (m:finetune(d, { … }) or m:with_adapter(dir) give a model with one)")
                }
                if a.baseModel.isEmpty { a.baseModel = m.displayName }
                do { try a.save(folder: dir) } catch let e as LLMError { throw LuaArgumentError("\(e)") }
                lua.pushValue(at: 1)
                return 1
            }),
            "with_adapter": ("m:with_adapter(dir) → a new model: the base of m with the LoRA adapter saved in dir (peft's format; sandbox read rules)", { m, lua in
                let dir = try checkedRead(lua, try lua.argString(2, "folder"))
                do { lua.push(object: try m.withAdapter(folder: dir)) } catch let e as LLMError { throw LuaArgumentError("\(e)") }
                return 1
            }),
        ], properties: [
            "adapter": { m, lua in
                guard let a = m.adapter else { lua.pushNil(); return }
                lua.push(LuaTable(fields: ["rank": .integer(Int64(a.config.rank)), "alpha": .number(a.config.alpha),
                                           "rslora": .boolean(a.config.rslora),
                                           "targets": .table(LuaTable(array: a.config.targets.map { .string($0.rawValue) }))]))
            },
            "name": { m, lua in lua.push(m.displayName) },
            "parameters": { m, lua in lua.push(m.parameterCount) },
            "layers": { m, lua in lua.push(m.config.layers) },
            "vocab_size": { m, lua in lua.push(m.config.vocab) },
            "quantization": { m, lua in lua.push(m.quantization) },
        ])
        state.register("ouro._check_finetune", doc: "internal: nil, or what is wrong with an LLM experiment's finetune table") { lua in
            let t = try lua.argTable(1, "finetune")
            do {
                _ = try finetuneOptions(try LuaOptions(validating: t, allowed: llmFinetuneKeys.filter { $0 != "prompt" }))
                lua.pushNil()
            } catch let e as LuaArgumentError { lua.push(e.message) }
            return 1
        }
        state.register("ouro.model.llm", doc: "ouro.model.llm('smollm2-135m-instruct') or ouro.model.llm{ path = 'x.gguf' } → LLM (a llama GGUF run in Swift)") { lua in
            let path: String
            if lua.kind(at: 1) == .string {
                let name = try lua.argString(1, "model name")
                do { path = try LLMWeights.path(name: name, dataFolder: lua.state.context.dataFolder) } catch {
                    throw LuaArgumentError("\(error)")
                }
                guard FileManager.default.fileExists(atPath: path) else { throw LuaArgumentError("\(LLMError.modelMissing(path: path))") }
                _ = try lua.state.sandbox?.checkRead(path)
            } else {
                let o = try lua.options(at: 1, allowed: ["path"])
                guard let p = try o.string("path") else { throw LuaArgumentError("give a catalog name ('smollm2-135m-instruct') or { path = 'x.gguf' }") }
                path = try checkedRead(lua, p)
            }
            do { lua.push(object: try loadLLM(path, threads: lua.state.context.workerThreads)) } catch let e as LLMError {
                throw LuaArgumentError("\(e)")
            }
            return 1
        }
    }
}

// MARK: Fine-tuning options

extension OuroBindings {
    static let llmFinetuneKeys = ["prompt", "lora", "learning_rate", "epochs", "batch_size", "gradient_accumulation_steps",
                                  "weight_decay", "max_length", "warmup_steps", "max_grad_norm", "shuffle", "seed"]
    static let loraKeys = ["rank", "alpha", "targets", "rslora"]

    /// Fine-tuning options named like transformers' `TrainingArguments` (`prompt` is read by
    /// `llmPrompt`); the study's recipe for every option left out (`FinetuneOptions`). Errors name
    /// the option and its range.
    static func finetuneOptions(_ o: LuaOptions) throws -> FinetuneOptions {
        var f = FinetuneOptions()
        f.learningRate = try o.number("learning_rate", default: f.learningRate, min: 0)!
        f.epochs = try o.integer("epochs", default: f.epochs, min: 1)!
        f.batchSize = try o.integer("batch_size", default: f.batchSize, min: 1)!
        f.gradientAccumulation = try o.integer("gradient_accumulation_steps", default: f.gradientAccumulation, min: 1)!
        f.weightDecay = try o.number("weight_decay", default: f.weightDecay, min: 0)!
        f.maxLength = try o.integer("max_length", default: f.maxLength, min: 2)!
        f.warmupSteps = try o.integer("warmup_steps", default: f.warmupSteps, min: 0)!
        f.maxGradNorm = try o.number("max_grad_norm", default: f.maxGradNorm, min: 0)!
        f.shuffle = try o.bool("shuffle", default: f.shuffle)!
        f.seed = UInt64(try o.integer("seed", default: Int(f.seed), min: 0)!)
        if let v = o["lora"] {
            guard case .table(let t) = v else { throw LuaArgumentError("'lora' must be a table { rank, alpha, targets, rslora }, got \(v.typeName)") }
            let l: LuaOptions
            do { l = try LuaOptions(validating: t, allowed: loraKeys) } catch let e as LuaArgumentError { throw LuaArgumentError("lora: " + e.message) }
            var c = LoRAConfig()
            do {
                c.rank = try l.integer("rank", default: c.rank, min: 1, max: 4096)!
                c.alpha = try l.number("alpha", default: Double(c.rank), min: 0, minExclusive: true)!
                c.rslora = try l.bool("rslora", default: c.rslora)!
                if let tv = l["targets"] { c.targets = try loraTargets(tv) }
            } catch let e as LuaArgumentError { throw LuaArgumentError("lora: " + e.message) }
            f.lora = LoRAConfig(rank: c.rank, alpha: c.alpha, targets: c.targets, rslora: c.rslora)
        }
        return f
    }

    /// `targets = { "q_proj", "v_proj" }` (peft's names) or the short names `{ "q", "v" }`.
    static func loraTargets(_ v: LuaValue) throws -> [LoRATarget] {
        let valid = LoRATarget.allCases.map(\.rawValue)
        guard case .table(let t) = v, !t.array.isEmpty, t.fields.isEmpty else {
            throw LuaArgumentError("'targets' must be a non-empty list of projections (\(valid.joined(separator: ", "))), got \(LuaOptions.show(v))")
        }
        var out: [LoRATarget] = []
        for x in t.array {
            guard let s = x.string else { throw LuaArgumentError("'targets' entries must be strings (\(valid.joined(separator: ", "))), got \(LuaOptions.show(x))") }
            guard let target = LoRATarget(rawValue: s) ?? LoRATarget(rawValue: s + "_proj") else {
                throw LuaArgumentError("'targets': unknown projection '\(s)'\(Suggestions.hint(for: s, in: valid)) (valid: \(valid.joined(separator: ", ")))")
            }
            if !out.contains(target) { out.append(target) }
        }
        return out
    }

    /// The `prompt` option: a string, or a function of a document's text returning a string
    /// (called on the calling thread's Lua state).
    static func llmPrompt(_ o: LuaOptions, lua: Lua) throws -> LLMPrompt {
        guard let p = try llmPrompt(o["prompt"], lua: lua) else {
            throw LuaArgumentError("'prompt' is required: the instruction each document answers, e.g. prompt = \"Generate a twitter post.\" (or a function(text) returning one)")
        }
        return p
    }

    /// The one conversion of a Lua `prompt` (m:finetune's option, an experiment's field) to the
    /// engine's `LLMPrompt`: a string, or a function(text) → string called once per document (a
    /// non-string result is a `LoopError` naming the function's line); nil when absent.
    static func llmPrompt(_ v: LuaValue?, lua: Lua? = nil) throws -> LLMPrompt? {
        switch v {
        case .string(let s)?: return .fixed(s)
        case .function(let f)?:
            return .perDocument { text in
                let r = try f.call([.string(text)], on: lua)
                guard case .string(let s)? = r.first else {
                    throw LoopError("\(f.location)the 'prompt' function must return a string, got \(r.first?.typeName ?? "nothing")")
                }
                return s
            }
        case nil: return nil
        case let v?:
            throw LuaArgumentError("'prompt' must be a string or a function(text) returning one, got \(LuaOptions.show(v))")
        }
    }
}

/// Fine-tuning progress on stderr: on a terminal a live line (step, loss, learning rate), otherwise
/// a line at most every 10 seconds and at the last step.
final class TrainingProgressLine: @unchecked Sendable {
    private let label: String
    private let live = isatty(2) != 0
    private var last = DispatchTime.now().uptimeNanoseconds
    private var drawn = false
    private let start = DispatchTime.now().uptimeNanoseconds

    init(label: String) { self.label = label }

    /// Draws one optimizer step.
    func report(_ p: TrainingProgress) {
        let now = DispatchTime.now().uptimeNanoseconds
        let elapsed = Double(now - start) / 1e9
        let text = String(format: "%@: step %d/%d · loss %.4f · lr %.2e · %.0fs", label as NSString, p.step, p.steps, p.loss,
                          p.learningRate, elapsed)
        if live {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
            drawn = true
        } else if p.step == p.steps || now - last >= 10_000_000_000 {
            FileHandle.standardError.write(Data((text + "\n").utf8))
            last = now
        }
    }

    /// Ends the live line.
    func end() {
        if live && drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        drawn = false
    }
}
