import CLua
import XCTest
@testable import OuroLua

final class BridgeTests: XCTestCase {
    func testConversionsRoundTrip() throws {
        let state = LuaState()
        let lua = state.lua
        let values: [LuaValue] = [
            .nil, .boolean(true), .boolean(false), .integer(42), .integer(-7), .number(2.5), .string("héllo ✓"),
            .table(LuaTable(array: [.integer(1), .string("two"), .number(3.5)])),
            .table(LuaTable(fields: ["a": .integer(1), "b": .table(LuaTable(array: [.boolean(true)], fields: ["c": .string("d")]))])),
            .table(LuaTable(array: [.integer(1)], fields: ["seed": .integer(7)])),
        ]
        for v in values {
            lua.push(v)
            XCTAssertEqual(try lua.value(at: -1), v)
            lua.pop()
            XCTAssertEqual(lua.top, 0, "stack balanced after \(v)")
        }
        // Values made by Lua convert too.
        let r = try state.run("return { 1, 2, x = { y = 'z' } }, 3.0, 2^53")
        XCTAssertEqual(r[0], .table(LuaTable(array: [.integer(1), .integer(2)], fields: ["x": .table(LuaTable(fields: ["y": .string("z")]))])))
        XCTAssertEqual(r[1], .number(3.0))
        XCTAssertEqual(lua.top, 0)
    }

    func testCyclicAndUnsupportedTablesAreRejectedWithAPath() throws {
        let state = LuaState()
        try state.run("cyc = { a = { } } cyc.a.back = cyc  odd = { [2.5] = 1 }")
        let lua = state.lua
        _ = lua.getGlobal("cyc")
        XCTAssertThrowsError(try lua.value(at: -1)) { XCTAssert("\($0)".contains("value.a.back is a cyclic table"), "\($0)") }
        lua.pop()
        _ = lua.getGlobal("odd")
        XCTAssertThrowsError(try lua.value(at: -1)) { XCTAssert("\($0)".contains("2.5"), "\($0)") }
        lua.pop()
        XCTAssertEqual(lua.top, 0)
        // A shared (non-cyclic) subtable is fine.
        XCTAssertNoThrow(try state.run("local s = {1} return { s, s }"))
    }

    func testSwiftErrorIsCatchableByPcallAndCarriesTheUsersLine() throws {
        let (s, out) = try TestSupport.session("""
            local ok, err = pcall(function()
              return failing(1)
            end)
            print(ok, err)
            """, name: "user.lua")
        s.state.register("failing", doc: "test") { _ in throw LuaArgumentError("'x' must be positive") }
        try s.run()
        XCTAssert(out.text.hasPrefix("false\t"), out.text)
        XCTAssert(out.text.hasSuffix("user.lua:2: failing: 'x' must be positive\n"), out.text)
        XCTAssertEqual(s.state.lua.top, 0)
    }

    func testErrorInALuaCallbackSurfacesAsSwiftError() throws {
        let state = LuaState()
        try state.run("function cb(x) if x > 1 then error('too big: ' .. x) end return x * 2 end")
        let lua = state.lua
        _ = lua.getGlobal("cb")
        guard case .function(let cb) = try lua.value(at: -1) else { return XCTFail("not a function") }
        lua.pop()
        XCTAssertEqual(try cb.call([.integer(1)]), [.integer(2)])
        XCTAssertThrowsError(try cb.call([.integer(5)])) { error in
            let e = error as! LuaError
            XCTAssertEqual(e.kind, .runtime)
            XCTAssert(e.message.contains("too big: 5"), e.message)
        }
        XCTAssertEqual(lua.top, 0, "stack balanced after a failed callback")
    }

    func testCallbackErrorPropagatesThroughSwiftBackToLua() throws {
        // Lua → Swift → Lua callback that fails → Swift rethrows → Lua pcall sees the original error.
        let state = LuaState()
        state.register("apply", doc: "test") { lua in
            guard case .function(let f) = try lua.value(at: 1) else { throw LuaArgumentError("need a function") }
            let r = try f.call([.integer(3)], on: lua)
            lua.push(r.first ?? .nil)
            return 1
        }
        let r = try state.run("""
            local ok, e = pcall(apply, function(x) error('inner ' .. x, 0) end)
            return ok, e, apply(function(x) return x + 1 end)
            """)
        XCTAssertEqual(r, [.boolean(false), .string("inner 3"), .integer(4)])
        XCTAssertEqual(state.lua.top, 0)
    }

    func testGcFreesSwiftObjects() throws {
        let state = LuaState()
        state.registerType(Probe.self, name: "Probe",
                           methods: ["value": (doc: "the value", body: { p, lua in lua.push(p.value); return 1 })],
                           properties: ["double": { p, lua in lua.push(p.value * 2) }])
        let before = Probe.alive
        state.register("probe", doc: "test") { lua in lua.push(object: Probe(try lua.argInteger(1, "value"))); return 1 }
        let r = try state.run("""
            local p = probe(21)
            local t = {}
            for i = 1, 100 do t[i] = probe(i) end
            return p:value(), p.double, tostring(p), p.missing
            """)
        XCTAssertEqual(r, [.integer(21), .integer(42), .string("Probe(21)"), .nil])
        XCTAssertEqual(state.lua.top, 0)
        try state.run("collectgarbage() collectgarbage()")
        XCTAssertEqual(Probe.alive, before, "every Probe freed by __gc")
        // A method called with '.' instead of ':' is a clear error.
        XCTAssertThrowsError(try state.run("local p = probe(1) return p.value()", chunkName: "@m.lua")) {
            XCTAssert("\($0)".contains("m.lua:1: Probe:value: expected a Probe as self"), "\($0)")
        }
    }

    func testObjectsConvertAsObjects() throws {
        let state = LuaState()
        state.registerType(Probe.self, name: "Probe")
        let p = Probe(5)
        state.lua.push(object: p)
        XCTAssert(try state.lua.value(at: -1) == .object(p))
        XCTAssertEqual(state.lua.typeName(at: -1), "Probe")
        state.lua.pop()
    }

    func testStackIsBalancedAfterEveryBridgeCall() throws {
        let (s, _) = try TestSupport.session("x = 1")
        let lua = s.state.lua
        XCTAssertEqual(lua.top, 0, "after session setup")
        try s.run()
        XCTAssertEqual(lua.top, 0, "after run")
        XCTAssertThrowsError(try s.state.run("error('x')"))
        XCTAssertEqual(lua.top, 0, "after a failing run")
        XCTAssertThrowsError(try s.state.load("local =", chunkName: "=t"))
        XCTAssertEqual(lua.top, 0, "after a syntax error")
        s.state.register("a.b.c", doc: "nested") { _ in 0 }
        XCTAssertEqual(lua.top, 0, "after register")
        _ = try s.state.run("return a.b.c()")
        XCTAssertEqual(lua.top, 0)
        _ = ReplEngine(session: s).completions(for: "ouro.")
        XCTAssertEqual(lua.top, 0, "after completion")
    }

    func testOptionValidationNamesTheKeyAndSuggests() throws {
        let state = LuaState()
        state.register("m.generate", doc: "test") { lua in
            let o = try lua.options(at: 1, allowed: ["temperature", "top_p", "n"])
            _ = try o.number("temperature", default: 1, min: 0, minExclusive: true)
            _ = try o.number("top_p", default: 1, min: 0, max: 1)
            _ = try o.integer("n", default: 1, min: 1)
            return 0
        }
        func message(_ code: String) -> String {
            do { try state.run(code, chunkName: "@exp.lua"); return "" } catch { return "\(error)" }
        }
        XCTAssertEqual(message("m.generate{ temprature = 1 }"),
                       "exp.lua:1: m.generate: unknown option 'temprature' (did you mean 'temperature'?) (valid: n, temperature, top_p)")
        XCTAssertEqual(message("m.generate{ top_p = 1.5 }"), "exp.lua:1: m.generate: 'top_p' must be a number in [0, 1], got 1.5")
        XCTAssertEqual(message("m.generate{ temperature = -1 }"), "exp.lua:1: m.generate: 'temperature' must be a number > 0, got -1")
        XCTAssertEqual(message("m.generate{ n = 0 }"), "exp.lua:1: m.generate: 'n' must be an integer ≥ 1, got 0")
        XCTAssertEqual(message("m.generate{ n = 'x' }"), "exp.lua:1: m.generate: 'n' must be an integer ≥ 1, got 'x'")
        XCTAssertEqual(message("m.generate(5)"), "exp.lua:1: m.generate: options must be a table, got number")
        XCTAssertEqual(message("m.generate{ n = 3 }"), "")
    }

    func testErrorsFromStdlibPointAtTheUsersLine() throws {
        // ouro.check_options is called by a stdlib-style Lua wrapper; the location is the user's call.
        let (s, out) = try TestSupport.session("""
            local function wrapper(opts) ouro.check_options(opts, "wrapper", { "a" }) end
            print(pcall(wrapper, { b = 1 }))
            """, name: "loc.lua")
        try s.run()
        XCTAssert(out.text.contains("loc.lua:1: wrapper: unknown option 'b'"), out.text)
    }

    func testParamsAndRequire() throws {
        let dir = TestSupport.tempFolder()
        try "return { answer = 42 }".write(toFile: dir + "/helper.lua", atomically: true, encoding: .utf8)
        var o = SessionOptions()
        o.params = ["n": SessionOptions.parseParam("10"), "r": SessionOptions.parseParam("0.25"),
                    "name": SessionOptions.parseParam("tweets"), "flag": SessionOptions.parseParam("true")]
        let (s, out) = try TestSupport.session("""
            local h = require "helper"
            local o = require "ouro"
            print(h.answer, ouro.params.n, math.type(ouro.params.n), ouro.params.r, ouro.params.name, ouro.params.flag, o == ouro)
            """, options: o, folder: dir)
        try s.run()
        XCTAssertEqual(out.text, "42\t10\tinteger\t0.25\ttweets\ttrue\ttrue\n")
        XCTAssertEqual(SessionOptions.parseSize("512M"), 512 << 20)
        XCTAssertEqual(SessionOptions.parseSize("2G"), 2 << 30)
        XCTAssertNil(SessionOptions.parseSize("lots"))
    }
}
