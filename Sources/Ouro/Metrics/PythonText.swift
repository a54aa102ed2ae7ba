import Foundation

/// Python 3 `str` semantics that reference implementations (vaderSentiment, sacreBLEU) depend on.
///
/// Python works on code points, compares them literally and has its own whitespace and case rules;
/// Swift's `String` compares by canonical equivalence and splits by grapheme. Every helper here
/// works on Unicode scalars or UTF-8 bytes so that results equal CPython 3.11's, code point by code point.
enum PythonText {
    /// `Py_UNICODE_ISSPACE`: the characters `str.split()` and `str.strip()` treat as whitespace.
    @inline(__always)
    static func isSpace(_ v: UInt32) -> Bool {
        switch v {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// `s.split()` (no argument): runs of Python whitespace separate fields; no empty fields.
    /// - Complexity: O(n) in the number of scalars.
    static func split(_ scalars: some Collection<Unicode.Scalar>) -> [[Unicode.Scalar]] {
        var out: [[Unicode.Scalar]] = []
        forEachField(scalars) { out.append(Array($0)) }
        return out
    }

    /// Calls `body` with each field of `str.split()` in order, reusing one buffer.
    static func forEachField(_ scalars: some Sequence<Unicode.Scalar>, _ body: (ArraySlice<Unicode.Scalar>) -> Void) {
        var cur: [Unicode.Scalar] = []
        cur.reserveCapacity(32)
        for s in scalars {
            if isSpace(s.value) {
                if !cur.isEmpty { body(cur[...]); cur.removeAll(keepingCapacity: true) }
            } else {
                cur.append(s)
            }
        }
        if !cur.isEmpty { body(cur[...]) }
    }

    /// `s.strip()` (no argument) on a scalar array.
    static func strip(_ s: [Unicode.Scalar]) -> ArraySlice<Unicode.Scalar> {
        var lo = s.startIndex, hi = s.endIndex
        while lo < hi, isSpace(s[lo].value) { lo += 1 }
        while hi > lo, isSpace(s[hi - 1].value) { hi -= 1 }
        return s[lo..<hi]
    }

    /// `s.strip()` (no argument) on a `String`.
    static func strip(_ s: String) -> String {
        let scalars = Array(s.unicodeScalars)
        let stripped = strip(scalars)
        if stripped.count == scalars.count { return s }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: stripped)
        return String(out)
    }

    /// `string.punctuation`: the 32 ASCII punctuation characters.
    @inline(__always)
    static func isASCIIPunctuation(_ v: UInt32) -> Bool {
        (0x21...0x2F).contains(v) || (0x3A...0x40).contains(v) || (0x5B...0x60).contains(v) || (0x7B...0x7E).contains(v)
    }

    /// `str.isupper()`: at least one cased character and no lowercase or titlecase one.
    static func isUpper(_ s: [Unicode.Scalar]) -> Bool {
        var cased = false
        for c in s {
            if c.isASCII {
                let v = c.value
                if v >= 0x61 && v <= 0x7A { return false }
                if v >= 0x41 && v <= 0x5A { cased = true }
                continue
            }
            let p = c.properties
            if p.isLowercase || p.generalCategory == .titlecaseLetter { return false }
            if p.isUppercase { cased = true }
        }
        return cased
    }

    /// `str.lower()` as UTF-8 bytes: full lowercase mapping, with Python's final-sigma rule.
    static func lowerUTF8(_ s: [Unicode.Scalar]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        for (i, c) in s.enumerated() {
            let v = c.value
            if v < 0x80 {
                out.append(UInt8(v >= 0x41 && v <= 0x5A ? v + 32 : v))
            } else if v == 0x03A3 {
                let final = finalSigma(s, i)
                appendUTF8(final ? "\u{03C2}" : "\u{03C3}", to: &out)
            } else {
                appendUTF8(c.properties.lowercaseMapping, to: &out)
            }
        }
        return out
    }

    /// CPython's `handle_capital_sigma`: a cased letter before (skipping case-ignorables), none after.
    private static func finalSigma(_ s: [Unicode.Scalar], _ i: Int) -> Bool {
        var j = i - 1
        while j >= 0, s[j].properties.isCaseIgnorable { j -= 1 }
        let before = j >= 0 && s[j].properties.isCased
        guard before else { return false }
        var k = i + 1
        while k < s.count, s[k].properties.isCaseIgnorable { k += 1 }
        return !(k < s.count && s[k].properties.isCased)
    }

    @inline(__always)
    static func appendUTF8(_ s: String, to out: inout [UInt8]) {
        out.append(contentsOf: s.utf8)
    }

    static func utf8(_ s: some Collection<Unicode.Scalar>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        for c in s { out.append(contentsOf: UTF8.encode(c)!) }
        return out
    }

    /// Whether `needle` occurs in `haystack` (byte-wise, which is code-point-wise for UTF-8).
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        if needle.isEmpty { return true }
        var i = 0
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == needle[0] {
                var k = 1
                while k < needle.count, haystack[i + k] == needle[k] { k += 1 }
                if k == needle.count { return true }
            }
            i += 1
        }
        return false
    }

    /// Python's `round(x, digits)` for a float: the double nearest to the decimal obtained by rounding
    /// the exact binary value of `x` half-to-even at `digits` places.
    static func round(_ x: Double, _ digits: Int) -> Double {
        guard x.isFinite else { return x }
        var p = 1.0
        for _ in 0..<digits { p *= 10 }
        let y = x * p
        let frac = abs(y - y.rounded(.towardZero))
        if abs(frac - 0.5) > 1e-6 {
            // Far from a tie: the rounding error of `x * p` (≤ ½ ulp) cannot change the decision, and
            // r / p is correctly rounded, i.e. equal to strtod of the decimal Python prints.
            return y.rounded(.toNearestOrEven) / p
        }
        // Near a tie: let glibc round the exact binary value (half-even), as CPython's dtoa does.
        return Double(String(format: "%.\(digits)f", x)) ?? y.rounded(.toNearestOrEven) / p
    }
}

/// A string key compared code point by code point (UTF-8 bytes), as Python compares `str`.
struct ByteKey: Hashable {
    var bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    init(_ s: String) { self.bytes = Array(s.utf8) }
}
