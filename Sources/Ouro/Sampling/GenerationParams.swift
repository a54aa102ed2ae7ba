import Foundation

/// Sampling options with Hugging Face's names and semantics.
///
/// Processing order (as `transformers`' logits processors): repetition penalty, temperature, then
/// top-k, top-p and min-p filtering, then renormalisation. Logits are `log p` of the model.
/// - `repetition_penalty θ`: for tokens already in the document (prompt included), a negative logit
///   is multiplied by θ and a positive one divided by θ (so `p ↦ p^θ` since `log p ≤ 0`).
/// - `temperature T`: logits divided by T.
/// - `top_k k` (0 = off): tokens whose logit is below the k-th largest are removed (ties at the k-th are kept).
/// - `top_p`: tokens sorted by probability (descending, ties by id ascending); a token is kept while
///   the mass of the tokens before it is < top_p (the first is always kept).
/// - `min_p`: tokens with probability < min_p · (largest probability) are removed.
public struct GenerationParams: Sendable, Equatable {
    public var temperature: Double = 1
    public var topK: Int = 0
    public var topP: Double = 1
    public var minP: Double = 0
    public var repetitionPenalty: Double = 1
    public var maxNewTokens: Int = 256
    /// Tokens every document starts with (they condition generation and are part of the output).
    public var prompt: [UInt32] = []

    public init(temperature: Double = 1, topK: Int = 0, topP: Double = 1, minP: Double = 0,
                repetitionPenalty: Double = 1, maxNewTokens: Int = 256, prompt: [UInt32] = []) {
        self.temperature = temperature; self.topK = topK; self.topP = topP; self.minP = minP
        self.repetitionPenalty = repetitionPenalty; self.maxNewTokens = maxNewTokens; self.prompt = prompt
    }

    /// Whether sampling is plain ancestral sampling from the model (no option changes the distribution).
    public var isPlain: Bool {
        temperature == 1 && topK == 0 && topP >= 1 && minP <= 0 && repetitionPenalty == 1
    }

    /// Checks every option; the error names the option by its Hugging Face name.
    public func validate() throws {
        func bad(_ name: String, _ want: String, _ got: Any) -> NGramError {
            NGramError("'\(name)' must be \(want), got \(got)")
        }
        guard temperature > 0, temperature.isFinite else { throw bad("temperature", "a number > 0", temperature) }
        guard topK >= 0 else { throw bad("top_k", "an integer ≥ 0 (0 = off)", topK) }
        guard topP > 0, topP <= 1 else { throw bad("top_p", "a number in (0, 1]", topP) }
        guard minP >= 0, minP <= 1 else { throw bad("min_p", "a number in [0, 1]", minP) }
        guard repetitionPenalty > 0, repetitionPenalty.isFinite else {
            throw bad("repetition_penalty", "a number > 0", repetitionPenalty)
        }
        guard maxNewTokens >= 1 else { throw bad("max_new_tokens", "an integer ≥ 1", maxNewTokens) }
    }

    /// Applies the processing pipeline to a full distribution `p` (index = token); `seen(i)` says
    /// whether token `i` is already in the document. Returns the distribution sampled (sums to 1).
    /// - Complexity: O(n log n) when top-p is on, O(n) otherwise.
    public func process(_ p: [Double], seen: (Int) -> Bool) -> [Double] {
        let n = p.count
        var l = p.map { $0 > 0 ? Foundation.log($0) : -Double.infinity }
        if repetitionPenalty != 1 {
            for i in 0..<n where l[i].isFinite && seen(i) {
                l[i] = l[i] < 0 ? l[i] * repetitionPenalty : l[i] / repetitionPenalty
            }
        }
        if temperature != 1 { for i in 0..<n { l[i] /= temperature } }
        func softmax() -> [Double] {
            let mx = l.max() ?? 0
            var q = l.map { $0.isFinite ? Foundation.exp($0 - mx) : 0 }
            let s = q.reduce(0, +)
            for i in 0..<n { q[i] /= s }
            return q
        }
        if topK > 0 {
            let finite = l.filter { $0.isFinite }.sorted(by: >)
            if topK < finite.count {
                let kth = finite[topK - 1]
                for i in 0..<n where l[i] < kth { l[i] = -.infinity }
            }
        }
        if topP < 1 {
            let q = softmax()
            let order = (0..<n).filter { q[$0] > 0 }.sorted { q[$0] != q[$1] ? q[$0] > q[$1] : $0 < $1 }
            var cum = 0.0
            for (r, i) in order.enumerated() {
                if r > 0 && cum >= topP { l[i] = -.infinity }
                cum += q[i]
            }
        }
        if minP > 0 {
            let q = softmax()
            let mx = q.max() ?? 0
            for i in 0..<n where q[i] < minP * mx { l[i] = -.infinity }
        }
        return softmax()
    }
}
