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
}
