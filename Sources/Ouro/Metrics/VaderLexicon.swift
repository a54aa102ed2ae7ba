import Foundation

/// The two lexicons of VADER (Hutto & Gilbert, ICWSM 2014) as shipped in `vaderSentiment` 3.3.2:
/// word/emoticon valences (`vader_lexicon.txt`) and emoji descriptions (`emoji_utf8_lexicon.txt`).
///
/// Parsed exactly as `SentimentIntensityAnalyzer.make_lex_dict` / `make_emoji_dict` do: one entry per
/// line, `line.strip().split('\t')[0:2]`, later duplicates replace earlier ones.
public final class VaderLexicon: Sendable {
    /// Valence of each lexicon entry, keyed by its UTF-8 bytes.
    let valences: [ByteKey: Double]
    /// Descriptions of the emoji that are a single code point: `polarity_scores` looks emoji up one
    /// code point at a time, so multi-code-point entries can never match and are left out.
    let emojis: [UInt32: [Unicode.Scalar]]
    /// Whether an ASCII character has an emoji entry (then ASCII text cannot skip the emoji pass).
    let hasASCIIEmoji: Bool
    /// Every word the rules look at, interned, with its attributes.
    let words: VaderWords

    /// Number of word/emoticon entries.
    public var wordCount: Int { valences.count }

    /// Parses the contents of the two lexicon files.
    /// - Parameters:
    ///   - lexiconText: the text of `vader_lexicon.txt`.
    ///   - emojiText: the text of `emoji_utf8_lexicon.txt`.
    /// - Throws: `VaderLexicon.Error.malformedLine` for a line without a tab-separated value.
    /// - Complexity: O(size of the files).
    public init(lexiconText: String, emojiText: String) throws {
        var valences: [ByteKey: Double] = [:]
        for line in Self.lines(lexiconText) where !line.isEmpty {
            let fields = Self.fields(line)
            guard fields.count >= 2, let value = Double(String(String.UnicodeScalarView(fields[1]))) else {
                throw Error.malformedLine(file: "vader_lexicon.txt", line: String(String.UnicodeScalarView(line)))
            }
            valences[ByteKey(PythonText.utf8(fields[0]))] = value
        }
        var emojis: [UInt32: [Unicode.Scalar]] = [:]
        for line in Self.lines(emojiText) {
            let fields = Self.fields(line)
            guard fields.count >= 2 else {
                throw Error.malformedLine(file: "emoji_utf8_lexicon.txt", line: String(String.UnicodeScalarView(line)))
            }
            if fields[0].count == 1 { emojis[fields[0][0].value] = fields[1] }
        }
        self.valences = valences
        self.emojis = emojis
        self.hasASCIIEmoji = emojis.keys.contains { $0 < 0x80 }
        self.words = VaderWords(valences: valences)
    }

    /// Loads `vader_lexicon.txt` and `emoji_utf8_lexicon.txt` from a directory (e.g. the
    /// `vaderSentiment/` folder of the pinned sdist).
    /// - Parameter directory: the folder holding both files.
    /// - Throws: `VaderLexicon.Error.missingFile` naming the file and how to fetch it.
    public static func load(directory: URL) throws -> VaderLexicon {
        func read(_ name: String) throws -> String {
            let url = directory.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw Error.missingFile(url.path)
            }
            return String(decoding: data, as: UTF8.self)
        }
        return try VaderLexicon(lexiconText: read("vader_lexicon.txt"), emojiText: read("emoji_utf8_lexicon.txt"))
    }

    /// Problems loading a lexicon.
    public enum Error: Swift.Error, CustomStringConvertible {
        case missingFile(String)
        case malformedLine(file: String, line: String)

        public var description: String {
            switch self {
            case .missingFile(let path):
                return "VADER lexicon not found at \(path); run scripts/fetch-package.sh vaderSentiment and extract vaderSentiment/ from the sdist"
            case .malformedLine(let file, let line):
                return "\(file): malformed line \(line.debugDescription)"
            }
        }
    }

    /// `text.rstrip('\n').split('\n')`, on code points.
    private static func lines(_ text: String) -> [[Unicode.Scalar]] {
        var scalars = Array(text.unicodeScalars)
        while scalars.last == "\n" { scalars.removeLast() }
        return scalars.split(separator: "\n", omittingEmptySubsequences: false).map(Array.init)
    }

    /// `line.strip().split('\t')`.
    private static func fields(_ line: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        Array(PythonText.strip(line)).split(separator: "\t", omittingEmptySubsequences: false).map(Array.init)
    }
}
