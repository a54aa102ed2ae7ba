import Foundation

/// What the word scanner recognised; used by the dataset filters (strip links, trailing hashtags).
enum TokenKind: Sendable, Equatable {
    case word, number, url, email, mention, hashtag, emoji, emoticon, punct
}

/// The word tokenizer's scanner over one (normalised) text: scalars, their classes and UTF-8 offsets.
struct WordScanner {
    let bytes: [UInt8]
    private(set) var cps: [UInt32] = []
    private(set) var cls: [ScalarClass] = []
    /// UTF-8 offset of each scalar, plus the total length at the end (count + 1 entries).
    private(set) var starts: [Int] = []

    init(_ text: String) {
        bytes = Array(text.utf8)
        let estimate = bytes.count
        cps.reserveCapacity(estimate)
        cls.reserveCapacity(estimate)
        starts.reserveCapacity(estimate + 1)
        var offset = 0
        for s in text.unicodeScalars {
            let v = s.value
            cps.append(v)
            cls.append(ScalarClass.of(v))
            starts.append(offset)
            offset += v < 0x80 ? 1 : v < 0x800 ? 2 : v < 0x10000 ? 3 : 4
        }
        starts.append(offset)
    }

    var count: Int { cps.count }

    /// The text of scalars `a..<b`.
    @inline(__always)
    func string(_ a: Int, _ b: Int) -> String {
        bytes.withUnsafeBufferPointer { buf in
            String(decoding: UnsafeBufferPointer(rebasing: buf[starts[a]..<starts[b]]), as: UTF8.self)
        }
    }

    /// UTF-8 byte range of scalars `a..<b`.
    func byteRange(_ a: Int, _ b: Int) -> Range<Int> { starts[a]..<starts[b] }

    // MARK: - Scan

    /// Calls `emit(start, end, kind)` for each token, in order, with scalar indices `start..<end`.
    func scan(_ emit: (Int, Int, TokenKind) -> Void) {
        let n = cps.count
        var i = 0
        while i < n {
            let c = cps[i]
            switch cls[i] {
            case .space, .control, .joiner:
                i += 1

            case .letter, .digit, .mark:
                if let e = keycapEnd(i) { emit(i, e, .emoji); i = e; continue }
                if cls[i] != .mark {
                    if let e = urlEnd(i) { emit(i, e, .url); i = e; continue }
                    if let e = emailEnd(i) { emit(i, e, .email); i = e; continue }
                    if let e = acronymEnd(i) { emit(i, e, .word); i = e; continue }
                }
                let e = wordEnd(i)
                emitWord(i, e, emit)
                i = e

            case .emoji:
                let e = emojiEnd(i)
                emit(i, e, .emoji)
                i = e

            case .punct:
                if (c == Sc.hash || c == Sc.star), let e = keycapEnd(i) { emit(i, e, .emoji); i = e; continue }
                if c == Sc.hash, let e = hashtagEnd(i) { emit(i, e, .hashtag); i = e; continue }
                if c == Sc.at, let e = mentionEnd(i) { emit(i, e, .mention); i = e; continue }
                if (c == Sc.hyphen || c == Sc.plus), i + 1 < n, cls[i + 1] == .digit, atNumberBoundary(i) {
                    let e = wordEnd(i + 1)
                    emit(i, e, .number)
                    i = e
                    continue
                }
                if i == 0 || cls[i - 1] == .space, let e = emoticonEnd(i) { emit(i, e, .emoticon); i = e; continue }
                let e = punctEnd(i)
                emit(i, e, .punct)
                i = e
            }
        }
    }

    // MARK: - Words and numbers

    /// End of the word or number starting at `i` (a letter, digit or mark).
    func wordEnd(_ i: Int) -> Int {
        let n = cps.count
        var j = i
        var numeric = true   // only digits and numeric separators so far
        while true {
            while j < n && cls[j].isWordChar {
                if cls[j] != .digit { numeric = false }
                j += 1
            }
            guard j < n, j > i, j + 1 < n else { break }
            let c = cps[j]
            if numeric && (c == Sc.dot || c == Sc.colon) && cls[j + 1] == .digit {
                j += 1
                continue
            }
            if numeric && c == Sc.comma && j + 3 < n
                && cls[j + 1] == .digit && cls[j + 2] == .digit && cls[j + 3] == .digit
                && (j + 4 == n || cls[j + 4] != .digit) {
                j += 4
                continue
            }
            if (c == Sc.hyphen || c == Sc.underscore) && cls[j + 1].isAlnum {
                numeric = false
                j += 1
                continue
            }
            if Sc.isApostrophe(c) && cls[j + 1] == .letter {
                numeric = false
                j += 1
                continue
            }
            break
        }
        return j
    }

    /// Emits the word `a..<b`, split into stem and contraction suffixes (Penn Treebank).
    func emitWord(_ a: Int, _ b: Int, _ emit: (Int, Int, TokenKind) -> Void) {
        var suffixStarts: [Int] = []
        var end = b
        while let s = contractionStart(a, end) {
            suffixStarts.append(s)
            end = s
        }
        let numeric = (a..<end).allSatisfy { cls[$0] == .digit || cps[$0] == Sc.dot || cps[$0] == Sc.comma || cps[$0] == Sc.colon }
        emit(a, end, numeric ? .number : .word)
        var from = end
        for s in suffixStarts.reversed().dropFirst() {
            emit(from, s, .word)
            from = s
        }
        if !suffixStarts.isEmpty { emit(from, b, .word) }
    }

    /// Where a contraction suffix of the word `a..<b` starts, if it has one (and a non-empty stem).
    func contractionStart(_ a: Int, _ b: Int) -> Int? {
        let len = b - a
        if len > 3, Sc.lower(cps[b - 1]) == 0x74, Sc.isApostrophe(cps[b - 2]), Sc.lower(cps[b - 3]) == 0x6E,
           cls[b - 4] == .letter {
            return b - 3  // n't
        }
        if len > 2, Sc.isApostrophe(cps[b - 2]) {
            switch Sc.lower(cps[b - 1]) {
            case 0x73, 0x6D, 0x64: return b - 2  // 's 'm 'd
            default: break
            }
        }
        if len > 3, Sc.isApostrophe(cps[b - 3]) {
            let x = Sc.lower(cps[b - 2]), y = Sc.lower(cps[b - 1])
            if (x == 0x72 && y == 0x65) || (x == 0x76 && y == 0x65) || (x == 0x6C && y == 0x6C) {
                return b - 3  // 're 've 'll
            }
        }
        return nil
    }

    /// `U.S.`, `e.g.`: two or more single letters each followed by a dot.
    func acronymEnd(_ i: Int) -> Int? {
        let n = cps.count
        var j = i
        var pairs = 0
        while j + 1 < n, cls[j] == .letter, cps[j + 1] == Sc.dot {
            j += 2
            pairs += 1
            if j < n && cls[j] == .letter && (j + 1 >= n || cps[j + 1] != Sc.dot) { break }
        }
        return pairs >= 2 ? j : nil
    }

    /// A sign belongs to a number at the start of the text, after a space or an opening bracket.
    func atNumberBoundary(_ i: Int) -> Bool {
        if i == 0 { return true }
        if cls[i - 1] == .space { return true }
        let p = cps[i - 1]
        return p == 0x28 || p == 0x5B || p == 0x7B
    }

    // MARK: - URLs, e-mail, mentions, hashtags

    private static let schemes: [[UInt32]] = ["https://", "http://", "ftp://", "www."].map { $0.unicodeScalars.map(\.value) }
    private static let bareTLDs: Set<String> = ["com", "org", "net", "edu", "gov", "io", "info", "co"]

    func hasPrefixCI(_ i: Int, _ p: [UInt32]) -> Bool {
        guard i + p.count <= cps.count else { return false }
        for k in 0..<p.count where Sc.lower(cps[i + k]) != p[k] { return false }
        return true
    }

    @inline(__always) func isASCIIAlnum(_ v: UInt32) -> Bool { Sc.isASCIILetter(v) || Sc.isASCIIDigit(v) }

    /// End of a URL starting at `i`, if one starts there.
    func urlEnd(_ i: Int) -> Int? {
        let n = cps.count
        for p in WordScanner.schemes where hasPrefixCI(i, p) {
            let j = i + p.count
            guard j < n, cls[j] != .space, cls[j] != .control else { return nil }
            return trimURL(i, runToURLBoundary(j))
        }
        // domain.tld/… or bare domain.tld with a common TLD
        guard let (j, tld) = domainEnd(i) else { return nil }
        if j < n && cps[j] == Sc.slash { return trimURL(i, runToURLBoundary(j)) }
        if WordScanner.bareTLDs.contains(tld.lowercased()) && (j == n || !(cls[j].isWordChar || cps[j] == Sc.at)) {
            return j
        }
        return nil
    }

    /// ASCII domain `label(.label)+` with an alphabetic last label of ≥ 2 letters: its end and TLD.
    func domainEnd(_ i: Int) -> (Int, String)? {
        let n = cps.count
        var j = i
        var labels = 0
        var lastStart = i
        while true {
            let s = j
            while j < n && (isASCIIAlnum(cps[j]) || cps[j] == Sc.hyphen) { j += 1 }
            if j == s { return nil }
            labels += 1
            lastStart = s
            if j + 1 < n && cps[j] == Sc.dot && isASCIIAlnum(cps[j + 1]) { j += 1; continue }
            break
        }
        guard labels >= 2, j - lastStart >= 2, (lastStart..<j).allSatisfy({ Sc.isASCIILetter(cps[$0]) }) else { return nil }
        if j < n && cls[j].isWordChar { return nil }  // e.g. "foo.barΩ"
        return (j, string(lastStart, j))
    }

    /// Scans to the next space, control character, emoji or `"<>`.
    func runToURLBoundary(_ j0: Int) -> Int {
        let n = cps.count
        var j = j0
        while j < n {
            let c = cps[j], k = cls[j]
            if k == .space || k == .control || k == .emoji || c == 0x22 || c == 0x3C || c == 0x3E { break }
            j += 1
        }
        return j
    }

    /// Drops trailing punctuation that ends the sentence rather than the URL (and unbalanced `)`/`]`).
    func trimURL(_ i: Int, _ e0: Int) -> Int {
        var e = e0
        var parens = 0, brackets = 0
        for k in i..<e {
            switch cps[k] {
            case 0x28: parens += 1
            case 0x29: parens -= 1
            case 0x5B: brackets += 1
            case 0x5D: brackets -= 1
            default: break
            }
        }
        while e > i + 1 {
            let c = cps[e - 1]
            switch c {
            case 0x2E, 0x2C, 0x21, 0x3F, 0x3B, 0x3A, 0x27, 0x22, 0x2019, 0x201D, 0x2026, 0x2A:
                e -= 1
            case 0x29 where parens < 0:
                parens += 1; e -= 1
            case 0x5D where brackets < 0:
                brackets += 1; e -= 1
            default:
                return e
            }
        }
        return e
    }

    /// `local@domain.tld` starting at `i`.
    func emailEnd(_ i: Int) -> Int? {
        let n = cps.count
        var j = i
        while j < n {
            let c = cps[j]
            if isASCIIAlnum(c) || c == Sc.dot || c == Sc.underscore || c == 0x25 || c == Sc.plus || c == Sc.hyphen { j += 1 } else { break }
        }
        guard j > i, j + 1 < n, cps[j] == Sc.at, cps[j - 1] != Sc.dot else { return nil }
        guard let (e, _) = domainEnd(j + 1) else { return nil }
        return e
    }

    /// `@` + `[A-Za-z0-9_]+`.
    func mentionEnd(_ i: Int) -> Int? {
        let n = cps.count
        var j = i + 1
        while j < n && (isASCIIAlnum(cps[j]) || cps[j] == Sc.underscore) { j += 1 }
        return j > i + 1 ? j : nil
    }

    /// `#` + word characters / `_`, with at least one letter.
    func hashtagEnd(_ i: Int) -> Int? {
        let n = cps.count
        var j = i + 1
        var letter = false
        while j < n && (cls[j].isWordChar || cps[j] == Sc.underscore) {
            if cls[j] == .letter { letter = true }
            j += 1
        }
        return letter ? j : nil
    }

    // MARK: - Emoji, emoticons, punctuation

    /// `1️⃣`, `#⃣`: a keycap base, optional VS16, U+20E3.
    func keycapEnd(_ i: Int) -> Int? {
        let n = cps.count
        let b = cps[i]
        guard Sc.isASCIIDigit(b) || b == Sc.hash || b == Sc.star else { return nil }
        var j = i + 1
        if j < n && cps[j] == Sc.vs16 { j += 1 }
        if j < n && cps[j] == Sc.keycap { return j + 1 }
        return nil
    }

    /// End of the emoji sequence starting at `i`: modifiers, selectors, tags and ZWJ-joined emoji.
    func emojiEnd(_ i: Int) -> Int {
        let n = cps.count
        if Sc.isRegionalIndicator(cps[i]) {
            return i + 1 < n && Sc.isRegionalIndicator(cps[i + 1]) ? i + 2 : i + 1
        }
        var j = i + 1
        while true {
            while j < n && (cps[j] == Sc.vs16 || cps[j] == Sc.vs15 || Sc.isSkinTone(cps[j])
                            || cps[j] == Sc.keycap || Sc.isTag(cps[j])) {
                j += 1
            }
            if j + 1 < n && cps[j] == Sc.zwj && cls[j + 1] == .emoji && !Sc.isRegionalIndicator(cps[j + 1]) {
                j += 2
                continue
            }
            return j
        }
    }

    static let emoticons: [[UInt32]] = [
        ":-)", ":)", ":-(", ":(", ":-D", ":D", ":-P", ":P", ":-p", ":p", ";-)", ";)", ";-P", ";P", ";D",
        ":'(", ":')", ":-/", ":/", ":-|", ":|", ":-O", ":O", ":o", ":-*", ":*", ":3", "<3", "</3",
        "=)", "=(", "=D", "^_^", "^^", "-_-", ">_<", ":]", ":[",
    ].map { $0.unicodeScalars.map(\.value) }.sorted { $0.count > $1.count }

    /// An ASCII emoticon at `i` not followed by a letter or digit.
    func emoticonEnd(_ i: Int) -> Int? {
        let n = cps.count
        outer: for e in WordScanner.emoticons where i + e.count <= n {
            for k in 0..<e.count where cps[i + k] != e[k] { continue outer }
            let end = i + e.count
            if end < n && cls[end].isAlnum { continue }
            return end
        }
        return nil
    }

    @inline(__always) static func isTerminal(_ c: UInt32) -> Bool { c == 0x2E || c == 0x21 || c == 0x3F }

    /// Brackets and quotes never form runs.
    @inline(__always) static func isSingle(_ c: UInt32) -> Bool {
        switch c {
        case 0x28, 0x29, 0x5B, 0x5D, 0x7B, 0x7D, 0x3C, 0x3E, 0x22, 0x27, 0x60,
             0x201C, 0x201D, 0x2018, 0x2019, 0xAB, 0xBB, 0x201E, 0x2039, 0x203A, 0xBF, 0xA1:
            return true
        default: return false
        }
    }

    /// A run of `.!?`, or of one repeated punctuation character, or a single bracket/quote.
    func punctEnd(_ i: Int) -> Int {
        let n = cps.count
        let c = cps[i]
        var j = i + 1
        if WordScanner.isTerminal(c) {
            while j < n && WordScanner.isTerminal(cps[j]) { j += 1 }
        } else if !WordScanner.isSingle(c) {
            while j < n && cps[j] == c { j += 1 }
        }
        return j
    }
}
