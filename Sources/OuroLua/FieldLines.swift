import Foundation

/// Where each field of a table constructor stands in Lua source, so that an error about
/// `eval_sise = 3` names that field's own line rather than the line of `experiment {`.
///
/// Lua keeps no line for table fields, so the bridge reads the file again: from the line of the
/// call, it finds the first `{` and walks the constructor with a small lexer (comments, short and
/// long strings, nesting), recording `name = …` and `["name"] = …` keys by their dotted path
/// (`sampling.temperature`, `grid.synthetic_ratio`).
enum FieldLines {
    /// The line of each field of the first table constructor that opens on or after `callLine`
    /// (1-based), keyed by dotted path; empty when there is none.
    static func scan(_ source: [UInt8], callLine: Int) -> [String: Int] {
        var lexer = Lexer(bytes: source)
        lexer.skipToLine(callLine)
        // The constructor must open on the call's own line (`experiment {`, `experiment({`).
        var token = lexer.next()
        while let t = token, t.line == callLine, t.kind != .punct("{") { token = lexer.next() }
        guard let open = token, open.kind == .punct("{"), open.line == callLine else { return [:] }

        var lines: [String: Int] = [:]
        // One frame per open brace: the dotted path of the table and the key whose value is open.
        var frames: [(path: String?, key: String?)] = [(path: "", key: nil)]
        var atFieldStart = true
        while let t = lexer.next() {
            switch t.kind {
            case .punct("{"):
                let parent = frames[frames.count - 1]
                let path: String? = parent.path.flatMap { p in parent.key.map { p.isEmpty ? $0 : p + "." + $0 } }
                frames.append((path: path, key: nil))
                atFieldStart = true
            case .punct("}"):
                frames.removeLast()
                if frames.isEmpty { return lines }
                atFieldStart = false
            case .punct(","), .punct(";"):
                frames[frames.count - 1].key = nil
                atFieldStart = true
            case .name(let n) where atFieldStart:
                if lexer.peekIsAssignment() { record(n, t.line) }
                atFieldStart = false
            case .punct("[") where atFieldStart:
                // `["key"] = value`
                if let s = lexer.next(), case .string(let key) = s.kind, let close = lexer.next(), close.kind == .punct("]"),
                   lexer.peekIsAssignment() {
                    record(key, t.line)
                }
                atFieldStart = false
            default:
                atFieldStart = false
            }
        }
        return lines

        func record(_ key: String, _ line: Int) {
            frames[frames.count - 1].key = key
            guard let path = frames[frames.count - 1].path else { return }
            let full = path.isEmpty ? key : path + "." + key
            if lines[full] == nil { lines[full] = line }
        }
    }

    /// The line of field `path` in the constructor called on `callLine` of the file `file`, if it
    /// can be read and holds that field; otherwise nil. A path not found is looked up without its
    /// last parts (`curate.fraction` falls back to `curate`).
    static func line(of path: String, inFile file: String, callLine: Int) -> Int? {
        guard let data = FileManager.default.contents(atPath: file) else { return nil }
        let lines = scan([UInt8](data), callLine: callLine)
        var parts = path.split(separator: ".").map(String.init)
        while !parts.isEmpty {
            if let l = lines[parts.joined(separator: ".")] { return l }
            parts.removeLast()
        }
        return nil
    }

    struct Token {
        enum Kind: Equatable { case name(String), string(String), punct(String), other }
        let kind: Kind
        let line: Int
    }

    /// Just enough of Lua's lexical rules to walk a table constructor.
    struct Lexer {
        let bytes: [UInt8]
        var i = 0
        var line = 1

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func skipToLine(_ target: Int) {
            while line < target && i < bytes.count {
                if bytes[i] == 10 { line += 1 }
                i += 1
            }
        }

        /// Whether the next token is `=` (and not `==`); consumes nothing.
        func peekIsAssignment() -> Bool {
            var copy = self
            guard let t = copy.next(), t.kind == .punct("=") else { return false }
            return copy.i >= bytes.count || bytes[copy.i] != UInt8(ascii: "=")
        }

        /// The level of a long bracket opening at `i` (`[[` is 0, `[==[` is 2), or nil.
        func longBracket(at j: Int) -> Int? {
            guard j < bytes.count, bytes[j] == UInt8(ascii: "[") else { return nil }
            var k = j + 1, level = 0
            while k < bytes.count && bytes[k] == UInt8(ascii: "=") { level += 1; k += 1 }
            return k < bytes.count && bytes[k] == UInt8(ascii: "[") ? level : nil
        }

        /// Skips a long bracket of `level` starting at `i`; returns its content.
        mutating func skipLong(_ level: Int) -> String {
            i += level + 2
            let start = i
            while i < bytes.count {
                if bytes[i] == 10 { line += 1 }
                if bytes[i] == UInt8(ascii: "]") {
                    var k = i + 1, l = 0
                    while k < bytes.count && bytes[k] == UInt8(ascii: "=") { l += 1; k += 1 }
                    if l == level && k < bytes.count && bytes[k] == UInt8(ascii: "]") {
                        let s = String(decoding: bytes[start..<i], as: UTF8.self)
                        i = k + 1
                        return s
                    }
                }
                i += 1
            }
            return String(decoding: bytes[start...], as: UTF8.self)
        }

        mutating func next() -> Token? {
            while i < bytes.count {
                let c = bytes[i]
                if c == 10 { line += 1; i += 1; continue }
                if c == 32 || c == 9 || c == 13 { i += 1; continue }
                // Comments: `--[[ … ]]` or to the end of the line.
                if c == UInt8(ascii: "-") && i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "-") {
                    i += 2
                    if let level = longBracket(at: i) { _ = skipLong(level); continue }
                    while i < bytes.count && bytes[i] != 10 { i += 1 }
                    continue
                }
                let at = line
                if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                    i += 1
                    var s: [UInt8] = []
                    while i < bytes.count && bytes[i] != c && bytes[i] != 10 {
                        if bytes[i] == UInt8(ascii: "\\") && i + 1 < bytes.count {
                            if bytes[i + 1] == 10 { line += 1 }
                            s.append(bytes[i + 1]); i += 2; continue
                        }
                        s.append(bytes[i]); i += 1
                    }
                    i += 1
                    return Token(kind: .string(String(decoding: s, as: UTF8.self)), line: at)
                }
                if let level = longBracket(at: i) {
                    return Token(kind: .string(skipLong(level)), line: at)
                }
                if c == UInt8(ascii: "_") || (c | 0x20) >= UInt8(ascii: "a") && (c | 0x20) <= UInt8(ascii: "z") {
                    let start = i
                    while i < bytes.count, bytes[i] == UInt8(ascii: "_") || (bytes[i] | 0x20) >= UInt8(ascii: "a") && (bytes[i] | 0x20) <= UInt8(ascii: "z")
                            || bytes[i] >= UInt8(ascii: "0") && bytes[i] <= UInt8(ascii: "9") { i += 1 }
                    return Token(kind: .name(String(decoding: bytes[start..<i], as: UTF8.self)), line: at)
                }
                if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") {
                    while i < bytes.count, bytes[i] == UInt8(ascii: ".") || bytes[i] == UInt8(ascii: "_")
                            || (bytes[i] | 0x20) >= UInt8(ascii: "a") && (bytes[i] | 0x20) <= UInt8(ascii: "z")
                            || bytes[i] >= UInt8(ascii: "0") && bytes[i] <= UInt8(ascii: "9")
                            || (bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+")) && (bytes[i - 1] | 0x20) == UInt8(ascii: "e") { i += 1 }
                    return Token(kind: .other, line: at)
                }
                i += 1
                if "{}[],;=".utf8.contains(c) { return Token(kind: .punct(String(UnicodeScalar(c))), line: at) }
                return Token(kind: .other, line: at)
            }
            return nil
        }
    }
}
