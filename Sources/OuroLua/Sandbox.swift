import CLua
import Foundation
import Ouro

/// The sandbox of a Lua state that runs a shared experiment file.
///
/// Lua side (installed by `LuaState.installSandbox`): no `os.execute/remove/rename/exit/getenv/tmpname`,
/// no `io` but `io.write` (stdout), `load` of text only, no `string.dump`, no `debug`, no
/// `package.loadlib` or C searchers, `require` only from the module roots (stdlib, the script's
/// folder), `dofile`/`loadfile` off, the string library and its metatable read-only; `setmetatable`
/// refuses `__gc`, pattern matching is bounded and charged (`PatternCost`), `string.rep` of "" and
/// `table.insert/remove/move` are bounded or charged (docs/security.md).
/// Swift side (this type): every binding that touches files asks `checkRead`/`checkWrite` and uses
/// the path they return (`resolve`: canonical, never with a NUL byte).
/// Violations read `sandbox: … (run with --trust to allow)`.
public final class Sandbox: @unchecked Sendable {
    /// Folders whose files may be read (the script's folder, the data folder, command-line paths).
    public private(set) var readRoots: [String]
    /// Folders under which files may be written (the script's folder, `--out`).
    public private(set) var writeRoots: [String]
    /// When false (`--trust`), the checks pass; the roots still serve `require`.
    public let enforced: Bool

    public init(readRoots: [String], writeRoots: [String], enforced: Bool = true) {
        self.readRoots = readRoots.map(Sandbox.canonical)
        self.writeRoots = writeRoots.map(Sandbox.canonical)
        self.enforced = enforced
    }

    public func allowRead(_ path: String) { readRoots.append(Sandbox.canonical(path)) }
    public func allowWrite(_ path: String) { writeRoots.append(Sandbox.canonical(path)) }

    /// The canonical path of `path` if it may be read; otherwise a sandbox error. Callers open the
    /// returned path, never the one they were given.
    @discardableResult
    public func checkRead(_ path: String) throws -> String {
        let c = try Sandbox.resolve(path)
        guard !enforced || (readRoots + writeRoots).contains(where: { Sandbox.isInside(c, $0) }) else {
            throw LuaArgumentError("sandbox: reading '\(path)' is not allowed: files are read only under the script's folder, the data folder and paths given on the command line (run with --trust to allow)")
        }
        return c
    }

    /// The canonical path of `path` if it may be written; otherwise a sandbox error. Callers
    /// write the returned path, never the one they were given.
    @discardableResult
    public func checkWrite(_ path: String) throws -> String {
        let c = try Sandbox.resolve(path)
        guard !enforced || writeRoots.contains(where: { Sandbox.isInside(c, $0) }) else {
            throw LuaArgumentError("sandbox: writing '\(path)' is not allowed: files are written only under the script's folder and --out (run with --trust to allow)")
        }
        return c
    }

    /// The one place a path from a script becomes the path the engine touches: refused when empty
    /// or when it holds a NUL byte (C would cut it there, after the check saw the whole string, even
    /// with --trust), else `canonical(path)`.
    public static func resolve(_ path: String) throws -> String {
        guard !path.isEmpty else { throw LuaArgumentError("the path is empty") }
        guard !path.utf8.contains(0) else {
            throw LuaArgumentError("sandbox: the path '\(path.replacingOccurrences(of: "\0", with: "\\0").prefix(80))' holds a NUL byte, which is never allowed in a path")
        }
        return canonical(path)
    }

    static func isInside(_ path: String, _ root: String) -> Bool {
        path == root || path.hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }

    /// Absolute, `.`/`..`-free, symlinks resolved for the part of the path that exists.
    public static func canonical(_ path: String) -> String {
        let abs = URL(fileURLWithPath: path).standardizedFileURL.path
        var existing = abs
        var rest: [String] = []
        while !FileManager.default.fileExists(atPath: existing) && existing != "/" {
            rest.insert((existing as NSString).lastPathComponent, at: 0)
            existing = (existing as NSString).deletingLastPathComponent
        }
        let resolved = URL(fileURLWithPath: existing).resolvingSymlinksInPath().path
        return rest.reduce(resolved) { ($0 as NSString).appendingPathComponent($1) }
    }
}

extension LuaState {
    /// Sets up `require` to find modules in `moduleRoots` (first Ouro's stdlib, then the script's
    /// folder); with a sandbox that is enforced, also locks the state down (see `Sandbox`).
    public func installModules(stdlib: String?, scriptFolder: String?, sandbox: Sandbox?) {
        self.sandbox = sandbox
        let roots: [(path: String, isStdlib: Bool)] =
            (stdlib.map { [($0, true)] } ?? []) + (scriptFolder.map { [($0, false)] } ?? [])
        let canonicalRoots = roots.map { (Sandbox.canonical($0.path), $0.isStdlib) }
        let lua = self.lua
        pushFunction(lua, name: "require") { lua in
            let name = try lua.argString(1, "module name")
            guard name.range(of: #"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$"#, options: .regularExpression) != nil,
                  !name.contains("..") else {
                lua.push("\n\tno module '\(name)': module names are letters, digits, '_', '-' and '.'")
                return 1
            }
            let rel = name.replacingOccurrences(of: ".", with: "/")
            var tried: [String] = []
            for (root, isStdlib) in canonicalRoots {
                for candidate in [rel + ".lua", rel + "/init.lua"] {
                    let path = (root as NSString).appendingPathComponent(candidate)
                    tried.append(path)
                    guard FileManager.default.fileExists(atPath: path),
                          Sandbox.isInside(Sandbox.canonical(path), root) else { continue }
                    guard let source = try? String(contentsOfFile: path, encoding: .utf8) else {
                        throw LuaError(.runtime, "error loading module '\(name)': cannot read '\(path)'")
                    }
                    let chunk = isStdlib ? LuaState.stdlibChunkPrefix + candidate : "@" + LuaState.displayPath(path)
                    do {
                        try lua.state.load(source, chunkName: chunk)
                    } catch let e as LuaError {
                        throw LuaError(.syntax, "error loading module '\(name)' from file '\(path)':\n\t\(e.message)")
                    }
                    lua.push(path)
                    return 2
                }
            }
            lua.push(tried.map { "\n\tno file '\($0)'" }.joined())
            return 1
        }
        let searcherIndex = lua.top
        pushFunction(lua, name: "io.write") { lua in
            var out = ""
            if lua.top > 0 {
                for i in 1...lua.top {
                    guard lua.kind(at: i) == .string || lua.kind(at: i) == .number else {
                        throw LuaArgumentError("argument \(i) must be a string or a number, got \(lua.typeName(at: i))")
                    }
                    out += try lua.describe(at: i)
                }
            }
            lua.state.output(out)
            return 0
        }
        let writeIndex = lua.top
        pushPatternGuard(lua)
        pushCharge(lua)
        pushClock(lua)
        do {
            try load(LuaState.sandboxSource, chunkName: "=[ouro]/sandbox")
            lua.pushValue(at: searcherIndex)
            lua.pushValue(at: writeIndex)
            lua.push(sandbox?.enforced ?? false)
            lua.pushValue(at: writeIndex + 1)
            lua.pushValue(at: writeIndex + 2)
            lua.pushValue(at: writeIndex + 3)
            try pcall(lua, nargs: 6, nresults: 0)
        } catch {
            preconditionFailure("sandbox setup failed: \(error)")
        }
        lua.pop(5)
    }

    /// A path as shown in messages: relative to the working directory when inside it.
    public static func displayPath(_ path: String) -> String {
        let cwd = Sandbox.canonical(FileManager.default.currentDirectoryPath)
        let c = Sandbox.canonical(path)
        if Sandbox.isInside(c, cwd) && c != cwd { return String(c.dropFirst(cwd.count + 1)) }
        return path
    }

    static let sandboxSource = #"""
    local searcher, write, enforce, pattern_guard, charge, clock = ...
    -- require: Lua's preload searcher, then Ouro's module roots (never package.path or C modules).
    package.path = ""
    package.cpath = ""
    if enforce then
      package.searchers = { package.searchers[1], searcher }
    else
      table.insert(package.searchers, 2, searcher)
      return
    end

    local function deny(what, hint)
      return function()
        error("sandbox: " .. what .. " is not allowed" .. (hint or "") .. " (run with --trust to allow)", 2)
      end
    end
    local function denied_library(name, allowed, hint)
      return setmetatable({}, {
        __index = function(_, k)
          local v = allowed[k]
          if v ~= nil then return v end
          error("sandbox: " .. name .. "." .. tostring(k) .. " is not allowed" .. hint .. " (run with --trust to allow)", 2)
        end,
        __newindex = function(_, k) error("sandbox: the " .. name .. " library is read-only", 2) end,
        __pairs = function() return next, allowed, nil end,
        __metatable = false,
      })
    end
    local function read_only(name, t)
      return setmetatable({}, {
        __index = t,
        __newindex = function(_, k) error("sandbox: the " .. name .. " library is read-only", 2) end,
        __pairs = function() return next, t, nil end,
        __metatable = false,
      })
    end

    for _, f in ipairs { "execute", "remove", "rename", "exit", "getenv", "tmpname", "setlocale" } do
      os[f] = deny("os." .. f)
    end
    local files_hint = "; read data with ouro.data.load and write with d:save"
    local real_string = string
    real_string.dump = deny("string.dump")
    io = denied_library("io", { write = write }, files_hint)
    debug = denied_library("debug", {}, "")
    string = read_only("string", real_string)
    getmetatable("").__metatable = false
    package.loadlib = deny("package.loadlib")
    package.searchpath = deny("package.searchpath")
    package.loaded.io, package.loaded.debug, package.loaded.string = io, debug, string
    dofile = deny("dofile", files_hint)
    loadfile = deny("loadfile", files_hint)

    -- Work the instruction hook cannot see: finalizers (the VM runs them with hooks off) are
    -- refused; C loops on a script's behalf are bounded and charged to the instruction limit
    -- (pattern matching: refused past a worst-case bound, then charged by its time, see
    -- PatternCost; table.insert/remove/move: the elements moved; string.rep of "": no loop).
    local real_setmetatable, rawget, type, pack, unpack = setmetatable, rawget, type, table.pack, table.unpack
    setmetatable = function(t, mt)
      if type(mt) == "table" and rawget(mt, "__gc") ~= nil then
        error("sandbox: __gc finalizers are not allowed: they run outside the instruction limit (run with --trust to allow)", 2)
      end
      return real_setmetatable(t, mt)
    end
    local rfind, rmatch, rgmatch, rgsub, rrep, rsub =
      real_string.find, real_string.match, real_string.gmatch, real_string.gsub, real_string.rep, real_string.sub
    local runs = {}   -- longest runs per character class, for the last subject string
    local function charged(t0, ...) charge(clock() - t0) return ... end
    real_string.find = function(s, p, init, plain)
      local t0 = clock()
      pattern_guard("find", s, p, init, plain, runs)
      return charged(t0, rfind(s, p, init, plain))
    end
    real_string.match = function(s, p, init)
      local t0 = clock()
      pattern_guard("match", s, p, init, nil, runs)
      return charged(t0, rmatch(s, p, init))
    end
    real_string.gmatch = function(s, p, init)
      local t0 = clock()
      pattern_guard("gmatch", s, p, init, nil, runs)
      local step = charged(t0, rgmatch(s, p, init))
      return function() local t = clock() return charged(t, step()) end
    end
    real_string.gsub = function(s, p, repl, n)
      local t0 = clock()
      pattern_guard("gsub", s, p, nil, nil, runs)
      return charged(t0, rgsub(s, p, repl, n))
    end
    real_string.rep = function(s, n, sep)
      if s == "" and (sep == nil or sep == "") and math.tointeger(n) then return "" end
      return rrep(s, n, sep)
    end
    local tinsert, tremove, tmove, tointeger = table.insert, table.remove, table.move, math.tointeger
    table.insert = function(t, ...)
      if select("#", ...) == 2 and type(t) == "table" then
        local pos, n = tointeger((...)), tointeger(#t)
        if pos and n then charge(n + 1 - pos) end
      end
      return tinsert(t, ...)
    end
    table.remove = function(t, pos)
      if pos ~= nil and type(t) == "table" and tointeger(pos) then
        local n = tointeger(#t)
        if n then charge(n - tointeger(pos)) end
      end
      return tremove(t, pos)
    end
    table.move = function(a1, f, e, t, a2)
      local fi, ei = tointeger(f), tointeger(e)
      if fi and ei and ei >= fi then charge(ei - fi + 1) end
      return tmove(a1, f, e, t, a2)
    end

    local real_load = load
    load = function(chunk, name, mode, ...)
      if type(chunk) == "string" and chunk:byte(1) == 27 then
        error("sandbox: loading a binary chunk is not allowed (run with --trust to allow)", 2)
      end
      if mode ~= nil and mode ~= "t" then
        error("sandbox: load mode '" .. tostring(mode) .. "' is not allowed, only text ('t') (run with --trust to allow)", 2)
      end
      return real_load(chunk, name, "t", ...)
    end
    """#
}
