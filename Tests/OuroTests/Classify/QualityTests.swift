import Foundation
import XCTest
@testable import Ouro

final class QualityTests: XCTestCase {
    func testDictRateCountsWordTokensOnly() throws {
        let words = WordList(["the", "cat", "sat", "do", "well", "known"])
        // Tokens: The cat sat , 42 times ! #tag @bob | Do n't well-known xqzt https://x.co.
        // Word tokens: The cat sat times Do n't well-known xqzt (8); unknown: times, xqzt → 6/8.
        // Not word tokens: ",", "42", "!", "#tag", "@bob" and the URL.
        let r = try Quality.dictRate(["The cat sat, 42 times! #tag @bob", "Don't well-known xqzt https://x.co"], words: words)
        XCTAssertEqual(r, 6.0 / 8.0, accuracy: 1e-15)
        XCTAssertThrowsError(try Quality.dictRate(["42 !!"], words: words))
    }

    func testQualityIsMonotoneAndBounded() {
        XCTAssertEqual(Quality.fluency(perplexity: 1, vocabularySize: 1000), 1)
        XCTAssertEqual(Quality.fluency(perplexity: 1000, vocabularySize: 1000), 0, accuracy: 1e-15)
        XCTAssertEqual(Quality.fluency(perplexity: 5000, vocabularySize: 1000), 0)
        var last = 2.0
        for ppl in [1.0, 2, 10, 100, 999] {
            let q = Quality.combined(dictRate: 0.9, pplRef: ppl, vocabularySize: 1000)
            XCTAssertLessThan(q, last); last = q
        }
        XCTAssertLessThan(Quality.combined(dictRate: 0.5, pplRef: 50, vocabularySize: 1000),
                          Quality.combined(dictRate: 0.6, pplRef: 50, vocabularySize: 1000))
    }

    func testPerplexityProxiesUseTheNGramModel() throws {
        let human = Dataset.from(texts: ["the cat sat on the mat", "the dog sat on the rug", "a cat and a dog"])
        let ref = try NGramModel(order: 2, documents: (0..<human.count).map { Array(human.tokens(at: $0)) })
        let fluent = Dataset.from(texts: ["the cat sat on the rug"])
        let garbled = Dataset.from(texts: ["rug the on sat cat the"])
        XCTAssertLessThan(try Quality.pplRef(fluent, reference: ref), try Quality.pplRef(garbled, reference: ref))
        XCTAssertEqual(try Quality.pplHuman(fluent, model: ref), try ref.perplexity([Array(fluent.tokens(at: 0))]))
    }
}
