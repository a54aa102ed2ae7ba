/// Options of `Dataset.filter(_:)`, applied in this order: strip links, drop trailing hashtags
/// (both edit the text and re-tokenize it), token-count bounds, dedup.
public struct FilterOptions: Sendable, Equatable {
    /// Keep documents with at least this many tokens (inclusive).
    public var minTokens: Int?
    /// Keep documents with at most this many tokens (inclusive).
    public var maxTokens: Int?
    /// Remove URLs (as the word tokenizer recognises them) from the text, then re-tokenize.
    public var stripLinks: Bool
    /// Remove the run of #hashtags that ends a text, then re-tokenize.
    public var dropTrailingHashtags: Bool
    /// Keep only the first of documents whose normalised texts (`TextNormalizer.normalize`) are equal.
    public var dedup: Bool

    public init(minTokens: Int? = nil, maxTokens: Int? = nil, stripLinks: Bool = false,
                dropTrailingHashtags: Bool = false, dedup: Bool = false) {
        self.minTokens = minTokens
        self.maxTokens = maxTokens
        self.stripLinks = stripLinks
        self.dropTrailingHashtags = dropTrailingHashtags
        self.dedup = dedup
    }
}

extension Dataset {
    // MARK: - Selection

    /// The documents at `indices`, in that order (indices may repeat).
    /// - Complexity: O(indices.count + tokens selected).
    public func select(_ indices: [Int]) -> Dataset {
        var ids = [UInt32]()
        var offs = [0]
        offs.reserveCapacity(indices.count + 1)
        var total = 0
        for i in indices { total += offsets[i + 1] - offsets[i] }
        ids.reserveCapacity(total)
        tokenIDs.withUnsafeBufferPointer { buf in
            for i in indices {
                ids.append(contentsOf: UnsafeBufferPointer(rebasing: buf[offsets[i]..<offsets[i + 1]]))
                offs.append(ids.count)
            }
        }
        return Dataset(tokenIDs: ids, offsets: offs, texts: indices.map { texts[$0] },
                       columnNames: columnNames, columns: columns.map { $0.gather(indices) }, tokenizer: tokenizer, name: name)
    }

    /// The documents for which `predicate(index)` is true (0-based indices), in order.
    /// - Complexity: O(count) calls of `predicate`.
    public func filter(where predicate: (Int) throws -> Bool) rethrows -> Dataset {
        var keep = [Int]()
        for i in 0..<count where try predicate(i) { keep.append(i) }
        return select(keep)
    }

    /// Documents `from..<to` (0-based, half-open; Lua's 1-based inclusive `d:slice(a, b)` is
    /// `slice(a - 1, b)`). Bounds are clamped to `0...count`; an empty range gives an empty dataset.
    public func slice(_ from: Int, _ to: Int) -> Dataset {
        let a = min(max(from, 0), count), b = min(max(to, a), count)
        return select(Array(a..<b))
    }

    /// `n` documents drawn without replacement, in the order drawn.
    /// The draw depends only on `seed` (stream `(seed, "sample")`) and `count`.
    /// - Throws: `DataError` if `n < 0` or `n > count`.
    public func sample(_ n: Int, seed: UInt64) throws -> Dataset {
        guard n >= 0 else { throw DataError("cannot sample a negative number of documents (\(n))") }
        guard n <= count else { throw DataError("cannot sample \(n) documents from a dataset of \(count)") }
        var rng = Xoshiro256(seed: seed, "sample")
        return select(rng.sampleIndices(n, from: count))
    }

    /// All documents in a random order that depends only on `seed` (stream `(seed, "shuffle")`).
    public func shuffled(seed: UInt64) -> Dataset {
        var rng = Xoshiro256(seed: seed, "shuffle")
        var idx = Array(0..<count)
        rng.shuffle(&idx)
        return select(idx)
    }

    /// Disjoint random parts with the given fractions of the documents.
    ///
    /// The documents are shuffled (stream `(seed, "split")`), then cut at the cumulative boundaries
    /// `round(count · (f₁ + … + fₖ))`; if the fractions sum to 1 (within 1e-9) the last part takes
    /// the rest, if they sum to less the remainder is left out.
    /// - Throws: `DataError` if a fraction is negative or not finite or they sum to more than 1.
    public func split(fractions: [Double], seed: UInt64) throws -> [Dataset] {
        guard !fractions.isEmpty else { throw DataError("split needs at least one fraction") }
        for f in fractions where !(f.isFinite && f >= 0) {
            throw DataError("split fractions must be non-negative numbers (got \(f))")
        }
        let sum = fractions.reduce(0, +)
        guard sum <= 1 + 1e-9 else { throw DataError("split fractions sum to \(sum), more than 1") }
        var rng = Xoshiro256(seed: seed, "split")
        var idx = Array(0..<count)
        rng.shuffle(&idx)
        var parts: [Dataset] = []
        var acc = 0.0, start = 0
        for (k, f) in fractions.enumerated() {
            acc += f
            var end = Int((Double(count) * acc).rounded())
            if k == fractions.count - 1 && abs(sum - 1) <= 1e-9 { end = count }
            end = min(max(end, start), count)
            parts.append(select(Array(idx[start..<end])))
            start = end
        }
        return parts
    }

    /// The documents of all datasets, in order. Label columns are the union (first-seen order);
    /// a document from a dataset without a column gets `.missing`; a column that is numeric in one
    /// dataset and string in another becomes a string column. The tokenizer is the first dataset's.
    public static func concat(_ datasets: [Dataset]) -> Dataset {
        var names: [String] = []
        for d in datasets { for n in d.columnNames where !names.contains(n) { names.append(n) } }
        var ids = [UInt32]()
        ids.reserveCapacity(datasets.reduce(0) { $0 + $1.tokenCount })
        var offs = [0]
        var texts = [String]()
        for d in datasets {
            let base = ids.count
            ids.append(contentsOf: d.tokenIDs)
            offs.append(contentsOf: d.offsets.dropFirst().map { $0 + base })
            texts.append(contentsOf: d.texts)
        }
        let columns: [LabelColumn] = names.map { name in
            var values = [LabelValue]()
            values.reserveCapacity(texts.count)
            for d in datasets {
                if let c = d.column(name) { values.append(contentsOf: c.values) }
                else { values.append(contentsOf: repeatElement(.missing, count: d.count)) }
            }
            let numeric = datasets.allSatisfy { $0.column(name)?.isNumeric ?? true }
            if !numeric {
                // Keep the string type even when the string dataset's values are all missing.
                return .strings(values.map {
                    switch $0 {
                    case .string(let s): return s
                    case .number(let x): return LabelValue.format(x)
                    case .missing: return nil
                    }
                })
            }
            return LabelColumn.build(values)
        }
        return Dataset(tokenIDs: ids, offsets: offs, texts: texts, columnNames: names, columns: columns,
                       tokenizer: datasets.first?.tokenizer ?? .word)
    }

    // MARK: - Creation

    /// A dataset of the given texts (tokenized with `tokenizer`), no labels.
    public static func from(texts: [String], tokenizer: Tokenizer = .word) -> Dataset {
        var b = DatasetBuilder(tokenizer: tokenizer)
        for t in texts { b.append(text: t) }
        return b.build()
    }

    /// A dataset of token-id sequences (synthetic data); each text is the detokenized tokens
    /// without `<s>`/`</s>`.
    public static func from(tokenSequences: [[UInt32]], tokenizer: Tokenizer = .word) -> Dataset {
        var b = DatasetBuilder(tokenizer: tokenizer)
        for s in tokenSequences { b.append(tokenIDs: s) }
        return b.build()
    }

    // MARK: - Filter

    /// The documents that pass `options` (see `FilterOptions` for the order of steps); labels kept.
    /// Edited texts (strip links, trailing hashtags) are stored normalised and re-tokenized.
    /// - Complexity: O(total text length).
    public func filter(_ options: FilterOptions) -> Dataset {
        var builder = DatasetBuilder(tokenizer: tokenizer)
        var seen = Set<String>()
        let edits = options.stripLinks || options.dropTrailingHashtags
        for i in 0..<count {
            var text = texts[i]
            var edited = false
            if edits {
                let norm = TextNormalizer.normalize(text)
                var t = norm
                if options.stripLinks { t = Dataset.removingLinks(t) }
                if options.dropTrailingHashtags { t = Dataset.removingTrailingHashtags(t) }
                if t != norm { text = t; edited = true }
            }
            let ids: [UInt32] = edited ? tokenizer.ids(text) : Array(tokens(at: i))
            if let lo = options.minTokens, ids.count < lo { continue }
            if let hi = options.maxTokens, ids.count > hi { continue }
            if options.dedup && !seen.insert(edited ? text : TextNormalizer.normalize(text)).inserted { continue }
            builder.append(text: text, ids: ids, labels: zip(columnNames, columns).map { ($0, $1[i]) })
        }
        // Keep the column types of the source even where every kept value is missing.
        let built = builder.build()
        let cols = columnNames.map { name -> LabelColumn in
            let c = built.column(name) ?? LabelColumn.missing(built.count, numeric: false)
            if let src = column(name), src.isNumeric != c.isNumeric {
                return .missing(built.count, numeric: src.isNumeric)   // only when all kept are missing
            }
            return c
        }
        return Dataset(tokenIDs: built.tokenIDs, offsets: built.offsets, texts: built.texts,
                       columnNames: columnNames, columns: cols, tokenizer: tokenizer, name: name)
    }

    /// `text` (normalised) without its URLs; a URL takes the space before it along (or after it, at
    /// the start), so `Check https://x.co.` becomes `Check.`.
    static func removingLinks(_ text: String) -> String {
        let sc = WordScanner(text)
        var cuts: [Range<Int>] = []
        sc.scan { a, b, kind in
            if kind == .url {
                var r = sc.byteRange(a, b)
                if r.lowerBound > 0 && sc.bytes[r.lowerBound - 1] == 0x20 {
                    r = (r.lowerBound - 1)..<r.upperBound
                } else if r.upperBound < sc.bytes.count && sc.bytes[r.upperBound] == 0x20 {
                    r = r.lowerBound..<(r.upperBound + 1)
                }
                cuts.append(r)
            }
        }
        if cuts.isEmpty { return text }
        var out = [UInt8]()
        out.reserveCapacity(sc.bytes.count)
        var from = 0
        for r in cuts {
            if r.lowerBound > from { out.append(contentsOf: sc.bytes[from..<r.lowerBound]) }
            from = max(from, r.upperBound)
        }
        out.append(contentsOf: sc.bytes[from...])
        return TextNormalizer.foldWhitespace(String(decoding: out, as: UTF8.self))
    }

    /// `text` (normalised) without the run of hashtags at its end (`Great day #sun #fun` →
    /// `Great day`).
    static func removingTrailingHashtags(_ text: String) -> String {
        let sc = WordScanner(text)
        var spans: [(Int, Int, TokenKind)] = []
        sc.scan { spans.append(($0, $1, $2)) }
        var k = spans.count
        while k > 0 && spans[k - 1].2 == .hashtag { k -= 1 }
        if k == spans.count { return text }
        let cut = k == spans.count ? sc.bytes.count : sc.byteRange(spans[k].0, spans[k].0).lowerBound
        return TextNormalizer.foldWhitespace(String(decoding: sc.bytes[0..<cut], as: UTF8.self))
    }
}
