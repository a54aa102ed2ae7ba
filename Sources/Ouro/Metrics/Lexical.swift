import Foundation

/// Lexical diversity measures on token lists.
///
/// `mattr`, `mtld` and `hdd` follow PyPI `lexical-diversity` 0.1.1 (`lex_div`) line by line, including
/// its edge cases (a list shorter than window + 1 falls back to TTR; HD-D is 0 below 42 tokens; a
/// division by zero yields 0). Tokens are compared code point by code point, as Python compares strings.
public enum Lexical {
    /// Dense ids for tokens, equal iff the tokens are equal as Python strings.
    static func ids(_ tokens: [String]) -> (ids: [Int32], types: Int) {
        var table: [ByteKey: Int32] = [:]
        var out = [Int32]()
        out.reserveCapacity(tokens.count)
        for t in tokens {
            let k = ByteKey(t)
            if let id = table[k] { out.append(id) } else {
                let id = Int32(table.count); table[k] = id; out.append(id)
            }
        }
        return (out, table.count)
    }

    /// Type–token ratio: distinct tokens ÷ tokens (0 for an empty list), `lex_div.ttr`.
    /// - Complexity: O(n).
    public static func ttr(_ tokens: [String]) -> Double {
        let (_, types) = ids(tokens)
        return tokens.isEmpty ? 0 : Double(types) / Double(tokens.count)
    }

    /// Number of distinct tokens.
    public static func uniqueWords(_ tokens: [String]) -> Int { ids(tokens).types }

    /// The study's short-prefix TTR: per text, the TTR of the whitespace tokens (Python `str.split()`)
    /// of its first 150 code points; averaged over texts (texts without tokens count as 0).
    /// - Parameters:
    ///   - texts: the posts.
    ///   - prefix: characters (code points) kept per post, 150 in the study.
    /// - Complexity: O(texts · prefix).
    public static func prefixTTR(_ texts: [String], prefix: Int = 150) -> Double {
        guard !texts.isEmpty else { return 0 }
        var sum = 0.0
        for t in texts {
            let head = t.unicodeScalars.prefix(prefix)
            let toks = PythonText.split(head).map { String(String.UnicodeScalarView($0)) }
            sum += ttr(toks)
        }
        return sum / Double(texts.count)
    }

    /// Moving-average TTR (Covington & McFall 2010) as `lex_div.mattr`: the mean TTR of every full
    /// window of `window` consecutive tokens; TTR of the whole list when it has ≤ `window` tokens.
    /// - Complexity: O(n) with a sliding count table.
    public static func mattr(_ tokens: [String], window: Int = 50) -> Double {
        let (x, types) = ids(tokens)
        if x.count < window + 1 { return x.isEmpty ? 0 : Double(types) / Double(x.count) }
        var counts = [Int32](repeating: 0, count: types)
        var distinct = 0
        for i in 0..<window { if counts[Int(x[i])] == 0 { distinct += 1 }; counts[Int(x[i])] += 1 }
        var sum = 0.0
        var windows = 0
        let w = Double(window)
        var start = 0
        while true {
            windows += 1
            sum += Double(distinct) / w
            if start + window >= x.count { break }
            let out = Int(x[start]), inn = Int(x[start + window])
            counts[out] -= 1; if counts[out] == 0 { distinct -= 1 }
            if counts[inn] == 0 { distinct += 1 }; counts[inn] += 1
            start += 1
        }
        return sum / Double(windows)
    }

    /// MTLD (McCarthy & Jarvis 2010) as `lex_div.mtld`: the mean of the forward and backward passes;
    /// each pass counts factors (segments whose TTR falls below `threshold` with ≥ `minLength` tokens)
    /// plus a partial factor for the remainder, and returns tokens ÷ factors.
    /// - Complexity: O(n).
    public static func mtld(_ tokens: [String], threshold: Double = 0.72, minLength: Int = 10) -> Double {
        let (x, types) = ids(tokens)
        let f = mtldPass(x, types: types, threshold: threshold, minLength: minLength)
        let b = mtldPass(Array(x.reversed()), types: types, threshold: threshold, minLength: minLength)
        return (f + b) / 2
    }

    static func mtldPass(_ x: [Int32], types: Int, threshold: Double, minLength: Int) -> Double {
        var counts = [Int32](repeating: 0, count: types)
        var touched: [Int32] = []
        var factor = 0.0
        var factorLengths = 0
        var distinct = 0, length = 0
        for (i, t) in x.enumerated() {
            let ti = Int(t)
            if counts[ti] == 0 { distinct += 1; touched.append(t) }
            counts[ti] += 1
            length += 1
            let ttr = Double(distinct) / Double(length)
            if i + 1 == x.count {
                factor += (1 - ttr) / (1 - threshold)
                factorLengths += length
            } else if ttr < threshold && length >= minLength {
                factor += 1
                factorLengths += length
                for u in touched { counts[Int(u)] = 0 }
                touched.removeAll(keepingCapacity: true)
                distinct = 0; length = 0
            }
        }
        return factor == 0 ? 0 : Double(factorLengths) / factor
    }

    /// HD-D (McCarthy & Jarvis 2007) as `lex_div.hdd`: Σ over types of
    /// (1 − P(type absent from a random sample of `sample` tokens)) ÷ `sample`, hypergeometric;
    /// 0 when the list has fewer than `sample` tokens.
    /// - Complexity: O(n + types · sample).
    public static func hdd(_ tokens: [String], sample: Int = 42) -> Double {
        let (x, types) = ids(tokens)
        let n = x.count
        guard n >= sample else { return 0 }
        var freq = [Int](repeating: 0, count: types)
        for t in x { freq[Int(t)] += 1 }
        let inv = 1.0 / Double(sample)
        var sum = 0.0
        for f in freq {
            // C(n − f, s) / C(n, s) = Π_{i<s} (n − f − i) / (n − i); 0 when n − f < s.
            var ratio = 0.0
            if n - f >= sample {
                ratio = 1.0
                for i in 0..<sample { ratio *= Double(n - f - i) / Double(n - i) }
            }
            sum += (1.0 - ratio) * inv
        }
        return sum
    }

    /// Distinct-n (Li et al. 2016): distinct n-grams ÷ n-grams, n-grams taken within each document.
    /// - Parameters:
    ///   - documents: token lists, one per document.
    ///   - n: the order (≥ 1).
    /// - Returns: 0 when there is no n-gram.
    /// - Complexity: O(total tokens · n).
    public static func distinct(_ documents: [[String]], n: Int) -> Double {
        precondition(n >= 1, "distinct-n needs n ≥ 1")
        let (flat, _) = ids(documents.flatMap { $0 })
        var seen = Set<[Int32]>()
        var total = 0
        var offset = 0
        for d in documents {
            if d.count >= n {
                for i in 0...(d.count - n) { seen.insert(Array(flat[(offset + i)..<(offset + i + n)])); total += 1 }
            }
            offset += d.count
        }
        return total == 0 ? 0 : Double(seen.count) / Double(total)
    }

    /// Shannon entropy (nats) of the word-frequency distribution: −Σ pᵢ ln pᵢ over distinct tokens.
    /// - Complexity: O(n).
    public static func wordEntropy(_ tokens: [String]) -> Double {
        let (x, types) = ids(tokens)
        guard !x.isEmpty else { return 0 }
        var counts = [Int](repeating: 0, count: types)
        for t in x { counts[Int(t)] += 1 }
        return Distances.entropy(counts: counts)
    }

    /// Share of unique documents: distinct texts (code-point equality) ÷ texts; 0 for none.
    public static func uniqueDocumentShare(_ texts: [String]) -> Double {
        guard !texts.isEmpty else { return 0 }
        return Double(Set(texts.map(ByteKey.init)).count) / Double(texts.count)
    }
}
