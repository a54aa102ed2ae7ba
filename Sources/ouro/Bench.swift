import ArgumentParser
import Foundation
import Ouro
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

    @Argument(parsing: .captureForPassthrough, help: "--texts FILE [--n 1000] [--lexicon DIR] [--python PATH]")
    var arguments: [String] = []

    func run() throws { print(MetricsBench.run(arguments: arguments)) }
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
        var path = data
        let folder = OuroPaths.data()
        if DataFormat.infer(path: data) == nil {
            path = (folder as NSString).appendingPathComponent(data + ".jsonl")
            guard FileManager.default.fileExists(atPath: path) else {
                throw ValidationError("data set '\(data)' is not built; run `ouro data` first (or pass --data FILE)")
            }
        }
        let human = try Dataset.load(path)
        // The registry an experiment has, without the embedding metrics.
        let registry = MetricRegistry.standard()
        registry.attachDataFolder(folder, embeddings: nil)
        let names = metrics == "all" ? registry.infos.filter { $0.kind == .text }.map(\.name)
                                     : metrics.split(separator: ",").map(String.init)
        var params = GenerationParams()
        params.maxNewTokens = 60
        if study { params.temperature = 1.5; params.minP = 0.2 }
        // A pool larger than one training set, so the run has held-out human documents (ppl_human).
        let report = try LoopBench.run(
            human: human, model: { NGramLoopModel(try NGramModel(order: 3)) }, sampling: params,
            metrics: registry.textLoopMetrics(names),
            generations: generations, documents: min(documents, max(human.count - 250, 1)))
        print(report.table)
        print("metrics: " + names.joined(separator: ", "))
        let g = Double(max(report.generations, 1))
        let perGen = report.metrics / g, rest = (report.total - report.metrics) / g
        print(String(format: "metrics %.1f ms per generation = %.1f%% of a generation without its metrics (%.1f ms: fit, generate, store, loop)",
                     1000 * perGen, 100 * perGen / max(rest, 1e-12), 1000 * rest))
        guard metrics == "all" else { return }
        // A generation of the study computes semantic diversity on its evaluation sample too: time it
        // on 250 generated-size texts (the human data's first 250) with a fresh embedding cache.
        let cache = EmbeddingCache(dataFolder: folder)
        registry.registerEmbeddingMetrics(cache: cache)
        let sample = EvaluationSet(human.select(Array(0..<min(250, human.count))))
        let t0 = DispatchTime.now().uptimeNanoseconds
        guard (try? registry.compute(["semantic_diversity"], on: sample)) != nil else {
            print("semantic_diversity not timed: the MiniLM model is not in \(folder) (run `ouro data`)")
            return
        }
        let semantic = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        let study = rest + perGen + semantic
        print(String(format: "semantic_diversity on 250 texts: %.1f ms; a study generation (the above + it): %.1f ms", 1000 * semantic, 1000 * study))
        print(String(format: "non-embedding metrics' share of a study generation: %.2f%% (target < 1%%)", 100 * perGen / study))
    }
}

struct EmbedBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "MiniLM texts per second versus sentence-transformers on CPU, same texts and threads (scripts/bench/embed.sh).")

    @Argument(parsing: .captureForPassthrough, help: "Options passed to EmbedBench (see scripts/bench/embed.sh).")
    var arguments: [String] = []

    func run() throws { print(EmbedBench.run(arguments: arguments)) }
}

struct LLMBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "llm",
        abstract: "SmolLM2 sampling and perplexity tokens/s versus transformers on CPU, same threads (scripts/bench/llm.sh).")

    @Argument(parsing: .captureForPassthrough, help: "Options passed to LLMBench (see scripts/bench/llm.sh).")
    var arguments: [String] = []

    func run() throws { print(LLMBench.run(arguments: arguments)) }
}
