import Foundation

/// The user turn of an LLM's examples and samples in the loop: one instruction for every document
/// ("Generate a twitter post."), or one per document (a function of its text, as the study's Reddit
/// runs give per-subreddit instructions).
public enum LLMPrompt {
    case fixed(String)
    case perDocument((String) throws -> String)

    /// The instruction for a document's text.
    public func callAsFunction(_ text: String) throws -> String {
        switch self {
        case .fixed(let p): return p
        case .perDocument(let f): return try f(text)
        }
    }
}

/// A `LlamaModel` with LoRA fine-tuning as a `LoopModel` over text `Dataset`s, sampled with
/// `GenerationParams` (the study's protocol, issue #16).
///
/// - `fitted` is an error: an LLM is fine-tuned, never fitted from scratch.
/// - `finetuned` trains a LoRA adapter on the documents, each an example (prompt = `prompt(text)`,
///   completion = the text), with `options` and the runner's seed (`options.seed` is replaced). The
///   receiver's adapter, if any, is where training starts (`initial:`); otherwise a fresh adapter. So
///   `ModelPlan.finetune(base:)` trains a **fresh** LoRA on the same base every generation (the study)
///   and `ModelPlan.chain` continues the previous generation's adapter. `weight` is not used.
/// - `generate` samples through the adapter with the experiment's prompt (the model's batched
///   sampler); with per-document prompts, document `i` uses the prompt of the `i mod k`-th of the
///   k documents the model was trained on, in training order.
///
/// Training and sampling run on `threads` threads and give the same bits for any thread count
/// (the engine's guarantee), so results do not depend on `--jobs`.
public struct LLMLoopModel: TextLoopModel, CustomStringConvertible {
    public typealias Data = Dataset
    public typealias Sampling = GenerationParams

    /// The base model, or a generation's fine-tuned model (base + adapter).
    public let model: LlamaModel
    /// Fine-tuning options (the study's recipe by default); the seed comes from the runner.
    public let options: FinetuneOptions
    public let prompt: LLMPrompt
    /// Threads for training, sampling and perplexity (the worker's share of the cores).
    public let threads: Int
    /// Sequences decoded together (results do not depend on it).
    public var batchSize: Int = 256
    /// The loss of every optimizer step of the fine-tuning that made this model (empty for the base).
    public let trainingLosses: [Double]
    /// Per-document prompts of the training documents, in training order (empty with a fixed prompt).
    let trainingPrompts: [String]

    public init(_ model: LlamaModel, options: FinetuneOptions = FinetuneOptions(), prompt: LLMPrompt, threads: Int) {
        self.init(model, options: options, prompt: prompt, threads: threads, losses: [], prompts: [])
    }

    init(_ model: LlamaModel, options: FinetuneOptions, prompt: LLMPrompt, threads: Int, losses: [Double], prompts: [String]) {
        self.model = model; self.options = options; self.prompt = prompt; self.threads = max(1, threads)
        self.trainingLosses = losses; self.trainingPrompts = prompts
    }

    public func fitted(on data: Dataset, seed: UInt64) throws -> LLMLoopModel {
        throw LoopError("an LLM is fine-tuned, not fitted from scratch: give base = ouro.model.llm(…) with finetune = { lora = { rank = 16 }, … } (chain = true continues the previous generation's adapter)")
    }

    public func finetuned(on data: Dataset, weight: Double, seed: UInt64) throws -> LLMLoopModel {
        try finetuned(on: data, weight: weight, seed: seed, progress: nil)
    }

    public func finetuned(on data: Dataset, weight: Double, seed: UInt64,
                          progress: ((TrainingProgress) -> Void)?) throws -> LLMLoopModel {
        let examples = try trainingExamples(data.texts)
        let prompts: [String]
        if case .perDocument = prompt { prompts = examples.map(\.prompt) } else { prompts = [] }
        var o = options
        o.seed = seed
        // Train on the bare base; the receiver's adapter (the previous generation's with `chain`) is
        // where training starts.
        let root = model.adapter == nil ? model : try model.withAdapter(nil)
        let (ft, losses) = try root.finetune(examples, options: o, threads: threads, progress: progress, initial: model.adapter)
        ft.threads = threads
        return LLMLoopModel(ft, options: options, prompt: prompt, threads: threads, losses: losses, prompts: prompts)
    }

    public func generate(n: Int, sampling: GenerationParams?, seed: UInt64) throws -> Dataset {
        let params = sampling ?? GenerationParams()
        guard n > 0 else { return Dataset.from(texts: []) }
        model.threads = threads
        var texts = [String](repeating: "", count: n)
        switch prompt {
        case .fixed(let p):
            texts = try model.generate(prompt: p, n: n, params: params, seed: seed, batchSize: batchSize)
        case .perDocument:
            guard !trainingPrompts.isEmpty else {
                throw LoopError("per-document prompts: the model has not been fine-tuned, so there are no training prompts to sample with")
            }
            // Group the documents by prompt (first appearance order); group k draws from its own stream.
            var groups: [String: Int] = [:], order: [String] = [], members: [[Int]] = []
            for i in 0..<n {
                let p = trainingPrompts[i % trainingPrompts.count]
                if groups[p] == nil { groups[p] = order.count; order.append(p); members.append([]) }
                members[groups[p]!].append(i)
            }
            for (k, p) in order.enumerated() {
                let out = try model.generate(prompt: p, n: members[k].count, params: params,
                                             seed: Stream.derive(seed: seed, [.name("prompt"), .index(k)]), batchSize: batchSize)
                for (j, i) in members[k].enumerated() { texts[i] = out[j] }
            }
        }
        return Dataset.from(texts: texts)
    }

    /// `ppl_human` scores at one thread (see `OneThreadScorer`).
    public var scorer: any TextPerplexityModel { OneThreadScorer(model: model) }

    /// Perplexity on one thread, on a view of the model that shares its weights (the worker's model
    /// keeps its threads): OpenBLAS's threaded sgemm rounds a row differently with the thread count
    /// (docs/llm.md, "Determinism"), and a stored metric must not depend on `--jobs`. Sampling is
    /// discrete and keeps the worker's threads.
    struct OneThreadScorer: TextPerplexityModel {
        let model: LlamaModel
        func perplexity(of set: EvaluationSet) throws -> Double {
            let view = try model.withAdapter(model.adapter)
            view.threads = 1
            return try view.perplexity(set.texts)
        }
    }

    public var description: String { model.description }
}

extension LlamaModel: TextPerplexityModel {
    /// `perplexity(set.texts)` (the texts as they are, no chat template).
    public func perplexity(of set: EvaluationSet) throws -> Double { try perplexity(set.texts) }
}

extension LLMLoopModel {
    /// Mean tokens of one training example (chat prompt, completion, end of turn; cut at
    /// `max_length`) over the first `limit` documents of `data`.
    public func meanExampleTokens(_ data: Dataset, limit: Int = 200) throws -> Double {
        try meanTokens(data, limit: limit) { $0 }
    }

    /// Mean tokens of a training example's prompt and end of turn (no completion) over the first
    /// `limit` documents of `data`: a synthetic example is this plus the tokens sampled for it.
    public func meanPromptTokens(_ data: Dataset, limit: Int = 200) throws -> Double {
        try meanTokens(data, limit: limit) { _ in "" }
    }

    /// Mean training-example tokens (`trainingTokens`, cut at `max_length`) of the first `limit`
    /// documents, each with the completion `completion(text)`.
    private func meanTokens(_ data: Dataset, limit: Int, completion: (String) -> String) throws -> Double {
        let texts = Array(data.texts.prefix(limit))
        guard !texts.isEmpty else { return 0 }
        let examples = try texts.map { TrainingExample(prompt: try prompt($0), completion: completion($0)) }
        let total = try model.trainingTokens(examples, maxLength: options.maxLength).reduce(0) { $0 + $1.ids.count }
        return Double(total) / Double(texts.count)
    }

    /// One training example per text: the prompt for the text, the text as the completion.
    func trainingExamples(_ texts: [String]) throws -> [TrainingExample] {
        try texts.map { TrainingExample(prompt: try prompt($0), completion: $0) }
    }
}

extension CellSpec where M == LLMLoopModel {
    /// The work of one run of this cell (`ouro check`'s estimate), from its plan and the mean
    /// length of its first `trainSize` human documents as training examples.
    /// `metricSecondsPerCall`: the stated cost of the metrics that have one (`MetricInfo.secondsPerCall`).
    public func estimate(metricSecondsPerCall: Double = 0) throws -> RunEstimate {
        let plan = try resolve()
        let model: LLMLoopModel
        switch self.model {
        case .fresh(let specs): model = specs[0]
        case .finetune(let b, _), .chain(let b, _): model = b
        }
        var fraction: Double? = nil
        if case .metric(_, _, let f, _)? = curate { fraction = f }
        let sample = human.select(Array(0..<min(human.count, trainSize, 200)))
        return RunEstimate.llm(plan: plan, evalSize: evalSize, curationFraction: fraction,
                               meanExampleTokens: try model.meanExampleTokens(sample),
                               meanPromptTokens: try model.meanPromptTokens(sample), maxLength: model.options.maxLength,
                               epochs: model.options.epochs,
                               maxNewTokens: { plan.sampling[$0]?.maxNewTokens ?? GenerationParams().maxNewTokens },
                               accumulatesAll: accumulate == .all, metricSecondsPerCall: metricSecondsPerCall)
    }
}
