import Foundation

/// A JSON value, enough to read cell parameters back (flat objects of scalars, usually).
enum JSONScalar: Decodable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONScalar])
    case object([String: JSONScalar])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int64.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONScalar].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONScalar].self)) }
    }

    /// Parses a JSON object.
    /// - Throws: `ResultStoreError.invalidParams` when `text` is not one.
    static func object(_ text: String) throws -> [String: JSONScalar] {
        guard let value = try? JSONDecoder().decode(JSONScalar.self, from: Data(text.utf8)), case .object(let o) = value else {
            throw ResultStoreError.invalidParams(text)
        }
        return o
    }

    /// Whether two JSON texts hold the same object (key order and spacing do not matter).
    static func sameObject(_ a: String, _ b: String) throws -> Bool { try object(a) == object(b) }

    /// The value as a CSV cell: strings bare, numbers in their shortest form, null empty,
    /// arrays and objects as compact JSON with sorted keys.
    var text: String {
        switch self {
        case .null: return ""
        case .string(let s): return s
        default: return json
        }
    }

    var json: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return d.description
        case .string(let s):
            let data = (try? JSONEncoder().encode(s)) ?? Data("\"\"".utf8)
            return String(decoding: data, as: UTF8.self)
        case .array(let a): return "[" + a.map(\.json).joined(separator: ",") + "]"
        case .object(let o):
            return "{" + o.keys.sorted().map { JSONScalar.string($0).json + ":" + o[$0]!.json }.joined(separator: ",") + "}"
        }
    }
}
