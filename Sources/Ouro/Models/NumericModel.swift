/// A generative model of numeric data: vectors of `dim` numbers, passed row-major in one flat array.
///
/// The toy models (`GaussianModel`, `GMMModel`, `CategoricalModel`) conform. Their loops have
/// closed-form answers (see `Oracles`), which is what makes them useful to check the runner.
public protocol NumericModel: CustomStringConvertible, Sendable {
    /// The number of values per observation the model was fitted on (0 before `fit`).
    var dim: Int { get }

    /// Fits the model to `values.count / dim` observations stored row-major in `values`.
    /// - Throws: `NumericModelError` when the data cannot be fitted (shape, too few rows, …).
    mutating func fit(dim: Int, values: [Double]) throws

    /// Draws `n` observations, row-major (`n * dim` values).
    /// - Precondition: the model has been fitted.
    func generate(n: Int, rng: inout Xoshiro256) -> [Double]
}

/// Why a numeric model could not be fitted.
public enum NumericModelError: Error, Equatable, CustomStringConvertible {
    /// `dim` is not positive or `values.count` is not a multiple of it.
    case shape(dim: Int, count: Int)
    /// Fewer rows than the model needs.
    case tooFewRows(model: String, rows: Int, needed: Int)
    /// A value that the model cannot take (NaN, infinite, a non-integer category, …).
    case invalidValue(model: String, index: Int, value: Double, expected: String)
    /// An option out of range.
    case invalidOption(model: String, message: String)

    public var description: String {
        switch self {
        case .shape(let dim, let count):
            return "numeric data: \(count) values do not form rows of dim \(dim)"
        case .tooFewRows(let model, let rows, let needed):
            return "\(model): needs at least \(needed) rows to fit, got \(rows)"
        case .invalidValue(let model, let index, let value, let expected):
            return "\(model): value \(index + 1) is \(value), expected \(expected)"
        case .invalidOption(let model, let message):
            return "\(model): \(message)"
        }
    }
}

extension NumericModelError {
    /// Checks the shape of row-major data and returns the number of rows.
    static func rows(dim: Int, values: [Double]) throws -> Int {
        guard dim > 0, values.count % dim == 0 else { throw NumericModelError.shape(dim: dim, count: values.count) }
        return values.count / dim
    }
}
