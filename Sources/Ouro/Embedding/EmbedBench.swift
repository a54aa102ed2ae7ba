import Foundation

/// Benchmark of the sentence encoder against sentence-transformers on CPU, measured in the same run
/// on the same texts with the same number of threads.
///
/// `run(arguments:)` loads the model folder and the texts (one per line; the first N), embeds them
/// with Ouro (best of `--reps` runs after one warm-up) and — given a Python with the pinned
/// sentence-transformers (`--python scripts/parity/.venv/embed/bin/python`, built by
/// `scripts/parity/embed.sh` or `scripts/bench/embed.sh`) — times `SentenceTransformer.encode` on the
/// same texts, batch size and `torch.set_num_threads`, and prints texts per second and the ratio,
/// plus a check that both computed the same embeddings (minimum cosine between the two outputs).
public enum EmbedBench {
    /// Options: `--model DIR` (a MiniLM folder, default `<data>/models/minilm` with `--data DIR`,
    /// default `data`), `--texts FILE`, `--n N` (default 1000), `--threads T` (default all cores),
    /// `--batch B` (default 64), `--reps R` (default 3), `--python PATH`.
    /// - Returns: a table of throughputs and the ratio, or a usage/error line.
    public static func run(arguments: [String]) -> String {
        var opts: [String: String] = [:]
        var i = 0
        while i + 1 < arguments.count { opts[arguments[i]] = arguments[i + 1]; i += 2 }
        guard let textsPath = opts["--texts"], let data = FileManager.default.contents(atPath: textsPath) else {
            return "usage: bench embed --texts FILE [--n 1000] [--model DIR | --data DIR] [--threads T] [--batch 64] [--reps 3] [--python PATH]"
        }
        let modelDir = opts["--model"] ?? MiniLMWeights.modelFolder(in: opts["--data"] ?? "data")
        let all = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
            .map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        let n = min(Int(opts["--n"] ?? "1000") ?? 1000, all.count)
        let texts = Array(all.prefix(n))
        let threads = Int(opts["--threads"] ?? "") ?? ProcessInfo.processInfo.activeProcessorCount
        let batch = Int(opts["--batch"] ?? "64") ?? 64
        let reps = max(1, Int(opts["--reps"] ?? "3") ?? 3)

        let encoder: SentenceEncoder
        do { encoder = try SentenceEncoder(modelFolder: modelDir) } catch { return "bench embed: \(error)" }
        encoder.threads = threads
        func seconds(_ body: () throws -> Void) rethrows -> Double {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try body()
            return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        }
        var ours = EmbeddingMatrix(rows: 0, cols: 0, storage: [])
        let tokens = texts.reduce(0) { $0 + encoder.tokenizer.encode($1).count }
        _ = try? encoder.embed(Array(texts.prefix(64)), batchSize: batch)
        var best = Double.infinity
        for _ in 0..<reps {
            best = min(best, (try? seconds { ours = try encoder.embed(texts, batchSize: batch) }) ?? .nan)
        }
        var lines = ["embed: \(n) texts (\(tokens) tokens with [CLS]/[SEP]), batch \(batch), \(threads) thread(s), best of \(reps)",
                     "engine                 seconds   texts/s   ratio"]
        func row(_ name: String, _ s: Double, _ ratio: String) -> String {
            name.padding(toLength: 22, withPad: " ", startingAt: 0)
                + String(format: " %8.3f  %8.1f   %@", s, Double(n) / s, ratio)
        }
        lines.append(row("ouro", best, "1.00"))
        guard let python = opts["--python"] else { return lines.joined(separator: "\n") }

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
                                     environment: ["HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"])
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
