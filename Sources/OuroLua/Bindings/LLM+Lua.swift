import Foundation
import Ouro

/// `ouro.model.llm` and the language model's methods (engine: `Sources/Ouro/LLM/`).
extension OuroBindings {
    static let llmGenerateKeys = ["n", "prompt", "system", "temperature", "top_k", "top_p", "min_p", "repetition_penalty",
                                  "max_new_tokens", "seed", "batch_size"]

    /// Loaded models by path, shared by the states of one process (weights are read-only).
    nonisolated(unsafe) private static var llmCache: [String: LlamaModel] = [:]
    private static let llmLock = NSLock()

    /// The model at `path`, loaded once per process, with threads for this worker: the cores divided by `--jobs`.
    static func loadLLM(_ path: String, jobs: Int) throws -> LlamaModel {
        llmLock.lock(); defer { llmLock.unlock() }
        let m = try llmCache[path] ?? LlamaModel(path: path)
        llmCache[path] = m
        m.threads = max(1, ProcessInfo.processInfo.activeProcessorCount / max(1, jobs))
        return m
    }

    static func installLLM(into state: LuaState) {
        state.registerType(LlamaModel.self, name: "LLM", methods: [
            "generate": ("m:generate{ n, prompt, system, temperature (0 = greedy), top_k, top_p, min_p, repetition_penalty, max_new_tokens, seed, batch_size } → Dataset of completions", { m, lua in
                let o = try lua.options(at: 2, allowed: llmGenerateKeys)
                let n = try o.integer("n", default: 1, min: 0)!
                let seed = UInt64(try o.integer("seed", default: 1, min: 0)!)
                let t = try o.number("temperature", default: 1, min: 0)!
                var p = GenerationParams()
                p.temperature = t == 0 ? 1 : t
                p.topK = try o.integer("top_k", default: 0, min: 0)!
                p.topP = try o.number("top_p", default: 1, min: 0, max: 1, minExclusive: true)!
                p.minP = try o.number("min_p", default: 0, min: 0, max: 1)!
                p.repetitionPenalty = try o.number("repetition_penalty", default: 1, min: 0, minExclusive: true)!
                p.maxNewTokens = try o.integer("max_new_tokens", default: 256, min: 1)!
                do { try p.validate() } catch { throw LuaArgumentError("\(error)") }
                let prompt = try o.string("prompt", default: "")!
                let system = try o.string("system")
                let batch = try o.integer("batch_size", default: 256, min: 1)!
                let ids = m.chatPromptIDs(prompt, system: system)
                let seqs: [[Int32]]
                do { seqs = try m.generate(promptIDs: ids, n: n, params: p, greedy: t == 0, seed: seed, batchSize: batch) } catch let e as LLMError {
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
                let t = try o.number("temperature", default: 0, min: 0)!
                var p = GenerationParams()
                p.temperature = t == 0 ? 1 : t
                p.topK = try o.integer("top_k", default: 0, min: 0)!
                p.topP = try o.number("top_p", default: 1, min: 0, max: 1, minExclusive: true)!
                p.minP = try o.number("min_p", default: 0, min: 0, max: 1)!
                p.repetitionPenalty = try o.number("repetition_penalty", default: 1, min: 0, minExclusive: true)!
                p.maxNewTokens = try o.integer("max_new_tokens", default: 256, min: 1)!
                let seqs = try m.generate(promptIDs: m.chatPromptIDs(prompt, system: try o.string("system")), n: 1, params: p,
                                          greedy: t == 0, seed: UInt64(try o.integer("seed", default: 1, min: 0)!))
                lua.push(m.tokenizer.decode(seqs[0], skipSpecial: true))
                return 1
            }),
        ], properties: [
            "name": { m, lua in lua.push(m.displayName) },
            "parameters": { m, lua in lua.push(m.parameterCount) },
            "layers": { m, lua in lua.push(m.config.layers) },
            "vocab_size": { m, lua in lua.push(m.config.vocab) },
            "quantization": { m, lua in lua.push(m.quantization) },
        ])
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
                var resolved = p
                if !p.hasPrefix("/"), let folder = lua.state.context.scriptFolder {
                    let inFolder = (folder as NSString).appendingPathComponent(p)
                    if FileManager.default.fileExists(atPath: inFolder) { resolved = inFolder }
                }
                path = try lua.state.sandbox?.checkRead(resolved) ?? resolved
            }
            do { lua.push(object: try loadLLM(path, jobs: lua.state.context.runDefaults.jobs)) } catch let e as LLMError {
                throw LuaArgumentError("\(e)")
            }
            return 1
        }
    }
}
