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

    /// The one-pass grade equals the definition spelled out: words(), sentences(), and syllables of
    /// each word's lowercased ASCII letters (non-ASCII letters lowercased on their own).
    func testOnePassGradeEqualsTheDefinition() throws {
        for word in ["İstanbul", "\u{212A}elvin", "ÉCOLE", "naïve", "Straße", "ÅNGSTRÖM's", "x2y"] {
            var letters: [UInt8] = []
            Readability.appendLetters(of: word.unicodeScalars, to: &letters)
            let expected = word.lowercased().unicodeScalars.filter { $0.isASCII && $0.properties.isAlphabetic }.map { UInt8($0.value) }
            XCTAssertEqual(letters, expected, word)
        }
        let texts = ["The cat sat. The dog ran.", "Wow!!! Café au lait, s'il vous plaît… 42 times?", "İstanbul \u{212A}elvin ÉCOLE naïve",
                     "no terminator here at all", "😀 ✨ — … ?!", "Hyphen-ated words and numbers 3.14 and emails a@b.c"]
        for t in texts {
            let ws = Readability.words(t)
            XCTAssertEqual(Readability.wordCount(t), ws.count, t)
            guard !ws.isEmpty else { XCTAssertNil(Readability.fleschKincaidGrade(t)); continue }
            let syl = ws.reduce(0) { $0 + Readability.syllables(in: $1) }
            let s = Double(max(Readability.sentences(t), 1)), n = Double(ws.count)
            XCTAssertEqual(try XCTUnwrap(Readability.fleschKincaidGrade(t)), 0.39 * n / s + 11.8 * Double(syl) / n - 15.59, accuracy: 1e-12, t)
        }
    }
}
