import XCTest
@testable import OuroLua
import Ouro

final class ReplTests: XCTestCase {
    func testScriptedSessionInProcess() throws {
        let (s, _) = try TestSupport.session("base = 10")
        try s.run()
        let repl = ReplEngine(session: s)
        var out = "", err = ""
        repl.output = { out += $0 }
        repl.errorOutput = { err += $0 }
        s.state.output = { out += $0 }
        XCTAssertEqual(repl.prompt, "> ")
        repl.feed("function add(a, b)")
        XCTAssertEqual(repl.prompt, ">> ")
        repl.feed("  return a + b + base")
        repl.feed("end")
        XCTAssertEqual(repl.prompt, "> ")
        repl.feed("add(1, 2)")
        repl.feed("=add(2, 3) * 2")
        repl.feed("error('oops')")
        repl.feed("x = 5")
        repl.feed("x, 'two', {1, a = {b = true}}")
        repl.feed("print('printed')")
        XCTAssertEqual(out, "13\n30\n5\ttwo\t{ 1, a = { b = true } }\nprinted\n")
        XCTAssert(err.hasPrefix("stdin:1: oops\nstack traceback:"), err)
    }

    func testCompletion() throws {
        let (s, _) = try TestSupport.session("return 0")
        let repl = ReplEngine(session: s)
        XCTAssert(repl.completions(for: "ouro.pre").contains("ouro.pretty"))
        XCTAssert(repl.completions(for: "pri").contains("print"))
        XCTAssert(repl.completions(for: "string.up").contains("string.upper"), "\(repl.completions(for: "string.up"))")
        XCTAssertEqual(repl.completions(for: "nothing_here."), [])
    }

    func testHelpListsTheAPI() throws {
        let (s, _) = try TestSupport.session("return 0")
        let help = ReplEngine(session: s).help()
        XCTAssert(help.contains("ouro.now"), help)
        XCTAssert(help.contains("monotonic"), help)
    }
}

final class CommandLineTests: XCTestCase {
    func testPipedReplSessionGivesCleanOutput() throws {
        let input = """
            function sq(x)
              return x * x
            end
            sq(4)
            error("bad")
            =sq(3) + 1
            """
        let (code, out, err) = try TestSupport.runOuro(["repl"], stdin: input + "\n")
        XCTAssertEqual(code, 0)
        XCTAssertEqual(out, "16\n10\n")
        XCTAssert(err.contains("stdin:1: bad"), err)
    }

    /// The bench commands' options are parsed by ArgumentParser (a typo is refused, not ignored) and
    /// an unreadable input is a clear error with exit 2 before anything is timed.
    func testBenchOptionsAreParsedAndBadInputExitsTwo() throws {
        for sub in ["llm", "embed", "metrics", "loop"] {
            let r = try TestSupport.runOuro(["bench", sub] + (sub == "loop" ? [] : ["--texts", "t.txt"]) + ["--thredas", "2"])
            XCTAssertEqual(r.0, 2, sub); XCTAssert(r.2.contains("--thredas"), "\(sub): \(r.2)")
        }
        for sub in ["embed", "metrics"] {
            let r = try TestSupport.runOuro(["bench", sub, "--texts", "/nonexistent/texts.txt"])
            XCTAssertEqual(r.0, 2, sub); XCTAssert(r.2.contains("cannot read /nonexistent/texts.txt"), "\(sub): \(r.2)")
        }
        var r = try TestSupport.runOuro(["bench", "llm", "--threads", "two"])
        XCTAssertEqual(r.0, 2); XCTAssert(r.2.contains("two"), r.2)
        r = try TestSupport.runOuro(["bench", "loop", "--data", "no_such_set"], data: TestSupport.tempFolder())
        XCTAssertEqual(r.0, 2); XCTAssert(r.2.contains("data set 'no_such_set' is not built"), r.2)
    }

    func testBadInputExitsWithTwoAndNamesFileAndLine() throws {
        let dir = TestSupport.tempFolder()
        try "local x = \nprint(".write(toFile: dir + "/syntax.lua", atomically: true, encoding: .utf8)
        try "local function f()\n  error('boom')\nend\nf()\n".write(toFile: dir + "/runtime.lua", atomically: true, encoding: .utf8)
        try "print('fine')".write(toFile: dir + "/ok.lua", atomically: true, encoding: .utf8)

        var r = try TestSupport.runOuro(["run", "syntax.lua"], cwd: dir)
        XCTAssertEqual(r.0, 2); XCTAssert(r.2.contains("syntax.lua:2:"), r.2)
        r = try TestSupport.runOuro(["check", "syntax.lua"], cwd: dir)
        XCTAssertEqual(r.0, 2); XCTAssert(r.2.contains("syntax.lua:2:"), r.2)
        r = try TestSupport.runOuro(["run", "runtime.lua"], cwd: dir)
        XCTAssertEqual(r.0, 2); XCTAssert(r.2.contains("runtime.lua:2: boom"), r.2)
        XCTAssert(r.2.contains("runtime.lua:4: in main chunk"), r.2)
        XCTAssertFalse(r.2.contains("[C]"), "traceback trimmed to user frames: \(r.2)")
        r = try TestSupport.runOuro(["run", "missing.lua"], cwd: dir)
        XCTAssertEqual(r.0, 2); XCTAssert(r.2.contains("missing.lua: no such file"), r.2)
        r = try TestSupport.runOuro(["run", "ok.lua", "--bogus"], cwd: dir)
        XCTAssertEqual(r.0, 2); XCTAssert(r.2.contains("--bogus"), r.2)
        r = try TestSupport.runOuro(["run", "ok.lua", "--max-memory", "lots"], cwd: dir)
        XCTAssertEqual(r.0, 2); XCTAssert(r.2.contains("--max-memory"), r.2)
        r = try TestSupport.runOuro(["run", "ok.lua", "--set", "n=3"], cwd: dir)
        XCTAssertEqual(r.0, 0); XCTAssertEqual(r.1, "fine\n")
        r = try TestSupport.runOuro(["check", "ok.lua"], cwd: dir)
        XCTAssertEqual(r.0, 0)
    }

    func testCtrlCInterruptsEngineWorkAndTheSessionGoesOn() throws {
        let dir = TestSupport.tempFolder()
        let r = try ChildProcess.interact(TestSupport.ouroExecutable, ["repl"], environment: ["OURO_STDLIB": TestSupport.stdlib],
                                          workingDirectory: dir) { child in
            try await child.write("m = ouro.model.ngram{ order = 2 }:fit(ouro.data.from{ \"a b c d\", \"b c d e\", \"c d e a\" })\n")
            try await child.write("t0 = ouro.now()\n")
            // Long engine work: 20M tokens, far more than 1.5 s allows in this (debug) build, yet under the default 1 GiB memory limit.
            try await child.write("x = m:generate{ n = 500000, max_new_tokens = 40 }\n")
            try await child.write("print('alive', x == nil, ouro.now() - t0 < 20)\n")
            try await Task.sleep(nanoseconds: 1_500_000_000)
            try child.send(SIGINT)
            try await Task.sleep(nanoseconds: 500_000_000)
        }
        XCTAssertEqual(r.status, 0, r.errors)
        XCTAssert(r.errors.contains("interrupted"), r.errors)
        XCTAssert(r.output.contains("alive\ttrue\ttrue"), r.output + r.errors)
    }

    func testHelpListsThePublicAPIInGroups() throws {
        let (s, _) = try TestSupport.session("")
        let help = ReplEngine(session: s).help()
        XCTAssertFalse(help.contains("ouro._"), help)
        XCTAssert(help.contains("\nouro.data\n") && help.contains("\nouro.model\n") && help.contains("Dataset methods"), help)
    }

    /// The README's examples run: its experiment passes `ouro check` (its fields, its line numbers'
    /// claims) and its REPL lines run in a piped session without an error. Needs the catalog.
    func testTheReadmesExamplesRun() throws {
        let readme = try String(contentsOfFile: TestSupport.repoRoot + "/README.md", encoding: .utf8)
        guard FileManager.default.fileExists(atPath: OuroPaths.data() + "/tweets.jsonl") else {
            return XCTFail("the catalog is not built in \(OuroPaths.data()): run `make data` (or `.build/release/ouro data`)")
        }
        let blocks = readme.components(separatedBy: "```")
        let lua = try XCTUnwrap(blocks.indices.first { $0 % 2 == 1 && blocks[$0].hasPrefix("lua\n") }.map { String(blocks[$0].dropFirst(4)) })
        let dir = TestSupport.tempFolder()
        try lua.write(toFile: dir + "/my_first.lua", atomically: true, encoding: .utf8)
        let check = try TestSupport.runOuro(["check", "my_first.lua"], cwd: dir)
        XCTAssertEqual(check.0, 0, check.2)
        XCTAssert(check.1.contains("experiment 'my_first': 3 cells × 3 seeds × 10 generations"), check.1)
        let repl = try XCTUnwrap(blocks.first { $0.contains("ouro repl") })
        let lines = repl.split(separator: "\n").filter { $0.hasPrefix("> ") }.map { String($0.dropFirst(2)) }
            .map { $0.components(separatedBy: "  --").first! }.filter { !$0.hasPrefix(":") }
        XCTAssertGreaterThanOrEqual(lines.count, 4)
        let r = try TestSupport.runOuro(["repl"], stdin: lines.joined(separator: "\n") + "\n", cwd: dir)
        XCTAssertEqual(r.0, 0, r.2)
        XCTAssertEqual(r.2, "", "the README's REPL lines run without an error")
        XCTAssert(r.1.contains("Dataset(tweets: 4200 docs"), r.1)
    }
}
