import XCTest
@testable import Ouro

final class TokenizerTests: XCTestCase {
    private func tok(_ s: String) -> [String] { Tokenizer.word.tokenize(s) }

    func testSplitsContractionsPennStyle() {
        XCTAssertEqual(tok("Don't stop!"), ["Do", "n't", "stop", "!"])
        XCTAssertEqual(tok("I'm sure it's fine"), ["I", "'m", "sure", "it", "'s", "fine"])
        XCTAssertEqual(tok("can't won't they're we've you'll she'd"),
                       ["ca", "n't", "wo", "n't", "they", "'re", "we", "'ve", "you", "'ll", "she", "'d"])
        XCTAssertEqual(tok("shouldn't've"), ["should", "n't", "'ve"])
        XCTAssertEqual(tok("don’t I’m"), ["do", "n’t", "I", "’m"])   // typographic apostrophe
        XCTAssertEqual(tok("DON'T"), ["DO", "N'T"])
    }

    func testKeepsWordInternalApostrophesHyphensAndAcronyms() {
        XCTAssertEqual(tok("rock'n'roll y'all o'clock"), ["rock'n'roll", "y'all", "o'clock"])
        XCTAssertEqual(tok("a well-known snake_case word"), ["a", "well-known", "snake_case", "word"])
        XCTAssertEqual(tok("the U.S. e.g. this"), ["the", "U.S.", "e.g.", "this"])
        XCTAssertEqual(tok("students' books"), ["students", "'", "books"])
    }

    func testKeepsNumbersWhole() {
        XCTAssertEqual(tok("pi is 3.14, not 1,000 or 12:30."), ["pi", "is", "3.14", ",", "not", "1,000", "or", "12:30", "."])
        XCTAssertEqual(tok("1,000,000 and 1,00"), ["1,000,000", "and", "1", ",", "00"])
        XCTAssertEqual(tok("it was -5 (or +3) now 5-3"), ["it", "was", "-5", "(", "or", "+3", ")", "now", "5-3"])
        XCTAssertEqual(tok("$5 for 50%"), ["$", "5", "for", "50", "%"])
    }

    func testPunctuationRunsAreOneToken() {
        XCTAssertEqual(tok("wow!!! really?! ok... fine--"), ["wow", "!!!", "really", "?!", "ok", "...", "fine", "--"])
        XCTAssertEqual(tok("(\"quoted\")"), ["(", "\"", "quoted", "\"", ")"])
        XCTAssertEqual(tok("wait…"), ["wait", "…"])
    }

    func testURLsMentionsHashtagsAndEmailsAreOneToken() {
        XCTAssertEqual(tok("see https://example.com/a?b=1&c=2."), ["see", "https://example.com/a?b=1&c=2", "."])
        XCTAssertEqual(tok("(www.foo.org) bit.ly/x1 and google.com!"),
                       ["(", "www.foo.org", ")", "bit.ly/x1", "and", "google.com", "!"])
        XCTAssertEqual(tok("https://en.wikipedia.org/wiki/Foo_(bar)"), ["https://en.wikipedia.org/wiki/Foo_(bar)"])
        XCTAssertEqual(tok("@jack_b hi #NLP2024 #1"), ["@jack_b", "hi", "#NLP2024", "#", "1"])
        XCTAssertEqual(tok("mail john.doe@mail.com now"), ["mail", "john.doe@mail.com", "now"])
        // Not URLs: decimals, acronyms, a missing space after a full stop.
        XCTAssertEqual(tok("end.Then"), ["end", ".", "Then"])
    }

    func testEmojiSequencesAreSingleTokens() {
        let family = "👨\u{200D}👩\u{200D}👧"          // ZWJ sequence
        let thumb = "👍\u{1F3FD}"                        // skin tone
        let flag = "\u{1F1FA}\u{1F1F8}"                  // regional-indicator pair
        let keycap = "1\u{FE0F}\u{20E3}"
        let heart = "❤\u{FE0F}"                          // presentation selector
        let runner = "🏃\u{200D}♀\u{FE0F}"
        XCTAssertEqual(tok("hi\(family)\(thumb) \(flag)\(keycap)\(heart)\(runner)😂😂"),
                       ["hi", family, thumb, flag, keycap, heart, runner, "😂", "😂"])
    }

    func testEmoticonsAfterSpacesAreTokens() {
        XCTAssertEqual(tok("so sad :( but <3 you :-) xo"), ["so", "sad", ":(", "but", "<3", "you", ":-)", "xo"])
        XCTAssertEqual(tok("Note: this"), ["Note", ":", "this"])
    }

    func testNormalisesBeforeTokenizing() {
        XCTAssertEqual(tok("Cafe\u{301}\t\tbar"), ["Caf\u{E9}", "bar"])
        XCTAssertEqual(Tokenizer(.word, normalize: false).tokenize("Cafe\u{301}").first?.unicodeScalars.count, 5)
    }

    func testCharacterTokenizerSplitsGraphemesIncludingSpaces() {
        let t = Tokenizer.character.tokenize("hi 👍\u{1F3FD}!")
        XCTAssertEqual(t, ["h", "i", " ", "👍\u{1F3FD}", "!"])
        XCTAssertEqual(Tokenizer.character.detokenize(t), "hi 👍\u{1F3FD}!")
    }

    func testNoEmptyOrWhitespaceTokens() {
        let t = tok("  \u{200D} a \u{FE0F}  b\u{7} \n")
        XCTAssertFalse(t.contains { $0.isEmpty || $0.allSatisfy(\.isWhitespace) })
        XCTAssertTrue(t.contains("a") && t.last?.hasPrefix("b") == true)
    }

    func testIdsInternInTheSharedVocabulary() {
        let ids = Tokenizer.word.ids("zzq-token-test zzq-token-test")
        XCTAssertEqual(ids.count, 2)
        XCTAssertEqual(ids[0], ids[1])
        XCTAssertEqual(Vocabulary.shared.token(ids[0]), "zzq-token-test")
    }
}
