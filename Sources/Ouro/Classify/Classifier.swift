import Foundation

/// A text classifier over term unigram + bigram features: multinomial naive Bayes or
/// L2-regularised logistic regression, trained from a labelled `Dataset`.
///
/// Features: the document's tokens (the dataset's tokenizer) lowercased, keeping tokens that hold a
/// letter or digit; unigrams and bigrams of adjacent kept tokens (`bigrams`), those found in at
/// least `minDF` training documents. Values are raw counts or, with `tfidf`, scikit-learn's
/// `TfidfTransformer` defaults (count × `ln((1+n)/(1+df)) + 1`, rows scaled to unit L2 norm).
/// Classes are the label's distinct values in byte order (as scikit-learn's `np.unique`).
///
/// - Naive Bayes is scikit-learn's `MultinomialNB(alpha)`: `log P(c) = log(n_c / n)`,
///   `log P(f | c) = log(N_cf + α) − log(N_c + α·V)`.
/// - Logistic regression is scikit-learn's `LogisticRegression(C, penalty="l2")` with an
///   unpenalised intercept: two classes minimise `Σᵢ logloss + ‖w‖² / (2C)` with one weight
///   vector (the second class is the positive one); more classes minimise the multinomial
///   (softmax) cross-entropy `+ ‖W‖² / (2C)` with one weight vector per class. Solved by L-BFGS
///   (memory 10, backtracking Armijo line search) from zero until the largest gradient component of
///   the objective divided by n is below `tolerance`: deterministic.
public final class Classifier: @unchecked Sendable, CustomStringConvertible {
    /// The model family.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case naiveBayes = "naive_bayes"
        case logistic
    }

    /// Training options.
    public struct Options: Sendable, Equatable {
        /// Count bigrams of adjacent terms as well as unigrams (default true).
        public var bigrams: Bool
        /// TF-IDF feature values instead of raw counts (default false).
        public var tfidf: Bool
        /// Keep features found in at least this many training documents (default 1).
        public var minDF: Int
        /// Naive Bayes additive smoothing α (default 1).
        public var alpha: Double
        /// Logistic regression inverse regularisation strength C (default 1).
        public var c: Double
        /// Logistic regression: cap on L-BFGS iterations (default 1000).
        public var maxIterations: Int
        /// Logistic regression: stop when max |∂f/∂θ| / n ≤ tolerance (default 1e-8).
        public var tolerance: Double

        public init(bigrams: Bool = true, tfidf: Bool = false, minDF: Int = 1, alpha: Double = 1, c: Double = 1,
                    maxIterations: Int = 1000, tolerance: Double = 1e-8) {
            self.bigrams = bigrams
            self.tfidf = tfidf
            self.minDF = minDF
            self.alpha = alpha
            self.c = c
            self.maxIterations = maxIterations
            self.tolerance = tolerance
        }
    }

    public let kind: Kind
    public let options: Options
    /// The label column it was trained on.
    public let label: String
    /// The classes, in byte order of their text.
    public let classes: [String]
    /// The tokenizer texts are read with.
    public let tokenizer: Tokenizer
    /// Training documents used.
    public let trainingCount: Int
    /// Logistic regression: L-BFGS iterations run (0 for naive Bayes).
    public let iterations: Int

    let space: NGramSpace
    /// Per-column idf (empty unless `options.tfidf`).
    let idf: [Double]
    /// Naive Bayes: `log P(c)` per class. Logistic: intercepts (one for two classes, else one per class).
    let bias: [Double]
    /// Naive Bayes: `log P(f | c)`, row-major classes × features. Logistic: weights, row-major
    /// (one or `classes.count` rows) × features.
    let weights: [Double]

    init(kind: Kind, options: Options, label: String, classes: [String], tokenizer: Tokenizer, trainingCount: Int,
         iterations: Int, space: NGramSpace, idf: [Double], bias: [Double], weights: [Double]) {
        self.kind = kind
        self.options = options
        self.label = label
        self.classes = classes
        self.tokenizer = tokenizer
        self.trainingCount = trainingCount
        self.iterations = iterations
        self.space = space
        self.idf = idf
        self.bias = bias
        self.weights = weights
    }

    /// Number of features.
    public var featureCount: Int { space.count }

    /// `Classifier(logistic on party: Democratic, Republican; 183k features)`.
    public var description: String {
        "Classifier(\(kind.rawValue) on \(label): \(classes.joined(separator: ", ")); \(Dataset.compact(featureCount)) features)"
    }

    // MARK: - Features

    /// Feature rows of term sequences (counts, or TF-IDF when the classifier uses it).
    func featureRows(_ docs: [[UInt32]]) -> [[(Int32, Double)]] {
        if options.tfidf {
            let m = TFIDF.weighted(docs, space: space, idf: idf)
            return (0..<m.rows).map { i in (m.rowStart[i]..<m.rowStart[i + 1]).map { (m.columnIndex[$0], m.values[$0]) } }
        }
        return docs.map { space.counts($0) }
    }

    // MARK: - Prediction

    /// Class probabilities of each text, in `classes` order.
    /// - Complexity: O(total text length + features present · classes).
    public func probabilities(_ texts: [String]) -> [[Double]] {
        var lowering = TermLowering()
        let docs = texts.map { lowering.terms(tokenizer.ids($0)) }
        return featureRows(docs).map(probabilities(row:))
    }

    /// Class probabilities of the documents of a dataset (their tokens as stored).
    public func probabilities(_ dataset: Dataset) -> [[Double]] {
        var lowering = TermLowering()
        let docs = (0..<dataset.count).map { lowering.terms(dataset.tokens(at: $0)) }
        return featureRows(docs).map(probabilities(row:))
    }

    /// Per-text probabilities keyed by class.
    public func predict(_ texts: [String]) -> [[String: Double]] {
        probabilities(texts).map { Dictionary(uniqueKeysWithValues: zip(classes, $0)) }
    }

    /// The most probable class of each text (ties: the first in `classes`).
    public func predictClass(_ texts: [String]) -> [String] {
        probabilities(texts).map { classes[Classifier.argmax($0)] }
    }

    static func argmax(_ p: [Double]) -> Int {
        var best = 0
        for i in p.indices where p[i] > p[best] { best = i }
        return best
    }

    func probabilities(row: [(Int32, Double)]) -> [Double] {
        let v = space.count
        switch kind {
        case .naiveBayes:
            var joint = bias
            for c in classes.indices {
                var s = 0.0
                let base = c * v
                for (f, x) in row { s += x * weights[base + Int(f)] }
                joint[c] += s
            }
            return Classifier.softmax(joint)
        case .logistic:
            if classes.count == 2 {
                var z = bias[0]
                for (f, x) in row { z += x * weights[Int(f)] }
                let p1 = Classifier.sigmoid(z)
                return [1 - p1, p1]
            }
            var z = bias
            for c in classes.indices {
                let base = c * v
                for (f, x) in row { z[c] += x * weights[base + Int(f)] }
            }
            return Classifier.softmax(z)
        }
    }

    static func sigmoid(_ z: Double) -> Double {
        z >= 0 ? 1 / (1 + Foundation.exp(-z)) : { let e = Foundation.exp(z); return e / (1 + e) }()
    }

    static func softmax(_ z: [Double]) -> [Double] {
        let m = z.max() ?? 0
        var e = z.map { Foundation.exp($0 - m) }
        var s = 0.0
        for x in e { s += x }
        for i in e.indices { e[i] /= s }
        return e
    }

    // MARK: - Lean

    /// Mean `P(right) − P(left)` over `texts`: the political lean of a two-party classifier
    /// (`right: "Republican", left: "Democratic"`), in [−1, 1].
    /// - Throws: `ClassifierError.unknownClass` if either is not a class; `.empty` for no texts.
    public func lean(_ texts: [String], right: String, left: String) throws -> Double {
        guard let r = classes.firstIndex(of: right) else { throw ClassifierError.unknownClass(right, classes: classes) }
        guard let l = classes.firstIndex(of: left) else { throw ClassifierError.unknownClass(left, classes: classes) }
        guard !texts.isEmpty else { throw ClassifierError.empty("lean needs at least one text") }
        var s = 0.0
        for p in probabilities(texts) { s += p[r] - p[l] }
        return s / Double(texts.count)
    }
}

/// An error from training, using or loading a classifier.
public enum ClassifierError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The dataset has no such label column.
    case unknownLabel(String, columns: [String])
    /// Training data with fewer than two classes.
    case singleClass(label: String, classes: [String])
    /// A class name that the classifier does not know.
    case unknownClass(String, classes: [String])
    /// An option out of range.
    case badOption(String)
    /// Nothing to work on.
    case empty(String)
    /// A saved classifier that cannot be read.
    case badFile(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unknownLabel(name, columns):
            return "classifier: no label column '\(name)' (columns: \(columns.isEmpty ? "none" : columns.joined(separator: ", ")))"
        case let .singleClass(label, classes):
            return classes.isEmpty
                ? "classifier: no document has a value for label '\(label)'"
                : "classifier: label '\(label)' has a single class ('\(classes[0])') in the training set; need at least two"
        case let .unknownClass(name, classes):
            return "classifier: no class '\(name)' (classes: \(classes.joined(separator: ", ")))"
        case let .badOption(message): return "classifier: \(message)"
        case let .empty(message): return "classifier: \(message)"
        case let .badFile(path, reason): return "\(path): not a saved classifier (\(reason))"
        }
    }
}
