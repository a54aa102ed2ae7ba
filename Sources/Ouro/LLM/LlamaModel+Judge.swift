import Foundation

/// An instruction-tuned LLM used as a judge (the reference study scores quality this way): it is asked
/// for a rating from 0 to `scale` with a fixed rubric, and the score is the *expected* rating under the
/// model's next-token probabilities over the digits of every number 0…scale. No sampling, so a text
/// always gets the same score.
///
/// The rating's digits are separate tokens in SmolLM2 (its pre-tokenizer splits every digit), so the
/// probability of the number 57 is `P("5") · P("7" | "5") · P(stop | "57")`, where `P(stop | s)` is the
/// probability that the token after `s` is not a digit. Numbers outside 0…scale (e.g. 250) get no
/// weight; the probabilities of the numbers in range are normalised, and their sum before that
/// (`numberMass`) says how much the model wanted to answer with a number at all.
public struct LLMJudge: Sendable, Equatable {
    /// The user turn; `{text}` is replaced by the text under judgement.
    public var rubric: String
    /// The highest rating (the lowest is 0).
    public var scale: Int
    /// The start of the assistant's reply, after which the number is read (the answer format).
    public var answerPrefix: String

    public init(rubric: String, scale: Int = 100, answerPrefix: String = "Rating: ") {
        self.rubric = rubric; self.scale = scale; self.answerPrefix = answerPrefix
    }

    /// The study's quality judge: fluency, coherence and meaning, whatever the genre.
    public static let quality = LLMJudge(rubric: """
        Rate the quality of the following text on a scale from 0 to 100, where 0 means gibberish or \
        meaningless, 50 means understandable but awkward or incoherent, and 100 means fluent, coherent \
        and meaningful writing. Reply with the number only.

        Text: {text}
        """)

    /// A positivity judge (sentiment), checked against the human sentiment ratings of the VADER sets.
    public static let positivity = LLMJudge(rubric: """
        How positive or negative is the sentiment of the following text? Rate it on a scale from 0 to \
        100, where 0 means very negative, 50 means neutral and 100 means very positive. Reply with the \
        number only.

        Text: {text}
        """)

    /// The built-in rubrics by name.
    public static let named: [String: LLMJudge] = ["quality": .quality, "positivity": .positivity]
}

/// A judge's score of one text.
public struct JudgeScore: Sendable, Equatable {
    /// Σ n · P(n) / Σ P(n) over the ratings n = 0…scale.
    public var expected: Double
    /// Σ P(n): the probability that the reply is a number in 0…scale.
    public var numberMass: Double
}

extension LlamaModel {
    /// The judge's expected rating of each text (see `LLMJudge`). Each text's prompt is run once;
    /// every digit string that can start or be a rating in 0…scale is then one more row after it.
    /// - Throws: `LLMError.invalidInput` if the scale is not in 1…9999, the rubric has no `{text}`,
    ///   the tokenizer does not give each digit one token of its own, or a prompt exceeds the context.
    /// - Complexity: O(Σ (prompt length + 2·scale) · parameters).
    public func judge(_ texts: [String], _ judge: LLMJudge) throws -> [JudgeScore] {
        guard (1...9999).contains(judge.scale) else {
            throw LLMError.invalidInput("the judge's scale must be in 1…9999, got \(judge.scale)")
        }
        guard judge.rubric.contains("{text}") else {
            throw LLMError.invalidInput("the judge's rubric must be a prompt containing {text} where the text goes (or a built-in: "
                                        + LLMJudge.named.keys.sorted().joined(separator: ", ") + "), got \"\(judge.rubric.prefix(60))\"")
        }
        var digit = [Int32](repeating: 0, count: 10)
        for d in 0..<10 {
            let ids = tokenizer.encode(String(d))
            guard ids.count == 1 else {
                throw LLMError.invalidInput("the judge needs one token per digit; \(name) encodes \"\(d)\" as \(ids.count) tokens")
            }
            digit[d] = ids[0]
        }
        // The digit strings of 0…scale and their prefixes ("" = after the prompt). The continuation
        // sequences are the strings that are no other string's prefix; a node's next-token
        // distribution is read at its last digit in the first sequence that holds it.
        let numbers = (0...judge.scale).map { String($0) }
        var nodes = Set<String>()
        for s in numbers { for k in 0...s.count { nodes.insert(String(s.prefix(k))) } }
        let leaves = nodes.filter { s in !s.isEmpty && !nodes.contains { $0.count == s.count + 1 && $0.hasPrefix(s) } }.sorted()
        var rowOf: [String: Int] = [:]      // node → row in the continuation call
        var tokens: [[Int32]] = []
        var row = 0
        for leaf in leaves {
            let ds = leaf.map { digit[Int(String($0))!] }
            tokens.append(ds)
            for k in 1...leaf.count {
                let node = String(leaf.prefix(k))
                if rowOf[node] == nil { rowOf[node] = row }
                row += 1
            }
        }
        let V = config.vocab
        var out: [JudgeScore] = []
        out.reserveCapacity(texts.count)
        var scratch = LlamaScratch()
        for text in texts {
            try Interruption.check()   // Ctrl-C, between texts
            let prompt = tokenizer.encode(chat.render(user: judge.rubric.replacingOccurrences(of: "{text}", with: text))
                                          + judge.answerPrefix)
            guard prompt.count + 4 + judge.scale.description.count <= config.contextLength else {
                throw LLMError.invalidInput("a judge prompt of \(prompt.count) tokens exceeds the model's context of \(config.contextLength)")
            }
            let P = prompt.count
            var prefix = KVCache(layers: config.layers, kvDim: config.kvDim, slots: 0, capacity: 0)
            var prows = ForwardRows()
            for (p, t) in prompt.enumerated() { prows.append(token: t, slot: -1, position: Int32(p)) }
            forward(prows, cache: &prefix, scratch: &scratch)
            logits(rows: 1, first: P - 1, scratch: &scratch)
            var next: [String: [Double]] = ["": Self.digitProbabilities(scratch.logits, row: 0, vocab: V, digits: digit)]
            var cache = KVCache(sharingPrefixOf: prefix, slots: leaves.count, capacity: tokens.map(\.count).max()!)
            var rows = ForwardRows()
            for (slot, ds) in tokens.enumerated() {
                for (k, t) in ds.enumerated() { rows.append(token: t, slot: Int32(slot), position: Int32(P + k)) }
            }
            forward(rows, cache: &cache, scratch: &scratch)
            let chunk = 256
            var r0 = 0
            while r0 < rows.count {
                let m = min(chunk, rows.count - r0)
                logits(rows: m, first: r0, scratch: &scratch)
                for (node, r) in rowOf where r >= r0 && r < r0 + m {
                    next[node] = Self.digitProbabilities(scratch.logits, row: r - r0, vocab: V, digits: digit)
                }
                r0 += m
            }
            // P(n) = Π P(digit | prefix) · P(stop | n).
            var mass = 0.0, weighted = 0.0
            for (n, s) in numbers.enumerated() {
                var p = 1.0, prefix = ""
                for ch in s {
                    p *= next[prefix]![Int(String(ch))!]
                    prefix.append(ch)
                }
                p *= next[s]![10]
                mass += p; weighted += Double(n) * p
            }
            out.append(JudgeScore(expected: mass > 0 ? weighted / mass : .nan, numberMass: mass))
        }
        return out
    }

    /// P(digit 0…9) and, last, P(any other token) at one row of logits (softmax in double precision).
    private static func digitProbabilities(_ logits: [Float], row: Int, vocab V: Int, digits: [Int32]) -> [Double] {
        logits.withUnsafeBufferPointer { lb in
            let l = lb.baseAddress! + row * V
            let (mx, z) = Kernels.softmaxDenominator(l, count: V)
            var p = digits.map { Foundation.exp(Double(l[Int($0)] - mx)) / z }
            p.append(max(0, 1 - p.reduce(0, +)))
            return p
        }
    }
}
