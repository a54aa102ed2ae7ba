import XCTest
@testable import OuroLua

final class SandboxTests: XCTestCase {
    /// Each escape must fail with a `sandbox:` message (or be impossible: nil function/field).
    static let escapes: [(String, String)] = [
        ("os.execute", "os.execute('echo pwned')"),
        ("os.remove", "os.remove('/tmp/x')"),
        ("os.rename", "os.rename('/tmp/x', '/tmp/y')"),
        ("os.exit", "os.exit(3)"),
        ("os.getenv", "return os.getenv('HOME')"),
        ("os.tmpname", "return os.tmpname()"),
        ("io.open", "return io.open('/etc/passwd'):read('a')"),
        ("io.popen", "return io.popen('ls'):read('a')"),
        ("io.lines", "for l in io.lines('/etc/passwd') do end"),
        ("binary chunk", "return load(string.dump(function() end))"),
        ("binary chunk literal", "return load('\\27Lua\\84\\0')"),
        ("load mode b", "return load('return 1', 'x', 'b')"),
        ("string.dump", "return string.dump(print)"),
        ("package.loadlib", "return package.loadlib('/lib/x86_64-linux-gnu/libc.so.6', 'system')"),
        ("debug.getinfo", "return debug.getinfo(1)"),
        ("debug.sethook", "debug.sethook()"),
        ("require C module", "return require('lfs')"),
        ("require outside roots", "package.path = '/etc/?' return require('passwd')"),
        ("require by path", "return require('../../etc/passwd')"),
        ("dofile", "return dofile('/etc/passwd')"),
        ("loadfile", "return loadfile('/etc/passwd')"),
        ("string metatable", "getmetatable('').__index.upper = function() return 'pwned' end"),
        ("string library", "string.upper = function() return 'pwned' end"),
        ("package.searchpath", "return package.searchpath('x', '/etc/?')"),
        ("require io via loaded", "return require('io').open('/etc/passwd')"),
    ]

    func testEachEscapeIsBlocked() throws {
        XCTAssertGreaterThanOrEqual(Self.escapes.count, 12)
        for (name, code) in Self.escapes {
            let (s, _) = try TestSupport.session("return 0")
            XCTAssertThrowsError(try s.state.run(code, chunkName: "@escape.lua"), name) { error in
                let m = "\(error)"
                XCTAssert(m.contains("sandbox:") || m.contains("module") || m.contains("attempt to index"),
                          "\(name): unexpected message \(m)")
            }
            // the string library is intact after a tampering attempt
            XCTAssertEqual(try s.state.run("return ('x'):upper()"), [.string("X")], name)
        }
    }

    func testSandboxMessagesSayHowToLiftIt() throws {
        let (s, _) = try TestSupport.session("return 0")
        XCTAssertThrowsError(try s.state.run("os.execute('ls')", chunkName: "@f.lua")) {
            XCTAssertEqual("\($0)", "f.lua:1: sandbox: os.execute is not allowed (run with --trust to allow)")
        }
    }

    func testAllowedLibrariesStillWork() throws {
        let (s, out) = try TestSupport.session("""
            io.write("a", 1, "\\n")
            print(os.time() > 0, os.clock() >= 0, math.floor(2.5), string.format("%d", 3), ("abc"):sub(2),
                  table.concat({1, 2}, ","), utf8.char(72), coroutine.wrap(function() coroutine.yield(5) end)())
            print(load("return 1 + 1")())
            for k in pairs(string) do end
            """)
        try s.run()
        XCTAssertEqual(out.text, "a1\ntrue\ttrue\t2\t3\tbc\t1,2\tH\t5\n2\n")
    }

    func testTrustLiftsTheSandbox() throws {
        var o = SessionOptions()
        o.trust = true
        let (s, _) = try TestSupport.session("return 0", options: o)
        XCTAssertNoThrow(try s.state.run("return os.getenv('HOME'), debug.getinfo(1), string.dump(print ~= nil and function() end)"))
        XCTAssertEqual(s.state.limits, .none)
    }

    func testFileAccessPolicy() throws {
        let dir = TestSupport.tempFolder()
        let sb = Sandbox(readRoots: [dir, "/tmp/ouro-data-x"], writeRoots: [dir])
        XCTAssertNoThrow(try sb.checkRead(dir + "/a.jsonl"))
        XCTAssertNoThrow(try sb.checkWrite(dir + "/out/x.jsonl"))
        XCTAssertThrowsError(try sb.checkRead("/etc/passwd")) { XCTAssert("\($0)".contains("sandbox: reading '/etc/passwd'")) }
        XCTAssertThrowsError(try sb.checkRead(dir + "/../../etc/passwd"))
        XCTAssertThrowsError(try sb.checkWrite("/tmp/ouro-data-x/a"))
        // A symlink inside the folder that points outside does not escape.
        try FileManager.default.createSymbolicLink(atPath: dir + "/link", withDestinationPath: "/etc")
        XCTAssertThrowsError(try sb.checkRead(dir + "/link/passwd"))
        XCTAssertNoThrow(try Sandbox(readRoots: [], writeRoots: [], enforced: false).checkRead("/etc/passwd"))
    }
}

final class LimitTests: XCTestCase {
    func session(_ limits: LuaLimits) throws -> OuroSession {
        var o = SessionOptions()
        o.maxInstructions = limits.maxInstructions
        o.maxMemory = limits.maxMemory
        return try TestSupport.session("return 0", options: o).0
    }

    func testInfiniteLoopIsStopped() throws {
        let s = try session(LuaLimits(maxInstructions: 5_000_000, maxMemory: 0))
        for code in ["while true do end",
                     "while true do pcall(function() while true do end end) end",
                     "local co = coroutine.wrap(function() while true do end end) co()",
                     "while true do local ok = pcall(error, 'x') end"] {
            XCTAssertThrowsError(try s.state.run(code, chunkName: "@loop.lua"), code) { error in
                let e = error as! LuaError
                XCTAssertEqual(e.kind, .instructionLimit, "\(code): \(e.message)")
                XCTAssert(e.message.contains("loop.lua:1: instruction limit"), e.message)
            }
            XCTAssertEqual(try s.state.run("return 1 + 1"), [.integer(2)], "state usable after \(code)")
        }
    }

    func testMemoryBombIsStoppedAndTheHostSurvives() throws {
        let s = try session(LuaLimits(maxInstructions: 0, maxMemory: 64 << 20))
        for code in ["local t = {} for i = 1, 1e9 do t[i] = string.rep('x', 1000) .. i end",
                     "local s = 'x' while true do s = s .. s end",
                     "local ok = pcall(function() local t = {} for i = 1, 1e9 do t[i] = {} end end) local t = {} for i = 1, 1e9 do t[i] = {i} end"] {
            XCTAssertThrowsError(try s.state.run(code, chunkName: "@bomb.lua"), code) { error in
                XCTAssert("\(error)".contains("memory"), "\(error)")
            }
            try s.state.run("collectgarbage()")
            XCTAssertLessThan(s.state.memoryInUse, 64 << 20)
            XCTAssertEqual(try s.state.run("return #string.rep('y', 10)"), [.integer(10)])
        }
    }

    func testSwiftWorkDoesNotCountAgainstTheInstructionLimit() throws {
        let s = try session(LuaLimits(maxInstructions: 100_000, maxMemory: 0))
        s.state.register("busy", doc: "test") { lua in
            var x = 0.0
            for i in 0..<5_000_000 { x += Double(i) }
            lua.push(x)
            return 1
        }
        XCTAssertNoThrow(try s.state.run("for i = 1, 10 do busy() end"))
    }
}
