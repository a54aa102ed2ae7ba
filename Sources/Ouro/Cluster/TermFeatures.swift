import Foundation

/// Maps token ids to the ids of their lowercased forms, dropping tokens that hold no letter or
/// digit (punctuation, emoji): the "terms" that clustering and the classifiers count.
///
/// Memoised per id; the lowercased strings are interned in `Vocabulary.shared`.
struct TermLowering {
    private var cache: [UInt32: UInt32] = [:]
    /// Marks a token that is not a term.
    private static let none = UInt32.max

    /// The term id of token `id`, or nil if the token holds no letter or digit.
    mutating func term(_ id: UInt32) -> UInt32? {
        if let t = cache[id] { return t == Self.none ? nil : t }
        let s = Vocabulary.shared.token(id)
        var t = Self.none
        if id > Vocabulary.eos, s.unicodeScalars.contains(where: { $0.properties.isAlphabetic || $0.properties.numericType != nil }) {
            let lower = s.lowercased()
            t = lower == s ? id : Vocabulary.shared.id(for: lower)
        }
        cache[id] = t
        return t == Self.none ? nil : t
    }

    /// The term ids of a token sequence, in order.
    mutating func terms(_ ids: some Sequence<UInt32>) -> [UInt32] {
        var out: [UInt32] = []
        for id in ids { if let t = term(id) { out.append(t) } }
        return out
    }
}

/// A fixed feature space of term unigrams (and optionally bigrams of adjacent terms), with
/// document frequencies, built from training documents.
///
/// Columns are numbered in order of first occurrence in the training documents (deterministic),
/// after dropping features found in fewer than `minDF` documents.
struct NGramSpace: Sendable {
    /// Key of a unigram: high 32 bits all ones, low 32 bits the term id.
    static func unigram(_ a: UInt32) -> UInt64 { 0xFFFF_FFFF_0000_0000 | UInt64(a) }
    /// Key of a bigram: the two term ids.
    static func bigram(_ a: UInt32, _ b: UInt32) -> UInt64 { UInt64(a) << 32 | UInt64(b) }

    /// Whether bigrams are features.
    let bigrams: Bool
    /// The feature key of each column.
    let keys: [UInt64]
    /// Documents (of the training set) holding each column's feature.
    let documentFrequency: [Int]
    /// Number of training documents.
    let documentCount: Int
    private let index: [UInt64: Int32]

    init(bigrams: Bool, keys: [UInt64], documentFrequency: [Int], documentCount: Int) {
        self.bigrams = bigrams
        self.keys = keys
        self.documentFrequency = documentFrequency
        self.documentCount = documentCount
        var ix: [UInt64: Int32] = [:]
        ix.reserveCapacity(keys.count)
        for (c, k) in keys.enumerated() { ix[k] = Int32(c) }
        self.index = ix
    }

    /// Number of columns.
    var count: Int { keys.count }

    /// Calls `body(key)` for every feature occurrence of a term sequence (unigrams, then bigrams).
    @inline(__always)
    static func forEachFeature(_ terms: [UInt32], bigrams: Bool, _ body: (UInt64) -> Void) {
        for t in terms { body(unigram(t)) }
        if bigrams && terms.count > 1 {
            for i in 1..<terms.count { body(bigram(terms[i - 1], terms[i])) }
        }
    }

    /// The space of the features of `docs` (term sequences) found in at least `minDF` of them.
    /// - Complexity: O(total terms) expected.
    static func fit(_ docs: [[UInt32]], bigrams: Bool, minDF: Int) -> NGramSpace {
        var firstSeen: [UInt64] = []
        var slot: [UInt64: Int] = [:]
        var df: [Int] = []
        var lastDoc: [Int] = []
        for (d, terms) in docs.enumerated() {
            forEachFeature(terms, bigrams: bigrams) { key in
                if let s = slot[key] {
                    if lastDoc[s] != d { lastDoc[s] = d; df[s] += 1 }
                } else {
                    slot[key] = firstSeen.count
                    firstSeen.append(key)
                    df.append(1)
                    lastDoc.append(d)
                }
            }
        }
        var keys: [UInt64] = [], kept: [Int] = []
        for (s, k) in firstSeen.enumerated() where df[s] >= max(minDF, 1) { keys.append(k); kept.append(df[s]) }
        return NGramSpace(bigrams: bigrams, keys: keys, documentFrequency: kept, documentCount: docs.count)
    }

    /// The column of a feature key, or nil if it is not in the space.
    func column(_ key: UInt64) -> Int? { index[key].map(Int.init) }

    /// Raw counts of the features of `terms` that are in the space, as (column, count) pairs sorted
    /// by column.
    func counts(_ terms: [UInt32]) -> [(Int32, Double)] {
        var acc: [Int32: Double] = [:]
        NGramSpace.forEachFeature(terms, bigrams: bigrams) { key in
            if let c = index[key] { acc[c, default: 0] += 1 }
        }
        return acc.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Smoothed inverse document frequencies, as scikit-learn's `TfidfTransformer(smooth_idf=True)`:
    /// `idf = ln((1 + n) / (1 + df)) + 1`.
    func idf() -> [Double] {
        let n = Double(documentCount)
        return documentFrequency.map { Foundation.log((1 + n) / (1 + Double($0))) + 1 }
    }

    /// The readable form of a feature key: `["word"]` or `["first", "second"]`.
    func tokens(of key: UInt64) -> [String] {
        if key >> 32 == 0xFFFF_FFFF { return [Vocabulary.shared.token(UInt32(truncatingIfNeeded: key))] }
        return [Vocabulary.shared.token(UInt32(truncatingIfNeeded: key >> 32)), Vocabulary.shared.token(UInt32(truncatingIfNeeded: key))]
    }

    /// The key of a readable feature (`tokens(of:)`), interning its tokens.
    static func key(of tokens: [String]) -> UInt64? {
        switch tokens.count {
        case 1: return unigram(Vocabulary.shared.id(for: tokens[0]))
        case 2: return bigram(Vocabulary.shared.id(for: tokens[0]), Vocabulary.shared.id(for: tokens[1]))
        default: return nil
        }
    }
}

/// A sparse matrix in compressed-row form (CSR): row `i` holds `columns[rowStart[i]..<rowStart[i+1]]`
/// (increasing) with `values` at the same positions.
public struct SparseMatrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    public let rowStart: [Int]
    public let columnIndex: [Int32]
    public let values: [Double]

    /// Builds the matrix from rows of (column, value) pairs sorted by column.
    init(columns: Int, rows: [[(Int32, Double)]]) {
        var start = [0], ci: [Int32] = [], v: [Double] = []
        start.reserveCapacity(rows.count + 1)
        for r in rows {
            for (c, x) in r { ci.append(c); v.append(x) }
            start.append(ci.count)
        }
        self.rows = rows.count
        self.columns = columns
        self.rowStart = start
        self.columnIndex = ci
        self.values = v
    }

    /// Number of stored entries.
    public var nonzeroCount: Int { values.count }

    /// `self · B` for a dense row-major `columns × l` matrix `B`; the result is dense row-major `rows × l`.
    /// - Complexity: O(nnz · l).
    func multiply(_ b: [Double], width l: Int) -> [Double] {
        var out = [Double](repeating: 0, count: rows * l)
        out.withUnsafeMutableBufferPointer { o in
            b.withUnsafeBufferPointer { bb in
                for i in 0..<rows {
                    let orow = i * l
                    for p in rowStart[i]..<rowStart[i + 1] {
                        let x = values[p], brow = Int(columnIndex[p]) * l
                        for j in 0..<l { o[orow + j] += x * bb[brow + j] }
                    }
                }
            }
        }
        return out
    }

    /// `selfᵀ · B` for a dense row-major `rows × l` matrix `B`; the result is dense row-major `columns × l`.
    /// - Complexity: O(nnz · l).
    func transposeMultiply(_ b: [Double], width l: Int) -> [Double] {
        var out = [Double](repeating: 0, count: columns * l)
        out.withUnsafeMutableBufferPointer { o in
            b.withUnsafeBufferPointer { bb in
                for i in 0..<rows {
                    let brow = i * l
                    for p in rowStart[i]..<rowStart[i + 1] {
                        let x = values[p], orow = Int(columnIndex[p]) * l
                        for j in 0..<l { o[orow + j] += x * bb[brow + j] }
                    }
                }
            }
        }
        return out
    }
}

/// TF-IDF document vectors as scikit-learn's `TfidfVectorizer` computes them with its defaults:
/// raw term counts × smoothed idf (`ln((1+n)/(1+df)) + 1`), each row scaled to unit L2 norm.
public enum TFIDF {
    /// TF-IDF vectors of a dataset's documents over their own term unigrams (and bigrams).
    /// - Parameters:
    ///   - dataset: the documents (their token ids).
    ///   - bigrams: also count bigrams of adjacent terms.
    ///   - minDF: drop features found in fewer documents.
    /// - Returns: a `count × features` sparse matrix with unit rows (an empty document gives a zero row).
    /// - Complexity: O(total tokens).
    public static func vectors(_ dataset: Dataset, bigrams: Bool = false, minDF: Int = 1) -> SparseMatrix {
        var lowering = TermLowering()
        let docs = (0..<dataset.count).map { lowering.terms(dataset.tokens(at: $0)) }
        let space = NGramSpace.fit(docs, bigrams: bigrams, minDF: minDF)
        return weighted(docs, space: space, idf: space.idf())
    }

    /// Rows of tf × idf for `docs` in `space`, L2-normalised.
    static func weighted(_ docs: [[UInt32]], space: NGramSpace, idf: [Double]) -> SparseMatrix {
        SparseMatrix(columns: space.count, rows: docs.map { terms in
            var row = space.counts(terms).map { ($0.0, $0.1 * idf[Int($0.0)]) }
            var norm = 0.0
            for (_, x) in row { norm += x * x }
            norm = norm.squareRoot()
            if norm > 0 { for k in row.indices { row[k].1 /= norm } }
            return row
        })
    }
}
