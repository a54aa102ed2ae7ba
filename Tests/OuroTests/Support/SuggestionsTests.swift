import XCTest
@testable import Ouro

final class SuggestionsTests: XCTestCase {
    func testSuggestsCloseNamesAndPrefixes() {
        XCTAssertEqual(Suggestions.closest(to: "ordr", in: ["order", "seed", "n"]), ["order"])
        XCTAssertEqual(Suggestions.closest(to: "sed", in: ["order", "seed", "n"]), ["seed"])
        XCTAssertEqual(Suggestions.closest(to: "max_new", in: ["max_new_tokens", "n"]), ["max_new_tokens"])
        XCTAssertEqual(Suggestions.closest(to: "zzzzzz", in: ["order", "seed"]), [])
    }

    /// Issue 14 (found by the fuzzer): a 100 kB name against short candidates took seconds of edit
    /// distance in a debug build; names whose length alone puts them past the bound are skipped.
    func testAHugeNameIsNotComparedCharacterByCharacter() {
        let huge = String(repeating: "x", count: 100_000)
        XCTAssertEqual(Suggestions.closest(to: huge, in: ["n", "seed", "temperature", "max_new_tokens"]), [])
        let long = String(repeating: "x", count: 300)
        XCTAssertEqual(Suggestions.closest(to: long + "y", in: [long]), [long])   // long but close: still compared
    }
}
