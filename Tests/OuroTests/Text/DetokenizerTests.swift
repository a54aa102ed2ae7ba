import Foundation
import XCTest
@testable import Ouro

final class DetokenizerTests: XCTestCase {
    private func roundTrip(_ s: String) -> String { Detokenizer.detokenize(Tokenizer.word.tokenize(s)) }

    func testRejoinsContractionsAndPunctuation() {
        XCTAssertEqual(Detokenizer.detokenize(["Do", "n't", "stop", "!"]), "Don't stop!")
        XCTAssertEqual(Detokenizer.detokenize(["I", "'m", "here", ",", "ok", "?!"]), "I'm here, ok?!")
        XCTAssertEqual(Detokenizer.detokenize(["ca", "n't", "wait", "..."]), "can't wait...")
    }

    func testHandlesQuotesAndBrackets() {
        XCTAssertEqual(Detokenizer.detokenize(["he", "said", "\"", "hi", "\"", "(", "twice", ")", "."]),
                       "he said \"hi\" (twice).")
        XCTAssertEqual(Detokenizer.detokenize(["the", "students", "'", "books"]), "the students' books")
        XCTAssertEqual(Detokenizer.detokenize(["a", "'", "quote", "'", "here"]), "a 'quote' here")
        XCTAssertEqual(Detokenizer.detokenize(["costs", "$", "5", "(", "50", "%", "off", ")"]), "costs $5 (50% off)")
        XCTAssertEqual(Detokenizer.detokenize(["and", "/", "or"]), "and/or")
    }

    func testKeepsEmoticonsSeparateAndJoinsEmojiRuns() {
        XCTAssertEqual(Detokenizer.detokenize(["so", "sad", ":(", "ok"]), "so sad :( ok")
        XCTAssertEqual(Detokenizer.detokenize(["lol", "😂", "😂", "!"]), "lol 😂😂!")
    }

    /// Real-looking posts written with ordinary spacing come back unchanged.
    func testRoundTripsPostsExactly() throws {
        let extra = [
            "Don't stop believing!!! I'm serious :)",
            "Check out https://example.com/story?id=42 (it's wild) #news",
            "@sam I can't make it at 7:30, sorry... maybe tomorrow?",
            "Prices up 12.5% since January; that's $1,200 more per year.",
            "\"Never again,\" she said. They'd heard that before.",
            "Our kids' school is closed today ❄️❄️ stay warm everyone",
            "Wow. Just wow. 🤯",
            "Who's coming to the U.S. tour? 🇺🇸🎸",
            "1️⃣ coffee 2️⃣ emails 3️⃣ nap",
            "It's not a bug, it's a feature™",
            "Team meeting moved to 3 pm - again.",
            "You'll love this: www.recipes.org/pasta",
            "Mixed feelings about the ending... 5/10 would not rewatch.",
            "Family dinner 👨‍👩‍👧‍👦❤️ so grateful",
            "We've got 1,000 followers!!! Thank you all 🙏🏾",
        ]
        for post in extra {
            XCTAssertEqual(roundTrip(post), post)
        }
        // And every post of the fixture file.
        let d = try Dataset.load(DataFixtures.path("tweets.jsonl"))
        for t in d.texts { XCTAssertEqual(roundTrip(t), t) }
    }

    func testSpacingIsCanonicalisedOtherwise() {
        // Hand-derived: whitespace is folded, a space is inserted between a word and an emoji,
        // and "( x )" loses the inner spaces.
        XCTAssertEqual(roundTrip("so  good\n\nthanks!😍"), "so good thanks! 😍")
        XCTAssertEqual(roundTrip("a ( b ) c , d"), "a (b) c, d")
    }
}
