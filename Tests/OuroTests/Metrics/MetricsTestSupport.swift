import Foundation
import XCTest
@testable import Ouro

/// Shared helpers of the metrics tests: fixture paths and the pinned vaderSentiment sdist.
enum MetricsFixtures {
    /// Tests/Fixtures/parity/metrics.
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/parity/metrics")

    static func json(_ name: String) throws -> Any {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return try JSONSerialization.jsonObject(with: data)
    }

    struct MissingPackage: Error, CustomStringConvertible {
        let description: String
    }

    /// Ouro's package cache: $OURO_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/ouro (as scripts/fetch-package.sh).
    static var cache: URL {
        let env = ProcessInfo.processInfo.environment
        if let c = env["OURO_CACHE"], !c.isEmpty { return URL(fileURLWithPath: c) }
        let base = env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.cache")
        return URL(fileURLWithPath: base).appendingPathComponent("ouro")
    }

    private static func tar(_ args: [String]) throws {
        let r = try ChildProcess.run("tar", args)
        guard r.status == 0 else { throw MissingPackage(description: "tar \(args) failed: \(r.errors)") }
    }

    /// The extracted vaderSentiment-3.3.2 sdist (extracted once from the cached, verified archive).
    /// - Throws: naming `scripts/fetch-package.sh vaderSentiment` when the archive is not in the cache.
    static func vaderSdist() throws -> URL {
        let archive = cache.appendingPathComponent("packages/vaderSentiment-3.3.2.tar.gz")
        let root = cache.appendingPathComponent("extracted")
        let dir = root.appendingPathComponent("vaderSentiment-3.3.2")
        let tweets = dir.appendingPathComponent("hutto_ICWSM_2014/tweets_GroundTruth.txt")
        if FileManager.default.fileExists(atPath: tweets.path) { return dir }
        guard FileManager.default.fileExists(atPath: archive.path) else {
            throw MissingPackage(description: "vaderSentiment 3.3.2 is not in \(archive.path): run scripts/fetch-package.sh vaderSentiment")
        }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try tar(["xzf", archive.path, "-C", root.path])
        try tar(["xzf", dir.appendingPathComponent("additional_resources/hutto_ICWSM_2014.tar.gz").path, "-C", dir.path])
        return dir
    }

    static func vaderLexicon() throws -> VaderLexicon {
        try VaderLexicon.load(directory: vaderSdist().appendingPathComponent("vaderSentiment"))
    }

    /// The 4,200 ground-truth tweets: (id, text), parsed as scripts/parity/metrics_reference.py parses them.
    static func tweets() throws -> [(id: String, text: String)] {
        let url = try vaderSdist().appendingPathComponent("hutto_ICWSM_2014/tweets_GroundTruth.txt")
        let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        var rows: [(String, String)] = []
        for var line in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.last == "\r" { line = line.dropLast() }
            if line.isEmpty { continue }
            let parts = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
            rows.append((String(String.UnicodeScalarView(parts[0])), String(String.UnicodeScalarView(parts[2]))))
        }
        return rows
    }

    /// `' '.join(texts).lower().split()` for ASCII texts.
    static func pythonTokens(_ texts: [String]) -> [String] {
        PythonText.split(texts.joined(separator: " ").lowercased().unicodeScalars).map { String(String.UnicodeScalarView($0)) }
    }
}
