import Foundation
import XCTest
@testable import Ouro

/// The GGUF reader on a tiny file written by the test: metadata of each type, and tensors in every
/// dequantized type checked against values the test computes from the block layouts.
final class GGUFFileTests: XCTestCase {
    private var path = ""

    override func setUpWithError() throws {
        path = NSTemporaryDirectory() + "ouro-gguf-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString).gguf"
    }
    override func tearDown() { try? FileManager.default.removeItem(atPath: path) }

    /// A block of 32 quantized values with scale `d` (and offset `m` for Q4_1), and the floats it holds.
    static func q8Block(d: Float, qs: [Int8]) -> [UInt8] { GGUFWriter.f16(d) + qs.map { UInt8(bitPattern: $0) } }
    static func nibbles(_ q: [UInt8]) -> [UInt8] { (0..<16).map { q[$0] | (q[$0 + 16] << 4) } }

    func testReadsMetadataAndDequantizesEachSupportedType() throws {
        var w = GGUFWriter()
        w.meta = [("general.architecture", .string("llama")), ("llama.block_count", .u32(2)), ("x.neg", .i32(-7)),
                  ("x.eps", .f32(1e-5)), ("x.flag", .bool(true)), ("tokenizer.ggml.tokens", .strings(["a", "b", "ĠĠ"])),
                  ("x.ids", .i32s([3, -1]))]
        let f32Vals: [Float] = [1.5, -2.25, 0, 3e-8, 100, -0.5]
        let f16Vals: [Float] = [0.5, -1.25, 2048, 0.0009765625]
        let q8: [Int8] = (0..<32).map { Int8($0 - 16) }
        let q4: [UInt8] = (0..<32).map { UInt8(($0 * 7) % 16) }
        w.tensors = [
            ("t.f32", [3, 2], 0, f32Vals.flatMap(GGUFWriter.f32)),
            ("t.f16", [4], 1, f16Vals.flatMap(GGUFWriter.f16)),
            ("t.q8_0", [32], 8, Self.q8Block(d: 0.5, qs: q8)),
            ("t.q4_0", [32], 2, GGUFWriter.f16(0.25) + Self.nibbles(q4)),
            ("t.q4_1", [32, 1], 3, GGUFWriter.f16(0.125) + GGUFWriter.f16(-1) + Self.nibbles(q4)),
            ("t.q5_0", [32], 6, [UInt8](repeating: 0, count: 22)),
        ]
        try w.write(to: path)
        let g = try GGUFFile(path: path)
        XCTAssertEqual(g.version, 3)
        XCTAssertEqual(g.metadata["general.architecture"]?.string, "llama")
        XCTAssertEqual(g.metadata["llama.block_count"]?.int, 2)
        XCTAssertEqual(g.metadata["x.neg"]?.int, -7)
        XCTAssertEqual(g.metadata["x.eps"]?.double, Double(Float(1e-5)))
        XCTAssertEqual(g.metadata["x.flag"], .bool(true))
        XCTAssertEqual(g.metadata["tokenizer.ggml.tokens"]?.array?.compactMap(\.string), ["a", "b", "ĠĠ"])
        XCTAssertEqual(g.metadata["x.ids"]?.array?.compactMap(\.int), [3, -1])
        XCTAssertEqual(g.tensorOrder, ["t.f32", "t.f16", "t.q8_0", "t.q4_0", "t.q4_1", "t.q5_0"])
        XCTAssertEqual(g.tensors["t.f32"]?.dims, [3, 2])

        XCTAssertEqual(try g.floats("t.f32", shape: [3, 2]), f32Vals)
        XCTAssertEqual(try g.floats("t.f16"), f16Vals)
        XCTAssertEqual(try g.floats("t.q8_0"), q8.map { 0.5 * Float($0) })
        XCTAssertEqual(try g.floats("t.q4_0"), q4.map { 0.25 * (Float($0) - 8) })
        XCTAssertEqual(try g.floats("t.q4_1"), q4.map { 0.125 * Float($0) - 1 })

        XCTAssertThrowsError(try g.floats("t.q5_0")) { e in
            XCTAssertEqual(e as? LLMError, .unsupportedType(tensor: "t.q5_0", type: "Q5_0"))
            XCTAssertTrue("\(e)".contains("t.q5_0") && "\(e)".contains("Q5_0"))
        }
        XCTAssertThrowsError(try g.floats("t.f32", shape: [2, 3]))
        XCTAssertThrowsError(try g.floats("missing"))
    }

    func testRejectsFilesThatAreNotGGUF() throws {
        try Data("not a gguf at all".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try GGUFFile(path: path)) { e in XCTAssertTrue("\(e)".contains("bad magic"), "\(e)") }
        var w = GGUFWriter()
        w.meta = [("k", .string("v"))]
        let truncated = Array(w.bytes().prefix(30))
        try Data(truncated).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try GGUFFile(path: path)) { e in XCTAssertTrue("\(e)".contains("truncated"), "\(e)") }
        XCTAssertThrowsError(try GGUFFile(path: path + ".absent")) { e in XCTAssertTrue("\(e)".contains("ouro data"), "\(e)") }
    }

    func testATensorPastTheEndIsAnError() throws {
        var w = GGUFWriter()
        w.tensors = [("t", [64], 0, [UInt8](repeating: 0, count: 16))]   // claims 256 bytes, holds 16 (+ padding)
        try w.write(to: path)
        XCTAssertThrowsError(try GGUFFile(path: path).floats("t")) { e in XCTAssertTrue("\(e)".contains("past the end"), "\(e)") }
    }
}
