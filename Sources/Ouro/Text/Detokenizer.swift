/// Rebuilds readable text from word tokens (the inverse of `Tokenizer.word` on well-spaced text).
///
/// Tokens are joined with single spaces, except:
/// - no space before closing punctuation: runs of `. , ! ? ; : …`, `%`, `)`, `]`, `}`, `»`, `”`, and `™ ®`;
/// - no space before contraction suffixes (`n't`, `'s`, `'m`, `'re`, `'ve`, `'ll`, `'d`, with `'` or
///   `’`, any case): `Do` `n't` → `Don't`, `ca` `n't` → `can't`;
/// - no space after opening brackets and quotes `( [ { « “ ‘ ¿ ¡` and currency signs `$ £ € ¥`;
/// - no spaces around `/`, and none between consecutive emoji (`😂😂`);
/// - straight double quotes `"` alternate: the first opens (no space after), the next closes (no
///   space before); a lone `'` (or `’`) closes an open single quote, attaches as a possessive after a
///   word ending in `s`, and otherwise opens a quote.
public enum Detokenizer {
    /// Readable text from word tokens.
    /// - Parameter tokens: tokens as produced by `Tokenizer.word` (or sampled from a model over them).
    /// - Returns: the text; `detokenize(Tokenizer.word.tokenize(x)) == x` for text that follows the
    ///   usual spacing conventions (see `docs/text-and-data.md`).
    /// - Complexity: O(total length of the tokens).
    public static func detokenize(_ tokens: [String]) -> String {
        var out = ""
        out.reserveCapacity(tokens.count * 6)
        var attachNext = true        // no space before the next token (start of text)
        var doubleOpen = false
        var singleOpen = false
        var previous = ""
        for t in tokens where !t.isEmpty {
            var spaceBefore = !attachNext
            attachNext = false
            switch t {
            case "\"":
                if doubleOpen { spaceBefore = false } else { attachNext = true }
                doubleOpen.toggle()
            case "'", "’":
                if singleOpen {
                    spaceBefore = false
                    singleOpen = false
                } else if let last = previous.unicodeScalars.last, last == "s" || last == "S",
                          isWordLike(previous) {
                    spaceBefore = false
                } else {
                    attachNext = true
                    singleOpen = true
                }
            case "/":
                spaceBefore = false
                attachNext = true
            default:
                if attachesLeft(t) || (isEmoji(t) && isEmoji(previous)) { spaceBefore = false }
                if attachesRight(t) { attachNext = true }
            }
            if spaceBefore { out.append(" ") }
            out.append(t)
            previous = t
        }
        return out
    }

    private static let closingRunScalars: Set<Unicode.Scalar> = [".", ",", "!", "?", ";", ":", "…"]
    private static let closingSingles: Set<String> = ["%", ")", "]", "}", "»", "”", "›", "™", "®"]
    private static let openers: Set<String> = ["(", "[", "{", "«", "“", "‘", "‹", "„", "¿", "¡", "$", "£", "€", "¥"]
    private static let suffixes: Set<String> = ["n't", "'s", "'m", "'re", "'ve", "'ll", "'d"]

    /// Whether `t` is written directly after the previous token.
    static func attachesLeft(_ t: String) -> Bool {
        if closingSingles.contains(t) { return true }
        if t.unicodeScalars.allSatisfy({ closingRunScalars.contains($0) }) { return true }
        return isContractionSuffix(t)
    }

    /// Whether the next token is written directly after `t`.
    static func attachesRight(_ t: String) -> Bool { openers.contains(t) }

    /// `n't`, `'s`, `'m`, `'re`, `'ve`, `'ll`, `'d` in any case, with `'` or `’`.
    static func isContractionSuffix(_ t: String) -> Bool {
        let u = t.unicodeScalars
        guard u.count >= 2 && u.count <= 3 else { return false }
        let folded = String(String.UnicodeScalarView(u.map { $0 == "’" ? "'" : $0 })).lowercased()
        return suffixes.contains(folded)
    }

    /// Whether `t` starts with an emoji scalar (outside ASCII; keycaps are not joined).
    static func isEmoji(_ t: String) -> Bool {
        guard let f = t.unicodeScalars.first, f.value >= 0x80 else { return false }
        return ScalarClass.of(f.value) == .emoji
    }

    private static func isWordLike(_ t: String) -> Bool {
        t.unicodeScalars.first.map { $0.properties.isAlphabetic } ?? false
    }
}
