import Foundation

/// Splits text into tokens: words (Penn-style contractions), numbers, punctuation runs, URLs,
/// e-mail addresses, @mentions, #hashtags, emoticons and emoji — or into characters.
///
/// The rules (word kind), in the order they are tried at each position, are listed in
/// `docs/text-and-data.md`. In short:
/// - URLs (`http://…`, `https://…`, `ftp://…`, `www.…`, `domain.tld/…`, and bare `domain.com`-style
///   names with a common TLD), e-mail addresses, `@mention`s (`@` + `[A-Za-z0-9_]+`) and `#hashtag`s
///   (`#` + word characters, at least one letter) are single tokens.
/// - Words are runs of letters, digits and combining marks; internal `-`, `_` and apostrophes keep a
///   word together (`well-known`, `rock'n'roll`). Contractions are split Penn-Treebank style:
///   `Don't` → `Do` `n't`, `I'm` → `I` `'m`, `they're` → `they` `'re` (`'s 'm 'd 're 've 'll n't`,
///   either apostrophe `'` or `’`). Dotted acronyms (`U.S.`, `e.g.`) are one token.
/// - Numbers keep their decimal point, thousands groups and time colons (`3.14`, `1,000`, `12:30`);
///   a sign at the start of a number (after a space or an opening bracket) is kept (`-5`).
/// - Emoji are one token per emoji: presentation selectors, skin tones, ZWJ sequences, keycaps,
///   flags (regional-indicator pairs) and tag sequences stay together.
/// - ASCII emoticons after a space (`:)`, `:-(`, `<3`, `:D`, …) are one token.
/// - A run of `.`/`!`/`?` (`...`, `!!!`, `?!`) is one token; other punctuation forms runs of the same
///   character (`--`, `**`), except brackets and quotes, which are always single tokens.
///
/// The text is normalised first with `TextNormalizer.normalize` unless `normalizes` is false.
public struct Tokenizer: Sendable, Hashable {
    /// What a token is.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Words, numbers, punctuation runs, URLs, mentions, hashtags, emoticons, emoji.
        case word
        /// One token per extended grapheme cluster (user-perceived character), spaces included.
        case character
    }

    public var kind: Kind
    /// Whether `tokenize` applies `TextNormalizer.normalize` first.
    public var normalizes: Bool

    /// - Parameters:
    ///   - kind: word (default) or character tokens.
    ///   - normalize: apply NFC and whitespace folding before tokenizing (default true).
    public init(_ kind: Kind = .word, normalize: Bool = true) {
        self.kind = kind
        self.normalizes = normalize
    }

    /// The word tokenizer with normalisation.
    public static let word = Tokenizer(.word)
    /// The character tokenizer with normalisation.
    public static let character = Tokenizer(.character)

    /// The tokens of `text`.
    /// - Parameter text: any string.
    /// - Returns: the tokens in order; never contains an empty string or (word kind) whitespace.
    /// - Complexity: O(n) in the length of `text`.
    public func tokenize(_ text: String) -> [String] {
        let t = normalizes ? TextNormalizer.normalize(text) : text
        switch kind {
        case .character:
            return t.map { String($0) }
        case .word:
            let scanner = WordScanner(t)
            var out = [String]()
            out.reserveCapacity(scanner.count / 4 + 1)
            scanner.scan { a, b, _ in out.append(scanner.string(a, b)) }
            return out
        }
    }

    /// The token ids of `text` in `vocabulary` (interning new tokens).
    /// - Complexity: O(n) in the length of `text`.
    public func ids(_ text: String, vocabulary: Vocabulary = .shared) -> [UInt32] {
        vocabulary.ids(for: tokenize(text))
    }

    /// Readable text from tokens of this kind: `Detokenizer.detokenize` for words, concatenation for
    /// characters.
    public func detokenize(_ tokens: [String]) -> String {
        switch kind {
        case .word: return Detokenizer.detokenize(tokens)
        case .character: return tokens.joined()
        }
    }
}
