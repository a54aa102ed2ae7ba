/// A categorical distribution over category ids `0..<K`, fitted by empirical frequencies.
///
/// Data are 1-D: each value is a category id (a non-negative integer stored as a `Double`).
/// Refitting to its own `n` draws each generation is the Wright–Fisher model of population
/// genetics (see `Oracles.heterozygosity` and `Oracles.fixationProbability`).
public struct CategoricalModel: NumericModel {
    /// The number of categories fixed at creation, or `nil` to use `max id + 1` of the data.
    public let categories: Int?
    public private(set) var dim: Int = 0
    /// The number of rows of the last fit.
    public private(set) var rows: Int = 0
    /// Counts per category in the last fit.
    public private(set) var counts: [Int] = []
    /// Fitted probabilities per category (`counts / rows`).
    public private(set) var probabilities: [Double] = []
    var cumulative: [Double] = []

    /// Creates an unfitted model.
    /// - Parameter categories: the number of categories K (ids `0..<K`); `nil` infers it as the
    ///   largest id in the data plus one.
    public init(categories: Int? = nil) {
        precondition(categories.map { $0 >= 1 } ?? true, "categorical: categories must be ≥ 1")
        self.categories = categories
    }

    public var isFitted: Bool { dim > 0 }

    /// The number of categories of the fitted model.
    public var k: Int { probabilities.count }

    /// 1 − Σ p² of the fitted probabilities (the chance that two draws differ).
    public var heterozygosity: Double { 1 - probabilities.reduce(0) { $0 + $1 * $1 } }

    /// The number of categories with a positive probability.
    public var support: Int { counts.reduce(0) { $0 + ($1 > 0 ? 1 : 0) } }

    /// Fits empirical frequencies.
    /// - Parameters:
    ///   - dim: must be 1.
    ///   - values: category ids, integers in `0..<categories` (or ≥ 0 when `categories` is nil).
    /// - Throws: `NumericModelError` for `dim ≠ 1`, no rows, or a value that is not a valid id.
    /// - Complexity: O(rows + K).
    public mutating func fit(dim d: Int, values: [Double]) throws {
        let n = try NumericModelError.rows(dim: d, values: values)
        guard d == 1 else { throw NumericModelError.invalidOption(model: "categorical", message: "data must be 1-D category ids, got dim \(d)") }
        guard n >= 1 else { throw NumericModelError.tooFewRows(model: "categorical", rows: 0, needed: 1) }
        let limit = categories.map(Double.init) ?? Double(Int32.max)
        for (i, v) in values.enumerated() where !(v >= 0 && v < limit && v == v.rounded(.towardZero)) {
            let expected = categories.map { "a category id in 0..<\($0)" } ?? "a non-negative integer category id"
            throw NumericModelError.invalidValue(model: "categorical", index: i, value: v, expected: expected)
        }
        let kk = categories ?? (Int(values.max()!) + 1)
        var c = [Int](repeating: 0, count: kk)
        for v in values { c[Int(v)] += 1 }
        dim = 1
        rows = n
        counts = c
        probabilities = c.map { Double($0) / Double(n) }
        var acc = 0
        cumulative = c.map { acc += $0; return Double(acc) / Double(n) }
    }

    /// `n` independent draws (a multinomial sample, in draw order).
    /// Each draw takes one uniform `u` and returns the first category whose cumulative
    /// probability exceeds `u` (binary search), so zero-probability categories never appear.
    /// - Precondition: the model is fitted.
    /// - Complexity: O(n log K).
    public func generate(n: Int, rng: inout Xoshiro256) -> [Double] {
        precondition(isFitted, "categorical: generate before fit")
        var out = [Double](repeating: 0, count: n)
        let last = cumulative.count - 1
        cumulative.withUnsafeBufferPointer { cum in
            for i in 0..<n {
                let u = rng.uniform()
                var lo = 0, hi = last
                while lo < hi {
                    let mid = (lo + hi) >> 1
                    if cum[mid] > u { hi = mid } else { lo = mid + 1 }
                }
                out[i] = Double(lo)
            }
        }
        return out
    }

    /// A one-line summary: K, rows, support and the leading probabilities.
    public var description: String {
        guard isFitted else { return "Categorical(unfitted)" }
        let shown = probabilities.prefix(8).map(GaussianMath.format).joined(separator: ", ")
        return "Categorical(K=\(k), \(rows) rows, support \(support): p = [\(shown)\(k > 8 ? ", …" : "")])"
    }
}
