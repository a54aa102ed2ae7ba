import Foundation

/// ARPA export and import for `NGramModel`.
///
/// Export writes the backoff form `p(w|h) = p*(h w)` when `h w` is listed, else `bow(h) · p(w|h′)`.
/// For a fitted model the listed n-grams are the stored n-grams plus every context, `p*` is the
/// model's own probability and `bow(h) = γ(h)`, which reproduces the model exactly (up to the printed
/// digits: 17 significant digits). For a fine-tuned mixture the listed n-grams are the union over the
/// components; listed probabilities are the mixture's exactly, and `bow(h)` is chosen so that the
/// ARPA model sums to one: `bow(h) = (1 − Σ_listed p(w|h)) / (1 − Σ_listed p(w|h′))`. Backed-off
/// probabilities then equal the mixture's exactly where the components' `γ(h)` agree, otherwise they
/// are the mixture's backed-off mass spread in proportion to `p(w|h′)`.
public enum ARPA {
    /// Writes `model` in ARPA format to `path`.
    public static func write(_ model: NGramModel, to path: String) throws {
        let text = try export(model)
        do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw NGramError("\(path): cannot write ARPA file: \(error.localizedDescription)")
        }
    }

    /// The ARPA text of `model`.
    public static func export(_ model: NGramModel) throws -> String {
        try model.requireFitted()
        let N = model.order
        // Listed n-grams per order as global sequences.
        var listed: [Set<[UInt32]>] = Array(repeating: [], count: N)
        var gammaOf: [[UInt32]: Double] = [:]   // single component: γ of context nodes
        for t in model.components {
            for l in 0..<t.vocab.count { listed[0].insert([t.vocab[l]]) }
            if N == 1 { continue }
            func visit(_ d: Int, _ n: Int, _ rev: [UInt32]) {
                let ctx = Array(rev.reversed())
                let g = ctx.map { t.vocab[Int($0)] }
                listed[d - 1].insert(g)
                if model.components.count == 1 { gammaOf[g] = t.nodeGamma[d - 1][n] }
                let s = Int(t.nodeEntry[d - 1][n]), e = Int(t.nodeEntry[d - 1][n + 1])
                for i in s..<e { listed[d].insert(g + [t.vocab[Int(t.entWord[d - 1][i])]]) }
                if d < N - 1 {
                    let cs = Int(t.nodeChild[d - 1][n]), ce = Int(t.nodeChild[d - 1][n + 1])
                    for c in cs..<ce { visit(d + 1, c, rev + [t.nodeWord[d][c]]) }
                }
            }
            for n in 0..<t.nodeWord[0].count { visit(1, n, [t.nodeWord[0][n]]) }
        }
        var nodes: [Int] = []
        func p(_ seq: [UInt32]) -> Double {
            var h = NGramModel.History(local: model.components.map { _ in [] })
            let ctx = seq.dropLast()
            for x in ctx { model.push(x, &h) }
            return model.prob(seq.last!, h, nodes: &nodes)
        }
        var prob: [[UInt32]: Double] = [:]
        for m in 0..<N { for g in listed[m] { prob[g] = g == [Vocabulary.bos] ? 0 : p(g) } }
        var bow: [[UInt32]: Double] = [:]
        if model.components.count == 1 {
            bow = gammaOf
        } else {
            var num: [[UInt32]: Double] = [:], den: [[UInt32]: Double] = [:]
            for m in 1..<N {
                for g in listed[m] {
                    let h = Array(g.dropLast())
                    num[h, default: 0] += prob[g]!
                    den[h, default: 0] += p(Array(g.dropFirst()))
                }
            }
            for (h, s) in num { bow[h] = max(0, 1 - s) / max(1e-300, 1 - den[h]!) }
        }
        let voc = Vocabulary.shared
        var out = "\\data\\\n"
        for m in 0..<N { out += "ngram \(m + 1)=\(listed[m].count)\n" }
        for m in 0..<N {
            out += "\n\\\(m + 1)-grams:\n"
            let rows = listed[m].map { ($0, voc.tokens($0).joined(separator: " ")) }.sorted { $0.1 < $1.1 }
            for (g, s) in rows {
                let lp = g == [Vocabulary.bos] ? -99 : Foundation.log10(prob[g]!)
                var line = "\(fmt(lp))\t\(s)"
                if m < N - 1, let b = bow[g], b != 1 { line += "\t\(fmt(Foundation.log10(b)))" }
                out += line + "\n"
            }
        }
        return out + "\n\\end\\\n"
    }

    static func fmt(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(format: "%.17g", x)
    }

    /// Loads an ARPA file into a model that scores exactly as the file's backoff model.
    /// Tokens are interned in `Vocabulary.shared`. The smoothing is reported as Kneser–Ney.
    public static func load(_ path: String) throws -> NGramModel {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw NGramError("\(path): cannot read ARPA file")
        }
        return try parse(text, name: path)
    }

    /// Parses ARPA text (see `load`).
    public static func parse(_ text: String, name: String = "<arpa>") throws -> NGramModel {
        var entries: [[[UInt32]: (Double, Double)]] = []
        var current = 0
        var lineNo = 0
        let voc = Vocabulary.shared
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNo += 1
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("ngram ") || line == "\\data\\" { continue }
            if line == "\\end\\" { break }
            if line.hasPrefix("\\") && line.hasSuffix("-grams:") {
                guard let n = Int(line.dropFirst().dropLast(7)), n >= 1, n <= NGramModel.maxOrder else {
                    throw NGramError("\(name):\(lineNo): bad section header '\(line)'")
                }
                current = n
                while entries.count < n { entries.append([:]) }
                continue
            }
            guard current > 0 else { throw NGramError("\(name):\(lineNo): n-gram outside a section") }
            let f = line.split(whereSeparator: { $0 == "\t" || $0 == " " }).map(String.init)
            guard f.count == current + 1 || f.count == current + 2, let lp = Double(f[0]) else {
                throw NGramError("\(name):\(lineNo): expected 'log10p w1 … w\(current) [backoff]'")
            }
            let words = voc.ids(for: Array(f[1...current]))
            let b = f.count == current + 2 ? Double(f[current + 1]) ?? 0 : 0
            entries[current - 1][words] = (lp, b)
        }
        guard !entries.isEmpty, !entries[0].isEmpty else { throw NGramError("\(name): no unigrams") }
        let N = entries.count
        // Local vocabulary.
        var vocab: [UInt32] = [Vocabulary.unk, Vocabulary.bos, Vocabulary.eos]
        for g in entries[0].keys.sorted(by: { $0[0] < $1[0] }) where g[0] > Vocabulary.eos { vocab.append(g[0]) }
        var localOf = [UInt32](repeating: UInt32.max, count: max(voc.count, 3))
        for (i, g) in vocab.enumerated() { localOf[Int(g)] = UInt32(i) }
        func pw(_ lp: Double) -> Double { lp <= -99 ? 0 : Foundation.pow(10, lp) }
        // Backoff-form probability of global sequence (context + word).
        func pbo(_ seq: ArraySlice<UInt32>) -> Double {
            if seq.count == 1 { return entries[0][Array(seq)].map { pw($0.0) } ?? 0 }
            if let e = entries[seq.count - 1][Array(seq)] { return pw(e.0) }
            let bw = entries[seq.count - 2][Array(seq.dropLast())].map { Foundation.pow(10, $0.1) } ?? 1
            return bw * pbo(seq.dropFirst())
        }
        var levels: [NGramLevel] = [], a: [[Double]] = [], gamma: [[Double]] = []
        var ids: [[[UInt32]: Int32]] = []
        var uni = NGramLevel()
        uni.prefix = [Int32](repeating: -1, count: vocab.count); uni.suffix = uni.prefix
        uni.last = (0..<vocab.count).map { UInt32($0) }; uni.first = uni.last
        levels.append(uni)
        ids.append(Dictionary(uniqueKeysWithValues: vocab.enumerated().map { ([$0.element], Int32($0.offset)) }))
        a.append(vocab.map { g in g == Vocabulary.bos ? 0 : (entries[0][[g]].map { pw($0.0) } ?? 0) })
        gamma.append(vocab.map { g in N > 1 ? (entries[0][[g]].map { Foundation.pow(10, $0.1) } ?? 1) : .nan })
        for m in 2..<(N + 1) where N >= 2 {
            var lvl = NGramLevel(); var am: [Double] = []; var gm: [Double] = []; var idm: [[UInt32]: Int32] = [:]
            for (g, (lp, b)) in entries[m - 1].sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
                guard let pre = ids[m - 2][Array(g.dropLast())], let suf = ids[m - 2][Array(g.dropFirst())] else {
                    throw NGramError("\(name): \(m)-gram '\(voc.tokens(g).joined(separator: " "))' lacks its lower-order n-grams")
                }
                idm[g] = Int32(lvl.count)
                lvl.prefix.append(pre); lvl.suffix.append(suf)
                lvl.last.append(localOf[Int(g[m - 1])]); lvl.first.append(levels[m - 2].first[Int(pre)])
                let bowH = Foundation.pow(10, entries[m - 2][Array(g.dropLast())]!.1)
                am.append(max(0, pw(lp) - bowH * pbo(g.dropFirst())))
                gm.append(m < N ? Foundation.pow(10, b) : .nan)
            }
            levels.append(lvl); a.append(am); gamma.append(gm); ids.append(idm)
        }
        let t = NGramTables.build(order: N, vocab: vocab, localOf: localOf, levels: levels, a: a,
                                  gamma: gamma, rootGamma: 0)
        return NGramModel(order: N, smoothing: .kneserNey, components: [t], weights: [1])
    }
}
