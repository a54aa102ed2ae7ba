import CLua

/// A Lua value as plain Swift data.
///
/// Tables convert to `LuaTable`: an array part (keys 1…n) and string-keyed fields; other keys
/// (floats, booleans, sparse integers) are rejected with a clear error rather than dropped.
/// Ouro objects stay objects, functions stay callable references.
public enum LuaValue: Equatable, CustomStringConvertible {
    /// Lua's truth: everything but `nil` and `false`.
    public var isTruthy: Bool {
        switch self {
        case .nil, .boolean(false): return false
        default: return true
        }
    }

    case `nil`
    case boolean(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case table(LuaTable)
    case object(AnyObject)
    case function(LuaFunctionRef)

    public static func == (a: LuaValue, b: LuaValue) -> Bool {
        switch (a, b) {
        case (.nil, .nil): return true
        case let (.boolean(x), .boolean(y)): return x == y
        case let (.integer(x), .integer(y)): return x == y
        case let (.number(x), .number(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.table(x), .table(y)): return x == y
        case let (.object(x), .object(y)): return x === y
        case let (.function(x), .function(y)): return x === y
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .nil: return "nil"
        case .boolean(let b): return String(b)
        case .integer(let i): return String(i)
        case .number(let d): return String(d)
        case .string(let s): return String(reflecting: s)
        case .table(let t): return t.description
        case .object(let o): return String(describing: o)
        case .function: return "function"
        }
    }

    /// The number, for integers and floats.
    public var number: Double? {
        switch self {
        case .integer(let i): return Double(i)
        case .number(let d): return d
        default: return nil
        }
    }
    /// The integer, for integers and floats with an exact integer value that fits an `Int`
    /// (never for NaN, ±inf or 1e300).
    public var int: Int? {
        switch self {
        case .integer(let i): return Int(i)
        case .number(let d): return Int(exactly: d)
        default: return nil
        }
    }
    public var string: String? { if case .string(let s) = self { return s }; return nil }
    public var table: LuaTable? { if case .table(let t) = self { return t }; return nil }

    /// The Lua type name, for error messages (`got string`).
    public var typeName: String {
        switch self {
        case .nil: return "nil"
        case .boolean: return "boolean"
        case .integer, .number: return "number"
        case .string: return "string"
        case .table: return "table"
        case .object(let o): return String(describing: type(of: o))
        case .function: return "function"
        }
    }
}

/// A Lua table as Swift data: its sequence (1…n) and its string-keyed fields.
public struct LuaTable: Equatable, CustomStringConvertible {
    public var array: [LuaValue]
    public var fields: [String: LuaValue]

    public init(array: [LuaValue] = [], fields: [String: LuaValue] = [:]) {
        self.array = array; self.fields = fields
    }

    public subscript(key: String) -> LuaValue? { fields[key] }

    public var description: String {
        var parts = array.map(\.description)
        parts += fields.keys.sorted().map { "\($0) = \(fields[$0]!.description)" }
        return "{ " + parts.joined(separator: ", ") + " }"
    }
}

extension Lua {
    // MARK: Swift → Lua

    /// Pushes a Swift value. Objects must belong to a type registered with `LuaState.registerType`.
    public func push(_ value: LuaValue) {
        switch value {
        case .nil: pushNil()
        case .boolean(let b): push(b)
        case .integer(let i): push(i)
        case .number(let d): push(d)
        case .string(let s): push(s)
        case .table(let t): push(t)
        case .object(let o): state.pushObject(o, in: self)
        case .function(let f): f.push(on: self)
        }
    }

    public func push(_ t: LuaTable) {
        reserveStack(3)
        newTable(arrayCount: Int32(t.array.count), fieldCount: Int32(t.fields.count))
        for (i, v) in t.array.enumerated() { push(v); rawSet(-2, index: i + 1) }
        for (k, v) in t.fields { push(v); rawSet(-2, field: k) }
    }

    public func push(_ strings: [String]) {
        newTable(arrayCount: Int32(strings.count))
        for (i, s) in strings.enumerated() { push(s); rawSet(-2, index: i + 1) }
    }

    public func push(_ numbers: [Double]) {
        newTable(arrayCount: Int32(numbers.count))
        for (i, d) in numbers.enumerated() { push(d); rawSet(-2, index: i + 1) }
    }

    // MARK: Lua → Swift

    /// Tables nested deeper than this are refused (the conversion recurses, and each level needs
    /// Lua stack slots and a Swift frame).
    public static let maxTableDepth = 100

    /// Converts the value at `i`. Throws for cyclic tables, tables nested deeper than
    /// `maxTableDepth`, unsupported keys, threads and foreign userdata, naming the path inside the
    /// table (`opts.grid[2]`).
    public func value(at i: Int32) throws -> LuaValue {
        var visiting = Set<UnsafeRawPointer>()
        return try value(at: absIndex(i), path: "value", depth: 0, visiting: &visiting)
    }

    static func shortPath(_ path: String) -> String { path.count > 60 ? path.prefix(60) + "…" : path }

    private func value(at i: Int32, path: String, depth: Int,
                       visiting: inout Set<UnsafeRawPointer>) throws -> LuaValue {
        switch kind(at: i) {
        case .none, .nil: return .nil
        case .boolean: return .boolean(toBool(at: i))
        case .number:
            if isInteger(at: i) { return .integer(Int64(toInteger(at: i)!)) }
            return .number(toNumber(at: i)!)
        case .string: return .string(toString(at: i)!)
        case .function: return .function(LuaFunctionRef(self, at: i))
        case .userdata:
            if let o = state.object(at: i, in: self) { return .object(o) }
            throw LuaArgumentError("\(path) is a foreign userdata value")
        case .table:
            guard depth < Lua.maxTableDepth else {
                throw LuaArgumentError("\(Lua.shortPath(path)) is a table nested more than \(Lua.maxTableDepth) levels deep")
            }
            // Each level holds a key and a value on the stack while it converts the next one.
            guard reserveStack(4) else { throw LuaArgumentError("\(Lua.shortPath(path)): out of Lua stack space") }
            let id = pointer(at: i)!
            guard visiting.insert(id).inserted else { throw LuaArgumentError("\(path) is a cyclic table") }
            defer { visiting.remove(id) }
            let n = rawLength(i)
            var table = LuaTable()
            table.array.reserveCapacity(n)
            for k in 0..<n {
                _ = rawGet(i, index: k + 1)
                defer { pop() }
                table.array.append(try value(at: top, path: "\(path)[\(k + 1)]", depth: depth + 1, visiting: &visiting))
            }
            var extra = 0
            try forEach(i) {
                if kind(at: -2) == .string {
                    let key = toString(at: -2)!
                    table.fields[key] = try value(at: top, path: "\(path).\(key)", depth: depth + 1, visiting: &visiting)
                } else if let k = toInteger(at: -2), k >= 1, k <= n {
                    return  // array part, already converted
                } else {
                    extra += 1
                    let keyText = kind(at: -2) == .number ? "\(toNumber(at: -2)!)" : typeName(at: -2)
                    throw LuaArgumentError("\(path) has a key \(keyText) that is neither a string nor in 1…\(n)")
                }
            }
            return .table(table)
        case .lightUserdata, .thread:
            throw LuaArgumentError("\(path) is a \(typeName(at: i)) value, which cannot be converted")
        }
    }

    /// A readable rendering of the value at `i` for `print` and the REPL: Lua's own formatting for
    /// numbers, the Swift description for Ouro objects, `tostring` (with metamethods) otherwise.
    public func describe(at i: Int32) throws -> String {
        let i = absIndex(i)
        switch kind(at: i) {
        case .none, .nil: return "nil"
        case .boolean: return toBool(at: i) ? "true" : "false"
        case .string: return toString(at: i)!
        case .number:
            pushValue(at: i)
            var len = 0
            let p = ouro_tolstring(L, -1, &len)!
            let s = String(decoding: UnsafeRawBufferPointer(start: p, count: len), as: UTF8.self)
            pop()
            return s
        case .userdata:
            if let o = state.object(at: i, in: self) { return state.describeObject(o) }
            fallthrough
        default:
            _ = getGlobal("tostring")
            pushValue(at: i)
            try state.pcall(self, nargs: 1, nresults: 1)
            defer { pop() }
            return toString(at: -1) ?? typeName(at: i)
        }
    }

    /// Pushes a global by raw access; returns its kind.
    @discardableResult
    public func getGlobal(_ name: String) -> Kind {
        pushGlobalTable()
        let k = rawGet(-1, field: name)
        remove(at: -2)
        return k
    }
}

/// A reference to a Lua function, callable from Swift through `lua_pcall`.
public final class LuaFunctionRef {
    weak var state: LuaState?
    let ref: Int32

    init(_ lua: Lua, at i: Int32) {
        state = lua.state
        lua.pushValue(at: i)
        ref = luaL_ref(lua.L, ouro_registryindex())
    }

    deinit {
        if let state { luaL_unref(state.L, ouro_registryindex(), ref) }
    }

    func push(on lua: Lua) { _ = lua.rawGet(ouro_registryindex(), index: Int(ref)) }

    /// `file:line: ` where the function is defined (its first line), or "" for a C function or
    /// a closed state; error messages about a value the function returned start with it.
    public var location: String {
        guard let state else { return "" }
        let lua = state.lua
        push(on: lua)
        var ar = lua_Debug()
        guard lua_getinfo(lua.L, ">S", &ar) != 0, ar.linedefined > 0 else { return "" }
        let short = withUnsafeBytes(of: ar.short_src) { raw in String(cString: raw.bindMemory(to: CChar.self).baseAddress!) }
        return "\(short):\(ar.linedefined): "
    }

    /// Calls the function with `args` on `lua` (the calling thread) or on the main thread, returning
    /// all its results. Lua errors become a thrown `LuaError`.
    @discardableResult
    public func call(_ args: [LuaValue] = [], on lua: Lua? = nil) throws -> [LuaValue] {
        guard let state else { throw LuaError(.runtime, "the Lua state of this function was closed") }
        state.reseedRandomForCurrentStep()
        let lua = lua ?? state.lua
        let base = lua.top
        push(on: lua)
        for a in args { lua.push(a) }
        let n = try state.pcall(lua, nargs: Int32(args.count), nresults: LUA_MULTRET)
        defer { lua.setTop(base) }
        return try (0..<n).map { try lua.value(at: base + 1 + $0) }
    }
}
