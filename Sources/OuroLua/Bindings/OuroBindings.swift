import Foundation
import Ouro

/// The Swift half of the `ouro` module: each area binds its engine features in its own file
/// (`Bindings/<Area>+Lua.swift`) and is listed here.
public enum OuroBindings {
    public static func install(into state: LuaState) {
        installCore(into: state)
        installData(into: state)
        installMetrics(into: state)
    }

    static func installCore(into state: LuaState) {
        let start = DispatchTime.now().uptimeNanoseconds
        state.register("ouro.now", doc: "ouro.now() → monotonic wall-clock seconds (for timing in scripts)") { lua in
            lua.push(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            return 1
        }
        state.register("ouro.check_options",
                       doc: "ouro.check_options(opts, fname, allowed) — rejects unknown keys with a suggestion (for stdlib modules)") { lua in
            let allowed = try lua.argStrings(3, "allowed keys")
            let fname = try lua.argString(2, "function name")
            do {
                _ = try lua.options(at: 1, allowed: allowed)
            } catch let e as LuaArgumentError {
                throw LuaError(.runtime, lua.userLocation() + fname + ": " + e.message)
            }
            return 0
        }
    }
}
