import Foundation

/// What `SlurmArray` asks of a scheduler. `SlurmCommands` is the real one (sbatch, squeue,
/// scancel, sacct); tests use a fake.
public protocol SlurmScheduler {
    /// Submits a batch script with extra `sbatch` options; returns the job id.
    func submit(script: String, options: [String]) throws -> String
    /// The jobs in the queue: `"<job>"` or, for array tasks, `"<job>_<task>"` → state (`PENDING`, `RUNNING`, …).
    func queue() throws -> [String: String]
    /// Cancels a job.
    func cancel(_ job: String) throws
    /// Final states of ended jobs (`CANCELLED`, `TIMEOUT`, …) when accounting is on; empty otherwise.
    func accounting(_ jobs: [String]) -> [String: String]
}

/// The real scheduler: Slurm's command-line tools, run through `SlurmCommands.execute`.
public struct SlurmCommands: SlurmScheduler {
    public init() {}

    /// Runs one Slurm tool (looked up on PATH) and returns its exit status, stdout and stderr.
    /// The only place `ouro slurm` and `ouro status` start a process.
    public static func execute(_ tool: String, _ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let r = try ChildProcess.run(tool, arguments)
        return (r.status, r.output, r.errors)
    }

    /// Whether `sbatch` is on PATH.
    public static var available: Bool { ChildProcess.which("sbatch") != nil }

    func checked(_ tool: String, _ arguments: [String]) throws -> String {
        let r = try Self.execute(tool, arguments)
        guard r.status == 0 else {
            throw SlurmError.command(([tool] + arguments).joined(separator: " "), status: r.status, output: r.err + r.out)
        }
        return r.out
    }

    public func submit(script: String, options: [String]) throws -> String {
        let args = ["--parsable"] + options + [script]
        let out = try checked("sbatch", args)
        // --parsable prints "<job id>" or "<job id>;<cluster>".
        let id = out.split(whereSeparator: \.isNewline).last.map { String($0.split(separator: ";")[0]) } ?? ""
        guard !id.isEmpty, id.allSatisfy(\.isNumber) else {
            throw SlurmError.unexpectedOutput((["sbatch"] + args).joined(separator: " "), output: out)
        }
        return id
    }

    public func queue() throws -> [String: String] {
        Self.parseQueue(try checked("squeue", ["--noheader", "--array", "--me", "--format=%i|%T"]))
    }

    public func cancel(_ job: String) throws { _ = try checked("scancel", [job]) }

    public func accounting(_ jobs: [String]) -> [String: String] {
        guard !jobs.isEmpty,
              let r = try? Self.execute("sacct", ["--noheader", "--parsable2", "--allocations", "--format=JobID,State",
                                                  "--jobs=" + jobs.joined(separator: ",")]),
              r.status == 0 else { return [:] }
        return Self.parseQueue(r.out)
    }

    /// Lines `id|STATE` (squeue `--format=%i|%T`, sacct `--parsable2`) → id → state; a state such as
    /// `CANCELLED by 0` keeps its first word.
    public static func parseQueue(_ text: String) -> [String: String] {
        var states: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let f = line.split(separator: "|", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard f.count == 2, !f[0].isEmpty else { continue }
            states[f[0]] = String(f[1].split(separator: " ").first ?? "")
        }
        return states
    }
}

