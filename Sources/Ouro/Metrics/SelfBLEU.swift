import Foundation

/// Self-BLEU as the reference study computes it, equal to this sacreBLEU 2.5.1 loop:
/// ```
/// texts = [t.strip() for t in texts if t.strip()]
/// bleu = BLEU(effective_order=True)          # 13a, max order 4, smooth 'exp'
/// mean(bleu.sentence_score(t, texts[:i] + texts[i+1:]).score / 100 for i, t in enumerate(texts))
/// ```
/// but in O(total tokens · log) instead of O(N² · tokens): every text is tokenized once, n-grams are
/// interned per order, and one table keeps, per n-gram, the largest count in any text, which text owns
/// it, and the second largest count. A hypothesis is clipped against the largest count among the
/// *other* texts: the second largest when it owns the largest, else the largest. The closest reference
/// length (ties to the shorter, as sacreBLEU picks it) comes from the sorted lengths of the others.
public enum SelfBLEU {
    /// Errors of Self-BLEU.
    public enum Error: Swift.Error, CustomStringConvertible {
        case tooFewTexts(Int)
        public var description: String {
            switch self {
            case .tooFewTexts(let n):
                return "self_bleu needs at least 2 non-empty texts (after stripping), got \(n)"
            }
        }
    }

    /// The per-text sentence BLEU scores (in [0, 1]) of each non-empty stripped text against all others.
    /// - Parameter texts: the texts; they are stripped and empty ones dropped, as the study does.
    /// - Returns: one score per kept text, in order.
    /// - Throws: `SelfBLEU.Error.tooFewTexts` when fewer than 2 texts remain (sacreBLEU would have no reference).
    /// - Complexity: O(T log T) in the total number of tokens T.
    public static func scores(_ texts: [String]) throws -> [Double] {
        let kept = texts.map(PythonText.strip).filter { !$0.isEmpty }
        guard kept.count >= 2 else { throw Error.tooFewTexts(kept.count) }
        let docs = intern(kept.map(Tokenizer13a.tokenizeUTF8))
        return scores(tokenIDs: docs)
    }

    /// Self-BLEU: the mean of `scores(texts)`.
    /// - Returns: a value in [0, 1]; higher = more repetitive, less diverse.
    public static func selfBLEU(_ texts: [String]) throws -> Double {
        let s = try scores(texts)
        var sum = 0.0
        for v in s { sum += v }
        return sum / Double(s.count)
    }

    /// Interns byte-slice tokens to dense ids (code point equality, as Python compares strings).
    static func intern(_ docs: [[ArraySlice<UInt8>]]) -> [[Int32]] {
        var ids: [ArraySlice<UInt8>: Int32] = [:]
        return docs.map { doc in
            doc.map { tok in
                if let id = ids[tok] { return id }
                let id = Int32(ids.count)
                ids[tok] = id
                return id
            }
        }
    }

    /// Per-text sentence BLEU of each token sequence against all the others (already tokenized).
    /// - Parameter docs: token ids per text (at least 2 texts).
    /// - Complexity: O(T log T) in the total number of tokens T.
    static func scores(tokenIDs docs: [[Int32]]) -> [Double] {
        let maxOrder = 4
        let n = docs.count
        // gramsPerOrder[k][d]: sorted (gram id, count) runs of text d for order k+1.
        var grams: [[[(Int32, Int32)]]] = Array(repeating: [], count: maxOrder)
        var prev: [[Int32]] = docs   // ids of the previous order's n-grams, per text, per position
        var tables: [(top1: [Int32], owner: [Int32], top2: [Int32])] = []
        for k in 0..<maxOrder {
            var current: [[Int32]] = []
            var gramCount = 0
            if k == 0 {
                current = docs
                var m: Int32 = -1
                for d in docs { for t in d where t > m { m = t } }
                gramCount = Int(m) + 1
            } else {
                var index: [UInt64: Int32] = [:]
                current.reserveCapacity(n)
                for d in 0..<n {
                    let p = prev[d], toks = docs[d]
                    guard toks.count > k else { current.append([]); continue }
                    var out = [Int32]()
                    out.reserveCapacity(toks.count - k)
                    for i in 0..<(toks.count - k) {
                        let key = (UInt64(UInt32(bitPattern: p[i])) << 32) | UInt64(UInt32(bitPattern: toks[i + k]))
                        if let id = index[key] { out.append(id) } else {
                            let id = Int32(index.count); index[key] = id; out.append(id)
                        }
                    }
                    current.append(out)
                }
                gramCount = index.count
            }
            var top1 = [Int32](repeating: 0, count: gramCount)
            var owner = [Int32](repeating: -1, count: gramCount)
            var top2 = [Int32](repeating: 0, count: gramCount)
            var runsPerDoc: [[(Int32, Int32)]] = []
            runsPerDoc.reserveCapacity(n)
            for d in 0..<n {
                let sorted = current[d].sorted()
                var runs: [(Int32, Int32)] = []
                var i = 0
                while i < sorted.count {
                    var j = i + 1
                    while j < sorted.count && sorted[j] == sorted[i] { j += 1 }
                    let g = sorted[i], c = Int32(j - i)
                    runs.append((g, c))
                    let gi = Int(g)
                    if c > top1[gi] { top2[gi] = top1[gi]; top1[gi] = c; owner[gi] = Int32(d) }
                    else if c > top2[gi] { top2[gi] = c }
                    i = j
                }
                runsPerDoc.append(runs)
            }
            grams[k] = runsPerDoc
            tables.append((top1, owner, top2))
            prev = current
        }

        // Reference lengths: distinct lengths ascending, with multiplicities.
        var lengthCount: [Int: Int] = [:]
        for d in docs { lengthCount[d.count, default: 0] += 1 }
        let lengths = lengthCount.keys.sorted()

        var result = [Double](repeating: 0, count: n)
        for d in 0..<n {
            let hypLen = docs[d].count
            var correct = [Int](repeating: 0, count: maxOrder)
            var total = [Int](repeating: 0, count: maxOrder)
            for k in 0..<maxOrder {
                total[k] = max(hypLen - k, 0)
                let t = tables[k]
                var c = 0
                for (g, cnt) in grams[k][d] {
                    let gi = Int(g)
                    let ref = t.owner[gi] == Int32(d) ? t.top2[gi] : t.top1[gi]
                    c += Int(min(cnt, ref))
                }
                correct[k] = c
            }
            let refLen = closestReferenceLength(hypLen, lengths: lengths, counts: lengthCount)
            result[d] = sentenceBLEU(correct: correct, total: total, hypLen: hypLen, refLen: refLen) / 100
        }
        return result
    }

    /// The reference length sacreBLEU's `_get_closest_ref_len` picks among the other texts: the one
    /// closest to `hypLen`, the shorter on a tie. The hypothesis's own length counts once less.
    static func closestReferenceLength(_ hypLen: Int, lengths: [Int], counts: [Int: Int]) -> Int {
        if counts[hypLen, default: 0] >= 2 { return hypLen }
        // Largest length < hypLen and smallest > hypLen (hypLen itself is the hypothesis only).
        var lo = 0, hi = lengths.count
        while lo < hi { let mid = (lo + hi) / 2; if lengths[mid] < hypLen { lo = mid + 1 } else { hi = mid } }
        let below = lo > 0 ? lengths[lo - 1] : nil
        var above: Int? = nil
        var j = lo
        while j < lengths.count { if lengths[j] > hypLen { above = lengths[j]; break }; j += 1 }
        switch (below, above) {
        case let (b?, a?): return (a - hypLen) < (hypLen - b) ? a : b
        case let (b?, nil): return b
        case let (nil, a?): return a
        default: return hypLen
        }
    }

    /// sacreBLEU's `compute_bleu` with `smooth_method='exp'`, `effective_order=True`, max order 4,
    /// on a 0–100 scale; float operations in the reference's order.
    static func sentenceBLEU(correct: [Int], total: [Int], hypLen: Int, refLen: Int) -> Double {
        var bp = 1.0
        if hypLen < refLen { bp = hypLen > 0 ? exp(1 - Double(refLen) / Double(hypLen)) : 0.0 }
        if !correct.contains(where: { $0 != 0 }) { return 0.0 }
        var precisions = [Double](repeating: 0, count: correct.count)
        var smooth = 1.0
        var effOrder = correct.count
        for k in 0..<correct.count {
            if total[k] == 0 { break }
            effOrder = k + 1
            if correct[k] == 0 {
                smooth *= 2
                precisions[k] = 100.0 / (smooth * Double(total[k]))
            } else {
                precisions[k] = 100.0 * Double(correct[k]) / Double(total[k])
            }
        }
        var logSum = 0.0
        for k in 0..<effOrder { logSum += precisions[k] == 0 ? -9999999999 : log(precisions[k]) }
        return bp * exp(logSum / Double(effOrder))
    }

    /// Sentence BLEU of one hypothesis against references, computed the direct way (re-tokenising every
    /// reference), as sacreBLEU's `sentence_score(...).score / 100`. For tests and small inputs.
    /// - Complexity: O(total length of hypothesis and references).
    public static func sentenceBLEU(hypothesis: String, references: [String]) -> Double {
        func counts(_ toks: [ArraySlice<UInt8>]) -> [[ArraySlice<UInt8>]: Int] {
            var c: [[ArraySlice<UInt8>]: Int] = [:]
            for k in 1...4 where toks.count >= k {
                for i in 0...(toks.count - k) { c[Array(toks[i..<(i + k)]), default: 0] += 1 }
            }
            return c
        }
        let hyp = Tokenizer13a.tokenizeUTF8(hypothesis)
        var refMax: [[ArraySlice<UInt8>]: Int] = [:]
        var refLens: [Int] = []
        for r in references {
            let toks = Tokenizer13a.tokenizeUTF8(r)
            refLens.append(toks.count)
            for (g, c) in counts(toks) { refMax[g] = max(refMax[g, default: 0], c) }
        }
        var closestDiff = -1, closestLen = -1
        for len in refLens {
            let diff = abs(hyp.count - len)
            if closestDiff == -1 || diff < closestDiff { closestDiff = diff; closestLen = len }
            else if diff == closestDiff && len < closestLen { closestLen = len }
        }
        var correct = [0, 0, 0, 0], total = [0, 0, 0, 0]
        for (g, c) in counts(hyp) {
            total[g.count - 1] += c
            correct[g.count - 1] += min(c, refMax[g, default: 0])
        }
        return sentenceBLEU(correct: correct, total: total, hypLen: hyp.count, refLen: closestLen) / 100
    }
}
