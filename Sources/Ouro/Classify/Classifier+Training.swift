import Foundation

extension Classifier {
    /// Trains a classifier on the documents of `dataset` that have a value for `label`.
    /// - Parameters:
    ///   - dataset: labelled documents (their stored tokens are used).
    ///   - label: the label column (string or numeric; classes are the values' text).
    ///   - kind: `.naiveBayes` or `.logistic`.
    ///   - options: features and hyper-parameters.
    /// - Returns: the trained classifier.
    /// - Throws: `ClassifierError.unknownLabel` (listing the columns), `.singleClass`, `.badOption`.
    /// - Complexity: naive Bayes O(total tokens + classes · features); logistic regression
    ///   O(iterations · nnz · classes).
    public static func train(_ dataset: Dataset, label: String, kind: Kind,
                             options: Options = Options()) throws -> Classifier {
        guard let column = dataset.column(label) else {
            throw ClassifierError.unknownLabel(label, columns: dataset.columnNames)
        }
        guard options.alpha.isFinite && options.alpha >= 0 else { throw ClassifierError.badOption("alpha must be ≥ 0 (got \(options.alpha))") }
        guard options.c.isFinite && options.c > 0 else { throw ClassifierError.badOption("c must be > 0 (got \(options.c))") }
        guard options.minDF >= 1 else { throw ClassifierError.badOption("min_df must be ≥ 1 (got \(options.minDF))") }
        var lowering = TermLowering()
        var docs: [[UInt32]] = [], y: [String] = []
        for i in 0..<dataset.count {
            let v = column[i]
            if v == .missing { continue }
            docs.append(lowering.terms(dataset.tokens(at: i)))
            y.append(v.description)
        }
        let classes = Set(y).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        guard classes.count >= 2 else { throw ClassifierError.singleClass(label: label, classes: classes) }
        let classIndex = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        let yi = y.map { classIndex[$0]! }
        let space = NGramSpace.fit(docs, bigrams: options.bigrams, minDF: options.minDF)
        let idf = options.tfidf ? space.idf() : []
        let proto = Classifier(kind: kind, options: options, label: label, classes: classes, tokenizer: dataset.tokenizer,
                               trainingCount: docs.count, iterations: 0, space: space, idf: idf, bias: [], weights: [])
        let rows = proto.featureRows(docs)
        let (bias, weights, iterations): ([Double], [Double], Int)
        switch kind {
        case .naiveBayes:
            (bias, weights) = naiveBayes(rows: rows, y: yi, classes: classes.count, features: space.count, alpha: options.alpha)
            iterations = 0
        case .logistic:
            (bias, weights, iterations) = logistic(rows: rows, y: yi, classes: classes.count, features: space.count, options: options)
        }
        return Classifier(kind: kind, options: options, label: label, classes: classes, tokenizer: dataset.tokenizer,
                          trainingCount: docs.count, iterations: iterations, space: space, idf: idf, bias: bias, weights: weights)
    }

    /// Multinomial naive Bayes estimates (scikit-learn `MultinomialNB(alpha, fit_prior=True)`).
    static func naiveBayes(rows: [[(Int32, Double)]], y: [Int], classes k: Int, features v: Int,
                           alpha: Double) -> ([Double], [Double]) {
        var counts = [Double](repeating: 0, count: k * v)
        var docsPerClass = [Int](repeating: 0, count: k)
        for (row, c) in zip(rows, y) {
            docsPerClass[c] += 1
            for (f, x) in row { counts[c * v + Int(f)] += x }
        }
        var logProb = [Double](repeating: 0, count: k * v)
        for c in 0..<k {
            var total = 0.0
            for f in 0..<v { total += counts[c * v + f] + alpha }
            let logTotal = Foundation.log(total)
            for f in 0..<v { logProb[c * v + f] = Foundation.log(counts[c * v + f] + alpha) - logTotal }
        }
        let n = Double(rows.count)
        let prior = docsPerClass.map { Foundation.log(Double($0)) - Foundation.log(n) }
        return (prior, logProb)
    }

    /// L2-regularised logistic regression (binary: one weight vector; more classes: softmax with
    /// one vector per class) by L-BFGS; returns (intercepts, weights, iterations).
    static func logistic(rows: [[(Int32, Double)]], y: [Int], classes k: Int, features v: Int,
                         options: Options) -> ([Double], [Double], Int) {
        let m = k == 2 ? 1 : k                // weight vectors
        let n = rows.count
        let lambda = 1 / options.c
        // θ = [W (m × v, row-major), b (m)].
        let dim = m * v + m
        // Flatten the rows once.
        var start = [0], cols = [Int32](), vals = [Double]()
        for r in rows { for (f, x) in r { cols.append(f); vals.append(x) }; start.append(cols.count) }
        func objective(_ theta: [Double], _ grad: inout [Double]) -> Double {
            for i in grad.indices { grad[i] = 0 }
            var f = 0.0
            var z = [Double](repeating: 0, count: m)
            for i in 0..<n {
                for c in 0..<m {
                    var s = theta[m * v + c]
                    let base = c * v
                    for p in start[i]..<start[i + 1] { s += vals[p] * theta[base + Int(cols[p])] }
                    z[c] = s
                }
                if m == 1 {
                    // logloss(y, σ(z)) = softplus(z) − y z.
                    let t = Double(y[i] == 1 ? 1 : 0)
                    let zz = z[0]
                    f += (zz > 0 ? zz + Foundation.log1p(Foundation.exp(-zz)) : Foundation.log1p(Foundation.exp(zz))) - t * zz
                    let g = Classifier.sigmoid(zz) - t
                    for p in start[i]..<start[i + 1] { grad[Int(cols[p])] += g * vals[p] }
                    grad[v] += g
                } else {
                    let mx = z.max()!
                    var s = 0.0
                    for c in 0..<m { s += Foundation.exp(z[c] - mx) }
                    let lse = mx + Foundation.log(s)
                    f += lse - z[y[i]]
                    for c in 0..<m {
                        let g = Foundation.exp(z[c] - lse) - (c == y[i] ? 1 : 0)
                        let base = c * v
                        for p in start[i]..<start[i + 1] { grad[base + Int(cols[p])] += g * vals[p] }
                        grad[m * v + c] += g
                    }
                }
            }
            for j in 0..<(m * v) {
                f += 0.5 * lambda * theta[j] * theta[j]
                grad[j] += lambda * theta[j]
            }
            return f
        }
        let (theta, iterations) = LBFGS.minimize(dimension: dim, maxIterations: options.maxIterations,
                                                 gradientTolerance: options.tolerance * Double(max(n, 1)), objective)
        return (Array(theta[(m * v)...]), Array(theta[0..<(m * v)]), iterations)
    }
}

/// Limited-memory BFGS (Nocedal & Wright, Algorithm 7.4/7.5) with a backtracking Armijo line search.
enum LBFGS {
    /// Minimises a smooth function from θ = 0.
    /// - Parameters:
    ///   - dimension: number of parameters.
    ///   - maxIterations: cap on iterations.
    ///   - gradientTolerance: stop when max |∇f| ≤ this.
    ///   - objective: returns f(θ) and writes ∇f(θ) into its second argument.
    /// - Returns: the minimiser found and the iterations run.
    static func minimize(dimension: Int, memory: Int = 10, maxIterations: Int, gradientTolerance: Double,
                         _ objective: ([Double], inout [Double]) -> Double) -> ([Double], Int) {
        var x = [Double](repeating: 0, count: dimension)
        var g = [Double](repeating: 0, count: dimension)
        var f = objective(x, &g)
        var sList: [[Double]] = [], yList: [[Double]] = [], rhoList: [Double] = []
        var iter = 0
        func maxAbs(_ a: [Double]) -> Double { var m = 0.0; for t in a { m = max(m, abs(t)) }; return m }
        func dot(_ a: [Double], _ b: [Double]) -> Double { var s = 0.0; for i in a.indices { s += a[i] * b[i] }; return s }
        var gNew = g
        while iter < maxIterations && maxAbs(g) > gradientTolerance {
            iter += 1
            // Two-loop recursion: d = −H g.
            var q = g
            var alphas = [Double](repeating: 0, count: sList.count)
            for j in stride(from: sList.count - 1, through: 0, by: -1) {
                alphas[j] = rhoList[j] * dot(sList[j], q)
                for i in q.indices { q[i] -= alphas[j] * yList[j][i] }
            }
            if let s = sList.last, let y = yList.last {
                let gamma = dot(s, y) / dot(y, y)
                for i in q.indices { q[i] *= gamma }
            } else {
                let gn = dot(g, g).squareRoot()
                if gn > 0 { for i in q.indices { q[i] /= gn } }
            }
            for j in 0..<sList.count {
                let beta = rhoList[j] * dot(yList[j], q)
                for i in q.indices { q[i] += (alphas[j] - beta) * sList[j][i] }
            }
            var d = q.map { -$0 }
            var slope = dot(g, d)
            if slope >= 0 {   // not a descent direction: restart with steepest descent
                sList.removeAll(); yList.removeAll(); rhoList.removeAll()
                d = g.map { -$0 }
                slope = dot(g, d)
            }
            var step = 1.0
            var xNew = x, fNew = f
            var accepted = false
            for _ in 0..<60 {
                for i in x.indices { xNew[i] = x[i] + step * d[i] }
                fNew = objective(xNew, &gNew)
                if fNew <= f + 1e-4 * step * slope { accepted = true; break }
                step *= 0.5
            }
            if !accepted { break }
            var s = [Double](repeating: 0, count: dimension), y = s
            for i in x.indices { s[i] = xNew[i] - x[i]; y[i] = gNew[i] - g[i] }
            let sy = dot(s, y)
            if sy > 1e-12 * dot(y, y).squareRoot() * dot(s, s).squareRoot() && sy > 0 {
                if sList.count == memory { sList.removeFirst(); yList.removeFirst(); rhoList.removeFirst() }
                sList.append(s); yList.append(y); rhoList.append(1 / sy)
            }
            let progress = f - fNew
            x = xNew; f = fNew; g = gNew
            if progress <= 1e-16 * max(abs(f), 1) && maxAbs(g) <= gradientTolerance * 1e3 { break }
        }
        return (x, iter)
    }
}
