import Foundation
@_spi(Bench) import Ouro

/// Benchmark of the language model against transformers' CPU `generate` and forward pass, measured in
/// the same run with the same threads (`scripts/bench/llm.sh` builds the peer's venv).
///
/// Prints, for Ouro and the peer: batched sampling tokens/s (`--n` sequences × `--new` tokens at
/// temperature 1.5, min_p 0.2, the study's setup), perplexity-scoring tokens/s (the first `--ppl`
/// tweets), their ratios; the sgemm GFLOPS of a 1024³ product on the same threads (tiled as the model's
/// products are) and the share of that limit the sampling reaches (tokens/s × 2 · parameters); peak resident memory and
/// load time.
public enum LLMBench {
    /// What to time (the CLI's `ouro bench llm` options).
    public struct Options: Sendable {
        /// A GGUF file; nil: the catalog's SmolLM2 under `dataFolder`.
        public var model: String?
        public var dataFolder = "data"
        /// JSON lines with "text": the first `ppl` are scored (perplexity).
        public var texts: String?
        /// Sampling: `n` sequences × `new` tokens.
        public var n = 250, new = 60, ppl = 500
        public var threads = ProcessInfo.processInfo.activeProcessorCount
        public var seed: UInt64 = 1
        /// Sample and score through a fresh adapter of this rank on all seven projections.
        public var lora: Int?
        /// Training shape (`train`): `batch` sequences of `seq` tokens, `steps` optimizer steps, LoRA `rank`.
        public var batch = 16, seq = 256, steps = 2, rank = 16
        /// The peer: a Python with the pinned stack and the peer script (nil: Ouro alone).
        public var python: String?, peer: String?
        public init() {}

        func modelPath() throws -> String {
            if let model { return model }
            return try LLMWeights.path(name: "smollm2-135m-instruct", dataFolder: dataFolder)
        }
    }

    /// Sampling and perplexity (see the type's documentation).
    /// - Throws: the model's load error; `BenchError` when the texts cannot be read.
    public static func run(_ o: Options) throws -> String {
        let path = try o.modelPath()
        let n = max(1, o.n), new = max(1, o.new), threads = max(1, o.threads), seed = o.seed
        let prompt = "Generate a twitter post."
        var texts: [String] = []
        if let t = o.texts {
            for line in try BenchError.lines(of: t).prefix(max(0, o.ppl)) {
                if let j = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let s = j["text"] as? String { texts.append(s) }
            }
        }
        var m = try LlamaModel(path: path)
        // `lora`: sample and score through a fresh rank-R adapter on all seven projections (the
        // unmerged LoRA's cost; B = 0 keeps the texts the base's).
        if let r = o.lora { m = try m.withAdapter(LoRAAdapter(config: LoRAConfig(rank: r), model: m.config, seed: seed)) }
        m.threads = threads
        let gflops = sgemmGFLOPS(threads: threads)
        var params = GenerationParams(temperature: 1.5, minP: 0.2, maxNewTokens: new)
        params.topK = 0
        var out: [[Int32]] = []
        let promptIDs = m.chatPromptIDs(prompt)
        let genS = (try? BenchTimer.seconds { out = try m.generate(promptIDs: promptIDs, n: n, params: params, seed: seed) }) ?? .nan
        let genTokens = out.reduce(0) { $0 + $1.count + ($1.count < new ? 1 : 0) }   // the eos counts as generated
        let encoded = texts.map { m.tokenizer.encode($0) }
        let pplTokens = encoded.reduce(0) { $0 + $1.count }
        var ppl = 0.0
        let pplS = BenchTimer.seconds {
            let r = m.logprobs(encoded)
            ppl = exp(-r.reduce(0) { $0 + $1.logprob } / Double(max(1, r.reduce(0) { $0 + $1.tokens })))
        }
        let peakMB = peakResidentMB()
        let genRate = Double(genTokens) / genS, pplRate = Double(pplTokens) / pplS
        let share = genRate * 2 * Double(m.parameterCount) / (gflops * 1e9)
        var lines = [
            "bench llm: \(m) · \(threads) thread(s) · load \(String(format: "%.2f", m.loadSeconds)) s · peak RSS \(String(format: "%.0f", peakMB)) MB",
            "sgemm 1024³ (OpenBLAS tiles on \(threads) thread(s)): \(String(format: "%.1f", gflops)) GFLOPS",
            "task                                   engine         seconds   tokens/s   ratio",
        ]
        func row(_ task: String, _ engine: String, _ s: Double, _ rate: Double, _ ratio: String) -> String {
            task.padding(toLength: 38, withPad: " ", startingAt: 0) + " " + engine.padding(toLength: 13, withPad: " ", startingAt: 0)
                + String(format: " %8.2f  %9.1f   %@", s, rate, ratio)
        }
        lines.append(row("sample \(n)×\(new) T1.5 min_p 0.2", "ouro", genS, genRate, "1.00"))
        lines.append(row("perplexity \(texts.count) tweets", "ouro", pplS, pplRate, "1.00"))
        lines.append(String(format: "sampling reaches %.1f%% of the sgemm limit (tokens/s × 2 · %d params ÷ %.1f GFLOPS); perplexity %.3f",
                            100 * share, m.parameterCount, gflops, ppl))
        guard let python = o.python, let peer = o.peer else { return lines.joined(separator: "\n") }
        let tmp = NSTemporaryDirectory() + "ouro-llm-bench-\(ProcessInfo.processInfo.processIdentifier).json"
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        guard let json = try? JSONSerialization.data(withJSONObject: texts), (try? json.write(to: URL(fileURLWithPath: tmp))) != nil else {
            return lines.joined(separator: "\n") + "\nbench llm: cannot write \(tmp)"
        }
        let result: ChildProcess.Result
        do {
            result = try ChildProcess.run(python, [peer, path, tmp, String(threads), String(n), String(new), prompt],
                                          environment: BenchPeer.environment)
        } catch { return lines.joined(separator: "\n") + "\nbench llm: cannot run \(python): \(error)" }
        guard result.status == 0, let r = peerNumbers(result.output),
              let gs = r["gen_seconds"], let gt = r["gen_tokens"], let ps = r["ppl_seconds"], let pt = r["ppl_tokens"] else {
            return lines.joined(separator: "\n") + "\nbench llm: the Python peer failed (exit \(result.status), or no JSON result line)"
        }
        lines.insert(row("sample \(n)×\(new) T1.5 min_p 0.2", "transformers", gs, gt / gs, String(format: "%.2f  (ouro %.2f×)", (gt / gs) / genRate, genRate / (gt / gs))), at: 4)
        lines.insert(row("perplexity \(texts.count) tweets", "transformers", ps, pt / ps, String(format: "%.2f  (ouro %.2f×)", (pt / ps) / pplRate, pplRate / (pt / ps))), at: 6)
        lines.append(String(format: "transformers: load %.2f s, peak RSS %.0f MB, perplexity %.3f, torch threads %d",
                            r["load_seconds"] ?? .nan, r["peak_mb"] ?? .nan, r["ppl"] ?? .nan, Int(r["threads"] ?? 0)))
        return lines.joined(separator: "\n")
    }

    /// LoRA fine-tuning throughput: `batch` sequences of `seq` tokens (every sequence: the chat prompt,
    /// then random tokens up to `seq`), `steps` optimizer steps, rank `rank` on all seven projections;
    /// `python` + `peer` run the torch + peft peer with the same shape (it prints one JSON line with
    /// `tokens_per_s`).
    ///
    /// Prints training tokens/s, the sgemm GFLOPS of the same run and threads, the share of that
    /// limit (tokens/s × 4 · parameters: the forward and the backward through the frozen weights;
    /// the recomputation of gradient checkpointing does not count), peak RSS.
    public static func train(_ o: Options) throws -> String {
        let path = try o.modelPath(), data = o.dataFolder
        let batch = max(1, o.batch), seq = max(2, o.seq), steps = max(1, o.steps), rank = max(1, o.rank)
        let threads = max(1, o.threads), seed = o.seed
        let m = try LlamaModel(path: path)
        let prompt = m.chatPromptIDs("Generate a twitter post.")
        var g = Xoshiro256(seed: seed, "bench-train")
        let seqs = (0..<(batch * steps)).map { _ in
            TrainSequence(tokens: prompt + (prompt.count..<max(prompt.count + 2, seq)).map { _ in Int32(g.int(below: m.config.vocab)) },
                          promptLength: prompt.count)
        }
        let tokens = seqs.reduce(0) { $0 + $1.tokens.count }
        // Rows the training pass computes: a batch's shared chat prompt counts once.
        let rows = stride(from: 0, to: seqs.count, by: batch).reduce(0) { $0 + m.computedRows(Array(seqs[$1..<min(seqs.count, $1 + batch)])) }
        var f = FinetuneOptions()
        f.batchSize = batch; f.maxLength = max(seq, prompt.count + 2); f.lora = LoRAConfig(rank: rank); f.shuffle = false
        let gflops = sgemmGFLOPS(threads: threads)
        var losses: [Double] = []
        let secs = try BenchTimer.seconds { losses = try m.finetune(sequences: seqs, options: f, threads: threads).losses }
        let rate = Double(tokens) / secs
        let share = rate * 4 * Double(m.parameterCount) / (gflops * 1e9)
        let rowShare = Double(rows) / secs * 4 * Double(m.parameterCount) / (gflops * 1e9)
        var lines = [
            "bench llm --train: \(m) · LoRA r\(rank) on q,k,v,o,gate,up,down · batch \(batch) × \(seq) tokens · \(steps) step(s) · \(threads) thread(s)",
            "sgemm 1024³ (OpenBLAS tiles on \(threads) thread(s)): \(String(format: "%.1f", gflops)) GFLOPS",
            String(format: "ouro: %d tokens in %.2f s = %.1f tokens/s; %.1f%% of the sgemm limit (tokens/s × 4 · %d params ÷ %.1f GFLOPS); peak RSS %.0f MB; losses %@",
                   tokens, secs, rate, 100 * share, m.parameterCount, gflops, peakResidentMB(), losses.map { String(format: "%.4f", $0) }.joined(separator: " ")),
            String(format: "rows computed: %d (the shared prompt once per batch) = %.1f rows/s, %.1f%% of the sgemm limit counting rows",
                   rows, Double(rows) / secs, 100 * rowShare),
        ]
        guard let python = o.python, let peer = o.peer else { return lines.joined(separator: "\n") }
        let result: ChildProcess.Result
        do {
            // scripts/bench/lora_peer.py: rank 16 on all seven projections, packed catalog tweets (every token real).
            result = try ChildProcess.run(python, [peer, "train", path, data, "--threads", String(threads), "--batch", String(batch),
                                                   "--seq", String(seq), "--steps", String(steps)],
                                          environment: BenchPeer.environment)
        } catch { return lines.joined(separator: "\n") + "\nbench llm --train: cannot run \(python): \(error)" }
        guard result.status == 0, let r = peerNumbers(result.output), let peerRate = r["tokens_per_s"] else {
            return lines.joined(separator: "\n") + "\nbench llm --train: the Python peer failed (exit \(result.status), or no JSON result line)"
        }
        lines.append(String(format: "torch + peft: %.1f tokens/s, peak RSS %.0f MB; ouro is %.2f× the peer in tokens/s (%.2f× counting the rows it computed: the peer has no shared prompt)",
                            peerRate, r["peak_mb"] ?? .nan, rate / peerRate, Double(rows) / secs / peerRate))
        return lines.joined(separator: "\n")
    }

    /// The numeric fields of the last JSON object line a peer printed (its other fields — names, flags,
    /// loss lists — and any warning lines after it are skipped); nil when there is none.
    static func peerNumbers(_ output: String) -> [String: Double]? {
        for line in output.split(separator: "\n").reversed() where line.hasPrefix("{") {
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
            var numbers: [String: Double] = [:]
            for (k, v) in o { if let n = v as? NSNumber, !(v is Bool) { numbers[k] = n.doubleValue } }
            return numbers
        }
        return nil
    }

    /// Single-precision GEMM throughput of `Kernels.gemmTiled` on a 1024 × 1024 × 1024 product on
    /// `threads` workers (best of 6).
    static func sgemmGFLOPS(threads: Int) -> Double {
        let s = 1024
        let a = [Float](repeating: 0.5, count: s * s), b = [Float](repeating: 0.25, count: s * s)
        var c = [Float](repeating: 0, count: s * s)
        let best = a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
            BenchTimer.best(6) {
                Kernels.gemmTiled(transB: true, m: s, n: s, k: s, a: ap.baseAddress!, lda: s, b: bp.baseAddress!, ldb: s, beta: 0,
                                  c: cp.baseAddress!, ldc: s, workers: threads)
            }
        } } }
        return 2 * Double(s * s * s) / best / 1e9
    }

    /// Peak resident set size of this process (`VmHWM`), in MB.
    static func peakResidentMB() -> Double {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return .nan }
        return kb / 1024
    }
}
