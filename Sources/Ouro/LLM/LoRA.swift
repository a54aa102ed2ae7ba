import Foundation

/// The projections of a llama layer a LoRA adapter can wrap, named as peft and transformers name
/// them (`target_modules`).
public enum LoRATarget: String, CaseIterable, Sendable, Codable, Comparable {
    case q = "q_proj", k = "k_proj", v = "v_proj", o = "o_proj", gate = "gate_proj", up = "up_proj", down = "down_proj"

    public static func < (a: LoRATarget, b: LoRATarget) -> Bool { a.slot < b.slot }

    /// Position in `allCases` (q, k, v, o, gate, up, down): the index of the target's tensors in a layer.
    var slot: Int {
        switch self { case .q: 0; case .k: 1; case .v: 2; case .o: 3; case .gate: 4; case .up: 5; case .down: 6 }
    }
}

/// A LoRA adapter's shape: `W x + scale · B A x` on each target projection, with `A` rank × in and
/// `B` out × rank; `scale = alpha / rank`, or `alpha / √rank` with rsLoRA (peft's `use_rslora`).
/// Defaults: the reference study's recipe (rank 16, alpha 16, no dropout, no bias, all seven
/// projections).
public struct LoRAConfig: Sendable, Equatable, Codable {
    public var rank: Int = 16
    public var alpha: Double = 16
    public var targets: [LoRATarget] = LoRATarget.allCases
    public var rslora: Bool = false
    /// The layers adapted (peft's `layers_to_transform`, sorted, no repeats); nil: every layer. The
    /// other layers have no LoRA term and no trainable tensors.
    public var layers: [Int]? = nil

    public init(rank: Int = 16, alpha: Double = 16, targets: [LoRATarget] = LoRATarget.allCases, rslora: Bool = false,
                layers: [Int]? = nil) {
        self.rank = rank; self.alpha = alpha; self.targets = targets.sorted(); self.rslora = rslora
        self.layers = layers.map { Array(Set($0)).sorted() }
    }

    /// Whether layer `l` is adapted.
    public func adapts(layer l: Int) -> Bool { layers?.contains(l) ?? true }

    /// The factor of `B A x`.
    public var scale: Double { rslora ? alpha / Double(rank).squareRoot() : alpha / Double(rank) }
}

/// Fine-tuning options, named like transformers' `TrainingArguments`. Defaults: the reference
/// study's recipe — AdamW (β 0.9/0.999, ε 1e-8, weight decay 0.01), learning rate 2e-4 decaying
/// linearly to 0, no warmup, batch 16, 1 epoch, sequences cut at 256 tokens.
public struct FinetuneOptions: Sendable, Equatable {
    public var learningRate: Double = 2e-4
    public var batchSize: Int = 16
    /// Micro-batches whose gradients are summed before one optimizer step (`gradient_accumulation_steps`).
    public var gradientAccumulation: Int = 1
    public var epochs: Int = 1
    public var weightDecay: Double = 0.01
    public var maxLength: Int = 256
    public var warmupSteps: Int = 0
    public var beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8
    public var lora = LoRAConfig()
    /// Seeds the adapters' initialisation and the order of the examples.
    public var seed: UInt64 = 1
    /// Shuffle the examples at every epoch (stream `(seed, "finetune-order", epoch)`, Fisher–Yates);
    /// `false` keeps the given order (parity tests against a fixed peft order).
    public var shuffle: Bool = true
    /// Clip the gradients' global L2 norm to this before each optimizer step, as transformers'
    /// `max_grad_norm` (default 1.0 there and here); 0 turns clipping off.
    public var maxGradNorm: Double = 1.0

    public init() {}
}

/// One training example: the user turn (rendered with the model's chat template) and the text the
/// model learns to answer with. The loss covers the completion's tokens and the end-of-turn token;
/// the prompt is masked.
public struct TrainingExample: Sendable, Equatable {
    public var prompt: String
    public var completion: String
    public init(prompt: String, completion: String) { self.prompt = prompt; self.completion = completion }
}

/// Reported after every optimizer step.
public struct TrainingProgress: Sendable, Equatable {
    public var step: Int, steps: Int
    /// Mean loss over the step's unmasked tokens.
    public var loss: Double
    public var learningRate: Double
    public init(step: Int, steps: Int, loss: Double, learningRate: Double) {
        self.step = step; self.steps = steps; self.loss = loss; self.learningRate = learningRate
    }
}
