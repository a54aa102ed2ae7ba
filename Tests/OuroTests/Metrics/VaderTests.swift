import Foundation
import XCTest
@testable import Ouro

final class VaderTests: XCTestCase {
    func testPolarityScoresMatchVaderSentimentOnAll4200GroundTruthTweets() throws {
        let vader = Vader(lexicon: try MetricsFixtures.vaderLexicon())
        let tweets = try MetricsFixtures.tweets()
        XCTAssertEqual(tweets.count, 4200)
        let reference = String(decoding: try Data(contentsOf: MetricsFixtures.directory.appendingPathComponent("vader_tweets.tsv")), as: UTF8.self)
        var expected: [String: [Double]] = [:]
        for line in reference.split(separator: "\n") where !line.hasPrefix("#") {
            let f = line.split(separator: "\t")
            expected[String(f[0])] = f[1...].map { Double($0)! }
        }
        XCTAssertEqual(expected.count, 4200)
        var worst = 0.0
        for (id, text) in tweets {
            let s = vader.polarityScores(text)
            let e = try XCTUnwrap(expected[id])
            let d = max(abs(s.neg - e[0]), abs(s.neu - e[1]), abs(s.pos - e[2]), abs(s.compound - e[3]))
            worst = max(worst, d)
            if d >= 1e-4 { XCTFail("tweet \(id): \(s) vs \(e): \(text)") }
        }
        XCTAssertLessThan(worst, 1e-4)
    }

    func testPolarityScoresMatchVaderSentimentOnRuleAndUnicodeEdgeCases() throws {
        let vader = Vader(lexicon: try MetricsFixtures.vaderLexicon())
        let cases = try XCTUnwrap(MetricsFixtures.json("vader_cases.json") as? [[String: Any]])
        XCTAssertGreaterThan(cases.count, 100)
        for c in cases {
            let text = c["text"] as! String
            let s = vader.polarityScores(text)
            XCTAssertEqual(s, VaderScores(neg: c["neg"] as! Double, neu: c["neu"] as! Double, pos: c["pos"] as! Double,
                                          compound: c["compound"] as! Double), text.debugDescription)
        }
    }

    func testRoundIsPythonsHalfEvenOnTheExactBinaryValue() {
        // Python: round(0.125, 2) == 0.12 and round(0.375, 2) == 0.38 (exact binary ties, half-even);
        // round(2.675, 2) == 2.67 (2.675 is stored as 2.67499999…); round(0.0625, 3) == 0.062.
        XCTAssertEqual(PythonText.round(0.125, 2), 0.12)
        XCTAssertEqual(PythonText.round(0.375, 2), 0.38)
        XCTAssertEqual(PythonText.round(2.675, 2), 2.67)
        XCTAssertEqual(PythonText.round(0.0625, 3), 0.062)
        XCTAssertEqual(PythonText.round(-0.45678, 4), -0.4568)
    }

    func testLexiconLoadFromAMissingFolderNamesTheFetchScript() {
        XCTAssertThrowsError(try VaderLexicon.load(directory: URL(fileURLWithPath: "/nonexistent-ouro"))) { error in
            XCTAssertTrue(String(describing: error).contains("scripts/fetch-package.sh vaderSentiment"))
        }
    }
}
