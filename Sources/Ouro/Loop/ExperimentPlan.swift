import Foundation

/// One run of an experiment: a cell and a seed.
public struct RunPair: Hashable, Sendable, CustomStringConvertible {
    /// The cell's position, 0-based (the user's cell number is `cell + 1`).
    public let cell: Int
    public let seed: Int
    public init(cell: Int, seed: Int) { self.cell = cell; self.seed = seed }
    /// "cell 1, seed 7": the user's numbering (cells from 1, as in the store and in Lua).
    public var description: String { "cell \(cell + 1), seed \(seed)" }
}

/// A run that failed in `ExperimentPlan.run`, with its error.
public struct RunFailure: Error, CustomStringConvertible {
    /// The pair, or nil when a worker could not start (its factory threw).
    public let pair: RunPair?
    public let worker: Int
    public let error: any Error
    /// "cell 1, seed 7: …" — unless the error already starts with the run (the runner's errors name
    /// cell, seed and generation), so a run is numbered once and one way.
    public var description: String {
        guard let pair else { return "worker \(worker + 1) could not start: \(error)" }
        let message = "\(error)"
        return message.hasPrefix("\(pair),") || message.hasPrefix("\(pair):") ? message : "\(pair): \(message)"
    }
}

/// The runs of an experiment, their partition into slices (`--cell I/N`) and a work queue for
/// local workers (`--jobs N`). Results do not depend on either: each run's randomness comes from
/// its own (seed, cell, generation, role) streams.
public enum ExperimentPlan {
    /// All (cell, seed) pairs, cell by cell, seeds in the order given.
    public static func pairs(cells: Int, seeds: [Int]) -> [RunPair] {
        (0..<max(cells, 0)).flatMap { c in seeds.map { RunPair(cell: c, seed: $0) } }
    }

    /// The `index`-th of `count` slices (1-based, as in `--cell 2/8`): the pairs at positions
    /// `index − 1, index − 1 + count, …` of `pairs` (round robin, so every slice gets a share of
    /// every cell). The slices of 1…count partition `pairs`.
    /// - Throws: `LoopError` unless `1 ≤ index ≤ count`.
    public static func slice(_ pairs: [RunPair], index: Int, of count: Int) throws -> [RunPair] {
        guard count >= 1, index >= 1, index <= count else {
            throw LoopError("--cell must be I/N with 1 ≤ I ≤ N, got \(index)/\(count)")
        }
        return stride(from: index - 1, to: pairs.count, by: count).map { pairs[$0] }
    }

    /// Parses `"I/N"` (`--cell`).
    /// - Throws: `LoopError` for anything but two integers with 1 ≤ I ≤ N.
    public static func parseSlice(_ text: String) throws -> (index: Int, count: Int) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, i >= 1, i <= n else {
            throw LoopError("--cell must be I/N with 1 ≤ I ≤ N (e.g. 2/8), got '\(text)'")
        }
        return (i, n)
    }

    /// Runs `pairs` on `jobs` worker threads that take pairs from one queue in order.
    ///
    /// Each worker first calls `makeWorker(workerIndex)` on its own thread (the bridge builds the
    /// worker's Lua state and specs there) and then calls the returned closure for each pair it
    /// takes. A failing pair is recorded and the worker goes on with the next pair; a worker whose
    /// factory throws stops (the other workers take the remaining pairs).
    /// - Parameters:
    ///   - jobs: number of threads (≥ 1; at most `pairs.count` are started).
    ///   - stackSize: bytes of stack per worker thread.
    /// - Returns: the failures, sorted by pair order (worker start failures first).
    public static func run(_ pairs: [RunPair], jobs: Int, stackSize: Int = 16 << 20,
                           makeWorker: @escaping @Sendable (Int) throws -> (RunPair) throws -> Void) -> [RunFailure] {
        let queue = WorkQueue(pairs)
        let n = max(1, min(jobs, pairs.count))
        if pairs.isEmpty { return [] }
        let group = DispatchGroup()
        for w in 0..<n {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                let body: (RunPair) throws -> Void
                do { body = try makeWorker(w) } catch {
                    queue.record(RunFailure(pair: nil, worker: w, error: error), position: -1)
                    return
                }
                while !Interruption.isRequested, let (position, pair) = queue.next() {
                    do { try body(pair) } catch is Interruption.Interrupted {
                        break   // Ctrl-C: leave the remaining pairs; the caller reports the stop
                    } catch {
                        queue.record(RunFailure(pair: pair, worker: w, error: error), position: position)
                    }
                }
            }
            thread.stackSize = stackSize
            thread.start()
        }
        group.wait()
        return queue.failures
    }
}

/// The shared queue of `ExperimentPlan.run`: hands out pairs in order and collects failures.
final class WorkQueue: @unchecked Sendable {
    private let lock = NSLock()
    private let pairs: [RunPair]
    private var nextIndex = 0
    private var failed: [(Int, RunFailure)] = []

    init(_ pairs: [RunPair]) { self.pairs = pairs }

    func next() -> (Int, RunPair)? {
        lock.lock(); defer { lock.unlock() }
        guard nextIndex < pairs.count else { return nil }
        defer { nextIndex += 1 }
        return (nextIndex, pairs[nextIndex])
    }

    func record(_ failure: RunFailure, position: Int) {
        lock.lock(); defer { lock.unlock() }
        failed.append((position, failure))
    }

    var failures: [RunFailure] {
        lock.lock(); defer { lock.unlock() }
        return failed.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1.worker < $1.1.worker }.map(\.1)
    }
}
