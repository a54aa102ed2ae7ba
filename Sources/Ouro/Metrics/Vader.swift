import Foundation

/// VADER sentiment scores of one text, rounded as `polarity_scores` rounds them
/// (`neg`, `neu`, `pos` to 3 places, `compound` to 4).
public struct VaderScores: Equatable, Sendable {
    public var neg: Double
    public var neu: Double
    public var pos: Double
    public var compound: Double

    public init(neg: Double, neu: Double, pos: Double, compound: Double) {
        self.neg = neg; self.neu = neu; self.pos = pos; self.compound = compound
    }
}

/// VADER, rule for rule as `vaderSentiment` 3.3.2's `SentimentIntensityAnalyzer.polarity_scores`:
/// emoji replaced by their descriptions, whitespace tokens stripped of edge punctuation (kept whole
/// when ≤ 2 code points remain), lexicon valences adjusted by boosters/dampeners (with their distance
/// decay 1, 0.95, 0.9), ALL-CAPS emphasis when only some tokens are capitalised, negation (incl. "no",
/// "n't", "never so/this", "without doubt"), "least", special idioms and "kind of"/"sort of", the
/// contrastive "but" (with the reference's first-equal-value quirk), and "!"/"?" emphasis.
///
/// Python's string semantics (code points, `str.split`, `str.lower`, `str.isupper`, `round`) are
/// reproduced exactly; the valence arithmetic is done in the same order, so results are bit-equal
/// up to the order of the final sum.
public struct Vader: Sendable {
    public let lexicon: VaderLexicon

    public init(lexicon: VaderLexicon) { self.lexicon = lexicon }

    // MARK: Constants of vaderSentiment 3.3.2

    static let bIncr = 0.293
    static let bDecr = -0.293
    static let cIncr = 0.733
    static let nScalar = -0.74

    static let negate: Set<ByteKey> = Set([
        "aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt",
        "ain't", "aren't", "can't", "couldn't", "daren't", "didn't", "doesn't",
        "dont", "hadnt", "hasnt", "havent", "isnt", "mightnt", "mustnt", "neither",
        "don't", "hadn't", "hasn't", "haven't", "isn't", "mightn't", "mustn't",
        "neednt", "needn't", "never", "none", "nope", "nor", "not", "nothing", "nowhere",
        "oughtnt", "shant", "shouldnt", "uhuh", "wasnt", "werent",
        "oughtn't", "shan't", "shouldn't", "uh-uh", "wasn't", "weren't",
        "without", "wont", "wouldnt", "won't", "wouldn't", "rarely", "seldom", "despite",
    ].map(ByteKey.init))

    static let boosters: [ByteKey: Double] = {
        let up = ["absolutely", "amazingly", "awfully", "completely", "considerable", "considerably",
                  "decidedly", "deeply", "effing", "enormous", "enormously", "entirely", "especially",
                  "exceptional", "exceptionally", "extreme", "extremely", "fabulously", "flipping", "flippin",
                  "frackin", "fracking", "fricking", "frickin", "frigging", "friggin", "fully", "fuckin",
                  "fucking", "fuggin", "fugging", "greatly", "hella", "highly", "hugely", "incredible",
                  "incredibly", "intensely", "major", "majorly", "more", "most", "particularly", "purely",
                  "quite", "really", "remarkably", "so", "substantially", "thoroughly", "total", "totally",
                  "tremendous", "tremendously", "uber", "unbelievably", "unusually", "utter", "utterly", "very"]
        let down = ["almost", "barely", "hardly", "just enough", "kind of", "kinda", "kindof", "kind-of",
                    "less", "little", "marginal", "marginally", "occasional", "occasionally", "partly",
                    "scarce", "scarcely", "slight", "slightly", "somewhat", "sort of", "sorta", "sortof", "sort-of"]
        var d: [ByteKey: Double] = [:]
        for w in up { d[ByteKey(w)] = bIncr }
        for w in down { d[ByteKey(w)] = bDecr }
        return d
    }()

    static let specialCases: [ByteKey: Double] = [
        ByteKey("the shit"): 3, ByteKey("the bomb"): 3, ByteKey("bad ass"): 1.5, ByteKey("badass"): 1.5,
        ByteKey("bus stop"): 0.0, ByteKey("yeah right"): -2, ByteKey("kiss of death"): -1.5,
        ByteKey("to die for"): 3, ByteKey("beating heart"): 3.5,
    ]

    // MARK: Scoring

    /// The scores `polarity_scores(text)` returns.
    /// - Parameter text: any text; emoji are looked up one code point at a time.
    /// - Returns: `neg`, `neu`, `pos` rounded to 3 places and `compound` to 4, as the reference rounds.
    /// - Complexity: O(n) in the text's length, O(n²) only in the reference's "but" rule on long texts.
    public func polarityScores(_ text: String) -> VaderScores {
        if !lexicon.hasASCIIEmoji {
            var t = text
            if let r = t.withUTF8({ asciiScores($0) }) { return r }
        }
        return unicodeScores(text)
    }

    /// The fast path for ASCII text: no emoji to replace, bytewise lowercase and case tests.
    private func asciiScores(_ b: UnsafeBufferPointer<UInt8>) -> VaderScores? {
        for x in b where x >= 0x80 { return nil }
        let w = lexicon.words
        var tokens = Tokens(capacity: b.count / 2 + 1)
        var lower = [UInt8](repeating: 0, count: 64)
        var ep = 0, qm = 0
        var i = 0
        let n = b.count
        @inline(__always) func space(_ x: UInt8) -> Bool { (x >= 0x09 && x <= 0x0D) || (x >= 0x1C && x <= 0x20) }
        while i < n {
            while i < n && space(b[i]) { i += 1 }
            if i >= n { break }
            let s = i
            while i < n && !space(b[i]) {
                if b[i] == 0x21 { ep += 1 } else if b[i] == 0x3F { qm += 1 }
                i += 1
            }
            var lo = s, hi = i
            while lo < hi && PythonText.isASCIIPunctuation(UInt32(b[lo])) { lo += 1 }
            while hi > lo && PythonText.isASCIIPunctuation(UInt32(b[hi - 1])) { hi -= 1 }
            if hi - lo <= 2 { lo = s; hi = i }
            let len = hi - lo
            if lower.count < len { lower = [UInt8](repeating: 0, count: len * 2) }
            var hasUpper = false, hasLower = false
            for k in 0..<len {
                let c = b[lo + k]
                if c >= 0x41 && c <= 0x5A { hasUpper = true; lower[k] = c + 32 } else {
                    if c >= 0x61 && c <= 0x7A { hasLower = true }
                    lower[k] = c
                }
            }
            let id = lower.withUnsafeBufferPointer { w.table.lookup(UnsafeBufferPointer(rebasing: $0[0..<len])) }
            var nt = false
            if len >= 3 {
                for k in 0...(len - 3) where lower[k] == 0x6E && lower[k + 1] == 0x27 && lower[k + 2] == 0x74 { nt = true; break }
            }
            tokens.append(id: id, upper: hasUpper && !hasLower, nt: nt, words: w)
        }
        return score(tokens, exclamations: ep, questions: qm)
    }

    /// The general path: emoji replaced by descriptions, Python's Unicode whitespace, `lower` and `isupper`.
    private func unicodeScores(_ text: String) -> VaderScores {
        var replaced: [Unicode.Scalar] = []
        replaced.reserveCapacity(text.unicodeScalars.count)
        var prevSpace = true
        for c in text.unicodeScalars {
            if let description = lexicon.emojis[c.value] {
                if !prevSpace { replaced.append(" ") }
                replaced.append(contentsOf: description)
                prevSpace = false
            } else {
                replaced.append(c)
                prevSpace = c == " "
            }
        }
        let stripped = PythonText.strip(replaced)
        var ep = 0, qm = 0
        for c in stripped { if c == "!" { ep += 1 } else if c == "?" { qm += 1 } }
        let w = lexicon.words
        var tokens = Tokens(capacity: stripped.count / 2 + 1)
        for token in PythonText.split(stripped) {
            var lo = 0, hi = token.count
            while lo < hi, PythonText.isASCIIPunctuation(token[lo].value) { lo += 1 }
            while hi > lo, PythonText.isASCIIPunctuation(token[hi - 1].value) { hi -= 1 }
            let word = hi - lo <= 2 ? token : Array(token[lo..<hi])
            let lower = PythonText.lowerUTF8(word)
            tokens.append(id: w.table.lookup(lower), upper: PythonText.isUpper(word),
                          nt: PythonText.contains(lower, Self.nt), words: w)
        }
        return score(tokens, exclamations: ep, questions: qm)
    }

    private static let nt = Array("n't".utf8)

    /// Per-token facts the rules use: the interned id of the lowercased token (−1 if no rule knows it),
    /// its lexicon valence, booster value, negation, ALL-CAPS.
    struct Token {
        var id: Int32
        var upper: Bool
        var negated: Bool
        var valence: Double   // NaN: not in the lexicon
        var booster: Double   // 0: not a booster (no booster has value 0)
    }

    struct Tokens {
        var items: [Token] = []
        var count: Int { items.count }

        init(capacity: Int) { items.reserveCapacity(capacity) }

        mutating func append(id i: Int32, upper u: Bool, nt: Bool, words: VaderWords) {
            if i >= 0 {
                let k = Int(i)
                items.append(Token(id: i, upper: u, negated: nt || words.negate[k], valence: words.valence[k], booster: words.booster[k]))
            } else {
                items.append(Token(id: i, upper: u, negated: nt, valence: .nan, booster: 0))
            }
        }
        @inline(__always) func inLexicon(_ k: Int) -> Bool { !items[k].valence.isNaN }
    }

    private func score(_ t: Tokens, exclamations ep: Int, questions qm: Int) -> VaderScores {
        let w = lexicon.words
        let n = t.count
        var allCaps = 0
        for tok in t.items where tok.upper { allCaps += 1 }
        let capDifferential = n - allCaps
        let isCapDiff = 0 < capDifferential && capDifferential < n
        var sentiments: [Double] = []
        sentiments.reserveCapacity(n)
        for i in 0..<n {
            if t.items[i].booster != 0 { sentiments.append(0); continue }
            if i < n - 1 && t.items[i].id == w.kind && t.items[i + 1].id == w.of { sentiments.append(0); continue }
            sentiments.append(sentimentValence(i, t, isCapDiff: isCapDiff))
        }
        if let bi = t.items.firstIndex(where: { $0.id == w.but }) { butCheck(bi, &sentiments) }
        return scoreValence(sentiments, exclamations: ep, questions: qm)
    }

    private func sentimentValence(_ i: Int, _ t: Tokens, isCapDiff: Bool) -> Double {
        guard t.inLexicon(i) else { return 0 }
        let w = lexicon.words
        let n = t.count
        let base = t.items[i].valence
        var valence = base
        if t.items[i].id == w.no && i != n - 1 && t.inLexicon(i + 1) {
            valence = 0.0
        }
        if (i > 0 && t.items[i - 1].id == w.no) || (i > 1 && t.items[i - 2].id == w.no)
            || (i > 2 && t.items[i - 3].id == w.no && (t.items[i - 1].id == w.or || t.items[i - 1].id == w.nor)) {
            valence = base * Self.nScalar
        }
        if t.items[i].upper && isCapDiff {
            if valence > 0 { valence += Self.cIncr } else { valence -= Self.cIncr }
        }
        for start in 0..<3 where i > start && !t.inLexicon(i - (start + 1)) {
            let j = i - (start + 1)
            var s = 0.0
            if t.items[j].booster != 0 {
                s = t.items[j].booster
                if valence < 0 { s *= -1 }
                if t.items[j].upper && isCapDiff {
                    if valence > 0 { s += Self.cIncr } else { s -= Self.cIncr }
                }
            }
            if start == 1 && s != 0 { s = s * 0.95 }
            if start == 2 && s != 0 { s = s * 0.9 }
            valence = valence + s
            valence = negationCheck(valence, t, start, i)
            if start == 2 { valence = specialIdiomsCheck(valence, t, i) }
        }
        return leastCheck(valence, t, i)
    }

    private func negationCheck(_ valence: Double, _ t: Tokens, _ start: Int, _ i: Int) -> Double {
        let w = lexicon.words
        var valence = valence
        if start == 0 {
            if t.items[i - 1].negated { valence = valence * Self.nScalar }
        }
        if start == 1 {
            if t.items[i - 2].id == w.never && (t.items[i - 1].id == w.so || t.items[i - 1].id == w.this) {
                valence = valence * 1.25
            } else if t.items[i - 2].id == w.without && t.items[i - 1].id == w.doubt {
                // unchanged
            } else if t.items[i - 2].negated {
                valence = valence * Self.nScalar
            }
        }
        if start == 2 {
            // Python precedence: (never and (so|this)) or (w[i-1] in so|this)
            if (t.items[i - 3].id == w.never && (t.items[i - 2].id == w.so || t.items[i - 2].id == w.this))
                || (t.items[i - 1].id == w.so || t.items[i - 1].id == w.this) {
                valence = valence * 1.25
            } else if t.items[i - 3].id == w.without && (t.items[i - 2].id == w.doubt || t.items[i - 1].id == w.doubt) {
                // unchanged
            } else if t.items[i - 3].negated {
                valence = valence * Self.nScalar
            }
        }
        return valence
    }

    /// `_special_idioms_check`. Tokens hold no whitespace, so a phrase key "a b" equals the joined
    /// tokens exactly when the tokens are its words; phrases are matched as id sequences.
    private func specialIdiomsCheck(_ valence: Double, _ t: Tokens, _ i: Int) -> Double {
        let w = lexicon.words
        var valence = valence
        let id0 = t.items[i].id, id1 = t.items[i - 1].id, id2 = t.items[i - 2].id, id3 = t.items[i - 3].id
        // onezero, twoonezero, twoone, threetwoone, threetwo: the first that matches.
        if let v = w.specialCase(id1, id0) ?? w.specialCase(id2, id1, id0) ?? w.specialCase(id2, id1)
            ?? w.specialCase(id3, id2, id1) ?? w.specialCase(id3, id2) {
            valence = v
        }
        if t.count - 1 > i, let v = w.specialCase(id0, t.items[i + 1].id) { valence = v }
        if t.count - 1 > i + 1, let v = w.specialCase(id0, t.items[i + 1].id, t.items[i + 2].id) { valence = v }
        // threetwoone, threetwo, twoone against the multi-word boosters.
        if let b = w.boosterPhrase(id3, id2, id1) { valence = valence + b }
        if let b = w.boosterPhrase(id3, id2) { valence = valence + b }
        if let b = w.boosterPhrase(id2, id1) { valence = valence + b }
        return valence
    }

    @inline(__always) private func n(_ t: Tokens) -> Int { t.count }

    private func leastCheck(_ valence: Double, _ t: Tokens, _ i: Int) -> Double {
        let w = lexicon.words
        var valence = valence
        if i > 1 && !t.inLexicon(i - 1) && t.items[i - 1].id == w.least {
            if t.items[i - 2].id != w.at && t.items[i - 2].id != w.very { valence = valence * Self.nScalar }
        } else if i > 0 && !t.inLexicon(i - 1) && t.items[i - 1].id == w.least {
            valence = valence * Self.nScalar
        }
        return valence
    }

    /// `_but_check`, including its quirk: each value is written back at the *first* index holding an
    /// equal value (`list.index`), which is what the reference computes.
    private func butCheck(_ bi: Int, _ s: inout [Double]) {
        for k in 0..<s.count {
            let v = s[k]
            let si = s.firstIndex(of: v)!
            if si < bi { s[si] = v * 0.5 } else if si > bi { s[si] = v * 1.5 }
        }
    }

    private func scoreValence(_ sentiments: [Double], exclamations ep: Int, questions qm: Int) -> VaderScores {
        guard !sentiments.isEmpty else { return VaderScores(neg: 0, neu: 0, pos: 0, compound: 0) }
        var sum = 0.0
        for s in sentiments { sum += s }
        let epAmplifier = Double(min(ep, 4)) * 0.292
        var qmAmplifier = 0.0
        if qm > 1 { qmAmplifier = qm <= 3 ? Double(qm) * 0.18 : 0.96 }
        let punct = epAmplifier + qmAmplifier
        if sum > 0 { sum += punct } else if sum < 0 { sum -= punct }
        let compound = Self.normalize(sum)

        var posSum = 0.0, negSum = 0.0, neuCount = 0
        for s in sentiments {
            if s > 0 { posSum += s + 1 }
            if s < 0 { negSum += s - 1 }
            if s == 0 { neuCount += 1 }
        }
        if posSum > abs(negSum) { posSum += punct } else if posSum < abs(negSum) { negSum -= punct }
        let total = posSum + abs(negSum) + Double(neuCount)
        return VaderScores(
            neg: PythonText.round(abs(negSum / total), 3),
            neu: PythonText.round(abs(Double(neuCount) / total), 3),
            pos: PythonText.round(abs(posSum / total), 3),
            compound: PythonText.round(compound, 4))
    }

    /// `normalize(score, alpha=15)`: score / √(score² + 15), clamped to [−1, 1].
    static func normalize(_ score: Double, alpha: Double = 15) -> Double {
        let v = score / (score * score + alpha).squareRoot()
        return v < -1 ? -1 : (v > 1 ? 1 : v)
    }
}

/// The interned words of VADER's rules and their attributes (built once per lexicon).
final class VaderWords: Sendable {
    let table: VaderWordTable
    let valence: [Double]      // NaN when not a lexicon entry
    let booster: [Double]      // 0 when not a single-word booster
    let negate: [Bool]
    let specialPhrases: [([Int32], Double)]
    let boosterPhrases: [([Int32], Double)]
    let no, or, nor, kind, of, but, never, so, this, without, doubt, least, at, very: Int32

    init(valences: [ByteKey: Double]) {
        var table = VaderWordTable(capacity: valences.count + 200)
        var val: [Int32: Double] = [:], boost: [Int32: Double] = [:], neg = Set<Int32>()
        // Sorted keys: ids do not depend on hashing (values never do).
        for k in valences.keys.sorted(by: { $0.bytes.lexicographicallyPrecedes($1.bytes) }) {
            val[table.intern(k.bytes)] = valences[k]!
        }
        var specials: [([Int32], Double)] = [], boosts: [([Int32], Double)] = []
        for (k, v) in Vader.boosters {
            let parts = k.bytes.split(separator: 0x20).map(Array.init)
            if parts.count == 1 { boost[table.intern(parts[0])] = v } else { boosts.append((parts.map { table.intern($0) }, v)) }
        }
        for (k, v) in Vader.specialCases {
            let parts = k.bytes.split(separator: 0x20).map(Array.init)
            if parts.count > 1 { specials.append((parts.map { table.intern($0) }, v)) }
        }
        for k in Vader.negate { neg.insert(table.intern(k.bytes)) }
        func id(_ s: String) -> Int32 { table.intern(Array(s.utf8)) }
        no = id("no"); or = id("or"); nor = id("nor"); kind = id("kind"); of = id("of"); but = id("but")
        never = id("never"); so = id("so"); this = id("this"); without = id("without"); doubt = id("doubt")
        least = id("least"); at = id("at"); very = id("very")
        let count = table.count
        self.table = table
        valence = (0..<count).map { val[Int32($0)] ?? .nan }
        booster = (0..<count).map { boost[Int32($0)] ?? 0 }
        negate = (0..<count).map { neg.contains(Int32($0)) }
        // Phrase keys are distinct, so at most one matches a sequence: their order does not matter.
        specialPhrases = specials
        boosterPhrases = boosts
    }

    @inline(__always)
    private static func match(_ phrases: [([Int32], Double)], _ a: Int32, _ b: Int32, _ c: Int32?) -> Double? {
        if a < 0 || b < 0 { return nil }
        for (p, v) in phrases where p[0] == a && p[1] == b {
            if let c { if p.count == 3 && p[2] == c { return v } } else if p.count == 2 { return v }
        }
        return nil
    }

    func specialCase(_ a: Int32, _ b: Int32, _ c: Int32? = nil) -> Double? { Self.match(specialPhrases, a, b, c) }
    func boosterPhrase(_ a: Int32, _ b: Int32, _ c: Int32? = nil) -> Double? { Self.match(boosterPhrases, a, b, c) }
}
