import ArgumentParser
import Foundation
import Ouro
import OuroBench
import OuroLua

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks: ratios against a peer measured in the same run.",
        subcommands: [BridgeBench.self, NGramBenchCommand.self, MetricsBenchCommand.self, LoopBenchCommand.self, EmbedBenchCommand.self, LLMBenchCommand.self])
}

struct BridgeBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bridge",
        abstract: "Cost of calling a Swift function bound to Lua versus Lua's own C function math.abs.")

    @Option(help: "Calls per measurement.") var calls = 10_000_000
    @Option(help: "Repetitions (the fastest counts).") var repeats = 5

    func run() throws {
        let state = LuaState(limits: .none)
        state.register("swift_abs", doc: "benchmark: abs in Swift") { lua in
            lua.push(abs(lua.toNumber(at: 1) ?? 0))
            return 1
        }
        func time(_ body: String) throws -> Double {
            let src = "local n, abs, swift_abs = ... local t0 = os.clock() " + body + " return os.clock() - t0"
            var best = Double.infinity
            for _ in 0..<repeats {
                try state.load(src, chunkName: "=bench")
                let lua = state.lua
                lua.push(calls); _ = lua.getGlobal("math"); _ = lua.rawGet(-1, field: "abs"); lua.remove(at: -2)
                _ = lua.getGlobal("swift_abs")
                try state.pcall(lua, nargs: 3, nresults: 1)
                best = min(best, lua.toNumber(at: -1)!)
                lua.pop()
            }
            return best
        }
        let empty = try time("local x = 0 for i = 1, n do x = -1 end")
        let native = try time("local x for i = 1, n do x = abs(-1) end")
        let swift = try time("local x for i = 1, n do x = swift_abs(-1) end")
        let perCall = { (t: Double) in (t - empty) / Double(calls) * 1e9 }
        print("ouro bench bridge — \(calls) calls, best of \(repeats) (CPU time, loop overhead subtracted)")
        print(String(format: "  %-28@ %8.1f ns/call", "Lua C function math.abs" as NSString, perCall(native)))
        print(String(format: "  %-28@ %8.1f ns/call", "Swift function (bridge)" as NSString, perCall(swift)))
        let ratio = perCall(swift) / perCall(native)
        print(String(format: "  ratio Swift / C: %.2f× (target ≤ 2×) %@", ratio, (ratio <= 2 ? "ok" : "ABOVE TARGET") as NSString))
    }
}

struct NGramBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ngram",
        abstract: "Ouro's side of scripts/bench/ngram.sh (which runs KenLM and nltk and prints the ratios).",
        discussion: "Prints `key value` lines: fit, scoring and generation times, perplexity, bytes per n-gram.")

    @Argument(help: "Training text, one whitespace-tokenized document per line.") var train: String
    @Argument(help: "Held-out text, same format.") var heldout: String
    @Argument(help: "Model order.") var order: Int = 3
    @Argument(help: "Tokens to generate (order 3, min_p 0.2 at temperature 1.5, the reference study's sampling).") var generate: Int = 1_000_000
    @Argument(help: "Where to write the fitted model's ARPA file.") var arpa: String?

    func run() throws {
        let r = try NGramBench.run(train: try NGramBench.readLines(train), heldout: try NGramBench.readLines(heldout),
                                   order: order, generate: generate, minP: 0.2, temperature: 1.5, arpaPath: arpa)
        print(r.keyValueLines)
    }
}

struct MetricsBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Self-BLEU and VADER versus sacreBLEU and vaderSentiment in the same run (scripts/bench/metrics.sh).")

    @Option(help: "One text per line (VADER scores them all, Self-BLEU the first --n).") var texts: String
    @Option(help: "Texts for Self-BLEU.") var n = 1000
    @Option(help: "VADER's lexicon folder (VADER is not timed without it).") var lexicon: String?
    @Option(help: "A Python with sacrebleu 2.5.1 and vaderSentiment 3.3.2: the peer.") var python: String?

    func run() throws {
        var o = MetricsBench.Options(texts: texts)
        o.n = n; o.lexicon = lexicon; o.python = python
        print(try MetricsBench.run(o))
    }
}

struct LoopBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loop",
        abstract: "Seconds per generation split into fit / generate / metrics / store, and the loop's own share.",
        discussion: "20 generations, an order-3 n-gram, 4000 short documents per generation (the tweets catalog set by default).")

    @Option(help: "Human data: a .jsonl/.csv/.txt file, or a catalog name.") var data = "tweets"
    @Option(help: "Generations.") var generations = 20
    @Option(help: "Documents per training set.") var documents = 4000
    @Option(help: "Metrics computed each generation: comma-separated names, or `all` for every text metric but the embedding ones (the issue's < 1% budget).") var metrics = "ttr,self_bleu,length,distinct_2"
    @Flag(help: "Sample with temperature 1.5 and min_p 0.2 (the reference study) instead of plain sampling.") var study = false

    func run() throws {
        var o = LoopBench.Options(dataFolder: OuroPaths.data())
        o.data = data; o.generations = generations; o.documents = documents; o.metrics = metrics; o.study = study
        print(try LoopBench.study(o))
    }
}

struct EmbedBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "MiniLM texts per second versus sentence-transformers on CPU, same texts and threads (scripts/bench/embed.sh).")

    @Option(help: "One text per line; the first --n are embedded.") var texts: String
    @Option(help: "Texts.") var n = 1000
    @Option(help: "A MiniLM folder (default: models/minilm in --data).") var model: String?
    @Option(help: "The data folder.") var data = "data"
    @Option(help: "Threads (default: every core).") var threads = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Texts per batch.") var batch = 64
    @Option(help: "Ouro's runs after a warm-up (the fastest counts).") var reps = 3
    @Option(help: "A Python with the pinned sentence-transformers: the peer.") var python: String?

    func run() throws {
        var o = EmbedBench.Options(texts: texts)
        o.n = n; o.model = model; o.dataFolder = data; o.threads = threads; o.batch = batch; o.reps = reps; o.python = python
        print(try EmbedBench.run(o))
    }
}

struct LLMBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "llm",
        abstract: "SmolLM2 sampling and perplexity tokens/s versus transformers on CPU, same threads (scripts/bench/llm.sh).")

    @Flag(help: "Time LoRA fine-tuning (--batch, --seq, --steps, --rank) instead of sampling and perplexity.") var train = false
    @Option(help: "A GGUF file (default: the catalog's SmolLM2 in --data).") var model: String?
    @Option(help: "The data folder.") var data = "data"
    @Option(help: "JSON lines with \"text\": the first --ppl are scored for perplexity.") var texts: String?
    @Option(help: "Sequences sampled.") var n = 250
    @Option(help: "New tokens per sequence.") var new = 60
    @Option(help: "Texts scored for perplexity.") var ppl = 500
    @Option(help: "Threads (default: every core).") var threads = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Seed.") var seed: UInt64 = 1
    @Option(help: "Sample and score through a fresh LoRA adapter of this rank.") var lora: Int?
    @Option(help: "--train: sequences per optimizer step.") var batch = 16
    @Option(help: "--train: tokens per sequence.") var seq = 256
    @Option(help: "--train: optimizer steps.") var steps = 2
    @Option(help: "--train: LoRA rank (all seven projections).") var rank = 16
    @Option(help: "A Python with the pinned torch/transformers/peft: the peer (with --peer).") var python: String?
    @Option(help: "The peer script (scripts/bench/llm_peer.py, or lora_peer.py with --train).") var peer: String?

    func run() throws {
        var o = LLMBench.Options()
        o.model = model; o.dataFolder = data; o.texts = texts; o.n = n; o.new = new; o.ppl = ppl; o.threads = threads
        o.seed = seed; o.lora = lora; o.batch = batch; o.seq = seq; o.steps = steps; o.rank = rank; o.python = python; o.peer = peer
        print(try train ? LLMBench.train(o) : LLMBench.run(o))
    }
}
