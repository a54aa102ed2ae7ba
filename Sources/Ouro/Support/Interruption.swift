import Foundation
import Synchronization

/// A request to stop long engine work (Ctrl-C): the REPL and `ouro run` set it from their SIGINT
/// handlers; engine loops (embedding batches, n-gram counting and sampling, the training loop's
/// generations, metrics) call `check()` at points where stopping leaves nothing half-written, and
/// throw `Interruption.Interrupted`.
public enum Interruption {
    private static let flag = Atomic<Bool>(false)

    /// The error thrown by `check()` once a stop was requested.
    public struct Interrupted: Error, CustomStringConvertible, Sendable {
        public init() {}
        public var description: String { "interrupted" }
    }

    /// Asks running engine work to stop (async-signal-safe: one atomic store).
    public static func request() { flag.store(true, ordering: .relaxed) }

    /// Clears the request (before the next piece of work).
    public static func reset() { flag.store(false, ordering: .relaxed) }

    /// Whether a stop was requested.
    public static var isRequested: Bool { flag.load(ordering: .relaxed) }

    /// Throws `Interrupted` if a stop was requested.
    @inline(__always)
    public static func check() throws {
        if flag.load(ordering: .relaxed) { throw Interrupted() }
    }
}
