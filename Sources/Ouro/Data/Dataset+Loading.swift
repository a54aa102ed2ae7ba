import Foundation

/// A data file format.
public enum DataFormat: String, Sendable, CaseIterable {
    /// One JSON object per line.
    case jsonl
    /// Comma-separated values with a header row (RFC 4180).
    case csv
    /// Plain text: one document per line, or per blank-line-separated paragraph.
    case text

    /// The format of a path by its extension: `.jsonl`/`.ndjson`, `.csv`, `.txt`/`.text`; nil otherwise.
    public static func infer(path: String) -> DataFormat? {
        switch (path as NSString).pathExtension.lowercased() {
        case "jsonl", "ndjson": return .jsonl
        case "csv": return .csv
        case "txt", "text": return .text
        default: return nil
        }
    }
}

/// How to load a data file.
public struct LoadOptions: Sendable {
    /// The JSONL field / CSV column holding the text (default `text`). Every other field or column
    /// becomes a label column.
    public var textField: String
    /// Plain text only: documents are blank-line-separated paragraphs (lines joined with `\n`)
    /// rather than single lines.
    public var paragraphs: Bool
    /// The format; nil infers it from the extension.
    public var format: DataFormat?
    /// The tokenizer for the documents.
    public var tokenizer: Tokenizer
    /// Whether invalid UTF-8 is replaced with U+FFFD (counted in `LoadReport`) instead of being an
    /// error naming the file and line of the first invalid byte. A NUL byte is an error either way.
    public var replaceInvalidUTF8 = false

    public init(textField: String = "text", paragraphs: Bool = false, format: DataFormat? = nil,
                tokenizer: Tokenizer = .word) {
        self.textField = textField
        self.paragraphs = paragraphs
        self.format = format
        self.tokenizer = tokenizer
    }
}

/// What a load noticed without failing.
public struct LoadReport: Sendable, Equatable {
    /// Invalid UTF-8 sequences replaced with U+FFFD (only with `replaceInvalidUTF8`), and the line of the first.
    public var replacedInvalidUTF8 = 0
    public var firstInvalidLine: Int?
    public init() {}
}

extension Dataset {
    /// Loads a JSONL, CSV or plain-text file, streaming it in chunks.
    ///
    /// - JSONL: one object per line (blank lines skipped). The text field must be a string. Other
    ///   fields are labels: numbers → number column, strings → string column, `null` or absent →
    ///   missing, a column with both numbers and strings → string column; `true`/`false` become the
    ///   strings `"true"`/`"false"`, arrays and objects their JSON text.
    /// - CSV: header row, then records with as many fields; a label column whose non-empty values
    ///   are all numbers is numeric; empty fields are missing.
    /// - Plain text: each non-blank line a document (or each paragraph with `paragraphs`).
    /// - Parameters:
    ///   - path: the file.
    ///   - options: text field, paragraphs, format, tokenizer.
    /// - Returns: the dataset (texts as in the file, tokens in `Vocabulary.shared`).
    /// - Throws: `DataError` naming the file (and line): `x.jsonl:3: invalid JSON: …`,
    ///   `x.jsonl:3: field 'text' is not a string`, `x.jsonl:3: no field 'text'`,
    ///   `r.csv: no column 'body' (columns: id, text, stars)`, `r.csv:7: expected 3 fields, found 2`,
    ///   `r.csv:4: unterminated quoted field`, `x.txt: no documents`, `x.xml: unknown format …`.
    /// - Complexity: O(file size); memory O(dataset) plus one 1 MiB chunk.
    public static func load(_ path: String, options: LoadOptions = LoadOptions()) throws -> Dataset {
        var report = LoadReport()
        return try load(path, options: options, report: &report)
    }

    /// `load(_:options:)`, also saying what was replaced (invalid UTF-8 with `replaceInvalidUTF8`).
    public static func load(_ path: String, options: LoadOptions, report: inout LoadReport) throws -> Dataset {
        let utf8 = UTF8Check(replace: options.replaceInvalidUTF8)
        defer { report.replacedInvalidUTF8 = utf8.invalid; report.firstInvalidLine = utf8.firstInvalidLine }
        guard let format = options.format ?? DataFormat.infer(path: path) else {
            throw DataError(file: path, "unknown format (expected a .jsonl, .csv or .txt file)")
        }
        let d: Dataset
        switch format {
        case .jsonl: d = try loadJSONL(path, options, utf8)
        case .csv: d = try loadCSV(path, options, utf8)
        case .text: d = try loadText(path, options, utf8)
        }
        if d.count == 0 { throw DataError(file: path, "no documents") }
        return d.named(((path as NSString).lastPathComponent as NSString).deletingPathExtension)
    }

    private static func withoutBOM(_ line: UnsafeBufferPointer<UInt8>, _ number: Int) -> UnsafeBufferPointer<UInt8> {
        if number == 1 && line.count >= 3 && line[0] == 0xEF && line[1] == 0xBB && line[2] == 0xBF {
            return UnsafeBufferPointer(rebasing: line[3...])
        }
        return line
    }

    private static func isBlank(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }

    static func loadJSONL(_ path: String, _ options: LoadOptions, _ utf8: UTF8Check) throws -> Dataset {
        var builder = DatasetBuilder(tokenizer: options.tokenizer)
        let textField = options.textField
        try LineReader.forEachLine(path: path, utf8: utf8) { raw, number in
            let line = withoutBOM(raw, number)
            if isBlank(line) { return }
            let fields: [(String, JSONLine.Value)]
            do { fields = try JSONLine.parseObject(line) } catch let error as JSONLine.ParseError {
                throw DataError(file: path, line: number, "invalid JSON: \(error.message)")
            }
            var text: String?
            var labels: [(String, LabelValue)] = []
            labels.reserveCapacity(fields.count)
            for (key, value) in fields {
                if key == textField {
                    guard case .string(let s) = value else {
                        throw DataError(file: path, line: number, "field '\(textField)' is not a string")
                    }
                    text = s
                    continue
                }
                switch value {
                case .string(let s): labels.append((key, .string(s)))
                case .number(let x): labels.append((key, .number(x)))
                case .bool(let b): labels.append((key, .string(b ? "true" : "false")))
                case .null: labels.append((key, .missing))
                case .nested(let json): labels.append((key, .string(json)))
                }
            }
            guard let t = text else { throw DataError(file: path, line: number, "no field '\(textField)'") }
            builder.append(text: t, labels: labels)
        }
        return builder.build()
    }

    static func loadCSV(_ path: String, _ options: LoadOptions, _ utf8: UTF8Check) throws -> Dataset {
        var builder = DatasetBuilder(tokenizer: options.tokenizer)
        var parser = CSVParser(file: path)
        var header: [String]?
        var textIndex = 0
        var first = true
        let handle: ([String], Int) throws -> Void = { fields, line in
            guard let h = header else {
                var seen = Set<String>()
                for name in fields where !seen.insert(name).inserted {
                    throw DataError(file: path, line: line, "duplicate column '\(name)'")
                }
                guard let k = fields.firstIndex(of: options.textField) else {
                    throw DataError(file: path, "no column '\(options.textField)' (columns: \(fields.joined(separator: ", ")))")
                }
                header = fields
                textIndex = k
                return
            }
            guard fields.count == h.count else {
                throw DataError(file: path, line: line, "expected \(h.count) fields, found \(fields.count)")
            }
            var labels: [(String, LabelValue)] = []
            labels.reserveCapacity(h.count - 1)
            for (k, name) in h.enumerated() where k != textIndex {
                labels.append((name, fields[k].isEmpty ? .missing : .string(fields[k])))
            }
            builder.append(text: fields[textIndex], labels: labels)
        }
        try LineReader.forEachChunk(path: path, utf8: utf8) { chunk, isLast in
            if isLast { try parser.finish(handle); return }
            try chunk.withUnsafeBufferPointer { buf in
                var b = buf
                if first && b.count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
                    b = UnsafeBufferPointer(rebasing: b[3...])
                }
                first = false
                try parser.feed(b, handle)
            }
        }
        if header == nil { throw DataError(file: path, "no header row") }
        builder.inferNumbers()
        return builder.build()
    }

    static func loadText(_ path: String, _ options: LoadOptions, _ utf8: UTF8Check) throws -> Dataset {
        var builder = DatasetBuilder(tokenizer: options.tokenizer)
        var paragraph: [String] = []
        try LineReader.forEachLine(path: path, utf8: utf8) { raw, number in
            let line = withoutBOM(raw, number)
            if isBlank(line) {
                if !paragraph.isEmpty {
                    builder.append(text: paragraph.joined(separator: "\n"))
                    paragraph.removeAll()
                }
                return
            }
            let s = String(decoding: line, as: UTF8.self)
            if options.paragraphs { paragraph.append(s) } else { builder.append(text: s) }
        }
        if !paragraph.isEmpty { builder.append(text: paragraph.joined(separator: "\n")) }
        return builder.build()
    }
}
