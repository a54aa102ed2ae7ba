import Foundation

/// The quality proxies in the metric registry (the study used an LLM judge; these are what we
/// measure instead, see docs/metrics.md):
/// - `dict_rate`: share of word tokens found in the catalog's English word list (gibberish proxy);
/// - `ppl_ref`: perplexity of the texts under an order-3 Kneser–Ney model fitted on the human
///   reference sample of the evaluation (fluency relative to human text);
/// - `quality`: `Quality.combined(dict_rate, ppl_ref, V)`, monotone in each (higher = better);
/// - `ppl_human`: perplexity of held-out human documents (`EvaluationSet.heldOut`) under the model
///   that generated the texts (`EvaluationSet.model`): what the model forgot of the human data.
public final class QualityResources: @unchecked Sendable {
    public let dataFolder: String
    private let lock = NSLock()
    private var words: WordList?
    private var reference: (texts: [String], model: NGramModel)?

    public init(dataFolder: String) { self.dataFolder = dataFolder }

    func wordList() throws -> WordList {
        lock.lock(); defer { lock.unlock() }
        if let w = words { return w }
        let w = try WordList.load(dataFolder: dataFolder)
        words = w
        return w
    }

    /// The reference model of a human sample (refitted only when the sample changes).
    func referenceModel(_ human: EvaluationSet) throws -> NGramModel {
        lock.lock(); defer { lock.unlock() }
        if let r = reference, r.texts == human.texts { return r.model }
        let docs = human.documentTokens.map { Vocabulary.shared.ids(for: $0) }
        let m = try NGramModel(order: 3, documents: docs)
        reference = (human.texts, m)
        return m
    }
}

extension MetricRegistry {
    /// Registers `dict_rate`, `ppl_ref`, `quality` and `ppl_human`.
    public func registerQualityMetrics(_ resources: QualityResources) {
        func pplRef(_ set: EvaluationSet, _ name: String) throws -> (Double, Int) {
            guard let human = set.human, human.hasText else { throw MetricError.missingHumanReference(metric: name) }
            let model = try resources.referenceModel(human)
            let ppl = try set.memo.value("ppl_ref") {
                let docs = set.documentTokens.map { Vocabulary.shared.lookupOrUnknown($0) }
                return try Quality.perplexity(docs, under: model)
            }
            return (ppl, model.typeCount)
        }
        func dictRate(_ set: EvaluationSet) throws -> Double {
            try set.memo.value("dict_rate") { try Quality.dictRate(set.texts, words: try resources.wordList()) }
        }
        replace(MetricInfo(name: "dict_rate", description: "share of word tokens in an English word list (gibberish proxy)",
                                 kind: .text, direction: .larger)) { set in
            try dictRate(set)
        }
        replace(MetricInfo(name: "ppl_ref", description: "perplexity under an order-3 KN model of the human reference sample (fluency)",
                                 kind: .text, direction: .furtherFromHuman)) { set in
            try pplRef(set, "ppl_ref").0
        }
        replace(MetricInfo(name: "quality", description: "quality proxy: dict_rate × fluency from ppl_ref (higher = better)",
                                 kind: .text, direction: .larger)) { set in
            let (ppl, v) = try pplRef(set, "quality")
            return Quality.combined(dictRate: try dictRate(set), pplRef: ppl, vocabularySize: v)
        }
        replace(MetricInfo(name: "ppl_human", description: "perplexity of held-out human documents under the generation's model (what it forgot)",
                                 kind: .text, direction: .furtherFromHuman, needsModel: true)) { set in
            guard let model = set.model else { throw MetricError.missingModel(metric: "ppl_human") }
            guard let held = set.heldOut, held.hasText else { throw MetricError.missingHeldOut(metric: "ppl_human") }
            return try model.perplexity(of: held)
        }
    }
}

extension NGramModel: TextPerplexityModel {
    /// Perplexity of the documents' engine tokens (`Quality.perplexity`).
    public func perplexity(of set: EvaluationSet) throws -> Double {
        try Quality.perplexity(set.documentTokens.map { Vocabulary.shared.lookupOrUnknown($0) }, under: self)
    }
}
