/// Builds a `Dataset` one document at a time (loaders, synthetic data).
///
/// ```swift
/// var b = DatasetBuilder()
/// b.append(text: "hello world", labels: [("lang", .string("en"))])
/// b.append(tokenIDs: sampledIDs)          // text = detokenized tokens
/// let d = b.build()
/// ```
/// Label columns appear in first-seen order; documents without a label get `.missing`.
/// A column whose values are all numbers (ignoring missing) is numeric, otherwise a string column.
public struct DatasetBuilder {
    public let tokenizer: Tokenizer
    private var tokenIDs: [UInt32] = []
    private var offsets: [Int] = [0]
    private var texts: [String] = []
    private var names: [String] = []
    private var index: [String: Int] = [:]
    private var values: [[LabelValue]] = []

    /// - Parameter tokenizer: tokenizes texts appended with `append(text:labels:)`.
    public init(tokenizer: Tokenizer = .word) { self.tokenizer = tokenizer }

    /// Number of documents so far.
    public var count: Int { texts.count }

    /// Appends a document given by its text (tokenized with `tokenizer`, ids in `Vocabulary.shared`).
    /// - Complexity: O(length of text).
    public mutating func append(text: String, labels: [(String, LabelValue)] = []) {
        append(text: text, ids: tokenizer.ids(text), labels: labels)
    }

    /// Appends a document given by token ids; its text is `tokenizer.detokenize` of the tokens,
    /// leaving out `<s>` and `</s>`.
    /// - Precondition: every id was issued by `Vocabulary.shared`.
    public mutating func append(tokenIDs ids: some Collection<UInt32>, labels: [(String, LabelValue)] = []) {
        let visible = ids.filter { $0 != Vocabulary.bos && $0 != Vocabulary.eos }
        let text = tokenizer.detokenize(Vocabulary.shared.tokens(visible))
        append(text: text, ids: ids, labels: labels)
    }

    /// Appends a document whose text and tokens are both given (no tokenization).
    public mutating func append(text: String, ids: some Collection<UInt32>, labels: [(String, LabelValue)] = []) {
        tokenIDs.append(contentsOf: ids)
        offsets.append(tokenIDs.count)
        texts.append(text)
        for (name, value) in labels {
            let k: Int
            if let existing = index[name] {
                k = existing
            } else {
                k = names.count
                index[name] = k
                names.append(name)
                values.append(Array(repeating: .missing, count: texts.count - 1))
            }
            if values[k].count == texts.count { values[k][texts.count - 1] = value } else { values[k].append(value) }
        }
        for k in values.indices where values[k].count < texts.count { values[k].append(.missing) }
    }

    /// Changes the type of string columns whose present values all parse as numbers (JSON number
    /// syntax) to numeric columns. Used by the CSV loader, where every field arrives as text.
    mutating func inferNumbers() {
        for k in values.indices {
            var parsed = [LabelValue]()
            parsed.reserveCapacity(values[k].count)
            var ok = true
            for v in values[k] {
                switch v {
                case .string(let s):
                    guard let x = DatasetBuilder.parseNumber(s) else { ok = false; break }
                    parsed.append(.number(x))
                default: parsed.append(v)
                }
                if !ok { break }
            }
            if ok { values[k] = parsed }
        }
    }

    /// A number in JSON syntax (`-12`, `3.5`, `1e-3`), surrounding spaces allowed; nil otherwise.
    static func parseNumber(_ s: String) -> Double? {
        let t = s.trimmingASCIISpaces()
        let u = Array(t.utf8)
        var i = 0
        func digits() -> Int { let s = i; while i < u.count && u[i] >= 0x30 && u[i] <= 0x39 { i += 1 }; return i - s }
        if i < u.count && (u[i] == 0x2D || u[i] == 0x2B) { i += 1 }
        let intDigits = digits()
        var fracDigits = 0
        if i < u.count && u[i] == 0x2E { i += 1; fracDigits = digits() }
        guard intDigits + fracDigits > 0 else { return nil }
        if i < u.count && (u[i] == 0x65 || u[i] == 0x45) {
            i += 1
            if i < u.count && (u[i] == 0x2D || u[i] == 0x2B) { i += 1 }
            guard digits() > 0 else { return nil }
        }
        guard i == u.count else { return nil }
        return Double(t)
    }

    /// The dataset.
    public func build() -> Dataset {
        Dataset(tokenIDs: tokenIDs, offsets: offsets, texts: texts, columnNames: names,
                columns: values.map(LabelColumn.build), tokenizer: tokenizer)
    }
}

extension String {
    func trimmingASCIISpaces() -> String {
        let u = utf8
        guard let a = u.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }) else { return "" }
        let b = u.lastIndex(where: { $0 != 0x20 && $0 != 0x09 })!
        return String(self[a...b])
    }
}
