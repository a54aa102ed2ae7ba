import Foundation
import XCTest
@testable import Ouro

/// Parity with KenLM. Reference values come from `scripts/parity/kenlm.sh` (lmplz and the kenlm
/// module, pinned 0.3.0), stored in Tests/Fixtures/parity/kenlm/.
final class NGramKenLMParityTests: XCTestCase {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Fixtures/parity/kenlm").standardized

    func lines(_ name: String) throws -> [[UInt32]] {
        let text = try String(contentsOf: Self.fixture.appendingPathComponent(name), encoding: .utf8)
        return text.split(separator: "\n").map { l in
            Vocabulary.shared.ids(for: l.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init))
        }
    }

    func reference() throws -> [String: Double] {
        let data = try Data(contentsOf: Self.fixture.appendingPathComponent("lmplz.json"))
        let obj = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        return obj["lmplz_perplexity"] as! [String: Double]
    }

    func testKneserNeyPerplexityEqualsLmplzForOrders2To5() throws {
        let train = try lines("train.txt"), held = try lines("heldout.txt"), ref = try reference()
        var ours: [String: Double] = [:]
        let out = ProcessInfo.processInfo.environment["OURO_PARITY_OUT"]
        for n in 2...5 {
            let m = try NGramModel(order: n, documents: train)
            let ppl = try m.perplexity(held)
            ours[String(n)] = ppl
            let r = ref[String(n)]!
            XCTAssertLessThan(abs(ppl - r) / r, 1e-4, "order \(n): ours \(ppl), lmplz \(r)")
            // Our exported ARPA, read back, scores like the model.
            let back = try ARPA.parse(try ARPA.export(m))
            let ppl2 = try back.perplexity(held)
            XCTAssertLessThan(abs(ppl2 - ppl) / ppl, 1e-9, "order \(n) ARPA round trip")
            if let out { try ARPA.write(m, to: "\(out)/ours-\(n).arpa") }
        }
        if let out {
            let data = try JSONSerialization.data(withJSONObject: ours)
            try data.write(to: URL(fileURLWithPath: "\(out)/ours.json"))
        }
    }

    func testImportedLmplzARPAScoresLikeKenLM() throws {
        let held = try lines("heldout.txt"), ref = try reference()
        let m = try ARPA.load(Self.fixture.appendingPathComponent("small3.arpa").path)
        let ppl = try m.perplexity(held)
        let r = ref["small3_heldout_ppl"]!
        XCTAssertLessThan(abs(ppl - r) / r, 1e-4, "ours \(ppl), kenlm \(r)")
    }
}
