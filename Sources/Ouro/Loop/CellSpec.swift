import Foundation

/// The fully resolved configuration of one cell: every field the runner needs, no defaults left.
///
/// A spec holds closures (schedules, curation, metrics) that may call into a Lua state, so a spec
/// belongs to one worker thread; each worker builds its own.
public struct CellSpec<M: LoopModel> {
    /// The human pool.
    public var human: M.Data
    /// Number of generations (≥ 1); generation 0 trains on human data only.
    public var generations: Int
    /// Documents in every training set (`.all` grows by this per generation).
    public var trainSize: Int
    /// Fraction of synthetic documents in the training set of generation g ≥ 1 (never evaluated at 0).
    public var syntheticRatio: Schedule<Double>
    /// A fresh, disjoint human slice per generation (true) or draws from one fixed slice (false).
    public var freshHuman: Bool
    public var accumulate: Accumulate
    public var model: ModelPlan<M>
    /// Sampling options per generation (`nil`: the model's defaults).
    public var sampling: Schedule<M.Sampling?>
    public var curate: Curation<M.Data>?
    public var metrics: LoopMetrics<M>
    /// Documents generated for the metrics of each generation (and size of the human reference sample).
    public var evalSize: Int
    /// The cell's parameters as a JSON object, stored with the cell.
    public var parameters: String

    public init(human: M.Data, generations: Int, trainSize: Int, syntheticRatio: Schedule<Double>,
                freshHuman: Bool = true, accumulate: Accumulate = .pool(stratified: true), model: ModelPlan<M>,
                sampling: Schedule<M.Sampling?> = .constant(nil), curate: Curation<M.Data>? = nil,
                metrics: @escaping LoopMetrics<M>, evalSize: Int, parameters: String = "{}") {
        self.human = human; self.generations = generations; self.trainSize = trainSize
        self.syntheticRatio = syntheticRatio; self.freshHuman = freshHuman; self.accumulate = accumulate
        self.model = model; self.sampling = sampling; self.curate = curate; self.metrics = metrics
        self.evalSize = evalSize; self.parameters = parameters
    }
}

/// A cell's schedule resolved for every generation: the counts, the human documents needed and
/// the per-generation values of every schedule. `ouro check` prints it; the runner follows it.
public struct CellPlan<M: LoopModel> {
    public let generations: Int
    public let trainSize: Int
    /// Synthetic documents in the training set of each generation (0 at generation 0; for
    /// `.all`, the number added that generation).
    public let synthetic: [Int]
    /// Human documents of each generation's new data (`trainSize` at generation 0).
    public let human: [Int]
    /// Documents the human pool must hold: `trainSize + Σ_{g≥1} human[g]` with fresh human data,
    /// `trainSize` otherwise.
    public let humanNeeded: Int
    /// Fine-tuning weight per generation (`.finetune` and `.chain`), empty otherwise.
    public let weights: [Double]
    /// Sampling options per generation.
    public let sampling: [M.Sampling?]
}

extension CellSpec {
    /// Checks the configuration and evaluates every schedule for every generation.
    /// - Throws: `LoopError` for `generations < 1`, `trainSize < 1`, `evalSize < 0`, no model
    ///   spec, a curation fraction outside (0, 1], a ratio or weight outside [0, 1] at some
    ///   generation (the message names g), or a human pool smaller than the plan needs (the
    ///   message says how many documents are needed).
    public func resolve() throws -> CellPlan<M> {
        guard generations >= 1 else { throw LoopError("generations must be an integer ≥ 1, got \(generations)") }
        guard trainSize >= 1 else { throw LoopError("train_size must be an integer ≥ 1, got \(trainSize)") }
        guard evalSize >= 0 else { throw LoopError("eval_size must be an integer ≥ 0, got \(evalSize)") }
        if case .fresh(let specs) = model, specs.isEmpty { throw LoopError("model: at least one model spec is needed") }
        if case .metric(let name, _, let f, _) = curate, !(f > 0 && f <= 1) {
            throw LoopError("curate: fraction must be a number in (0, 1], got \(f) (metric '\(name)')")
        }
        let ratios = try syntheticRatio.unitValues("synthetic_ratio", at: 1..<generations)
        var synthetic = [0], human = [trainSize]
        for r in ratios {
            let s = Int((r * Double(trainSize)).rounded())   // round half away from zero
            synthetic.append(s)
            human.append(trainSize - s)
        }
        var weights: [Double] = []
        switch model {
        case .fresh: break
        case .finetune(_, let w), .chain(_, let w):
            weights = try w.unitValues("finetune weight", at: 0..<generations)
        }
        var sampling: [M.Sampling?] = []
        for g in 0..<generations {
            do { sampling.append(try self.sampling.value(at: g)) } catch {
                throw LoopError("sampling at generation \(g): \(error)")
            }
        }
        let needed = freshHuman ? human.reduce(0, +) : trainSize
        if human.count > 0, needed > self.human.count {
            let detail = freshHuman && generations > 1
                ? "train_size \(trainSize) for generation 0 plus \(needed - trainSize) fresh human documents for generations 1–\(generations - 1)"
                : "train_size \(trainSize)"
            throw LoopError("the human pool is too small: this cell needs \(needed) documents (\(detail)), the pool has \(self.human.count)")
        }
        return CellPlan(generations: generations, trainSize: trainSize, synthetic: synthetic, human: human,
                        humanNeeded: needed, weights: weights, sampling: sampling)
    }
}
