/// A collection of documents: token ids in one flat buffer with offsets, the texts, and typed label
/// columns. Immutable: every operation returns a new dataset.
///
/// Document `i` (0-based) has tokens `tokenIDs[offsets[i]..<offsets[i+1]]` (ids in
/// `Vocabulary.shared`), text `texts[i]` and label `columns[k][i]` for each column
/// `columnNames[k]`. Texts are kept as loaded (not normalised); tokens are those of
/// `tokenizer.tokenize(text)`.
public final class Dataset: CustomStringConvertible, Sendable {
    /// All documents' token ids, concatenated.
    public let tokenIDs: [UInt32]
    /// `count + 1` offsets into `tokenIDs`; `offsets[0] == 0`, `offsets[count] == tokenIDs.count`.
    public let offsets: [Int]
    /// The documents' texts.
    public let texts: [String]
    /// Label column names, in first-seen order.
    public let columnNames: [String]
    /// Label columns, parallel to `columnNames`, each with `count` values.
    public let columns: [LabelColumn]
    /// The tokenizer that produced (and re-produces, after edits) the tokens.
    public let tokenizer: Tokenizer
    /// A short name for reports and legends: the file's name without its extension when loaded,
    /// kept by subsets (`select`, `filter`, `sample`, …), set with `named(_:)`; nil for built data.
    public let name: String?

    /// Creates a dataset from its parts.
    /// - Precondition: `offsets` has `texts.count + 1` non-decreasing entries from 0 to
    ///   `tokenIDs.count`; `columns` parallel to `columnNames`, each with `texts.count` values.
    public init(tokenIDs: [UInt32], offsets: [Int], texts: [String], columnNames: [String] = [],
                columns: [LabelColumn] = [], tokenizer: Tokenizer = .word, name: String? = nil) {
        precondition(offsets.count == texts.count + 1 && offsets.first == 0 && offsets.last == tokenIDs.count,
                     "offsets must have count + 1 entries from 0 to tokenIDs.count")
        precondition(columnNames.count == columns.count && columns.allSatisfy { $0.count == texts.count },
                     "one column of count values per name")
        self.tokenIDs = tokenIDs
        self.offsets = offsets
        self.texts = texts
        self.columnNames = columnNames
        self.columns = columns
        self.tokenizer = tokenizer
        self.name = name
    }

    /// The same documents under another name (storage shared).
    public func named(_ name: String?) -> Dataset {
        Dataset(tokenIDs: tokenIDs, offsets: offsets, texts: texts, columnNames: columnNames, columns: columns,
                tokenizer: tokenizer, name: name)
    }

    /// Number of documents.
    public var count: Int { texts.count }
    /// Total number of tokens.
    public var tokenCount: Int { tokenIDs.count }

    /// The token ids of document `i` (0-based).
    /// - Complexity: O(1) (a slice of the flat buffer).
    public func tokens(at i: Int) -> ArraySlice<UInt32> { tokenIDs[offsets[i]..<offsets[i + 1]] }

    /// Number of tokens of document `i`.
    public func tokenCount(at i: Int) -> Int { offsets[i + 1] - offsets[i] }

    /// The token strings of document `i`.
    public func tokenStrings(at i: Int) -> [String] { Vocabulary.shared.tokens(tokens(at: i)) }

    /// The text of document `i` (0-based).
    public func text(at i: Int) -> String { texts[i] }

    /// The label column named `name`, or nil.
    public func column(_ name: String) -> LabelColumn? {
        columnNames.firstIndex(of: name).map { columns[$0] }
    }

    /// One document: its text and its labels in column order.
    public struct Document: Equatable, Sendable {
        public let text: String
        public let labels: [Label]
        public struct Label: Equatable, Sendable {
            public let name: String
            public let value: LabelValue
        }
        /// The value of label `name` (`.missing` if there is no such column).
        public subscript(name: String) -> LabelValue {
            labels.first { $0.name == name }?.value ?? .missing
        }
    }

    /// Document `i` (0-based): text and labels.
    public func document(at i: Int) -> Document {
        Document(text: texts[i], labels: zip(columnNames, columns).map { .init(name: $0, value: $1[i]) })
    }

    /// `Dataset(4200 docs, 57k tokens, labels: sentiment)`, `Dataset(tweets: 4200 docs, …)` when named.
    public var description: String {
        var s = "Dataset(" + (name.map { "\($0): " } ?? "") + "\(count) doc\(count == 1 ? "" : "s"), \(Dataset.compact(tokenCount)) token\(tokenCount == 1 ? "" : "s")"
        if !columnNames.isEmpty { s += ", labels: " + columnNames.joined(separator: ", ") }
        return s + ")"
    }

    /// 999, 1.2k, 57k, 3.4M: counts below 1000 exactly, then one significant decimal below 10 units.
    static func compact(_ n: Int) -> String {
        func f(_ x: Double, _ unit: String) -> String {
            if x < 9.95 {
                let r = (x * 10).rounded() / 10
                return r == r.rounded() ? "\(Int(r))\(unit)" : "\(r)\(unit)"
            }
            return "\(Int(x.rounded()))\(unit)"
        }
        if n < 1000 { return "\(n)" }
        if n < 999_500 { return f(Double(n) / 1e3, "k") }
        if n < 999_500_000 { return f(Double(n) / 1e6, "M") }
        return f(Double(n) / 1e9, "G")
    }
}
