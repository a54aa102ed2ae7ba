import Ouro

/// Argument readers for Swift functions bound to Lua. Each throws a `LuaArgumentError` whose text
/// says what was expected; the bridge prefixes it with the user's `file:line:` and the function name.
extension Lua {
    public func argNumber(_ i: Int32, _ what: String) throws -> Double {
        guard let d = toNumber(at: i) else { throw LuaArgumentError("\(what) must be a number, got \(typeName(at: i))") }
        return d
    }

    /// The integer at `i` in `min…max` (by default ±`LuaOptions.integerLimit`, so that no count,
    /// index or seed overflows the engine's arithmetic). NaN, ±inf and non-integral floats are refused.
    public func argInteger(_ i: Int32, _ what: String, min: Int? = nil, max: Int? = nil) throws -> Int {
        let lo = min ?? -LuaOptions.integerLimit, hi = max ?? LuaOptions.integerLimit
        guard let v = toInteger(at: i), v >= lo, v <= hi else {
            throw LuaArgumentError("\(what) must be an integer\(LuaOptions.bounds(min, max, value: toInteger(at: i))), got \(describeForError(at: i))")
        }
        return v
    }

    public func argString(_ i: Int32, _ what: String) throws -> String {
        guard let s = toString(at: i) else { throw LuaArgumentError("\(what) must be a string, got \(typeName(at: i))") }
        return s
    }

    public func argTable(_ i: Int32, _ what: String) throws -> LuaTable {
        guard kind(at: i) == .table else { throw LuaArgumentError("\(what) must be a table, got \(typeName(at: i))") }
        guard case .table(let t) = try value(at: i) else { fatalError("unreachable") }
        return t
    }

    public func argObject<T: AnyObject>(_ i: Int32, _ what: String, as: T.Type = T.self) throws -> T {
        guard let o = object(at: i, as: T.self) else {
            throw LuaArgumentError("\(what) must be a \(state.typeNames[ObjectIdentifier(T.self)] ?? "\(T.self)"), got \(typeName(at: i))")
        }
        return o
    }

    /// The strings of an array of strings (`ouro.data.from{ … }`), naming the first bad element.
    public func argStrings(_ i: Int32, _ what: String) throws -> [String] {
        guard kind(at: i) == .table else { throw LuaArgumentError("\(what) must be a table of strings, got \(typeName(at: i))") }
        let n = rawLength(i)
        var out: [String] = []
        out.reserveCapacity(n)
        for k in stride(from: 1, through: n, by: 1) {
            _ = rawGet(i, index: k)
            defer { pop() }
            guard let s = toString(at: -1) else {
                throw LuaArgumentError("\(what)[\(k)] must be a string, got \(typeName(at: -1))")
            }
            out.append(s)
        }
        return out
    }

    /// Reads a keyword-option table at `i` (absent or nil = no options), rejecting unknown keys with
    /// the closest valid one.
    public func options(at i: Int32, allowed: [String]) throws -> LuaOptions {
        if isNoneOrNil(at: i) { return LuaOptions(LuaTable(), allowed: allowed) }
        guard kind(at: i) == .table else {
            throw LuaArgumentError("options must be a table, got \(typeName(at: i))")
        }
        guard case .table(let t) = try value(at: i) else { fatalError("unreachable") }
        return try LuaOptions(validating: t, allowed: allowed)
    }

    func describeForError(at i: Int32) -> String {
        switch kind(at: i) {
        case .number: return (try? describe(at: i)) ?? "a number"
        case .string:
            let s = toString(at: i)!
            return "'\(s.count > 40 ? s.prefix(40) + "…" : s)'"
        default: return typeName(at: i)
        }
    }
}

/// A validated keyword-option table with typed, range-checked readers.
/// Messages read `'order' must be an integer ≥ 1, got 0`.
public struct LuaOptions {
    public let table: LuaTable
    public let allowed: [String]

    init(_ table: LuaTable, allowed: [String]) { self.table = table; self.allowed = allowed }

    /// Validates keys: only string keys from `allowed` (positional entries are left to the caller).
    public init(validating table: LuaTable, allowed: [String], allowPositional: Bool = false) throws {
        for key in table.fields.keys.sorted() where !allowed.contains(key) {
            throw LuaArgumentError("unknown option '\(key)'\(Suggestions.hint(for: key, in: allowed))"
                + " (valid: \(allowed.sorted().joined(separator: ", ")))")
        }
        if !allowPositional && !table.array.isEmpty {
            throw LuaArgumentError("options must be given as name = value, got a positional value \(table.array[0])")
        }
        self.table = table; self.allowed = allowed
    }

    public func has(_ key: String) -> Bool { table.fields[key] != nil }
    public subscript(key: String) -> LuaValue? { table.fields[key] }

    static func show(_ v: LuaValue) -> String {
        switch v {
        case .string(let s): return "'\(s.count > 40 ? s.prefix(40) + "…" : s)'"
        case .integer, .number, .boolean: return v.description
        default: return v.typeName
        }
    }

    public func number(_ key: String, default def: Double? = nil, min: Double? = nil, max: Double? = nil,
                       minExclusive: Bool = false) throws -> Double? {
        guard let v = table.fields[key] else { return def }
        guard let d = v.number else { throw LuaArgumentError("'\(key)' must be a number, got \(Self.show(v))") }
        if let lo = min, minExclusive ? !(d > lo) : !(d >= lo) {
            let range = max.map { " in \(minExclusive ? "(" : "[")\(fmt(lo)), \(fmt($0))]" } ?? " \(minExclusive ? ">" : "≥") \(fmt(lo))"
            throw LuaArgumentError("'\(key)' must be a number\(range), got \(Self.show(v))")
        }
        if let hi = max, !(d <= hi) {
            let range = min.map { " in \(minExclusive ? "(" : "[")\(fmt($0)), \(fmt(hi))]" } ?? " ≤ \(fmt(hi))"
            throw LuaArgumentError("'\(key)' must be a number\(range), got \(Self.show(v))")
        }
        return d
    }

    /// Integers read through the bridge lie in ±`integerLimit` (2³¹ − 1) unless the call site gives
    /// its own range: counts, sizes, windows, generations and seeds then never overflow the engine's
    /// arithmetic (`n · max_new_tokens`, `window + 1`, `g + 1`).
    public static let integerLimit = Int(Int32.max)

    /// The range text of an integer error: the caller's bounds, plus the default limit when `value`
    /// is outside it.
    static func bounds(_ min: Int?, _ max: Int?, value: Int?) -> String {
        let hi = max ?? (value.map { $0 > integerLimit } == true ? integerLimit : nil)
        let lo = min ?? (value.map { $0 < -integerLimit } == true ? -integerLimit : nil)
        switch (lo, hi) {
        case let (lo?, hi?): return " in \(lo)…\(hi)"
        case let (lo?, nil): return " ≥ \(lo)"
        case let (nil, hi?): return " ≤ \(hi)"
        default: return ""
        }
    }

    /// The integer option `key` in `min…max` (by default ±`integerLimit`); NaN, ±inf and
    /// non-integral numbers are refused.
    public func integer(_ key: String, default def: Int? = nil, min: Int? = nil, max: Int? = nil) throws -> Int? {
        guard let v = table.fields[key] else { return def }
        let lo = min ?? -Self.integerLimit, hi = max ?? Self.integerLimit
        guard let x = v.int, x >= lo, x <= hi else {
            throw LuaArgumentError("'\(key)' must be an integer\(Self.bounds(min, max, value: v.int)), got \(Self.show(v))")
        }
        return x
    }

    public func string(_ key: String, default def: String? = nil, oneOf choices: [String]? = nil) throws -> String? {
        guard let v = table.fields[key] else { return def }
        guard let s = v.string else { throw LuaArgumentError("'\(key)' must be a string, got \(Self.show(v))") }
        if let choices, !choices.contains(s) {
            throw LuaArgumentError("'\(key)' must be one of \(choices.map { "'\($0)'" }.joined(separator: ", ")), got '\(s)'"
                + Suggestions.hint(for: s, in: choices))
        }
        return s
    }

    public func bool(_ key: String, default def: Bool? = nil) throws -> Bool? {
        guard let v = table.fields[key] else { return def }
        guard case .boolean(let b) = v else { throw LuaArgumentError("'\(key)' must be true or false, got \(Self.show(v))") }
        return b
    }

    private func fmt(_ d: Double) -> String { d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d) }
}
