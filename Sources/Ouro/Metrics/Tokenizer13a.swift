/// sacreBLEU's default `13a` tokenizer (mteval-v13a, as used by WMT), byte-exact with sacreBLEU 2.5.1's
/// `Tokenizer13a` + `TokenizerRegexp`.
///
/// Steps: drop `<skipped>`, join `-\n` line breaks, newlines → spaces, unescape `&quot; &amp; &lt; &gt;`
/// (in that order, only when the line holds `&`); pad with spaces; then the four regex passes
/// `([\{-\~\[-\` -\&\(-\+\:-\@\/])` → ` \1 `, `([^0-9])([\.,])` → `\1 \2 `, `([\.,])([^0-9])` → ` \1 \2`,
/// `([0-9])(-)` → `\1 \2 `, each with `re.sub`'s leftmost, non-overlapping matching; finally Python's
/// `str.split()`. Working on UTF-8 bytes is exact: every pattern byte is ASCII and ASCII bytes never
/// occur inside a multi-byte sequence.
public enum Tokenizer13a {
    /// Tokens of one line (the line is right-stripped first, as `BLEU._preprocess_segment` does).
    /// - Parameter line: a segment.
    /// - Returns: the tokens as UTF-8 byte arrays.
    /// - Complexity: O(n) in the line's length.
    public static func tokenizeUTF8(_ line: String) -> [ArraySlice<UInt8>] {
        let bytes = preprocess(Array(line.utf8))
        return splitWhitespace(bytes)
    }

    /// Tokens of one line as strings.
    public static func tokenize(_ line: String) -> [String] {
        tokenizeUTF8(line).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The tokenized line, tokens joined by single spaces (what sacreBLEU's tokenizer returns).
    public static func tokenizedLine(_ line: String) -> String {
        tokenize(line).joined(separator: " ")
    }

    // MARK: Passes

    static func preprocess(_ input: [UInt8]) -> [UInt8] {
        var s = rstrip(input)
        s = replaceAll(s, Array("<skipped>".utf8), [])
        s = replaceAll(s, Array("-\n".utf8), [])
        s = replaceAll(s, [0x0A], [0x20])
        if s.contains(UInt8(ascii: "&")) {
            s = replaceAll(s, Array("&quot;".utf8), [UInt8(ascii: "\"")])
            s = replaceAll(s, Array("&amp;".utf8), [UInt8(ascii: "&")])
            s = replaceAll(s, Array("&lt;".utf8), [UInt8(ascii: "<")])
            s = replaceAll(s, Array("&gt;".utf8), [UInt8(ascii: ">")])
        }
        // ' {line} ' then pass 1: pad every character of the class with spaces.
        var p: [UInt8] = [0x20]
        p.reserveCapacity(s.count * 2 + 2)
        for b in s {
            if padded(b) { p.append(0x20); p.append(b); p.append(0x20) } else { p.append(b) }
        }
        p.append(0x20)
        // Pass 2: ([^0-9])([\.,]) → \1 \2 (space after the punctuation).
        var q: [UInt8] = []
        q.reserveCapacity(p.count + 16)
        var i = 0
        while i < p.count {
            if i + 1 < p.count, !isDigit(p[i]), isDotComma(p[i + 1]) {
                q.append(p[i]); q.append(0x20); q.append(p[i + 1]); q.append(0x20); i += 2
            } else {
                q.append(p[i]); i += 1
            }
        }
        // Pass 3: ([\.,])([^0-9]) → ' \1 \2'.
        var r: [UInt8] = []
        r.reserveCapacity(q.count + 16)
        i = 0
        while i < q.count {
            if i + 1 < q.count, isDotComma(q[i]), !isDigit(q[i + 1]) {
                r.append(0x20); r.append(q[i]); r.append(0x20); r.append(q[i + 1]); i += 2
            } else {
                r.append(q[i]); i += 1
            }
        }
        // Pass 4: ([0-9])(-) → \1 \2 .
        var t: [UInt8] = []
        t.reserveCapacity(r.count + 16)
        i = 0
        while i < r.count {
            if i + 1 < r.count, isDigit(r[i]), r[i + 1] == UInt8(ascii: "-") {
                t.append(r[i]); t.append(0x20); t.append(r[i + 1]); t.append(0x20); i += 2
            } else {
                t.append(r[i]); i += 1
            }
        }
        return t
    }

    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    @inline(__always) static func isDotComma(_ b: UInt8) -> Bool { b == 0x2E || b == 0x2C }

    /// The class `[\{-\~\[-\` -\&\(-\+\:-\@\/]`.
    @inline(__always) static func padded(_ b: UInt8) -> Bool {
        (b >= 0x7B && b <= 0x7E) || (b >= 0x5B && b <= 0x60) || (b >= 0x20 && b <= 0x26)
            || (b >= 0x28 && b <= 0x2B) || (b >= 0x3A && b <= 0x40) || b == 0x2F
    }

    /// `str.replace(old, new)`: leftmost, non-overlapping.
    static func replaceAll(_ s: [UInt8], _ old: [UInt8], _ new: [UInt8]) -> [UInt8] {
        guard !old.isEmpty, s.count >= old.count, s.contains(old[0]) else { return s }
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = 0
        let first = old[0]
        while i < s.count {
            if s[i] == first, i + old.count <= s.count {
                var k = 1
                while k < old.count, s[i + k] == old[k] { k += 1 }
                if k == old.count { out.append(contentsOf: new); i += old.count; continue }
            }
            out.append(s[i]); i += 1
        }
        return out
    }

    /// Length in bytes of the Python whitespace character starting at `i`, or 0.
    @inline(__always)
    static func whitespaceLength(_ s: [UInt8], _ i: Int) -> Int {
        let b = s[i]
        if b < 0x80 { return (b >= 0x09 && b <= 0x0D) || (b >= 0x1C && b <= 0x20) ? 1 : 0 }
        if b == 0xC2, i + 1 < s.count { return s[i + 1] == 0x85 || s[i + 1] == 0xA0 ? 2 : 0 }
        if b == 0xE1, i + 2 < s.count { return s[i + 1] == 0x9A && s[i + 2] == 0x80 ? 3 : 0 }
        if b == 0xE2, i + 2 < s.count {
            let b1 = s[i + 1], b2 = s[i + 2]
            if b1 == 0x80 && ((b2 >= 0x80 && b2 <= 0x8A) || b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF) { return 3 }
            if b1 == 0x81 && b2 == 0x9F { return 3 }
            return 0
        }
        if b == 0xE3, i + 2 < s.count { return s[i + 1] == 0x80 && s[i + 2] == 0x80 ? 3 : 0 }
        return 0
    }

    /// `str.split()` on UTF-8 bytes.
    static func splitWhitespace(_ s: [UInt8]) -> [ArraySlice<UInt8>] {
        var out: [ArraySlice<UInt8>] = []
        var i = 0, start = -1
        while i < s.count {
            let w = whitespaceLength(s, i)
            if w > 0 {
                if start >= 0 { out.append(s[start..<i]); start = -1 }
                i += w
            } else {
                if start < 0 { start = i }
                i += 1
            }
        }
        if start >= 0 { out.append(s[start..<s.count]) }
        return out
    }

    /// `str.rstrip()` on UTF-8 bytes.
    static func rstrip(_ s: [UInt8]) -> [UInt8] {
        var end = s.count
        while end > 0 {
            // Find the start of the last character.
            var k = end - 1
            while k > 0 && (s[k] & 0xC0) == 0x80 { k -= 1 }
            if whitespaceLength(s, k) == end - k { end = k } else { break }
        }
        return end == s.count ? s : Array(s[0..<end])
    }

    /// `str.strip()` (Python whitespace), as the study strips texts before Self-BLEU.
    static func strip(_ s: String) -> String { PythonText.strip(s) }
}
