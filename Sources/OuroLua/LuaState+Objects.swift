import CLua

/// A method of a Swift type bound to Lua: receives the object and the stack (arguments from 2).
public typealias LuaMethod<T> = (T, Lua) throws -> Int32

/// Swift objects in Lua: full userdata holding a retained reference, one metatable per type with
/// `__index` (methods, then properties), `__gc` (releases the reference) and `__tostring`.
extension LuaState {
    private static let objectMarker = "__ouro_object"

    /// Registers a Swift class so its instances can be pushed to Lua.
    /// - Parameters:
    ///   - name: the Lua-visible type name (`Dataset`), used in `tostring` fallbacks and errors.
    ///   - methods: name → (doc, body). Called as `obj:method(…)`; the body sees arguments from index 2.
    ///   - properties: name → getter pushing one value. Read as `obj.name`.
    ///   - describe: the `tostring` text; defaults to the object's `description`.
    public func registerType<T: AnyObject>(
        _ type: T.Type, name: String,
        methods: [String: (doc: String, body: LuaMethod<T>)] = [:],
        properties: [String: (T, Lua) throws -> Void] = [:],
        describe: ((T) -> String)? = nil
    ) {
        let id = ObjectIdentifier(type)
        typeNames[id] = name
        describers[id] = { obj in describe.map { $0(obj as! T) } ?? String(describing: obj) }
        let lua = self.lua
        let top = lua.top
        defer { lua.setTop(top) }
        luaL_newmetatable(L, "ouro.type." + name)
        let mt = lua.top
        lua.push(true); lua.rawSet(mt, field: LuaState.objectMarker)
        lua.push(name); lua.rawSet(mt, field: "__name")

        // methods table
        lua.newTable()
        let methodsIndex = lua.top
        for (methodName, m) in methods.sorted(by: { $0.key < $1.key }) {
            docs["\(name):\(methodName)"] = m.doc
            let body = m.body
            let full = "\(name):\(methodName)"
            pushFunction(lua, name: full) { lua in
                guard let obj = lua.state.object(at: 1, in: lua) as? T else {
                    throw LuaArgumentError("expected a \(name) as self, got \(lua.typeName(at: 1)) (call it with ':')")
                }
                return try body(obj, lua)
            }
            lua.rawSet(methodsIndex, field: methodName)
        }
        lua.pushValue(at: methodsIndex)
        lua.rawSet(mt, field: "__methods")
        if properties.isEmpty {
            lua.pushValue(at: methodsIndex)
        } else {
            lua.newTable()
            let propsIndex = lua.top
            for (propName, getter) in properties {
                pushFunction(lua, name: "\(name).\(propName)") { lua in
                    guard let obj = lua.state.object(at: 1, in: lua) as? T else { return 0 }
                    try getter(obj, lua)
                    return 1
                }
                lua.rawSet(propsIndex, field: propName)
            }
            // __index = function(self, k) return methods[k] or (props[k] and props[k](self)) end
            try! load(
                "local methods, props = ...\n"
                    + "return function(self, k) local m = methods[k] if m ~= nil then return m end "
                    + "local p = props[k] if p ~= nil then return p(self) end return nil end",
                chunkName: "=[ouro]/index")
            lua.pushValue(at: methodsIndex)
            lua.pushValue(at: propsIndex)
            try! pcall(lua, nargs: 2, nresults: 1)
        }
        lua.rawSet(mt, field: "__index")

        pushFunction(lua, name: "\(name).__tostring") { lua in
            guard let obj = lua.state.object(at: 1, in: lua) else { lua.push(name); return 1 }
            lua.push(lua.state.describeObject(obj))
            return 1
        }
        lua.rawSet(mt, field: "__tostring")

        lua_pushcclosure(L, { L in
            // __gc: release the Swift reference exactly once. Runs in C; never raises.
            if let ud = lua_touserdata(L, 1), let p = ud.load(as: UnsafeRawPointer?.self) {
                Unmanaged<AnyObject>.fromOpaque(p).release()
                ud.storeBytes(of: nil, as: UnsafeRawPointer?.self)
            }
            return 0
        }, 0)
        lua.rawSet(mt, field: "__gc")

        // getmetatable(obj) shows a stand-in: the methods (for completion) and the name, never the
        // real metatable, so a script cannot replace `__gc` (finalizers run where the instruction
        // hook does not) or `__index`; setmetatable on an object is refused.
        lua.newTable()
        lua.pushValue(at: methodsIndex)
        lua.rawSet(-2, field: "__index")
        lua.push(name)
        lua.rawSet(-2, field: "__name")
        lua.rawSet(mt, field: "__metatable")
    }

    /// Adds a method to a type registered earlier (an area binding methods of another area's type).
    public func addMethod<T: AnyObject>(_ type: T.Type, _ methodName: String, doc: String, _ body: @escaping LuaMethod<T>) {
        guard let name = typeNames[ObjectIdentifier(type)] else {
            preconditionFailure("\(type) is not registered with LuaState.registerType")
        }
        let lua = self.lua
        let top = lua.top
        defer { lua.setTop(top) }
        _ = ouro_getmetatable(L, "ouro.type." + name)
        _ = lua.rawGet(-1, field: "__methods")
        docs["\(name):\(methodName)"] = doc
        pushFunction(lua, name: "\(name):\(methodName)") { lua in
            guard let obj = lua.state.object(at: 1, in: lua) as? T else {
                throw LuaArgumentError("expected a \(name) as self, got \(lua.typeName(at: 1)) (call it with ':')")
            }
            return try body(obj, lua)
        }
        lua.rawSet(-2, field: methodName)
    }

    /// Pushes `object` as a userdata of its registered type.
    func pushObject(_ object: AnyObject, in lua: Lua) {
        guard let name = typeNames[ObjectIdentifier(type(of: object))] else {
            preconditionFailure("\(type(of: object)) is not registered with LuaState.registerType")
        }
        let ud = ouro_newuserdata(lua.L, MemoryLayout<UnsafeRawPointer>.size)!
        ud.storeBytes(of: Unmanaged<AnyObject>.passRetained(object).toOpaque(), as: UnsafeRawPointer?.self)
        ouro_getmetatable(lua.L, "ouro.type." + name)
        lua_setmetatable(lua.L, -2)
    }

    /// The Swift object held by the userdata at `i`, if it is an Ouro object (and not yet collected).
    func object(at i: Int32, in lua: Lua) -> AnyObject? {
        guard lua.kind(at: i) == .userdata, lua_getmetatable(lua.L, i) != 0 else { return nil }
        let isOurs = lua.rawGet(-1, field: LuaState.objectMarker) == .boolean
        lua.pop(2)
        guard isOurs, let ud = lua_touserdata(lua.L, i),
              let p = ud.load(as: UnsafeRawPointer?.self) else { return nil }
        return Unmanaged<AnyObject>.fromOpaque(p).takeUnretainedValue()
    }

    func objectTypeName(at i: Int32, in lua: Lua) -> String? {
        object(at: i, in: lua).flatMap { typeNames[ObjectIdentifier(type(of: $0))] }
    }

    func describeObject(_ object: AnyObject) -> String {
        describers[ObjectIdentifier(type(of: object))]?(object) ?? String(describing: object)
    }
}

extension Lua {
    /// Pushes a Swift object of a registered type.
    public func push(object: AnyObject) { state.pushObject(object, in: self) }

    /// The object of type `T` at `i`, or nil.
    public func object<T: AnyObject>(at i: Int32, as: T.Type = T.self) -> T? {
        state.object(at: i, in: self) as? T
    }
}
