// ─────────────────────────────────────────────────────────────────────────────────────────────────
// TEMPORARY SHIM — DELETE AT MERGE with the `lora` branch (issue #16, the engine's LoRA training).
//
// It stands in for the engine API the `lora` branch delivers (`LoRAAdapter.swift`,
// `LlamaModel+Train.swift`, `LlamaModel.adapter`/`withAdapter`), with the same signatures, so the
// Lua binding and the loop (branch `loraloop`) build and their plumbing can be tested. Placeholder
// behaviour: `finetune` trains nothing — it reports deterministic made-up losses, one per optimizer
// step, and returns the base model itself; `adapter` is always nil; an adapter saves and loads only
// its config. Nothing outside this file may depend on that behaviour.
// ─────────────────────────────────────────────────────────────────────────────────────────────────
import Foundation

/// SHIM: the `lora` branch's adapter (weights omitted here).
public struct LoRAAdapter: Sendable, Equatable {
    public let config: LoRAConfig
    public let layers: Int
    public var baseModel: String

    public init(config: LoRAConfig, model: LlamaModel.Config, seed: UInt64, baseModel: String = "") throws {
        guard config.rank >= 1 else { throw LLMError.invalidInput("lora rank must be at least 1 (got \(config.rank))") }
        guard !config.targets.isEmpty else { throw LLMError.invalidInput("lora targets must name at least one projection") }
        self.config = config; self.layers = model.layers; self.baseModel = baseModel
    }

    public func fits(_ c: LlamaModel.Config) -> Bool { layers == c.layers }

    /// SHIM: writes `adapter_config.json` only.
    public func save(folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let json: [String: Any] = ["peft_type": "LORA", "r": config.rank, "lora_alpha": config.alpha,
                                   "target_modules": config.targets.map(\.rawValue), "use_rslora": config.rslora,
                                   "base_model_name_or_path": baseModel, "layers": layers]
        try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
            .write(to: URL(fileURLWithPath: folder).appendingPathComponent("adapter_config.json"))
    }

    /// SHIM: reads what `save` wrote.
    public static func load(folder: String) throws -> LoRAAdapter {
        let path = (folder as NSString).appendingPathComponent("adapter_config.json")
        guard let data = FileManager.default.contents(atPath: path),
              let j = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw LLMError.invalidInput("no adapter at \(folder): adapter_config.json is missing")
        }
        let targets = (j["target_modules"] as? [String] ?? []).compactMap(LoRATarget.init(rawValue:))
        let cfg = LoRAConfig(rank: j["r"] as? Int ?? 16, alpha: (j["lora_alpha"] as? NSNumber)?.doubleValue ?? 16,
                             targets: targets, rslora: j["use_rslora"] as? Bool ?? false)
        var m = LlamaModel.Config(vocab: 0, hidden: 0, layers: j["layers"] as? Int ?? 0, heads: 0, kvHeads: 0, headDim: 0, ffn: 0,
                                  ropeBase: 0, eps: 0, contextLength: 0)
        m.layers = j["layers"] as? Int ?? 0
        return try LoRAAdapter(config: cfg, model: m, seed: 0, baseModel: j["base_model_name_or_path"] as? String ?? "")
    }
}

extension LlamaModel {
    /// SHIM: always nil (the `lora` branch stores the adapter).
    public var adapter: LoRAAdapter? { nil }

    /// SHIM: returns the receiver.
    public func withAdapter(_ adapter: LoRAAdapter?) throws -> LlamaModel {
        if let adapter, !adapter.fits(config) { throw LLMError.invalidInput("the LoRA adapter does not fit \(displayName)") }
        return self
    }

    public func withAdapter(folder: String) throws -> LlamaModel { try withAdapter(LoRAAdapter.load(folder: folder)) }

    /// SHIM: no training; one made-up loss per optimizer step (a function of the seed, the step and
    /// the examples' lengths), `progress` after each, Ctrl-C checked between steps; returns the receiver.
    public func finetune(_ examples: [TrainingExample], options o: FinetuneOptions, threads: Int,
                         progress: ((TrainingProgress) -> Void)? = nil, initial: LoRAAdapter? = nil) throws -> (model: LlamaModel, losses: [Double]) {
        guard !examples.isEmpty else { throw LLMError.invalidInput("finetune needs at least one example") }
        _ = try initial ?? LoRAAdapter(config: o.lora, model: config, seed: o.seed, baseModel: displayName)
        let micro = (examples.count + o.batchSize - 1) / o.batchSize
        let total = (micro + o.gradientAccumulation - 1) / o.gradientAccumulation * o.epochs
        let chars = examples.reduce(0) { $0 + $1.completion.utf8.count }
        var losses: [Double] = []
        for step in 0..<total {
            try Interruption.check()
            let jitter = Double((o.seed &+ UInt64(step) &* 2654435761 &+ UInt64(chars)) % 1000) / 10_000
            let loss = 3.5 / (1 + 0.1 * Double(step)) + jitter
            losses.append(loss)
            progress?(TrainingProgress(step: step + 1, steps: total, loss: loss,
                                       learningRate: o.learningRate * Double(total - step) / Double(max(1, total))))
        }
        return (self, losses)
    }
}
