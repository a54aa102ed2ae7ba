import Foundation
import XCTest
@testable import Ouro

/// Shared helpers for the embedding tests: the repository root, the parity fixture, and the MiniLM
/// weights (installed once per machine from the package cache, fetched by the project's own script).
enum EmbeddingTestSupport {
    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var cache: String {
        let env = ProcessInfo.processInfo.environment
        if let c = env["OURO_CACHE"], !c.isEmpty { return c }
        if let x = env["XDG_CACHE_HOME"], !x.isEmpty { return (x as NSString).appendingPathComponent("ouro") }
        return (NSHomeDirectory() as NSString).appendingPathComponent(".cache/ouro")
    }

    /// The data folder the tests install the weights into (under the cache, so once per machine).
    static var dataFolder: String { (cache as NSString).appendingPathComponent("test-data") }

    static let fetchCommand = "scripts/fetch-package.sh \(MiniLMWeights.packageName)"

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

    /// The MiniLM encoder; installs the weights first if needed (runs the fetch script, then
    /// `MiniLMWeights.install`). Fails the calling test, naming the command, if that is impossible.
    static func encoder(file: StaticString = #filePath, line: UInt = #line) throws -> SentenceEncoder {
        lock.lock(); defer { lock.unlock() }
        if let loaded { return try loaded.get() }
        let result = Result { try installAndLoad() }
        loaded = result
        if case .failure(let error) = result {
            XCTFail("MiniLM weights unavailable (\(error)); get them with `\(fetchCommand)` (or `ouro data`)", file: file, line: line)
        }
        return try result.get()
    }

    private static func installAndLoad() throws -> SentenceEncoder {
        if !MiniLMWeights.isInstalled(in: dataFolder) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["bash", repoRoot.appendingPathComponent("scripts/fetch-package.sh").path, MiniLMWeights.packageName]
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            guard p.terminationStatus == 0 else {
                throw EmbeddingError.installFailed("`\(fetchCommand)` exited with status \(p.terminationStatus)")
            }
            try MiniLMWeights.install(into: dataFolder, cache: cache)
        }
        return try MiniLMWeights.load(dataFolder: dataFolder)
    }

    static func cosine(_ a: ArraySlice<Float>, _ b: [Float]) -> Double {
        var dot = 0.0, na = 0.0, nb = 0.0
        for (x, y) in zip(a, b) { dot += Double(x) * Double(y); na += Double(x) * Double(x); nb += Double(y) * Double(y) }
        return dot / (na.squareRoot() * nb.squareRoot())
    }
}
