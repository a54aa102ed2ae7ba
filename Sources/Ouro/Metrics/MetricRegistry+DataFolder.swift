import Foundation

extension MetricRegistry {
    /// Where the catalog puts VADER's lexicons (`<data>/lexicons/vader`, resource `vader_lexicons`).
    public static func vaderFolder(dataFolder: String) -> URL {
        let folder = Catalog.resources.first { $0.name == "vader_lexicons" }!.folder
        return URL(fileURLWithPath: dataFolder).appendingPathComponent(folder)
    }

    /// Points the metrics that read the catalog's data folder at `dataFolder`: `positivity` (VADER's
    /// lexicons), the quality proxies (the word list) and, given a cache, the embedding metrics. A
    /// second call replaces what the first attached (the metrics then read the new folder).
    public func attachDataFolder(_ dataFolder: String, embeddings: EmbeddingCache?) {
        vaderLexiconDirectory = MetricRegistry.vaderFolder(dataFolder: dataFolder)
        if let embeddings { registerEmbeddingMetrics(cache: embeddings) }
        registerQualityMetrics(QualityResources(dataFolder: dataFolder))
    }
}
