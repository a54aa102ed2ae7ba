import Foundation
import XCTest
@testable import Ouro

final class SelfBLEUTests: XCTestCase {
    func testSelfBLEUMatchesTheSacreBLEULoopOnTweetCorpora() throws {
        let fixture = try XCTUnwrap(MetricsFixtures.json("selfbleu.json") as? [String: Any])
        let tweets = try MetricsFixtures.tweets().map(\.text)
        let corpora = try XCTUnwrap(fixture["corpora"] as? [[String: Any]])
        var total = 0
        for c in corpora {
            let start = c["tweets_start"] as! Int, count = c["tweets_count"] as! Int
            let texts = Array(tweets[start..<(start + count)])
            let scores = try SelfBLEU.scores(texts)
            let expected = c["scores"] as! [Double]
            XCTAssertEqual(scores.count, expected.count)
            for (i, (a, b)) in zip(scores, expected).enumerated() where abs(a - b) >= 1e-6 {
                XCTFail("tweet \(start + i): \(a) vs sacreBLEU \(b)")
            }
            XCTAssertEqual(try SelfBLEU.selfBLEU(texts), c["self_bleu"] as! Double, accuracy: 1e-6)
            total += count
        }
        XCTAssertGreaterThanOrEqual(total, 300)
    }

    func testSelfBLEUMatchesSacreBLEUOnEdgeCases() throws {
        let fixture = try XCTUnwrap(MetricsFixtures.json("selfbleu.json") as? [String: Any])
        for c in try XCTUnwrap(fixture["small"] as? [[String: Any]]) {
            let texts = c["texts"] as! [String]
            XCTAssertEqual(try SelfBLEU.selfBLEU(texts), c["self_bleu"] as! Double, accuracy: 1e-9, "\(texts)")
        }
    }

    func testTokenizer13aMatchesSacreBLEU() throws {
        let fixture = try XCTUnwrap(MetricsFixtures.json("selfbleu.json") as? [String: Any])
        for c in try XCTUnwrap(fixture["tokenize_13a"] as? [[String: Any]]) {
            let line = c["line"] as! String
            XCTAssertEqual(Tokenizer13a.tokenizedLine(line), c["tokens"] as! String, line.debugDescription)
        }
    }

    /// The shared-table computation must equal the direct per-text computation (re-tokenising all
    /// references) on corpora with many repeated n-grams, duplicates and ties in counts and lengths.
    func testSharedCountTablesEqualDirectSentenceBLEU() throws {
        let words = ["a", "b", "c", "d", "e", "the", "cat", ",", "."]
        for seed in 0..<20 {
            var rng = Xoshiro256(seed: UInt64(seed))
            let n = 2 + rng.int(below: 12)
            var texts: [String] = []
            for _ in 0..<n {
                let len = rng.int(below: 9)
                texts.append((0..<len).map { _ in words[rng.int(below: words.count)] }.joined(separator: " "))
            }
            if seed % 3 == 0 { texts.append(texts[0]) }
            let kept = texts.map { PythonText.strip($0) }.filter { !$0.isEmpty }
            guard kept.count >= 2 else { continue }
            let fast = try SelfBLEU.scores(texts)
            for i in 0..<kept.count {
                var others = kept
                others.remove(at: i)
                XCTAssertEqual(fast[i], SelfBLEU.sentenceBLEU(hypothesis: kept[i], references: others), accuracy: 1e-12,
                               "seed \(seed), text \(i)")
            }
        }
    }

    func testFewerThanTwoNonEmptyTextsIsAnError() {
        XCTAssertThrowsError(try SelfBLEU.selfBLEU(["only one", "  ", ""]))
    }
}
