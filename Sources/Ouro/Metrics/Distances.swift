import Foundation

/// Divergences between corpora and the shift of a metric over generations.
public enum Distances {
    /// Shannon entropy (nats) of the distribution given by counts: −Σ pᵢ ln pᵢ, zero counts skipped.
    /// - Complexity: O(k).
    public static func entropy(counts: [Int]) -> Double {
        var total = 0
        for c in counts { total += c }
        guard total > 0 else { return 0 }
        let t = Double(total)
        var h = 0.0
        for c in counts where c > 0 {
            let p = Double(c) / t
            h -= p * log(p)
        }
        return h
    }

    /// Add-ε smoothed distributions of two count tables over the union of their keys:
    /// pᵢ = (cᵢ + ε) ÷ (N + ε·V), V = size of the union. Keys are visited in sorted order, so the
    /// floating-point sums do not depend on hashing.
    static func smoothed<K: Hashable & Comparable>(_ a: [K: Int], _ b: [K: Int], epsilon: Double) -> ([Double], [Double]) {
        let keys = Set(a.keys).union(b.keys).sorted()
        let v = Double(keys.count)
        let na = Double(a.values.reduce(0, +)), nb = Double(b.values.reduce(0, +))
        let p = keys.map { (Double(a[$0] ?? 0) + epsilon) / (na + epsilon * v) }
        let q = keys.map { (Double(b[$0] ?? 0) + epsilon) / (nb + epsilon * v) }
        return (p, q)
    }

    /// Kullback–Leibler divergence KL(P‖Q) in bits, Σ pᵢ log₂(pᵢ/qᵢ), terms with pᵢ = 0 skipped.
    public static func kl(_ p: [Double], _ q: [Double]) -> Double {
        precondition(p.count == q.count, "kl: distributions of different sizes")
        var s = 0.0
        for i in 0..<p.count where p[i] > 0 { s += p[i] * log2(p[i] / q[i]) }
        return s
    }

    /// Jensen–Shannon divergence in bits (in [0, 1]): ½ KL(P‖M) + ½ KL(Q‖M), M = (P + Q)/2.
    public static func js(_ p: [Double], _ q: [Double]) -> Double {
        precondition(p.count == q.count, "js: distributions of different sizes")
        let m = zip(p, q).map { ($0 + $1) / 2 }
        return 0.5 * kl(p, m) + 0.5 * kl(q, m)
    }

    /// Counts of the n-grams (joined by U+0001) of the token lists, n-grams taken within each document.
    static func ngramCounts(_ documents: [[String]], n: Int) -> [String: Int] {
        var c: [String: Int] = [:]
        for d in documents where d.count >= n {
            for i in 0...(d.count - n) { c[d[i..<(i + n)].joined(separator: "\u{1}"), default: 0] += 1 }
        }
        return c
    }

    /// Jensen–Shannon divergence (bits) between the n-gram distributions of two corpora, add-ε smoothed
    /// over the union of their n-grams.
    /// - Parameters:
    ///   - a, b: token lists per document.
    ///   - n: 1 for unigrams, 2 for bigrams (within documents).
    ///   - epsilon: pseudo-count added to every n-gram of the union (default 0.5).
    /// - Returns: 0 for identical distributions, at most 1. 0 when neither corpus has an n-gram.
    /// - Complexity: O(T + V log V).
    public static func jsDivergence(_ a: [[String]], _ b: [[String]], n: Int, epsilon: Double = 0.5) -> Double {
        let (p, q) = smoothedPair(a, b, n: n, epsilon: epsilon)
        return p.isEmpty ? 0 : js(p, q)
    }

    /// KL(A‖B) in bits between the add-ε smoothed n-gram distributions of two corpora (ε > 0 keeps it finite).
    public static func klDivergence(_ a: [[String]], _ b: [[String]], n: Int, epsilon: Double = 0.5) -> Double {
        precondition(epsilon > 0, "klDivergence needs epsilon > 0")
        let (p, q) = smoothedPair(a, b, n: n, epsilon: epsilon)
        return p.isEmpty ? 0 : kl(p, q)
    }

    /// The smoothed n-gram distributions of two corpora. Unigrams and bigrams are counted as
    /// packed integer keys (tokens numbered in order of first appearance, A then B), visited in
    /// key order; longer n-grams as joined strings in string order.
    static func smoothedPair(_ a: [[String]], _ b: [[String]], n: Int, epsilon: Double) -> ([Double], [Double]) {
        guard n <= 2 else { return smoothed(ngramCounts(a, n: n), ngramCounts(b, n: n), epsilon: epsilon) }
        var ids: [String: UInt64] = [:]
        func counts(_ docs: [[String]]) -> [UInt64: Int] {
            var c: [UInt64: Int] = [:]
            for d in docs where d.count >= n {
                var prev: UInt64 = 0
                for (i, t) in d.enumerated() {
                    let id: UInt64
                    if let x = ids[t] { id = x } else { id = UInt64(ids.count); ids[t] = id }
                    if n == 1 { c[id, default: 0] += 1 } else if i > 0 { c[prev << 32 | id, default: 0] += 1 }
                    prev = id
                }
            }
            return c
        }
        let ca = counts(a), cb = counts(b)
        return smoothed(ca, cb, epsilon: epsilon)
    }
}

/// The shift of a metric over generations, as the study defines it.
public struct Shift: Equatable, Sendable {
    /// Mean of the last generations ÷ the generation-0 value (the study's shift).
    public var ratio: Double
    /// Mean of the last generations − the generation-0 value.
    public var difference: Double
    /// |difference|.
    public var absoluteDifference: Double { abs(difference) }
    /// How many final generations were averaged.
    public var generationsAveraged: Int

    /// Errors of `Shift`.
    public enum Error: Swift.Error, CustomStringConvertible {
        case tooFewGenerations(Int)
        case zeroBaseline
        public var description: String {
            switch self {
            case .tooFewGenerations(let n): return "shift needs generation 0 and at least one later generation, got \(n) values"
            case .zeroBaseline: return "shift: the generation-0 value is 0, the ratio is undefined"
            }
        }
    }

    /// - Parameters:
    ///   - values: the metric per generation, generation 0 first.
    ///   - last: how many final generations to average (5 in the study: generations 15–19 of 0–19);
    ///     fewer when fewer than `last` generations follow generation 0.
    /// - Throws: with fewer than 2 values, or a generation-0 value of 0.
    public init(values: [Double], last: Int = 5) throws {
        guard values.count >= 2, last >= 1 else { throw Error.tooFewGenerations(values.count) }
        guard values[0] != 0 else { throw Error.zeroBaseline }
        let k = min(last, values.count - 1)
        var s = 0.0
        for v in values.suffix(k) { s += v }
        let mean = s / Double(k)
        ratio = mean / values[0]
        difference = mean - values[0]
        generationsAveraged = k
    }
}
