import Foundation

extension NGramModel {
    /// A new model adapted to `documents`: the mixture
    /// `p(w | h) = (1 − weight) · p_base(w | h) + weight · p_new(w | h)` for every context `h`, where
    /// `p_new` is a model of the same order and smoothing fitted on `documents` alone. Each component
    /// is a distribution over its own vocabulary (a word a component never saw has probability 0 in
    /// it; its mass is that component's `<unk>`), so the mixture sums to one over the union vocabulary.
    /// Fine-tuning a fine-tuned model scales all earlier components by `1 − weight`. `self` is untouched.
    /// - Throws: `NGramError` if `weight` is outside [0, 1], the model is unfitted or `documents` is empty.
    public func finetune(_ documents: [[UInt32]], weight: Double) throws -> NGramModel {
        try requireFitted()
        guard weight >= 0 && weight <= 1 else {
            throw NGramError("'weight' must be a number between 0 and 1, got \(weight)")
        }
        let fresh = try NGramModel(order: order, smoothing: smoothing, documents: documents)
        let m = NGramModel(order: order, smoothing: smoothing, components: components + fresh.components,
                           weights: weights.map { $0 * (1 - weight) } + [weight])
        m.discounts = discounts
        return m
    }
}
