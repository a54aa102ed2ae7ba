import Foundation

extension Classifier {
    /// The JSON form of a classifier.
    struct Stored: Codable {
        var format = "ouro-classifier"
        var version = 1
        var kind: Kind
        var label: String
        var classes: [String]
        var tokenizer: String
        var normalize: Bool
        var bigrams: Bool
        var tfidf: Bool
        var min_df: Int
        var alpha: Double
        var c: Double
        var training_count: Int
        var iterations: Int
        var document_count: Int
        /// Each feature's tokens: one (unigram) or two (bigram) lowercased tokens.
        var features: [[String]]
        var document_frequency: [Int]
        var idf: [Double]
        /// Naive Bayes: class log priors; logistic: intercepts.
        var bias: [Double]
        /// Rows of `features.count` numbers (see `Classifier.weights`).
        var weights: [[Double]]
    }

    /// Writes the classifier as JSON (replacing `path` atomically); `Classifier.load` reads it back
    /// to a classifier that gives bit-identical probabilities.
    /// - Throws: `ClassifierError.badFile` if the file cannot be written.
    public func save(to path: String) throws {
        let v = space.count
        let rows = v == 0 ? [] : stride(from: 0, to: weights.count, by: v).map { Array(weights[$0..<($0 + v)]) }
        let stored = Stored(kind: kind, label: label, classes: classes, tokenizer: tokenizer.kind.rawValue,
                            normalize: tokenizer.normalizes, bigrams: options.bigrams, tfidf: options.tfidf,
                            min_df: options.minDF, alpha: options.alpha, c: options.c, training_count: trainingCount,
                            iterations: iterations, document_count: space.documentCount,
                            features: space.keys.map(space.tokens(of:)), document_frequency: space.documentFrequency,
                            idf: idf, bias: bias, weights: rows)
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        do {
            let data = try enc.encode(stored)
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ClassifierError.badFile(path: path, reason: "cannot write: \(error.localizedDescription)")
        }
    }

    /// Reads a classifier written by `save(to:)`.
    /// - Throws: `ClassifierError.badFile` for a missing, unreadable or inconsistent file.
    public static func load(from path: String) throws -> Classifier {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ClassifierError.badFile(path: path, reason: "cannot read it")
        }
        let s: Stored
        do { s = try JSONDecoder().decode(Stored.self, from: data) } catch {
            throw ClassifierError.badFile(path: path, reason: "\(error)")
        }
        guard s.format == "ouro-classifier", s.version == 1 else {
            throw ClassifierError.badFile(path: path, reason: "format \(s.format) version \(s.version)")
        }
        guard let tk = Tokenizer.Kind(rawValue: s.tokenizer) else {
            throw ClassifierError.badFile(path: path, reason: "unknown tokenizer \(s.tokenizer)")
        }
        var keys: [UInt64] = []
        keys.reserveCapacity(s.features.count)
        for f in s.features {
            guard let k = NGramSpace.key(of: f) else { throw ClassifierError.badFile(path: path, reason: "feature \(f)") }
            keys.append(k)
        }
        let v = keys.count
        let expectedRows = s.kind == .naiveBayes || s.classes.count > 2 ? s.classes.count : 1
        guard s.classes.count >= 2, s.document_frequency.count == v, s.idf.isEmpty || s.idf.count == v,
              s.tfidf == !s.idf.isEmpty, s.weights.count == expectedRows, s.bias.count == expectedRows,
              s.weights.allSatisfy({ $0.count == v }) else {
            throw ClassifierError.badFile(path: path, reason: "inconsistent sizes")
        }
        let space = NGramSpace(bigrams: s.bigrams, keys: keys, documentFrequency: s.document_frequency,
                               documentCount: s.document_count)
        let options = Options(bigrams: s.bigrams, tfidf: s.tfidf, minDF: s.min_df, alpha: s.alpha, c: s.c)
        return Classifier(kind: s.kind, options: options, label: s.label, classes: s.classes,
                          tokenizer: Tokenizer(tk, normalize: s.normalize), trainingCount: s.training_count,
                          iterations: s.iterations, space: space, idf: s.idf, bias: s.bias,
                          weights: s.weights.flatMap { $0 })
    }
}
