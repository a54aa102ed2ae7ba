/// A minimal, strict JSON parser for one JSONL line (RFC 8259), over UTF-8 bytes.
///
/// The top level must be an object. Strings, numbers, booleans and null are decoded; nested arrays
/// and objects are validated and kept as their JSON text. Errors say what was expected and the
/// 1-based column (byte) where parsing stopped. Nesting is capped at `maxDepth` levels.
struct JSONLine {
    enum Value: Equatable {
        case string(String)
        case number(Double)
        case bool(Bool)
        case null
        case nested(String)   // an array or object, as compact JSON text
    }

    struct ParseError: Error { let message: String }

    /// Arrays and objects nested deeper than this are refused (the parser recurses per level).
    static let maxDepth = 128

    private let b: UnsafeBufferPointer<UInt8>
    private var i = 0
    private var depth = 0

    private init(_ b: UnsafeBufferPointer<UInt8>) { self.b = b }

    /// The fields of the object on this line, in order (a repeated key keeps its last value).
    static func parseObject(_ bytes: UnsafeBufferPointer<UInt8>) throws(ParseError) -> [(String, Value)] {
        var p = JSONLine(bytes)
        p.skipSpace()
        guard p.i < p.b.count, p.b[p.i] == 0x7B else {
            throw p.fail(p.i < p.b.count && (p.b[p.i] == 0x5B || p.b[p.i] == 0x22) ? "expected an object, found \(p.b[p.i] == 0x5B ? "an array" : "a string")" : "expected '{'")
        }
        p.i += 1
        var fields: [(String, Value)] = []
        p.skipSpace()
        if p.peek == 0x7D {
            p.i += 1
        } else {
            while true {
                p.skipSpace()
                guard p.peek == 0x22 else { throw p.fail("expected a string key") }
                let key = try p.string()
                p.skipSpace()
                guard p.peek == 0x3A else { throw p.fail("expected ':' after key") }
                p.i += 1
                let v = try p.value()
                if let k = fields.firstIndex(where: { $0.0 == key }) { fields[k].1 = v } else { fields.append((key, v)) }
                p.skipSpace()
                if p.peek == 0x2C { p.i += 1; continue }
                if p.peek == 0x7D { p.i += 1; break }
                throw p.fail(p.i >= p.b.count ? "unexpected end of line, expected ',' or '}'" : "expected ',' or '}'")
            }
        }
        p.skipSpace()
        guard p.i == p.b.count else { throw p.fail("unexpected text after the object") }
        return fields
    }

    private var peek: UInt8? { i < b.count ? b[i] : nil }

    private func fail(_ m: String) -> ParseError { ParseError(message: "\(m) at column \(i + 1)") }

    private mutating func skipSpace() {
        while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A || b[i] == 0x0D { i += 1 }
    }

    private mutating func value() throws(ParseError) -> Value {
        skipSpace()
        guard let c = peek else { throw fail("unexpected end of line, expected a value") }
        switch c {
        case 0x22: return .string(try string())
        case 0x7B, 0x5B:
            let s = i
            try skipNested()
            return .nested(String(decoding: UnsafeBufferPointer(rebasing: b[s..<i]), as: UTF8.self))
        case 0x74: try literal("true"); return .bool(true)
        case 0x66: try literal("false"); return .bool(false)
        case 0x6E: try literal("null"); return .null
        case 0x2D, 0x30...0x39: return .number(try number())
        default: throw fail("unexpected character '\(Character(Unicode.Scalar(c)))'")
        }
    }

    private mutating func literal(_ word: StaticString) throws(ParseError) {
        let n = word.utf8CodeUnitCount
        guard i + n <= b.count else { throw fail("invalid literal") }
        for k in 0..<n where b[i + k] != word.utf8Start[k] { throw fail("invalid literal") }
        i += n
    }

    private mutating func number() throws(ParseError) -> Double {
        let s = i
        if peek == 0x2D { i += 1 }
        guard let d = peek, d >= 0x30 && d <= 0x39 else { throw fail("invalid number") }
        if d == 0x30 { i += 1 } else { while let e = peek, e >= 0x30 && e <= 0x39 { i += 1 } }
        if peek == 0x2E {
            i += 1
            guard let e = peek, e >= 0x30 && e <= 0x39 else { throw fail("invalid number") }
            while let e = peek, e >= 0x30 && e <= 0x39 { i += 1 }
        }
        if peek == 0x65 || peek == 0x45 {
            i += 1
            if peek == 0x2B || peek == 0x2D { i += 1 }
            guard let e = peek, e >= 0x30 && e <= 0x39 else { throw fail("invalid number") }
            while let e = peek, e >= 0x30 && e <= 0x39 { i += 1 }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: b[s..<i]), as: UTF8.self)
        guard let x = Double(text) else { throw fail("invalid number") }
        return x
    }

    private mutating func hex4() throws(ParseError) -> UInt32 {
        guard i + 4 <= b.count else { throw fail("invalid \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = b[i]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw fail("invalid \\u escape")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    /// A string starting at the opening quote.
    private mutating func string() throws(ParseError) -> String {
        i += 1
        let s = i
        // Fast path: no escapes.
        while i < b.count, b[i] != 0x22, b[i] != 0x5C, b[i] >= 0x20 { i += 1 }
        if i < b.count && b[i] == 0x22 {
            defer { i += 1 }
            return String(decoding: UnsafeBufferPointer(rebasing: b[s..<i]), as: UTF8.self)
        }
        var out = Array(UnsafeBufferPointer(rebasing: b[s..<i]))
        while true {
            guard i < b.count else { throw fail("unterminated string") }
            let c = b[i]
            if c == 0x22 { i += 1; break }
            if c < 0x20 { throw fail("control character in string") }
            if c != 0x5C { out.append(c); i += 1; continue }
            i += 1
            guard let e = peek else { throw fail("unterminated string") }
            i += 1
            switch e {
            case 0x22, 0x5C, 0x2F: out.append(e)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x75:
                var v = try hex4()
                if v >= 0xD800 && v < 0xDC00 {
                    // A high surrogate must be followed by \u and a low surrogate.
                    if i + 6 <= b.count && b[i] == 0x5C && b[i + 1] == 0x75 {
                        i += 2
                        let lo = try hex4()
                        if lo >= 0xDC00 && lo < 0xE000 {
                            v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00)
                        } else {
                            v = 0xFFFD
                        }
                    } else {
                        v = 0xFFFD
                    }
                } else if v >= 0xDC00 && v < 0xE000 {
                    v = 0xFFFD
                }
                out.append(contentsOf: Unicode.Scalar(v)!.utf8)
            default:
                i -= 1
                throw fail("invalid escape '\\\(Character(Unicode.Scalar(e)))'")
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Skips a nested array or object, validating it.
    private mutating func skipNested() throws(ParseError) {
        depth += 1
        defer { depth -= 1 }
        guard depth < JSONLine.maxDepth else { throw fail("arrays and objects nested more than \(JSONLine.maxDepth) levels deep") }
        let open = b[i]
        let close: UInt8 = open == 0x7B ? 0x7D : 0x5D
        i += 1
        skipSpace()
        if peek == close { i += 1; return }
        while true {
            skipSpace()
            if open == 0x7B {
                guard peek == 0x22 else { throw fail("expected a string key") }
                _ = try string()
                skipSpace()
                guard peek == 0x3A else { throw fail("expected ':' after key") }
                i += 1
            }
            _ = try value()
            skipSpace()
            if peek == 0x2C { i += 1; continue }
            if peek == close { i += 1; return }
            throw fail(open == 0x7B ? "expected ',' or '}'" : "expected ',' or ']'")
        }
    }
}
