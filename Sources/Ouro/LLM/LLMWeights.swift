import Foundation

/// Where the catalog's language models live: the catalog resources made of one GGUF file
/// (`Catalog.resources`, e.g. `smollm2-135m-instruct` → `<data>/models/smollm2-135m-instruct/
/// SmolLM2-135M-Instruct.Q4_1.gguf`), installed and checksummed by `ouro data`. The one place that
/// maps a catalog name to a GGUF path.
public enum LLMWeights {
    /// The catalog's language models.
    public static var models: [Catalog.Resource] {
        Catalog.resources.filter { $0.files.count == 1 && $0.files[0].hasSuffix(".gguf") }
    }

    /// `<dataFolder>/<folder>/<file>` of the catalog model `name`.
    /// - Throws: `LLMError.invalidInput` naming the known models if `name` is not one.
    public static func path(name: String, dataFolder: String) throws -> String {
        guard let r = models.first(where: { $0.name == name }) else {
            throw LLMError.invalidInput("unknown language model '\(name)' (known: \(models.map(\.name).joined(separator: ", ")); or give { path = \"x.gguf\" })")
        }
        return ((dataFolder as NSString).appendingPathComponent(r.folder) as NSString).appendingPathComponent(r.files[0])
    }

    /// The catalog name of a GGUF file name, if it is a catalog model.
    public static func name(ofFile file: String) -> String? { models.first { $0.files[0] == file }?.name }
}
