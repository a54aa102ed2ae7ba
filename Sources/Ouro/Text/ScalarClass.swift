/// Classification of Unicode scalars for the word tokenizer (internal).
///
/// ASCII goes through a 128-entry table; other scalars through the standard library's Unicode
/// properties (general category, `Emoji`, `White_Space`).
enum ScalarClass: UInt8 {
    case space        // White_Space, ZWSP, BOM
    case letter       // L*, No/Nl (², Ⅳ), treated as word characters
    case digit        // Nd
    case mark         // Mn, Mc, Me: continue a word
    case joiner       // Cf (ZWJ, ZWNJ, …): continue a word or an emoji, otherwise ignored
    case emoji        // Emoji property, not a letter or digit (outside ASCII)
    case control      // Cc, unassigned: ignored
    case punct        // everything else: punctuation and symbols

    @inline(__always)
    static func of(_ v: UInt32) -> ScalarClass {
        if v < 0x80 { return asciiTable[Int(v)] }
        return nonASCII(v)
    }

    static let asciiTable: [ScalarClass] = (0..<128).map { (i: Int) -> ScalarClass in
        switch i {
        case 0x09...0x0D, 0x20: return .space
        case 0x30...0x39: return .digit
        case 0x41...0x5A, 0x61...0x7A: return .letter
        case 0..<0x20, 0x7F: return .control
        default: return .punct
        }
    }

    static func nonASCII(_ v: UInt32) -> ScalarClass {
        if TextNormalizer.isUnicodeSpace(v) || v == 0x200B || v == 0xFEFF { return .space }
        guard let s = Unicode.Scalar(v) else { return .control }
        let p = s.properties
        switch p.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .letterNumber, .otherNumber:
            return .letter
        case .decimalNumber: return .digit
        case .nonspacingMark, .spacingMark, .enclosingMark:
            // U+20E3 COMBINING ENCLOSING KEYCAP and variation selectors are handled by the emoji scan.
            return .mark
        case .format: return .joiner
        case .control, .unassigned, .surrogate, .privateUse: return .control
        default:
            return p.isEmoji ? .emoji : .punct
        }
    }

    @inline(__always) var isWordChar: Bool {
        self == .letter || self == .digit || self == .mark || self == .joiner
    }
    @inline(__always) var isAlnum: Bool { self == .letter || self == .digit }
}

/// Scalar values the tokenizer refers to by name.
enum Sc {
    static let apostrophe: UInt32 = 0x27      // '
    static let rightSingleQuote: UInt32 = 0x2019  // ’ (typographic apostrophe)
    static let hyphen: UInt32 = 0x2D
    static let underscore: UInt32 = 0x5F
    static let dot: UInt32 = 0x2E
    static let comma: UInt32 = 0x2C
    static let colon: UInt32 = 0x3A
    static let at: UInt32 = 0x40
    static let hash: UInt32 = 0x23
    static let star: UInt32 = 0x2A
    static let plus: UInt32 = 0x2B
    static let slash: UInt32 = 0x2F
    static let zwj: UInt32 = 0x200D
    static let vs16: UInt32 = 0xFE0F
    static let vs15: UInt32 = 0xFE0E
    static let keycap: UInt32 = 0x20E3
    static let ellipsis: UInt32 = 0x2026

    @inline(__always) static func isApostrophe(_ v: UInt32) -> Bool { v == apostrophe || v == rightSingleQuote }
    @inline(__always) static func isSkinTone(_ v: UInt32) -> Bool { v >= 0x1F3FB && v <= 0x1F3FF }
    @inline(__always) static func isRegionalIndicator(_ v: UInt32) -> Bool { v >= 0x1F1E6 && v <= 0x1F1FF }
    @inline(__always) static func isTag(_ v: UInt32) -> Bool { v >= 0xE0020 && v <= 0xE007F }
    @inline(__always) static func isASCIILetter(_ v: UInt32) -> Bool {
        (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A)
    }
    @inline(__always) static func isASCIIDigit(_ v: UInt32) -> Bool { v >= 0x30 && v <= 0x39 }
    @inline(__always) static func lower(_ v: UInt32) -> UInt32 {
        (v >= 0x41 && v <= 0x5A) ? v + 0x20 : v
    }
}
