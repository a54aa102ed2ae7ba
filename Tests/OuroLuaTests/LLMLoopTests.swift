import Foundation
import XCTest
import Ouro
@testable import OuroLua

/// The LLM with LoRA from Lua and in the recursive loop (issue #16): `m:finetune` options and
/// errors, the prompt function, an LLM experiment end to end (losses stored and drawn), identical
/// databases for `--jobs 1` and `--jobs 2` and after SIGKILL + `--resume`, the `ouro check` estimate.
/// Tiny sizes (8 training tweets, rank 2, 4 samples of ≤ 8 tokens). Needs SmolLM2 in the data folder
/// (`ouro data`; OURO_DATA names it): a missing model fails the test saying so.
final class LLMLoopTests: XCTestCase {
    var data: String { TestSupport.dataFolder }

    func requireModel() throws { try TestSupport.requireSmolLM2() }

    /// A folder with the 30-tweet fixture as tweets.jsonl.
    func folder() throws -> String {
        let dir = TestSupport.tempFolder()
        try FileManager.default.copyItem(atPath: TestSupport.repoRoot + "/Tests/Fixtures/data/tweets.jsonl", toPath: dir + "/tweets.jsonl")
        return dir
    }

    /// An in-process session over `source` (the model is loaded once per test process).
    func session(_ source: String, in dir: String) throws -> (OuroSession, Capture) {
        try source.write(toFile: dir + "/t.lua", atomically: true, encoding: .utf8)
        var o = SessionOptions()
        o.stdlib = TestSupport.stdlib
        o.dataFolder = data
        let s = try OuroSession(scriptPath: dir + "/t.lua", options: o)
        let capture = Capture()
        s.state.output = { capture.text += $0 }
        return (s, capture)
    }

    func ouro(_ args: [String], in dir: String) throws -> (Int32, String, String) {
        try TestSupport.runOuro(args, cwd: dir, data: data)
    }

    /// A tiny LLM experiment: 2 cells × 1 seed × 2 generations; 8 training tweets (2 optimizer steps
    /// of 4), 4 samples of ≤ 4 tokens. Cell 1 trains a fresh adapter every generation (the study),
    /// cell 2 chains them (generation 1 continues generation 0's adapter).
    static let experiment = """
        local tweets = ouro.data.load("tweets.jsonl")
        experiment {
          name = "tiny",
          human = tweets,
          base = ouro.model.llm("smollm2-135m-instruct"),
          finetune = { lora = { rank = 2 }, batch_size = 4, max_length = 48 },
          prompt = "Generate a twitter post.",
          generations = 2, train_size = 8, fresh_human = true, accumulate = true,
          sampling = { temperature = 1.5, min_p = 0.2, max_new_tokens = 4 },
          metrics = { "length", "ppl_human" }, eval_size = 4, seeds = { 1 },
          grid = { { synthetic_ratio = 0.25 }, { synthetic_ratio = 0.5, chain = true } },
        }
        """

    /// Every stored number and text of a database, in a fixed order (timings and dates left out).
    func contents(_ db: String) throws -> [String] {
        let store = try ResultStore.open(db, mode: .readOnly)
        defer { try? store.close() }
        var out = try store.exportCSV().split(separator: "\n").map(String.init)
        for run in try store.runs().sorted(by: { ($0.cell, $0.seed) < ($1.cell, $1.seed) }) {
            out.append("run \(run.cell) \(run.seed) \(run.status) \(run.generations)")
            for g in 0..<run.generations {
                out += try store.texts(cell: run.cell, seed: run.seed, generation: g).map { "text \(run.cell) \(run.seed) \(g) \($0)" }
                out += try store.trainingLosses(cell: run.cell, seed: run.seed, generation: g).map { "loss \(run.cell) \(run.seed) \(g) \($0)" }
            }
        }
        return out
    }

    // MARK: The binding

    func testFinetuneOptionErrorsNameTheOptionAndTheLine() throws {
        try requireModel()
        let dir = try folder()
        let (s, out) = try session("""
            local m = ouro.model.llm("smollm2-135m-instruct")
            local d = ouro.data.load("tweets.jsonl"):slice(1, 4)
            local function err(opts) local ok, e = pcall(function() return m:finetune(d, opts) end); print(ok, e) end
            err{ prompt = "p", learning_rat = 1e-3 }
            err{ prompt = "p", lora = { rank = 0 } }
            err{ prompt = "p", lora = { rank = 2, targets = { "qq_proj" } } }
            err{ prompt = "p", lora = { rank = 2, dropout = 0.1 } }
            err{ prompt = "p", epochs = 0 }
            err{ lora = { rank = 2 } }
            err{ prompt = function(text) return nil end, lora = { rank = 2 } }
            """, in: dir)
        try s.run()
        let lines = out.text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 7, out.text)
        let expected = [
            "unknown option 'learning_rat' (did you mean 'learning_rate'?)",
            "lora: 'rank' must be an integer in 1…4096, got 0",
            "'targets': unknown projection 'qq_proj'",
            "lora: unknown option 'dropout'",
            "'epochs' must be an integer ≥ 1, got 0",
            "'prompt' is required",
            "must return a string, got nil",
        ]
        for (line, want) in zip(lines, expected) {
            XCTAssertTrue(line.hasPrefix("false\t") && line.contains("t.lua:3: LLM:finetune: "), line)
            XCTAssertTrue(line.contains(want), "\(line) should say \(want)")
        }
        // From `ouro run`: exit 2, the user's line.
        try "local m = ouro.model.llm(\"smollm2-135m-instruct\")\n\nm:finetune(ouro.data.from{ \"a b\" }, { prompt = \"p\", batch_sise = 4 })\n"
            .write(toFile: dir + "/bad.lua", atomically: true, encoding: .utf8)
        let r = try ouro(["run", "bad.lua"], in: dir)
        XCTAssertEqual(r.0, 2, r.2)
        XCTAssertTrue(r.2.contains("bad.lua:3:") && r.2.contains("batch_size"), r.2)
    }

    func testFinetuneReturnsANewModelAndOneLossPerStepWithAPromptFunction() throws {
        try requireModel()
        let dir = try folder()
        let (s, out) = try session("""
            local m = ouro.model.llm("smollm2-135m-instruct")
            local d = ouro.data.load("tweets.jsonl"):slice(1, 8)
            local seen = 0
            local ft, losses = m:finetune(d, { prompt = function(text) seen = seen + 1; return "Write a post of " .. #text .. " characters." end,
                                               lora = { rank = 2, alpha = 4, targets = { "q", "v_proj" } }, batch_size = 4,
                                               max_length = 40, seed = 3 })
            print(seen, #losses, math.type(losses[1]), losses[1] > 0)
            print(tostring(m))
            local again = select(2, m:finetune(d, { prompt = function(text) return "Write a post of " .. #text .. " characters." end,
                                                    lora = { rank = 2, alpha = 4, targets = { "q", "v_proj" } }, batch_size = 4,
                                                    max_length = 40, seed = 3 }))
            print(again[1] == losses[1] and again[2] == losses[2])
            print(ft:generate{ n = 2, prompt = "Generate a twitter post.", max_new_tokens = 4, seed = 1 }:count())
            """, in: dir)
        try s.run()
        let lines = out.text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "8\t2\tfloat\ttrue", out.text)   // every document's prompt; ⌈8 / 4⌉ steps
        XCTAssertEqual(lines.dropFirst().first, "LLM(smollm2-135m-instruct, llama, 135M params, 30 layers, Q4_1)", "the base is unchanged")
        XCTAssertEqual(lines.dropFirst(2).first, "true", "the same seed gives the same losses")
        XCTAssertEqual(lines.last, "2")
    }

    /// Real engine only: the adapter shows in `tostring`, is saved in peft's format and loaded back
    /// with the same logits; the base is unchanged.
    func testAnAdapterIsShownSavedAndLoadedBackWithTheEngine() throws {
        try requireModel()
        let dir = try folder()
        let (s, out) = try session("""
            local m = ouro.model.llm("smollm2-135m-instruct")
            local ft = m:finetune(ouro.data.load("tweets.jsonl"):slice(1, 4), { prompt = "Generate a twitter post.",
                                  lora = { rank = 2 }, batch_size = 4, max_length = 40, learning_rate = 1e-2 })
            print(tostring(ft))
            print(ft.adapter.rank, m.adapter == nil)
            print(ft:save_adapter("adapter") == ft)
            local back = m:with_adapter("adapter")
            print(back:logprob("I love sunny days.") == ft:logprob("I love sunny days."), ft:logprob("I love sunny days.") ~= m:logprob("I love sunny days."))
            """, in: dir)
        try s.run()
        let lines = out.text.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.first?.contains("LoRA r2") == true, out.text)
        XCTAssertEqual(Array(lines.dropFirst()), ["2\ttrue", "true", "true\ttrue"], out.text)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/adapter/adapter_config.json"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/adapter/adapter_model.safetensors"))
    }

    // MARK: The loop

    /// Declaring (what `ouro run` and `ouro check` do first; a `LuaError` there exits with 2).
    func testExperimentFieldsForAnLLMAreCheckedAtTheUsersLine() throws {
        try requireModel()
        let dir = try folder()
        let cases: [(String, String)] = [
            (Self.experiment.replacingOccurrences(of: "base = ouro", with: "model = ouro"), "t.lua:5: experiment: 'model' cannot be an LLM"),
            (Self.experiment.replacingOccurrences(of: "prompt = \"Generate a twitter post.\",", with: ""), "an LLM needs prompt"),
            (Self.experiment.replacingOccurrences(of: "batch_size = 4", with: "batch_size = 4, weight = 0.5"),
             "t.lua:6: experiment: cell 1: finetune: unknown option 'weight'"),
            (Self.experiment.replacingOccurrences(of: "rank = 2", with: "rank = -1"), "t.lua:6: experiment: cell 1: finetune: lora: 'rank' must be an integer in 1…4096, got -1"),
            (Self.experiment.replacingOccurrences(of: "min_p = 0.2,", with: "min_p = 0.2, prompt = \"x\","), "t.lua:9: experiment: cell 1: 'sampling.prompt' is for n-gram models"),
        ]
        for (source, want) in cases {
            let (s, _) = try session(source, in: dir)
            XCTAssertThrowsError(try ExperimentDriver.declare(s), want) { error in
                XCTAssertTrue("\(error)".contains(want), "expected \(want) in: \(error)")
            }
        }
    }

    /// The README's LLM experiment (the lua block with `ouro.model.llm`) and experiments/llm_quickstart.lua
    /// pass `ouro check` and print an estimate.
    func testTheReadmesLLMExperimentAndTheQuickstartPassCheck() throws {
        try requireModel()
        guard FileManager.default.fileExists(atPath: data + "/tweets.jsonl") else {
            throw TestSupport.Missing("the catalog is not built in \(data): run `ouro data` (or set OURO_DATA)")
        }
        let readme = try String(contentsOfFile: TestSupport.repoRoot + "/README.md", encoding: .utf8)
        let blocks = readme.components(separatedBy: "```")
        let lua = try XCTUnwrap(blocks.indices.first { $0 % 2 == 1 && blocks[$0].hasPrefix("lua\n") && blocks[$0].contains("experiment {")
            && blocks[$0].contains("ouro.model.llm") }.map { String(blocks[$0].dropFirst(4)) })
        let dir = TestSupport.tempFolder()
        try lua.write(toFile: dir + "/my_first_llm.lua", atomically: true, encoding: .utf8)
        let check = try ouro(["check", "my_first_llm.lua"], in: dir)
        XCTAssertEqual(check.0, 0, check.2)
        XCTAssertTrue(check.1.contains("experiment 'my_first_llm': 2 cells × 1 seed × 3 generations = 2 runs"), check.1)
        XCTAssertTrue(check.1.contains("estimated run time (LLM, --jobs 1") && check.1.contains("training ")
                      && check.1.contains("sampling ≤ ") && check.1.contains("my_first_llm.lua: ok"), check.1)
        let quick = try ouro(["check", TestSupport.repoRoot + "/experiments/llm_quickstart.lua"], in: dir)
        XCTAssertEqual(quick.0, 0, quick.2)
        XCTAssertTrue(quick.1.contains("experiment 'llm_quickstart': 2 cells × 2 seeds × 3 generations") && quick.1.contains("estimated run time"), quick.1)
    }

    /// `--jobs 2` (two workers, one thread each) and `--jobs 1` (one worker with every core), the
    /// latter killed with SIGKILL once a generation is stored and resumed, store the same texts,
    /// metrics and losses. (One comparison covers both: the resumed database is a `--jobs 1` run; its
    /// replay rebuilds the chained adapter of cell 2.)
    /// The training losses are stored per generation and drawn in the report.
    func testJobsAndAKilledRunGiveIdenticalDatabasesWithLossesInTheReport() throws {
        try requireModel()
        let dir = try folder()
        try Self.experiment.write(toFile: dir + "/exp.lua", atomically: true, encoding: .utf8)
        let two = try ouro(["run", "exp.lua", "--quiet", "--out", "two.db", "--jobs", "2"], in: dir)
        XCTAssertEqual(two.0, 0, two.2)
        let reference = try contents(dir + "/two.db")
        XCTAssertTrue(reference.contains { $0.hasPrefix("loss 2 1 1 ") }, "losses of every generation are stored")
        XCTAssertEqual(try ResultStore.open(dir + "/two.db", mode: .readOnly).trainingLosses(cell: 1, seed: 1, generation: 0).count, 2,
                       "⌈8 / 4⌉ optimizer steps")

        // --jobs 1, SIGKILL once cell 2 (chained) has stored its generation 0, then --resume.
        let killed = try ChildProcess.interact(TestSupport.ouroExecutable, ["run", "exp.lua", "--quiet", "--out", "one.db", "--jobs", "1"],
                                               environment: ["OURO_STDLIB": TestSupport.stdlib, "OURO_DATA": data],
                                               workingDirectory: dir) { child in
            let deadline = Date().addingTimeInterval(120)
            while Date() < deadline {
                if let s = try? ResultStore.open(dir + "/one.db", mode: .readOnly), let runs = try? s.runs(),
                   runs.reduce(0, { $0 + $1.generations }) >= 3 { break }
                try await Task.sleep(nanoseconds: 20_000_000)
            }
            try child.send(SIGKILL)
        }
        XCTAssertEqual(killed.status, 128 + SIGKILL, "the run finished before it could be killed")
        XCTAssertTrue(try ResultStore.open(dir + "/one.db", mode: .readOnly).runs().contains { $0.status != .finished }, "killed mid-run")
        let resumed = try ouro(["run", "exp.lua", "--quiet", "--out", "one.db", "--jobs", "1", "--resume"], in: dir)
        XCTAssertEqual(resumed.0, 0, resumed.2)
        XCTAssertEqual(try contents(dir + "/one.db"), reference)

        let report = try ouro(["report", "one.db"], in: dir)
        XCTAssertEqual(report.0, 0, report.2)
        let html = try String(contentsOfFile: dir + "/one-report/report.html", encoding: .utf8)
        XCTAssertTrue(html.contains("Training loss") && html.contains("optimizer step") && html.contains("generation 1"), "the loss chart")
    }
}
