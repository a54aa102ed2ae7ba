import CLua

/// A non-owning view of one Lua thread's stack: the one Swift door to Lua's raw stack API.
///
/// Everything here is non-raising: it never calls an API function that can `longjmp` (no
/// metamethods, only `raw` accesses, no `luaL_check*`), so Swift frames are never unwound by Lua.
/// The one exception Lua itself allows — a failed allocation — cannot happen while Swift runs,
/// because the counting allocator grants allocations while `host_depth > 0` (see CLua/shim.h).
///
/// A Swift function bound to Lua receives the `Lua` of the thread that called it (which may be a
/// coroutine, not the main thread), so every helper works on `L`, never on a stored main state.
public struct Lua: @unchecked Sendable {
    public let L: OpaquePointer

    public init(_ L: OpaquePointer) { self.L = L }

    /// The `LuaState` that owns this thread.
    public var state: LuaState {
        let host = ouro_limits(L)!.pointee.host!
        return Unmanaged<LuaState>.fromOpaque(host).takeUnretainedValue()
    }

    // MARK: Stack

    public var top: Int32 { lua_gettop(L) }
    public func setTop(_ n: Int32) { lua_settop(L, n) }
    public func pop(_ n: Int32 = 1) { ouro_pop(L, n) }
    public func absIndex(_ i: Int32) -> Int32 { lua_absindex(L, i) }
    public func pushValue(at i: Int32) { lua_pushvalue(L, i) }
    public func remove(at i: Int32) { ouro_remove(L, i) }
    public func insert(at i: Int32) { ouro_insert(L, i) }
    /// Makes room for `n` more values on the stack (a C function starts with only 20);
    /// false when the stack cannot grow. Never raises.
    @discardableResult
    public func reserveStack(_ n: Int32) -> Bool { lua_checkstack(L, n) != 0 }

    // MARK: Types

    public enum Kind: Int32 {
        case none = -1, `nil` = 0, boolean = 1, lightUserdata = 2, number = 3, string = 4, table = 5,
             function = 6, userdata = 7, thread = 8
    }

    public func kind(at i: Int32) -> Kind { Kind(rawValue: lua_type(L, i)) ?? .none }
    public func isNoneOrNil(at i: Int32) -> Bool { lua_type(L, i) <= 0 }

    /// The Lua type name of the value at `i`, or the Ouro type name for Ouro objects.
    public func typeName(at i: Int32) -> String {
        if kind(at: i) == .userdata, let name = state.objectTypeName(at: i, in: self) { return name }
        return String(cString: ouro_typename(L, lua_type(L, i)))
    }

    // MARK: Push

    public func pushNil() { lua_pushnil(L) }
    public func push(_ b: Bool) { lua_pushboolean(L, b ? 1 : 0) }
    public func push(_ i: Int) { lua_pushinteger(L, lua_Integer(i)) }
    public func push(_ i: Int64) { lua_pushinteger(L, lua_Integer(i)) }
    public func push(_ d: Double) { lua_pushnumber(L, d) }
    public func push(_ s: String) {
        var s = s
        s.withUTF8 { buf in
            _ = buf.withMemoryRebound(to: CChar.self) { lua_pushlstring(L, $0.baseAddress, $0.count) }
        }
    }
    public func push(bytes: UnsafeRawBufferPointer) {
        _ = lua_pushlstring(L, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count)
    }
    public func newTable(arrayCount: Int32 = 0, fieldCount: Int32 = 0) { lua_createtable(L, arrayCount, fieldCount) }

    // MARK: Read (non-raising)

    public func toBool(at i: Int32) -> Bool { lua_toboolean(L, i) != 0 }

    /// The number at `i` if it is a number (strings are not coerced).
    public func toNumber(at i: Int32) -> Double? {
        guard lua_type(L, i) == LUA_TNUMBER else { return nil }
        return lua_tonumberx(L, i, nil)
    }

    /// The integer at `i` if it is an integer, or a float with an exact integer value.
    public func toInteger(at i: Int32) -> Int? {
        guard lua_type(L, i) == LUA_TNUMBER else { return nil }
        var isnum: Int32 = 0
        let v = lua_tointegerx(L, i, &isnum)
        return isnum != 0 ? Int(v) : nil
    }

    public func isInteger(at i: Int32) -> Bool { ouro_isinteger(L, i) != 0 }

    /// The string at `i` if it is a string (numbers are not coerced, so the stack is not changed).
    public func toString(at i: Int32) -> String? {
        guard lua_type(L, i) == LUA_TSTRING else { return nil }
        var len = 0
        guard let p = lua_tolstring(L, i, &len) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: p, count: len), as: UTF8.self)
    }

    // MARK: Tables (raw access only)

    public func rawGet(_ table: Int32, field: String) -> Kind {
        let t = absIndex(table)
        push(field)
        return Kind(rawValue: lua_rawget(L, t)) ?? .none
    }
    public func rawGet(_ table: Int32, index: Int) -> Kind {
        Kind(rawValue: lua_rawgeti(L, table, lua_Integer(index))) ?? .none
    }
    /// t[field] = top of stack (popped).
    public func rawSet(_ table: Int32, field: String) {
        let t = absIndex(table)
        push(field)
        insert(at: -2)
        lua_rawset(L, t)
    }
    /// t[index] = top of stack (popped).
    public func rawSet(_ table: Int32, index: Int) { lua_rawseti(L, table, lua_Integer(index)) }
    public func rawLength(_ i: Int32) -> Int { Int(lua_rawlen(L, i)) }

    /// Iterates a table with `lua_next`; the body sees the key at -2 and the value at -1 and must
    /// leave the stack as it found it.
    public func forEach(_ table: Int32, _ body: () throws -> Void) rethrows {
        let t = absIndex(table)
        lua_pushnil(L)
        while lua_next(L, t) != 0 {
            do { try body() } catch { pop(2); throw error }
            pop(1)
        }
    }

    public func pushGlobalTable() { ouro_pushglobaltable(L) }
    public func pushRegistry() { lua_pushvalue(L, ouro_registryindex()) }

    /// The identity of a table or function (for cycle detection).
    public func pointer(at i: Int32) -> UnsafeRawPointer? { lua_topointer(L, i) }

    // MARK: Where the user is

    /// `file:line: ` of the innermost Lua frame that belongs to the user's code (not a C function,
    /// not Ouro's stdlib), or "" when there is none.
    public func userLocation(field: String? = nil) -> String {
        var ar = lua_Debug()
        var level: Int32 = 1
        while lua_getstack(L, level, &ar) != 0 {
            _ = lua_getinfo(L, "Sl", &ar)
            if ar.currentline > 0, let src = ar.source {
                let source = String(cString: src)
                if !source.hasPrefix(LuaState.stdlibChunkPrefix) && !source.hasPrefix("=[ouro]/") {
                    let short = withUnsafeBytes(of: ar.short_src) { raw in
                        String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
                    }
                    // A field of a table constructor written in a file: the field's own line.
                    if let field, source.hasPrefix("@"),
                       let line = FieldLines.line(of: field, inFile: String(source.dropFirst()), callLine: Int(ar.currentline)) {
                        return "\(short):\(line): "
                    }
                    return "\(short):\(ar.currentline): "
                }
            }
            level += 1
        }
        return ""
    }
}
