import Foundation

extension SlurmArray {
    /// What a (re)submission did.
    public enum Outcome: Equatable, Sendable {
        /// An array of these tasks and its merge job were submitted.
        case submitted(Submission)
        /// Every task is complete: only a merge job was submitted (the last one did not merge).
        case mergeOnly(Submission)
        /// Nothing to do: every task is done and merged, or every incomplete task is still queued.
        case nothing(String)
    }

    /// The `sbatch` command lines of a first submission, as a user would type them.
    public var submitCommands: [String] {
        ["array=$(sbatch --parsable \(Self.shellQuoted(arrayScript)))",
         "sbatch --dependency=afterany:$array \(Self.shellQuoted(mergeScript))"]
    }

    /// First submission: refuses when the folder was submitted before or the merged database
    /// exists; writes the scripts, submits the array and its merge job, and saves the manifest.
    public mutating func submit(with scheduler: SlurmScheduler) throws -> Outcome {
        if FileManager.default.fileExists(atPath: absolute(manifest)) {
            throw SlurmError.alreadySubmitted(folder: folder, file: file)
        }
        if FileManager.default.fileExists(atPath: absolute(database)) { throw SlurmError.databaseExists(database) }
        try writeScripts()
        return try submitArray(Array(1...tasks), waitingFor: [], with: scheduler)
    }

    /// `--resubmit`: submits the tasks that are neither complete nor queued (each resumes its part
    /// database), and a new merge job after them and after the tasks still queued; a merge job of an
    /// earlier submission that has not started is cancelled. When every task is complete and
    /// nothing merged them, submits the merge job alone.
    public mutating func resubmit(with scheduler: SlurmScheduler) throws -> Outcome {
        if FileManager.default.fileExists(atPath: absolute(database)) {
            return .nothing("\(database) is merged already; nothing to resubmit")
        }
        let queue = try scheduler.queue()
        let states = status(queue: queue)
        let failed = states.filter { $0.state == .failed }.map(\.task)
        let queuedArrays = Set(states.compactMap { queued(task: $0.task, in: queue)?.key.split(separator: "_").first.map(String.init) })
        if failed.isEmpty && !queuedArrays.isEmpty {
            return .nothing("no task to resubmit: \(states.filter { $0.state != .done }.count) task(s) still queued, their merge job follows them")
        }
        if failed.isEmpty, let (job, state) = mergeJob(queue: queue), state != nil, state != "PENDING" {
            return .nothing("every task is done and merge job \(job) is \(state!.lowercased())")
        }
        // The earlier merge job would run too early or fail: replace it.
        if let (job, state) = mergeJob(queue: queue), state == "PENDING" { try scheduler.cancel(job) }
        try writeScripts()
        return try submitArray(failed, waitingFor: queuedArrays.sorted(), with: scheduler)
    }

    /// Submits `tasks` (none: the merge job alone) and a merge job after them and after `waitingFor`.
    mutating func submitArray(_ tasks: [Int], waitingFor: [String], with scheduler: SlurmScheduler) throws -> Outcome {
        var array: String? = nil
        if !tasks.isEmpty {
            let options = tasks == Array(1...self.tasks) ? [] : ["--array=" + Self.arraySpec(tasks)]
            array = try scheduler.submit(script: absolute(arrayScript), options: options)
        }
        let after = ([array].compactMap { $0 } + waitingFor)
        let merge: String
        do {
            merge = try scheduler.submit(script: absolute(mergeScript),
                                         options: after.isEmpty ? [] : ["--dependency=afterany:" + after.joined(separator: ":")])
        } catch {
            // No array without its merge job: cancel it, so that nothing runs unrecorded.
            if let array { try? scheduler.cancel(array) }
            throw error
        }
        let formatter = ISO8601DateFormatter()
        let s = Submission(arrayJob: array, tasks: tasks, mergeJob: merge, submitted: formatter.string(from: Date()))
        submissions.append(s)
        try save()
        return tasks.isEmpty ? .mergeOnly(s) : .submitted(s)
    }
}
