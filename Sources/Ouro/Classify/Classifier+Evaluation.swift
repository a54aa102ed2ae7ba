import Foundation

/// How well a classifier predicts a labelled dataset.
public struct ClassifierEvaluation: Sendable, Equatable, CustomStringConvertible {
    /// Share of documents whose most probable class is their label.
    public let accuracy: Double
    /// Mean over `labels` of F1 = 2·TP / (2·TP + FP + FN) (0 where that is 0/0), as scikit-learn's
    /// `f1_score(average="macro")`.
    public let macroF1: Double
    /// Row and column names of `confusion`: the classifier's classes, then any other true label
    /// of the evaluation set, in byte order.
    public let labels: [String]
    /// `confusion[t][p]`: documents with true label `labels[t]` predicted as `labels[p]`.
    public let confusion: [[Int]]
    /// Documents evaluated (those with a label value).
    public let count: Int

    public var description: String {
        String(format: "accuracy %.4f, macro-F1 %.4f on %d documents", accuracy, macroF1, count)
    }
}

extension Classifier {
    /// Evaluates the classifier on the documents of `dataset` that have a value in the label column
    /// it was trained on.
    /// - Throws: `ClassifierError.unknownLabel` if the dataset lacks that column; `.empty` if no
    ///   document has a value.
    /// - Complexity: that of `probabilities(_:)` on the dataset.
    public func evaluate(_ dataset: Dataset) throws -> ClassifierEvaluation {
        guard let column = dataset.column(label) else {
            throw ClassifierError.unknownLabel(label, columns: dataset.columnNames)
        }
        let keep = (0..<dataset.count).filter { column[$0] != .missing }
        guard !keep.isEmpty else { throw ClassifierError.empty("no document has a value for label '\(label)'") }
        let sub = dataset.select(keep)
        let truth = keep.map { column[$0].description }
        let predicted = probabilities(sub).map { classes[Classifier.argmax($0)] }
        return Classifier.score(truth: truth, predicted: predicted, classes: classes)
    }

    /// Accuracy, macro-F1 and the confusion matrix of predictions.
    static func score(truth: [String], predicted: [String], classes: [String]) -> ClassifierEvaluation {
        let extra = Set(truth).subtracting(classes).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let labels = classes + extra
        let ix = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: labels.count), count: labels.count)
        var correct = 0
        for (t, p) in zip(truth, predicted) {
            confusion[ix[t]!][ix[p]!] += 1
            if t == p { correct += 1 }
        }
        // Macro-F1 over the labels that occur as truth or prediction.
        var f1s: [Double] = []
        for i in labels.indices {
            let tp = confusion[i][i]
            let fn = confusion[i].reduce(0, +) - tp
            var fp = 0
            for r in labels.indices where r != i { fp += confusion[r][i] }
            if tp + fn + fp == 0 { continue }
            f1s.append(Double(2 * tp) / Double(2 * tp + fp + fn))
        }
        let macro = f1s.isEmpty ? 0 : f1s.reduce(0, +) / Double(f1s.count)
        return ClassifierEvaluation(accuracy: Double(correct) / Double(max(truth.count, 1)), macroF1: macro,
                                    labels: labels, confusion: confusion, count: truth.count)
    }
}
