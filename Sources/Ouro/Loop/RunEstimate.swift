import Foundation

/// The work of one run of an LLM experiment, counted before it runs (`ouro check` prints the time
/// it should take, so nobody starts a 10-hour grid by accident).
public struct RunEstimate: Sendable, Equatable {
    /// Tokens fine-tuned on over every generation (prompt + completion + end of turn per example,
    /// cut at `max_length`, times epochs).
    public var trainingTokens: Double
    /// Tokens sampled over every generation, at most (`max_new_tokens` per document; a document
    /// ends earlier at its end-of-turn token).
    public var sampledTokens: Double
    /// Seconds of metrics whose cost was stated (`MetricInfo.secondsPerCall`, at 2 threads), over
    /// every generation and the reference row.
    public var metricSeconds: Double

    public init(trainingTokens: Double, sampledTokens: Double, metricSeconds: Double = 0) {
        self.trainingTokens = trainingTokens; self.sampledTokens = sampledTokens; self.metricSeconds = metricSeconds
    }

    /// The work of one run of `plan`: `epochs` passes over each generation's training set — a human
    /// example `meanExampleTokens` tokens (prompt included), a synthetic one `meanPromptTokens` plus
    /// the previous generation's `maxNewTokens` (at temperature 1.5 most samples run to the limit:
    /// 80% in the quality grid), both cut at `maxLength` — and the documents each generation generates
    /// (the evaluation sample or the next generation's synthetic share, whichever is larger;
    /// ⌈need / fraction⌉ candidates when curating by a metric) at `maxNewTokens(g)` tokens each.
    public static func llm<M>(plan: CellPlan<M>, evalSize: Int, curationFraction: Double?, meanExampleTokens: Double,
                              meanPromptTokens: Double? = nil, maxLength: Int = .max,
                              epochs: Int, maxNewTokens: (Int) -> Int, accumulatesAll: Bool,
                              metricSecondsPerCall: Double = 0) -> RunEstimate {
        var train = 0.0, sampled = 0.0
        for g in 0..<plan.generations {
            let docs = accumulatesAll ? plan.trainSize * (g + 1) : plan.trainSize
            var perExample = meanExampleTokens
            if g > 0, let p = meanPromptTokens, plan.trainSize > 0 {
                let share = min(1, Double(plan.synthetic[g]) / Double(plan.trainSize))
                let synthetic = min(Double(maxLength), p + Double(maxNewTokens(g - 1)))
                perExample = (1 - share) * meanExampleTokens + share * synthetic
            }
            train += Double(docs * max(1, epochs)) * perExample
            let need = g + 1 < plan.generations ? plan.synthetic[g + 1] : 0
            let candidates = curationFraction.map { need == 0 ? 0 : Int((Double(need) / $0).rounded(.up)) } ?? need
            sampled += Double(max(evalSize, candidates) * maxNewTokens(g))
        }
        return RunEstimate(trainingTokens: train, sampledTokens: sampled,
                           metricSeconds: metricSecondsPerCall * Double(plan.generations + 1))
    }

    public static func + (a: RunEstimate, b: RunEstimate) -> RunEstimate {
        RunEstimate(trainingTokens: a.trainingTokens + b.trainingTokens, sampledTokens: a.sampledTokens + b.sampledTokens,
                    metricSeconds: a.metricSeconds + b.metricSeconds)
    }
}

/// The LLM's speed on the machine Ouro is developed on, for run-time estimates: the one place these
/// rates live. Measured end to end through the loop (release build, SmolLM2-135M, fresh rank-16 LoRA on
/// all seven projections, `--jobs 1` = 2 threads, the shared 2-core machine, 2026-12-01):
/// - training: `experiments/llm_quickstart.lua`, 133k example tokens (chat prompt included) in 454 s of
///   fine-tuning → 293 tokens/s (the engine's own benchmark gave 420 on a quieter moment, 16 × 64
///   padded tweets; the quality grid below gave 253 with a compiler running beside it);
/// - sampling: the quick LLM grid of `experiments/paper/quality.lua` (64 samples of ≤ 60 tokens a
///   generation, 36 generations): 138k tokens at most (documents × `max_new_tokens`, the count the
///   estimate uses; 80% of the samples ran to the limit) in 899 s → 154 such tokens/s. The
///   llm_quickstart run (100 samples of ≤ 48 tokens, many ending early) gave 312: the estimate errs
///   long for short outputs.
/// One thread: training at the benchmark's 1-/2-thread ratio (193 / 420), sampling at 2 threads ÷ 1.7.
/// More threads are extrapolated as `rate(2) · (t / 2)^0.75`. A debug build is several times slower.
public enum LLMRates {
    public static func trainingTokensPerSecond(threads: Int) -> Double {
        threads <= 1 ? 293 * 193 / 420 : 293 * pow(Double(threads) / 2, 0.75)
    }

    public static func samplingTokensPerSecond(threads: Int) -> Double {
        threads <= 1 ? 154 / 1.7 : 154 * pow(Double(threads) / 2, 0.75)
    }

    /// Seconds to load SmolLM2 from its GGUF (once per worker).
    public static let loadSeconds = 3.0

    /// Run time ÷ (training + sampling time) with the metrics computed on every generation: 818 s ÷
    /// 640 s in llm_quickstart (semantic metrics, self-BLEU, ppl_human on 100 texts a generation).
    /// Metrics defined in Lua (an LLM judge) add their own cost on top.
    public static let metricsFactor = 1.28

    /// Seconds of training and of sampling for `work` on one worker of `threads` threads.
    public static func seconds(_ work: RunEstimate, threads: Int) -> (training: Double, sampling: Double) {
        (work.trainingTokens / trainingTokensPerSecond(threads: threads), work.sampledTokens / samplingTokensPerSecond(threads: threads))
    }
}

extension RunEstimate {
    /// `ouro check`'s lines for an LLM experiment whose one seed of every cell is this work: the run
    /// time from the stated rates (`LLMRates`) for `--jobs 1` and, with two cores or more, `--jobs 2`.
    public func planLines(seeds: Int, cores: Int) -> [String] {
        let work = RunEstimate(trainingTokens: trainingTokens * Double(seeds), sampledTokens: sampledTokens * Double(seeds),
                               metricSeconds: metricSeconds * Double(seeds))
        func tokens(_ x: Double) -> String {
            x >= 1e6 ? String(format: "%.1fM", x / 1e6) : x >= 1e3 ? String(format: "%.0fk", x / 1e3) : String(format: "%.0f", x)
        }
        /// Stated metric costs are for 2 threads; they scale like sampling (the model's forward pass).
        func stated(_ threads: Int) -> Double {
            work.metricSeconds * LLMRates.samplingTokensPerSecond(threads: 2) / LLMRates.samplingTokensPerSecond(threads: threads)
        }
        let t1 = max(1, cores)
        let one = LLMRates.seconds(work, threads: t1)
        var line = "  estimated run time (LLM, --jobs 1 = one worker on \(t1) thread\(t1 == 1 ? "" : "s")): ≈ "
            + TimeText.duration((one.training + one.sampling) * LLMRates.metricsFactor + stated(t1) + LLMRates.loadSeconds)
            + " — training \(tokens(work.trainingTokens)) tokens ≈ \(TimeText.duration(one.training)) at \(Int(LLMRates.trainingTokensPerSecond(threads: t1))) tokens/s,"
            + " sampling ≤ \(tokens(work.sampledTokens)) tokens ≤ \(TimeText.duration(one.sampling)) at \(Int(LLMRates.samplingTokensPerSecond(threads: t1))) tokens/s"
        if work.metricSeconds > 0 { line += ", metrics with a stated cost (an LLM judge) ≈ \(TimeText.duration(stated(t1)))" }
        var lines = [line]
        if cores >= 2 {
            let each = LLMRates.seconds(work, threads: cores / 2)
            lines.append("  with --jobs 2 (\(cores / 2) thread\(cores / 2 == 1 ? "" : "s") each): ≈ "
                         + TimeText.duration(((each.training + each.sampling) * LLMRates.metricsFactor + stated(cores / 2)) / 2 + LLMRates.loadSeconds))
        }
        lines.append("  (stated rates of a release build on the 2-core development machine, LLMRates in Sources/Ouro/Loop/RunEstimate.swift;"
                     + " the other metrics included as +\(Int(((LLMRates.metricsFactor - 1) * 100).rounded()))%)")
        return lines
    }
}
