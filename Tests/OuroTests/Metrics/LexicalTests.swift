import Foundation
import XCTest
@testable import Ouro

final class LexicalTests: XCTestCase {
    func testMATTRMTLDHDDMatchLexicalDiversity011() throws {
        let fixture = try XCTUnwrap(MetricsFixtures.json("lexical.json") as? [String: Any])
        let tweets = try MetricsFixtures.tweets().map(\.text)
        for c in try XCTUnwrap(fixture["lists"] as? [[String: Any]]) {
            let start = c["tweets_start"] as! Int, count = c["tweets_count"] as! Int
            let tokens = MetricsFixtures.pythonTokens(Array(tweets[start..<(start + count)]))
            XCTAssertEqual(tokens.count, c["n"] as! Int)
            XCTAssertEqual(Lexical.ttr(tokens), c["ttr"] as! Double, accuracy: 1e-12)
            XCTAssertEqual(Lexical.mattr(tokens), c["mattr"] as! Double, accuracy: 1e-9, "mattr n=\(tokens.count)")
            XCTAssertEqual(Lexical.mtld(tokens), c["mtld"] as! Double, accuracy: 1e-9, "mtld n=\(tokens.count)")
            XCTAssertEqual(Lexical.hdd(tokens), c["hdd"] as! Double, accuracy: 1e-9, "hdd n=\(tokens.count)")
        }
    }

    func testCompressedSizeEqualsPythonZlibCompress() throws {
        let fixture = try XCTUnwrap(MetricsFixtures.json("lexical.json") as? [String: Any])
        let tweets = try MetricsFixtures.tweets().map(\.text)
        for c in try XCTUnwrap(fixture["zlib"] as? [[String: Any]]) {
            let start = c["tweets_start"] as! Int, count = c["tweets_count"] as! Int
            let texts = Array(tweets[start..<(start + count)])
            let data = Array(texts.joined(separator: "\n").utf8)
            XCTAssertEqual(data.count, c["bytes"] as! Int)
            XCTAssertEqual(try Zlib.compressedSize(data), c["compressed"] as! Int)
            XCTAssertEqual(try Lexical.compressionRatio(texts), Double(data.count) / Double(c["compressed"] as! Int))
        }
    }

    func testDistinctNCountsNGramsWithinDocuments() {
        // Unigrams: a b a | a c → 5 tokens, 3 types → 0.6. Bigrams: (a b)(b a) | (a c) → 3 of 3 → 1
        // (no bigram spans the document boundary). Trigrams: (a b a) only → 1. 4-grams: none → 0.
        let docs = [["a", "b", "a"], ["a", "c"]]
        XCTAssertEqual(Lexical.distinct(docs, n: 1), 0.6)
        XCTAssertEqual(Lexical.distinct(docs, n: 2), 1.0)
        XCTAssertEqual(Lexical.distinct(docs, n: 3), 1.0)
        XCTAssertEqual(Lexical.distinct(docs, n: 4), 0.0)
        XCTAssertEqual(Lexical.distinct([["x", "y", "x", "y"]], n: 2), 2.0 / 3.0)
    }

    func testWordEntropyOfKEquallyFrequentWordsIsLnK() {
        XCTAssertEqual(Lexical.wordEntropy(["a", "b", "c", "d", "a", "b", "c", "d"]), log(4.0), accuracy: 1e-15)
        XCTAssertEqual(Lexical.wordEntropy(["a", "a"]), 0)
        XCTAssertEqual(Lexical.uniqueWords(["a", "b", "a"]), 2)
    }

    func testUniqueDocsAndPrefixTTR() {
        XCTAssertEqual(Lexical.uniqueDocumentShare(["x", "y", "x", "z"]), 0.75)
        // Decomposed and precomposed é are different strings in Python, so different documents here.
        XCTAssertEqual(Lexical.uniqueDocumentShare(["\u{e9}", "e\u{301}"]), 1.0)
        // First text: "a a b" → 2/3. Second: 150 characters of "ab " repeated = 50 copies of "ab" → 1/50.
        let long = String(repeating: "ab ", count: 100)
        XCTAssertEqual(Lexical.prefixTTR(["a a b", long]), (2.0 / 3.0 + 1.0 / 50.0) / 2, accuracy: 1e-15)
    }

    func testShortListsFollowTheReferenceFallbacks() {
        // lex_div: MATTR of ≤ 50 tokens is the TTR; HD-D below 42 tokens is 0; MTLD of nothing is 0.
        let t = ["a", "b", "a"]
        XCTAssertEqual(Lexical.mattr(t), 2.0 / 3.0)
        XCTAssertEqual(Lexical.hdd(t), 0)
        XCTAssertEqual(Lexical.mtld([]), 0)
        XCTAssertEqual(Lexical.ttr([]), 0)
    }
}
