import Foundation
import XCTest
@testable import OuroLua

/// Paths and helpers shared by the bridge tests.
enum TestSupport {
    static let repoRoot: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }()
    static var stdlib: String { repoRoot + "/stdlib" }

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
    static func runOuro(_ args: [String], stdin: String? = nil, cwd: String? = nil, data: String? = nil) throws -> (Int32, String, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ouroExecutable)
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["OURO_STDLIB"] = stdlib
        if let data { env["OURO_DATA"] = data }
        p.environment = env
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        let out = Pipe(), err = Pipe(), inp = Pipe()
        p.standardOutput = out; p.standardError = err; p.standardInput = inp
        try p.run()
        if let stdin { inp.fileHandleForWriting.write(Data(stdin.utf8)) }
        try inp.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
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
