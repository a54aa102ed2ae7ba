import Foundation
import CSupport

/// One interpolated n-gram distribution in compact form.
///
/// Every smoothing Ouro offers (and every ARPA backoff model) is stored as the recursion
/// `p_d(w) = a_d(h_d w) + γ(h_d) · p_{d−1}(w)`, `p_{−1}(w) = 1/V` (uniform over the vocabulary
/// without `<s>`), where `h_d` is the context of length `d` (the last `d` tokens) and `a` is zero for
/// words never seen after `h_d`. Contexts are nodes of a trie keyed by the context read backwards
/// (most recent token first), so the contexts of increasing length are found by successive child
/// steps. A node holds `γ`, the range of its children (one token further back) and the range of its
/// entries: the words seen after it with their `a` stored as a running (cumulative) sum, which lets
/// the sampler pick an entry with a binary search.
///
/// Token ids inside the tables are *local* (0 `<unk>`, 1 `<s>`, 2 `</s>`, then the model's words).
struct NGramTables: Sendable {
    static let unk: UInt32 = 0, bos: UInt32 = 1, eos: UInt32 = 2

    let order: Int
    /// Local id → global (`Vocabulary.shared`) id.
    var vocab: [UInt32]
    /// Global id → local id (`UInt32.max` when absent); indexed by global id.
    var localOf: [UInt32]
    /// `V`: the size of the uniform base distribution (local types without `<s>`).
    var uniformCount: Int
    /// Root (empty context): `γ` and cumulative `a` over all local ids.
    var rootGamma: Double
    var rootCum: [Double]
    /// Local id → node index at depth 1, or −1.
    var depth1: [Int32]
    /// Nodes at depth `d` are at index `d − 1`.
    var nodeWord: [[UInt32]]
    var nodeGamma: [[Double]]
    /// Start of each node's children at depth `d + 1` (count + 1 values; empty at the deepest level).
    var nodeChild: [[UInt32]]
    /// Start of each node's entries (count + 1 values).
    var nodeEntry: [[UInt32]]
    /// Entries under depth-`d` nodes (n-grams of order `d + 1`) at index `d − 1`.
    var entWord: [[UInt32]]
    var entCum: [[Double]]
    /// Lazily computed sampling aids, shared by every copy of these tables (e.g. the components of
    /// fine-tuned mixtures built from them).
    let aux = NGramTablesAux()

    var bytes: Int {
        var b = vocab.count * 4 + localOf.count * 4 + rootCum.count * 8 + depth1.count * 4
        for d in 0..<nodeWord.count {
            b += nodeWord[d].count * 4 + nodeGamma[d].count * 8 + nodeChild[d].count * 4 + nodeEntry[d].count * 4
            b += entWord[d].count * 4 + entCum[d].count * 8
        }
        return b
    }

    /// Stored n-grams per order (1-based index 0 = unigrams).
    var ngramCounts: [Int] {
        var c = [vocab.count]
        for d in 0..<entWord.count { c.append(entWord[d].count) }
        return c
    }

    @inline(__always) func local(_ global: UInt32) -> UInt32 {
        Int(global) < localOf.count ? localOf[Int(global)] : UInt32.max
    }

    @inline(__always) func rootA(_ w: UInt32) -> Double {
        let i = Int(w)
        return i == 0 ? rootCum[0] : rootCum[i] - rootCum[i - 1]
    }

    /// Index of `w` among the entries of node `n` at depth `d`, or −1.
    @inline(__always) func findEntry(depth d: Int, node n: Int, word w: UInt32) -> Int {
        let starts = nodeEntry[d - 1]
        return Self.search(entWord[d - 1], Int(starts[n]), Int(starts[n + 1]), w)
    }

    /// Index of `w` in the sorted `words[lo..<hi]`, or −1 (binary search).
    @inline(__always) static func search(_ words: [UInt32], _ lo: Int, _ hi: Int, _ w: UInt32) -> Int {
        var lo = lo, hi = hi
        while lo < hi {
            let mid = (lo + hi) >> 1
            let x = words[mid]
            if x == w { return mid }
            if x < w { lo = mid + 1 } else { hi = mid }
        }
        return -1
    }

    @inline(__always) func entryA(depth d: Int, node n: Int, index i: Int) -> Double {
        let cum = entCum[d - 1]
        return i == Int(nodeEntry[d - 1][n]) ? cum[i] : cum[i] - cum[i - 1]
    }

    /// Child of node `n` at depth `d` whose context extends one token further back with `w`, or −1.
    @inline(__always) func child(depth d: Int, node n: Int, word w: UInt32) -> Int {
        if d == 0 { return Int(w) < depth1.count ? Int(depth1[Int(w)]) : -1 }
        if d >= order - 1 { return -1 }
        let starts = nodeChild[d - 1]
        return Self.search(nodeWord[d], Int(starts[n]), Int(starts[n + 1]), w)
    }

    /// The chain of context nodes for a local context (most recent last): `nodes[d-1]` is the node at
    /// depth `d`; stops at the first context never seen.
    @inline(__always) func chain(_ ctx: UnsafeBufferPointer<UInt32>, into nodes: inout [Int]) {
        nodes.removeAll(keepingCapacity: true)
        var n = 0, d = 0
        while d < order - 1 && d < ctx.count {
            let c = child(depth: d, node: n, word: ctx[ctx.count - 1 - d])
            if c < 0 { break }
            nodes.append(c); n = c; d += 1
        }
    }

    /// `p(w | chain)` for a local word id.
    @inline(__always) func prob(_ w: UInt32, nodes: [Int]) -> Double {
        prob(w, nodes: nodes, levels: nodes.count)
    }

    /// `p(w | context)` for a local word id and a local context (most recent last): `chain` and
    /// `prob(_:nodes:)` in one walk, with the same arithmetic in the same order (the same bits).
    @inline(__always) func prob(_ w: UInt32, context ctx: UnsafeBufferPointer<UInt32>) -> Double {
        if w == NGramTables.bos || Int(w) >= vocab.count { return 0 }
        var p = rootA(w) + rootGamma / Double(uniformCount)
        var n = 0, d = 0
        while d < order - 1 && d < ctx.count {
            let c = child(depth: d, node: n, word: ctx[ctx.count - 1 - d])
            if c < 0 { break }
            n = c; d += 1
            let i = findEntry(depth: d, node: n, word: w)
            p = (i >= 0 ? entryA(depth: d, node: n, index: i) : 0) + nodeGamma[d - 1][n] * p
        }
        return p
    }

    /// `p_k(w)`: the distribution of the chain's first `k` nodes (`k` = 0: the unigram level, which
    /// interpolates with the uniform distribution). Same arithmetic as `prob`, so the same bits.
    @inline(__always) func prob(_ w: UInt32, nodes: [Int], levels k: Int) -> Double {
        if w == NGramTables.bos || Int(w) >= vocab.count { return 0 }
        var p = rootA(w) + rootGamma / Double(uniformCount)
        var d = 1
        while d <= k {
            let n = nodes[d - 1]
            let i = findEntry(depth: d, node: n, word: w)
            p = (i >= 0 ? entryA(depth: d, node: n, index: i) : 0) + nodeGamma[d - 1][n] * p
            d += 1
        }
        return p
    }

    /// `Σ_w p(w | chain)` computed from the structure (`Σ a` per level plus `γ` times the level
    /// below); 1 up to rounding for fitted models, the file's own mass for imported ARPA models.
    func totalMass(nodes: [Int]) -> Double {
        var t = rootCum[rootCum.count - 1] - rootA(NGramTables.bos) + rootGamma
        for (k, n) in nodes.enumerated() {
            let s = Int(nodeEntry[k][n]), e = Int(nodeEntry[k][n + 1])
            t = (e > s ? entCum[k][e - 1] : 0) + nodeGamma[k][n] * t
        }
        return t
    }

    /// The local ids with `p_0(w) > 0` (the unigram level, `<s>` excluded) sorted by `p_0`
    /// descending, ties by global id ascending (the reference order of top-p), with their `p_0`. Computed once per table set.
    /// - Complexity: O(V log V) the first time, O(1) after.
    var rootOrder: (words: [UInt32], probs: [Double]) { aux.rootOrder(self) }

    /// The full next-token distribution over local ids for a chain.
    func distribution(nodes: [Int]) -> [Double] {
        var p = [Double](repeating: 0, count: vocab.count)
        let u = rootGamma / Double(uniformCount)
        for w in 0..<vocab.count where w != Int(NGramTables.bos) { p[w] = rootA(UInt32(w)) + u }
        for (k, n) in nodes.enumerated() {
            let d = k + 1, g = nodeGamma[d - 1][n]
            for w in 0..<p.count { p[w] *= g }
            let s = Int(nodeEntry[d - 1][n]), e = Int(nodeEntry[d - 1][n + 1])
            for i in s..<e { p[Int(entWord[d - 1][i])] += entryA(depth: d, node: n, index: i) }
        }
        return p
    }
}

// MARK: - Building from n-gram sets

/// N-grams of one order as ids: n-gram `g` of order `m` is `(prefix[g], last[g])`, where `prefix` is
/// an id of order `m − 1` (unigram ids are local word ids). Used by estimation and ARPA import.
struct NGramLevel {
    var prefix: [Int32] = []
    var last: [UInt32] = []
    var suffix: [Int32] = []   // id of order m − 1 after dropping the first word (−1 for unigrams)
    var first: [UInt32] = []
    var count: Int { last.count }
}

/// An open-addressing hash from a packed 64-bit key to a dense `Int32` id.
struct PackedKeyTable {
    /// One slot: key and value side by side, so a probe touches one cache line.
    private struct Slot { var key: UInt64; var value: Int32 }
    private var slots: [Slot]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int) {
        var c = 16
        while c < capacity * 2 { c <<= 1 }
        slots = [Slot](repeating: Slot(key: 0, value: -1), count: c); mask = c - 1
    }

    @inline(__always) static func hash(_ k: UInt64) -> Int { Int(truncatingIfNeeded: SplitMix64.mix(k)) }

    /// The id of `key`, inserting `next` if absent. Returns (id, inserted).
    @inline(__always) mutating func insert(_ key: UInt64, next: Int32) -> (Int32, Bool) {
        if (count + 1) * 2 > slots.count { grow() }
        let m = mask
        return slots.withUnsafeMutableBufferPointer { b in
            var i = PackedKeyTable.hash(key) & m
            while b[i].value >= 0 {
                if b[i].key == key { return (b[i].value, false) }
                i = (i + 1) & m
            }
            b[i] = Slot(key: key, value: next)
            count += 1
            return (next, true)
        }
    }

    /// Brings the slot where a probe for `key` starts into the cache (no effect on the contents).
    @inline(__always) func prefetch(_ key: UInt64) {
        let i = PackedKeyTable.hash(key) & mask
        slots.withUnsafeBufferPointer { ouro_prefetch($0.baseAddress! + i) }
    }

    @inline(__always) func find(_ key: UInt64) -> Int32 {
        var i = PackedKeyTable.hash(key) & mask
        while slots[i].value >= 0 {
            if slots[i].key == key { return slots[i].value }
            i = (i + 1) & mask
        }
        return -1
    }

    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Slot(key: 0, value: -1), count: old.count * 2)
        mask = slots.count - 1; count = 0
        for s in old where s.value >= 0 { _ = insert(s.key, next: s.value) }
    }
}

extension NGramTables {
    /// `keys` (distinct `parent << 32 | word` keys with their n-gram index) in ascending key
    /// order: a counting sort on the parent (`< parents`), then each parent's run by word
    /// (insertion sort for short runs, a sort of packed `word << 32 | index` values otherwise);
    /// `starts[p]` is where parent `p`'s run begins (`parents + 1` values).
    /// - Complexity: O(n + parents + Σ run log run).
    static func sortedByKey(_ keys: [(UInt64, Int32)], parents: Int) -> (keys: [(UInt64, Int32)], starts: [UInt32]) {
        var starts = [Int](repeating: 0, count: parents + 1)
        for (k, _) in keys { starts[Int(k >> 32) + 1] += 1 }
        for i in 1..<starts.count { starts[i] += starts[i - 1] }
        var out = [(UInt64, Int32)](repeating: (0, 0), count: keys.count)
        var next = starts
        for e in keys { let p = Int(e.0 >> 32); out[next[p]] = e; next[p] += 1 }
        var packed: [UInt64] = []
        for p in 0..<parents {
            let lo = starts[p], hi = starts[p + 1]
            if hi - lo <= 1 { continue }
            if hi - lo <= 16 {
                for i in (lo + 1)..<hi {
                    let x = out[i]
                    var j = i
                    while j > lo && out[j - 1].0 > x.0 { out[j] = out[j - 1]; j -= 1 }
                    out[j] = x
                }
            } else {
                packed.removeAll(keepingCapacity: true)
                for i in lo..<hi { packed.append((out[i].0 << 32) | UInt64(UInt32(bitPattern: out[i].1))) }
                packed.sort()
                let parent = UInt64(p) << 32
                for (k, v) in packed.enumerated() { out[lo + k] = (parent | (v >> 32), Int32(bitPattern: UInt32(truncatingIfNeeded: v))) }
            }
        }
        return (out, starts.map { UInt32($0) })
    }

    /// Builds the tables.
    /// - Parameters:
    ///   - levels: `levels[m-1]` holds the n-grams of order `m` (index 0: unigrams, whose ids are local ids).
    ///   - a: `a[m-1][g]` the discounted mass of n-gram `g` (NaN: not stored as an entry). Unigram `a`
    ///     must be a number for every local id.
    ///   - gamma: `gamma[m-1][g]` for n-grams of order `m < order` used as contexts (NaN if not a context).
    ///   - rootGamma: `γ` of the empty context.
    static func build(order: Int, vocab: [UInt32], localOf: [UInt32], levels: [NGramLevel],
                      a: [[Double]], gamma: [[Double]], rootGamma: Double) -> NGramTables {
        let V = vocab.count
        var rootCum = [Double](repeating: 0, count: V)
        var acc = 0.0
        for w in 0..<V { acc += a[0][w]; rootCum[w] = acc }
        // Context closure: every suffix of a context is a context.
        var isCtx: [[Bool]] = (0..<max(order - 1, 0)).map { m in gamma[m].map { !$0.isNaN } }
        for m in stride(from: order - 1, through: 2, by: -1) {
            let lvl = levels[m - 1]
            for g in 0..<lvl.count where isCtx[m - 1][g] { isCtx[m - 2][Int(lvl.suffix[g])] = true }
        }
        var depth1 = [Int32](repeating: -1, count: V)
        var nodeWord: [[UInt32]] = [], nodeGamma: [[Double]] = [], nodeChild: [[UInt32]] = []
        var nodeEntry: [[UInt32]] = [], entWord: [[UInt32]] = [], entCum: [[Double]] = []
        // nodeIndex[m-1][g]: node index of n-gram g of order m (−1 if not a context).
        var nodeIndex: [[Int32]] = []
        for d in 1..<max(order, 1) {
            let lvl = levels[d - 1]
            var keys: [(UInt64, Int32)] = []
            keys.reserveCapacity(lvl.count / 2)
            for g in 0..<lvl.count where isCtx[d - 1][g] {
                let parent: UInt64 = d == 1 ? 0 : UInt64(nodeIndex[d - 2][Int(lvl.suffix[g])])
                keys.append(((parent << 32) | UInt64(lvl.first[g]), Int32(g)))
            }
            let sorted = sortedByKey(keys, parents: d == 1 ? 1 : nodeWord[d - 2].count)
            keys = sorted.keys
            var idx = [Int32](repeating: -1, count: lvl.count)
            var words = [UInt32](repeating: 0, count: keys.count), gam = [Double](repeating: 1, count: keys.count)
            for (i, (k, g)) in keys.enumerated() {
                idx[Int(g)] = Int32(i)
                words[i] = UInt32(truncatingIfNeeded: k)
                let gg = gamma[d - 1][Int(g)]
                gam[i] = gg.isNaN ? 1 : gg
                if d == 1 { depth1[Int(g)] = Int32(i) }
            }
            if d >= 2 { nodeChild[d - 2] = sorted.starts }   // children ranges of the parents (depth d − 1)
            nodeIndex.append(idx); nodeWord.append(words); nodeGamma.append(gam); nodeChild.append([])
        }
        // Entries of order m = d + 1 grouped under depth-d nodes.
        for d in 1..<max(order, 1) {
            let lvl = levels[d]
            var keys: [(UInt64, Int32)] = []
            keys.reserveCapacity(lvl.count)
            for g in 0..<lvl.count where !a[d][g].isNaN {
                let parent = nodeIndex[d - 1][Int(lvl.prefix[g])]
                precondition(parent >= 0, "n-gram without its context")
                keys.append(((UInt64(parent) << 32) | UInt64(lvl.last[g]), Int32(g)))
            }
            let sorted = sortedByKey(keys, parents: nodeWord[d - 1].count)
            keys = sorted.keys
            let starts = sorted.starts
            var words = [UInt32](repeating: 0, count: keys.count), cum = [Double](repeating: 0, count: keys.count)
            var prevParent = UInt64.max, run = 0.0
            for (i, (k, g)) in keys.enumerated() {
                let p = k >> 32
                if p != prevParent { run = 0; prevParent = p }
                run += a[d][Int(g)]
                words[i] = UInt32(truncatingIfNeeded: k); cum[i] = run
            }
            nodeEntry.append(starts); entWord.append(words); entCum.append(cum)
        }
        return NGramTables(order: order, vocab: vocab, localOf: localOf, uniformCount: V - 1,
                           rootGamma: rootGamma, rootCum: rootCum, depth1: order > 1 ? depth1 : [],
                           nodeWord: nodeWord, nodeGamma: nodeGamma, nodeChild: nodeChild,
                           nodeEntry: nodeEntry, entWord: entWord, entCum: entCum)
    }
}


/// Sampling aids of one `NGramTables`, computed on first use (thread-safe) and shared by copies.
final class NGramTablesAux: @unchecked Sendable {
    private let lock = NSLock()
    private var root: (words: [UInt32], probs: [Double])?

    func rootOrder(_ t: NGramTables) -> (words: [UInt32], probs: [Double]) {
        lock.lock(); defer { lock.unlock() }
        if let root { return root }
        let u = t.rootGamma / Double(t.uniformCount)
        var ws: [UInt32] = [], ps: [Double] = []
        ws.reserveCapacity(t.vocab.count)
        var p0 = [Double](repeating: 0, count: t.vocab.count)
        for w in 0..<t.vocab.count where w != Int(NGramTables.bos) {
            let p = t.rootA(UInt32(w)) + u
            p0[w] = p
            if p > 0 { ws.append(UInt32(w)) }
        }
        ws.sort { p0[Int($0)] != p0[Int($1)] ? p0[Int($0)] > p0[Int($1)] : t.vocab[Int($0)] < t.vocab[Int($1)] }
        ps = ws.map { p0[Int($0)] }
        root = (ws, ps)
        return (ws, ps)
    }
}
