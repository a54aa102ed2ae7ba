import XCTest
@testable import Ouro

final class VocabularyTests: XCTestCase {
    func testReservedIdsComeFirstAndInterningIsStable() {
        let v = Vocabulary()
        XCTAssertEqual(v.token(Vocabulary.unk), "<unk>")
        XCTAssertEqual(v.token(Vocabulary.bos), "<s>")
        XCTAssertEqual(v.token(Vocabulary.eos), "</s>")
        let a = v.id(for: "hello")
        XCTAssertEqual(v.id(for: "hello"), a)
        XCTAssertEqual(v.lookup("hello"), a)
        XCTAssertNil(v.lookup("absent"))
        XCTAssertEqual(v.ids(for: ["hello", "world"]), [a, a + 1])
        XCTAssertEqual(v.tokens([a, a + 1]), ["hello", "world"])
    }
}
