import CLua
import Foundation

/// The REPL's line handling and completion, without terminal I/O (the CLI adds libedit).
///
/// Follows lua.c: a line that is an expression prints its values; `=expr` is `return expr`; a chunk
/// whose syntax error ends at `<eof>` is incomplete and continues on the next line (prompt `>>`);
/// an error prints its message and traceback and the session goes on. `:help` lists the API.
public final class ReplEngine {
    public let session: OuroSession
    public var state: LuaState { session.state }
    /// Where values go (defaults to the state's output).
    public var output: (String) -> Void
    /// Where errors go.
    public var errorOutput: (String) -> Void = { s in FileHandle.standardError.write(Data(s.utf8)) }
    /// Where long listings (`:help`) go; the interactive CLI pages them. nil: `output`.
    public var pager: ((String) -> Void)?
    private var pending: [String] = []

    public init(session: OuroSession) {
        self.session = session
        let state = session.state
        output = { state.output($0) }
    }

    /// `> ` normally, `>> ` while a chunk is incomplete.
    public var prompt: String { pending.isEmpty ? "> " : ">> " }
    public var isContinuing: Bool { !pending.isEmpty }

    /// Feeds one input line.
    public func feed(_ line: String) {
        if pending.isEmpty {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { return }
            if trimmed == ":help" || trimmed == ":h" { (pager ?? output)(help()); return }
            if trimmed.hasPrefix(":") {
                errorOutput("unknown command '\(trimmed)' (commands: :help)\n")
                return
            }
            let isEquals = trimmed.hasPrefix("=")
            let source = isEquals ? String(trimmed.dropFirst()) : line
            // An expression? Then print its values.
            do {
                try state.load("return " + source, chunkName: "=stdin")
                execute(printing: true)
                return
            } catch {
                // `=expr` must be an expression: report why it is not.
                if isEquals { report(error); return }
            }
        }
        pending.append(line)
        let chunk = pending.joined(separator: "\n")
        do {
            try state.load(chunk, chunkName: "=stdin")
        } catch let e as LuaError where e.kind == .syntax && e.message.hasSuffix("<eof>") {
            return  // incomplete: wait for more
        } catch {
            pending.removeAll()
            report(error)
            return
        }
        pending.removeAll()
        execute(printing: false)
    }

    /// Abandons an incomplete chunk (Ctrl-C at a `>>` prompt).
    public func cancelPending() { pending.removeAll() }

    /// Runs the chunk on top of the stack; prints its results when asked.
    private func execute(printing: Bool) {
        let lua = state.lua
        let base = lua.top - 1
        do {
            let n = try state.interruptible { try state.pcall(lua, nargs: 0, nresults: LUA_MULTRET) }
            defer { lua.setTop(base) }
            if printing && n > 0 {
                var parts: [String] = []
                for i in 1...n { parts.append(try render(at: base + i)) }
                output(parts.joined(separator: "\t") + "\n")
            }
        } catch {
            lua.setTop(base)
            report(error)
        }
    }

    /// Tables print as constructors (`ouro.pretty`), everything else as `tostring`.
    private func render(at i: Int32) throws -> String {
        let lua = state.lua
        if lua.kind(at: i) == .table {
            _ = lua.getGlobal("ouro")
            if lua.kind(at: -1) == .table, lua.rawGet(-1, field: "pretty") == .function {
                lua.remove(at: -2)
                lua.pushValue(at: i)
                try state.pcall(lua, nargs: 1, nresults: 1)
                defer { lua.pop() }
                return lua.toString(at: -1) ?? "table"
            }
            lua.pop(2)
        }
        return try lua.describe(at: i)
    }

    private func report(_ error: Error) {
        if let e = error as? LuaError {
            errorOutput(e.message + "\n" + (e.traceback.map { $0 + "\n" } ?? ""))
        } else {
            errorOutput("\(error)\n")
        }
    }

    // MARK: Completion

    /// Completions of the identifier chain ending `text` (`ouro.da` → `ouro.data`): globals, fields of
    /// tables (following `__index` tables), methods of Ouro objects after `:`.
    public func completions(for text: String) -> [String] {
        let lua = state.lua
        let base = lua.top
        defer { lua.setTop(base) }
        do {
            try state.load(ReplEngine.completionSource, chunkName: "=[ouro]/complete")
            lua.push(text)
            let n = try state.pcall(lua, nargs: 1, nresults: 1)
            guard n == 1, case .table(let t) = try lua.value(at: -1) else { return [] }
            return t.array.compactMap(\.string).sorted()
        } catch {
            return []
        }
    }

    static let completionSource = #"""
    local text = ...
    local prefix, sep, partial = text:match("^(.-)([%.:]?)([%w_]*)$")
    local t = _G
    if sep ~= "" then
      t = _G
      for part in prefix:gmatch("[^%.:]+") do
        if type(t) ~= "table" and type(t) ~= "userdata" then return {} end
        local ok, v = pcall(function() return t[part] end)
        if not ok then return {} end
        t = v
      end
    elseif prefix ~= "" then
      return {}
    end
    local out, seen = {}, {}
    local function add(k, v)
      if type(k) == "string" and k:sub(1, #partial) == partial and not seen[k] and k:sub(1, 2) ~= "__" then
        seen[k] = true
        out[#out + 1] = prefix .. sep .. k
      end
    end
    local function scan(x, depth)
      if depth > 3 then return end
      if type(x) == "table" then
        for k, v in pairs(x) do add(k, v) end
      end
      local mt = getmetatable(x)
      if type(mt) == "table" and type(mt.__index) == "table" then scan(mt.__index, depth + 1) end
    end
    scan(t, 0)
    return out
    """#

    // MARK: Help

    /// The public API, one line each, in groups: the `ouro` functions by module (`ouro.data`,
    /// `ouro.model`, …), then the methods of each object type, then Lua's globals. Internal
    /// functions (`ouro._*`) are not listed.
    public func help() -> String {
        var lines = ["Ouro \(OuroVersion.string) — the Lua API (see docs/ and LUA_API.md). Commands: :help",
                     "Type an expression to see its value; =expr also works; Ctrl-C interrupts; Ctrl-D quits."]
        let keys = state.docs.keys.filter { !$0.contains("._") && !$0.hasPrefix("_") }
        func group(_ key: String) -> String {
            if let colon = key.firstIndex(of: ":") { return String(key[..<colon]) + " methods" }
            let parts = key.split(separator: ".")
            if parts.first == "ouro" { return parts.count > 2 ? parts.prefix(2).joined(separator: ".") : "ouro" }
            return "globals"
        }
        let groups = Dictionary(grouping: keys, by: group)
        func rank(_ g: String) -> (Int, String) {
            (g == "ouro" ? 0 : g.hasPrefix("ouro.") ? 1 : g == "globals" ? 3 : 2, g)
        }
        for g in groups.keys.sorted(by: { rank($0) < rank($1) }) {
            lines.append("")
            lines.append(g)
            for key in groups[g]!.sorted() {
                let pad = String(repeating: " ", count: max(1, 28 - key.count))
                lines.append("  " + key + pad + state.docs[key]!)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
