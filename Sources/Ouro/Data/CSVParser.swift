/// An RFC 4180 CSV parser fed chunk by chunk: `,` separates fields, CRLF / LF / CR end records,
/// fields in double quotes may hold separators, newlines and doubled quotes (`""` → `"`).
/// Lenient in one way: a `"` inside an unquoted field is kept literally. Blank lines are skipped.
@_spi(Bench) public struct CSVParser {
    private enum State { case fieldStart, unquoted, quoted, quoteInQuoted }
    private var state = State.fieldStart
    private var field: [UInt8] = []
    private var record: [String] = []
    private var afterCR = false
    /// The current line (1-based).
    private(set) var line = 1
    /// The line where the current record started.
    private(set) var recordLine = 1
    let file: String

    public init(file: String) { self.file = file }

    private mutating func endField() {
        record.append(String(decoding: field, as: UTF8.self))
        field.removeAll(keepingCapacity: true)
        state = .fieldStart
    }

    private mutating func endRecord(_ emit: ([String], Int) throws -> Void) throws {
        endField()
        if !(record.count == 1 && record[0].isEmpty) { try emit(record, recordLine) }
        record.removeAll(keepingCapacity: true)
    }

    /// Parses `bytes`, calling `emit(fields, line)` for each complete record.
    /// - Throws: `DataError` (`file:line: unexpected character after closing quote`) or what `emit` throws.
    public mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>, _ emit: ([String], Int) throws -> Void) throws {
        for c in bytes {
            if afterCR {
                afterCR = false
                if c == 0x0A { continue }   // the LF of a CRLF that already ended the record
            }
            switch state {
            case .fieldStart, .unquoted, .quoteInQuoted:
                switch c {
                case 0x2C:
                    endField()
                case 0x0A, 0x0D:
                    try endRecord(emit)
                    line += 1
                    recordLine = line
                    afterCR = c == 0x0D
                case 0x22 where state == .fieldStart:
                    state = .quoted
                case 0x22 where state == .quoteInQuoted:
                    field.append(0x22)
                    state = .quoted
                default:
                    if state == .quoteInQuoted {
                        throw DataError(file: file, line: line, "unexpected character after closing quote")
                    }
                    field.append(c)
                    state = .unquoted
                }
            case .quoted:
                if c == 0x22 {
                    state = .quoteInQuoted
                } else {
                    if c == 0x0A { line += 1 }
                    field.append(c)
                }
            }
        }
    }

    /// Ends the input: emits the last record if the file does not end with a newline.
    /// - Throws: `DataError` (`file:line: unterminated quoted field`, naming the record's first line).
    public mutating func finish(_ emit: ([String], Int) throws -> Void) throws {
        if state == .quoted {
            throw DataError(file: file, line: recordLine, "unterminated quoted field")
        }
        if state != .fieldStart || !record.isEmpty { try endRecord(emit) }
    }
}
