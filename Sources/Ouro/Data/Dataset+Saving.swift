import Foundation

extension Dataset {
    /// Writes the dataset as JSONL: one object per document with the text under `textField` and
    /// every label (missing → `null`, numbers as JSON numbers, non-finite numbers → `null`).
    /// `Dataset.load` of the file gives back the same texts, tokens and labels.
    /// - Parameters:
    ///   - path: the file to write (replaced if it exists).
    ///   - textField: the key of the text (default `text`).
    /// - Throws: `DataError` if a label column is named `textField` or the file cannot be written.
    /// - Complexity: O(total text length); written in chunks of about 1 MiB.
    public func save(to path: String, textField: String = "text") throws {
        if columnNames.contains(textField) {
            throw DataError(file: path, "label column '\(textField)' clashes with the text field; save with another textField")
        }
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let fh = FileHandle(forWritingAtPath: path) else {
            throw DataError(file: path, "cannot write file")
        }
        defer { try? fh.close() }
        var buf = [UInt8]()
        buf.reserveCapacity(1 << 20 + 4096)
        func flush() throws {
            do { try fh.write(contentsOf: buf) } catch { throw DataError(file: path, "cannot write file: \(error.localizedDescription)") }
            buf.removeAll(keepingCapacity: true)
        }
        let keys = ([textField] + columnNames).map { Dataset.jsonString($0) }
        for i in 0..<count {
            buf.append(0x7B)
            buf.append(contentsOf: keys[0]); buf.append(0x3A)
            buf.append(contentsOf: Dataset.jsonString(texts[i]))
            for (k, c) in columns.enumerated() {
                buf.append(0x2C)
                buf.append(contentsOf: keys[k + 1]); buf.append(0x3A)
                switch c[i] {
                case .string(let s): buf.append(contentsOf: Dataset.jsonString(s))
                case .number(let x) where x.isFinite: buf.append(contentsOf: LabelValue.format(x).utf8)
                default: buf.append(contentsOf: "null".utf8)
                }
            }
            buf.append(contentsOf: "}\n".utf8)
            if buf.count >= 1 << 20 { try flush() }
        }
        try flush()
    }

    /// `s` as a JSON string literal in UTF-8 (quotes, backslash and control characters escaped).
    static func jsonString(_ s: String) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(s.utf8.count + 2)
        out.append(0x22)
        let hex = Array("0123456789abcdef".utf8)
        for b in s.utf8 {
            switch b {
            case 0x22: out.append(0x5C); out.append(0x22)
            case 0x5C: out.append(0x5C); out.append(0x5C)
            case 0x0A: out.append(0x5C); out.append(0x6E)
            case 0x0D: out.append(0x5C); out.append(0x72)
            case 0x09: out.append(0x5C); out.append(0x74)
            case 0..<0x20:
                out.append(contentsOf: "\\u00".utf8)
                out.append(hex[Int(b >> 4)]); out.append(hex[Int(b & 15)])
            default: out.append(b)
            }
        }
        out.append(0x22)
        return out
    }
}
