import Foundation

extension SlurmArray {
    /// The `#SBATCH` lines both scripts share: job name, working folder, log, limits.
    func directives(name: String, log: String, cpus: Int) -> [String] {
        var d = ["--job-name=\(name)", "--chdir=\(workdir)", "--output=\(absolute(log))", "--open-mode=append",
                 "--ntasks=1", "--cpus-per-task=\(cpus)", "--mem=\(resources.mem)", "--time=\(resources.time)"]
        if let p = resources.partition { d.append("--partition=\(p)") }
        return d.map { "#SBATCH " + $0 }
    }

    /// The job-array script: task `$SLURM_ARRAY_TASK_ID` runs its slice into its part database,
    /// resuming what an earlier attempt stored. `--array=1-N` is its default; a resubmission
    /// overrides it on the `sbatch` command line with the tasks to run again.
    public var arrayScriptText: String {
        let runs = cells * seeds.count
        let run = [executable, "run", file, "--experiment", experiment].map(Self.shellQuoted).joined(separator: " ")
            + " --cell \"$task/\(tasks)\" --out \(Self.shellQuoted(folder + "/part-"))\"$task\".db --resume --jobs \(resources.cpus)"
            + runArguments.map { " " + Self.shellQuoted($0) }.joined()
        return ([
            "#!/bin/bash",
            "# ouro slurm: experiment '\(experiment)' of \(file), \(cells) cell\(cells == 1 ? "" : "s") × \(seeds.count) seed\(seeds.count == 1 ? "" : "s") = \(runs) runs",
            "# in \(tasks) array task\(tasks == 1 ? "" : "s"); task i runs the i-th of \(tasks) slices (`ouro run --cell i/\(tasks)`) into part-i.db.",
            "# A task that ends early (time limit, preemption, scancel) resumes from its last whole generation when",
            "# resubmitted: ouro slurm \(file) --resubmit",
            "#SBATCH --array=1-\(tasks)",
        ] + directives(name: "ouro-\(experiment)", log: folder + "/task-%a.log", cpus: resources.cpus) + [
            "set -euo pipefail",
            "task=${SLURM_ARRAY_TASK_ID:?submit this script with sbatch: it is a job array}",
            "echo \"ouro: task $task/\(tasks) of '\(experiment)' on $(hostname), job ${SLURM_JOB_ID:-?}, $(date -u +%Y-%m-%dT%H:%M:%SZ)\"",
            "exec " + run,
        ]).joined(separator: "\n") + "\n"
    }

    /// The merge script, submitted with `--dependency=afterany:<array job>`: it runs once every
    /// task has ended however it ended (an `afterok` dependant of a cancelled task would wait
    /// forever), refuses to merge unless every part is complete (`ouro status --require-complete`
    /// names the tasks to resubmit), then merges the parts into `results/<name>.db` and writes
    /// the report.
    public var mergeScriptText: String {
        let ouro = Self.shellQuoted(executable)
        let parts = Self.shellQuoted(folder + "/part-") + (tasks == 1 ? "1" : "{1..\(tasks)}") + ".db"
        return ([
            "#!/bin/bash",
            "# ouro slurm: merges the \(tasks) part database\(tasks == 1 ? "" : "s") of '\(experiment)' into \(database), then writes its report.",
            "# Submitted with --dependency=afterany on the array; merges only when every task's part is complete.",
        ] + directives(name: "ouro-\(experiment)-merge", log: mergeLog, cpus: 1) + [
            "set -euo pipefail",
            "echo \"ouro: merge of '\(experiment)' on $(hostname), job ${SLURM_JOB_ID:-?}, $(date -u +%Y-%m-%dT%H:%M:%SZ)\"",
            "\(ouro) status \(Self.shellQuoted(folder)) --require-complete",
            "\(ouro) merge \(parts) --out \(Self.shellQuoted(database))",
            "\(ouro) report \(Self.shellQuoted(database))",
        ]).joined(separator: "\n") + "\n"
    }

    /// Writes `array.sbatch` and `merge.sbatch` into the folder (created if missing).
    public func writeScripts() throws {
        try FileManager.default.createDirectory(atPath: absolute(folder), withIntermediateDirectories: true)
        for (path, text) in [(arrayScript, arrayScriptText), (mergeScript, mergeScriptText)] {
            try text.write(toFile: absolute(path), atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: absolute(path))
        }
    }

    /// `text` as one word for bash: unchanged when it holds only safe characters, else in single quotes.
    public static func shellQuoted(_ text: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%")
        if !text.isEmpty && text.allSatisfy({ safe.contains($0) }) { return text }
        return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Slurm's compact list of task ids: `[1, 2, 3, 7]` → `1-3,7`.
    public static func arraySpec(_ tasks: [Int]) -> String {
        var ranges: [(Int, Int)] = []
        for t in tasks.sorted() {
            if let last = ranges.last, t == last.1 + 1 { ranges[ranges.count - 1].1 = t } else { ranges.append((t, t)) }
        }
        return ranges.map { $0.0 == $0.1 ? "\($0.0)" : "\($0.0)-\($0.1)" }.joined(separator: ",")
    }
}
