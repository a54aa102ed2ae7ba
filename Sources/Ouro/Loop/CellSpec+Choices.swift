import Foundation

// The choices a cell makes: how past data accumulates, which model each generation starts from, what
// curation keeps. CellSpec holds one of each.

/// How data of past generations enters a generation's training set (see docs/loop.md).
public enum Accumulate: Sendable, Equatable {
    /// Only the newest data: the previous generation's synthetic output and this generation's
    /// human share.
    case replace
    /// The reference study's setting: each generation g ≥ 1 adds its new data (its synthetic
    /// documents and its human share) to a pool; the training set is `trainSize` documents drawn
    /// from the pool. Generation 0's human data never enters the pool.
    /// `stratified = true` draws the human share from the pool's human documents and the
    /// synthetic share from its synthetic documents, so every training set holds exactly
    /// round(ratio(g) · trainSize) synthetic documents; `false` takes the first `trainSize` of a
    /// shuffle of the whole pool (the study's literal procedure; counts then vary around the ratio).
    case pool(stratified: Bool)
    /// Everything so far, no subsampling: generation 0's human data and every later generation's
    /// new data; the training set grows by `trainSize` documents per generation.
    case all
    /// Accumulate-subsample (Kazdan et al. 2024): the training set is `trainSize` documents drawn
    /// without replacement (stream `pool`) from everything so far, generation 0's data included
    /// (the set `.all` trains on).
    case subsample
}

/// Which model each generation trains.
public enum ModelPlan<M: LoopModel> {
    /// A model fitted from scratch each generation; with several specs, one is picked at random
    /// (uniformly, stream (seed, cell, g, "model")) each generation.
    case fresh([M])
    /// Each generation fine-tunes the same base model (never a previous generation's model).
    case finetune(base: M, weight: Schedule<Double>)
    /// Generation 0 fine-tunes `start`; every later generation fine-tunes the previous
    /// generation's model.
    case chain(M, weight: Schedule<Double>)
}

/// Which documents rank first when curating by a score.
public enum CurationKeep: String, Sendable, Equatable {
    case top, bottom
}

/// Curation of a generation's synthetic output before it is used for training (the evaluation
/// sample is never curated: metrics describe what the model generates).
public enum Curation<D: LoopData> {
    /// Keep the documents for which `predicate(batch, index)` is true. Batches are generated until
    /// enough documents pass (at most `Curation.maxBatches` batches).
    case predicate((D, Int) throws -> Bool)
    /// Keep the `fraction` of documents with the highest (`.top`) or lowest (`.bottom`) scores:
    /// ⌈need / fraction⌉ candidates are generated and the `need` best kept. `score` returns one
    /// value per document; NaN ranks last either way; ties keep the earlier document.
    case metric(name: String, keep: CurationKeep, fraction: Double, score: (D) throws -> [Double])

    /// The largest number of batches a predicate may take to keep enough documents.
    public static var maxBatches: Int { 50 }
}
