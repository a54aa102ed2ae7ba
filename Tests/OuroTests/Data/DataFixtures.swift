import Foundation

/// Paths of test fixtures in `Tests/Fixtures/data`, found from this file's location.
enum DataFixtures {
    static let dataDirectory: String = {
        URL(fileURLWithPath: #filePath)          // Tests/OuroTests/Data/Fixtures.swift
            .deletingLastPathComponent()         // Tests/OuroTests/Data
            .deletingLastPathComponent()         // Tests/OuroTests
            .deletingLastPathComponent()         // Tests
            .appendingPathComponent("Fixtures/data").path
    }()

    static func path(_ name: String) -> String { dataDirectory + "/" + name }

    /// Writes `contents` to a fresh temporary file named `name` and returns its path.
    static func temporary(_ name: String, _ contents: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("ouro-data-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try contents.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}
