import Foundation

/// Reads a file in fixed-size chunks and hands out complete lines; never holds the whole file.
struct LineReader {
    static let chunkSize = 1 << 20

    /// Calls `body(line, lineNumber)` for each line of the file (1-based numbers, without the line
    /// terminator `\n` or `\r\n`; a last line without terminator included).
    /// - Throws: `DataError` when the file cannot be opened or read, or what `body` throws.
    static func forEachLine(path: String,
                            _ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) throws {
        var carry: [UInt8] = []
        var lineNo = 0
        func emit(_ line: UnsafeBufferPointer<UInt8>) throws {
            lineNo += 1
            var n = line.count
            if n > 0 && line[n - 1] == 0x0D { n -= 1 }
            try body(UnsafeBufferPointer(rebasing: line[0..<n]), lineNo)
        }
        try forEachChunk(path: path) { chunk, isLast in
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
    static func forEachChunk(path: String, _ body: ([UInt8], Bool) throws -> Void) throws {
        guard let fh = FileHandle(forReadingAtPath: path) else {
            var isDir: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDir)
            throw DataError(file: path, exists ? (isDir.boolValue ? "is a directory" : "cannot open file") : "no such file")
        }
        defer { try? fh.close() }
        while true {
            let data: Data?
            do { data = try fh.read(upToCount: chunkSize) } catch { throw DataError(file: path, "cannot read file: \(error.localizedDescription)") }
            guard let d = data, !d.isEmpty else { try body([], true); return }
            try body([UInt8](d), false)
        }
    }
}
