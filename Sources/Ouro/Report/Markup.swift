import Foundation

/// Escaping for XML/SVG and HTML text and attribute values.
enum Markup {
    /// Escapes `& < > " '` and replaces characters XML 1.0 forbids (C0 controls other than tab,
    /// line feed and carriage return; U+FFFE/U+FFFF) with U+FFFD, so that any string — a generated
    /// text included — is safe inside an element or a quoted attribute of SVG or HTML.
    /// - Complexity: O(n) in the string's length.
    static func escape(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        out.reserveCapacity(s.unicodeScalars.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            case "'": out.append(contentsOf: "&#39;".unicodeScalars)
            case "\t", "\n", "\r": out.append(u)
            default:
                if u.value < 0x20 || u.value == 0xFFFE || u.value == 0xFFFF { out.append("\u{FFFD}") } else { out.append(u) }
            }
        }
        return String(out)
    }
}

/// A minimal builder of indented-free SVG markup with escaped text and sorted-free attribute order
/// (attributes are written in the order given).
struct SVGWriter {
    private(set) var text = ""

    private mutating func start(_ name: String, _ attributes: KeyValuePairs<String, String>) {
        text += "<" + name
        for (k, v) in attributes { text += " " + k + "=\"" + Markup.escape(v) + "\"" }
    }

    /// `<name …>` to be closed by `close(name)`.
    mutating func open(_ name: String, _ attributes: KeyValuePairs<String, String> = [:]) {
        start(name, attributes); text += ">"
    }

    mutating func close(_ name: String) { text += "</" + name + ">\n" }

    /// `<name …/>`, or `<name …>text</name>` when text is given.
    mutating func leaf(_ name: String, _ attributes: KeyValuePairs<String, String> = [:], text content: String? = nil) {
        start(name, attributes)
        if let content { text += ">" + Markup.escape(content) + "</" + name + ">\n" } else { text += "/>\n" }
    }
}
