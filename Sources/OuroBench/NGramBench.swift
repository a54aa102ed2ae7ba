import Foundation
import Ouro

/// The Swift side of `ouro bench ngram` (scripts/bench/ngram.sh runs the peers and compares).
public enum NGramBench {
    /// One measurement.
    public struct Result: Sendable {
        public var tokens: Int
        public var fitSeconds: Double
        public var scoreSeconds: Double
        public var scoredTokens: Int
        public var generatedTokens: Int
        public var generateSeconds: Double
        public var bytesPerNGram: Double
        public var perplexity: Double
        /// The fitted model (`NGram(order 3, …)`).
        public var model: String

        /// `key value` lines, as scripts/bench/ngram.sh reads them.
        public var keyValueLines: String {
            ["model \(model)", "tokens \(tokens)", "ours_fit_s \(fitSeconds)", "ours_score_s \(scoreSeconds)",
             "scored_tokens \(scoredTokens)", "ours_gen_tok_s \(Double(generatedTokens) / generateSeconds)",
             "bytes_per_ngram \(bytesPerNGram)", "ours_ppl \(perplexity)"].joined(separator: "\n")
        }
    }

    /// Reads whitespace-tokenized text (one document per line) from `path`.
    public static func readLines(_ path: String) throws -> [[UInt32]] {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw NGramError("\(path): cannot read")
        }
        return text.split(separator: "\n").map { l in
            Vocabulary.shared.ids(for: l.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init))
        }.filter { !$0.isEmpty }
    }

    /// Fits an order-`order` Kneser–Ney model on `train`, scores `heldout` (timing the scoring alone),
    /// generates `generate` tokens from an order-3 model with `min_p = minP` at `temperature` on the
    /// calling thread (4000 documents per `generate` call, as one generation of the loop),
    /// and writes the fitted model's ARPA to `arpaPath` if given.
    public static func run(train: [[UInt32]], heldout: [[UInt32]], order: Int, generate: Int = 1_000_000,
                           minP: Double = 0.1, temperature: Double = 1, arpaPath: String? = nil) throws -> Result {
        let tokens = train.reduce(0) { $0 + $1.count }
        var m: NGramModel!
        let fit = try BenchTimer.seconds { m = try NGramModel(order: order, documents: train) }
        var ppl = 0.0
        // best of 5: one pass over a few thousand lines takes milliseconds
        let score = try BenchTimer.best(5) { ppl = try m.perplexity(heldout) }
        if let arpaPath { try ARPA.write(m, to: arpaPath) }
        let m3: NGramModel = order == 3 ? m : try NGramModel(order: 3, documents: train)
        var produced = 0, seed: UInt64 = 0
        let gen = try BenchTimer.seconds {
            while produced < generate {
                let docs = try m3.generate(n: 4000, params: GenerationParams(temperature: temperature, minP: minP, maxNewTokens: 200),
                                           seed: seed)
                for d in docs { produced += d.count + 1 }
                seed += 1
            }
        }
        return Result(tokens: tokens, fitSeconds: fit, scoreSeconds: score,
                      scoredTokens: heldout.reduce(0) { $0 + $1.count + 1 }, generatedTokens: produced,
                      generateSeconds: gen, bytesPerNGram: m.bytesPerNGram, perplexity: ppl, model: m.description)
    }
}
