import Foundation
import XCTest
@testable import Ouro

final class ClassifierTests: XCTestCase {
    private func labelled(_ rows: [(String, String)], label: String = "party") -> Dataset {
        var b = DatasetBuilder()
        for (t, l) in rows { b.append(text: t, labels: [(label, .string(l))]) }
        return b.build()
    }

    private var toy: Dataset {
        labelled([("tax cuts and small government", "R"), ("lower tax for business", "R"), ("secure the border now", "R"),
                  ("strong military and tax cuts", "R"), ("health care for all workers", "D"), ("raise the minimum wage", "D"),
                  ("protect workers and unions", "D"), ("health care and climate action", "D")])
    }

    func testNaiveBayesMatchesAHandComputation() throws {
        // Train: "a a b" → X, "b c" → Y; unigrams only. Vocabulary a, b, c (V = 3), α = 1.
        // X counts a=2 b=1 c=0 (N=3): P(a|X)=3/6, P(b|X)=2/6, P(c|X)=1/6.
        // Y counts a=0 b=1 c=1 (N=2): P(a|Y)=1/5, P(b|Y)=2/5, P(c|Y)=2/5. Priors ½ each.
        // "a c": X ∝ 3/6·1/6 = 1/12, Y ∝ 1/5·2/5 = 2/25 → P(X) = (1/12)/(1/12 + 2/25) = 25/49.
        let d = labelled([("a a b", "X"), ("b c", "Y")], label: "k")
        let clf = try Classifier.train(d, label: "k", kind: .naiveBayes, options: .init(bigrams: false))
        XCTAssertEqual(clf.classes, ["X", "Y"])
        let p = clf.predict(["a c"])[0]
        XCTAssertEqual(p["X"]!, 25.0 / 49.0, accuracy: 1e-12)
        XCTAssertEqual(p["Y"]!, 24.0 / 49.0, accuracy: 1e-12)
    }

    func testBothKindsSeparateADistinctVocabulary() throws {
        for kind in Classifier.Kind.allCases {
            let clf = try Classifier.train(toy, label: "party", kind: kind)
            XCTAssertEqual(clf.predictClass(["tax cuts for business", "health care for workers"]), ["R", "D"], "\(kind)")
            let e = try clf.evaluate(toy)
            XCTAssertEqual(e.accuracy, 1, "\(kind)")
            XCTAssertEqual(e.confusion, [[4, 0], [0, 4]])
            XCTAssertGreaterThan(try clf.lean(["tax cuts"], right: "R", left: "D"), 0)
            XCTAssertLessThan(try clf.lean(["minimum wage for workers"], right: "R", left: "D"), 0)
        }
    }

    func testLogisticRegressionReachesAStationaryPoint() throws {
        // At the optimum of Σ logloss + ‖w‖²/2C the intercept's gradient Σ (pᵢ − yᵢ) is 0, so the
        // mean predicted P(R) on the training set equals the share of R.
        let clf = try Classifier.train(toy, label: "party", kind: .logistic, options: .init(c: 0.3))
        let p = clf.probabilities(toy)
        XCTAssertEqual(p.map { $0[1] }.reduce(0, +) / Double(p.count), 0.5, accuracy: 1e-8)
    }

    func testEvaluationScoresAreTheTextbookOnes() {
        // truth a a b b c, predicted a b b b a: TP a=1 b=2 c=0; F1 a = 2/(2+1+1) = 0.5,
        // b = 4/(4+1+0) = 0.8, c = 0 → macro 0.4333…; accuracy 3/5.
        let e = Classifier.score(truth: ["a", "a", "b", "b", "c"], predicted: ["a", "b", "b", "b", "a"], classes: ["a", "b", "c"])
        XCTAssertEqual(e.accuracy, 0.6, accuracy: 1e-15)
        XCTAssertEqual(e.macroF1, (0.5 + 0.8 + 0) / 3, accuracy: 1e-15)
        XCTAssertEqual(e.confusion, [[1, 1, 0], [0, 2, 0], [1, 0, 0]])
    }

    func testSaveAndLoadGiveIdenticalProbabilities() throws {
        let dir = NSTemporaryDirectory() + "clf-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for kind in Classifier.Kind.allCases {
            for tfidf in [false, true] {
                let clf = try Classifier.train(toy, label: "party", kind: kind, options: .init(tfidf: tfidf))
                try clf.save(to: dir + "/m.json")
                let back = try Classifier.load(from: dir + "/m.json")
                let texts = ["tax cuts now", "unions and health care", "unseen words only"]
                XCTAssertEqual(back.probabilities(texts), clf.probabilities(texts))
                XCTAssertEqual(back.classes, clf.classes)
            }
        }
        try Data("{}".utf8).write(to: URL(fileURLWithPath: dir + "/bad.json"))
        XCTAssertThrowsError(try Classifier.load(from: dir + "/bad.json"))
    }

    func testErrorsNameTheColumnsAndTheSingleClass() {
        XCTAssertThrowsError(try Classifier.train(toy, label: "side", kind: .logistic)) { e in
            XCTAssertEqual("\(e)", "classifier: no label column 'side' (columns: party)")
        }
        XCTAssertThrowsError(try Classifier.train(labelled([("a", "R"), ("b", "R")]), label: "party", kind: .naiveBayes)) { e in
            XCTAssertEqual("\(e)", "classifier: label 'party' has a single class ('R') in the training set; need at least two")
        }
        XCTAssertThrowsError(try Classifier.train(toy, label: "party", kind: .naiveBayes).lean(["x"], right: "Rep", left: "D")) { e in
            XCTAssertEqual("\(e)", "classifier: no class 'Rep' (classes: D, R)")
        }
    }

    func testTrainingIsDeterministic() throws {
        let a = try Classifier.train(toy, label: "party", kind: .logistic, options: .init(tfidf: true))
        let b = try Classifier.train(toy, label: "party", kind: .logistic, options: .init(tfidf: true))
        XCTAssertEqual(a.weights, b.weights)
        XCTAssertEqual(a.bias, b.bias)
    }
}
