import Foundation

/// Unicode normalisation applied before tokenization: canonical composition (NFC) and whitespace folding.
///
/// `normalize(_:)` is what every tokenizer sees, so two texts that differ only in Unicode encoding
/// (`é` as one scalar or as `e` + U+0301) or in spacing (tabs, newlines, no-break spaces, runs of
/// spaces) give the same tokens and the same dedup key.
public enum TextNormalizer {
    /// The text in NFC, with every run of whitespace folded to one ASCII space, leading and trailing
    /// whitespace removed, and invisible characters dropped.
    ///
    /// Whitespace is Unicode `White_Space` (tab, newline, CR, no-break space, U+2000–U+200A, U+3000, …).
    /// Dropped: control characters other than whitespace (C0, DEL, C1), U+200B ZERO WIDTH SPACE and
    /// U+FEFF (byte-order mark). Zero-width joiners and variation selectors are kept (emoji need them).
    /// - Parameter text: any string.
    /// - Returns: the normalised string; idempotent (`normalize(normalize(x)) == normalize(x)`).
    /// - Complexity: O(n) in the UTF-8 length; text whose scalars are all below U+0300 skips the
    ///   NFC step (such text is already in NFC).
    public static func normalize(_ text: String) -> String {
        foldWhitespace(nfc(text))
    }

    /// The text in Unicode Normalization Form C (canonical decomposition, then canonical composition).
    /// - Complexity: O(n); O(n) with a single scan when the text has no scalar ≥ U+0300.
    public static func nfc(_ text: String) -> String {
        // Every scalar below U+0300 has NFC_Quick_Check = Yes and canonical combining class 0, so a
        // string of such scalars is already NFC. In UTF-8 those are the bytes < 0xCC as lead bytes.
        var needsWork = false
        for b in text.utf8 where b >= 0xCC && b & 0xC0 != 0x80 {
            needsWork = true
            break
        }
        if !needsWork { return text }
        // The standard library's own normaliser (the one String comparison uses); exact and fast.
        return String(decoding: text._nfcCodeUnits, as: UTF8.self)
    }

    /// The text with whitespace runs folded to one space, ends trimmed, and invisible/control
    /// characters dropped (see `normalize(_:)`); no NFC step.
    /// - Complexity: O(n) in the UTF-8 length.
    public static func foldWhitespace(_ text: String) -> String {
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            let v = scalar.value
            switch scalarKind(v) {
            case .space:
                if !out.isEmpty { pendingSpace = true }
            case .drop:
                continue
            case .keep:
                if pendingSpace { out.append(0x20); pendingSpace = false }
                if v < 0x80 {
                    out.append(UInt8(v))
                } else {
                    out.append(contentsOf: scalar.utf8)
                }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    enum ScalarKind { case space, drop, keep }

    /// How the folding pass treats one scalar.
    @inline(__always)
    static func scalarKind(_ v: UInt32) -> ScalarKind {
        if v < 0x80 {
            if v == 0x20 || (v >= 0x09 && v <= 0x0D) { return .space }
            if v < 0x20 || v == 0x7F { return .drop }
            return .keep
        }
        if isUnicodeSpace(v) { return .space }
        if v < 0xA0 || v == 0x200B || v == 0xFEFF { return .drop }  // C1 controls, ZWSP, BOM
        return .keep
    }

    /// Unicode `White_Space` outside ASCII.
    @inline(__always)
    static func isUnicodeSpace(_ v: UInt32) -> Bool {
        switch v {
        case 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }
}
