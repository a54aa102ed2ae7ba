import Foundation
import XCTest
@testable import Ouro

/// The byte-level BPE tokenizer: ids equal to Hugging Face's tokenizer (with the `smollm`
/// pre-tokenizer) on a sample of catalog texts and edge cases, on every catalog text through a hash,
/// and round trips.
final class LLMTokenizerTests: XCTestCase {
    struct Fixture: Decodable {
        struct Corpus: Decodable { var texts: Int; var tokens: Int; var hash: String }
        var texts: [String]; var ids: [[Int32]]; var corpora: [String: Corpus]
    }

    /// The fixture's order-sensitive hash: Σ (id + 1) · mix(k) mod 2⁶⁴ over positions k.
    static func idHash(_ ids: [Int32]) -> UInt64 {
        var h: UInt64 = 0
        for (k, id) in ids.enumerated() { h &+= UInt64(id + 1) &* SplitMix64.mix(UInt64(k)) }
        return h
    }

    func testIdsEqualHuggingFaceOnSampleAndEdgeCases() throws {
        let fx = try LLMTestSupport.fixture("tokenizer.json", as: Fixture.self)
        let tok = try LLMTestSupport.model().tokenizer
        for (t, ids) in zip(fx.texts, fx.ids) { XCTAssertEqual(tok.encode(t), ids, t.debugDescription) }
    }

    func testIdsEqualHuggingFaceOnEveryCatalogText() throws {
        let fx = try LLMTestSupport.fixture("tokenizer.json", as: Fixture.self)
        let tok = try LLMTestSupport.model().tokenizer
        for (name, want) in fx.corpora.sorted(by: { $0.key < $1.key }) {
            let path = (LLMTestSupport.dataFolder as NSString).appendingPathComponent(name + ".jsonl")
            guard let data = FileManager.default.contents(atPath: path) else {
                XCTFail("\(path) missing: build the catalog with `ouro data` (OURO_DATA names its folder)"); continue
            }
            var flat: [Int32] = [], count = 0, roundTrip = 0
            for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
                let o = try JSONSerialization.jsonObject(with: Data(line)) as! [String: Any]
                let text = o["text"] as! String
                let ids = tok.encode(text)
                flat += ids
                count += 1
                if tok.decode(ids) == text { roundTrip += 1 }
            }
            XCTAssertEqual(count, want.texts, name)
            XCTAssertEqual(flat.count, want.tokens, "\(name): token count")
            XCTAssertEqual(String(Self.idHash(flat)), want.hash, "\(name): ids differ from Hugging Face's")
            XCTAssertEqual(roundTrip, count, "\(name): decode(encode(x)) == x")
        }
    }

    func testDigitsAreSplitOneByOneBeforeTheGPT2Split() throws {
        let tok = try LLMTestSupport.model().tokenizer
        let ids = tok.encode("\n\n  45")
        XCTAssertEqual(tok.decode(ids), "\n\n  45")
        XCTAssertEqual(ids.suffix(2).map { tok.decode([$0]) }, ["4", "5"])
        XCTAssertEqual(tok.decode(Array(ids.dropLast(2))), "\n\n  ", "whitespace before a digit is one piece")
    }

    func testSpecialTokensAndChatLayout() throws {
        let m = try LLMTestSupport.model()
        XCTAssertEqual(m.tokenizer.encode("<|im_start|>user"), [1] + m.tokenizer.encode("user"))
        XCTAssertEqual(m.tokenizer.eosID, 2)
        XCTAssertEqual(m.chat.defaultSystem, "You are a helpful AI assistant named SmolLM, trained by Hugging Face")
        let ids = m.chatPromptIDs("Hi")
        XCTAssertEqual(m.tokenizer.decode(ids), "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
        XCTAssertTrue(m.tokenizer.decode(ids, skipSpecial: true).hasPrefix("system\n"))
    }

    func testUnknownPreTokenizerIsRefusedByName() {
        XCTAssertThrowsError(try BPETokenizer(tokens: ["a"], merges: [], types: [1], pre: "llama3", bos: nil, eos: nil)) { e in
            XCTAssertTrue("\(e)".contains("'llama3'"), "\(e)")
        }
    }
}
