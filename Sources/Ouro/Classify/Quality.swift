import Foundation

/// Quality proxies of generated text (the reference study used an LLM judge; these measure what
/// can be measured without one):
///
/// - `dict_rate`: share of word tokens found in an English word list (a gibberish proxy).
/// - `ppl_ref`: perplexity of the text under a reference n-gram model fitted on held-out human
///   text (fluency as human text predicts it).
/// - `ppl_human`: perplexity of held-out human text under the generation's model (what the model
///   has forgotten) — a property of the model, not of the text.
/// - `quality = dict_rate × fluency(ppl_ref, V)` with `fluency = clamp(1 − ln ppl / ln V, 0, 1)`,
///   where V is the reference model's vocabulary size: a uniform guess over V words has perplexity
///   V (fluency 0), a perfect prediction perplexity 1 (fluency 1). Non-decreasing in `dict_rate`,
///   non-increasing in `ppl_ref`; in [0, 1].
public enum Quality {
    /// The word tokens of `tokens` (strings) that count for `dict_rate`: tokens made only of
    /// letters, combining marks, apostrophes (`'`, `’`) and hyphens, with at least one letter.
    /// Numbers, URLs, mentions, hashtags, emoji and punctuation are not word tokens.
    static func isWordToken(_ t: String) -> Bool {
        var letter = false
        for u in t.unicodeScalars {
            if u.properties.isAlphabetic { letter = true; continue }
            switch u.properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark: continue
            default: break
            }
            if u == "'" || u == "\u{2019}" || u == "-" { continue }
            return false
        }
        return letter
    }

    /// Clitics the word tokenizer splits off (`do|n't`, `I|'m`), always counted as known words.
    static let clitics: Set<String> = ["n't", "'s", "'m", "'d", "'ll", "'re", "'ve", "s", "t"]

    /// Share of word tokens (`isWordToken`) of `texts` found in `words`: a token is found if its
    /// lowercased form (`’` read as `'`) is in the list, is a clitic (`n't`, `'s`, `'m`, `'d`,
    /// `'ll`, `'re`, `'ve`), or is hyphenated with every part found.
    /// - Parameters:
    ///   - texts: the texts.
    ///   - words: the word list (`WordList.load(dataFolder:)`).
    ///   - tokenizer: how texts are split (default: the word tokenizer).
    /// - Returns: the share in [0, 1].
    /// - Throws: `ClassifierError.empty` if the texts hold no word token.
    /// - Complexity: O(total text length).
    public static func dictRate(_ texts: [String], words: WordList, tokenizer: Tokenizer = .word) throws -> Double {
        var known = 0, total = 0
        for text in texts {
            for t in tokenizer.tokenize(text) where isWordToken(t) {
                total += 1
                if words.containsWord(t) { known += 1 }
            }
        }
        guard total > 0 else { throw ClassifierError.empty("dict_rate: the texts hold no word token") }
        return Double(known) / Double(total)
    }

    /// Perplexity of `documents` (token ids) under a reference model (`ppl_ref`; with the roles
    /// swapped — held-out human documents under the generation's model — `ppl_human`).
    /// KenLM's definition: `exp(−Σ log p / N)` over tokens and each document's `</s>`.
    /// - Throws: `NGramError` if the model is not fitted or there are no documents.
    public static func perplexity(_ documents: [[UInt32]], under model: NGramModel) throws -> Double {
        try model.perplexity(documents)
    }

    /// `ppl_ref` of a dataset: its documents' perplexity under `reference`.
    public static func pplRef(_ dataset: Dataset, reference: NGramModel) throws -> Double {
        try model(reference, perplexityOf: dataset)
    }

    /// `ppl_human`: held-out human documents' perplexity under the generation's model.
    public static func pplHuman(_ heldOutHuman: Dataset, model: NGramModel) throws -> Double {
        try self.model(model, perplexityOf: heldOutHuman)
    }

    private static func model(_ m: NGramModel, perplexityOf d: Dataset) throws -> Double {
        try m.perplexity((0..<d.count).map { Array(d.tokens(at: $0)) })
    }

    /// `clamp(1 − ln ppl / ln V, 0, 1)`: 1 for perplexity 1, 0 at or beyond a uniform guess over V words.
    /// - Precondition: `vocabularySize ≥ 2`.
    public static func fluency(perplexity: Double, vocabularySize: Int) -> Double {
        precondition(vocabularySize >= 2, "vocabulary size must be at least 2")
        guard perplexity.isFinite else { return 0 }
        return min(max(1 - Foundation.log(max(perplexity, 1)) / Foundation.log(Double(vocabularySize)), 0), 1)
    }

    /// The combined score `dict_rate × fluency(ppl_ref, V)`, in [0, 1].
    /// - Parameters:
    ///   - dictRate: `dict_rate` in [0, 1].
    ///   - pplRef: `ppl_ref` (≥ 1).
    ///   - vocabularySize: V, the reference model's vocabulary size (`NGramModel.typeCount`).
    public static func combined(dictRate: Double, pplRef: Double, vocabularySize: Int) -> Double {
        min(max(dictRate, 0), 1) * fluency(perplexity: pplRef, vocabularySize: vocabularySize)
    }
}

/// An English word list: lowercase words, one per line (the catalog's `wordlists/english.txt`,
/// from pyspellchecker 0.9.1).
public final class WordList: Sendable {
    let words: Set<String>

    /// A list of the given words (lowercased).
    public init<S: Sequence>(_ words: S) where S.Element == String {
        self.words = Set(words.map { $0.lowercased() })
    }

    /// Number of words.
    public var count: Int { words.count }

    /// The list in `<dataFolder>/wordlists/english.txt`.
    /// - Throws: `CatalogError.notBuilt` (which names `ouro data`) if it is missing.
    public static func load(dataFolder: String) throws -> WordList {
        let folder = try Catalog.resourceFolder("english_words", dataFolder: dataFolder)
        return try load(path: (folder as NSString).appendingPathComponent("english.txt"))
    }

    /// A list from a file of one word per line (blank lines ignored).
    public static func load(path: String) throws -> WordList {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CatalogError.notBuilt("english_words", dataFolder: (path as NSString).deletingLastPathComponent)
        }
        let text = String(decoding: data, as: UTF8.self)
        return WordList(text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map(String.init).filter { !$0.isEmpty })
    }

    /// Whether a token is a known word (see `Quality.dictRate`).
    public func containsWord(_ token: String) -> Bool {
        let t = token.lowercased().replacingOccurrences(of: "\u{2019}", with: "'")
        if words.contains(t) || Quality.clitics.contains(t) { return true }
        if t.contains("-") {
            let parts = t.split(separator: "-", omittingEmptySubsequences: true)
            return !parts.isEmpty && parts.allSatisfy { words.contains(String($0)) }
        }
        return false
    }
}
