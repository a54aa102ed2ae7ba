import CLua
import Foundation
import Ouro

/// An error raised by Lua code (or by the limits), surfaced in Swift.
public struct LuaError: Error, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable { case syntax, runtime, memory, instructionLimit, interrupted }
    public var kind: Kind
    /// The message, starting with `file:line:` where Lua knows it.
    public var message: String
    /// The Lua traceback (already trimmed to user frames), when the error came from running code.
    public var traceback: String?

    public init(_ kind: Kind, _ message: String, traceback: String? = nil) {
        self.kind = kind; self.message = message; self.traceback = traceback
    }
    public var description: String { message }
}

/// An error thrown by a Swift function bound to Lua, for a bad argument or option. The bridge
/// prefixes it with the user's `file:line:` and the function's name.
public struct LuaArgumentError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Resource limits of a Lua state. Zero means unlimited.
public struct LuaLimits: Sendable, Equatable {
    public var maxInstructions: Int64
    public var maxMemory: Int

    public init(maxInstructions: Int64 = 0, maxMemory: Int = 0) {
        self.maxInstructions = maxInstructions; self.maxMemory = maxMemory
    }

    /// The defaults for untrusted files: 2·10⁹ VM instructions per top-level call (a few seconds of pure
    /// Lua work; engine work in Swift does not count) and 1 GiB of Lua heap.
    public static let sandboxDefaults = LuaLimits(maxInstructions: 2_000_000_000, maxMemory: 1 << 30)
    public static let none = LuaLimits()
}

/// A Swift function callable from Lua. It reads its arguments from `lua` (index 1…top), pushes its
/// results and returns how many. It reports failure by throwing, never by raising a Lua error.
public typealias LuaSwiftFunction = (Lua) throws -> Int32

/// One Lua 5.4 state: owns the `lua_State`, its limits and the registry of Swift types and functions.
public final class LuaState {
    /// Chunk names of Ouro's stdlib start with this prefix (`@ouro:stdlib/experiment.lua`), so that
    /// error locations and tracebacks can skip library frames and point at the user's line.
    public static let stdlibChunkPrefix = "@ouro:stdlib/"

    public let L: OpaquePointer
    private let limitsPointer: UnsafeMutablePointer<OuroLimits>
    /// Documentation of the bound API (`"ouro.now"` → one line), shown by the REPL's `:help`.
    public internal(set) var docs: [String: String] = [:]
    /// Where Lua's `print` writes (the REPL and tests capture it).
    public var output: (String) -> Void = { s in FileHandle.standardOutput.write(Data(s.utf8)) }
    /// Set when the state is sandboxed; consulted by every binding that touches files.
    public internal(set) var sandbox: Sandbox?
    /// What Ouro keeps per state: script, data folder, metrics, embeddings, run defaults.
    public let context = OuroContext()

    var typeNames: [ObjectIdentifier: String] = [:]
    var describers: [ObjectIdentifier: (AnyObject) -> String] = [:]
    private var pcallDepth = 0

    /// Creates a state with the standard libraries opened and the given limits.
    public init(limits: LuaLimits = .none) {
        limitsPointer = .allocate(capacity: 1)
        limitsPointer.initialize(to: OuroLimits())
        limitsPointer.pointee.step = 1000
        limitsPointer.pointee.host_depth = 1
        L = ouro_newstate(limitsPointer)!
        limitsPointer.pointee.host = Unmanaged.passUnretained(self).toOpaque()
        self.limits = limits
        luaL_openlibs(L)
        installPrint()
    }

    deinit {
        lua_close(L)
        limitsPointer.deinitialize(count: 1)
        limitsPointer.deallocate()
    }

    public var lua: Lua { Lua(L) }

    /// The limits in force; changing them takes effect at once.
    public var limits: LuaLimits {
        get { LuaLimits(maxInstructions: limitsPointer.pointee.max_instructions, maxMemory: limitsPointer.pointee.max_memory) }
        set {
            limitsPointer.pointee.max_instructions = newValue.maxInstructions
            limitsPointer.pointee.max_memory = newValue.maxMemory
        }
    }

    /// Bytes currently allocated by Lua, and the peak.
    public var memoryInUse: Int { limitsPointer.pointee.memory }
    public var peakMemory: Int { limitsPointer.pointee.peak_memory }
    /// VM instructions executed since the last top-level call (in steps of 1000).
    public var instructionsUsed: Int64 { limitsPointer.pointee.instructions }

    /// Checks, before the engine allocates on a script's behalf, that `bytes` (an estimate of the
    /// call's peak working memory) fits the memory limit beside what Lua holds; otherwise a clear
    /// error instead of an allocation the machine may refuse (the process would abort).
    /// Engine memory is not counted continuously: each call that can allocate in proportion to a
    /// script's numbers or strings is checked here, once, with its estimate.
    public func checkEngineAllocation(bytes: Double, for what: String) throws {
        let limit = limits.maxMemory
        guard limit > 0 else { return }
        if bytes + Double(memoryInUse) > Double(limit) {
            throw LuaArgumentError("not enough memory: \(what) would need about \(LuaState.formatBytes(Int(min(bytes, 9e18)))), over the memory limit of \(LuaState.formatBytes(limit)) (use --max-memory to raise it)")
        }
    }

    /// Starts counting instructions afresh. Every top-level call from Swift does so: the
    /// instruction limit bounds each call (a file's main chunk, a REPL input, a callback).
    public func resetInstructionCount() {
        ouro_reset_limits(limitsPointer)
    }

    /// While `body` runs, SIGINT interrupts running Lua code with an "interrupted!" error and
    /// engine work (an embedding, a fit, a generation, a loop) with an "interrupted" error at its
    /// next check point (`Interruption`); the state stays usable.
    public func interruptible<T>(_ body: () throws -> T) rethrows -> T {
        limitsPointer.pointee.interrupted = 0
        Interruption.reset()
        ouro_catch_sigint(limitsPointer)
        signal(SIGINT, luaAndEngineSigint)
        defer { ouro_release_sigint(); Interruption.reset() }
        return try body()
    }

    /// Asks running Lua code to stop with an "interrupted!" error (what SIGINT does).
    public func interrupt() { limitsPointer.pointee.interrupted = 1 }

    /// Runs `body` as a top-level call from Swift: Lua called from it gets the per-call instruction
    /// budget afresh, as it does in a worker's state, whether or not Lua code called `body` (an
    /// `e:run()` typed in the REPL). The caller's budget is restored afterwards.
    public func asTopLevel<T>(_ body: () throws -> T) rethrows -> T {
        let depth = pcallDepth, used = limitsPointer.pointee.instructions
        pcallDepth = 0
        defer { pcallDepth = depth; limitsPointer.pointee.instructions = used }
        return try body()
    }

    // MARK: Deterministic math.random

    /// The step `math.random` was last seeded for (nil: not seeded for a step).
    private var seededStep: LoopStep?
    /// Lua's own `math.randomseed`, kept at setup so a script cannot replace what the host calls.
    var randomseed: LuaFunctionRef?

    /// Seeds `math.random` from `key` (FNV-1a of its text): the host does so at fixed points (the
    /// state's creation, before an experiment's cells are prepared, before `after`), so the draws
    /// of a file's Lua code are the same in every worker and for any `--jobs`.
    public func reseedRandom(_ key: String) {
        seededStep = nil
        reseed(key)
    }

    /// Before Lua is called back from a run: seeds `math.random` from the thread's `LoopStep`
    /// (seed, cell, generation) when it changed since the last seeding.
    func reseedRandomForCurrentStep() {
        guard let step = LoopStep.current, step != seededStep else { return }
        seededStep = step
        reseed("step \(step.seed) \(step.cell) \(step.generation)")
    }

    private func reseed(_ key: String) {
        guard let randomseed else { return }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in key.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        let lua = self.lua, base = lua.top
        randomseed.push(on: lua)
        lua.push(Int64(bitPattern: h))
        lua.push(Int64(bitPattern: h &* 0x9E37_79B9_7F4A_7C15))
        _ = try? pcall(lua, nargs: 2, nresults: 0)
        lua.setTop(base)
    }

    // MARK: Loading and calling

    /// Compiles `source` (text only) and leaves the chunk on the stack.
    /// - Parameter chunkName: `@path` for files (errors then read `path:line:`), `=name` for literal names.
    public func load(_ source: String, chunkName: String) throws {
        var source = source
        let status = source.withUTF8 { buf in
            buf.withMemoryRebound(to: CChar.self) { ouro_loadbuffer(L, $0.baseAddress, $0.count, chunkName, "t") }
        }
        if status != LUA_OK {
            let msg = lua.toString(at: -1) ?? "syntax error"
            lua.pop()
            throw LuaError(status == LUA_ERRMEM ? .memory : .syntax, msg)
        }
    }

    /// Calls the function below `nargs` arguments on the stack of `lua` through `lua_pcall` with a
    /// traceback handler; leaves `nresults` results (or all, for `LUA_MULTRET`) and returns their count.
    /// An error becomes a thrown `LuaError` with the stack restored.
    @discardableResult
    public func pcall(_ lua: Lua, nargs: Int32, nresults: Int32) throws -> Int32 {
        let L = lua.L
        let base = lua_gettop(L) - nargs          // index of the function
        lua_pushcclosure(L, ouro_msghandler_fn(), 0)
        lua_rotate(L, base, 1)                     // handler below the function
        let lim = limitsPointer
        if pcallDepth == 0 { resetInstructionCount() }
        pcallDepth += 1
        let savedDepth = lim.pointee.host_depth
        lim.pointee.host_depth = 0
        let status = ouro_pcall(L, nargs, nresults, base)
        lim.pointee.host_depth = savedDepth
        pcallDepth -= 1
        if status != LUA_OK {
            let raw = lua.toString(at: -1) ?? "(error object is a \(lua.typeName(at: -1)) value)"
            lua_settop(L, base - 1)
            throw classify(raw, status: status)
        }
        ouro_remove(L, base)
        return lua_gettop(L) - base + 1
    }

    private func classify(_ raw: String, status: Int32) -> LuaError {
        // Split "message\nstack traceback:\n…" into the message and the trimmed traceback.
        var message = raw, traceback: String? = nil
        if let r = raw.range(of: "\nstack traceback:") {
            message = String(raw[..<r.lowerBound])
            traceback = LuaState.trimTraceback(String(raw[r.lowerBound...].dropFirst()))
        }
        let kind: LuaError.Kind
        if status == LUA_ERRMEM || message.hasSuffix("not enough memory")
            || message.contains("memory limit was exceeded") { kind = .memory }
        else if message.contains("instruction limit of") { kind = .instructionLimit }
        else if message.hasSuffix("interrupted!") { kind = .interrupted }
        else { kind = .runtime }
        if kind == .memory && !message.contains("memory limit") && limits.maxMemory > 0 {
            message += " (memory limit \(LuaState.formatBytes(limits.maxMemory)); use --max-memory to raise it)"
        }
        return LuaError(kind, message, traceback: traceback)
    }

    /// Keeps the traceback lines that point at the user's code: drops C frames, stdlib frames and
    /// the bridge's own frames.
    static func trimTraceback(_ tb: String) -> String? {
        let lines = tb.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let kept = lines.dropFirst().filter { line in
            let t = line.trimmingCharacters(in: .whitespaces)
            return !t.hasPrefix("[C]") && !t.hasPrefix("ouro:stdlib/") && !t.hasPrefix("[ouro]/")
                && !t.hasPrefix("(...tail calls...)")
                && !t.isEmpty
        }
        return kept.isEmpty ? nil : (["stack traceback:"] + kept).joined(separator: "\n")
    }

    static func formatBytes(_ n: Int) -> String {
        if n >= 1 << 30 && n % (1 << 30) == 0 { return "\(n >> 30) GiB" }
        if n >= 1 << 30 { return String(format: "%.1f GiB", Double(n) / Double(1 << 30)) }
        if n >= 1 << 20 { return "\(n >> 20) MiB" }
        return "\(n) bytes"
    }

    /// Runs Lua source text and returns its results converted to Swift values.
    @discardableResult
    public func run(_ source: String, chunkName: String = "=(swift)") throws -> [LuaValue] {
        let base = lua.top
        try load(source, chunkName: chunkName)
        let n = try pcall(lua, nargs: 0, nresults: LUA_MULTRET)
        defer { lua.setTop(base) }
        return try (0..<n).map { try lua.value(at: base + 1 + $0) }
    }

    // MARK: Swift functions

    /// Pushes a Swift function as a Lua function. `name` prefixes its error messages
    /// (`file:line: name: message`).
    public func pushFunction(_ lua: Lua, name: String, _ body: @escaping LuaSwiftFunction) {
        let box = FunctionBox(name: name, body: body)
        let ud = ouro_newuserdata(lua.L, MemoryLayout<UnsafeRawPointer>.size)!
        ud.storeBytes(of: Unmanaged.passRetained(box).toOpaque(), as: UnsafeRawPointer.self)
        if ouro_getmetatable(lua.L, FunctionBox.metatableName) != LUA_TTABLE {
            lua.pop()
            createFunctionBoxMetatable(lua)
        }
        lua_setmetatable(lua.L, -2)
        ouro_pushswiftfunction(lua.L, swiftDispatch)
    }

    private func createFunctionBoxMetatable(_ lua: Lua) {
        luaL_newmetatable(lua.L, FunctionBox.metatableName)
        lua_pushcclosure(lua.L, { L in
            // __gc of a function box: release the Swift closure. Runs in C; never raises.
            if let ud = lua_touserdata(L, 1) {
                let p = ud.load(as: UnsafeRawPointer?.self)
                if let p { Unmanaged<FunctionBox>.fromOpaque(p).release() }
                ud.storeBytes(of: nil, as: UnsafeRawPointer?.self)
            }
            return 0
        }, 0)
        lua.rawSet(-2, field: "__gc")
        lua.push("function box")
        lua.rawSet(-2, field: "__metatable")
    }

    /// Sets `name` (a dotted path like `ouro.data.load`, tables created as needed) to a Swift function,
    /// with a one-line doc for `:help`.
    public func register(_ path: String, doc: String, _ body: @escaping LuaSwiftFunction) {
        docs[path] = doc
        let lua = self.lua
        let parts = path.split(separator: ".").map(String.init)
        lua.pushGlobalTable()
        for part in parts.dropLast() {
            if lua.rawGet(-1, field: part) != .table {
                lua.pop()
                lua.newTable()
                lua.pushValue(at: -1)
                lua.rawSet(-3, field: part)
            }
            lua.remove(at: -2)
        }
        pushFunction(lua, name: path, body)
        lua.rawSet(-2, field: parts.last!)
        lua.pop()
    }

    /// Records documentation for a Lua-defined API entry (stdlib functions).
    public func document(_ path: String, _ doc: String) { docs[path] = doc }

    private func installPrint() {
        register("print", doc: "print(...) — writes its arguments, tab-separated, and a newline") { lua in
            let n = lua.top
            var parts: [String] = []
            if n > 0 { for i in 1...n { parts.append(try lua.describe(at: i)) } }
            lua.state.output(parts.joined(separator: "\t") + "\n")
            return 0
        }
        docs["print"] = nil
    }
}

/// SIGINT while the REPL runs an input: stop Lua code (the count hook) and engine work.
private func luaAndEngineSigint(_ sig: Int32) {
    ouro_sigint_handler(sig)
    Interruption.request()
}

/// A boxed Swift closure held by a Lua function's second upvalue.
final class FunctionBox {
    static let metatableName = "ouro.FunctionBox"
    let name: String
    let body: LuaSwiftFunction
    init(name: String, body: @escaping LuaSwiftFunction) { self.name = name; self.body = body }

    /// The name errors show: the public method behind an internal function (`ouro._plan` is
    /// reached through `e:plan()`); users never see an `ouro._*` name.
    var shownName: String {
        guard name.contains("._") else { return name }
        return FunctionBox.publicNames[name] ?? "ouro"
    }
    static let publicNames = ["ouro._run_experiment": "Experiment:run", "ouro._plan": "Experiment:plan",
                              "ouro._metric_hint": "experiment", "ouro._where": "experiment"]
}

/// The one dispatcher behind every Swift function bound to Lua (called by `ouro_trampoline`).
/// Returns the number of results, or -1 with the error message on top of the stack; the
/// trampoline raises it after this Swift frame has returned.
private let swiftDispatch: @convention(c) (OpaquePointer?) -> Int32 = { L in
    let lua = Lua(L!)
    let ud = lua_touserdata(L, ouro_upvalueindex(2))!
    let box = Unmanaged<FunctionBox>.fromOpaque(ud.load(as: UnsafeRawPointer.self)).takeUnretainedValue()
    do {
        return try box.body(lua)
    } catch let error as LuaError {
        // An error from Lua code called back from Swift: it already says where it happened.
        lua.push(error.message)
        return -1
    } catch let error as LuaArgumentError {
        lua.push(lua.userLocation() + box.shownName + ": " + error.message)
        return -1
    } catch {
        lua.push(lua.userLocation() + box.shownName + ": " + String(describing: error))
        return -1
    }
}
