import Foundation
import XCTest
@testable import Ouro

final class SafetensorsFileTests: XCTestCase {
    /// Writes a safetensors file by hand (8-byte LE header length, JSON header, raw LE data).
    func write(_ header: String, _ floats: [Float]) throws -> String {
        var data = Data()
        let h = Data(header.utf8)
        var len = UInt64(h.count).littleEndian
        data.append(Data(bytes: &len, count: 8))
        data.append(h)
        for f in floats { var b = f.bitPattern.littleEndian; data.append(Data(bytes: &b, count: 4)) }
        let path = NSTemporaryDirectory() + "ouro-st-\(UUID().uuidString).safetensors"
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    func testReadsF32TensorsByNameAndShape() throws {
        let path = try write(#"{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[1],"data_offsets":[16,20]}}"#,
                             [1, 2, 3, 4, -0.5])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let st = try SafetensorsFile(path: path)
        XCTAssertEqual(st.metadata["format"], "pt")
        XCTAssertEqual(st.tensors["a"]?.shape, [2, 2])
        XCTAssertEqual(try st.floats("a", shape: [2, 2]), [1, 2, 3, 4])
        XCTAssertEqual(try st.floats("b"), [-0.5])
        XCTAssertThrowsError(try st.floats("a", shape: [4]))
        XCTAssertThrowsError(try st.floats("missing"))
    }

    func testRejectsAHeaderThatPointsOutsideTheFile() throws {
        let path = try write(#"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, [1])
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertThrowsError(try SafetensorsFile(path: path))
    }

    func testMissingModelNamesOuroData() {
        let folder = NSTemporaryDirectory() + "ouro-no-model-\(UUID().uuidString)"
        XCTAssertThrowsError(try MiniLMWeights.load(dataFolder: folder)) { error in
            XCTAssertTrue("\(error)".contains("ouro data"), "\(error)")
        }
        XCTAssertThrowsError(try SentenceEncoder(modelFolder: folder)) { error in
            XCTAssertTrue("\(error)".contains("ouro data"), "\(error)")
        }
    }
}
