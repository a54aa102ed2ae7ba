import Foundation
import XCTest
@testable import Ouro

final class ReadabilityTests: XCTestCase {
    func testSyllableHeuristicOnWordsCountedByHand() {
        // Vowel groups, then the documented endings: "table" keeps its "le", "cake" loses its "e",
        // "jumped" loses "ed" after p, "wanted" keeps it after t, "boxes" keeps "es" after x, "makes" loses it.
        let expected = ["cat": 1, "table": 2, "beautiful": 3, "cake": 1, "jumped": 1, "wanted": 2,
                        "boxes": 2, "makes": 1, "rhythm": 1, "the": 1, "be": 1, "42": 0, "Queue": 1]
        for (w, n) in expected { XCTAssertEqual(Readability.syllables(in: w), n, w) }
    }

    func testFleschKincaidGradeByHand() throws {
        // "The cat sat. The dog ran." → 6 words, 2 sentences, 6 syllables:
        // 0.39·3 + 11.8·1 − 15.59 = −2.62.
        XCTAssertEqual(try XCTUnwrap(Readability.fleschKincaidGrade("The cat sat. The dog ran.")), -2.62, accuracy: 1e-12)
        XCTAssertNil(Readability.fleschKincaidGrade("... !!!"))
        XCTAssertEqual(Readability.sentences("Hi!!! Really?? yes"), 3)
        XCTAssertEqual(Readability.characters("e\u{301}😀"), 3)
    }
}
