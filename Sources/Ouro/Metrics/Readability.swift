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
        PythonText.split(text.unicodeScalars).filter { w in
            w.contains { $0.properties.isAlphabetic || $0.properties.numericType != nil }
        }.map { String(String.UnicodeScalarView($0)) }
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
                if c.properties.isAlphabetic || c.properties.numericType != nil { sawWord = true }
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
        let w = Array(word.lowercased().unicodeScalars.filter { $0.isASCII && $0.properties.isAlphabetic }.map { Character($0) })
        guard !w.isEmpty else { return 0 }
        func vowel(_ c: Character) -> Bool { "aeiouy".contains(c) }
        var count = 0
        var prevVowel = false
        for c in w {
            let v = vowel(c)
            if v && !prevVowel { count += 1 }
            prevVowel = v
        }
        let n = w.count
        if n >= 2, w[n - 1] == "e", !vowel(w[n - 2]) {
            let le = w[n - 2] == "l" && n >= 3 && !vowel(w[n - 3])
            if !le { count -= 1 }
        } else if n >= 3, w[n - 1] == "d" || w[n - 1] == "s", w[n - 2] == "e", !vowel(w[n - 3]) {
            let c = w[n - 3]
            let keeps = w[n - 1] == "d" ? (c == "t" || c == "d")
                : (c == "s" || c == "x" || c == "z" || ((c == "h") && n >= 4 && (w[n - 4] == "c" || w[n - 4] == "s")))
            if !keeps { count -= 1 }
        }
        return max(count, 1)
    }

    /// Flesch–Kincaid grade level: 0.39 · words/sentences + 11.8 · syllables/words − 15.59.
    /// - Returns: nil for a text without words.
    /// - Complexity: O(n).
    public static func fleschKincaidGrade(_ text: String) -> Double? {
        let ws = words(text)
        guard !ws.isEmpty else { return nil }
        let s = max(sentences(text), 1)
        var syl = 0
        for w in ws { syl += syllables(in: w) }
        return 0.39 * Double(ws.count) / Double(s) + 11.8 * Double(syl) / Double(ws.count) - 15.59
    }
}
