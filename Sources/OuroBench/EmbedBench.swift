import Foundation
import Ouro

/// Benchmark of the sentence encoder against sentence-transformers on CPU, measured in the same run
/// on the same texts with the same number of threads.
///
/// `run(_:)` loads the model folder and the texts (one per line; the first N), embeds them
/// with Ouro (best of `--reps` runs after one warm-up) and — given a Python with the pinned
/// sentence-transformers (`--python scripts/parity/.venv/embed/bin/python`, built by
/// `scripts/parity/embed.sh` or `scripts/bench/embed.sh`) — times `SentenceTransformer.encode` on the
/// same texts, batch size and `torch.set_num_threads`, and prints texts per second and the ratio,
/// plus a check that both computed the same embeddings (minimum cosine between the two outputs).
public enum EmbedBench {
    /// What to time (the CLI's `ouro bench embed` options).
    public struct Options: Sendable {
        /// One text per line; the first `n` are embedded.
        public var texts: String
        public var n = 1000
        /// A MiniLM folder; nil: `<dataFolder>/models/minilm`.
        public var model: String?
        public var dataFolder = "data"
        public var threads = ProcessInfo.processInfo.activeProcessorCount
        public var batch = 64
        /// Ouro's runs after one warm-up (the fastest counts).
        public var reps = 3
        /// A Python with the pinned sentence-transformers: the peer (nil: Ouro alone).
        public var python: String?
        public init(texts: String) { self.texts = texts }
    }

    /// - Returns: a table of throughputs and the ratio.
    /// - Throws: `BenchError` when the texts cannot be read; the model's load error.
    public static func run(_ o: Options) throws -> String {
        let all = try BenchError.lines(of: o.texts).map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
        let modelDir = o.model ?? MiniLMWeights.modelFolder(in: o.dataFolder)
        let n = min(max(0, o.n), all.count), texts = Array(all.prefix(n))
        let threads = max(1, o.threads), batch = max(1, o.batch), reps = max(1, o.reps)

        let encoder = try SentenceEncoder(modelFolder: modelDir)
        encoder.threads = threads
        var ours = EmbeddingMatrix(rows: 0, cols: 0, storage: [])
        let tokens = texts.reduce(0) { $0 + encoder.tokenizer.encode($1).count }
        _ = try? encoder.embed(Array(texts.prefix(64)), batchSize: batch)
        let best = (try? BenchTimer.best(reps) { ours = try encoder.embed(texts, batchSize: batch) }) ?? .nan
        var lines = ["embed: \(n) texts (\(tokens) tokens with [CLS]/[SEP]), batch \(batch), \(threads) thread(s), best of \(reps)",
                     "engine                 seconds   texts/s   ratio"]
        func row(_ name: String, _ s: Double, _ ratio: String) -> String {
            name.padding(toLength: 22, withPad: " ", startingAt: 0)
                + String(format: " %8.3f  %8.1f   %@", s, Double(n) / s, ratio)
        }
        lines.append(row("ouro", best, "1.00"))
        guard let python = o.python else { return lines.joined(separator: "\n") }

        let tmp = NSTemporaryDirectory() + "ouro-embed-bench-\(ProcessInfo.processInfo.processIdentifier)"
        try? FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let textFile = tmp + "/texts.json", outFile = tmp + "/reference.f32"
        guard let json = try? JSONSerialization.data(withJSONObject: texts), (try? json.write(to: URL(fileURLWithPath: textFile))) != nil else {
            return lines.joined(separator: "\n") + "\nbench embed: cannot write \(textFile)"
        }
        let script = """
        import json, sys, time
        import torch
        from sentence_transformers import SentenceTransformer
        torch.set_num_threads(int(sys.argv[3]))
        texts = json.load(open(sys.argv[2], encoding='utf-8'))
        m = SentenceTransformer(sys.argv[1], device='cpu')
        b = int(sys.argv[4])
        m.encode(texts[:64], batch_size=b, normalize_embeddings=True)
        best = float('inf')
        with torch.inference_mode():
            for _ in range(int(sys.argv[5])):
                t0 = time.perf_counter()
                e = m.encode(texts, batch_size=b, normalize_embeddings=True, convert_to_numpy=True)
                best = min(best, time.perf_counter() - t0)
        e.astype('<f4').tofile(sys.argv[6])
        print(best, torch.get_num_threads())
        """
        let r: ChildProcess.Result
        do {
            r = try ChildProcess.run(python, ["-c", script, modelDir, textFile, String(threads), String(batch), String(reps), outFile],
                                     environment: BenchPeer.environment)
        } catch { return lines.joined(separator: "\n") + "\nbench embed: cannot run \(python): \(error)" }
        let fields = r.output.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Double($0) }
        guard r.status == 0, fields.count == 2 else {
            return lines.joined(separator: "\n") + "\nbench embed: the Python reference failed (exit \(r.status))"
        }
        lines.append(row("sentence-transformers", fields[0], String(format: "%.2f  (ouro is %.2f× as fast)", fields[0] / best, fields[0] / best)))
        if let raw = FileManager.default.contents(atPath: outFile), raw.count == ours.storage.count * 4 {
            let ref = raw.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            var worst = 1.0
            for r in 0..<ours.rows {
                var dot = 0.0, na = 0.0, nb = 0.0
                for c in 0..<ours.cols {
                    let x = Double(ours.storage[r * ours.cols + c]), y = Double(ref[r * ours.cols + c])
                    dot += x * y; na += x * x; nb += y * y
                }
                worst = min(worst, dot / (na * nb).squareRoot())
            }
            lines.append(String(format: "(check) minimum cosine between the two outputs: %.7f; torch threads %d", worst, Int(fields[1])))
        }
        return lines.joined(separator: "\n")
    }
}
