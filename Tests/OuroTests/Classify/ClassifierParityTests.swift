import Foundation
import XCTest
@testable import Ouro

/// Compares Ouro's classifiers with scikit-learn 1.8.0 (`MultinomialNB`, `LogisticRegression`,
/// `CountVectorizer`/`TfidfVectorizer` on unigrams + bigrams), reference probabilities written by
/// scripts/parity/classifiers.sh into Tests/Fixtures/parity/classifiers/classifiers.json.
final class ClassifierParityTests: XCTestCase {
    private struct Fixture: Decodable {
        struct Case: Decodable {
            let name, kind: String
            let tfidf: Bool
            let alpha, c: Double
            let train_texts, train_labels, test_texts, classes: [String]
            let proba: [[Double]]
        }
        let cases: [Case]
    }

    func testProbabilitiesMatchScikitLearn() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Fixtures/parity/classifiers/classifiers.json").standardized
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        XCTAssertEqual(fixture.cases.count, 5)
        for c in fixture.cases {
            // The texts are lowercase words and single spaces: Ouro's tokens are str.split()'s.
            XCTAssertEqual(Tokenizer.word.tokenize(c.train_texts[0]), c.train_texts[0].split(separator: " ").map(String.init))
            var b = DatasetBuilder()
            for (t, l) in zip(c.train_texts, c.train_labels) { b.append(text: t, labels: [("y", .string(l))]) }
            let kind: Classifier.Kind = c.kind == "naive_bayes" ? .naiveBayes : .logistic
            let clf = try Classifier.train(b.build(), label: "y", kind: kind,
                                           options: .init(bigrams: true, tfidf: c.tfidf, alpha: c.alpha, c: c.c, tolerance: 1e-12))
            XCTAssertEqual(clf.classes, c.classes)
            let p = clf.probabilities(c.test_texts)
            let tol = kind == .naiveBayes ? 1e-9 : 1e-6
            var worst = 0.0
            for (row, ref) in zip(p, c.proba) { for (x, y) in zip(row, ref) { worst = max(worst, abs(x - y)) } }
            XCTAssertLessThan(worst, tol, "\(c.name): max |Δp| = \(worst)")
        }
    }
}
