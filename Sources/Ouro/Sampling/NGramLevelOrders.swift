import Foundation

// The per-level descending orders that the kept-set shortcut reads (NGramKeptSet.swift explains the
// argument).

/// The lazily produced descending order of one level's distribution `p_d` of one component.
final class NGramLevelStream {
    let depth: Int, node: Int, gamma: Double
    let parent: NGramLevelStream?
    /// The node's seen words with `p_d` as a binary max-heap (larger `p_d` first, ties by smaller
    /// global id — the order `process` breaks ties in); only the prefix that is read gets ordered.
    @exclusivity(unchecked) var heapWords: [UInt32]
    @exclusivity(unchecked) var heapProbs: [Double]
    @exclusivity(unchecked) var heapKeys: [UInt32]
    let hasEntries: Bool
    @exclusivity(unchecked) var pPos = 0
    /// The order produced so far: local ids and their `p_d` (non-increasing, all > 0).
    @exclusivity(unchecked) var words: [UInt32] = []
    @exclusivity(unchecked) var probs: [Double] = []
    @exclusivity(unchecked) var done = false

    init(depth: Int, node: Int, gamma: Double, parent: NGramLevelStream?, heapWords: [UInt32], heapProbs: [Double],
         heapKeys: [UInt32], hasEntries: Bool, words: [UInt32] = [], probs: [Double] = [], done: Bool = false) {
        self.depth = depth; self.node = node; self.gamma = gamma; self.parent = parent
        self.heapWords = heapWords; self.heapProbs = heapProbs; self.heapKeys = heapKeys
        self.words = words; self.probs = probs; self.done = done
        self.hasEntries = hasEntries
        for i in stride(from: heapWords.count / 2 - 1, through: 0, by: -1) { siftDown(i) }
    }

    @inline(__always) private func above(_ i: Int, _ j: Int) -> Bool {
        heapProbs[i] != heapProbs[j] ? heapProbs[i] > heapProbs[j] : heapKeys[i] < heapKeys[j]
    }

    private func siftDown(_ start: Int) {
        var k = start
        let n = heapWords.count
        while true {
            let a = 2 * k + 1, b = a + 1
            var m = k
            if a < n && above(a, m) { m = a }
            if b < n && above(b, m) { m = b }
            if m == k { return }
            heapWords.swapAt(k, m); heapProbs.swapAt(k, m); heapKeys.swapAt(k, m); k = m
        }
    }

    /// Removes the largest entry.
    func popEntry() {
        let last = heapWords.count - 1
        heapWords.swapAt(0, last); heapProbs.swapAt(0, last); heapKeys.swapAt(0, last)
        heapWords.removeLast(); heapProbs.removeLast(); heapKeys.removeLast()
        if !heapWords.isEmpty { siftDown(0) }
    }
}

/// The level orders of one component, cached per context node for one `generate` call.
final class NGramLevelOrders {
    let t: NGramTables
    let root: NGramLevelStream
    @exclusivity(unchecked) private var streams: [UInt64: NGramLevelStream] = [:]
    /// Elements held by the cached streams (bounded: the cache is dropped past `limit`).
    @exclusivity(unchecked) private var held = 0
    private let limit = 8_000_000

    init(_ t: NGramTables) {
        self.t = t
        let r = t.rootOrder
        root = NGramLevelStream(depth: 0, node: 0, gamma: 1, parent: nil, heapWords: [], heapProbs: [], heapKeys: [], hasEntries: false,
                                words: r.words, probs: r.probs, done: true)
    }

    /// Drops the cached streams if they hold too much (call between contexts only).
    func trim() {
        if held > limit { streams.removeAll(); held = 0 }
    }

    /// The stream of the deepest node of `nodes` (the root stream for an empty chain).
    func stream(_ nodes: [Int]) -> NGramLevelStream {
        var s = root
        for d in 1...max(nodes.count, 1) where d <= nodes.count {
            let key = (UInt64(d) << 32) | UInt64(nodes[d - 1])
            if let x = streams[key] { s = x; continue }
            s = make(depth: d, nodes: nodes, parent: s)
            streams[key] = s
        }
        return s
    }

    private func make(depth d: Int, nodes: [Int], parent: NGramLevelStream) -> NGramLevelStream {
        let n = nodes[d - 1], g = t.nodeGamma[d - 1][n]
        let s = Int(t.nodeEntry[d - 1][n]), e = Int(t.nodeEntry[d - 1][n + 1])
        var ws: [UInt32] = [], ps: [Double] = [], ks: [UInt32] = []
        ws.reserveCapacity(e - s); ps.reserveCapacity(e - s); ks.reserveCapacity(e - s)
        let words = t.entWord[d - 1]
        for i in s..<e {
            let w = words[i]
            // p_d(w) = a_d(w) + γ_d · p_{d−1}(w): the same operations as `prob`, so the same bits.
            let p = t.entryA(depth: d, node: n, index: i) + g * t.prob(w, nodes: nodes, levels: d - 1)
            if p > 0 { ws.append(w); ps.append(p); ks.append(t.vocab[Int(w)]) }
        }
        held += ws.count + 8
        return NGramLevelStream(depth: d, node: n, gamma: g, parent: parent, heapWords: ws, heapProbs: ps, heapKeys: ks,
                                hasEntries: e > s)
    }

    /// Ensures `s` has produced position `i`; false if its order has fewer elements.
    @inline(__always) func ensure(_ s: NGramLevelStream, _ i: Int) -> Bool {
        while s.words.count <= i { if !extend(s) { return false } }
        return true
    }

    /// Produces the next element of `s`: the larger of its next seen entry and `γ ·` the next
    /// element of the parent order that is not an entry (ties: smaller global id first).
    private func extend(_ s: NGramLevelStream) -> Bool {
        if s.done { return false }
        guard let par = s.parent else { s.done = true; return false }
        var pw: UInt32 = 0, pv = 0.0
        while ensure(par, s.pPos) {
            let w = par.words[s.pPos]
            if !s.hasEntries || t.findEntry(depth: s.depth, node: s.node, word: w) < 0 {
                pw = w; pv = s.gamma * par.probs[s.pPos]
                break
            }
            s.pPos += 1
        }
        let hasE = !s.heapWords.isEmpty
        if !hasE && !(pv > 0) { s.done = true; return false }
        if hasE && (!(pv > 0) || s.heapProbs[0] > pv || (s.heapProbs[0] == pv && s.heapKeys[0] < t.vocab[Int(pw)])) {
            s.words.append(s.heapWords[0]); s.probs.append(s.heapProbs[0]); s.popEntry()
        } else {
            s.words.append(pw); s.probs.append(pv); s.pPos += 1
        }
        held += 1
        return true
    }
}
