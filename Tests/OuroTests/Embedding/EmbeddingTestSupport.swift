import Foundation
import XCTest
@testable import Ouro

/// Shared helpers for the embedding tests: the repository root, the parity fixture, and the MiniLM
/// weights (installed once per machine from the package cache, fetched by the project's own script).
enum EmbeddingTestSupport {
    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The data folder `ouro data` builds (`$OURO_DATA`, else `data/` at the repository root), where
    /// the catalog installs the MiniLM weights.
    static var dataFolder: String { Catalog.defaultDataFolder(root: repoRoot.path) }

    /// The parity fixture written by `scripts/parity/embed.sh`.
    struct Fixture: Decodable {
        var texts: [String]
        var ids: [[Int32]]
        var embeddings: [[Float]]
        var metrics: [String: Double]
        var frechet_first8_20v20: Double
    }

    static func fixture() throws -> Fixture {
        let url = repoRoot.appendingPathComponent("Tests/Fixtures/parity/embed/minilm.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var loaded: Result<SentenceEncoder, Error>?

    /// The MiniLM encoder from the data folder. Fails the calling test, naming the command that
    /// installs the weights (`ouro data`), if they are not there.
    static func encoder(file: StaticString = #filePath, line: UInt = #line) throws -> SentenceEncoder {
        lock.lock(); defer { lock.unlock() }
        if let loaded { return try loaded.get() }
        let result = Result { try MiniLMWeights.load(dataFolder: dataFolder) }
        loaded = result
        if case .failure(let error) = result {
            XCTFail("MiniLM weights unavailable (\(error)); install them with `ouro data` (or `make data`)", file: file, line: line)
        }
        return try result.get()
    }

    static func cosine(_ a: ArraySlice<Float>, _ b: [Float]) -> Double {
        var dot = 0.0, na = 0.0, nb = 0.0
        for (x, y) in zip(a, b) { dot += Double(x) * Double(y); na += Double(x) * Double(x); nb += Double(y) * Double(y) }
        return dot / (na.squareRoot() * nb.squareRoot())
    }
}
