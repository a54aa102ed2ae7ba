import Foundation
import XCTest
@testable import Ouro

final class MetricRegistryTests: XCTestCase {
    let expectedNames = ["ttr", "ttr150", "mattr", "mtld", "hdd", "distinct_1", "distinct_2", "distinct_3", "distinct_4",
                         "unique_words", "word_entropy", "unique_docs", "compression_ratio", "self_bleu", "lexical_diversity",
                         "positivity", "length", "length_words", "length_tokens", "fk_grade", "js_unigram", "js_bigram",
                         "mean", "variance", "entropy", "support", "heterozygosity"]

    func testStandardRegistryListsEveryBuiltInMetricWithKindAndDirection() {
        let r = MetricRegistry.standard()
        XCTAssertEqual(r.infos.map(\.name), expectedNames)
        XCTAssertEqual(r.info("self_bleu")?.direction, .lessDiverse)
        XCTAssertEqual(r.info("lexical_diversity")?.direction, .moreDiverse)
        XCTAssertEqual(r.info("variance")?.kind, .numeric)
        XCTAssertEqual(r.info("positivity")?.kind, .text)
    }

    func testTextMetricsAgreeWithTheFunctionsTheyWrap() throws {
        let r = MetricRegistry.standard()
        r.setVaderLexicon(try MetricsFixtures.vaderLexicon())
        let texts = ["The cat sat on the mat.", "A good dog ran fast!", "The cat sat on the mat."]
        let tokens = texts.map { $0.lowercased().split(separator: " ").map(String.init) }
        let human = EvaluationSet(texts: ["the cat ran"], tokens: [["the", "cat", "ran"]])
        let set = EvaluationSet(texts: texts, tokens: tokens, human: human)
        let v = try r.compute(r.infos.filter { $0.kind == .text }.map(\.name), on: set)
        XCTAssertEqual(v["ttr"], Lexical.ttr(tokens.flatMap { $0 }))
        XCTAssertEqual(v["self_bleu"], try SelfBLEU.selfBLEU(texts))
        XCTAssertEqual(v["lexical_diversity"]!, 1 - v["self_bleu"]!, accuracy: 1e-15)
        XCTAssertEqual(v["unique_docs"], 2.0 / 3.0)
        XCTAssertEqual(v["distinct_2"], Lexical.distinct(tokens, n: 2))
        XCTAssertEqual(v["length"], Double(23 + 20 + 23) / 3)
        XCTAssertEqual(v["length_tokens"], (6.0 + 5 + 6) / 3)
        XCTAssertEqual(v["js_unigram"], Distances.jsDivergence(tokens, human.tokens, n: 1))
        let vader = Vader(lexicon: try MetricsFixtures.vaderLexicon())
        XCTAssertEqual(v["positivity"], NumericMetrics.mean(texts.map { vader.polarityScores($0).compound }))
    }

    func testNumericMetrics() throws {
        let r = MetricRegistry.standard()
        let v = try r.compute(["mean", "variance", "entropy", "support", "heterozygosity"], on: EvaluationSet(numeric: [1, 1, 2, 4]))
        // mean 2; Σ(x−2)² = 1+1+0+4 = 6, /3 = 2; p = (½, ¼, ¼): H = ½ln2 + ½ln4 = 1.5 ln 2; 1 − (¼+1/16+1/16) = 0.625.
        XCTAssertEqual(v["mean"], 2)
        XCTAssertEqual(v["variance"], 2)
        XCTAssertEqual(v["entropy"]!, 1.5 * log(2.0), accuracy: 1e-15)
        XCTAssertEqual(v["support"], 3)
        XCTAssertEqual(v["heterozygosity"], 0.625)
    }

    func testUnknownNameErrorListsTheClosestNames() {
        XCTAssertThrowsError(try MetricRegistry.standard().compute(["self_blue"], on: EvaluationSet(texts: ["a", "b"]))) { e in
            guard case MetricError.unknownMetric(let name, let closest) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(name, "self_blue")
            XCTAssertEqual(closest.first, "self_bleu")
        }
    }

    func testWrongKindOfDataNamesTheMetric() {
        let r = MetricRegistry.standard()
        XCTAssertThrowsError(try r.compute(["mattr"], on: EvaluationSet(numeric: [1, 2]))) { e in
            XCTAssertEqual(e as? MetricError, .wrongKind(metric: "mattr", needs: .text))
            XCTAssertTrue(String(describing: e).contains("'mattr'"))
        }
        XCTAssertThrowsError(try r.compute(["variance"], on: EvaluationSet(texts: ["a"]))) { e in
            XCTAssertEqual(e as? MetricError, .wrongKind(metric: "variance", needs: .numeric))
        }
    }

    func testEmptySetMissingHumanAndMissingLexiconAreErrors() {
        let r = MetricRegistry.standard()
        XCTAssertThrowsError(try r.compute(["ttr"], on: EvaluationSet())) { XCTAssertEqual($0 as? MetricError, .emptyEvaluationSet) }
        XCTAssertThrowsError(try r.compute(["js_bigram"], on: EvaluationSet(texts: ["a b"]))) {
            XCTAssertEqual($0 as? MetricError, .missingHumanReference(metric: "js_bigram"))
        }
        XCTAssertThrowsError(try r.compute(["positivity"], on: EvaluationSet(texts: ["good"]))) {
            XCTAssertEqual($0 as? MetricError, .vaderLexiconNotConfigured(metric: "positivity"))
        }
        XCTAssertThrowsError(try r.compute(["self_bleu"], on: EvaluationSet(texts: ["one"]))) {
            guard case MetricError.failed(let metric, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(metric, "self_bleu")
        }
    }

    func testRegisterAddsACustomMetricAndRejectsDuplicates() throws {
        let r = MetricRegistry()
        let info = MetricInfo(name: "exclamations", description: "share of texts with !", kind: .text, direction: .larger)
        try r.register(info) { set in Double(set.texts.filter { $0.contains("!") }.count) / Double(set.texts.count) }
        XCTAssertEqual(try r.compute(["exclamations"], on: EvaluationSet(texts: ["a!", "b"])), ["exclamations": 0.5])
        XCTAssertThrowsError(try r.register(info) { _ in 0 }) { XCTAssertEqual($0 as? MetricError, .duplicateMetric("exclamations")) }
    }
}
