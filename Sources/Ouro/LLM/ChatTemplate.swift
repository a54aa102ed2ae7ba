import Foundation

/// The ChatML layout of a chat prompt, as the GGUF's `tokenizer.chat_template` lays it out:
/// `<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n`.
/// The default system message is the one the template inserts when the conversation has none
/// (SmolLM2: "You are a helpful AI assistant named SmolLM, trained by Hugging Face"); a template
/// without one gives no system turn.
public struct ChatTemplate: Sendable, Equatable {
    /// The system message used when the caller gives none (nil: no system turn).
    public var defaultSystem: String?

    /// Reads the default system message from a Jinja ChatML template (the text between
    /// `<|im_start|>system\n` and `<|im_end|>` inside a literal of the template).
    public init(template: String?) {
        defaultSystem = nil
        guard let t = template, let open = t.range(of: "<|im_start|>system\n"),
              let close = t.range(of: "<|im_end|>", range: open.upperBound..<t.endIndex) else { return }
        let body = String(t[open.upperBound..<close.lowerBound])
        // A literal, not a Jinja expression that inserts the caller's message.
        if !body.contains("{{") && !body.contains("{%") { defaultSystem = body }
    }

    public init(defaultSystem: String?) { self.defaultSystem = defaultSystem }

    /// The text of a one-turn conversation ready for the assistant's reply (`add_generation_prompt`).
    public func render(user: String, system: String? = nil) -> String {
        var s = ""
        if let sys = system ?? defaultSystem { s += "<|im_start|>system\n\(sys)<|im_end|>\n" }
        s += "<|im_start|>user\n\(user)<|im_end|>\n<|im_start|>assistant\n"
        return s
    }
}
