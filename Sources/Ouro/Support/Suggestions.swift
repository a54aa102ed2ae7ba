/// "Did you mean …?" for misspelt names (options, metrics, fields, data sets).
public enum Suggestions {
    /// The candidates closest to `name` by edit distance (case-insensitive), best first; only those
    /// within max(2, ⌊len/3⌋) edits, or having `name` as a prefix.
    public static func closest(to name: String, in candidates: [String], limit: Int = 3) -> [String] {
        let n = Array(name.lowercased())
        let bound = max(2, n.count / 3)
        let scored = candidates.compactMap { c -> (Int, String)? in
            let lc = c.lowercased()
            if lc.hasPrefix(String(n)) && !n.isEmpty { return (0, c) }
            // The distance is at least the difference in length: skip what cannot be within the bound
            // (a 100 kB name against short candidates would cost O(n·m) for nothing).
            guard abs(lc.count - n.count) <= bound else { return nil }
            let d = distance(n, Array(lc))
            return d <= bound ? (d, c) : nil
        }
        return scored.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }.prefix(limit).map(\.1)
    }

    /// " (did you mean 'x'?)", " (did you mean 'x' or 'y'?)", or "".
    public static func hint(for name: String, in candidates: [String]) -> String {
        let c = closest(to: name, in: candidates)
        switch c.count {
        case 0: return ""
        case 1: return " (did you mean '\(c[0])'?)"
        default: return " (did you mean " + c.dropLast().map { "'\($0)'" }.joined(separator: ", ") + " or '\(c.last!)'?)"
        }
    }

    /// Levenshtein distance with adjacent transpositions (optimal string alignment).
    public static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev2 = [Int](repeating: 0, count: b.count + 1)
        var prev = Array(0...b.count)
        var cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    cur[j] = min(cur[j], prev2[j - 2] + 1)
                }
            }
            (prev2, prev, cur) = (prev, cur, prev2)
        }
        return prev[b.count]
    }
}
