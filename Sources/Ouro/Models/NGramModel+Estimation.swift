import Foundation

/// Counting and the three estimators. See docs/ngram.md for the formulas.
enum NGramEstimator {
    /// Raw n-gram counts of the padded documents `<s> w₁ … wₖ </s>`: every n-gram that ends at a word
    /// or `</s>` and starts at or after `<s>` (so n-grams starting with `<s>` are shorter than the
    /// order near the start of a document, as in KenLM).
    struct Counts {
        var vocab: [UInt32]
        var localOf: [UInt32]
        var levels: [NGramLevel]
        var raw: [[UInt64]]
    }

    static func count(_ documents: [[UInt32]], order: Int) -> Counts {
        var localOf = [UInt32](repeating: UInt32.max, count: max(Vocabulary.shared.count, 3))
        var vocab: [UInt32] = [Vocabulary.unk, Vocabulary.bos, Vocabulary.eos]
        for (i, g) in vocab.enumerated() { localOf[Int(g)] = UInt32(i) }
        var toks: [UInt32] = []
        var total = 0
        for d in documents { total += d.count + 2 }
        toks.reserveCapacity(total)
        var starts: [Int] = []   // position of each document's <s>
        for doc in documents {
            starts.append(toks.count)
            toks.append(NGramTables.bos)
            for g in doc {
                if Int(g) >= localOf.count { localOf += [UInt32](repeating: UInt32.max, count: Int(g) + 1 - localOf.count) }
                var l = localOf[Int(g)]
                if l == UInt32.max { l = UInt32(vocab.count); localOf[Int(g)] = l; vocab.append(g) }
                if l == NGramTables.bos { continue }   // a literal <s> inside a document is dropped
                toks.append(l)
            }
            toks.append(NGramTables.eos)
        }
        starts.append(toks.count)
        let V = vocab.count
        // Unigrams: ids are local ids.
        var uni = NGramLevel()
        uni.prefix = [Int32](repeating: -1, count: V); uni.suffix = uni.prefix
        uni.last = (0..<V).map { UInt32($0) }; uni.first = uni.last
        var raw1 = [UInt64](repeating: 0, count: V)
        for k in 0..<(starts.count - 1) {
            for i in (starts[k] + 1)..<starts[k + 1] { raw1[Int(toks[i])] += 1 }
        }
        var levels = [uni], raw = [raw1]
        // prev[i]: id of the (m−1)-gram ending at i (−1 if it would cross the document start).
        var prev = toks.map { Int32($0) }
        if order >= 2 {
            for m in 2...order {
                var lvl = NGramLevel()
                var cnt: [UInt64] = []
                var table = PackedKeyTable(capacity: max(1024, levels[m - 2].count * 2))
                var cur = [Int32](repeating: -1, count: toks.count)
                let prevFirst = levels[m - 2].first
                // <s> only stands at a document's start (a literal one inside is dropped), and no
                // n-gram ends there; prev[i − 1] is −1 when the (m−1)-gram would cross the start.
                @inline(__always) func prefix(_ i: Int) -> Int32 { toks[i] != NGramTables.bos && i > 0 ? prev[i - 1] : -1 }
                // The table is far larger than the caches: ask for the slot of the key `ahead`
                // positions on while this one is probed (the keys are known: the previous level is done).
                let ahead = 12
                for i in 0..<toks.count {
                    if i + ahead < toks.count {
                        let q = prefix(i + ahead)
                        if q >= 0 { table.prefetch((UInt64(q) << 32) | UInt64(toks[i + ahead])) }
                    }
                    let p = prefix(i)
                    if p < 0 { continue }
                    let key = (UInt64(p) << 32) | UInt64(toks[i])
                    let (id, fresh) = table.insert(key, next: Int32(lvl.count))
                    if fresh {
                        lvl.prefix.append(p); lvl.last.append(toks[i]); lvl.suffix.append(prev[i])
                        lvl.first.append(prevFirst[Int(p)]); cnt.append(0)
                    }
                    cnt[Int(id)] += 1
                    cur[i] = id
                }
                levels.append(lvl); raw.append(cnt); prev = cur
            }
        }
        return Counts(vocab: vocab, localOf: localOf, levels: levels, raw: raw)
    }

    /// Modified Kneser–Ney discounts `(D1, D2, D3+)` from counts-of-counts (Chen & Goodman eq. 26);
    /// KenLM's `--discount_fallback` values (0.5, 1, 1.5) when the closed form is undefined or out of
    /// range (where `lmplz` without that flag stops with an error).
    static func discounts(_ n: [UInt64]) -> [Double] {
        if n[1] == 0 || n[2] == 0 || n[3] == 0 { return [0, 0.5, 1, 1.5] }
        let y = Double(n[1]) / (Double(n[1]) + 2 * Double(n[2]))
        var d = [0.0, 0, 0, 0]
        for j in 1...3 {
            d[j] = Double(j) - Double(j + 1) * y * Double(n[j + 1]) / Double(n[j])
            if !(d[j] >= 0 && d[j] <= Double(j)) { return [0, 0.5, 1, 1.5] }
        }
        return d
    }

    static func tables(_ c: Counts, order: Int, smoothing: NGramModel.Smoothing) -> (NGramTables, [[Double]]) {
        let levels = c.levels
        let V = c.vocab.count
        // Counts used by the estimator at each order.
        var use = c.raw
        var discountsPerOrder: [[Double]] = []
        if case .kneserNey = smoothing {
            for m in 1..<order {   // continuation counts, except n-grams starting with <s>
                var adj = [UInt64](repeating: 0, count: levels[m - 1].count)
                let hi = levels[m]
                for h in 0..<hi.count { adj[Int(hi.suffix[h])] += 1 }
                let lvl = levels[m - 1]
                for g in 0..<lvl.count where lvl.first[g] == NGramTables.bos { adj[g] = c.raw[m - 1][g] }
                use[m - 1] = adj
            }
            use[0][Int(NGramTables.bos)] = 0; use[0][Int(NGramTables.unk)] = 0
            for m in 1...order {
                var n = [UInt64](repeating: 0, count: 5)
                for x in use[m - 1] where x > 0 && x < 5 { n[Int(x)] += 1 }
                discountsPerOrder.append(discounts(n))
            }
        }
        var a: [[Double]] = levels.map { [Double](repeating: .nan, count: $0.count) }
        var gamma: [[Double]] = levels.map { [Double](repeating: .nan, count: $0.count) }
        var rootGamma = 1.0
        // Which contexts are "full" (add-k only estimates at full contexts).
        func fullContext(_ m: Int, _ g: Int) -> Bool {   // context of order m (m = 0: root)
            if m == order - 1 { return true }
            if m == 0 { return false }
            return levels[m - 1].first[g] == NGramTables.bos
        }
        for m in 1...order {
            let lvl = levels[m - 1], cnt = use[m - 1]
            let nctx = m == 1 ? 1 : levels[m - 2].count
            var denom = [Double](repeating: 0, count: nctx)
            var mass = [Double](repeating: 0, count: nctx)    // numerator of γ
            let D = discountsPerOrder.isEmpty ? [] : discountsPerOrder[m - 1]
            for g in 0..<lvl.count where cnt[g] > 0 {
                let h = m == 1 ? 0 : Int(lvl.prefix[g])
                let x = cnt[g]
                denom[h] += Double(x)
                switch smoothing {
                case .kneserNey: mass[h] += D[Int(min(x, 3))]
                case .wittenBell: mass[h] += 1
                case .addK: break
                }
            }
            var usesCtx = [Bool](repeating: true, count: nctx)
            if case .addK(let k) = smoothing {
                for h in 0..<nctx { usesCtx[h] = fullContext(m - 1, h) }
                for h in 0..<nctx where usesCtx[h] { mass[h] = k * Double(V - 1) }
            }
            if case .wittenBell = smoothing { for h in 0..<nctx { denom[h] += mass[h] } }
            if case .addK = smoothing { for h in 0..<nctx { denom[h] += mass[h] } }
            for g in 0..<lvl.count {
                let h = m == 1 ? 0 : Int(lvl.prefix[g])
                let x = cnt[g]
                if m == 1 { a[0][g] = 0 }
                guard x > 0, usesCtx[h], denom[h] > 0 else { continue }
                switch smoothing {
                case .kneserNey: a[m - 1][g] = (Double(x) - D[Int(min(x, 3))]) / denom[h]
                case .wittenBell, .addK: a[m - 1][g] = Double(x) / denom[h]
                }
            }
            for h in 0..<nctx {
                let gm: Double = usesCtx[h] && denom[h] > 0 ? mass[h] / denom[h] : 1
                if m == 1 { rootGamma = gm } else if denom[h] > 0 && usesCtx[h] { gamma[m - 2][h] = gm }
            }
        }
        // Contexts are the prefixes of stored n-grams (and for add-k their suffix closure, done in build).
        for m in stride(from: 2, through: order, by: 1) {
            let lvl = levels[m - 1]
            for g in 0..<lvl.count where !a[m - 1][g].isNaN && gamma[m - 2][Int(lvl.prefix[g])].isNaN {
                gamma[m - 2][Int(lvl.prefix[g])] = 1
            }
        }
        // n-grams of order < order that are not contexts keep NaN γ; unused at the top order.
        let t = NGramTables.build(order: order, vocab: c.vocab, localOf: c.localOf, levels: levels,
                                  a: a, gamma: gamma, rootGamma: rootGamma)
        return (t, discountsPerOrder)
    }
}
