import Foundation
import XCTest
@testable import OuroLua
import Ouro

/// Paths and helpers shared by the bridge tests.
enum TestSupport {
    /// A data file or model a test needs is missing: the test fails (never skips) with this message,
    /// which says how to get it.
    struct Missing: Error, CustomStringConvertible {
        let description: String
        init(_ message: String) { description = message }
    }

    static let repoRoot: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }()
    static var stdlib: String { repoRoot + "/stdlib" }
    /// The data folder the LLM tests use: `$OURO_DATA`, else the repository's `data/`.
    static var dataFolder: String { Catalog.defaultDataFolder(root: repoRoot) }

    /// Fails the calling test (never skips) when SmolLM2 is not installed in `dataFolder`.
    static func requireSmolLM2() throws {
        let p = try LLMWeights.path(name: "smollm2-135m-instruct", dataFolder: dataFolder)
        if !FileManager.default.fileExists(atPath: p) {
            throw Missing("\(p) missing: `ouro data` fetches and installs SmolLM2 (set OURO_DATA to its data folder)")
        }
    }

    /// A fresh temporary folder.
    static func tempFolder() -> String {
        let dir = NSTemporaryDirectory() + "ouro-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A session over a script file holding `source`, with output captured.
    static func session(_ source: String, name: String = "script.lua", options: SessionOptions = SessionOptions(),
                        folder: String? = nil) throws -> (OuroSession, Capture) {
        let dir = folder ?? tempFolder()
        let path = dir + "/" + name
        try source.write(toFile: path, atomically: true, encoding: .utf8)
        var o = options
        o.stdlib = stdlib
        o.dataFolder = dir + "/data"
        let s = try OuroSession(scriptPath: path, options: o)
        let capture = Capture()
        s.state.output = { capture.text += $0 }
        return (s, capture)
    }

    /// The built `ouro` executable (beside the test bundle).
    static var ouroExecutable: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = bundle.deletingLastPathComponent()
        if bundle.pathExtension != "xctest" { dir = bundle.deletingLastPathComponent() }
        for candidate in [dir, dir.deletingLastPathComponent()] {
            let p = candidate.appendingPathComponent("ouro").path
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return dir.appendingPathComponent("ouro").path
    }

    /// Runs `ouro` with arguments and optional stdin; returns (exit code, stdout, stderr).
    static func runOuro(_ args: [String], stdin: String? = nil, cwd: String? = nil, data: String? = nil,
                        environment: [String: String] = [:]) throws -> (Int32, String, String) {
        try run(ouroExecutable, args, stdin: stdin, cwd: cwd,
                environment: environment.merging(data.map { ["OURO_DATA": $0] } ?? [:]) { $1 })
    }

    /// Runs a program (OURO_STDLIB set, `environment` added) through the engine's one door for
    /// child processes and returns (exit code, stdout, stderr).
    static func run(_ executable: String, _ args: [String], stdin: String? = nil, cwd: String? = nil,
                    environment: [String: String] = [:]) throws -> (Int32, String, String) {
        let r = try ChildProcess.run(executable, args, environment: environment.merging(["OURO_STDLIB": stdlib]) { $1 },
                                     workingDirectory: cwd, input: stdin)
        return (r.status, r.output, r.errors)
    }
}

final class Capture: @unchecked Sendable { var text = "" }

/// A Swift object whose deinit is counted (for `__gc` tests).
final class Probe: CustomStringConvertible {
    nonisolated(unsafe) static var alive = 0
    let value: Int
    init(_ value: Int) { self.value = value; Probe.alive += 1 }
    deinit { Probe.alive -= 1 }
    var description: String { "Probe(\(value))" }
}
