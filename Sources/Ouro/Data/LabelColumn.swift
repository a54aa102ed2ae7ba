/// One label of one document: a string, a number, or missing.
public enum LabelValue: Equatable, Hashable, Sendable, CustomStringConvertible {
    case string(String)
    case number(Double)
    case missing

    public var description: String {
        switch self {
        case .string(let s): return s
        case .number(let x): return LabelValue.format(x)
        case .missing: return "missing"
        }
    }

    /// A number as text: integers without a fractional part (`4`, not `4.0`), others in the shortest
    /// form that round-trips.
    public static func format(_ x: Double) -> String {
        if x.isFinite && x == x.rounded() && abs(x) < 9.007199254740992e15 { return String(Int64(x)) }
        return "\(x)"
    }
}

/// A typed label column: one value per document.
///
/// A column is numeric when every present value is a number, a string column otherwise (numbers in a
/// string column keep their text form: `4`, `2.5`). Missing values are `nil`.
public enum LabelColumn: Equatable, Sendable {
    case strings([String?])
    case numbers([Double?])

    /// Number of documents.
    public var count: Int {
        switch self {
        case .strings(let a): return a.count
        case .numbers(let a): return a.count
        }
    }

    /// Whether the column is numeric.
    public var isNumeric: Bool { if case .numbers = self { return true } else { return false } }

    /// The value of document `i` (0-based).
    public subscript(i: Int) -> LabelValue {
        switch self {
        case .strings(let a): return a[i].map(LabelValue.string) ?? .missing
        case .numbers(let a): return a[i].map(LabelValue.number) ?? .missing
        }
    }

    /// The column restricted to `indices`, in that order.
    /// - Complexity: O(indices.count).
    public func gather(_ indices: [Int]) -> LabelColumn {
        switch self {
        case .strings(let a): return .strings(indices.map { a[$0] })
        case .numbers(let a): return .numbers(indices.map { a[$0] })
        }
    }

    /// A column of `count` missing values of the given type.
    static func missing(_ count: Int, numeric: Bool) -> LabelColumn {
        numeric ? .numbers(Array(repeating: nil, count: count)) : .strings(Array(repeating: nil, count: count))
    }

    /// Typed column from raw values: numbers only → numeric; any string → strings (numbers formatted).
    /// An all-missing column is a string column.
    static func build(_ values: [LabelValue]) -> LabelColumn {
        var sawNumber = false, sawString = false
        for v in values {
            switch v {
            case .number: sawNumber = true
            case .string: sawString = true
            case .missing: break
            }
        }
        if sawNumber && !sawString {
            return .numbers(values.map { if case .number(let x) = $0 { return x } else { return nil } })
        }
        return .strings(values.map {
            switch $0 {
            case .string(let s): return s
            case .number(let x): return LabelValue.format(x)
            case .missing: return nil
            }
        })
    }

    /// The values as an array of `LabelValue`.
    var values: [LabelValue] { (0..<count).map { self[$0] } }
}
