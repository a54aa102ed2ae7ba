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

    public init(trainingTokens: Double, sampledTokens: Double) {
        self.trainingTokens = trainingTokens; self.sampledTokens = sampledTokens
    }

    /// The work of one run of `plan`: `meanExampleTokens` tokens per training example (prompt
    /// included), `epochs` passes, and the documents each generation generates (the evaluation
    /// sample or the next generation's synthetic share, whichever is larger; ⌈need / fraction⌉
    /// candidates when curating by a metric) at `maxNewTokens(g)` tokens each.
    public static func llm<M>(plan: CellPlan<M>, evalSize: Int, curationFraction: Double?, meanExampleTokens: Double,
                              epochs: Int, maxNewTokens: (Int) -> Int, accumulatesAll: Bool) -> RunEstimate {
        var train = 0.0, sampled = 0.0
        for g in 0..<plan.generations {
            let docs = accumulatesAll ? plan.trainSize * (g + 1) : plan.trainSize
            train += Double(docs * max(1, epochs)) * meanExampleTokens
            let need = g + 1 < plan.generations ? plan.synthetic[g + 1] : 0
            let candidates = curationFraction.map { need == 0 ? 0 : Int((Double(need) / $0).rounded(.up)) } ?? need
            sampled += Double(max(evalSize, candidates) * maxNewTokens(g))
        }
        return RunEstimate(trainingTokens: train, sampledTokens: sampled)
    }

    public static func + (a: RunEstimate, b: RunEstimate) -> RunEstimate {
        RunEstimate(trainingTokens: a.trainingTokens + b.trainingTokens, sampledTokens: a.sampledTokens + b.sampledTokens)
    }
}

/// The LLM's speed on the machine Ouro is developed on, for run-time estimates: the one place these
/// rates live. Measured end to end through the loop with `experiments/llm_quickstart.lua` (release
/// build, SmolLM2-135M, fresh rank-16 LoRA on all seven projections, `--jobs 1` = 2 threads, the
/// shared 2-core machine at load ≈ 1, 2026-12-01; docs/llm.md, "Fine-tuning from Lua and in the loop"):
/// - training: 133k example tokens (chat prompt included) in 454 s of fine-tuning → 293 tokens/s
///   (the engine's own benchmark gave 420 on a quieter moment, 16 × 64 padded tweets);
/// - sampling: 58k tokens at most (documents × `max_new_tokens`, the count the estimate uses; many
///   documents end earlier at their end of turn) in 186 s → 312 such tokens/s.
/// One thread: training at the benchmark's 1-/2-thread ratio (193 / 420), sampling at 2 threads ÷ 1.7.
/// More threads are extrapolated as `rate(2) · (t / 2)^0.75`. A debug build is several times slower.
public enum LLMRates {
    public static func trainingTokensPerSecond(threads: Int) -> Double {
        threads <= 1 ? 293 * 193 / 420 : 293 * pow(Double(threads) / 2, 0.75)
    }

    public static func samplingTokensPerSecond(threads: Int) -> Double {
        threads <= 1 ? 312 / 1.7 : 312 * pow(Double(threads) / 2, 0.75)
    }

    /// Seconds to load SmolLM2 from its GGUF (once per worker).
    public static let loadSeconds = 3.0

    /// Seconds of training and of sampling for `work` on one worker of `threads` threads.
    public static func seconds(_ work: RunEstimate, threads: Int) -> (training: Double, sampling: Double) {
        (work.trainingTokens / trainingTokensPerSecond(threads: threads), work.sampledTokens / samplingTokensPerSecond(threads: threads))
    }
}

extension RunEstimate {
    /// `ouro check`'s lines for an LLM experiment whose one seed of every cell is this work: the run
    /// time from the stated rates (`LLMRates`) for `--jobs 1` and, with two cores or more, `--jobs 2`.
    public func planLines(seeds: Int, cores: Int) -> [String] {
        let work = RunEstimate(trainingTokens: trainingTokens * Double(seeds), sampledTokens: sampledTokens * Double(seeds))
        func tokens(_ x: Double) -> String {
            x >= 1e6 ? String(format: "%.1fM", x / 1e6) : x >= 1e3 ? String(format: "%.0fk", x / 1e3) : String(format: "%.0f", x)
        }
        let one = LLMRates.seconds(work, threads: max(1, cores))
        var lines = [
            "  estimated run time (LLM, --jobs 1 = one worker on \(max(1, cores)) thread\(cores == 1 ? "" : "s")): ≈ \(TimeText.duration(one.training + one.sampling + LLMRates.loadSeconds))"
                + " — training \(tokens(work.trainingTokens)) tokens ≈ \(TimeText.duration(one.training)) at \(Int(LLMRates.trainingTokensPerSecond(threads: cores))) tokens/s,"
                + " sampling ≤ \(tokens(work.sampledTokens)) tokens ≤ \(TimeText.duration(one.sampling)) at \(Int(LLMRates.samplingTokensPerSecond(threads: cores))) tokens/s",
        ]
        if cores >= 2 {
            let each = LLMRates.seconds(work, threads: cores / 2)
            lines.append("  with --jobs 2 (\(cores / 2) thread\(cores / 2 == 1 ? "" : "s") each): ≈ \(TimeText.duration((each.training + each.sampling) / 2 + LLMRates.loadSeconds))")
        }
        lines.append("  (stated rates of a release build on the 2-core development machine, LLMRates in Sources/Ouro/Loop/RunEstimate.swift;"
                     + " metrics not included: about +20% with semantic metrics and ppl_human, as in llm_quickstart)")
        return lines
    }
}
