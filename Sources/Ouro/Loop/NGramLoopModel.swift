/// An `NGramModel` as a `LoopModel` over text `Dataset`s, sampled with `GenerationParams`.
///
/// - `fitted` fits a new model of the spec's order and smoothing on the training documents' tokens.
/// - `finetuned` is `NGramModel.finetune(_:weight:)`: the mixture (1 − w)·base + w·(model of the
///   training documents); an unfitted base is fitted fresh instead.
/// - `generate` is `NGramModel.generate(n:params:seed:)`; each document's text is the detokenized
///   tokens (`tokenizer`), so generated datasets tokenize like the human data.
public struct NGramLoopModel: TextLoopModel, CustomStringConvertible {
    public typealias Data = Dataset
    public typealias Sampling = GenerationParams

    /// The spec (unfitted), the base (fitted) or a generation's fitted model.
    public let model: NGramModel
    /// Tokenizer of the generated documents' texts.
    public let tokenizer: Tokenizer

    public init(_ model: NGramModel, tokenizer: Tokenizer = .word) {
        self.model = model
        self.tokenizer = tokenizer
    }

    public func fitted(on data: Dataset, seed: UInt64) throws -> NGramLoopModel {
        let m = try NGramModel(order: model.order, smoothing: model.smoothing)
        try m.fit(tokens: data.tokenIDs, offsets: data.offsets)
        return NGramLoopModel(m, tokenizer: tokenizer)
    }

    public func finetuned(on data: Dataset, weight: Double, seed: UInt64) throws -> NGramLoopModel {
        guard model.isFitted else { return try fitted(on: data, seed: seed) }
        let docs = (0..<data.count).map { Array(data.tokens(at: $0)) }
        return NGramLoopModel(try model.finetune(docs, weight: weight), tokenizer: tokenizer)
    }

    public func generate(n: Int, sampling: GenerationParams?, seed: UInt64) throws -> Dataset {
        let docs = try model.generate(n: n, params: sampling ?? GenerationParams(), seed: seed)
        return Dataset.from(tokenSequences: docs, tokenizer: tokenizer)
    }

    public var scorer: any TextPerplexityModel { model }

    public var description: String { model.description }
}

/// A model of text documents in the loop (n-gram, LLM): text metrics apply, and `ppl_human` scores
/// held-out human documents with `scorer`.
public protocol TextLoopModel: LoopModel where Data == Dataset, Sampling == GenerationParams {
    /// The model whose perplexity of held-out human documents is `ppl_human`.
    var scorer: any TextPerplexityModel { get }
}

extension EvaluationSet {
    /// The texts of a dataset with its engine tokens.
    public init(_ d: Dataset) {
        self.init(texts: d.texts, tokens: (0..<d.count).map { d.tokenStrings(at: $0) })
    }
}

extension MetricRegistry {
    /// The metrics of a text experiment: the named metrics of each evaluation sample, which sees the
    /// human reference sample (`human`), the generation's model (`model`) and the run's held-out
    /// human documents (`heldOut`). Metrics of the model (`needsModel`: `ppl_human`) are not
    /// computed for the human reference row, which has no model.
    public func textLoopMetrics(_ names: [String]) -> LoopMetrics<NGramLoopModel> {
        textLoopMetrics(names, of: NGramLoopModel.self)
    }

    /// `textLoopMetrics(_:)` for any model of texts (n-gram, LLM).
    public func textLoopMetrics<M: TextLoopModel>(_ names: [String], of _: M.Type) -> LoopMetrics<M> {
        { [self] sample, reference, context in
            let chosen = context.model != nil ? names : names.filter { info($0)?.needsModel != true }
            guard !chosen.isEmpty else { return [:] }
            var set = EvaluationSet(sample)
            set.human = EvaluationSet(reference)
            set.model = context.model?.scorer
            set.heldOut = context.heldOutHuman.map(EvaluationSet.init)
            return try compute(chosen, on: set)
        }
    }
}
