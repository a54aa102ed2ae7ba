import Foundation

/// A benchmark's input that cannot be used (the CLI prints it and exits 2).
public struct BenchError: Error, CustomStringConvertible {
    public let description: String

    /// The non-empty lines of a text file.
    static func lines(of path: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BenchError(description: "cannot read \(path)")
        }
        return String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }
}

/// The Python peers of the benchmarks.
enum BenchPeer {
    /// The environment every peer runs in: Hugging Face offline, tokenizers single-threaded.
    static let environment = ["HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"]
}

/// Wall-clock timing for the benchmarks (monotonic clock).
enum BenchTimer {
    /// Seconds `body` takes.
    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let t0 = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    }

    /// The fastest of `reps` runs of `body`, in seconds.
    static func best(_ reps: Int, _ body: () throws -> Void) rethrows -> Double {
        var m = Double.infinity
        for _ in 0..<max(1, reps) { m = min(m, try seconds(body)) }
        return m
    }
}
