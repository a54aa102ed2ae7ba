import Foundation

/// Ordinary least squares with an intercept: the regression of the study's analysis
/// (dataset properties → shift), with standardized coefficients, inference, CV R² and VIF.
public enum OLS {
    /// The default number of CV folds for n rows: 10, or leave-one-out (n folds) below 10 rows.
    public static func defaultFolds(rows n: Int) -> Int { min(10, max(n, 2)) }

    /// Fits `y = b₀ + Σ bⱼ xⱼ + ε` by least squares (Householder QR).
    ///
    /// - `standardize`: y and every x are z-scored with their sample sd (divisor n − 1) before the
    ///   fit, so `coef` are standardized betas (the intercept is then 0 to rounding).
    /// - Inference: `se = √(σ̂² · diag((XᵀX)⁻¹))` with `σ̂² = SSE/(n − p)`, p = regressors + 1;
    ///   `t = coef/se`; two-sided `p` from Student's t with n − p degrees of freedom;
    ///   `ci95 = coef ± t(0.975, n − p) · se`.
    /// - `r2 = 1 − SSE/SST` (SST around the mean of y); `adjR2 = 1 − (1 − r2)(n − 1)/(n − p)`.
    /// - `cvR2 = 1 − SSE_cv/SST`: rows are shuffled once by `Xoshiro256(seed:)`, cut into `folds`
    ///   contiguous folds (the first n mod folds one row longer, as scikit-learn's KFold), each fold
    ///   predicted by the OLS fitted on the others; SSE_cv sums those out-of-fold squared errors and
    ///   SST is the same as for `r2` (whole-sample mean). NaN if a training set is rank deficient
    ///   or `folds` is 0 (no cross-validation).
    ///   It does not depend on `standardize` (OLS predictions are affine-equivariant).
    /// - `vif[j] = 1/(1 − R²ⱼ)`, R²ⱼ of xⱼ regressed on an intercept and the other regressors.
    /// - Parameters:
    ///   - y: the response, n values.
    ///   - x: named regressors, each n values, names distinct and not "intercept".
    ///   - standardize: z-score y and x first.
    ///   - folds: the number of CV folds, 2…n, or 0 for none (`defaultFolds(rows:)` suits any n).
    ///   - seed: the CV shuffle seed.
    /// - Throws: `OLSError` on mismatched lengths, non-finite values, too few rows, a constant
    ///   column under `standardize`, or collinear regressors.
    /// - Complexity: O(folds · n · p²) (plus O(n · p³) for the VIFs).
    public static func fit(y: [Double], x: [(name: String, values: [Double])], standardize: Bool,
                           folds: Int = 10, seed: UInt64) throws -> OLSResult {
        let n = y.count, p = x.count + 1
        var names = ["intercept"]
        for (name, values) in x {
            guard name != "intercept", !names.contains(name) else { throw OLSError.duplicateName(name) }
            guard values.count == n else { throw OLSError.length(name: name, count: values.count, expected: n) }
            names.append(name)
        }
        guard n > p else { throw OLSError.tooFewRows(rows: n, parameters: p) }
        guard folds == 0 || (folds >= 2 && folds <= n) else { throw OLSError.folds(folds, rows: n) }
        for (name, values) in [("y", y)] + x.map({ ($0.name, $0.values) }) {
            if let i = values.firstIndex(where: { !$0.isFinite }) { throw OLSError.nonFinite(name: name, index: i) }
        }
        var yy = y
        var columns = x.map(\.values)
        if standardize {
            func z(_ v: [Double], _ name: String) throws -> [Double] {
                let m = Descriptive.mean(v), s = Descriptive.sd(v)
                guard s > 0 else { throw OLSError.constant(name: name) }
                return v.map { ($0 - m) / s }
            }
            yy = try z(y, "y")
            columns = try zip(columns, x).map { try z($0, $1.name) }
        }
        // Design matrix, column-major: intercept then regressors.
        var design = [Double](repeating: 1, count: n * p)
        for (j, c) in columns.enumerated() { for i in 0..<n { design[(j + 1) * n + i] = c[i] } }

        guard let qr = LeastSquares(design: design, rows: n, cols: p) else {
            throw OLSError.collinear(name: LeastSquares.firstDependentColumn(design: design, rows: n, cols: p).map { names[$0] } ?? "?")
        }
        let coef = qr.solve(yy)
        var sse = 0.0
        for i in 0..<n {
            var fitted = 0.0
            for j in 0..<p { fitted += design[j * n + i] * coef[j] }
            sse += (yy[i] - fitted) * (yy[i] - fitted)
        }
        let ybar = Descriptive.mean(yy)
        var sst = 0.0
        for v in yy { sst += (v - ybar) * (v - ybar) }
        let df = Double(n - p)
        let sigma2 = sse / df
        let inv = qr.inverseGram()
        let crit = StudentT.quantile(0.975, df: df)
        var se = [Double](), t = [Double](), pv = [Double](), ci = [OLSResult.Interval]()
        for j in 0..<p {
            let s = (sigma2 * inv[j * p + j]).squareRoot()
            se.append(s)
            t.append(coef[j] / s)
            pv.append(StudentT.twoSidedP(coef[j] / s, df: df))
            ci.append(.init(lower: coef[j] - crit * s, upper: coef[j] + crit * s))
        }
        let r2 = 1 - sse / sst
        let adj = 1 - (1 - r2) * Double(n - 1) / df

        // k-fold cross-validation.
        var order = Array(0..<n)
        var rng = Xoshiro256(seed: seed)
        rng.shuffle(&order)
        var sseCV = 0.0
        var start = 0
        var cvOK = true
        if folds == 0 { cvOK = false }
        for f in 0..<folds where cvOK {
            let size = n / folds + (f < n % folds ? 1 : 0)
            let test = Array(order[start..<(start + size)])
            var inTest = [Bool](repeating: false, count: n)
            for i in test { inTest[i] = true }
            let train = (0..<n).filter { !inTest[$0] }
            start += size
            var sub = [Double](repeating: 0, count: train.count * p)
            for j in 0..<p { for (r, i) in train.enumerated() { sub[j * train.count + r] = design[j * n + i] } }
            guard train.count >= p, let fqr = LeastSquares(design: sub, rows: train.count, cols: p) else { cvOK = false; break }
            let b = fqr.solve(train.map { yy[$0] })
            for i in test {
                var pred = 0.0
                for j in 0..<p { pred += design[j * n + i] * b[j] }
                sseCV += (yy[i] - pred) * (yy[i] - pred)
            }
        }
        let cvR2 = cvOK ? 1 - sseCV / sst : .nan

        // Variance inflation factors.
        var vif = [Double]()
        for j in 1..<p {
            var others = [Double]()
            for k in 0..<p where k != j { others += design[(k * n)..<((k + 1) * n)] }
            let target = Array(design[(j * n)..<((j + 1) * n)])
            guard let aux = LeastSquares(design: others, rows: n, cols: p - 1) else { vif.append(.infinity); continue }
            let b = aux.solve(target)
            var e = 0.0, tss = 0.0
            let m = Descriptive.mean(target)
            for i in 0..<n {
                var fitted = 0.0
                for k in 0..<(p - 1) { fitted += others[k * n + i] * b[k] }
                e += (target[i] - fitted) * (target[i] - fitted)
                tss += (target[i] - m) * (target[i] - m)
            }
            vif.append(tss / e)
        }
        return OLSResult(names: names, coef: coef, se: se, t: t, p: pv, ci95: ci, r2: r2, adjR2: adj, cvR2: cvR2,
                         vif: vif, n: n, dfResidual: n - p, sigma: sigma2.squareRoot(), standardized: standardize)
    }
}

/// The result of `OLS.fit`. Arrays are indexed like `names`: the intercept first, then the
/// regressors in the order given; `vif` has one entry per regressor (no intercept).
public struct OLSResult: Equatable, Sendable, CustomStringConvertible {
    /// A confidence interval.
    public struct Interval: Equatable, Sendable {
        public let lower: Double
        public let upper: Double
    }

    /// One row of the coefficient table.
    public struct Term: Equatable, Sendable {
        public let name: String
        public let coef, se, t, p: Double
        public let ci95: Interval
        /// nil for the intercept.
        public let vif: Double?
    }

    public let names: [String]
    public let coef, se, t, p: [Double]
    public let ci95: [Interval]
    public let r2, adjR2, cvR2: Double
    public let vif: [Double]
    public let n: Int
    public let dfResidual: Int
    /// The residual standard error √(SSE/(n − p)).
    public let sigma: Double
    public let standardized: Bool

    /// The row of `name` ("intercept" or a regressor), nil if there is none.
    public subscript(_ name: String) -> Term? {
        guard let j = names.firstIndex(of: name) else { return nil }
        return Term(name: name, coef: coef[j], se: se[j], t: t[j], p: p[j], ci95: ci95[j], vif: j == 0 ? nil : vif[j - 1])
    }

    /// All rows of the coefficient table, intercept first.
    public var terms: [Term] { names.map { self[$0]! } }

    public var description: String {
        func f(_ x: Double) -> String { String(format: "%.4g", x) }
        var lines = ["OLS(\(n) rows, \(names.count - 1) regressors\(standardized ? ", standardized" : ""): R² \(f(r2)), adj. R² \(f(adjR2)), CV R² \(f(cvR2)))"]
        for term in terms {
            lines.append("  \(term.name): \(f(term.coef)) ± \(f(term.se)), t \(f(term.t)), p \(f(term.p)), 95% [\(f(term.ci95.lower)), \(f(term.ci95.upper))]" + (term.vif.map { ", VIF \(f($0))" } ?? ""))
        }
        return lines.joined(separator: "\n")
    }
}

/// Why an OLS fit was refused.
public enum OLSError: Error, Equatable, CustomStringConvertible {
    case length(name: String, count: Int, expected: Int)
    case duplicateName(String)
    case tooFewRows(rows: Int, parameters: Int)
    case folds(Int, rows: Int)
    case nonFinite(name: String, index: Int)
    case constant(name: String)
    case collinear(name: String)

    public var description: String {
        switch self {
        case .length(let name, let count, let expected): return "ols: '\(name)' has \(count) values, y has \(expected)"
        case .duplicateName(let name): return "ols: regressor name '\(name)' is used twice (or is reserved)"
        case .tooFewRows(let rows, let parameters): return "ols: \(rows) rows cannot fit \(parameters) parameters (need more rows than parameters)"
        case .folds(let k, let rows): return "ols: folds must be 0 (no cross-validation) or between 2 and the number of rows (\(rows)), got \(k)"
        case .nonFinite(let name, let index): return "ols: '\(name)' value \(index + 1) is not a finite number"
        case .constant(let name): return "ols: '\(name)' is constant and cannot be standardized"
        case .collinear(let name): return "ols: '\(name)' is a linear combination of the columns before it"
        }
    }
}

/// Householder QR of a column-major `rows × cols` design matrix, for least squares.
struct LeastSquares {
    let rows: Int, cols: Int
    /// The Householder vectors below the diagonal and R on and above it (column-major).
    var a: [Double]
    var beta: [Double]

    /// Factors `design`; nil when a column is (numerically) dependent on the columns before it:
    /// |R_jj| ≤ 1e-10 · ‖original column j‖.
    init?(design: [Double], rows m: Int, cols n: Int) {
        rows = m; cols = n; a = design; beta = [Double](repeating: 0, count: n)
        guard m >= n else { return nil }
        for j in 0..<n {
            var norm0 = 0.0
            for i in 0..<m { norm0 += design[j * m + i] * design[j * m + i] }
            norm0 = norm0.squareRoot()
            var s = 0.0
            for i in j..<m { s += a[j * m + i] * a[j * m + i] }
            let norm = s.squareRoot()
            if norm <= 1e-10 * norm0 || norm0 == 0 { return nil }
            let alpha = a[j * m + j] > 0 ? -norm : norm
            // v = x − alpha e₁, stored in place; H = I − β v vᵀ with β = 1/(−alpha · v₁).
            let v1 = a[j * m + j] - alpha
            a[j * m + j] = v1
            let b = 1 / (-alpha * v1)
            beta[j] = b
            for k in (j + 1)..<max(n, j + 1) {
                var dot = 0.0
                for i in j..<m { dot += a[j * m + i] * a[k * m + i] }
                dot *= b
                for i in j..<m { a[k * m + i] -= dot * a[j * m + i] }
            }
            // Keep v in the lower part, R_jj = alpha on the diagonal: save v₁ separately.
            vTop.append(v1)
            a[j * m + j] = alpha
        }
    }

    private var vTop: [Double] = []

    /// Applies Qᵀ to `y`.
    func applyQT(_ y: [Double]) -> [Double] {
        var y = y
        let m = rows
        for j in 0..<cols {
            var dot = vTop[j] * y[j]
            for i in (j + 1)..<m { dot += a[j * m + i] * y[i] }
            dot *= beta[j]
            y[j] -= dot * vTop[j]
            for i in (j + 1)..<m { y[i] -= dot * a[j * m + i] }
        }
        return y
    }

    /// The least-squares coefficients for response `y`.
    func solve(_ y: [Double]) -> [Double] {
        let qty = applyQT(y)
        let m = rows, n = cols
        var b = [Double](repeating: 0, count: n)
        for j in stride(from: n - 1, through: 0, by: -1) {
            var s = qty[j]
            for k in (j + 1)..<max(n, j + 1) { s -= a[k * m + j] * b[k] }
            b[j] = s / a[j * m + j]
        }
        return b
    }

    /// (XᵀX)⁻¹ = R⁻¹ R⁻ᵀ, row-major `cols × cols`.
    func inverseGram() -> [Double] {
        let m = rows, n = cols
        // R⁻¹ (upper triangular), row-major.
        var rinv = [Double](repeating: 0, count: n * n)
        for j in 0..<n {
            rinv[j * n + j] = 1 / a[j * m + j]
            for i in stride(from: j - 1, through: 0, by: -1) {
                var s = 0.0
                for k in (i + 1)...j { s += a[k * m + i] * rinv[k * n + j] }
                rinv[i * n + j] = -s / a[i * m + i]
            }
        }
        var g = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in i..<n {
                var s = 0.0
                for k in j..<n { s += rinv[i * n + k] * rinv[j * n + k] }
                g[i * n + j] = s
                g[j * n + i] = s
            }
        }
        return g
    }

    /// The first column that `init` would reject, for the error message.
    static func firstDependentColumn(design: [Double], rows m: Int, cols n: Int) -> Int? {
        for c in 1...n where LeastSquares(design: Array(design[0..<(c * m)]), rows: m, cols: c) == nil { return c - 1 }
        return nil
    }
}
