import Foundation

extension NGramModel {
    /// Generates `n` documents.
    ///
    /// Each document starts after `<s>` + `params.prompt` and ends at `</s>` (not included) or after
    /// `params.maxNewTokens` new tokens. Document `i` draws from the stream
    /// `Xoshiro256(seed: seed, "generate", .index(i))`, so the output does not depend on `n` or on
    /// threads. The distribution sampled is exactly `params.process` applied to the model's
    /// next-token distribution (see docs/ngram.md for the argument):
    /// - plain sampling (temperature 1, no filter, no penalty) draws level by level: with probability
    ///   `Σ a(h w)` (the discounted mass of the deepest context) one of its seen words, otherwise
    ///   recursively from the shorter context, ending with the uniform distribution — O(order · log)
    ///   per token, no vocabulary-sized work; a mixture first picks a component by its weight;
    /// - min_p / top_k / top_p (top_p alone only at temperature 1) use the bounded shortcut
    ///   (NGramKeptSet.swift): only the prefix of the vocabulary in descending probability that the
    ///   filters keep is produced, exactly, and cached per context (with a repetition penalty, the
    ///   document's seen tokens are merged in at their penalized values and nothing is cached);
    /// - otherwise the processed distribution is built over the vocabulary; without a repetition
    ///   penalty it depends only on the deepest context, so it is cached per context.
    /// - Complexity: plain O(order · log) per token; shortcut O(entries of a new context + kept
    ///   prefix) per new context, O(log) per repeated one; full path O(V log V) per new context.
    /// - Returns: the documents as token ids (prompt included).
    /// - Throws: `NGramError` for invalid options or an unfitted model.
    public func generate(n: Int, params: GenerationParams = GenerationParams(), seed: UInt64) throws -> [[UInt32]] {
        try generate(n: n, params: params, seed: seed, shortcut: true)
    }

    /// `generate`, with the bounded shortcut switched off when `shortcut` is false (tests).
    func generate(n: Int, params: GenerationParams, seed: UInt64, shortcut: Bool) throws -> [[UInt32]] {
        try requireFitted()
        try params.validate()
        guard n >= 0 else { throw NGramError("'n' must be an integer ≥ 0, got \(n)") }
        var gen = Generator(model: self, params: params, shortcut: shortcut)
        return try (0..<n).map { i in
            if i & 63 == 0 { try Interruption.check() }
            var rng = Xoshiro256(seed: seed, "generate", .index(i))
            return gen.document(&rng)
        }
    }
}

extension NGramModel {
    /// The processed next-token distribution after `context` (tokens without `<s>`) as the bounded
    /// shortcut finds it: the kept tokens (global ids ascending) and their probabilities; `nil` when
    /// the options or the context do not allow the shortcut. Tests compare it with `process`.
    /// `seen` (global ids) are the tokens the repetition penalty applies to.
    func shortcutDistribution(context: [UInt32], params: GenerationParams, seen: [UInt32] = []) throws -> [(token: UInt32, probability: Double)]? {
        try requireFitted()
        try params.validate()
        var gen = Generator(model: self, params: params)
        guard gen.useShortcut else { return nil }
        var h = newHistory()
        for x in context { push(x, &h) }
        let seenIndices = Set(seen.compactMap { gen.unionVocab.firstIndex(of: $0) })
        guard let e = gen.shortcutKept(h, seen: seenIndices) else { return nil }
        var prev = 0.0
        return zip(e.idx, e.cum).map { i, c in
            defer { prev = c }
            return (gen.unionVocab[Int(i)], c - prev)
        }
    }
}

/// The sampling engine of one `generate` call.
struct Generator {
    let model: NGramModel
    let params: GenerationParams
    let comps: [NGramTables]
    /// Union index space for the processed path: index → global id, and per component local → index.
    var unionVocab: [UInt32] = []
    var unionOf: [[Int]] = []
    var cache: [UInt64: (idx: [Int32], cum: [Double])] = [:]
    var cached = 0
    var nodes: [Int] = []
    /// The bounded shortcut (NGramKeptSet.swift): level orders per component, chains, marks for the
    /// mixture scan, and the kept sets per context.
    var useShortcut: Bool
    var orders: [NGramLevelOrders] = []
    var chains: [[Int]] = []
    var marks: [UInt32] = []
    var stamp: UInt32 = 0
    var keptCache: [UInt64: (idx: [Int32], cum: [Double])] = [:]
    var keptCacheMix: [[UInt64]: (idx: [Int32], cum: [Double])] = [:]
    var keptHeld = 0
    var declined: Set<UInt64> = []
    var declinedMix: Set<[UInt64]> = []

    /// - Parameter shortcut: whether to use the bounded shortcut where the options allow it
    ///   (false forces the full-vocabulary path; tests compare the two).
    init(model: NGramModel, params: GenerationParams, shortcut: Bool = true) {
        self.model = model; self.params = params; comps = model.components
        useShortcut = shortcut && params.allowsShortcut
        if !params.isPlain {
            let u = model.unionIndex
            unionVocab = u.vocab; unionOf = u.of
        }
        if useShortcut {
            orders = comps.map { NGramLevelOrders($0) }
            chains = comps.map { _ in [] }
            if comps.count > 1 { marks = [UInt32](repeating: 0, count: unionVocab.count) }
        }
    }

    /// A draw by the bounded shortcut, the kept set cached per context; falls back to the full
    /// path for a context whose prefix cannot be bounded exactly.
    mutating func shortcutSample(_ h: NGramModel.History, _ seen: Set<Int>, _ rng: inout Xoshiro256) -> Int {
        for c in 0..<comps.count {
            h.local[c].withUnsafeBufferPointer { comps[c].chain($0, into: &chains[c]) }
        }
        // With a repetition penalty the kept set depends on the document's seen tokens: not cached.
        let cacheable = params.repetitionPenalty == 1 || seen.isEmpty
        func key(_ n: [Int]) -> UInt64 { n.isEmpty ? 0 : (UInt64(n.count) << 32) | UInt64(n[n.count - 1]) }
        let k1 = comps.count == 1 ? key(chains[0]) : 0
        let km = comps.count == 1 ? [] : chains.map(key)
        if cacheable {
            if comps.count == 1 {
                if let e = keptCache[k1] { return Generator.pick(e.idx, e.cum, &rng) }
            } else if let e = keptCacheMix[km] { return Generator.pick(e.idx, e.cum, &rng) }
        }
        if keptHeld > 8_000_000 { keptCache.removeAll(); keptCacheMix.removeAll(); keptHeld = 0 }
        // A context the shortcut declined once (top-p at T ≠ 1 on a flat distribution) goes straight
        // to the full path (exact either way; only the time differs).
        if comps.count == 1 ? declined.contains(k1) : declinedMix.contains(km) {
            return processedSample(h, seen, &rng)
        }
        for o in orders { o.trim() }
        guard let e = shortcutKept(h, seen: seen) else {
            if comps.count == 1 { declined.insert(k1) } else { declinedMix.insert(km) }
            return processedSample(h, seen, &rng)
        }
        if cacheable {
            if comps.count == 1 { keptCache[k1] = e } else { keptCacheMix[km] = e }
            keptHeld += e.idx.count + 8
        }
        return Generator.pick(e.idx, e.cum, &rng)
    }

    mutating func document(_ rng: inout Xoshiro256) -> [UInt32] {
        var h = model.newHistory()
        var out: [UInt32] = []
        out.reserveCapacity(params.prompt.count + 32)
        var seen = Set<Int>()
        for x in params.prompt {
            model.push(x, &h); out.append(x)
            if !params.isPlain, let i = unionVocab.firstIndex(of: model.known(x) ? x : Vocabulary.unk) { seen.insert(i) }
        }
        for _ in 0..<params.maxNewTokens {
            let w: UInt32
            if params.isPlain {
                var c = 0
                if comps.count > 1 {
                    var r = rng.uniform(), acc = 0.0
                    c = comps.count - 1
                    for (k, wt) in model.weights.enumerated() { acc += wt; if r < acc { c = k; break } }
                    r = 0
                }
                let t = comps[c]
                h.local[c].withUnsafeBufferPointer { t.chain($0, into: &nodes) }
                w = t.vocab[Int(Generator.levelSample(t, nodes, &rng))]
            } else {
                let i = useShortcut ? shortcutSample(h, seen, &rng) : processedSample(h, seen, &rng)
                w = unionVocab[i]
                if params.repetitionPenalty != 1 { seen.insert(i) }
            }
            if w == Vocabulary.eos { break }
            out.append(w)
            model.push(w, &h)
        }
        return out
    }

    /// Exact ancestral draw from one component's interpolated distribution (local id).
    static func levelSample(_ t: NGramTables, _ nodes: [Int], _ rng: inout Xoshiro256) -> UInt32 {
        var d = nodes.count
        while d >= 1 {
            let n = nodes[d - 1]
            let s = Int(t.nodeEntry[d - 1][n]), e = Int(t.nodeEntry[d - 1][n + 1])
            let cum = t.entCum[d - 1]
            let aSum = e > s ? cum[e - 1] : 0
            let r = rng.uniform() * (aSum + t.nodeGamma[d - 1][n])
            if r < aSum {
                var lo = s, hi = e - 1
                while lo < hi { let mid = (lo + hi) >> 1; if cum[mid] > r { hi = mid } else { lo = mid + 1 } }
                return t.entWord[d - 1][lo]
            }
            d -= 1
        }
        let cum = t.rootCum
        let aSum = cum[cum.count - 1]
        let r = rng.uniform() * (aSum + t.rootGamma)
        if r < aSum {
            var lo = 0, hi = cum.count - 1
            while lo < hi { let mid = (lo + hi) >> 1; if cum[mid] > r { hi = mid } else { lo = mid + 1 } }
            return UInt32(lo)
        }
        let u = rng.int(below: t.uniformCount)   // uniform over local ids without <s>
        return UInt32(u >= Int(NGramTables.bos) ? u + 1 : u)
    }

    /// A draw from the processed distribution (index into `unionVocab`).
    mutating func processedSample(_ h: NGramModel.History, _ seen: Set<Int>, _ rng: inout Xoshiro256) -> Int {
        var key: UInt64 = .max
        if params.repetitionPenalty == 1 && comps.count == 1 {
            h.local[0].withUnsafeBufferPointer { comps[0].chain($0, into: &nodes) }
            key = nodes.isEmpty ? 0 : (UInt64(nodes.count) << 32) | UInt64(nodes[nodes.count - 1])
            if let e = cache[key] { return Generator.pick(e.idx, e.cum, &rng) }
        }
        var p = [Double](repeating: 0, count: unionVocab.count)
        for (c, t) in comps.enumerated() {
            h.local[c].withUnsafeBufferPointer { t.chain($0, into: &nodes) }
            let d = t.distribution(nodes: nodes)
            let wt = model.weights[c], map = unionOf[c]
            for l in 0..<d.count { p[map[l]] += wt * d[l] }
        }
        let q = params.process(p, seen: { seen.contains($0) })
        var idx: [Int32] = [], cum: [Double] = []
        var acc = 0.0
        for i in 0..<q.count where q[i] > 0 { acc += q[i]; idx.append(Int32(i)); cum.append(acc) }
        if key != .max {
            if cached > 20_000_000 { cache.removeAll(); cached = 0 }
            cache[key] = (idx, cum); cached += idx.count + 8
        }
        return Generator.pick(idx, cum, &rng)
    }

    static func pick(_ idx: [Int32], _ cum: [Double], _ rng: inout Xoshiro256) -> Int {
        let r = rng.uniform() * cum[cum.count - 1]
        var lo = 0, hi = cum.count - 1
        while lo < hi { let mid = (lo + hi) >> 1; if cum[mid] > r { hi = mid } else { lo = mid + 1 } }
        return Int(idx[lo])
    }
}
