/// Least-squares linear regression as a generative model of rows `(x₁, …, x_d, y)`: the last value
/// of each row is the target, the others are the features (Gerstgrasser et al. 2024's and
/// Dohmatob et al.'s toy model of collapse).
///
/// `fit` solves the least-squares problem (Householder QR) for `coefficients` (and `intercept`
/// when fitted). `generate` returns rows whose targets are `x·ŵ + b + noise·z`, z ~ N(0, 1); the
/// features come from the design:
/// - `.fixed`: the distinct feature rows the model was fitted on, in sorted order (lexicographic),
///   repeated cyclically when more rows are asked for. A loop that trains on the previous
///   generation's output (replace, or accumulating every generation) therefore keeps the human
///   design X and only the targets change, the fixed-design setting of the closed forms.
/// - `.random`: fresh features x ~ N(0, I_d) for every row.
public struct LinearRegressionModel: NumericModel {
    /// Where generated rows get their features.
    public enum Design: String, Sendable, CaseIterable {
        case fixed, random
    }

    /// Whether an intercept is fitted (otherwise the regression goes through the origin).
    public let fitsIntercept: Bool
    /// The standard deviation of the noise added to generated targets.
    public let noise: Double
    public let design: Design
    public private(set) var dim: Int = 0
    /// The number of rows of the last fit.
    public private(set) var rows: Int = 0
    /// The fitted coefficients, one per feature (`dim − 1`).
    public private(set) var coefficients: [Double] = []
    /// The fitted intercept (0 when `fitsIntercept` is false).
    public private(set) var intercept: Double = 0
    /// The distinct feature rows of the last fit, sorted, row-major (`.fixed` design).
    public private(set) var designRows: [Double] = []

    /// Creates an unfitted model.
    /// - Parameters:
    ///   - intercept: fit an intercept.
    ///   - noise: the noise standard deviation of generated targets (finite, ≥ 0).
    ///   - design: `.fixed` (the fitted rows' features) or `.random` (N(0, I) features).
    public init(intercept: Bool = false, noise: Double = 1, design: Design = .fixed) {
        precondition(noise.isFinite && noise >= 0, "linreg: noise must be finite and ≥ 0")
        self.fitsIntercept = intercept
        self.noise = noise
        self.design = design
    }

    public var isFitted: Bool { dim > 0 }

    /// The number of features d (`dim − 1`).
    public var features: Int { max(dim - 1, 0) }

    /// Fits the coefficients to rows `(x₁…x_d, y)`.
    /// - Throws: `NumericModelError` for `dim < 2`, a non-finite value, fewer rows than
    ///   parameters, or collinear features.
    /// - Complexity: O(rows · p²) with p = d (+ 1), plus O(rows · log rows · d) for the fixed design.
    public mutating func fit(dim d: Int, values: [Double]) throws {
        let n = try NumericModelError.rows(dim: d, values: values)
        guard d >= 2 else {
            throw NumericModelError.invalidOption(model: "linreg", message: "rows must hold at least one feature and the target (dim ≥ 2), got dim \(d)")
        }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw NumericModelError.invalidValue(model: "linreg", index: bad, value: values[bad], expected: "a finite number")
        }
        let f = d - 1, p = f + (fitsIntercept ? 1 : 0)
        guard n >= p else { throw NumericModelError.tooFewRows(model: "linreg", rows: n, needed: p) }
        var columns = [Double](repeating: 1, count: n * p)          // column-major, intercept last
        var y = [Double](repeating: 0, count: n)
        for r in 0..<n {
            for j in 0..<f { columns[j * n + r] = values[r * d + j] }
            y[r] = values[r * d + f]
        }
        guard let qr = LeastSquares(design: columns, rows: n, cols: p) else {
            throw NumericModelError.invalidOption(model: "linreg", message: "the features of the \(n) rows are collinear (or fewer distinct rows than parameters)")
        }
        let b = qr.solve(y)
        dim = d
        rows = n
        coefficients = Array(b[0..<f])
        intercept = fitsIntercept ? b[f] : 0
        if design == .fixed {
            var order = Array(0..<n)
            order.sort { a, c in
                for j in 0..<f where values[a * d + j] != values[c * d + j] { return values[a * d + j] < values[c * d + j] }
                return false
            }
            var distinct = [Double]()
            var last: ArraySlice<Double>? = nil
            for r in order {
                let x = values[(r * d)..<(r * d + f)]
                if let l = last, l.elementsEqual(x) { continue }
                distinct.append(contentsOf: x)
                last = x
            }
            designRows = distinct
        } else {
            designRows = []
        }
    }

    /// The model's prediction for feature vector `x` (d values).
    public func predict(_ x: ArraySlice<Double>) -> Double {
        var s = intercept
        for (j, v) in x.enumerated() { s += coefficients[j] * v }
        return s
    }

    /// Draws `n` rows `(x, x·ŵ + b + noise·z)`: per row the features (fixed: the design row
    /// i mod m; random: d standard normals), then one normal for the noise.
    /// - Precondition: the model is fitted.
    /// - Complexity: O(n · d).
    public func generate(n: Int, rng: inout Xoshiro256) -> [Double] {
        precondition(isFitted, "linreg: generate before fit")
        let f = features, d = dim
        let m = designRows.count / max(f, 1)
        var out = [Double](repeating: 0, count: n * d)
        for i in 0..<n {
            if design == .fixed {
                let k = i % m
                for j in 0..<f { out[i * d + j] = designRows[k * f + j] }
            } else {
                for j in 0..<f { out[i * d + j] = rng.normal() }
            }
            out[i * d + f] = predict(out[(i * d)..<(i * d + f)]) + noise * rng.normal()
        }
        return out
    }

    /// A one-line summary: design, noise and the fitted coefficients.
    public var description: String {
        let head = "LinearRegression(\(design.rawValue) design, noise \(GaussianMath.format(noise))\(fitsIntercept ? ", intercept" : "")"
        guard isFitted else { return head + ", unfitted)" }
        return head + ", \(rows) rows: w = \(GaussianMath.format(coefficients))\(fitsIntercept ? ", b = \(GaussianMath.format(intercept))" : ""))"
    }
}
