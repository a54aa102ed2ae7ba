import Foundation

/// The BERT WordPiece tokenizer, as Hugging Face's `BertTokenizerFast` (the `tokenizers` library's
/// `BertNormalizer` + `BertPreTokenizer` + `WordPiece`) applies it for all-MiniLM-L6-v2.
///
/// Steps, per text:
/// 1. **Clean**: drop U+0000, U+FFFD and control characters (general category Cc, Cf, Co, except
///    tab, LF, CR); map every white-space character (Unicode `White_Space`) to a space.
/// 2. **CJK**: surround each CJK ideograph with spaces.
/// 3. **Strip accents** (on when lower-casing, as the model's config leaves it unset): NFD, then drop
///    non-spacing marks (Mn).
/// 4. **Lower-case** each scalar (full Unicode mapping, scalar by scalar).
/// 5. **Split** on white space, and isolate every punctuation character (ASCII punctuation or
///    general category P*) as its own word.
/// 6. **WordPiece**: per word, greedy longest match from the left against the vocabulary, later pieces
///    prefixed `##`; a word longer than 100 scalars, or one with any unmatched rest, becomes `[UNK]`.
/// 7. `[CLS]` + pieces (truncated to `maxLength - 2`) + `[SEP]`.
///
/// Character classes follow the `tokenizers` library (0.22) exactly, as probed against it: its
/// category tables (`unicode_categories`) are Unicode 8.0, so a control (Cc, Cf, Co), non-spacing
/// mark or punctuation character assigned after Unicode 8.0 is none of these (it stays in its word);
/// unassigned scalars (Cn) are not dropped. White space and lower-casing use current Unicode.
///
/// Matching is byte-exact on UTF-8 (never Swift's canonical-equivalence `String` comparison), and
/// words are split on Unicode scalars (never grapheme clusters), as the reference does.
public struct WordPieceTokenizer: Sendable {
    /// The token of each id (the lines of `vocab.txt`).
    public let tokens: [String]
    /// Lower-case and strip accents (the model's `do_lower_case`).
    public let lowercase: Bool
    /// The longest sequence produced, `[CLS]` and `[SEP]` included (256 for all-MiniLM-L6-v2).
    public let maxLength: Int
    /// Words longer than this many scalars become `[UNK]`.
    public let maxCharsPerWord = 100
    /// Ids of the special tokens.
    public let clsID: Int32, sepID: Int32, unkID: Int32, padID: Int32

    private let wordStart: [[UInt8]: Int32]
    private let continuation: [[UInt8]: Int32]

    /// Loads a vocabulary file (one token per line; the line number is the id).
    /// - Parameter vocabFile: `vocab.txt`.
    /// - Parameter lowercase: lower-case and strip accents (true for uncased BERT).
    /// - Parameter maxLength: the longest output, special tokens included.
    /// - Throws: `EmbeddingError.modelMissing` if the file is absent, `.malformed` if a special token is missing.
    public init(vocabFile: String, lowercase: Bool = true, maxLength: Int = 256) throws {
        guard let data = FileManager.default.contents(atPath: vocabFile) else { throw EmbeddingError.modelMissing(path: vocabFile) }
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
        if lines.last == "" { lines.removeLast() }
        try self.init(tokens: lines, lowercase: lowercase, maxLength: maxLength, file: vocabFile)
    }

    /// Builds a tokenizer from an in-memory vocabulary (`tokens[id]`).
    public init(tokens: [String], lowercase: Bool = true, maxLength: Int = 256, file: String = "vocab") throws {
        precondition(maxLength >= 2)
        self.tokens = tokens
        self.lowercase = lowercase
        self.maxLength = maxLength
        var start: [[UInt8]: Int32] = [:], cont: [[UInt8]: Int32] = [:]
        for (i, t) in tokens.enumerated() {
            let bytes = Array(t.utf8)
            if bytes.count > 2, bytes[0] == 0x23, bytes[1] == 0x23 {
                let rest = Array(bytes[2...])
                if cont[rest] == nil { cont[rest] = Int32(i) }
            }
            if start[bytes] == nil { start[bytes] = Int32(i) }
        }
        func special(_ s: String) throws -> Int32 {
            guard let id = start[Array(s.utf8)] else { throw EmbeddingError.malformed(file: file, "no \(s) token") }
            return id
        }
        self.wordStart = start
        self.continuation = cont
        self.clsID = try special("[CLS]")
        self.sepID = try special("[SEP]")
        self.unkID = try special("[UNK]")
        self.padID = try special("[PAD]")
    }

    /// The token ids of one text: `[CLS]`, its word pieces (at most `maxLength - 2`), `[SEP]`.
    /// - Complexity: O(n · w) for a text of n scalars whose longest word has w scalars.
    public func encode(_ text: String) -> [Int32] {
        var ids: [Int32] = [clsID]
        let limit = maxLength - 1
        for word in words(text) {
            if ids.count >= limit { break }
            wordPieces(word, into: &ids)
        }
        if ids.count > limit { ids.removeLast(ids.count - limit) }
        ids.append(sepID)
        return ids
    }

    /// The words of a text after normalisation and pre-tokenisation (steps 1–5), as scalar arrays.
    public func words(_ text: String) -> [[Unicode.Scalar]] {
        // Steps 1–2: clean, pad CJK.
        var cleaned = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            let v = s.value
            if v == 0 || v == 0xFFFD || Self.isControl(s) { continue }
            if Self.isWhitespace(s) { cleaned.append(" ") }
            else if Self.isCJK(v) { cleaned.append(" "); cleaned.append(s); cleaned.append(" ") }
            else { cleaned.append(s) }
        }
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(cleaned.count)
        if lowercase {
            // Step 3: NFD, drop Mn (only when something could decompose: ASCII is already NFD).
            let needsNFD = cleaned.contains { $0.value >= 0x80 }
            let decomposed = needsNFD ? String(cleaned).decomposedStringWithCanonicalMapping.unicodeScalars : cleaned
            for s in decomposed where !Self.isNonspacingMark(s) {
                // Step 4: lower-case scalar by scalar.
                if s.value < 0x80 {
                    scalars.append((0x41...0x5A).contains(s.value) ? Unicode.Scalar(s.value + 32)! : s)
                } else {
                    scalars.append(contentsOf: s.properties.lowercaseMapping.unicodeScalars)
                }
            }
        } else {
            scalars.append(contentsOf: cleaned)
        }
        // Step 5: split on white space, isolate punctuation.
        var out: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        for s in scalars {
            if s.properties.isWhitespace {
                if !current.isEmpty { out.append(current); current.removeAll(keepingCapacity: true) }
            } else if Self.isPunctuation(s) {
                if !current.isEmpty { out.append(current); current.removeAll(keepingCapacity: true) }
                out.append([s])
            } else {
                current.append(s)
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    /// Appends the WordPiece ids of one word (step 6).
    public func wordPieces(_ word: [Unicode.Scalar], into ids: inout [Int32]) {
        if word.count > maxCharsPerWord { ids.append(unkID); return }
        // UTF-8 bytes of the word, and the byte offset where each scalar starts.
        var bytes: [UInt8] = []
        var starts: [Int] = []
        starts.reserveCapacity(word.count + 1)
        for s in word { starts.append(bytes.count); bytes.append(contentsOf: String(s).utf8) }
        starts.append(bytes.count)
        let mark = ids.count
        var start = 0
        while start < word.count {
            var end = word.count
            var found: Int32? = nil
            while start < end {
                let piece = Array(bytes[starts[start]..<starts[end]])
                if let id = (start == 0 ? wordStart : continuation)[piece] { found = id; break }
                end -= 1
            }
            guard let id = found else {
                ids.removeLast(ids.count - mark)
                ids.append(unkID)
                return
            }
            ids.append(id)
            start = end
        }
    }

    // MARK: - Character classes (the `tokenizers` library's definitions, Unicode 8.0 tables)

    /// Whether the scalar was assigned by Unicode 8.0 (the version of the reference's category tables).
    @inline(__always)
    static func inReferenceTables(_ s: Unicode.Scalar) -> Bool {
        guard let age = s.properties.age else { return false }
        return age.major < 8 || (age.major == 8 && age.minor == 0)
    }

    static func isWhitespace(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x09, 0x0A, 0x0D, 0x20: return true
        case 0..<0x80: return false
        default: return s.properties.isWhitespace
        }
    }

    static func isControl(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x09, 0x0A, 0x0D: return false
        case 0..<0x20, 0x7F: return true
        case 0x20..<0x7F: return false
        default:
            guard inReferenceTables(s) else { return false }
            switch s.properties.generalCategory {
            case .control, .format, .privateUse: return true
            default: return false
            }
        }
    }

    static func isCJK(_ v: UInt32) -> Bool {
        switch v {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
             0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F: return true
        default: return false
        }
    }

    static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x80 { return (0x21...0x2F).contains(v) || (0x3A...0x40).contains(v) || (0x5B...0x60).contains(v) || (0x7B...0x7E).contains(v) }
        guard inReferenceTables(s) else { return false }
        switch s.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation: return true
        default: return false
        }
    }

    static func isNonspacingMark(_ s: Unicode.Scalar) -> Bool {
        s.value >= 0x300 && inReferenceTables(s) && s.properties.generalCategory == .nonspacingMark
    }
}
