import Foundation

extension SlurmArray {
    /// Where one array task stands.
    public struct TaskStatus: Equatable, Sendable {
        public enum State: String, Sendable {
            /// Its part database holds every run of its slice, finished.
            case done
            /// In the queue (squeue).
            case pending, running
            /// Not in the queue and not complete: resubmit it.
            case failed
        }
        public let task: Int
        public let state: State
        /// Finished runs of its slice in its part database, and the runs of its slice.
        public let finished: Int
        public let runs: Int
        /// The scheduler's word: squeue's state while queued, sacct's final state when accounting is on.
        public let scheduler: String?
        /// The last non-empty line of its log.
        public let lastLogLine: String?
    }

    /// Finished runs of task `task`'s slice in its part database (0 when it is missing or unreadable).
    public func finishedRuns(task: Int) -> Int {
        let path = absolute(part(task))
        guard FileManager.default.fileExists(atPath: path),
              let store = try? ResultStore.open(path, mode: .readOnly) else { return 0 }
        defer { try? store.close() }
        let wanted = Set(pairs(task: task))
        let runs = (try? store.runs()) ?? []
        return runs.filter { $0.experiment == experiment && $0.status == .finished && wanted.contains(RunPair(cell: $0.cell, seed: $0.seed)) }.count
    }

    /// The queue key of task `task` in its latest submission that is still queued, with its state.
    func queued(task: Int, in queue: [String: String]) -> (key: String, state: String)? {
        for s in submissions.reversed() where s.tasks.contains(task) {
            guard let job = s.arrayJob else { continue }
            if let state = queue["\(job)_\(task)"] { return ("\(job)_\(task)", state) }
        }
        return nil
    }

    /// The status of every task, from the part databases, the queue and (when on) accounting.
    public func status(queue: [String: String], accounting: [String: String] = [:]) -> [TaskStatus] {
        (1...tasks).map { t in
            let runs = pairs(task: t).count
            let finished = finishedRuns(task: t)
            let log = Self.lastLine(ofFile: absolute(self.log(t)))
            if finished == runs {
                return TaskStatus(task: t, state: .done, finished: finished, runs: runs, scheduler: nil, lastLogLine: log)
            }
            if let (_, state) = queued(task: t, in: queue) {
                let s: TaskStatus.State = state == "PENDING" || state == "CONFIGURING" || state == "REQUEUED" ? .pending : .running
                return TaskStatus(task: t, state: s, finished: finished, runs: runs, scheduler: state, lastLogLine: log)
            }
            let last = submissions.last { $0.tasks.contains(t) }?.arrayJob.flatMap { accounting["\($0)_\(t)"] }
            return TaskStatus(task: t, state: .failed, finished: finished, runs: runs, scheduler: last, lastLogLine: log)
        }
    }

    /// The merge job of the latest submission, with its queue state when still queued.
    public func mergeJob(queue: [String: String]) -> (job: String, state: String?)? {
        submissions.last.map { ($0.mergeJob, queue[$0.mergeJob]) }
    }

    /// Every job id submitted (arrays and merge jobs), for accounting queries.
    public var jobs: [String] { submissions.flatMap { [$0.arrayJob, $0.mergeJob].compactMap { $0 } } }

    /// The status as text, one line per task, then the merge job and the merged database.
    public func statusReport(_ tasks: [TaskStatus], queue: [String: String]) -> String {
        let done = tasks.filter { $0.state == .done }.count
        var lines = ["\(folder): '\(experiment)' of \(file), \(tasks.count) task\(tasks.count == 1 ? "" : "s"): \(done) done"
                     + [TaskStatus.State.running, .pending, .failed].compactMap { s in
                         let n = tasks.filter { $0.state == s }.count
                         return n > 0 ? ", \(n) \(s.rawValue)" : nil
                     }.joined()]
        for t in tasks {
            var line = "  task \(t.task): \(t.state.rawValue), \(t.finished)/\(t.runs) runs finished"
            if let s = t.scheduler { line += " (\(s))" }
            if let l = t.lastLogLine { line += " · " + l }
            lines.append(line)
        }
        if let (job, state) = mergeJob(queue: queue) {
            lines.append("  merge job \(job): " + (state.map { $0.lowercased() } ?? "ended") + " · " + (Self.lastLine(ofFile: absolute(mergeLog)) ?? "no log yet"))
        }
        let db = FileManager.default.fileExists(atPath: absolute(database))
        lines.append("  \(database): " + (db ? "merged" : "not merged yet"))
        if tasks.contains(where: { $0.state == .failed }) {
            lines.append("resubmit the failed tasks with: ouro slurm \(file) --resubmit")
        }
        return lines.joined(separator: "\n")
    }

    /// The last non-empty line of a text file (its last 4 KiB), progress redraws (`\r`) reduced to their last state.
    public static func lastLine(ofFile path: String) -> String? {
        guard let h = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? h.close() }
        let size = (try? h.seekToEnd()) ?? 0
        try? h.seek(toOffset: size > 4096 ? size - 4096 : 0)
        let text = String(decoding: (try? h.readToEnd()) ?? Data(), as: UTF8.self)
        let line = text.split(whereSeparator: \.isNewline).last.map(String.init)?
            .split(separator: "\r").last.map { $0.trimmingCharacters(in: .whitespaces) }
        return line?.isEmpty == false ? line : nil
    }
}
