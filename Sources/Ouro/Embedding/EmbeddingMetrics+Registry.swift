import Foundation

/// The semantic metrics in the metric registry: `semantic_diversity`, `knn_diversity_5`,
/// `knn_diversity_15`, `vendi`, `embedding_variance`, `frechet_to_human`.
///
/// The encoder is loaded on first use from `<data>/models/minilm/` (a missing model is an error
/// that names `ouro data`, never a substitute). Embeddings of an evaluation set are computed once
/// and shared by every semantic metric of that set: the cache keeps the embeddings of the last two
/// text lists (a generation's sample and the human reference).
public final class EmbeddingCache: @unchecked Sendable {
    public let dataFolder: String
    private let lock = NSLock()
    private var encoder: SentenceEncoder?
    private var recent: [(texts: [String], embeddings: EmbeddingMatrix)] = []
    /// One embedding at a time in the process: the encoder sets OpenBLAS's (process-wide) thread
    /// count around each call and uses all cores itself, so workers must not embed concurrently.
    private static let processLock = NSLock()

    /// Threads the encoder uses (over batches; results do not depend on it): the cores of the
    /// worker that owns this cache. Default: every core; `ExperimentDriver` sets cores ÷ jobs.
    public var threads = ProcessInfo.processInfo.activeProcessorCount

    public init(dataFolder: String) { self.dataFolder = dataFolder }

    /// The embeddings of `texts` (computed once per distinct list among the last two).
    public func embeddings(_ texts: [String]) throws -> EmbeddingMatrix {
        lock.lock(); defer { lock.unlock() }
        if let hit = recent.first(where: { $0.texts == texts }) { return hit.embeddings }
        if encoder == nil { encoder = try MiniLMWeights.load(dataFolder: dataFolder) }
        EmbeddingCache.processLock.lock()
        defer { EmbeddingCache.processLock.unlock() }
        encoder!.threads = max(1, threads)
        let e = try encoder!.embed(texts)
        recent.append((texts, e))
        if recent.count > 2 { recent.removeFirst() }
        return e
    }
}

extension MetricRegistry {
    /// Registers the semantic metrics, embedding with the MiniLM model of `cache.dataFolder`.
    public func registerEmbeddingMetrics(cache: EmbeddingCache) {
        func add(_ name: String, _ description: String, _ direction: MetricInfo.Direction,
                 _ f: @escaping (EmbeddingMatrix, EvaluationSet) throws -> Double) {
            replace(MetricInfo(name: name, description: description, kind: .text, direction: direction)) { set in
                try f(try cache.embeddings(set.texts), set)
            }
        }
        add("semantic_diversity", "mean pairwise cosine distance of MiniLM embeddings (upper triangle)", .moreDiverse) { e, _ in
            try SemanticMetrics.semanticDiversity(e)
        }
        add("knn_diversity_5", "mean cosine distance to the 5 nearest other texts", .moreDiverse) { e, _ in
            try SemanticMetrics.knnDiversity(e, k: 5)
        }
        add("knn_diversity_15", "mean cosine distance to the 15 nearest other texts", .moreDiverse) { e, _ in
            try SemanticMetrics.knnDiversity(e, k: 15)
        }
        add("vendi", "Vendi score (q = 1) of the cosine similarity matrix", .moreDiverse) { e, _ in
            try SemanticMetrics.vendi(e)
        }
        add("embedding_variance", "mean per-dimension variance of the embeddings", .moreDiverse) { e, _ in
            try SemanticMetrics.embeddingVariance(e)
        }
        add("frechet_to_human", "Fréchet distance between Gaussians fitted to generated and human embeddings", .furtherFromHuman) { e, set in
            guard let human = set.human else { throw MetricError.missingHumanReference(metric: "frechet_to_human") }
            return try SemanticMetrics.frechetDistance(e, try cache.embeddings(human.texts))
        }
    }
}
