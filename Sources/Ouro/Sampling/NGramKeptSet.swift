import Foundation

// The exact bounded shortcut for filtered sampling (min_p, top_k, top_p; any temperature for min_p
// and top_k). See docs/ngram.md, "Sampling", for the argument; in short:
//
// Every option of the pipeline without a repetition penalty is a function of the tokens' order by
// probability: temperature is monotone, top-k keeps the first k (and ties), top-p keeps a prefix of
// the descending order, min-p keeps `{w : p(w)^(1/T) ≥ min_p · p_max^(1/T)} = {w : p(w) ≥ min_p^T · p_max}`,
// another prefix. So the kept set is a prefix of the vocabulary in descending `p(w | h)`, and only
// that prefix must be produced. For one component, `p_d(w) = a_d(w) + γ_d · p_{d−1}(w)` and a word
// not seen after the depth-`d` context has `p_d(w) = γ_d · p_{d−1}(w)` exactly: the descending order
// of level `d` is the merge of its few seen entries (sorted once) with the descending order of level
// `d − 1` scaled by `γ_d` (skipping the entries). Level 0 (unigram + uniform) is sorted once per
// model. Each level's order is produced lazily and cached per context node, so a context costs its
// entries plus the prefix it reads. A mixture `Σ_c λ_c p_c` is ordered by a threshold scan over
// the components' orders: any word not yet read has `p(w) ≤ Σ_c λ_c · (next value of c)`.

extension GenerationParams {
    /// Whether the kept set can be found by the bounded shortcut: at least one filter that keeps a
    /// bounded prefix (top-p alone at T ≠ 1 bounds the unread part of `Σ p^(1/T)`, and declines
    /// the contexts where the bounds do not settle the cut within `topPReadLimit` tokens). A repetition penalty moves only the seen tokens: the stream of the penalized
    /// distribution is the unpenalized stream without them, merged with them at their penalized values.
    var allowsShortcut: Bool {
        minP > 0 || topK > 0 || topP < 1
    }

    /// The kept set and its probabilities from a descending stream of the distribution.
    /// - Parameters:
    ///   - next: the next token (union index), its probability and its log-value before temperature
    ///     (`log p`, or the penalized value for a seen token), in descending order of the log-value
    ///     (ties by index ascending); `nil` when no token with probability > 0 is left.
    ///   - total: `Σ p` over the whole vocabulary (used by top-p without top-k).
    ///   - vocabulary: an upper bound on the number of tokens the stream can yield (top-p at T ≠ 1).
    /// - Returns: the kept indices ascending and the running sum of their processed probabilities
    ///   (the same arrays the full path builds from `process`), or `nil` when the prefix cannot be
    ///   bounded exactly (the caller then takes the full path).
    func keptPrefix(total: Double, vocabulary: Int, next: () -> (Int32, Double, Double)?) -> (idx: [Int32], cum: [Double])? {
        var U: [Int32] = [], P: [Double] = [], L: [Double] = []
        var exhausted = false
        func fetch(_ i: Int) -> Bool {
            while U.count <= i {
                if exhausted { return false }
                guard let (u, p, lp) = next() else { exhausted = true; return false }
                var l = lp
                if temperature != 1 { l /= temperature }
                U.append(u); P.append(p); L.append(l)
            }
            return true
        }
        guard fetch(0) else { return nil }
        let l0 = L[0]
        // top-k: the first k and every tie with the k-th.
        var K = Int.max
        if topK > 0 {
            if fetch(topK - 1) {
                let kth = L[topK - 1]
                var i = topK
                while fetch(i) && L[i] >= kth { i += 1 }
                K = i
            } else { K = U.count }
        }
        // min-p: exp(l − l_max) ≥ min_p, i.e. p ≥ min_p^T · p_max.
        var M = Int.max
        if minP > 0 {
            var i = 0
            while i < K && fetch(i) && Foundation.exp(L[i] - l0) >= minP { i += 1 }
            M = i
        }
        // top-p: keep while the normalised mass before a token is < top_p.
        var Pn = Int.max
        if topP < 1 {
            let bound = min(K, M)
            var s = 0.0
            if K != Int.max {
                for i in 0..<K { s += Foundation.exp(L[i] - l0) }
            } else if temperature == 1 {
                s = total / P[0]
            } else if bound == Int.max {
                // top-p alone at T ≠ 1: the normaliser Σ q over the whole vocabulary is bounded from
                // the tokens read and the mass not yet read (below); read until both bounds give the same cut.
                guard let n = boundedTopPCut(fetch: fetch, L: { L[$0] }, P: { P[$0] }, count: { U.count },
                                             exhausted: { exhausted }, total: total, vocabulary: vocabulary) else { return nil }
                s = .nan
                Pn = n
            } else if bound != Int.max {
                // Σ over all tokens ≥ Σ over those produced: if the prefix kept by min-p is kept by
                // top-p under that lower bound of the normaliser, it is kept under the true one.
                var lo = 0.0, before = 0.0
                for i in 0..<U.count { let e = Foundation.exp(L[i] - l0); lo += e; if i < bound - 1 { before += e } }
                guard before < topP * lo * (1 - 1e-12) else { return nil }
                s = .nan
                Pn = bound
            } else { return nil }
            if !s.isNaN {
                var cum = 0.0, i = 0
                while i < bound && fetch(i) {
                    if i > 0 && cum >= topP { break }
                    cum += Foundation.exp(L[i] - l0) / s
                    i += 1
                }
                Pn = i
            }
        }
        let F = min(K, M, Pn)
        guard F != Int.max, F >= 1 else { return nil }
        var order = Array(0..<F)
        order.sort { U[$0] < U[$1] }
        var e = [Double](repeating: 0, count: F), s = 0.0
        for (j, i) in order.enumerated() { e[j] = Foundation.exp(L[i] - l0); s += e[j] }
        var idx = [Int32](repeating: 0, count: F), cum = [Double](repeating: 0, count: F)
        var acc = 0.0
        for (j, i) in order.enumerated() { acc += e[j] / s; idx[j] = U[i]; cum[j] = acc }
        return (idx, cum)
    }

    /// Tokens the top-p cut at T ≠ 1 may read before the shortcut declines (flat distributions keep
    /// most of the vocabulary; the full path is then as fast).
    static var topPReadLimit: Int { 4096 }

    /// The top-p cut at temperature T ≠ 1 without top-k: the number of tokens kept, or nil when the
    /// bounds do not settle it within `topPReadLimit` tokens.
    ///
    /// With `q = (p / p₀)^α`, α = 1/T, the cut keeps rank r while `Σ_{k<r} q_k < top_p · Z`,
    /// `Z = Σ_w q(w)`. After reading r tokens (descending p), the unread tokens have mass
    /// `R = total − Σ_read p`, each `p ≤ b` (the last read), and there are at most `N = vocabulary − r`.
    /// For α < 1 (concave) `R·b^(α−1) ≤ Σ_unread p^α ≤ N^(1−α)·R^α`; for α > 1 (convex)
    /// `N^(1−α)·R^α ≤ Σ_unread p^α ≤ R·b^(α−1)`. The cut is monotone in Z: when the cuts at both
    /// bounds (widened by 1e-12 relative) agree, it is the cut at the true Z.
    func boundedTopPCut(fetch: (Int) -> Bool, L: (Int) -> Double, P: (Int) -> Double, count: () -> Int,
                        exhausted: () -> Bool, total: Double, vocabulary: Int) -> Int? {
        let alpha = 1 / temperature
        let l0 = L(0), p0a = Foundation.pow(P(0), alpha)
        var Q = [0.0]          // Q[j] = Σ_{k<j} q_k
        var pRead = 0.0
        /// The cut at normaliser z: the first r ≥ 1 with Q[r] ≥ top_p · z, if within the read tokens.
        func cut(_ z: Double) -> Int? {
            let t = topP * z
            var lo = 1, hi = Q.count   // search r in 1..<Q.count
            while lo < hi { let mid = (lo + hi) >> 1; if Q[mid] >= t { hi = mid } else { lo = mid + 1 } }
            return lo < Q.count ? lo : nil
        }
        var r = 0
        while true {
            let want = max(16, 2 * r)
            while r < want && fetch(r) {
                Q.append(Q[r] + Foundation.exp(L(r) - l0))
                pRead += P(r)
                r += 1
            }
            if exhausted() && count() == r {
                // Everything read: Z is the sum itself (the full path's cut up to rounding).
                return cut(Q[r]) ?? r
            }
            let R = max(0, total - pRead), b = P(r - 1)
            let N = Double(max(vocabulary - r, 1))
            let spread = Foundation.pow(N, 1 - alpha) * Foundation.pow(R, alpha)
            let peaked = R * Foundation.pow(b, alpha - 1)
            let (tailLo, tailHi) = alpha < 1 ? (peaked, spread) : (spread, peaked)
            let zLo = (Q[r] + tailLo / p0a) * (1 - 1e-12), zHi = (Q[r] + tailHi / p0a) * (1 + 1e-12)
            if let a = cut(zLo), let c = cut(zHi), a == c { return a }
            if r >= GenerationParams.topPReadLimit { return nil }
        }
    }
}

extension Generator {
    /// The kept set of the context `h` by the bounded shortcut (see the top of this file), or `nil`
    /// when it cannot be bounded exactly. Fills `chains` with each component's context chain.
    mutating func shortcutKept(_ h: NGramModel.History, seen: Set<Int> = []) -> (idx: [Int32], cum: [Double])? {
        let C = comps.count
        for c in 0..<C {
            h.local[c].withUnsafeBufferPointer { comps[c].chain($0, into: &chains[c]) }
        }
        let prm = params
        if C == 1 {
            let o = orders[0], s = o.stream(chains[0]), map = unionOf[0]
            var i = 0
            let total = prm.topP < 1 ? comps[0].totalMass(nodes: chains[0]) : 1
            return penalizedPrefix(total: total, seen: seen) {
                guard o.ensure(s, i) else { return nil }
                defer { i += 1 }
                return (Int32(map[Int(s.words[i])]), s.probs[i])
            }
        }
        // Mixture: threshold scan. A word not read from any component's order has
        // p(w) = Σ_c λ_c p_c(w) ≤ Σ_c λ_c · next_c (same summation order, rounding is monotone).
        let os = orders, ts = comps, wts = model.weights, maps = unionOf, uv = unionVocab, ch = chains
        let streams = (0..<C).map { os[$0].stream(ch[$0]) }
        var pos = [Int](repeating: 0, count: C)
        stamp &+= 1
        if stamp == 0 { for i in 0..<marks.count { marks[i] = 0 }; stamp = 1 }
        let st = stamp
        var mk = marks
        marks = []
        defer { marks = mk }
        var heap = NGramCandidateHeap()
        var total = 0.0
        if prm.topP < 1 { for c in 0..<C { total += wts[c] * ts[c].totalMass(nodes: ch[c]) } }
        return penalizedPrefix(total: total, seen: seen) {
            while true {
                var bound = 0.0, best = -1, bestV = 0.0
                for c in 0..<C {
                    let v = os[c].ensure(streams[c], pos[c]) ? streams[c].probs[pos[c]] : 0
                    let x = wts[c] * v
                    bound += x
                    if x > bestV { bestV = x; best = c }
                }
                if let top = heap.top, top.p > bound || best < 0 { heap.pop(); return (top.u, top.p) }
                if best < 0 { return nil }
                let w = streams[best].words[pos[best]]
                pos[best] += 1
                let u = maps[best][Int(w)]
                if mk[u] != st {
                    mk[u] = st
                    let g = uv[u]
                    var p = 0.0
                    for c in 0..<C {
                        let l = ts[c].local(g)
                        if l != UInt32.max { p += wts[c] * ts[c].prob(l, nodes: ch[c]) }
                    }
                    if p > 0 { heap.push(p, Int32(u)) }
                }
            }
        }
    }

    /// `keptPrefix` over the descending stream `next` of `p(w | h)`, with the repetition penalty
    /// applied to the `seen` tokens (union indices): they are dropped from the stream and merged
    /// back at their penalized log-values `θ · log p` (or `log p / θ` for `log p ≥ 0`), the same
    /// arithmetic as `process`; `total` becomes the penalized mass. Needs `chains` filled.
    func penalizedPrefix(total: Double, seen: Set<Int>, next: () -> (Int32, Double)?) -> (idx: [Int32], cum: [Double])? {
        let theta = params.repetitionPenalty
        guard theta != 1 && !seen.isEmpty else {
            return params.keptPrefix(total: total, vocabulary: unionVocab.count) { next().map { ($0.0, $0.1, Foundation.log($0.1)) } }
        }
        // The seen tokens at their penalized values, in stream order (value descending, index ascending).
        var moved: [(u: Int32, p: Double, l: Double)] = []
        var total = total
        for u in seen {
            let g = unionVocab[u]
            var p = 0.0
            for (c, t) in comps.enumerated() {
                let l = t.local(g)
                if l != UInt32.max { p += model.weights[c] * t.prob(l, nodes: chains[c]) }
            }
            guard p > 0 else { continue }
            let l = Foundation.log(p)
            let lp = l < 0 ? l * theta : l / theta
            let pp = Foundation.exp(lp)
            total += pp - p
            moved.append((Int32(u), pp, lp))
        }
        moved.sort { $0.l != $1.l ? $0.l > $1.l : $0.u < $1.u }
        var j = 0
        var peeked: (Int32, Double, Double)?? = nil   // .some(nil): the stream is exhausted
        return params.keptPrefix(total: total, vocabulary: unionVocab.count) {
            if peeked == nil {
                var b = next()
                while let x = b, seen.contains(Int(x.0)) { b = next() }
                peeked = .some(b.map { ($0.0, $0.1, Foundation.log($0.1)) })
            }
            let base = peeked!
            if j < moved.count {
                let m = moved[j]
                if let b = base, b.2 > m.l || (b.2 == m.l && b.0 < m.u) { peeked = nil; return b }
                j += 1
                return (m.u, m.p, m.l)
            }
            guard let b = base else { return nil }
            peeked = nil
            return b
        }
    }
}
