import Foundation
import XCTest
@testable import Ouro

final class TextNormalizerTests: XCTestCase {
    func testComposesCombiningSequencesToNFC() {
        // U+0065 U+0301 composes canonically to U+00E9 (Unicode data: 00E9 ≡ 0065 0301).
        XCTAssertEqual(Array(TextNormalizer.nfc("Cafe\u{301}").unicodeScalars), Array("Caf\u{E9}".unicodeScalars))
        // Hangul jamo L+V compose algorithmically: (0x1100, 0x1161) → 0xAC00 (SBase + 0·588 + 0·28).
        XCTAssertEqual(Array(TextNormalizer.nfc("\u{1100}\u{1161}").unicodeScalars), ["\u{AC00}"])
        // Canonical reordering: dot below (ccc 220) before dot above (ccc 230); d + both → U+1E0D U+0307.
        XCTAssertEqual(Array(TextNormalizer.nfc("d\u{307}\u{323}").unicodeScalars), ["\u{1E0D}", "\u{307}"])
        // Compatibility characters are not folded by NFC: the ligature ﬁ stays.
        XCTAssertEqual(TextNormalizer.nfc("\u{FB01}"), "\u{FB01}")
    }

    func testNFCAgreesWithFoundationOnMixedScripts() {
        // Foundation's precomposedStringWithCanonicalMapping is an independent NFC implementation.
        let samples = ["Ame\u{301}lie", "A\u{30A}ngstro\u{308}m", "\u{1E9B}\u{323}", "한국어 \u{1100}\u{1161}\u{11A8}",
                       "Zoe\u{308} 👍🏽 naïve", "\u{212B}", "ελληνικά α\u{301}", "plain ascii"]
        for s in samples {
            XCTAssertEqual(Array(TextNormalizer.nfc(s).unicodeScalars),
                           Array(s.precomposedStringWithCanonicalMapping.unicodeScalars), s)
        }
    }

    func testFoldsWhitespaceRunsAndTrims() {
        XCTAssertEqual(TextNormalizer.normalize("  a\t\tb\n\nc\u{A0}d\u{3000}e  "), "a b c d e")
        XCTAssertEqual(TextNormalizer.normalize("\r\n"), "")
    }

    func testDropsControlAndInvisibleCharactersButKeepsJoiners() {
        XCTAssertEqual(TextNormalizer.normalize("\u{FEFF}he\u{200B}llo\u{7}"), "hello")
        let family = "👨\u{200D}👩\u{200D}👧"
        XCTAssertEqual(TextNormalizer.normalize(family), family)
    }

    func testNormalizeIsIdempotent() {
        for s in ["  Cafe\u{301}\n\nbar ", "x\u{2003}\u{2003}y", "🇺🇸 ok"] {
            let once = TextNormalizer.normalize(s)
            XCTAssertEqual(TextNormalizer.normalize(once), once)
        }
    }
}
