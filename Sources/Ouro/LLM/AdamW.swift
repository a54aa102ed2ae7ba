import Foundation

/// AdamW as `torch.optim.AdamW` computes it (single-tensor path, float32 state), with decoupled
/// weight decay applied first: for step `t` (from 1), learning rate `lr`,
/// `p ← p·(1 − lr·wd)`, `m ← m + (1−β₁)(g − m)`, `v ← β₂v + (1−β₂)g²`,
/// `p ← p − lr/(1−β₁ᵗ) · m / (√v / √(1−β₂ᵗ) + ε)`.
struct AdamW {
    let beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double
    private(set) var step = 0
    private var m: [FloatBuffer] = [], v: [FloatBuffer] = []

    init(beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double) {
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon; self.weightDecay = weightDecay
    }

    /// One update of every parameter tensor from its gradient.
    /// - Precondition: `params` and `grads` pair up, with the same tensors at every call.
    mutating func update(_ params: [FloatBuffer], _ grads: [FloatBuffer], learningRate lr: Double) {
        if m.isEmpty {
            m = params.map { FloatBuffer($0.count) }
            v = params.map { FloatBuffer($0.count) }
        }
        step += 1
        let bc1 = 1 - Foundation.pow(beta1, Double(step)), bc2 = 1 - Foundation.pow(beta2, Double(step))
        let decay = Float(1 - lr * weightDecay), w1 = Float(1 - beta1), b2 = Float(beta2), w2 = Float(1 - beta2)
        let stepSize = Float(-(lr / bc1)), bc2Sqrt = Float(bc2.squareRoot()), eps = Float(epsilon)
        for (i, p) in params.enumerated() {
            let g = grads[i].p, mm = m[i].p, vv = v[i].p, pp = p.p
            for j in 0..<p.count {
                pp[j] *= decay
                mm[j] += w1 * (g[j] - mm[j])
                vv[j] = vv[j] * b2 + w2 * (g[j] * g[j])
                pp[j] += stepSize * (mm[j] / (vv[j].squareRoot() / bc2Sqrt + eps))
            }
        }
    }

    /// transformers' `get_linear_schedule_with_warmup`: the factor of the learning rate at optimizer
    /// step `s` (from 0) of `total`: `s / warmup` during warm-up, then `(total − s) / (total − warmup)`,
    /// never below 0.
    static func linearSchedule(step s: Int, total: Int, warmup: Int) -> Double {
        if s < warmup { return Double(s) / Double(max(1, warmup)) }
        return max(0, Double(total - s) / Double(max(1, total - warmup)))
    }
}
