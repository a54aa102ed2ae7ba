import Foundation

/// An error from loading, saving or transforming data. Its description names the file and, where
/// there is one, the line: `tweets.jsonl:812: invalid JSON: …`, `reviews.csv: no column 'body'
/// (columns: id, text, stars)`, `empty.jsonl: no documents`, or just the message for errors that
/// concern no file (`cannot sample 10 of 3 documents`).
public struct DataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file's name as shown in messages (the last path component), if the error concerns a file.
    public let file: String?
    /// The 1-based line in `file` (for CSV: the line where the record starts), if known.
    public let line: Int?
    /// What went wrong.
    public let message: String

    public init(file: String? = nil, line: Int? = nil, _ message: String) {
        self.file = file.map { ($0 as NSString).lastPathComponent }
        self.line = line
        self.message = message
    }

    public var description: String {
        switch (file, line) {
        case let (f?, l?): return "\(f):\(l): \(message)"
        case let (f?, nil): return "\(f): \(message)"
        default: return message
        }
    }
}
