/// A numeric dataset for toy models: `count` rows of `dim` values, row-major.
public struct NumericData: Equatable, Sendable, CustomStringConvertible {
    /// Values per row.
    public let dim: Int
    /// All values, row-major (`values[r * dim + j]`).
    public let values: [Double]

    /// - Precondition: `dim > 0` and `values.count` a multiple of `dim`.
    public init(dim: Int, values: [Double]) {
        precondition(dim > 0 && values.count % dim == 0, "values must hold whole rows of dim values")
        self.dim = dim
        self.values = values
    }

    /// Number of rows.
    public var count: Int { values.count / dim }

    /// Row `r` (0-based).
    public func row(_ r: Int) -> ArraySlice<Double> { values[(r * dim)..<((r + 1) * dim)] }

    /// `NumericData(1000 rows, dim 2)`.
    public var description: String { "NumericData(\(count) row\(count == 1 ? "" : "s"), dim \(dim))" }

    /// `n` independent draws from a normal distribution with the given mean vector and a common
    /// standard deviation (independent coordinates); `dim = mean.count`. Stream `(seed, "normal")`,
    /// values drawn row by row, coordinate by coordinate.
    /// - Throws: `DataError` if `mean` is empty, `sd < 0`, a parameter is not finite, or `n < 0`.
    public static func normal(mean: [Double], sd: Double, n: Int, seed: UInt64) throws -> NumericData {
        guard !mean.isEmpty else { throw DataError("normal: mean must have at least one value") }
        guard mean.allSatisfy(\.isFinite) else { throw DataError("normal: mean must be finite") }
        guard sd.isFinite && sd >= 0 else { throw DataError("normal: sd must be a non-negative number (got \(sd))") }
        guard n >= 0 else { throw DataError("normal: n must be non-negative (got \(n))") }
        var rng = Xoshiro256(seed: seed, "normal")
        var v = [Double]()
        v.reserveCapacity(n * mean.count)
        for _ in 0..<n { for m in mean { v.append(rng.normal(mean: m, sd: sd)) } }
        return NumericData(dim: mean.count, values: v)
    }

    /// One-dimensional `normal(mean: [mean], sd:, n:, seed:)`.
    public static func normal(mean: Double, sd: Double, n: Int, seed: UInt64) throws -> NumericData {
        try normal(mean: [mean], sd: sd, n: n, seed: seed)
    }

    /// `n` category ids (0-based, stored as `Double`, `dim = 1`) drawn with probabilities `probs`
    /// (normalised if they do not sum to 1). Stream `(seed, "categorical")`.
    /// - Throws: `DataError` if `probs` is empty, has a negative or non-finite entry, sums to 0, or `n < 0`.
    public static func categorical(probs: [Double], n: Int, seed: UInt64) throws -> NumericData {
        guard !probs.isEmpty else { throw DataError("categorical: probs must have at least one value") }
        guard probs.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw DataError("categorical: probs must be non-negative numbers")
        }
        guard probs.reduce(0, +) > 0 else { throw DataError("categorical: probs must have a positive sum") }
        guard n >= 0 else { throw DataError("categorical: n must be non-negative (got \(n))") }
        var rng = Xoshiro256(seed: seed, "categorical")
        return NumericData(dim: 1, values: (0..<n).map { _ in Double(rng.categorical(probs)) })
    }

    /// One component of `mixture`: a weight and a normal distribution (mean vector, common sd).
    public struct Component: Sendable, Equatable {
        public var weight: Double
        public var mean: [Double]
        public var sd: Double
        public init(weight: Double, mean: [Double], sd: Double) { self.weight = weight; self.mean = mean; self.sd = sd }
    }

    /// `n` draws from a mixture of normal distributions (Shumailov et al.'s GMM data): per row a
    /// component picked with probability weight / Σ weights, then its coordinates. Stream
    /// `(seed, "mixture")`.
    /// - Throws: `DataError` if there is no component, the means differ in length or are empty,
    ///   a weight is negative or all are 0, an sd is negative, a parameter is not finite, or `n < 0`.
    public static func mixture(_ components: [Component], n: Int, seed: UInt64) throws -> NumericData {
        guard let first = components.first else { throw DataError("mixture: give at least one component") }
        let d = first.mean.count
        for (i, c) in components.enumerated() {
            guard c.mean.count == d, d > 0 else { throw DataError("mixture: component \(i + 1) has \(c.mean.count) mean values, component 1 has \(d) (at least 1)") }
            guard c.mean.allSatisfy(\.isFinite) else { throw DataError("mixture: component \(i + 1): mean must be finite") }
            guard c.weight.isFinite && c.weight >= 0 else { throw DataError("mixture: component \(i + 1): weight must be a non-negative number (got \(c.weight))") }
            guard c.sd.isFinite && c.sd >= 0 else { throw DataError("mixture: component \(i + 1): sd must be a non-negative number (got \(c.sd))") }
        }
        guard components.reduce(0, { $0 + $1.weight }) > 0 else { throw DataError("mixture: the weights must have a positive sum") }
        guard n >= 0 else { throw DataError("mixture: n must be non-negative (got \(n))") }
        var rng = Xoshiro256(seed: seed, "mixture")
        let weights = components.map(\.weight)
        var v = [Double]()
        v.reserveCapacity(n * d)
        for _ in 0..<n {
            let c = components[rng.categorical(weights)]
            for m in c.mean { v.append(rng.normal(mean: m, sd: c.sd)) }
        }
        return NumericData(dim: d, values: v)
    }

    /// `n` rows `(x₁, …, x_d, y)` of a linear model: x ~ N(0, I_d), y = x·weights + intercept +
    /// noise·z (the data of `LinearRegressionModel`). Stream `(seed, "linear")`, per row the d
    /// features then the noise.
    /// - Throws: `DataError` if `weights` is empty, a parameter is not finite, `noise < 0` or `n < 0`.
    public static func linear(weights: [Double], intercept: Double = 0, noise: Double, n: Int, seed: UInt64) throws -> NumericData {
        guard !weights.isEmpty else { throw DataError("linear: weights must have at least one value") }
        guard weights.allSatisfy(\.isFinite), intercept.isFinite else { throw DataError("linear: weights and intercept must be finite") }
        guard noise.isFinite && noise >= 0 else { throw DataError("linear: noise must be a non-negative number (got \(noise))") }
        guard n >= 0 else { throw DataError("linear: n must be non-negative (got \(n))") }
        var rng = Xoshiro256(seed: seed, "linear")
        let d = weights.count + 1
        var v = [Double](repeating: 0, count: n * d)
        for r in 0..<n {
            var y = intercept
            for j in 0..<weights.count { let x = rng.normal(); v[r * d + j] = x; y += weights[j] * x }
            v[r * d + d - 1] = y + noise * rng.normal()
        }
        return NumericData(dim: d, values: v)
    }

    /// Rows given as arrays of equal length (a Lua table of numbers or of rows).
    /// - Throws: `DataError` if there is no row, rows differ in length or are empty, or a value is not finite.
    public static func rows(_ rows: [[Double]]) throws -> NumericData {
        guard let d = rows.first?.count, d > 0 else { throw DataError("numeric: give at least one row of at least one value") }
        var v = [Double]()
        v.reserveCapacity(rows.count * d)
        for (i, r) in rows.enumerated() {
            guard r.count == d else { throw DataError("numeric: row \(i + 1) has \(r.count) values, row 1 has \(d)") }
            if let j = r.firstIndex(where: { !$0.isFinite }) { throw DataError("numeric: row \(i + 1), value \(j + 1) is not finite (\(r[j]))") }
            v.append(contentsOf: r)
        }
        return NumericData(dim: d, values: v)
    }
}
