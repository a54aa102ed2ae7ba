import Foundation

/// Reads a file in fixed-size chunks and hands out complete lines; never holds the whole file.
struct LineReader {
    static let chunkSize = 1 << 20

    /// Calls `body(line, lineNumber)` for each line of the file (1-based numbers, without the line
    /// terminator `\n` or `\r\n`; a last line without terminator included).
    /// - Throws: `DataError` when the file cannot be opened or read, or what `body` throws.
    static func forEachLine(path: String, utf8: UTF8Check = UTF8Check(),
                            _ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) throws {
        var carry: [UInt8] = []
        var lineNo = 0
        func emit(_ line: UnsafeBufferPointer<UInt8>) throws {
            lineNo += 1
            var n = line.count
            if n > 0 && line[n - 1] == 0x0D { n -= 1 }
            try body(UnsafeBufferPointer(rebasing: line[0..<n]), lineNo)
        }
        try forEachChunk(path: path, utf8: utf8) { chunk, isLast in
            if isLast {
                if !carry.isEmpty { try carry.withUnsafeBufferPointer { try emit($0) } }
                return
            }
            try chunk.withUnsafeBufferPointer { buf in
                var s = 0
                var j = 0
                let n = buf.count
                while j < n {
                    if buf[j] == 0x0A {
                        if carry.isEmpty {
                            try emit(UnsafeBufferPointer(rebasing: buf[s..<j]))
                        } else {
                            carry.append(contentsOf: buf[s..<j])
                            try carry.withUnsafeBufferPointer { try emit($0) }
                            carry.removeAll(keepingCapacity: true)
                        }
                        s = j + 1
                    }
                    j += 1
                }
                carry.append(contentsOf: buf[s..<n])
            }
        }
    }

    /// Calls `body(chunk)` for each chunk of the file, in order.
    /// Every chunk is checked as UTF-8 text (`UTF8Check`): by default the first invalid byte or NUL
    /// is an error naming the file and line; with `utf8.replace` invalid sequences are counted (the
    /// decoders replace them with U+FFFD) and a NUL is still an error.
    static func forEachChunk(path: String, utf8: UTF8Check = UTF8Check(), _ body: ([UInt8], Bool) throws -> Void) throws {
        var isDir: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDir)
        if exists && isDir.boolValue {
            throw DataError(file: path, "is a folder, not a data file (give the path of a .jsonl, .csv or .txt file)")
        }
        guard let fh = FileHandle(forReadingAtPath: path) else {
            throw DataError(file: path, exists ? "cannot open the file (check its permissions)" : "no such file")
        }
        defer { try? fh.close() }
        while true {
            let data: Data?
            do { data = try fh.read(upToCount: chunkSize) } catch {
                throw DataError(file: path, "cannot read the file (\(String(cString: strerror(errno))))")
            }
            guard let d = data, !d.isEmpty else {
                try utf8.finish(path)
                try body([], true)
                return
            }
            let bytes = [UInt8](d)
            try utf8.check(bytes, path)
            try body(bytes, false)
        }
    }
}

/// Checks a file's bytes as UTF-8 text chunk by chunk (a sequence may straddle chunks), counting
/// lines so that the first invalid byte is reported as `file:line: … at byte column N`.
final class UTF8Check {
    /// Whether invalid sequences are allowed (counted, and replaced with U+FFFD by the decoders).
    let replace: Bool
    /// Invalid sequences seen (only with `replace`) and the line of the first.
    private(set) var invalid = 0
    private(set) var firstInvalidLine: Int?
    private var line = 1, column = 0
    /// Bytes of a sequence still expected, and the allowed range of the next byte.
    private var need = 0
    private var lo: UInt8 = 0x80, hi: UInt8 = 0xBF

    init(replace: Bool = false) { self.replace = replace }

    private func bad(_ path: String, _ what: String) throws {
        if !replace {
            throw DataError(file: path, line: line, "\(what) at byte column \(column): the file is not UTF-8 text"
                + " (load it with { invalid_utf8 = \"replace\" } to replace invalid bytes with U+FFFD)")
        }
        invalid += 1
        if firstInvalidLine == nil { firstInvalidLine = line }
    }

    func check(_ bytes: [UInt8], _ path: String) throws {
        for c in bytes {
            column += 1
            if need > 0 {
                if c >= lo && c <= hi { need -= 1; lo = 0x80; hi = 0xBF; continue }
                need = 0; lo = 0x80; hi = 0xBF
                try bad(path, "invalid UTF-8 (a truncated multi-byte sequence)")
                // `c` starts afresh below.
            }
            switch c {
            case 0x0A: line += 1; column = 0
            case 0x00:
                throw DataError(file: path, line: line, "a NUL byte at byte column \(column): this looks like a binary file, not text")
            case 0x01...0x7F: break
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; lo = 0xA0
            case 0xE1...0xEC, 0xEE, 0xEF: need = 2
            case 0xED: need = 2; hi = 0x9F
            case 0xF0: need = 3; lo = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; hi = 0x8F
            default: try bad(path, "invalid UTF-8 byte 0x\(String(c, radix: 16, uppercase: true))")
            }
        }
    }

    func finish(_ path: String) throws {
        if need > 0 { need = 0; try bad(path, "invalid UTF-8 (the file ends inside a multi-byte sequence)") }
    }
}
