import XCTest
@testable import Ouro

final class WordPieceTokenizerTests: XCTestCase {
    // ids: 0 [PAD], 1 [UNK], 2 [CLS], 3 [SEP], 4 un, 5 ##aff, 6 ##able, 7 ##a, 8 !, 9 cafe, 10 una
    let vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##aff", "##able", "##a", "!", "cafe", "una"]

    func testGreedyLongestMatchUsesContinuationPieces() throws {
        let t = try WordPieceTokenizer(tokens: vocab)
        // "unaffable": greedy takes the longest prefix "una"; the rest "ffable" starts no "##" piece,
        // so the whole word is [UNK] (no backtracking to "un" + "##aff" + "##able", as in BERT).
        XCTAssertEqual(t.encode("unaffable"), [2, 1, 3])
        // "unaaffable" = "una" + "##aff" + "##able".
        XCTAssertEqual(t.encode("unaaffable"), [2, 10, 5, 6, 3])
    }

    func testLowercasesStripsAccentsAndIsolatesPunctuation() throws {
        let t = try WordPieceTokenizer(tokens: vocab)
        XCTAssertEqual(t.encode("CAFÉ!"), [2, 9, 8, 3])
        XCTAssertEqual(t.encode("  café\u{00A0}!\u{200B}"), [2, 9, 8, 3])
    }

    func testOverlongWordIsUnknownAndLongTextIsTruncated() throws {
        let t = try WordPieceTokenizer(tokens: vocab, maxLength: 5)
        XCTAssertEqual(t.encode(String(repeating: "a", count: 101)), [2, 1, 3])
        XCTAssertEqual(t.encode("cafe cafe cafe cafe cafe"), [2, 9, 9, 9, 3])
        XCTAssertEqual(t.encode(""), [2, 3])
    }

    func testCJKIdeographsBecomeSeparateWords() throws {
        let t = try WordPieceTokenizer(tokens: vocab)
        XCTAssertEqual(t.words("ab日本c").map { String(String.UnicodeScalarView($0)) }, ["ab", "日", "本", "c"])
    }

    func testMissingSpecialTokenIsAnError() {
        XCTAssertThrowsError(try WordPieceTokenizer(tokens: ["a", "b"]))
    }
}
