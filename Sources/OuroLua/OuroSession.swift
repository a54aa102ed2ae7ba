import CLua
import Foundation
import Ouro

/// How a session's Lua state is set up.
public struct SessionOptions {
    /// `--trust`: no sandbox, and no default limits (explicit limits still apply).
    public var trust = false
    public var maxInstructions: Int64?
    public var maxMemory: Int?
    /// `--set key=value` pairs, exposed as `ouro.params`.
    public var params: [String: LuaValue] = [:]
    /// Extra readable paths (named on the command line).
    public var readPaths: [String] = []
    /// Extra writable paths (`--out`).
    public var writePaths: [String] = []
    /// Overrides for the stdlib and data folders (tests).
    public var stdlib: String?
    public var dataFolder: String?

    public init() {}

    /// The limits in force: explicit ones, else the sandbox defaults unless trusted.
    public var limits: LuaLimits {
        let d = trust ? LuaLimits.none : LuaLimits.sandboxDefaults
        return LuaLimits(maxInstructions: maxInstructions ?? d.maxInstructions, maxMemory: maxMemory ?? d.maxMemory)
    }

    /// Parses a `--set` value: integers and numbers become numbers, `true`/`false` booleans,
    /// anything else a string.
    public static func parseParam(_ text: String) -> LuaValue {
        if let i = Int64(text) { return .integer(i) }
        if let d = Double(text), d.isFinite { return .number(d) }
        if text == "true" { return .boolean(true) }
        if text == "false" { return .boolean(false) }
        return .string(text)
    }

    /// Parses `512M`, `2G`, `1.5GiB`, `1000000` (bytes).
    public static func parseSize(_ text: String) -> Int? {
        let t = text.trimmingCharacters(in: .whitespaces).uppercased()
        let units: [(String, Double)] = [("GIB", 1_073_741_824), ("MIB", 1_048_576), ("KIB", 1024), ("GB", 1e9), ("MB", 1e6),
                                         ("KB", 1e3), ("G", 1_073_741_824), ("M", 1_048_576), ("K", 1024), ("B", 1)]
        for (suffix, mult) in units where t.hasSuffix(suffix) {
            guard let v = Double(t.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), v > 0 else { return nil }
            return Int(v * mult)
        }
        if let v = Int(t), v > 0 { return v }
        return nil
    }
}

/// One Lua state set up to run Ouro experiment files: limits, sandbox, module roots, the `ouro`
/// global. One per worker.
public final class OuroSession {
    public let state: LuaState
    public let options: SessionOptions
    public let scriptPath: String?
    public let stdlib: String?

    /// - Parameter scriptPath: the experiment file (its folder becomes readable, writable and a
    ///   module root), or nil for a bare REPL (the working directory plays that role).
    public init(scriptPath: String?, options: SessionOptions = SessionOptions()) throws {
        self.options = options
        self.scriptPath = scriptPath
        let folder = scriptPath.map { (Sandbox.canonical($0) as NSString).deletingLastPathComponent }
            ?? FileManager.default.currentDirectoryPath
        stdlib = options.stdlib ?? OuroPaths.stdlib()
        guard let stdlib else {
            throw LuaError(.runtime, "cannot find Ouro's stdlib folder: set OURO_STDLIB to the repository's stdlib/")
        }
        let data = options.dataFolder ?? OuroPaths.data()
        state = LuaState(limits: options.limits)
        let results = (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent("results")
        let sandbox = Sandbox(readRoots: [folder, data, stdlib, results] + options.readPaths,
                              writeRoots: [folder, results] + options.writePaths, enforced: !options.trust)
        state.installModules(stdlib: stdlib, scriptFolder: folder, sandbox: sandbox)
        state.context.scriptFolder = scriptPath == nil ? nil : folder
        state.context.session = self
        state.context.scriptName = scriptPath.map { (($0 as NSString).lastPathComponent as NSString).deletingPathExtension }
        state.context.dataFolder = data
        try installOuro(dataFolder: data)
    }

    private func installOuro(dataFolder: String) throws {
        let lua = state.lua
        lua.newTable()
        lua.push(LuaTable(fields: options.params))
        lua.rawSet(-2, field: "params")
        lua.push(OuroVersion.string)
        lua.rawSet(-2, field: "version")
        lua.push(dataFolder)
        lua.rawSet(-2, field: "data_folder")
        lua.pushGlobalTable()
        lua.pushValue(at: -2)
        lua.rawSet(-2, field: "ouro")
        lua.pop(2)
        state.document("ouro.params", "values given with --set key=value (numbers parsed)")
        state.document("ouro.version", "the Ouro version")
        OuroBindings.install(into: state)
        // The Lua half of the `ouro` module (stdlib/ouro.lua), and `require "ouro"`.
        try state.run(#"""
            local ouro = ouro
            require("ouro")
            package.loaded.ouro = ouro
            package.preload.ouro = function() return ouro end
            """#, chunkName: "=[ouro]/init")
        // math.random is seeded by the host (see LuaState.reseedRandom): same draws in every worker.
        let top = lua.top
        if lua.getGlobal("math") == .table, lua.rawGet(-1, field: "randomseed") == .function {
            state.randomseed = LuaFunctionRef(lua, at: -1)
        }
        lua.setTop(top)
        state.reseedRandom("main chunk")
    }

    /// Compiles the script without running it; throws a `.syntax` LuaError with `file:line:`.
    public func compile() throws {
        guard let scriptPath else { return }
        let source = try OuroSession.readScript(scriptPath)
        try state.load(source, chunkName: "@" + scriptPath)
        state.lua.pop()
    }

    /// Runs the script's main chunk. A file declares experiments there; `e:run()` is refused while
    /// `state.context.declaring` is set (`ouro run`, `ouro check` and the workers set it).
    public func run() throws {
        guard let scriptPath else { return }
        let source = try OuroSession.readScript(scriptPath)
        let lua = state.lua
        let base = lua.top
        try state.load(source, chunkName: "@" + scriptPath)
        defer { lua.setTop(base) }
        try state.pcall(lua, nargs: 0, nresults: 0)
    }

    static func readScript(_ path: String) throws -> String {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw LuaError(.runtime, "\(path): no such file")
        }
        guard !isDir.boolValue else { throw LuaError(.runtime, "\(path): is a folder, not a Lua file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LuaError(.runtime, "\(path): cannot read the file")
        }
        guard var text = String(data: data, encoding: .utf8) else {
            throw LuaError(.runtime, "\(path): not UTF-8 text")
        }
        if text.hasPrefix("#") {  // a shebang line: blank it, keeping line numbers
            text = String(text[(text.firstIndex(of: "\n") ?? text.endIndex)...])
        }
        return text
    }
}

public enum OuroVersion {
    public static let string = "0.1.0"
}
