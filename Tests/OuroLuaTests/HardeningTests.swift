import Foundation
import XCTest
@testable import OuroLua

/// The reproducers of issue 14 (a hostile shared file) and their variants: each must end in a
/// clear Lua error naming the user's line, or be blocked by the sandbox, and the host must survive.
final class HardeningTests: XCTestCase {
    /// The message of the error `code` raises in a fresh sandboxed session (chunk `@h.lua`), or "".
    func message(_ code: String, options: SessionOptions = SessionOptions(), folder: String? = nil) throws -> String {
        let (s, _) = try TestSupport.session("return 0", options: options, folder: folder)
        do { try s.state.run(code, chunkName: "@h.lua"); return "" } catch { return "\(error)" }
    }

    // MARK: #5 deep tables

    func testDeeplyNestedTablesAreAnErrorNotAHeapCorruption() throws {
        for depth in [101, 150, 1_000, 100_000] {
            let code = "local t = {} for i = 1, \(depth) do t = { t } end ouro.data.normal{ n = 3, junk = t }"
            let m = try message(code)
            XCTAssertTrue(m.hasPrefix("h.lua:1: ouro.data.normal: "), "\(depth): \(m)")
            XCTAssertTrue(m.contains("nested more than \(Lua.maxTableDepth) levels"), "\(depth): \(m)")
        }
        // Within the cap (the issue's depth 80 corrupted the heap), a nested table converts, and the
        // option error is the ordinary one.
        let m = try message("local t = {} for i = 1, 80 do t = { t } end ouro.data.normal{ n = 3, junk = t }")
        XCTAssertTrue(m.contains("unknown option 'junk'"), m)
        // Deep tables through every door that converts: options, experiment{}, metric lists.
        for code in ["local t = {} for i = 1, 5000 do t = { x = t } end ouro.model.ngram(t)",
                     "local t = {} for i = 1, 5000 do t = { t } end ouro.metrics.compute(ouro.data.from{'a b'}, t)",
                     "local t = {} for i = 1, 5000 do t = { t } end experiment{ name = 'x', human = ouro.data.from{'a'}, model = ouro.model.ngram{}, train_size = 1, grid = t }"] {
            let m = try message(code)
            XCTAssertTrue(m.hasPrefix("h.lua:1:") || m.contains("h.lua:1:"), "\(code): \(m)")
        }
    }

    func testTheStackIsBalancedAfterADeepTableError() throws {
        let (s, _) = try TestSupport.session("return 0")
        let before = s.state.lua.top
        for _ in 0..<20 {
            _ = try? s.state.run("local t = {} for i = 1, 3000 do t = { t, { x = t } } end ouro.data.normal{ n = 3, junk = t }")
        }
        XCTAssertEqual(s.state.lua.top, before)
        XCTAssertEqual(try s.state.run("collectgarbage() return 1"), [.integer(1)])
    }

    // MARK: #7 numbers that do not fit

    func testNumbersThatDoNotFitAnIntegerAreErrors() throws {
        let bad = ["0/0", "1/0", "-1/0", "1e300", "math.maxinteger", "math.mininteger", "2^53", "1.5"]
        let calls: [(String, String)] = [
            ("ouro.data.normal{ n = X }", "'n' must be an integer"),
            ("ouro.data.normal{ n = 3, seed = X }", "'seed' must be an integer"),
            ("ouro.data.categorical{ probs = { 0.5, 0.5 }, n = X }", "'n' must be an integer"),
            ("ouro.model.ngram{}:fit(ouro.data.from{'a b c'}):generate{ n = X }", "'n' must be an integer"),
            ("ouro.model.ngram{}:fit(ouro.data.from{'a b c'}):generate{ n = 1, seed = X }", "'seed' must be an integer"),
            ("ouro.model.ngram{}:fit(ouro.data.from{'a b c'}):generate{ n = 1, max_new_tokens = X }", "'max_new_tokens' must be an integer"),
            ("ouro.lexical.mattr({ 'a', 'b' }, { window = X })", "'window' must be an integer"),
            ("ouro.oracle.mle_variance{ n = 10, g = X }", "'g' must be an integer"),
            ("ouro.oracle.heterozygosity{ h0 = 1, n = X, g = 1 }", "'n' must be an integer"),
            ("ouro.data.from{'a', 'b'}:sample(X)", "n must be an integer"),
            ("ouro.data.from{'a', 'b'}:slice(1, X)", "to must be an integer"),
        ]
        for (call, expected) in calls {
            for x in bad {
                let code = call.replacingOccurrences(of: "X", with: x)
                let m = try message(code)
                XCTAssertTrue(m.hasPrefix("h.lua:1: "), "\(code): \(m)")
                XCTAssertTrue(m.contains(expected), "\(code): \(m)")
            }
        }
        // In range, the same calls work.
        XCTAssertEqual(try message("assert(ouro.oracle.mle_variance{ n = 10, g = 2147483647 } >= 0)"), "")
        XCTAssertEqual(try message("assert(ouro.lexical.mattr({ 'a', 'b' }, { window = 2147483647 }) > 0)"), "")
    }

    func testExperimentIntegersThatDoNotFitAreFieldErrors() throws {
        let base = "human = ouro.data.from{'a b', 'c d'}, model = ouro.model.ngram{ order = 1 }, train_size = 1"
        for (field, x) in [("generations", "1/0"), ("generations", "1e300"), ("eval_size", "math.maxinteger"),
                           ("train_size", "0/0"), ("seeds", "{ math.maxinteger }"), ("seeds", "{ 1/0 }"),
                           ("synthetic_ratio", "0/0")] {
            let code = "experiment{ name = 'x', \(base), \(field) = \(x) }"
            let m = try message(code)
            XCTAssertTrue(m.contains("h.lua:1:"), "\(field) = \(x): \(m)")
            XCTAssertTrue(m.contains("'\(field)"), "\(field) = \(x): \(m)")
        }
    }

    func testOuroCheckRejectsNumbersThatDoNotFitWithExitTwo() throws {
        let base = "human = ouro.data.from{'a b', 'c d'}, model = ouro.model.ngram{ order = 1 }, train_size = 1"
        for (field, x) in [("generations", "1/0"), ("eval_size", "1e300"), ("seeds", "{ math.maxinteger }"),
                           ("train_size", "0/0"), ("generations", "math.maxinteger")] {
            let dir = TestSupport.tempFolder()
            try "experiment{ name = 'x', \(base), \(field) = \(x) }\n".write(toFile: dir + "/exp.lua", atomically: true, encoding: .utf8)
            let r = try TestSupport.runOuro(["check", "exp.lua"], cwd: dir)
            XCTAssertEqual(r.0, 2, "\(field) = \(x): \(r.1) \(r.2)")
            XCTAssertTrue(r.2.contains("exp.lua:1:") && r.2.contains("'\(field)"), "\(field) = \(x): \(r.2)")
        }
    }

    // MARK: #1 NUL bytes in paths

    func testANulByteInAPathIsRefusedEverywhere() throws {
        let dir = TestSupport.tempFolder()
        try FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
        try "a line\n".write(toFile: dir + "/data/x.txt", atomically: true, encoding: .utf8)
        let trick = #""/etc/passwd\0/" .. ("../"):rep(12) .. ouro.data_folder .. "/x.txt""#
        let calls = [
            "ouro.data.load(\(trick))",
            "ouro.model.load(\(trick))",
            "ouro.classifier.load(\(trick))",
            "ouro.results.open(\(trick))",
            "ouro.data.from{'a'}:save(\"/tmp/pwned\\0/\" .. (\"../\"):rep(12) .. ouro.data_folder .. \"/y.jsonl\")",
            "ouro.model.ngram{}:fit(ouro.data.from{'a b'}):save(\"x\\0.arpa\")",
            "ouro.data.load(\"x.txt\\0\")",
        ]
        for trust in [false, true] {
            var o = SessionOptions()
            o.trust = trust
            for call in calls {
                let m = try message("local x = " + call, options: o, folder: dir)
                XCTAssertTrue(m.hasPrefix("h.lua:1: "), "\(call): \(m)")
                XCTAssertTrue(m.contains("NUL byte"), "trust \(trust), \(call): \(m)")
                XCTAssertFalse(m.contains("root:"), m)
            }
        }
        XCTAssertThrowsError(try Sandbox.resolve("a\0b"))
        XCTAssertThrowsError(try Sandbox(readRoots: [dir], writeRoots: [dir]).checkRead(dir + "/\0/../x"))
        XCTAssertEqual(try Sandbox(readRoots: [dir], writeRoots: [dir]).checkRead(dir + "/data/../data/x.txt"),
                       Sandbox.canonical(dir + "/data/x.txt"))
    }

    // MARK: #2 experiment names

    func testExperimentNamesCannotTraverse() throws {
        let base = "human = ouro.data.from{'a b', 'c d'}, model = ouro.model.ngram{ order = 1 }, train_size = 1"
        for name in [#"("../"):rep(5) .. "tmp/x/pwned""#, #""a/b""#, #""..""#, #"".hidden""#, #""x\0y""#, #""""#,
                     #"("x"):rep(101)"#, "42"] {
            let m = try message("experiment{ name = \(name), \(base) }")
            XCTAssertTrue(m.hasPrefix("h.lua:1: "), "\(name): \(m)")
            XCTAssertTrue(m.contains("'name' must be 1–100 letters"), "\(name): \(m)")
        }
        XCTAssertEqual(try message("experiment{ name = 'paper-1_b.v2', \(base) }"), "")
        // The engine's own guard (for names that did not come through experiment{}).
        for bad in ["../x", "a/b", ".x", "", "x\0", String(repeating: "y", count: 101)] {
            XCTAssertThrowsError(try ExperimentSpecReader.checkName(bad), bad)
        }
        XCTAssertNoThrow(try ExperimentSpecReader.checkName("tweets-2"))
    }

    // MARK: #3 work the instruction hook does not see

    func limited(_ instructions: Int64 = 5_000_000) -> SessionOptions {
        var o = SessionOptions()
        o.maxInstructions = instructions
        return o
    }

    func testFinalizersCannotRunUnbounded() throws {
        // The reproducer: an infinite loop in a __gc finalizer.
        let m = try message("setmetatable({}, { __gc = function() while true do end end }) collectgarbage()", options: limited())
        XCTAssertTrue(m.hasPrefix("h.lua:1: sandbox: __gc finalizers are not allowed"), m)
        // __gc added to the metatable afterwards never marks the object for finalization.
        let (s, out) = try TestSupport.session("return 0", options: limited())
        try s.state.run("""
            local mt = {}
            local t = setmetatable({}, mt)
            mt.__gc = function() print('finalized') while true do end end
            t = nil collectgarbage() collectgarbage()
            print('done')
            """)
        XCTAssertEqual(out.text, "done\n")
        // An Ouro object's metatable is a stand-in: replacing its __gc changes nothing.
        try s.state.run("""
            local d = ouro.data.from{ 'a' }
            local mt = getmetatable(d)
            mt.__gc = function() while true do end end
            assert(not pcall(setmetatable, d, {}))
            d = nil collectgarbage() collectgarbage()
            """)
        XCTAssertEqual(try s.state.run("return ouro.data.from{ 'a b' }:count()"), [.integer(1)])
    }

    func testPatternMatchingIsBounded() throws {
        let o = limited()
        let start = Date()
        // The reproducer, and the same backtracking through every matching function.
        for f in ["find", "match", "gmatch", "gsub"] {
            let extra = f == "gsub" ? ", ''" : ""
            let m = try message("""
                local r = string.\(f)(("a"):rep(40), ("a?"):rep(40) .. ("a"):rep(40)\(extra))
                if type(r) == 'function' then r() end
                """, options: o)
            XCTAssertTrue(m.hasPrefix("h.lua:1: string: sandbox: this pattern could take"), "\(f): \(m)")
        }
        for code in [#"local s = ("a"):rep(5000) .. "b" return s:find(".-.-.-c")"#,
                     #"return (("x"):rep(100000)):match("(.*)(.*)(.*)y")"#] {
            let m = try message(code, options: o)
            XCTAssertTrue(m.contains("sandbox: this pattern could take"), m)
        }
        // Calls under the bound are charged by their time: a loop of them meets the instruction limit.
        let m = try message(#"local p = "^" .. ("a?"):rep(20) .. ("a"):rep(21) while true do ("a"):rep(20):find(p) end"#, options: o)
        XCTAssertTrue(m.contains("h.lua:1: instruction limit"), m)
        XCTAssertLessThan(Date().timeIntervalSince(start), 60)
        // Ordinary use is unaffected (under the default limits) and gives the real library's results.
        let (s, _) = try TestSupport.session("return 0")
        var trust = SessionOptions()
        trust.trust = true
        let (t, _) = try TestSupport.session("return 0", options: trust)
        let probe = #"""
            local text = ("key = value; other=2, [x] %d\n"):rep(200) .. "café"
            local out = {}
            local function add(...) local n = select("#", ...) for i = 1, n do out[#out + 1] = tostring((select(i, ...))) end end
            for _, p in ipairs { "(%w+)%s*=%s*(%w+)", "^(.-)%s*$", "%[(.-)%]", "()x()", "%b[]", "%f[%w]%w+", "[^;,]+",
                                  "(o)(t)%2", "é", "%d+", "^key", "$", "", ".", "[%]]", "[a-c-]" } do
              add(text:find(p)) add(text:find(p, 10)) add(text:find(p, -20)) add(text:match(p)) add(text:match(p, 50))
              add(text:gsub(p, "<%0>", 3)) add((text:gsub(p, { key = "K" })))
              local k = 0 for a, b in text:gmatch(p) do k = k + 1 if k > 50 then break end add(a, b) end
            end
            add(("x"):find("x", 1, true), ("a.b"):find(".", 1, true), string.find(12345, "3"), string.match(1.5, "%d"), ("abc"):match("b", 10))
            add(("ab"):rep(3, ","), (""):rep(10), (""):rep(0), (pcall(string.rep, "", 1.5)), (pcall(string.find, {}, "x")))
            local tt = { 1, 2, 3 } table.insert(tt, 1, 0) table.insert(tt, 9) add(table.remove(tt, 1), table.remove(tt), #tt)
            add(table.concat(table.move({ 1, 2, 3 }, 1, 3, 2), ","))
            return table.concat(out, "|")
            """#
        let (a, b) = (try s.state.run(probe), try t.state.run(probe))
        XCTAssertTrue(a == b, "the wrapped string functions differ from the real ones")
        // Errors of the real functions still surface (their text names the wrapper's call).
        XCTAssertTrue(try message("string.rep('x', 1.5)").contains("number has no integer representation"))
        XCTAssertTrue(try message("string.find('x', '%')").contains("malformed pattern"))
    }

    func testOtherCLoopsAreBoundedOrCharged() throws {
        let o = limited()
        XCTAssertEqual(try message("assert(('').rep('', math.maxinteger) == '') assert(string.rep('', 1e15, '') == '')", options: o), "")
        for code in ["local t = setmetatable({}, { __len = function() return 1e15 end }) table.insert(t, 1, 'x')",
                     "local t = setmetatable({}, { __len = function() return 1e15 end }) table.remove(t, 1)",
                     "table.move({}, 1, 1e15, 2)",
                     "local t = {} for i = 1, 1e6 do table.move({}, 1, 1e6, 2, t) end"] {
            let m = try message(code, options: o)
            XCTAssertTrue(m.contains("instruction limit"), "\(code): \(m)")
        }
    }

    // MARK: #4 engine memory

    func testEngineAllocationsAreCheckedAgainstTheMemoryLimit() throws {
        var o = SessionOptions()
        o.maxMemory = 64 << 20
        for code in ["ouro.data.from{ ('x'):rep(4e6) }",
                     "local s = ('word '):rep(1e6) ouro.data.from{ s, s, s }",
                     "ouro.text.tokenize(('a b '):rep(2e6))",
                     "ouro.data.normal{ n = 2^31 - 1 }",
                     "ouro.data.categorical{ probs = { 1 }, n = 2e9 }",
                     "ouro.model.ngram{}:fit(ouro.data.from{'a b c'}):generate{ n = 2e9 }",
                     "ouro.model.gaussian{}:fit(ouro.data.normal{ n = 10 }):generate{ n = 2e9 }"] {
            let m = try message(code, options: o)
            XCTAssertTrue(m.hasPrefix("h.lua:1: "), "\(code): \(m)")
            XCTAssertTrue(m.contains("not enough memory") && m.contains("use --max-memory to raise it"), "\(code): \(m)")
        }
        XCTAssertEqual(try message("assert(ouro.data.from{ ('x y '):rep(1000) }:count() == 1)", options: o), "")
    }
}
