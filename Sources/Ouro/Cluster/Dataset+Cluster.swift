import Foundation

/// What `Dataset.cluster` clusters on.
public enum ClusterFeatures: Sendable {
    /// TF-IDF vectors of the documents' lowercased word unigrams (`TFIDF.vectors`, features in at
    /// least `minDF` documents), reduced by `TruncatedSVD` to `dimensions` and scaled to unit length
    /// (latent semantic analysis).
    case tfidf(dimensions: Int = 100, minDF: Int = 2)
    /// Given vectors (e.g. sentence embeddings): row-major `count × dimensions`.
    case vectors([Double], dimensions: Int)

    /// `.tfidf()` with its defaults (100 dimensions, min_df 2).
    public static let tfidf = ClusterFeatures.tfidf()
}

extension Dataset {
    /// The cluster of each document: k-means (`KMeans.fit`, seed `seed`) on the document vectors.
    /// - Parameters:
    ///   - k: number of clusters, `1 ≤ k ≤ count`.
    ///   - features: `.tfidf` (default) or given vectors.
    ///   - seed: seeds the SVD and the k-means++ draw.
    /// - Returns: per document, its cluster in `0..<k`.
    /// - Throws: `DataError` if `k` is out of range or the vectors do not match the dataset.
    /// - Complexity: TF-IDF: O(total tokens + nnz · 110 · 11); k-means: O(count · k · dims) per iteration.
    public func clusterAssignments(k: Int, by features: ClusterFeatures = .tfidf, seed: UInt64) throws -> [Int] {
        guard k >= 1 else { throw DataError("cluster: k must be at least 1 (got \(k))") }
        guard k <= count else { throw DataError("cluster: cannot make \(k) clusters of \(count) document\(count == 1 ? "" : "s")") }
        var points: [Double], dims: Int
        switch features {
        case let .tfidf(dimensions, minDF):
            guard dimensions >= 1 else { throw DataError("cluster: dimensions must be at least 1 (got \(dimensions))") }
            let m = TFIDF.vectors(self, bigrams: false, minDF: minDF)
            let svd = TruncatedSVD.fit(m, k: dimensions, seed: seed)
            points = svd.coordinates
            dims = svd.dimensions
            if dims == 0 { points = [Double](repeating: 0, count: count); dims = 1 }
            for i in 0..<count {
                var norm = 0.0
                for j in 0..<dims { norm += points[i * dims + j] * points[i * dims + j] }
                norm = norm.squareRoot()
                if norm > 0 { for j in 0..<dims { points[i * dims + j] /= norm } }
            }
        case let .vectors(v, dimensions):
            guard dimensions >= 1, v.count == dimensions * count else {
                throw DataError("cluster: expected \(count) vectors of \(dimensions) numbers (\(dimensions * count) values), got \(v.count) values")
            }
            points = v
            dims = dimensions
        }
        return KMeans.fit(points: points, dimensions: dims, k: k, seed: seed).assignments
    }

    /// The documents split into `k` clusters (`clusterAssignments`), one dataset per cluster in
    /// cluster order (the order of the k-means++ draw); documents keep their order and labels.
    /// Cluster `c` (1-based) is named "NAME cluster c" ("cluster c" when the dataset has no name).
    /// - Throws: see `clusterAssignments`.
    public func cluster(k: Int, by features: ClusterFeatures = .tfidf, seed: UInt64) throws -> [Dataset] {
        let a = try clusterAssignments(k: k, by: features, seed: seed)
        var members = [[Int]](repeating: [], count: k)
        for (i, c) in a.enumerated() { members[c].append(i) }
        return members.enumerated().map { c, m in select(m).named((name.map { "\($0) " } ?? "") + "cluster \(c + 1)") }
    }

    /// `n` documents mixed by label: for each label value in `shares`, a share of `n` drawn without
    /// replacement from the documents with that value, then all shuffled.
    ///
    /// Counts are `n · share` rounded by largest remainder (ties in label order), so they sum to `n`
    /// exactly. Values are taken in byte order of their text; value `v` draws from the stream
    /// `(seed, "mix_labels", v)` (changing another value's share never changes this draw), and the
    /// final order from `(seed, "mix_labels", "order")`.
    /// - Parameters:
    ///   - label: the label column (`party`).
    ///   - shares: value → share, shares ≥ 0 summing to 1 (`["Democratic": 0.75, "Republican": 0.25]`).
    ///   - n: documents in the result.
    ///   - seed: seeds the draws.
    /// - Returns: the mixed dataset, with all label columns.
    /// - Throws: `DataError` for an unknown column (listing the columns), a value absent from the
    ///   column (listing the values), bad shares, or a value with too few documents (saying how many
    ///   it has and how many are needed).
    /// - Complexity: O(count + n).
    public func mixLabels(label: String, shares: [String: Double], n: Int, seed: UInt64) throws -> Dataset {
        guard let column = column(label) else {
            throw DataError("mix_labels: no label column '\(label)' (columns: \(columnNames.isEmpty ? "none" : columnNames.joined(separator: ", ")))")
        }
        guard n >= 0 else { throw DataError("mix_labels: n must be non-negative (got \(n))") }
        guard !shares.isEmpty else { throw DataError("mix_labels: shares is empty") }
        let values = shares.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var total = 0.0
        for v in values {
            let s = shares[v]!
            guard s.isFinite && s >= 0 else { throw DataError("mix_labels: share of '\(v)' must be a non-negative number (got \(s))") }
            total += s
        }
        guard abs(total - 1) <= 1e-9 else { throw DataError("mix_labels: shares sum to \(total), not 1") }
        var byValue: [String: [Int]] = [:]
        for i in 0..<count {
            let v = column[i]
            if v != .missing { byValue[v.description, default: []].append(i) }
        }
        // Largest-remainder rounding.
        let exact = values.map { Double(n) * shares[$0]! }
        var counts = exact.map { Int($0.rounded(.down)) }
        var left = n - counts.reduce(0, +)
        let byRemainder = values.indices.sorted { (exact[$0] - Double(counts[$0]), -$0) > (exact[$1] - Double(counts[$1]), -$1) }
        for i in byRemainder where left > 0 { counts[i] += 1; left -= 1 }
        var picked: [Int] = []
        for (i, v) in values.enumerated() where counts[i] > 0 {
            guard let pool = byValue[v] else {
                let known = byValue.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                throw DataError("mix_labels: no document has \(label) = '\(v)' (values: \(known.joined(separator: ", ")))")
            }
            guard pool.count >= counts[i] else {
                throw DataError("mix_labels: \(label) = '\(v)' has \(pool.count) document\(pool.count == 1 ? "" : "s"); \(counts[i]) needed for n = \(n)")
            }
            var rng = Xoshiro256(seed: seed, "mix_labels", .name(v))
            picked.append(contentsOf: rng.sampleIndices(counts[i], from: pool.count).map { pool[$0] })
        }
        var rng = Xoshiro256(seed: seed, "mix_labels", "order")
        rng.shuffle(&picked)
        // Named by its mix ("sotu Democratic 75% Republican 25%"), so grid cells over mixes read apart.
        let mix = values.map { v in "\(v) \(Self.percent(shares[v]!))" }.joined(separator: " ")
        return select(picked).named(name.map { "\($0) \(mix)" } ?? mix)
    }
}

extension Dataset {
    /// 0.75 → "75%", 1/3 → "33.3%".
    static func percent(_ x: Double) -> String {
        let p = (x * 1000).rounded() / 10
        return p == p.rounded() ? "\(Int(p))%" : "\(p)%"
    }
}
