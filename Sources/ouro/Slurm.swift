import ArgumentParser
import Foundation
import Ouro
import OuroLua

/// `ouro slurm`: one job array and one merge job per experiment of a file (docs/scale.md).
struct Slurm: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Submit each experiment of a file to Slurm as a job array of --cell slices and a merge job; or resubmit what did not finish.",
        discussion: "Writes results/<experiment>.slurm/ (scripts, logs, part databases) and merges into results/<experiment>.db. See docs/scale.md.")

    @Argument(help: "The Lua file whose experiments to submit.")
    var file: String

    @OptionGroup var script: ScriptOptions

    @Option(help: ArgumentHelp("Array tasks per experiment (default: one per (cell, seed) run, at most 1000).", valueName: "N"))
    var tasks: Int?

    @Option(help: ArgumentHelp("Time limit per task (default 02:00:00).", valueName: "[D-]HH:MM:SS"))
    var time: String?

    @Option(help: "Slurm partition (default: the cluster's default).")
    var partition: String?

    @Option(help: ArgumentHelp("Memory per task (default 4G).", valueName: "SIZE"))
    var mem: String?

    @Option(help: "CPUs per task; each task runs with --jobs CPUS (default 1).")
    var cpus: Int?

    @Flag(help: "Print the scripts and the sbatch commands; write and submit nothing.")
    var dryRun = false

    @Flag(help: "Submit again the tasks whose part is incomplete and not queued (they resume), and a new merge job.")
    var resubmit = false

    func validate() throws {
        if let cpus, cpus < 1 { throw ValidationError("--cpus must be at least 1") }
        if resubmit && tasks != nil { throw ValidationError("--resubmit keeps the tasks of the first submission; leave out --tasks") }
        if resubmit && dryRun { throw ValidationError("--resubmit and --dry-run exclude each other") }
        if let time, time.range(of: #"^(\d+-)?\d+(:\d\d){0,2}$"#, options: .regularExpression) == nil {
            throw ValidationError("--time: '\(time)' is not a Slurm time (examples: 02:00:00, 1-12:00:00, 90)")
        }
    }

    func run() throws {
        let session = try OuroSession(scriptPath: file, options: try script.sessionOptions())
        session.state.output = { _ in }
        try ExperimentDriver.declare(session)
        let names = try ExperimentDriver.declaredNames(in: session)
        guard !names.isEmpty else { throw ValidationError("\(file) declares no experiment") }
        if !dryRun && !SlurmCommands.available {
            throw ValidationError("sbatch is not on PATH: run ouro slurm on the cluster's login node (or see the scripts with --dry-run)")
        }
        let workdir = FileManager.default.currentDirectoryPath
        do {
            for name in names {
                if resubmit {
                    var array = try SlurmArray.load(folder: (workdir as NSString).appendingPathComponent(SlurmArray.folder(for: name)))
                    guard array.runArguments == script.arguments else {
                        throw ValidationError("\(array.folder) was submitted with '\(array.runArguments.joined(separator: " "))': resubmit with the same options")
                    }
                    apply(to: &array.resources)
                    say(describe(try array.resubmit(with: SlurmCommands()), array))
                    continue
                }
                let (cells, seeds) = try ExperimentDriver.runs(session, name: name)
                var resources = SlurmArray.Resources()
                apply(to: &resources)
                var array = try SlurmArray(file: file, experiment: name, tasks: tasks ?? SlurmArray.defaultTasks(runs: cells * seeds.count),
                                           cells: cells, seeds: seeds, workdir: workdir, executable: Self.executable,
                                           runArguments: script.arguments, resources: resources)
                if dryRun {
                    print("# \(array.arrayScript)\n\(array.arrayScriptText)\n# \(array.mergeScript)\n\(array.mergeScriptText)")
                    print("# submit with:\n" + array.submitCommands.joined(separator: "\n") + "\n")
                } else {
                    say(describe(try array.submit(with: SlurmCommands()), array))
                }
            }
        } catch let e as SlurmError { throw CommandError(command: "slurm", underlying: e) }
    }

    func apply(to r: inout SlurmArray.Resources) {
        if let time { r.time = time }
        if let mem { r.mem = mem }
        if let cpus { r.cpus = cpus }
        if let partition { r.partition = partition }
    }

    func describe(_ outcome: SlurmArray.Outcome, _ a: SlurmArray) -> String {
        switch outcome {
        case .submitted(let s):
            return "\(a.experiment): array job \(s.arrayJob ?? "?") (task\(s.tasks.count == 1 ? "" : "s") \(SlurmArray.arraySpec(s.tasks)) of \(a.tasks)), "
                + "merge job \(s.mergeJob) into \(a.database); follow with: ouro status \(a.folder)"
        case .mergeOnly(let s):
            return "\(a.experiment): every task is done; merge job \(s.mergeJob) into \(a.database)"
        case .nothing(let why):
            return "\(a.experiment): \(why)"
        }
    }

    /// This `ouro` executable, by absolute path (the jobs run the same one).
    static var executable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }
}

/// `ouro status results/<name>.slurm`: each task's state from its part database, squeue and sacct.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the tasks of a job array of `ouro slurm`: done / running / pending / failed, with each log's last line.")

    @Argument(help: "The array folder, results/<experiment>.slurm.") var folder: String

    @Flag(help: "Exit 1 unless every task's part is complete (the merge job's check).") var requireComplete = false

    func run() throws {
        let array: SlurmArray
        do { array = try SlurmArray.load(folder: folder) } catch { throw CommandError(command: "status", underlying: error) }
        let slurm = SlurmCommands()
        var queue: [String: String] = [:]
        var note: String? = "squeue is not on PATH here: queued tasks show as failed"
        if SlurmCommands.available {
            do { queue = try slurm.queue(); note = nil } catch {
                var why = "\(error)"
                if case SlurmError.command(_, _, let output) = error {
                    why = output.split(whereSeparator: \.isNewline).last.map(String.init) ?? why
                }
                note = "squeue failed (\(why)): queued tasks show as failed"
            }
        }
        let tasks = array.status(queue: queue, accounting: SlurmCommands.available ? slurm.accounting(array.jobs) : [:])
        print(array.statusReport(tasks, queue: queue))
        if let note { print("note: " + note) }
        let incomplete = tasks.filter { $0.state != .done }
        if requireComplete && !incomplete.isEmpty {
            throw CommandError(command: "status", underlying: SlurmError.incomplete(
                "\(incomplete.count) of \(tasks.count) task(s) incomplete (\(SlurmArray.arraySpec(incomplete.map(\.task)))); "
                + "nothing merged. Resubmit them with: ouro slurm \(array.file) --resubmit"), status: 1)
        }
    }
}

extension ScriptOptions {
    /// These options as `ouro run` arguments (for the cluster tasks).
    var arguments: [String] {
        settings.flatMap { ["--set", $0] } + (trust ? ["--trust"] : [])
            + (maxInstructions.map { ["--max-instructions", String($0)] } ?? [])
            + (maxMemory.map { ["--max-memory", $0] } ?? [])
    }
}
