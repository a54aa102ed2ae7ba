import Foundation

/// Decodes a converted Lua value into a `Decodable` Swift type, so that a validated Lua table
/// becomes a typed value in one step (the compiler writes the field-by-field reading from the
/// type's `CodingKeys`, whose string values are the Lua field names).
///
/// Tables with string keys decode as keyed containers, a table's sequence (1…n) as an unkeyed one,
/// and booleans, numbers and strings as single values (an integer must be exact: 2.0 is 2, 2.5 is
/// an error). Values the engine keeps as Lua values decode as themselves: `LuaValue`, `LuaTable`,
/// `LuaFunctionRef`, `LuaObject`. A missing field and `nil` both decode as an absent optional.
/// Errors name the field's path, e.g. `'seeds[2]' must be an integer, got 1.5`.
enum LuaDecoder {
    static func decode<T: Decodable>(_ type: T.Type, from value: LuaValue) throws -> T {
        try T(from: LuaValueDecoder(value, path: []))
    }
}

/// A value a Lua table holds as a Swift object (a Dataset, a model…), as `LuaValue.object` does.
struct LuaObject: Decodable {
    let object: AnyObject
    init(from decoder: Decoder) throws {
        let d = try LuaValueDecoder.unwrap(decoder)
        guard case .object(let o) = d.value else { throw d.mismatch("an engine object (a dataset, a model)") }
        object = o
    }
}

extension LuaValue: Decodable {
    public init(from decoder: Decoder) throws { self = try LuaValueDecoder.unwrap(decoder).value }
}

extension LuaTable: Decodable {
    public init(from decoder: Decoder) throws {
        let d = try LuaValueDecoder.unwrap(decoder)
        guard case .table(let t) = d.value else { throw d.mismatch("a table") }
        self = t
    }
}

extension LuaFunctionRef: Decodable {}
extension Decodable where Self == LuaFunctionRef {
    public init(from decoder: Decoder) throws {
        let d = try LuaValueDecoder.unwrap(decoder)
        guard case .function(let f) = d.value else { throw d.mismatch("a function") }
        self = f
    }
}

/// The `Decoder` over one Lua value at `path`.
struct LuaValueDecoder: Decoder {
    let value: LuaValue
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(_ value: LuaValue, path: [CodingKey]) { self.value = value; codingPath = path }

    /// The decoder `decoder` is, for the Lua-valued types above.
    static func unwrap(_ decoder: Decoder) throws -> LuaValueDecoder {
        guard let d = decoder as? LuaValueDecoder else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a Lua value can only be decoded from Lua"))
        }
        return d
    }

    /// The field's path as the file writes it: `finetune.lora.rank`, `seeds[2]`.
    var pathText: String {
        codingPath.reduce("") { s, k in
            if let i = k.intValue { return s + "[\(i + 1)]" }
            return s.isEmpty ? k.stringValue : s + "." + k.stringValue
        }
    }

    func mismatch(_ expected: String) -> LuaError {
        let got: String
        switch value {
        case .string(let s): got = String(reflecting: s.count > 60 ? String(s.prefix(60)) + "…" : s)
        case .integer, .number, .boolean: got = value.description
        default: got = value.typeName
        }
        return LuaError(.runtime, "'\(pathText)' must be \(expected), got \(got)")
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .table(let t) = value else { throw mismatch("a table") }
        return KeyedDecodingContainer(Keyed<Key>(table: t, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        guard case .table(let t) = value, t.fields.isEmpty else { throw mismatch("a list") }
        return Unkeyed(values: t.array, codingPath: codingPath)
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer { Single(decoder: self) }

    // The scalar conversions, in one place.
    func bool() throws -> Bool {
        guard case .boolean(let b) = value else { throw mismatch("true or false") }
        return b
    }
    func string() throws -> String {
        guard case .string(let s) = value else { throw mismatch("a string") }
        return s
    }
    func double() throws -> Double {
        guard let d = value.number else { throw mismatch("a number") }
        return d
    }
    func integer<I: FixedWidthInteger>(_: I.Type) throws -> I {
        switch value {
        case .integer(let i): if let v = I(exactly: i) { return v }
        case .number(let d): if d.isFinite, let v = I(exactly: d) { return v }
        default: break
        }
        throw mismatch("an integer in \(I.min)…\(I.max)")
    }

    /// A key of an array element.
    struct Index: CodingKey {
        let intValue: Int?
        var stringValue: String { String(intValue! + 1) }
        init(_ i: Int) { intValue = i }
        init?(stringValue: String) { return nil }
        init?(intValue: Int) { self.intValue = intValue }
    }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let table: LuaTable
        let codingPath: [CodingKey]
        var allKeys: [Key] { table.fields.keys.compactMap(Key.init(stringValue:)) }
        func contains(_ key: Key) -> Bool { (table.fields[key.stringValue] ?? .nil) != .nil }
        func decodeNil(forKey key: Key) throws -> Bool { !contains(key) }
        func child(_ key: Key) -> LuaValueDecoder { LuaValueDecoder(table.fields[key.stringValue] ?? .nil, path: codingPath + [key]) }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try T(from: child(key)) }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try child(key).bool() }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try child(key).string() }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try child(key).double() }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try child(key).double()) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try child(key).integer(Int.self) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try child(key).integer(Int8.self) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try child(key).integer(Int16.self) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try child(key).integer(Int32.self) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try child(key).integer(Int64.self) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try child(key).integer(UInt.self) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try child(key).integer(UInt8.self) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try child(key).integer(UInt16.self) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try child(key).integer(UInt32.self) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try child(key).integer(UInt64.self) }
        func nestedContainer<N: CodingKey>(keyedBy type: N.Type, forKey key: Key) throws -> KeyedDecodingContainer<N> {
            try child(key).container(keyedBy: type)
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer { try child(key).unkeyedContainer() }
        func superDecoder() throws -> Decoder { LuaValueDecoder(.table(table), path: codingPath) }
        func superDecoder(forKey key: Key) throws -> Decoder { child(key) }
    }

    struct Unkeyed: UnkeyedDecodingContainer {
        let values: [LuaValue]
        let codingPath: [CodingKey]
        var currentIndex = 0
        var count: Int? { values.count }
        var isAtEnd: Bool { currentIndex >= values.count }
        init(values: [LuaValue], codingPath: [CodingKey]) { self.values = values; self.codingPath = codingPath }
        mutating func next() throws -> LuaValueDecoder {
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(LuaValue.self, .init(codingPath: codingPath, debugDescription: "the list has \(values.count) values"))
            }
            defer { currentIndex += 1 }
            return LuaValueDecoder(values[currentIndex], path: codingPath + [Index(currentIndex)])
        }
        mutating func decodeNil() throws -> Bool {
            if !isAtEnd, values[currentIndex] == .nil { currentIndex += 1; return true }
            return false
        }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: next()) }
        mutating func decode(_ type: Bool.Type) throws -> Bool { try next().bool() }
        mutating func decode(_ type: String.Type) throws -> String { try next().string() }
        mutating func decode(_ type: Double.Type) throws -> Double { try next().double() }
        mutating func decode(_ type: Float.Type) throws -> Float { Float(try next().double()) }
        mutating func decode(_ type: Int.Type) throws -> Int { try next().integer(Int.self) }
        mutating func decode(_ type: Int8.Type) throws -> Int8 { try next().integer(Int8.self) }
        mutating func decode(_ type: Int16.Type) throws -> Int16 { try next().integer(Int16.self) }
        mutating func decode(_ type: Int32.Type) throws -> Int32 { try next().integer(Int32.self) }
        mutating func decode(_ type: Int64.Type) throws -> Int64 { try next().integer(Int64.self) }
        mutating func decode(_ type: UInt.Type) throws -> UInt { try next().integer(UInt.self) }
        mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next().integer(UInt8.self) }
        mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next().integer(UInt16.self) }
        mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next().integer(UInt32.self) }
        mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next().integer(UInt64.self) }
        mutating func nestedContainer<N: CodingKey>(keyedBy type: N.Type) throws -> KeyedDecodingContainer<N> {
            try next().container(keyedBy: type)
        }
        mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer { try next().unkeyedContainer() }
        mutating func superDecoder() throws -> Decoder { try next() }
    }

    struct Single: SingleValueDecodingContainer {
        let decoder: LuaValueDecoder
        var codingPath: [CodingKey] { decoder.codingPath }
        func decodeNil() -> Bool { decoder.value == .nil }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: decoder) }
        func decode(_ type: Bool.Type) throws -> Bool { try decoder.bool() }
        func decode(_ type: String.Type) throws -> String { try decoder.string() }
        func decode(_ type: Double.Type) throws -> Double { try decoder.double() }
        func decode(_ type: Float.Type) throws -> Float { Float(try decoder.double()) }
        func decode(_ type: Int.Type) throws -> Int { try decoder.integer(Int.self) }
        func decode(_ type: Int8.Type) throws -> Int8 { try decoder.integer(Int8.self) }
        func decode(_ type: Int16.Type) throws -> Int16 { try decoder.integer(Int16.self) }
        func decode(_ type: Int32.Type) throws -> Int32 { try decoder.integer(Int32.self) }
        func decode(_ type: Int64.Type) throws -> Int64 { try decoder.integer(Int64.self) }
        func decode(_ type: UInt.Type) throws -> UInt { try decoder.integer(UInt.self) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.integer(UInt8.self) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.integer(UInt16.self) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.integer(UInt32.self) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.integer(UInt64.self) }
    }
}
