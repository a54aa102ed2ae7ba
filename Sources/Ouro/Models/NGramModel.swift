import Foundation

/// Errors of n-gram models, with messages that name the option.
public struct NGramError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ message: String) { description = message }
}

/// A word-level n-gram language model (orders 1–6) over ids of `Vocabulary.shared`.
///
/// Documents are token-id sequences without boundary tokens; the model adds `<s>` before and `</s>`
/// after each document. Smoothing: interpolated modified Kneser–Ney estimated exactly as KenLM's
/// `lmplz` with default options, interpolated Witten–Bell, or add-k (Lidstone) at the full context.
/// A model is either fitted (one component) or a fine-tuned mixture
/// `p(w|h) = Σᵢ λᵢ pᵢ(w|h)` of fitted components (see `finetune`). Formulas: docs/ngram.md.
///
/// Tokens the model never saw score as `<unk>`. Probabilities are exact in `Double`.
public final class NGramModel: CustomStringConvertible, @unchecked Sendable {
    /// The smoothing method.
    public enum Smoothing: Sendable, Equatable {
        case kneserNey
        case wittenBell
        /// Add-k (Lidstone): `(c(hw) + k) / (c(h) + k·V)` at the full context, uniform for unseen contexts.
        case addK(Double)

        /// The Lua-facing name: `kneser-ney`, `witten-bell`, `add-k`.
        public var name: String {
            switch self {
            case .kneserNey: return "kneser-ney"
            case .wittenBell: return "witten-bell"
            case .addK: return "add-k"
            }
        }

        /// Parses `kneser-ney`, `witten-bell`, `add-k` (with `k`, default 1).
        public init(name: String, k: Double = 1) throws {
            switch name {
            case "kneser-ney", "kn": self = .kneserNey
            case "witten-bell", "wb": self = .wittenBell
            case "add-k", "addk", "lidstone":
                guard k > 0, k.isFinite else { throw NGramError("'k' must be a number > 0, got \(k)") }
                self = .addK(k)
            default:
                throw NGramError("'smoothing' must be one of \"kneser-ney\", \"witten-bell\", \"add-k\", got \"\(name)\"")
            }
        }
    }

    /// The base of a logarithm.
    public enum LogBase: Sendable { case e, ten }

    public static let maxOrder = 6

    public let order: Int
    public let smoothing: Smoothing
    /// Fitted components and their weights (one component of weight 1 unless fine-tuned).
    /// Fitted components; a refit replaces them and drops the index maps computed for the old ones.
    private(set) var components: [NGramTables] = [] { didSet { unionAux = NGramUnionAux() } }
    private(set) var weights: [Double] = []
    /// Modified Kneser–Ney discounts `[D0=0, D1, D2, D3+]` per order of the first component (empty otherwise).
    public internal(set) var discounts: [[Double]] = []
    /// Lazily computed index maps for sampling (see `unionIndex`), for the current `components`.
    private var unionAux = NGramUnionAux()

    /// Creates an unfitted model.
    /// - Throws: `NGramError` if `order` is not in 1…6.
    public init(order: Int, smoothing: Smoothing = .kneserNey) throws {
        guard order >= 1 && order <= NGramModel.maxOrder else {
            throw NGramError("'order' must be an integer between 1 and \(NGramModel.maxOrder), got \(order)")
        }
        self.order = order
        self.smoothing = smoothing
    }

    init(order: Int, smoothing: Smoothing, components: [NGramTables], weights: [Double]) {
        self.order = order; self.smoothing = smoothing; self.components = components; self.weights = weights
    }

    /// Creates and fits a model. See `fit(_:)`.
    public convenience init(order: Int, smoothing: Smoothing = .kneserNey, documents: [[UInt32]]) throws {
        try self.init(order: order, smoothing: smoothing)
        try fit(documents)
    }

    /// Whether the model has been fitted (or loaded).
    public var isFitted: Bool { !components.isEmpty }

    /// Fits the model on `documents` (token ids without boundary tokens), replacing any earlier fit.
    /// - Returns: `self`.
    /// - Throws: `NGramError` if there are no documents.
    /// - Complexity: O(order · tokens) expected for counting plus O(n log n) to sort n stored n-grams.
    @discardableResult
    public func fit(_ documents: [[UInt32]]) throws -> NGramModel {
        guard !documents.isEmpty else { throw NGramError("cannot fit an n-gram model on an empty dataset") }
        try Interruption.check()
        let counts = NGramEstimator.count(documents, order: order)
        try Interruption.check()
        let (t, d) = NGramEstimator.tables(counts, order: order, smoothing: smoothing)
        components = [t]; weights = [1]; discounts = d
        return self
    }

    /// Fits on documents given as one flat buffer and `offsets` (document `i` is
    /// `tokens[offsets[i]..<offsets[i+1]]`, so `offsets.count` = documents + 1).
    @discardableResult
    public func fit(tokens: [UInt32], offsets: [Int]) throws -> NGramModel {
        var docs: [[UInt32]] = []
        docs.reserveCapacity(max(offsets.count - 1, 0))
        for i in 0..<max(offsets.count - 1, 0) { docs.append(Array(tokens[offsets[i]..<offsets[i + 1]])) }
        return try fit(docs)
    }

    func requireFitted() throws {
        if components.isEmpty { throw NGramError("the n-gram model has not been fitted (call fit first)") }
    }

    // MARK: - Description and size

    /// Distinct word types the model can score or emit (union over components, without `<s>`).
    public var typeCount: Int { vocabulary.count - 1 }

    /// The global ids of the model's vocabulary (union over components), ascending; includes `<unk>`, `<s>`, `</s>`.
    public var vocabulary: [UInt32] {
        if components.count == 1 { return components[0].vocab.sorted() }
        var s = Set<UInt32>()
        for c in components { s.formUnion(c.vocab) }
        return s.sorted()
    }

    /// The union vocabulary (global ids ascending, as `vocabulary`) and, per component, local id →
    /// index in it. Computed once per model (thread-safe).
    var unionIndex: (vocab: [UInt32], of: [[Int]]) {
        unionAux.get {
            if components.count == 1 {
                let t = components[0]
                let order = (0..<t.vocab.count).sorted { t.vocab[$0] < t.vocab[$1] }
                var map = [Int](repeating: 0, count: t.vocab.count)
                for (i, l) in order.enumerated() { map[l] = i }
                return (order.map { t.vocab[$0] }, [map])
            }
            let v = vocabulary
            var pos: [UInt32: Int] = [:]
            pos.reserveCapacity(v.count)
            for (i, g) in v.enumerated() { pos[g] = i }
            return (v, components.map { t in t.vocab.map { pos[$0]! } })
        }
    }

    /// Stored n-grams per order (index 0 = unigrams), summed over components.
    public var ngramCounts: [Int] {
        var r = [Int](repeating: 0, count: order)
        for c in components { for (i, x) in c.ngramCounts.enumerated() { r[i] += x } }
        return r
    }

    /// Bytes of the model's tables.
    public var storageBytes: Int { components.reduce(0) { $0 + $1.bytes } }

    /// The part of `storageBytes` taken by the global → local id maps (4 bytes per type of the
    /// process-wide vocabulary at fit time, per component).
    var idMapBytes: Int { components.reduce(0) { $0 + $1.localOf.count * 4 } }

    /// `storageBytes` divided by the number of stored n-grams.
    public var bytesPerNGram: Double {
        let n = ngramCounts.reduce(0, +)
        return n == 0 ? 0 : Double(storageBytes) / Double(n)
    }

    static func compact(_ n: Int) -> String {
        if n >= 10_000_000 { return "\(n / 1_000_000)M" }
        if n >= 1_000_000 { return String(format: "%.1fM", Double(n) / 1e6) }
        if n >= 10_000 { return "\(n / 1000)k" }
        if n >= 1000 { return String(format: "%.1fk", Double(n) / 1e3) }
        return "\(n)"
    }

    /// `NGram(order 3, kneser-ney, 12k types, 41k trigrams)`.
    public var description: String {
        let names = ["unigrams", "bigrams", "trigrams", "4-grams", "5-grams", "6-grams"]
        var s = "NGram(order \(order), \(smoothing.name)"
        if !isFitted { return s + ", unfitted)" }
        s += ", \(NGramModel.compact(typeCount)) types, \(NGramModel.compact(ngramCounts[order - 1])) \(names[order - 1])"
        if components.count > 1 { s += ", finetuned mixture of \(components.count)" }
        return s + ")"
    }

    // MARK: - Scoring

    /// Scoring state: per component, the local history.
    struct History {
        var local: [[UInt32]]
    }

    func newHistory() -> History {
        History(local: components.map { _ in [NGramTables.bos] })
    }

    func push(_ global: UInt32, _ h: inout History) {
        for (c, t) in components.enumerated() {
            var l = t.local(global)
            if l == UInt32.max { l = NGramTables.unk }
            h.local[c].append(l)
            if h.local[c].count > order - 1 && h.local[c].count > 8 {
                h.local[c].removeFirst(h.local[c].count - max(order - 1, 1))
            }
        }
    }

    /// Whether the union vocabulary contains `global` (other than through `<unk>`).
    func known(_ global: UInt32) -> Bool {
        for t in components where t.local(global) != UInt32.max { return true }
        return false
    }

    /// `p(w | history)` where unknown words score as `<unk>`.
    func prob(_ global: UInt32, _ h: History, nodes: inout [Int]) -> Double {
        let w = known(global) ? global : Vocabulary.unk
        var p = 0.0
        for (c, t) in components.enumerated() {
            let l = t.local(w)
            if l == UInt32.max { continue }
            h.local[c].withUnsafeBufferPointer { t.chain($0, into: &nodes) }
            p += weights[c] * t.prob(l, nodes: nodes)
        }
        return p
    }

    /// The probability of `token` after `context` (token ids; the document start `<s>` is implied
    /// before the context, so an empty context means "first token").
    public func probability(of token: UInt32, after context: [UInt32]) throws -> Double {
        try requireFitted()
        var h = newHistory()
        for x in context { push(x, &h) }
        var nodes: [Int] = []
        return prob(token, h, nodes: &nodes)
    }

    /// The next-token distribution after `context` over the model's vocabulary (global ids ascending,
    /// `<s>` included with probability 0). Unknown context tokens act as `<unk>`.
    /// - Complexity: O(V · order).
    public func nextTokenDistribution(context: [UInt32]) throws -> [(token: UInt32, probability: Double)] {
        try requireFitted()
        var h = newHistory()
        for x in context { push(x, &h) }
        var acc: [UInt32: Double] = [:]
        var nodes: [Int] = []
        for (c, t) in components.enumerated() {
            h.local[c].withUnsafeBufferPointer { t.chain($0, into: &nodes) }
            let d = t.distribution(nodes: nodes)
            for (l, p) in d.enumerated() { acc[t.vocab[l], default: 0] += weights[c] * p }
        }
        return acc.keys.sorted().map { ($0, acc[$0]!) }
    }

    /// The log probability of a document: `Σ log p(wᵢ | <s> w₁ … wᵢ₋₁)` over its tokens and, when
    /// `eos` is true, the final `</s>` (as KenLM's `score(…, bos=True, eos=True)`).
    /// - Parameter base: `.e` (natural log) or `.ten` (log10, KenLM's unit).
    public func logprob(_ tokens: [UInt32], base: LogBase = .e, eos: Bool = true) throws -> Double {
        try requireFitted()
        var scratch: [UInt32] = []
        let s = naturalLogprob(tokens, eos: eos, scratch: &scratch)
        return base == .e ? s : s / Foundation.log(10)
    }

    /// `Σ ln p` of a document (and its `</s>` when `eos`), as `prob` after `push` of each token:
    /// each component's local ids are mapped once into `scratch` (`<s>`, then the tokens with
    /// unknown words as the component's `<unk>`), and each token is scored against the slice
    /// before it in one trie walk.
    func naturalLogprob(_ tokens: [UInt32], eos: Bool, scratch: inout [UInt32]) -> Double {
        let k = max(order - 1, 1)
        let n = tokens.count + (eos ? 1 : 0)
        // The word scored at each position: unknown to every component → <unk>.
        var s = 0.0
        if components.count == 1 {
            let t = components[0]
            fillLocal(t, tokens, eos: eos, into: &scratch)
            scratch.withUnsafeBufferPointer { local in
                for i in 0..<n {
                    // scored word: its local id if known, else <unk>'s (local 0 exists in every table)
                    let w = local[i + 1]
                    let ctx = UnsafeBufferPointer(rebasing: local[max(0, i + 1 - k)..<(i + 1)])
                    s += Foundation.log(t.prob(w, context: ctx))
                }
            }
            return s
        }
        var probs = [Double](repeating: 0, count: n)
        for (c, t) in components.enumerated() {
            fillLocal(t, tokens, eos: eos, into: &scratch)
            let weight = weights[c]
            scratch.withUnsafeBufferPointer { local in
                for i in 0..<n {
                    let global = i < tokens.count ? tokens[i] : Vocabulary.eos
                    // The mixture scores an unknown word as <unk> in every component that has it.
                    let l = known(global) ? t.local(global) : t.local(Vocabulary.unk)
                    if l == UInt32.max { continue }
                    let ctx = UnsafeBufferPointer(rebasing: local[max(0, i + 1 - k)..<(i + 1)])
                    probs[i] += weight * t.prob(l, context: ctx)
                }
            }
        }
        for p in probs { s += Foundation.log(p) }
        return s
    }

    /// `<s>`, then the local id of each token (`<unk>` when the component lacks it), then `</s>`.
    private func fillLocal(_ t: NGramTables, _ tokens: [UInt32], eos: Bool, into out: inout [UInt32]) {
        out.removeAll(keepingCapacity: true)
        out.append(NGramTables.bos)
        for x in tokens {
            let l = t.local(x)
            out.append(l == UInt32.max ? NGramTables.unk : l)
        }
        if eos { out.append(NGramTables.eos) }
    }

    /// Perplexity as KenLM and SRILM define it: `exp(−Σ log p / N)` where the sum and `N` run over
    /// every token and each document's `</s>` (not `<s>`); unknown tokens score as `<unk>`.
    public func perplexity(_ documents: [[UInt32]]) throws -> Double {
        try requireFitted()
        var s = 0.0, n = 0
        var scratch: [UInt32] = []
        for d in documents { s += naturalLogprob(d, eos: true, scratch: &scratch); n += d.count + 1 }
        guard n > 0 else { throw NGramError("perplexity of an empty dataset") }
        return Foundation.exp(-s / Double(n))
    }
}

/// A value computed once under a lock (the union index maps of a model).
final class NGramUnionAux: @unchecked Sendable {
    private let lock = NSLock()
    private var value: (vocab: [UInt32], of: [[Int]])?

    func get(_ make: () -> (vocab: [UInt32], of: [[Int]])) -> (vocab: [UInt32], of: [[Int]]) {
        lock.lock(); defer { lock.unlock() }
        if let value { return value }
        let v = make()
        value = v
        return v
    }
}
