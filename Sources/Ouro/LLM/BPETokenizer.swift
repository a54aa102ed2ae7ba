import Foundation

/// A byte-level BPE tokenizer (GPT-2 family) read from a GGUF's `tokenizer.ggml.*` metadata: the
/// vocabulary, the merges, the token types (control tokens are the special ones) and the pre-tokenizer
/// the file names.
///
/// Encoding, as Hugging Face `tokenizers` does it for these models: special-token strings are split
/// out first (each becomes its id); every other segment is pre-tokenized (`smollm`: every \p{N}
/// character is its own piece, then GPT-2's split inside each piece; `gpt2`: GPT-2's split alone),
/// each piece's UTF-8 bytes are mapped to GPT-2's printable byte alphabet and merged by rank (lowest
/// rank first, leftmost first). A byte whose character is not in the vocabulary (21 of the 256 in
/// SmolLM2's: bytes no UTF-8 text holds, and a few control bytes) is dropped, as Hugging Face's BPE
/// without an unknown token drops it; `decode(encode(x)) == x` holds for every text without them.
public final class BPETokenizer: @unchecked Sendable {
    /// Pre-tokenizers this tokenizer implements, by their GGUF name (`tokenizer.ggml.pre`).
    public static let preTokenizers = ["smollm", "gpt2"]

    /// Token strings (in GPT-2's byte alphabet), by id.
    public let tokens: [String]
    /// The pre-tokenizer's name.
    public let pre: String
    /// Ids of the control (special) tokens, and their strings longest first.
    public let specialIDs: Set<Int32>
    private let specials: [(text: [UInt8], id: Int32)]
    private let specialFirstBytes: Set<UInt8>
    private let vocab: [String: Int32]
    /// (left id, right id) → (rank, merged id).
    private let merges: [UInt64: (rank: Int32, id: Int32)]
    /// Byte → token id of its single character (−1: not in the vocabulary).
    private let byteToken: [Int32]
    /// Token id → its bytes (special tokens: their UTF-8 text).
    private let tokenBytes: [[UInt8]]
    public let bosID: Int32?, eosID: Int32?

    /// GPT-2's reversible map from bytes to printable characters.
    static let byteAlphabet: [Unicode.Scalar] = {
        var table = [Unicode.Scalar?](repeating: nil, count: 256)
        for b in 33...126 { table[b] = Unicode.Scalar(UInt32(b)) }
        for b in 161...172 { table[b] = Unicode.Scalar(UInt32(b)) }
        for b in 174...255 { table[b] = Unicode.Scalar(UInt32(b)) }
        var next: UInt32 = 256
        for b in 0..<256 where table[b] == nil { table[b] = Unicode.Scalar(next); next += 1 }
        return table.map { $0! }
    }()

    /// Reads the tokenizer from a GGUF's metadata.
    /// - Throws: `.malformed` if the model is not `gpt2` (byte-level BPE) or a table is missing;
    ///   `.invalidInput` naming an unknown pre-tokenizer.
    public convenience init(gguf: GGUFFile) throws {
        let file = gguf.path
        guard gguf.metadata["tokenizer.ggml.model"]?.string == "gpt2" else {
            throw LLMError.malformed(file: file, "tokenizer.ggml.model is \(gguf.metadata["tokenizer.ggml.model"]?.string ?? "missing"), Ouro reads only 'gpt2' (byte-level BPE)")
        }
        let pre = gguf.metadata["tokenizer.ggml.pre"]?.string ?? "gpt2"
        guard Self.preTokenizers.contains(pre) else {
            throw LLMError.malformed(file: file, "pre-tokenizer '\(pre)' is not supported (Ouro knows: \(Self.preTokenizers.joined(separator: ", ")))")
        }
        guard let toks = try gguf.require("tokenizer.ggml.tokens").array?.map({ $0.string ?? "" }) else {
            throw LLMError.malformed(file: file, "tokenizer.ggml.tokens is not an array")
        }
        let mergeList = try gguf.require("tokenizer.ggml.merges").array?.compactMap(\.string) ?? []
        let types = gguf.metadata["tokenizer.ggml.token_type"]?.array?.map { $0.int ?? 1 } ?? []
        try self.init(tokens: toks, merges: mergeList, types: types, pre: pre,
                      bos: gguf.metadata["tokenizer.ggml.bos_token_id"]?.int, eos: gguf.metadata["tokenizer.ggml.eos_token_id"]?.int,
                      file: file)
    }

    /// A tokenizer from its tables (`types`: GGUF token types; 3 = control, 4 = user-defined are special).
    public init(tokens: [String], merges mergeList: [String], types: [Int], pre: String, bos: Int?, eos: Int?, file: String = "tokenizer") throws {
        guard Self.preTokenizers.contains(pre) else {
            throw LLMError.malformed(file: file, "pre-tokenizer '\(pre)' is not supported (Ouro knows: \(Self.preTokenizers.joined(separator: ", ")))")
        }
        self.tokens = tokens
        self.pre = pre
        var vocab: [String: Int32] = [:]
        vocab.reserveCapacity(tokens.count)
        for (i, t) in tokens.enumerated() where vocab[t] == nil { vocab[t] = Int32(i) }
        self.vocab = vocab
        var merges: [UInt64: (rank: Int32, id: Int32)] = [:]
        merges.reserveCapacity(mergeList.count)
        for (r, m) in mergeList.enumerated() {
            guard let sp = m.firstIndex(of: " ") else { throw LLMError.malformed(file: file, "merge \(r) '\(m)' has no space") }
            let a = String(m[..<sp]), b = String(m[m.index(after: sp)...])
            guard let ia = vocab[a], let ib = vocab[b], let im = vocab[a + b] else { continue }
            let key = UInt64(UInt32(ia)) << 32 | UInt64(UInt32(ib))
            if merges[key] == nil { merges[key] = (Int32(r), im) }
        }
        self.merges = merges
        let alphabet = Self.byteAlphabet
        byteToken = (0..<256).map { vocab[String(Character(alphabet[$0]))] ?? -1 }
        var inverse: [Unicode.Scalar: UInt8] = [:]
        for b in 0..<256 { inverse[alphabet[b]] = UInt8(b) }
        var special: Set<Int32> = [], specialList: [(text: [UInt8], id: Int32)] = []
        var bytes: [[UInt8]] = []
        bytes.reserveCapacity(tokens.count)
        for (i, t) in tokens.enumerated() {
            let isSpecial = i < types.count && (types[i] == 3 || types[i] == 4)
            if isSpecial {
                special.insert(Int32(i))
                if !t.isEmpty { specialList.append((Array(t.utf8), Int32(i))) }
                bytes.append(Array(t.utf8))
            } else {
                bytes.append(t.unicodeScalars.compactMap { inverse[$0] })
            }
        }
        specialList.sort { $0.text.count != $1.text.count ? $0.text.count > $1.text.count : $0.id < $1.id }
        specialIDs = special
        specials = specialList
        specialFirstBytes = Set(specialList.compactMap(\.text.first))
        tokenBytes = bytes
        bosID = bos.map(Int32.init)
        eosID = eos.map(Int32.init)
    }

    /// The vocabulary size.
    public var count: Int { tokens.count }

    /// The id of a token string (`<|im_start|>`), if in the vocabulary.
    public func id(of token: String) -> Int32? { vocab[token] }

    /// Token ids of `text`: special-token strings become their ids, the rest is pre-tokenized and
    /// merged (see the type's summary).
    /// - Parameter specials: whether special-token strings in the text are recognised (Hugging Face's default).
    /// - Complexity: O(n · p) for n bytes and pieces of at most p bytes.
    public func encode(_ text: String, specials parseSpecials: Bool = true) -> [Int32] {
        var out: [Int32] = []
        let bytes = Array(text.utf8)
        var segStart = 0, i = 0
        if parseSpecials && !specials.isEmpty {
            while i < bytes.count {
                if specialFirstBytes.contains(bytes[i]), let s = specials.first(where: { sp in
                    sp.text.count <= bytes.count - i && bytes[i..<(i + sp.text.count)].elementsEqual(sp.text)
                }) {
                    encodeOrdinary(bytes[segStart..<i], into: &out)
                    out.append(s.id)
                    i += s.text.count
                    segStart = i
                } else { i += 1 }
            }
        }
        encodeOrdinary(bytes[segStart...], into: &out)
        return out
    }

    /// Text of `ids`: tokens' bytes concatenated, decoded as UTF-8 (invalid sequences become U+FFFD).
    /// - Parameter skipSpecial: leave out special tokens.
    public func decode<C: Collection>(_ ids: C, skipSpecial: Bool = false) -> String where C.Element == Int32 {
        var b: [UInt8] = []
        for id in ids where id >= 0 && Int(id) < tokenBytes.count {
            if skipSpecial && specialIDs.contains(id) { continue }
            b.append(contentsOf: tokenBytes[Int(id)])
        }
        return String(decoding: b, as: UTF8.self)
    }

    /// Pre-tokenizes and merges a segment with no special tokens.
    private func encodeOrdinary(_ seg: ArraySlice<UInt8>, into out: inout [Int32]) {
        if seg.isEmpty { return }
        let scalars = Array(String(decoding: seg, as: UTF8.self).unicodeScalars)
        var pieces: [Range<Int>] = []
        if pre == "smollm" {
            var start = 0
            for (k, s) in scalars.enumerated() where Self.isNumber(s) {
                if start < k { Self.gpt2Split(scalars, start..<k, into: &pieces) }
                pieces.append(k..<(k + 1))
                start = k + 1
            }
            if start < scalars.count { Self.gpt2Split(scalars, start..<scalars.count, into: &pieces) }
        } else {
            Self.gpt2Split(scalars, 0..<scalars.count, into: &pieces)
        }
        var buf: [UInt8] = []
        for r in pieces {
            buf.removeAll(keepingCapacity: true)
            for s in scalars[r] { UTF8.encode(s) { buf.append($0) } }
            merge(buf, into: &out)
        }
    }

    /// BPE over one piece's bytes: lowest-ranked adjacent pair first (leftmost among equals).
    private func merge(_ bytes: [UInt8], into out: inout [Int32]) {
        var sym: [Int32] = []
        sym.reserveCapacity(bytes.count)
        for b in bytes { let t = byteToken[Int(b)]; if t >= 0 { sym.append(t) } }
        while sym.count > 1 {
            var best = Int32.max, at = -1, merged: Int32 = 0
            for k in 0..<(sym.count - 1) {
                let key = UInt64(UInt32(sym[k])) << 32 | UInt64(UInt32(sym[k + 1]))
                if let m = merges[key], m.rank < best { best = m.rank; at = k; merged = m.id }
            }
            if at < 0 { break }
            sym[at] = merged
            sym.remove(at: at + 1)
        }
        out.append(contentsOf: sym)
    }

    @inline(__always) static func isLetter(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }
    @inline(__always) static func isNumber(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }
    @inline(__always) static func isSpace(_ s: Unicode.Scalar) -> Bool { s.properties.isWhitespace }

    /// GPT-2's split: `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`,
    /// the first alternative that matches at each position, within `range` only.
    static func gpt2Split(_ s: [Unicode.Scalar], _ range: Range<Int>, into pieces: inout [Range<Int>]) {
        var i = range.lowerBound
        let end = range.upperBound
        func run(_ from: Int, _ pred: (Unicode.Scalar) -> Bool) -> Int {
            var j = from
            while j < end && pred(s[j]) { j += 1 }
            return j
        }
        let other: (Unicode.Scalar) -> Bool = { !isSpace($0) && !isLetter($0) && !isNumber($0) }
        while i < end {
            let c = s[i]
            // Contractions.
            if c == "'" && i + 1 < end {
                let n = s[i + 1]
                if n == "s" || n == "t" || n == "m" || n == "d" { pieces.append(i..<(i + 2)); i += 2; continue }
                if i + 2 < end {
                    let m = s[i + 2]
                    if (n == "r" && m == "e") || (n == "v" && m == "e") || (n == "l" && m == "l") { pieces.append(i..<(i + 3)); i += 3; continue }
                }
            }
            // Optional space, then a run of letters, of numbers, or of other non-space characters.
            let body = (c == " " && i + 1 < end) ? i + 1 : i
            let b = s[body]
            if body < end && !(body == i && c == " ") || body > i {
                if isLetter(b) { let j = run(body, isLetter); pieces.append(i..<j); i = j; continue }
                if isNumber(b) { let j = run(body, isNumber); pieces.append(i..<j); i = j; continue }
                if other(b) { let j = run(body, other); pieces.append(i..<j); i = j; continue }
            }
            // Whitespace: \s+(?!\S), else \s+.
            if isSpace(c) {
                let j = run(i, isSpace)
                if j == end || j - i == 1 { pieces.append(i..<j); i = j; continue }
                pieces.append(i..<(j - 1)); i = j - 1; continue
            }
            pieces.append(i..<(i + 1)); i += 1   // unreachable: every character is in one class
        }
    }
}
