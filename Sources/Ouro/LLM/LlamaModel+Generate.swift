import Foundation

extension LlamaModel {
    /// Token ids of a one-turn chat prompt laid out by the model's chat template (ready for the reply).
    public func chatPromptIDs(_ prompt: String, system: String? = nil) -> [Int32] {
        tokenizer.encode(chat.render(user: prompt, system: system))
    }

    /// Samples `n` completions of the same prompt ids (Hugging Face's processors, see
    /// `GenerationParams.keptSet`); each stops at the end-of-sequence token (not included) or after
    /// `params.maxNewTokens` tokens. The prompt is run through the model once; the sequences are
    /// decoded together, `batchSize` at a time, with a KV cache.
    ///
    /// Completion `i` draws from the stream `Xoshiro256(seed: seed, "llm-generate", .index(i))` and its
    /// logits depend only on its own tokens, so the output does not depend on `n`, `batchSize` or
    /// `threads`.
    /// - Parameter greedy: take the most likely token (after the penalty) at every step; `seed`,
    ///   temperature and the filters are then unused.
    /// - Returns: the completions' token ids.
    /// - Throws: `LLMError.invalidInput` for an empty prompt or a prompt plus completion longer than
    ///   the model's context; `Interruption.Interrupted` after Ctrl-C (checked every decoding step).
    /// - Complexity: O(n · maxNewTokens · parameters) plus the prompt once.
    public func generate(promptIDs: [Int32], n: Int, params: GenerationParams, greedy: Bool = false, seed: UInt64,
                         batchSize: Int = 256) throws -> [[Int32]] {
        guard !promptIDs.isEmpty else { throw LLMError.invalidInput("the prompt is empty") }
        let P = promptIDs.count, maxNew = params.maxNewTokens
        guard P + maxNew <= config.contextLength else {
            throw LLMError.invalidInput("prompt (\(P) tokens) + max_new_tokens (\(maxNew)) exceed the model's context of \(config.contextLength)")
        }
        guard n > 0 else { return [] }
        let V = config.vocab, eos = tokenizer.eosID ?? -1
        var results = [[Int32]](repeating: [], count: n)
        var scratch = LlamaScratch()
        // The shared prompt, once: its keys and values, and the logits after it.
        var prefix = KVCache(layers: config.layers, kvDim: config.kvDim, slots: 0, capacity: 0)
        var rows = ForwardRows()
        for (p, t) in promptIDs.enumerated() { rows.append(token: t, slot: -1, position: Int32(p)) }
        forward(rows, cache: &prefix, scratch: &scratch)
        logits(rows: 1, first: P - 1, scratch: &scratch)
        let first = Array(scratch.logits[0..<V])
        let workers = max(1, threads)
        var start = 0
        while start < n {
            let b = min(max(1, batchSize), n - start)
            var cache = KVCache(sharingPrefixOf: prefix, slots: b, capacity: maxNew)
            var seqs = [[Int32]](repeating: [], count: b)
            var done = [Bool](repeating: false, count: b)
            var rngs = (0..<b).map { Xoshiro256(seed: seed, "llm-generate", .index(start + $0)) }
            var active = Array(0..<b)
            for step in 0..<maxNew {
                try Interruption.check()   // Ctrl-C: no partial completions escape
                let A = active.count
                if step == 0 {
                    if scratch.logits.count < b * V { scratch.logits = [Float](repeating: 0, count: b * V) }
                    for k in 0..<A { scratch.logits.replaceSubrange((k * V)..<((k + 1) * V), with: first) }
                } else {
                    var rows = ForwardRows()
                    for i in active { rows.append(token: seqs[i].last!, slot: Int32(i), position: Int32(P + step - 1)) }
                    forward(rows, cache: &cache, scratch: &scratch)
                    logits(rows: A, scratch: &scratch)
                }
                // Each active sequence processes its own row and draws its own token.
                var picked = [Int32](repeating: 0, count: A)
                scratch.logits.withUnsafeMutableBufferPointer { lb in
                picked.withUnsafeMutableBufferPointer { pb in
                rngs.withUnsafeMutableBufferPointer { rb in
                    let l = lb.baseAddress!, pk = pb.baseAddress!, rg = rb.baseAddress!
                    let act = active, sq = seqs
                    Kernels.parallel(A, workers: workers, minPerWorker: 8) { range in
                        for k in range {
                            let i = act[k]
                            let kept = params.keptSet(scores: l + k * V, count: V, seen: params.repetitionPenalty != 1 ? promptIDs + sq[i] : [],
                                                      greedy: greedy)
                            pk[k] = greedy ? kept.ids[0] : kept.draw(rg[i].uniform())
                        }
                    }
                } } }
                for (k, i) in active.enumerated() {
                    if picked[k] == eos { done[i] = true } else { seqs[i].append(picked[k]) }
                }
                active = active.filter { !done[$0] }
                if active.isEmpty { break }
            }
            for i in 0..<b { results[start + i] = seqs[i] }
            start += b
        }
        return results
    }

    /// Samples `n` replies to a chat prompt (see `generate(promptIDs:…)`); returns their texts,
    /// special tokens left out.
    public func generate(prompt: String, n: Int, params: GenerationParams, greedy: Bool = false, seed: UInt64,
                         batchSize: Int = 256) throws -> [String] {
        try generate(promptIDs: chatPromptIDs(prompt), n: n, params: params, greedy: greedy, seed: seed, batchSize: batchSize)
            .map { tokenizer.decode($0, skipSpecial: true) }
    }

    /// Natural-log probability of each sequence's tokens after its first (the first token has no
    /// context: the model has no beginning-of-text token here), and the number of tokens scored.
    /// Sequences are run `maxBatchTokens` tokens at a time (each attends only to itself).
    /// - Complexity: O(Σ L · parameters + Σ L² · hidden).
    public func logprobs(_ sequences: [[Int32]], maxBatchTokens: Int = 2048) -> [(logprob: Double, tokens: Int)] {
        let V = config.vocab
        var out = [(logprob: Double, tokens: Int)](repeating: (0, 0), count: sequences.count)
        var scratch = LlamaScratch()
        var i = 0
        while i < sequences.count {
            var batch: [Int] = [], total = 0
            while i < sequences.count && (batch.isEmpty || total + sequences[i].count <= maxBatchTokens) {
                let L = min(sequences[i].count, config.contextLength)
                if L >= 2 { batch.append(i); total += L }
                i += 1
            }
            if batch.isEmpty { continue }
            let maxL = batch.map { min(sequences[$0].count, config.contextLength) }.max()!
            var cache = KVCache(layers: config.layers, kvDim: config.kvDim, slots: batch.count, capacity: maxL)
            var rows = ForwardRows(), targets: [Int32] = [], owner: [Int] = []
            for (slot, s) in batch.enumerated() {
                let seq = sequences[s].prefix(config.contextLength)
                for (p, t) in seq.enumerated() {
                    rows.append(token: t, slot: Int32(slot), position: Int32(p))
                    targets.append(p + 1 < seq.count ? seq[seq.startIndex + p + 1] : -1)
                    owner.append(s)
                }
            }
            forward(rows, cache: &cache, scratch: &scratch)
            // Logits in chunks of rows; log-softmax of the next token in double precision.
            let chunk = 256
            var lp = [Double](repeating: 0, count: rows.count)
            var r0 = 0
            while r0 < rows.count {
                let m = min(chunk, rows.count - r0)
                logits(rows: m, first: r0, scratch: &scratch)
                scratch.logits.withUnsafeBufferPointer { lb in lp.withUnsafeMutableBufferPointer { ob in
                    let l = lb.baseAddress!, o = ob.baseAddress!
                    Kernels.parallel(m, workers: max(1, threads), minPerWorker: 8) { range in
                        for k in range where targets[r0 + k] >= 0 {
                            let row = l + k * V
                            let (mx, z) = Kernels.softmaxDenominator(row, count: V)
                            o[r0 + k] = Double(row[Int(targets[r0 + k])] - mx) - Foundation.log(z)
                        }
                    }
                } }
                r0 += m
            }
            for (r, s) in owner.enumerated() where targets[r] >= 0 {
                out[s].logprob += lp[r]; out[s].tokens += 1
            }
        }
        return out
    }

    /// Perplexity of texts: `exp(−Σ log p / Σ tokens scored)` over every text (each text's tokens
    /// after its first, see `logprobs`).
    /// - Throws: `LLMError.invalidInput` if no text has two tokens.
    public func perplexity(_ texts: [String]) throws -> Double {
        let r = logprobs(texts.map { tokenizer.encode($0) })
        let lp = r.reduce(0) { $0 + $1.logprob }, n = r.reduce(0) { $0 + $1.tokens }
        guard n > 0 else { throw LLMError.invalidInput("perplexity needs at least one text of two tokens or more") }
        return Foundation.exp(-lp / Double(n))
    }
}
