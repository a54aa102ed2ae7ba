import Foundation

/// Catalog files the dataset properties read, loaded once per process and kept by path (the
/// offensive classifier is 13 MB of JSON; the word list ~100k words).
public final class CatalogResources: @unchecked Sendable {
    public static let shared = CatalogResources()
    private let lock = NSLock()
    private var classifiers: [String: Classifier] = [:]
    private var wordLists: [String: WordList] = [:]

    /// A shipped classifier (`Catalog.classifiers`) of `dataFolder`.
    /// - Throws: `CatalogError.notBuilt` (naming `ouro data`) when it is not built.
    public func classifier(_ name: String, dataFolder: String) throws -> Classifier {
        let path = Catalog.classifierPath(name, dataFolder: dataFolder)
        lock.lock(); defer { lock.unlock() }
        if let c = classifiers[path] { return c }
        guard FileManager.default.fileExists(atPath: path) else { throw CatalogError.resourceNotBuilt("classifier '\(name)'", dataFolder: dataFolder) }
        let c = try Classifier.load(from: path)
        classifiers[path] = c
        return c
    }

    /// The English word list of `dataFolder`.
    public func words(dataFolder: String) throws -> WordList {
        lock.lock(); defer { lock.unlock() }
        if let w = wordLists[dataFolder] { return w }
        let w = try WordList.load(dataFolder: dataFolder)
        wordLists[dataFolder] = w
        return w
    }
}

extension Quality {
    /// The study's quality proxy of `texts` as one set: dict_rate × clamp(1 − ln ppl_ref / ln V, 0, 1),
    /// with ppl_ref the texts' perplexity under `reference` (V its vocabulary size).
    public static func score(_ texts: [String], reference: NGramModel, words: WordList) throws -> Double {
        let dict = (try? dictRate(texts, words: words)) ?? 0
        let ppl = try reference.perplexity(texts.map { Tokenizer.word.ids($0) })
        return combined(dictRate: dict, pplRef: ppl, vocabularySize: max(reference.typeCount, 2))
    }
}

extension DatasetProperties {
    /// The study's properties of a dataset (docs/RESULTS.md), on a sample of at most `n` documents
    /// (seed `seed`): length, lexical and semantic diversity, positivity (metrics of `registry`),
    /// dict_rate, quality (against `reference` when given, else dict_rate), toxicity (the shipped
    /// offensive classifier's mean P(true)), gaussianity of the MiniLM embeddings.
    /// - Returns: the values by name and the number of documents measured.
    /// - Throws: `DataError` below 3 documents; catalog errors when a resource is not built.
    public static func measure(_ d: Dataset, n: Int, seed: UInt64, reference: NGramModel?, registry: MetricRegistry,
                               embeddings: EmbeddingCache, dataFolder: String) throws -> (values: [String: Double], count: Int) {
        guard d.count >= 3 else { throw DataError("properties need at least 3 documents, the dataset has \(d.count)") }
        let s = d.count > n ? try d.sample(n, seed: seed) : d
        var values = try registry.compute(["length", "lexical_diversity", "semantic_diversity", "positivity"], on: EvaluationSet(s))
        let words = try CatalogResources.shared.words(dataFolder: dataFolder)
        let dictRate = (try? Quality.dictRate(s.texts, words: words)) ?? 0
        values["dict_rate"] = dictRate
        if let reference {
            let ppl = try Quality.pplRef(s, reference: reference)
            values["ppl_ref"] = ppl
            values["quality"] = Quality.combined(dictRate: dictRate, pplRef: ppl, vocabularySize: max(reference.typeCount, 2))
        } else {
            values["quality"] = dictRate
        }
        let clf = try CatalogResources.shared.classifier("offensive", dataFolder: dataFolder)
        guard let pos = clf.classes.firstIndex(of: "true") else {
            throw DataError("the offensive classifier has no class 'true'; rebuild it with `ouro data`")
        }
        let probs = clf.probabilities(s)
        values["toxicity"] = probs.reduce(0) { $0 + $1[pos] } / Double(probs.count)
        let e = try embeddings.embeddings(s.texts)
        values["gaussianity"] = gaussianity(e.storage.map(Double.init), rows: e.rows, cols: e.cols)
        return (values, s.count)
    }
}
