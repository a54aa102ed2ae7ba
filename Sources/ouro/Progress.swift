import Foundation
import Ouro

/// The command line's drawing of an experiment's progress (`RunProgressObserver`): on a terminal a
/// live line on stderr (experiment, cell, seed, generation, rate, ETA); otherwise one line per
/// finished run.
final class TerminalProgress: RunProgressObserver, @unchecked Sendable {
    private let lock = NSLock()
    private let live = isatty(2) != 0
    private var name = "", runs = 0, generations = 0, done = 0, gensDone = 0
    private var start = Date()

    func started(experiment: String, runs: Int, generations: Int, jobs: Int) {
        lock.withLock {
            name = experiment; self.runs = runs; self.generations = generations
            done = 0; gensDone = 0; start = Date()
        }
    }

    func generationDone(_ p: RunProgress) {
        lock.lock(); defer { lock.unlock() }
        gensDone += 1
        guard live else { return }
        let elapsed = Date().timeIntervalSince(start)
        let rate = Double(gensDone) / max(elapsed, 1e-9)
        let remaining = Double(runs * generations - gensDone) / max(rate, 1e-9)
        let line = String(format: "\r\u{1B}[K%@ · cell %d seed %d · generation %d/%d · %.2f gen/s · run %d/%d · ETA %@",
                          name as NSString, p.cell, p.seed, p.generation + 1, p.generations, rate, done + 1, runs,
                          TimeText.duration(remaining) as NSString)
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// A live line with the step and loss; otherwise one line when a generation's training ends.
    func trainingStep(_ r: TrainingReport) {
        let p = r.progress, name = lock.withLock { self.name }
        let what = String(format: "%@ · cell %d seed %d · generation %d/%d%@ · training step %d/%d · loss %.4f",
                          name as NSString, r.cell, r.seed, r.generation + 1, r.generations, r.replay ? " (replay)" : "",
                          p.step, p.steps, p.loss)
        if live {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + what).utf8))
        } else if p.step == p.steps {
            FileHandle.standardError.write(Data((what + "\n").utf8))
        }
    }

    func runDone(cell: Int, seed: Int, outcome: RunOutcome) {
        lock.lock(); defer { lock.unlock() }
        done += 1
        guard !live else { return }
        let how: String
        switch outcome {
        case .alreadyFinished: how = "already finished"
        case .finished(let from?): how = "resumed from generation \(from), finished"
        case .finished(nil): how = "finished"
        }
        let line = "\(name): cell \(cell) seed \(seed) \(how) (\(done)/\(runs), \(TimeText.duration(Date().timeIntervalSince(start))))\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finished() {
        guard live else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
