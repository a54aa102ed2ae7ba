import Foundation
import Ouro

/// Benchmarks of the metrics against their Python references, measured in the same run.
///
/// `run(_:)` loads the texts (the first N tweets of VADER's ground truth, or any file of one
/// text per line), times Ouro's Self-BLEU and VADER, and — when given a Python with sacrebleu 2.5.1 and
/// vaderSentiment 3.3.2 (`--python scripts/parity/.venv/bin/python`, built by `scripts/parity/metrics.sh`) —
/// times the reference loops on the same texts and prints the ratios. Ouro's times are the best of 5
/// runs; vaderSentiment's the best of 3; the sacreBLEU loop runs once (about a minute for 1,000 texts).
public enum MetricsBench {
    /// What to time (the CLI's `ouro bench metrics` options).
    public struct Options: Sendable {
        /// One text per line (VADER scores them all; Self-BLEU the first `n`).
        public var texts: String
        public var n = 1000
        /// VADER's lexicon folder (nil: VADER is not timed).
        public var lexicon: String?
        /// A Python with sacrebleu 2.5.1 and vaderSentiment 3.3.2: the peer (nil: Ouro alone).
        public var python: String?
        public init(texts: String) { self.texts = texts }
    }

    /// - Returns: a table of timings and ratios.
    /// - Throws: `BenchError` when the texts cannot be read.
    public static func run(_ o: Options) throws -> String {
        let all = try BenchError.lines(of: o.texts)
        let n = min(max(0, o.n), all.count)
        let texts = Array(all.prefix(n))
        var lines = ["metric        texts   ouro (s)     python (s)   ratio"]


        var selfBleuValue = 0.0
        let tBleu = (try? BenchTimer.best(5) { selfBleuValue = try SelfBLEU.selfBLEU(texts) }) ?? .nan
        var tVader = Double.nan
        var vaderSum = 0.0
        if let dir = o.lexicon, let lex = try? VaderLexicon.load(directory: URL(fileURLWithPath: dir)) {
            let vader = Vader(lexicon: lex)
            tVader = BenchTimer.best(5) { vaderSum = 0; for t in all { vaderSum += vader.polarityScores(t).compound } }
        }
        var pyBleu = Double.nan, pyVader = Double.nan
        if let python = o.python {
            let script = """
            import sys, time
            from sacrebleu.metrics import BLEU
            from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
            lines = [l for l in open(sys.argv[1], encoding='utf-8').read().split('\\n') if l]
            n = int(sys.argv[2]); texts = [t.strip() for t in lines[:n] if t.strip()]
            bleu = BLEU(effective_order=True)
            t0 = time.perf_counter()
            s = sum(bleu.sentence_score(t, texts[:i] + texts[i+1:]).score / 100 for i, t in enumerate(texts)) / len(texts)
            t1 = time.perf_counter()
            a = SentimentIntensityAnalyzer()
            best = float('inf')
            for _ in range(3):
                t2 = time.perf_counter()
                v = sum(a.polarity_scores(t)['compound'] for t in lines)
                best = min(best, time.perf_counter() - t2)
            print(t1 - t0, best, s, v)
            """
            if let r = try? ChildProcess.run(python, ["-c", script, o.texts, String(n)]), r.status == 0 {
                let out = r.stdout
                let f = String(decoding: out, as: UTF8.self).split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
                if f.count == 4 {
                    pyBleu = f[0]; pyVader = f[1]
                    lines.append("(check) self_bleu ouro \(selfBleuValue) python \(f[2]); vader Σcompound ouro \(vaderSum) python \(f[3])")
                }
            }
        }
        func row(_ name: String, _ count: Int, _ ours: Double, _ theirs: Double) -> String {
            let ratio = theirs.isNaN || ours.isNaN ? "-" : String(format: "%.0f×", theirs / ours)
            return name.padding(toLength: 14, withPad: " ", startingAt: 0) + String(count).padding(toLength: 8, withPad: " ", startingAt: 0)
                + String(format: "%-13.5f%-13.3f", ours, theirs) + ratio
        }
        lines.append(row("self_bleu", texts.count, tBleu, pyBleu))
        lines.append(row("vader", all.count, tVader, pyVader))
        return lines.joined(separator: "\n")
    }
}
