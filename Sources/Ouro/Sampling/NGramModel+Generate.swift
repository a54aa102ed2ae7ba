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
    /// - otherwise the processed distribution is built over the vocabulary; without a repetition
    ///   penalty it depends only on the deepest context, so it is cached per context.
    /// - Returns: the documents as token ids (prompt included).
    /// - Throws: `NGramError` for invalid options or an unfitted model.
    public func generate(n: Int, params: GenerationParams = GenerationParams(), seed: UInt64) throws -> [[UInt32]] {
        try requireFitted()
        try params.validate()
        guard n >= 0 else { throw NGramError("'n' must be an integer ≥ 0, got \(n)") }
        var gen = Generator(model: self, params: params)
        return (0..<n).map { i in
            var rng = Xoshiro256(seed: seed, "generate", .index(i))
            return gen.document(&rng)
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

    init(model: NGramModel, params: GenerationParams) {
        self.model = model; self.params = params; comps = model.components
        if !params.isPlain {
            unionVocab = model.vocabulary
            var pos: [UInt32: Int] = [:]
            for (i, g) in unionVocab.enumerated() { pos[g] = i }
            unionOf = comps.map { t in t.vocab.map { pos[$0]! } }
        }
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
                let i = processedSample(h, seen, &rng)
                w = unionVocab[i]
                seen.insert(i)
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
