import Foundation
import Ouro

/// The Swift half of the `ouro` module: each area binds its engine features in its own file
/// (`Bindings/<Area>+Lua.swift`) and is listed here.
public enum OuroBindings {
    public static func install(into state: LuaState) {
        installCore(into: state)
        installData(into: state)
        installMetrics(into: state)
        installModels(into: state)
        installExperiments(into: state)
        installOracles(into: state)
        installAnalysis(into: state)
        installProperties(into: state)
    }

    /// The path argument at `i` for writing a file: relative to the script's folder, allowed by the sandbox.
    static func writablePath(_ lua: Lua, _ i: Int32, _ what: String = "path") throws -> String {
        try checkedWrite(lua, try lua.argString(i, what))
    }

    /// `path` once the sandbox allows reading it: a relative path names the file in the script's
    /// folder when one is there, else in the working directory.
    static func checkedRead(_ lua: Lua, _ path: String) throws -> String {
        var resolved = path
        if !path.hasPrefix("/"), let folder = lua.state.context.scriptFolder {
            let inFolder = (folder as NSString).appendingPathComponent(path)
            if FileManager.default.fileExists(atPath: inFolder) { resolved = inFolder }
        }
        return try lua.state.sandbox?.checkRead(resolved) ?? Sandbox.resolve(resolved)
    }

    /// `path` (relative to the script's folder) once the sandbox allows writing it.
    static func checkedWrite(_ lua: Lua, _ path: String) throws -> String {
        let resolved = lua.state.context.writePath(path)
        return try lua.state.sandbox?.checkWrite(resolved) ?? Sandbox.resolve(resolved)
    }

    static func installCore(into state: LuaState) {
        let start = DispatchTime.now().uptimeNanoseconds
        state.register("ouro.now", doc: "ouro.now() → monotonic wall-clock seconds (for timing in scripts)") { lua in
            lua.push(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            return 1
        }
        state.register("ouro._where", doc: "internal: `file:line: ` of the user's innermost frame; ouro._where(field) the line of that field of the table constructor called there") { lua in
            lua.push(lua.userLocation(field: lua.isNoneOrNil(at: 1) ? nil : try lua.argString(1, "field")))
            return 1
        }
        state.register("ouro._typename", doc: "internal: the Ouro type name of a value (Dataset, NGram, …) or its Lua type") { lua in
            lua.push(lua.typeName(at: 1))
            return 1
        }
        state.register("ouro._metric_hint", doc: "internal: nil when a metric exists, else ' (did you mean …)' text") { lua in
            let name = try lua.argString(1, "metric name")
            let names = lua.state.context.metrics.infos.map(\.name)
            if names.contains(name) { return 0 }
            let hint = Suggestions.hint(for: name, in: names)
            lua.push(hint.isEmpty ? " (see ouro.metrics.list())" : hint)
            return 1
        }
        state.register("ouro._script_name", doc: "internal: the running file's name without extension") { lua in
            let folder = lua.state.context.scriptName ?? "repl"
            lua.push(folder)
            return 1
        }
        state.register("ouro.check_options",
                       doc: "ouro.check_options(opts, fname, allowed[, field]) — rejects unknown keys with a suggestion (for stdlib modules); with field (the dotted path of opts in a table constructor, \"\" for its top), the error names the unknown key's own line") { lua in
            let allowed = try lua.argStrings(3, "allowed keys")
            let fname = try lua.argString(2, "function name")
            let field = lua.isNoneOrNil(at: 4) ? nil : try lua.argString(4, "field")
            do {
                _ = try lua.options(at: 1, allowed: allowed)
            } catch let e as LuaArgumentError {
                var at: String? = nil
                if let field, case .table(let t)? = try? lua.value(at: 1),
                   let key = t.fields.keys.sorted().first(where: { !allowed.contains($0) }) {
                    at = field.isEmpty ? key : field + "." + key
                }
                throw LuaError(.runtime, lua.userLocation(field: at) + fname + ": " + e.message)
            }
            return 0
        }
    }
}
