// CSV reader benchmark: Ouro's CSVParser against SwiftCSV and yaslab/CSV.swift, on the same bytes.
//   CSVBench [--runs N] FILE.csv...      (scripts/bench/csv.sh makes the files and runs this)
// Each file is read into memory once. Every reader is first checked against the truth (FILE.csv.expect,
// written by Python's csv module: record and field counts and a SHA-256 over all fields) and record by
// record against Ouro's output; then timed, best of N runs, on parsing alone (the libraries get a String
// decoded beforehand, outside the clock; that decode's time is printed on its own). Every reader hands
// each record to the same sink, which counts records and fields. Last, each reader is given malformed
// input to show whether it reports an error and where.
import Crypto
import CSV          // yaslab/CSV.swift
import Foundation
@_spi(Bench) import Ouro
import SwiftCSV

typealias Sink = ([String]) -> Void

struct Input {
    let name: String
    let bytes: [UInt8]
    let data: Data
    let text: String
}

struct Reader {
    let name: String
    let run: (Input, @escaping Sink) throws -> Void
}

struct ReaderError: Error, CustomStringConvertible {
    let description: String
}

// MARK: - The readers

func ouro(chunk: Int?) -> (Input, @escaping Sink) throws -> Void {
    { input, sink in
        var parser = CSVParser(file: input.name)
        let emit: ([String], Int) -> Void = { fields, _ in sink(fields) }
        try input.bytes.withUnsafeBufferPointer { all in
            let step = chunk ?? max(all.count, 1)
            var start = 0
            while start < all.count {
                let end = min(start + step, all.count)
                try parser.feed(UnsafeBufferPointer(rebasing: all[start..<end]), emit)
                start = end
            }
        }
        try parser.finish(emit)
    }
}

/// SwiftCSV's streaming API: `enumerateAsArray` calls back once per row and keeps nothing. (Its
/// initializers parse the whole text into `rows`, and again into `columns` unless `loadColumns: false`;
/// `rowLimit: 0` makes the initializer parse the header row only, so the text is parsed once, here.)
func swiftCSV(_ input: Input, _ sink: @escaping Sink) throws {
    let csv = try EnumeratedCSV(string: input.text, delimiter: .comma, loadColumns: false, rowLimit: 0)
    try csv.enumerateAsArray(startAt: 0, rowLimit: nil, sink)
}

/// yaslab/CSV.swift from a String (it walks the string's unicode scalars).
func yaslabString(_ input: Input, _ sink: @escaping Sink) throws {
    let reader = try CSVReader(string: input.text)
    while let row = reader.next() { sink(row) }
    if let e = reader.error { throw e }
}

/// yaslab/CSV.swift from an InputStream over the bytes (its streaming API; it decodes UTF-8 itself).
func yaslabStream(_ input: Input, _ sink: @escaping Sink) throws {
    let reader = try CSVReader(stream: InputStream(data: input.data))
    while let row = reader.next() { sink(row) }
    if let e = reader.error { throw e }
}

let swiftCSVVersion = "0.10.0", yaslabVersion = "2.5.2"
let readers: [Reader] = [
    Reader(name: "Ouro CSVParser, whole buffer", run: ouro(chunk: nil)),
    Reader(name: "Ouro CSVParser, 64 KiB chunks", run: ouro(chunk: 64 << 10)),
    Reader(name: "Ouro CSVParser, 1 MiB chunks", run: ouro(chunk: 1 << 20)),
    Reader(name: "SwiftCSV \(swiftCSVVersion) enumerateAsArray", run: swiftCSV),
    Reader(name: "CSV.swift \(yaslabVersion) CSVReader(string:)", run: yaslabString),
    Reader(name: "CSV.swift \(yaslabVersion) CSVReader(stream:)", run: yaslabStream),
]

// MARK: - Checking

struct Expected: Decodable {
    let records: Int
    let fields: Int
    let sha256: String
}

/// Compares a reader's records with Ouro's, one by one, and hashes them as make_csv.py does.
final class Checker {
    let reference: [[String]]?
    var records = 0, fields = 0, differing = 0
    var examples: [(Int, [String])] = []
    var hash = SHA256()
    var buffer: [UInt8] = []

    init(reference: [[String]]?) { self.reference = reference }

    func take(_ row: [String]) {
        buffer.removeAll(keepingCapacity: true)
        for f in row {
            buffer.append(contentsOf: f.utf8)
            buffer.append(0x1F)
        }
        buffer.append(0x1E)
        hash.update(data: buffer)
        if let ref = reference {
            if records >= ref.count || ref[records] != row {
                differing += 1
                if examples.count < 3 { examples.append((records, row)) }
            }
        }
        records += 1
        fields += row.count
    }

    var digest: String { hash.finalize().map { String(format: "%02x", $0) }.joined() }
}

func show(_ row: [String], limit: Int = 160) -> String {
    let s = row.description
    return s.count <= limit ? s : String(s.prefix(limit)) + "… (\(row.count) fields)"
}

// MARK: - Timing

func seconds(_ d: Duration) -> Double {
    let c = d.components
    return Double(c.seconds) + Double(c.attoseconds) * 1e-18
}

func bestOf(_ runs: Int, _ body: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    var best = Double.infinity
    for _ in 0..<runs {
        let t0 = clock.now
        try body()
        best = min(best, seconds(clock.now - t0))
    }
    return best
}

final class Counter {
    var records = 0, fields = 0
}

func fmt(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }

func grouped(_ n: Int) -> String {
    let s = String(n)
    var out = ""
    for (i, ch) in s.enumerated() {
        if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
        out.append(ch)
    }
    return out
}

// MARK: - Malformed input

let malformed: [(String, String)] = [
    ("unterminated quote (record 2, line 3)", "id,text\r\n1,ok\r\n2,\"never closed\r\n3,more\r\n4,last\r\n"),
    ("stray character after a closing quote (line 3)", "id,text\r\n1,ok\r\n2,\"quoted\"x,\r\n3,more\r\n4,last\r\n"),
    ("quote inside an unquoted field (line 3)", "id,text\r\n1,ok\r\n2,a 5\" disk\r\n3,last\r\n"),
]

@MainActor func malformedReport() {
    print("\n## Malformed input\n")
    for (what, text) in malformed {
        print("### \(what): \(text.debugDescription)")
        let bytes = Array(text.utf8)
        let input = Input(name: "bad.csv", bytes: bytes, data: Data(bytes), text: text)
        for reader in readers where !reader.name.contains("chunks") {
            var rows: [[String]] = []
            do {
                try reader.run(input) { rows.append($0) }
                let shown = rows.map { $0.description }.joined(separator: " ")
                print("- \(reader.name): no error; \(rows.count) records: \(shown)")
            } catch {
                print("- \(reader.name): error: \(String(describing: error)) (after \(rows.count) records)")
            }
        }
        print("")
    }
}

// MARK: - Main

var args = Array(CommandLine.arguments.dropFirst())
var runs = Int(ProcessInfo.processInfo.environment["CSV_BENCH_RUNS"] ?? "") ?? 3
if let k = args.firstIndex(of: "--runs"), k + 1 < args.count, let n = Int(args[k + 1]) {
    runs = n
    args.removeSubrange(k...(k + 1))
}
if args.isEmpty {
    FileHandle.standardError.write("usage: CSVBench [--runs N] FILE.csv...\n".data(using: .utf8)!)
    exit(2)
}

var table: [String] = []
var exitCode: Int32 = 0
for path in args {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    let bytes = [UInt8](data)
    let clock = ContinuousClock()
    var text = ""
    let decode = bestOf(runs) { text = String(decoding: bytes, as: UTF8.self) }
    let input = Input(name: path, bytes: bytes, data: data, text: text)
    let mb = Double(bytes.count) / 1e6
    let file = (path as NSString).lastPathComponent
    let expected = try? JSONDecoder().decode(Expected.self, from: Data(contentsOf: URL(fileURLWithPath: path + ".expect")))
    print("\n## \(file): \(fmt(mb, 1)) MB" + (expected.map { ", \(grouped($0.records)) records, \(grouped($0.fields)) fields (Python's csv module)" } ?? ""))
    print("UTF-8 bytes → String (the libraries' input, not timed below): \(fmt(decode, 3)) s")

    // Ouro's records are the reference for the record-by-record comparison.
    var reference: [[String]] = []
    do { try readers[0].run(input) { reference.append($0) } } catch {
        print("Ouro failed: \(error)")
        exitCode = 1
        continue
    }

    var ourSeconds = Double.nan
    for reader in readers {
        let check = Checker(reference: reader.name == readers[0].name ? nil : reference)
        let t0 = clock.now
        var failure: String?
        do { try reader.run(input, check.take) } catch { failure = String(describing: error) }
        let checkSeconds = seconds(clock.now - t0)
        var problems: [String] = []
        if let f = failure { problems.append("threw: \(f)") }
        if let e = expected {
            if check.records != e.records { problems.append("\(grouped(check.records)) records, expected \(grouped(e.records))") }
            if check.fields != e.fields { problems.append("\(grouped(check.fields)) fields, expected \(grouped(e.fields))") }
            if check.digest != e.sha256 { problems.append("field contents differ from what Python wrote (SHA-256)") }
        }
        if check.differing > 0 {
            problems.append("\(grouped(check.differing)) of \(grouped(check.records)) records differ from Ouro's")
        }
        let agrees = problems.isEmpty
        print("\n\(reader.name): " + (agrees ? "agrees (\(grouped(check.records)) records, \(grouped(check.fields)) fields, SHA-256 matches)" : "DISAGREES"))
        for p in problems { print("  - \(p)") }
        for (i, row) in check.examples {
            print("  record \(i): got      \(show(row))")
            print("  record \(i): expected \(i < reference.count ? show(reference[i]) : "(none)")")
        }
        if failure != nil { table.append("| \(file) | \(reader.name) | no (throws) | | | | |"); continue }

        // Skip re-timing a reader whose single checked pass already took long (SwiftCSV, yaslab's stream).
        let n = checkSeconds > 20 ? 1 : runs
        let counter = Counter()
        let best = try bestOf(n) {
            counter.records = 0
            counter.fields = 0
            try reader.run(input) { row in
                counter.records += 1
                counter.fields += row.count
            }
        }
        if reader.name == readers[0].name { ourSeconds = best }
        let ratio = best / ourSeconds
        print("  best of \(n): \(fmt(best, 3)) s, \(fmt(mb / best, 1)) MB/s, \(grouped(Int(Double(counter.records) / best))) records/s"
              + (reader.name == readers[0].name ? ""
                 : reader.name.hasPrefix("Ouro") ? "; \(fmt(ratio, 2))× the whole-buffer time"
                 : "; \(fmt(ratio, 2))× Ouro's time (whole buffer)"))
        table.append("| \(file) | \(reader.name) | \(agrees ? "yes" : "**no**") | \(fmt(best, 3)) | \(fmt(mb / best, 1)) | \(grouped(Int(Double(counter.records) / best))) | \(reader.name == readers[0].name ? "1.00 (ours)" : fmt(ratio, 2)) |")
        if !agrees && reader.name.hasPrefix("Ouro") { exitCode = 1 }
    }
}

print("\n## Summary (best of \(runs) unless a checked pass took over 20 s: then 1 run)\n")
print("| file | reader | agrees with Python's csv | best s | MB/s | records/s | their time / Ouro's |")
print("| --- | --- | --- | ---: | ---: | ---: | ---: |")
for line in table { print(line) }

malformedReport()
exit(exitCode)
