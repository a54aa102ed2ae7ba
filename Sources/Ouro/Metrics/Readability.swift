import Foundation

/// Length and reading level of texts.
///
/// Words are Python `str.split()` fields holding at least one letter or digit. Sentences are runs of
/// `.`, `!`, `?` that follow a word (at least one sentence per text with words). Syllables come from
/// `syllables(in:)`, a documented heuristic (no dictionary), so the grade is an estimate comparable across
/// texts and generations rather than a match to any particular tool.
public enum Readability {
    /// Length of a text in characters as Python's `len` counts them (code points).
    public static func characters(_ text: String) -> Int { text.unicodeScalars.count }

    /// The words of a text (see the type's description).
    public static func words(_ text: String) -> [String] {
        var out: [String] = []
        PythonText.forEachField(text.unicodeScalars) { w in
            if w.contains(where: isWordScalar) { out.append(String(String.UnicodeScalarView(w))) }
        }
        return out
    }

    /// The number of words of a text (`words(text).count`, without building them).
    public static func wordCount(_ text: String) -> Int {
        var n = 0
        PythonText.forEachField(text.unicodeScalars) { w in if w.contains(where: isWordScalar) { n += 1 } }
        return n
    }

    /// A letter or a digit (Unicode alphabetic or numeric).
    @inline(__always)
    static func isWordScalar(_ c: Unicode.Scalar) -> Bool {
        if c.isASCII {
            let v = c.value | 0x20
            return (v >= 0x61 && v <= 0x7A) || (c.value >= 0x30 && c.value <= 0x39)
        }
        return c.properties.isAlphabetic || c.properties.numericType != nil
    }

    /// Number of sentences: runs of `.!?` after some word character; 1 for a text with words and no terminator.
    public static func sentences(_ text: String) -> Int {
        var count = 0
        var sawWord = false, inRun = false
        for c in text.unicodeScalars {
            if c == "." || c == "!" || c == "?" {
                if sawWord && !inRun { count += 1; sawWord = false }
                inRun = true
            } else {
                inRun = false
                if isWordScalar(c) { sawWord = true }
            }
        }
        if sawWord { count += 1 }
        return count
    }

    /// Syllables of one word, by the heuristic: lowercase; keep ASCII letters; count groups of vowels
    /// (a e i o u y); minus 1 for a final silent "e" (not "le" after a consonant, not "ee"); minus 1 for
    /// a final "es"/"ed" after a consonant other than t/d (for "ed") or s/x/z/ch/sh (for "es"); at least 1
    /// for a word with a letter, 0 without (e.g. a number).
    public static func syllables(in word: String) -> Int {
        var letters: [UInt8] = []
        appendLetters(of: word.unicodeScalars, to: &letters)
        return syllables(letters: letters)
    }

    /// Appends the ASCII letters of the lowercased word (`word.lowercased()`, non-ASCII scalars
    /// lowercased one by one: "K" (Kelvin sign) gives "k").
    static func appendLetters(of word: some Sequence<Unicode.Scalar>, to out: inout [UInt8]) {
        for c in word {
            if c.isASCII {
                let v = UInt8(c.value) | 0x20
                if v >= 0x61 && v <= 0x7A && c.properties.isAlphabetic { out.append(v) }
            } else {
                for l in String(c).lowercased().unicodeScalars where l.isASCII && l.properties.isAlphabetic {
                    out.append(UInt8(l.value))
                }
            }
        }
    }

    /// The heuristic of `syllables(in:)` on lowercase ASCII letters.
    static func syllables(letters w: [UInt8]) -> Int {
        guard !w.isEmpty else { return 0 }
        @inline(__always) func vowel(_ c: UInt8) -> Bool {
            c == 0x61 || c == 0x65 || c == 0x69 || c == 0x6F || c == 0x75 || c == 0x79   // a e i o u y
        }
        let (d, e, h, l, s, t, x, z, c_) = (UInt8(0x64), UInt8(0x65), UInt8(0x68), UInt8(0x6C), UInt8(0x73), UInt8(0x74), UInt8(0x78), UInt8(0x7A), UInt8(0x63))
        var count = 0
        var prevVowel = false
        for c in w {
            let v = vowel(c)
            if v && !prevVowel { count += 1 }
            prevVowel = v
        }
        let n = w.count
        if n >= 2, w[n - 1] == e, !vowel(w[n - 2]) {
            let le = w[n - 2] == l && n >= 3 && !vowel(w[n - 3])
            if !le { count -= 1 }
        } else if n >= 3, w[n - 1] == d || w[n - 1] == s, w[n - 2] == e, !vowel(w[n - 3]) {
            let c = w[n - 3]
            let keeps = w[n - 1] == d ? (c == t || c == d)
                : (c == s || c == x || c == z || (c == h && n >= 4 && (w[n - 4] == c_ || w[n - 4] == s)))
            if !keeps { count -= 1 }
        }
        return max(count, 1)
    }

    /// Flesch–Kincaid grade level: 0.39 · words/sentences + 11.8 · syllables/words − 15.59.
    /// - Returns: nil for a text without words.
    /// - Complexity: O(n).
    public static func fleschKincaidGrade(_ text: String) -> Double? {
        var words = 0, syl = 0
        var letters: [UInt8] = []
        letters.reserveCapacity(32)
        PythonText.forEachField(text.unicodeScalars) { w in
            guard w.contains(where: isWordScalar) else { return }
            words += 1
            letters.removeAll(keepingCapacity: true)
            appendLetters(of: w, to: &letters)
            syl += syllables(letters: letters)
        }
        guard words > 0 else { return nil }
        let s = max(sentences(text), 1)
        return 0.39 * Double(words) / Double(s) + 11.8 * Double(syl) / Double(words) - 15.59
    }
}
