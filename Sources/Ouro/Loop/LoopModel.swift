/// A generative model as the recursive loop uses it: fit fresh, fine-tune, generate.
///
/// Values are immutable from the loop's point of view: `fitted` and `finetuned` return a new model
/// and leave the receiver (a spec, or a base model) untouched, so one spec serves every generation.
/// Every random choice a model makes must come from the `seed` it is given (the runner derives it
/// from (seed, cell, generation, role)); the same call with the same seed gives the same result.
public protocol LoopModel {
    /// The documents the model is fitted on and generates.
    associatedtype Data: LoopData
    /// Generation options the model interprets (e.g. `GenerationParams` for text models);
    /// `NoSampling` for models without options.
    associatedtype Sampling = NoSampling

    /// A model fitted from scratch on `data`, configured like the receiver (a spec).
    /// - Parameter seed: seeds any random choice of the fit (initialisation, …).
    func fitted(on data: Data, seed: UInt64) throws -> Self

    /// A new model: the receiver fine-tuned on `data` with strength `weight` (in [0, 1]).
    /// - Parameter seed: seeds any random choice of the fine-tuning.
    func finetuned(on data: Data, weight: Double, seed: UInt64) throws -> Self

    /// `n` documents drawn from the model.
    /// - Parameters:
    ///   - sampling: options for this generation, `nil` for the model's defaults.
    ///   - seed: the only source of randomness.
    /// - Returns: exactly `n` documents.
    func generate(n: Int, sampling: Sampling?, seed: UInt64) throws -> Data

    /// `finetuned(on:weight:seed:)` reporting each optimizer step of a model trained in steps (an
    /// LLM's LoRA); the default ignores `progress`.
    func finetuned(on data: Data, weight: Double, seed: UInt64, progress: ((TrainingProgress) -> Void)?) throws -> Self

    /// The training loss of every optimizer step of the fit or fine-tuning that made this model
    /// (stored with the generation); empty for models fitted in closed form (the default).
    var trainingLosses: [Double] { get }
}

extension LoopModel {
    public func finetuned(on data: Data, weight: Double, seed: UInt64, progress: ((TrainingProgress) -> Void)?) throws -> Self {
        try finetuned(on: data, weight: weight, seed: seed)
    }

    public var trainingLosses: [Double] { [] }
}

/// The sampling options of a model that has none.
public struct NoSampling: Sendable, Equatable {
    public init() {}
}

/// A numeric toy model (`GaussianModel`, `GMMModel`, `CategoricalModel`, …) as a `LoopModel`
/// over `NumericData`.
///
/// - `fitted` copies the spec and calls its `fit` on the rows. A `GMMModel`'s k-means++ seed is
///   replaced by the `seed` the runner derives for the fit, so each generation initialises
///   independently (and reproducibly).
/// - `finetuned` is a fresh fit on the data (`weight` is ignored): a toy model has no pretrained
///   state worth keeping, and the closed-form oracles assume a refit.
/// - `generate` draws from `Xoshiro256(seed: seed)`; sampling options do not exist (`NoSampling`).
public struct NumericLoopModel<Base: NumericModel>: LoopModel, CustomStringConvertible {
    public typealias Data = NumericData
    public typealias Sampling = NoSampling

    /// The wrapped model: the spec before a fit, the fitted model after.
    public let model: Base

    /// - Parameter model: a (usually unfitted) numeric model used as the spec.
    public init(_ model: Base) { self.model = model }

    public func fitted(on data: NumericData, seed: UInt64) throws -> NumericLoopModel {
        var m = model
        if let g = m as? GMMModel {
            m = GMMModel(k: g.k, seed: seed, maxIterations: g.maxIterations, tolerance: g.tolerance,
                         varianceFloor: g.varianceFloor) as! Base
        }
        try m.fit(dim: data.dim, values: data.values)
        return NumericLoopModel(m)
    }

    public func finetuned(on data: NumericData, weight: Double, seed: UInt64) throws -> NumericLoopModel {
        try fitted(on: data, seed: seed)
    }

    public func generate(n: Int, sampling: NoSampling?, seed: UInt64) throws -> NumericData {
        guard model.dim > 0 else { throw LoopError("generate called on an unfitted model (\(model))") }
        var rng = Xoshiro256(seed: seed)
        return NumericData(dim: model.dim, values: model.generate(n: n, rng: &rng))
    }

    public var description: String { model.description }
}
