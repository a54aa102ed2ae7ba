import Foundation

extension Catalog {
    /// A classifier that `ouro data` trains from a catalog set and ships in `<data>/classifiers/`.
    public struct ShippedClassifier: Sendable, Equatable {
        public let name: String
        public let set: String
        public let label: String
        /// The classes trained on (documents with other labels are left out); nil = all.
        public let classes: [String]?
        public let summary: String
    }

    /// Political lean (sotu `party`: Democratic = left, Republican = right) and offensiveness
    /// (fortunes `offensive`).
    public static let classifiers: [ShippedClassifier] = [
        ShippedClassifier(name: "party", set: "sotu", label: "party", classes: ["Democratic", "Republican"],
                          summary: "State of the Union paragraphs by party (Democratic = left, Republican = right)"),
        ShippedClassifier(name: "offensive", set: "fortunes", label: "offensive", classes: nil,
                          summary: "fortune entries from the -o (offensive) files vs the others"),
    ]

    /// Held-out evaluation of a shipped classifier, stored beside it.
    public struct ClassifierCard: Codable, Sendable, Equatable {
        public let name: String
        public let accuracy: Double
        public let macroF1: Double
        public let majorityBaseline: Double
        public let trainCount: Int
        public let testCount: Int
    }

    public static func classifierPath(_ name: String, dataFolder: String) -> String {
        (dataFolder as NSString).appendingPathComponent("classifiers/\(name).json")
    }

    static func cardPath(_ name: String, dataFolder: String) -> String {
        (dataFolder as NSString).appendingPathComponent("classifiers/\(name).card.json")
    }

    /// The held-out card of a shipped classifier, if built.
    public static func card(_ name: String, dataFolder: String) -> ClassifierCard? {
        guard let data = FileManager.default.contents(atPath: cardPath(name, dataFolder: dataFolder)) else { return nil }
        return try? JSONDecoder().decode(ClassifierCard.self, from: data)
    }

    /// Trains each shipped classifier (logistic regression on TF-IDF unigrams + bigrams) on 80% of
    /// its set (split seed 1), evaluates it on the other 20%, and saves it with its card. A classifier
    /// already built is left alone.
    @discardableResult
    public static func buildClassifiers(dataFolder: String, progress: (String) -> Void = { _ in }) throws -> [ClassifierCard] {
        let folder = (dataFolder as NSString).appendingPathComponent("classifiers")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var cards: [ClassifierCard] = []
        for c in classifiers {
            if FileManager.default.fileExists(atPath: classifierPath(c.name, dataFolder: dataFolder)),
               let card = card(c.name, dataFolder: dataFolder) {
                progress("classifier \(c.name): built (held-out accuracy \(String(format: "%.3f", card.accuracy)))")
                cards.append(card)
                continue
            }
            progress("classifier \(c.name): training on \(c.set) '\(c.label)' …")
            var data = try Dataset.load(try path(for: c.set, dataFolder: dataFolder))
            if let classes = c.classes, let column = data.column(c.label) {
                data = data.filter(where: { classes.contains(column[$0].description) })
            }
            let parts = try data.split(fractions: [0.8, 0.2], seed: 1)
            var options = Classifier.Options()
            options.tfidf = true
            let clf = try Classifier.train(parts[0], label: c.label, kind: .logistic, options: options)
            let eval = try clf.evaluate(parts[1])
            let rowTotals = eval.confusion.map { $0.reduce(0, +) }
            let baseline = Double(rowTotals.max() ?? 0) / Double(max(eval.count, 1))
            let card = ClassifierCard(name: c.name, accuracy: eval.accuracy, macroF1: eval.macroF1,
                                      majorityBaseline: baseline, trainCount: parts[0].count, testCount: parts[1].count)
            // Write to temporary names, then rename: no half-built classifier is left behind.
            let target = classifierPath(c.name, dataFolder: dataFolder)
            try clf.save(to: target + ".tmp")
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(card).write(to: URL(fileURLWithPath: cardPath(c.name, dataFolder: dataFolder)))
            _ = try? FileManager.default.removeItem(atPath: target)
            try FileManager.default.moveItem(atPath: target + ".tmp", toPath: target)
            progress(String(format: "classifier %@: held-out accuracy %.3f, macro-F1 %.3f (majority baseline %.3f)",
                            c.name, eval.accuracy, eval.macroF1, baseline))
            cards.append(card)
        }
        return cards
    }
}
