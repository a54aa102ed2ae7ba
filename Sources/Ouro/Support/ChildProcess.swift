import Foundation
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// The one door through which Ouro starts other programs (pip, tar, gzip, rsvg-convert, the Python
/// peers of the benchmarks, `xdg-open`; the tests start `ouro` itself through it), built on
/// swiftlang/swift-subprocess. Output is collected in memory up to a limit; the call blocks until
/// the child exits.
public enum ChildProcess {
    /// What a finished child left.
    public struct Result: Sendable {
        /// The exit status, or 128 + the signal that ended it.
        public let status: Int32
        public let stdout: [UInt8]
        public let stderr: [UInt8]
        /// Standard output as UTF-8 text.
        public var output: String { String(decoding: stdout, as: UTF8.self) }
        /// Standard error as UTF-8 text.
        public var errors: String { String(decoding: stderr, as: UTF8.self) }
    }

    /// A child that could not be started.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// What a running child accepts from `interact`'s body: lines on its standard input, signals.
    public struct Session: Sendable {
        fileprivate let writeText: @Sendable (String) async throws -> Void
        fileprivate let signal: @Sendable (Int32) throws -> Void
        /// Writes `text` to the child's standard input.
        public func write(_ text: String) async throws { try await writeText(text) }
        /// Sends a signal (`SIGINT`, …) to the child.
        public func send(_ signal: Int32) throws { try self.signal(signal) }
    }

    /// Runs `tool` (a name looked up on `PATH`, or a path) with `arguments` and waits for it.
    /// - Parameters:
    ///   - environment: variables set on top of this process's environment.
    ///   - workingDirectory: the child's working directory (default: ours).
    ///   - input: text for its standard input (default: none).
    ///   - outputLimit: the most bytes kept of standard output and of standard error each.
    /// - Throws: `Failure` if it cannot be started or its output passes the limit.
    public static func run(_ tool: String, _ arguments: [String], environment: [String: String] = [:],
                           workingDirectory: String? = nil, input: String? = nil,
                           outputLimit: Int = 256 << 20) throws -> Result {
        let configuration = configure(tool, arguments, environment, workingDirectory)
        return try blocking {
            let r = try await Subprocess.run(configuration, input: .string(input ?? ""),
                                             output: .bytes(limit: outputLimit), error: .bytes(limit: outputLimit))
            return Result(status: code(r.terminationStatus), stdout: r.standardOutput, stderr: r.standardError)
        }
    }

    /// Runs `tool` while `body` talks to it (writes to its standard input, sends signals); standard
    /// input is closed when `body` returns, then the call waits for the child to exit.
    public static func interact(_ tool: String, _ arguments: [String], environment: [String: String] = [:],
                                workingDirectory: String? = nil, outputLimit: Int = 64 << 20,
                                body: @escaping @Sendable (Session) async throws -> Void) throws -> Result {
        let configuration = configure(tool, arguments, environment, workingDirectory)
        return try blocking {
            let r = try await Subprocess.run(configuration, input: .inputWriter,
                                             output: .bytes(limit: outputLimit), error: .bytes(limit: outputLimit)) { execution in
                let writer = execution.standardInputWriter
                let session = Session(
                    writeText: { text in _ = try await writer.write(text) },
                    signal: { s in try execution.send(signal: Signal(rawValue: s)) })
                try await body(session)
                try await writer.finish()
            }
            return Result(status: code(r.terminationStatus), stdout: r.standardOutput, stderr: r.standardError)
        }
    }

    /// Whether `tool` is an executable file on `PATH` (or at the path given).
    public static func which(_ tool: String) -> String? {
        if tool.contains("/") { return FileManager.default.isExecutableFile(atPath: tool) ? tool : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = String(dir) + "/" + tool
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    private static func configure(_ tool: String, _ arguments: [String], _ environment: [String: String],
                                  _ workingDirectory: String?) -> Configuration {
        var env: [Environment.Key: String?] = [:]
        for (k, v) in environment { env[Environment.Key(stringLiteral: k)] = v }
        return Configuration(executable: tool.contains("/") ? .path(FilePath(tool)) : .name(tool),
                             arguments: Arguments(arguments),
                             environment: environment.isEmpty ? .inherit : .inherit.updating(env),
                             workingDirectory: workingDirectory.map { FilePath($0) })
    }

    private static func code(_ status: TerminationStatus) -> Int32 {
        switch status {
        case .exited(let c): return Int32(truncatingIfNeeded: c)
        case .signaled(let s): return 128 + Int32(truncatingIfNeeded: s)
        }
    }

    /// Runs async work to completion from synchronous code (Ouro's callers are plain threads, never
    /// tasks of the cooperative pool, so blocking here cannot starve it).
    private static func blocking<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
        let box = ResultBox<T>(), done = DispatchSemaphore(value: 0)
        Task.detached {
            do { box.result = .success(try await work()) } catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        do { return try box.result!.get() } catch let e as SubprocessError {
            throw Failure(description: "\(e)")
        }
    }
}

/// The hand-over slot of `ChildProcess.blocking`: written once by the task, read after the semaphore.
private final class ResultBox<T>: @unchecked Sendable {
    var result: Swift.Result<T, any Error>?
}
