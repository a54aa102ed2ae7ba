import Foundation

/// The weights of a LoRA adapter for a llama model: for every layer and every target projection of
/// `config`, `A` (rank × in) and `B` (out × rank), float32, row-major, as peft's `lora_A.weight` and
/// `lora_B.weight`. The adapted projection computes `W x + scale · B (A x)` (`scale`: `config.scale`).
///
/// Query and key rows are in Hugging Face's order (the model un-permutes the GGUF's at load), so a
/// peft adapter's `q_proj`/`k_proj` `lora_B` rows map to Ouro's rows one to one.
public struct LoRAAdapter: Sendable, Equatable {
    /// Rank, alpha, targets, rsLoRA.
    public let config: LoRAConfig
    /// Number of layers the tensors are indexed over (the model's; for a loaded adapter restricted to
    /// `config.layers`, one past the last adapted layer until a model pads it). Layers that
    /// `config.layers` leaves out have empty tensors.
    public let layers: Int
    /// Input and output widths of each projection (`LoRATarget.slot` order; zero for one not adapted).
    let dims: [Shape]
    /// Written as `base_model_name_or_path` in `adapter_config.json`.
    public var baseModel: String
    /// `a[l * 7 + slot]`, `b[l * 7 + slot]`; empty for a projection that is not a target.
    var a: [[Float]], b: [[Float]]

    struct Shape: Sendable, Equatable { var input: Int, output: Int }

    /// The widths of the seven projections of a model of shape `c`.
    static func shapes(_ c: LlamaModel.Config) -> [Shape] {
        LoRATarget.allCases.map { t in
            switch t {
            case .q, .o: Shape(input: c.hidden, output: c.hidden)
            case .k, .v: Shape(input: c.hidden, output: c.kvDim)
            case .gate, .up: Shape(input: c.hidden, output: c.ffn)
            case .down: Shape(input: c.ffn, output: c.hidden)
            }
        }
    }

    /// A fresh adapter initialised as peft does (`init_lora_weights=True`): `A` from the uniform
    /// distribution on `[−1/√in, 1/√in]` (kaiming-uniform with `a = √5`), `B` zero. Tensor (layer
    /// `l`, target `t`) draws from the stream `(seed, "lora-init", l, t.rawValue)`.
    /// - Throws: `LLMError.invalidInput` for a rank below 1 or an empty target list.
    public init(config: LoRAConfig, model: LlamaModel.Config, seed: UInt64, baseModel: String = "") throws {
        guard config.rank >= 1 else { throw LLMError.invalidInput("lora rank must be at least 1 (got \(config.rank))") }
        guard !config.targets.isEmpty else { throw LLMError.invalidInput("lora targets must name at least one projection") }
        if let ls = config.layers {
            guard !ls.isEmpty, ls.allSatisfy({ $0 >= 0 && $0 < model.layers }) else {
                throw LLMError.invalidInput("lora layers must be a non-empty list of layers in 0..<\(model.layers) (got \(ls))")
            }
        }
        self.config = config
        layers = model.layers
        let all = Self.shapes(model)
        dims = LoRATarget.allCases.map { config.targets.contains($0) ? all[$0.slot] : Shape(input: 0, output: 0) }
        self.baseModel = baseModel
        a = Array(repeating: [], count: layers * 7)
        b = a
        let r = config.rank
        for l in 0..<layers where config.adapts(layer: l) {
            for t in config.targets {
                let s = dims[t.slot]
                let bound = 1 / Double(s.input).squareRoot()
                var g = Xoshiro256(seed: seed, "lora-init", .index(l), .name(t.rawValue))
                a[l * 7 + t.slot] = (0..<(r * s.input)).map { _ in Float((2 * g.uniform() - 1) * bound) }
                b[l * 7 + t.slot] = [Float](repeating: 0, count: s.output * r)
            }
        }
    }

    /// `A` of a target (rank × in, row-major); empty when `target` is not adapted.
    public func a(layer: Int, _ target: LoRATarget) -> [Float] { a[layer * 7 + target.slot] }
    /// `B` of a target (out × rank, row-major); empty when `target` is not adapted.
    public func b(layer: Int, _ target: LoRATarget) -> [Float] { b[layer * 7 + target.slot] }

    /// Replaces `A` and `B` of a target.
    /// - Precondition: `target` is adapted and the arrays have its sizes.
    public mutating func set(layer: Int, _ target: LoRATarget, a newA: [Float], b newB: [Float]) {
        let i = layer * 7 + target.slot
        precondition(!a[i].isEmpty && newA.count == a[i].count && newB.count == b[i].count, "LoRA tensor sizes do not match")
        a[i] = newA; b[i] = newB
    }

    /// Whether the adapter fits a model of shape `c` (same layer count — or, for an adapter restricted
    /// to `config.layers`, every adapted layer within the model's — and projection widths).
    public func fits(_ c: LlamaModel.Config) -> Bool {
        let all = Self.shapes(c)
        let layersFit = config.layers == nil ? layers == c.layers : layers <= c.layers && (config.layers!.last ?? 0) < c.layers
        return layersFit && config.targets.allSatisfy { dims[$0.slot] == all[$0.slot] }
    }

    /// The same adapter indexed over `n` layers (empty tensors for the added ones).
    /// - Precondition: `n >= layers` and the added layers are not adapted.
    func padded(to n: Int) -> LoRAAdapter {
        guard n != layers else { return self }
        precondition(n > layers, "cannot shrink a LoRA adapter")
        let extra = [[Float]](repeating: [], count: (n - layers) * 7)
        return LoRAAdapter(config: config, layers: n, dims: dims, baseModel: baseModel, a: a + extra, b: b + extra)
    }

    /// Number of trainable parameters (elements of every `A` and `B`).
    public var parameterCount: Int { a.reduce(0) { $0 + $1.count } + b.reduce(0) { $0 + $1.count } }

    // MARK: - PEFT format

    /// peft's name of a tensor: `base_model.model.model.layers.{l}.self_attn.q_proj.lora_A.weight`, …
    static func peftName(layer: Int, _ t: LoRATarget, _ matrix: String) -> String {
        let block = [.gate, .up, .down].contains(t) ? "mlp" : "self_attn"
        return "base_model.model.model.layers.\(layer).\(block).\(t.rawValue).lora_\(matrix).weight"
    }

    /// Writes `adapter_config.json` and `adapter_model.safetensors` (F32) into `folder` (created if
    /// needed), as peft's `save_pretrained` lays them out, so peft's `PeftModel.from_pretrained`
    /// loads them.
    /// - Throws: a file-system error.
    public func save(folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var tensors: [(name: String, tensor: SafeTensors.Tensor)] = []
        for l in 0..<layers where config.adapts(layer: l) {
            for t in config.targets {
                let s = dims[t.slot], r = config.rank
                tensors.append((Self.peftName(layer: l, t, "A"), .init(shape: [r, s.input], values: a[l * 7 + t.slot])))
                tensors.append((Self.peftName(layer: l, t, "B"), .init(shape: [s.output, r], values: b[l * 7 + t.slot])))
            }
        }
        let data = SafeTensors.encode(tensors, metadata: ["format": "pt"])
        try data.write(to: URL(fileURLWithPath: folder).appendingPathComponent("adapter_model.safetensors"))
        let alpha: Any = config.alpha == config.alpha.rounded() && abs(config.alpha) < 1e15 ? Int(config.alpha) : config.alpha
        let json: [String: Any] = [
            "peft_type": "LORA", "task_type": "CAUSAL_LM", "r": config.rank, "lora_alpha": alpha,
            "target_modules": config.targets.map(\.rawValue), "use_rslora": config.rslora, "lora_dropout": 0.0,
            "bias": "none", "fan_in_fan_out": false, "inference_mode": true, "init_lora_weights": true,
            "use_dora": false, "rank_pattern": [String: Any](), "alpha_pattern": [String: Any](),
            "modules_to_save": NSNull(), "layers_to_transform": config.layers.map { $0 as Any } ?? NSNull(), "layers_pattern": NSNull(),
            "base_model_name_or_path": baseModel, "revision": NSNull(),
        ]
        let bytes = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
        try bytes.write(to: URL(fileURLWithPath: folder).appendingPathComponent("adapter_config.json"))
    }

    /// Reads an adapter saved by peft's `save_pretrained` (or by `save(folder:)`): LoRA on any of the
    /// seven llama projections of every layer, or of the layers in `layers_to_transform` (an integer
    /// or a list; null: every layer), F32, F16 or BF16 tensors.
    /// - Throws: `LLMError.invalidInput` if the folder lacks a file; `.malformed` for a config that is
    ///   not a plain LoRA (DoRA, bias, per-module ranks, `layers_pattern`, regex targets) or tensors
    ///   missing or of the wrong shape.
    public static func load(folder: String) throws -> LoRAAdapter {
        let cfgPath = (folder as NSString).appendingPathComponent("adapter_config.json")
        let stPath = (folder as NSString).appendingPathComponent("adapter_model.safetensors")
        guard let cfgData = FileManager.default.contents(atPath: cfgPath) else {
            throw LLMError.invalidInput("no adapter at \(folder): adapter_config.json is missing")
        }
        guard let j = try? JSONSerialization.jsonObject(with: cfgData) as? [String: Any] else {
            throw LLMError.malformed(file: cfgPath, "not a JSON object")
        }
        func bad(_ m: String) -> LLMError { .malformed(file: cfgPath, m) }
        guard (j["peft_type"] as? String)?.uppercased() == "LORA" else { throw bad("peft_type is not LORA") }
        guard let r = (j["r"] as? NSNumber)?.intValue, r >= 1 else { throw bad("r is missing") }
        let alpha = (j["lora_alpha"] as? NSNumber)?.doubleValue ?? 8
        guard let names = j["target_modules"] as? [String] else { throw bad("target_modules must be a list of projection names") }
        var targets: [LoRATarget] = []
        for n in names {
            guard let t = LoRATarget(rawValue: n) else { throw bad("target module '\(n)' is not one of \(LoRATarget.allCases.map(\.rawValue).joined(separator: ", "))") }
            targets.append(t)
        }
        if let b = j["bias"] as? String, b != "none" { throw bad("bias '\(b)' is not supported (only \"none\")") }
        if (j["use_dora"] as? Bool) == true { throw bad("DoRA is not supported") }
        if (j["fan_in_fan_out"] as? Bool) == true { throw bad("fan_in_fan_out is not supported") }
        for key in ["rank_pattern", "alpha_pattern"] {
            if let p = j[key] as? [String: Any], !p.isEmpty { throw bad("\(key) is not supported") }
        }
        var only: [Int]? = nil
        if let l = j["layers_to_transform"], !(l is NSNull) {
            if let list = l as? [NSNumber] { only = list.map(\.intValue) } else if let one = l as? NSNumber { only = [one.intValue] } else {
                throw bad("layers_to_transform must be null, an integer or a list of integers")
            }
            guard let o = only, !o.isEmpty, o.allSatisfy({ $0 >= 0 }) else { throw bad("layers_to_transform must list layers ≥ 0") }
        }
        if let p = j["layers_pattern"], !(p is NSNull) {
            if let s = p as? String, s == "layers" {} else if let s = p as? [String], s == ["layers"] {} else {
                throw bad("layers_pattern \(p) is not supported")
            }
        }
        let config = LoRAConfig(rank: r, alpha: alpha, targets: targets, rslora: (j["use_rslora"] as? Bool) ?? false, layers: only)
        guard FileManager.default.fileExists(atPath: stPath) else {
            throw LLMError.invalidInput("no adapter weights at \(folder): adapter_model.safetensors is missing")
        }
        var tensors = try SafeTensors.read(path: stPath)
        // peft writes names without the adapter's name; accept `lora_A.default.weight` too.
        for k in Array(tensors.keys) where k.contains(".default.weight") {
            tensors[k.replacingOccurrences(of: ".default.weight", with: ".weight")] = tensors.removeValue(forKey: k)
        }
        var layers = 0
        if let only = config.layers { layers = only.last! + 1 } else {
            while tensors[peftName(layer: layers, config.targets[0], "A")] != nil { layers += 1 }
        }
        let first = config.layers?.first ?? 0
        guard layers > 0 else { throw LLMError.malformed(file: stPath, "no tensor \(peftName(layer: 0, config.targets[0], "A"))") }
        var dims = [Shape](repeating: Shape(input: 0, output: 0), count: 7)
        var a = [[Float]](repeating: [], count: layers * 7), b = a
        for l in 0..<layers where config.adapts(layer: l) {
            for t in config.targets {
                guard let ta = tensors.removeValue(forKey: peftName(layer: l, t, "A")),
                      let tb = tensors.removeValue(forKey: peftName(layer: l, t, "B")) else {
                    throw LLMError.malformed(file: stPath, "layer \(l) lacks \(t.rawValue)'s lora_A or lora_B")
                }
                guard ta.shape.count == 2, tb.shape.count == 2, ta.shape[0] == r, tb.shape[1] == r else {
                    throw LLMError.malformed(file: stPath, "layer \(l) \(t.rawValue): shapes \(ta.shape), \(tb.shape) do not have rank \(r)")
                }
                let s = Shape(input: ta.shape[1], output: tb.shape[0])
                if l == first { dims[t.slot] = s } else if dims[t.slot] != s {
                    throw LLMError.malformed(file: stPath, "layer \(l) \(t.rawValue): shape differs from layer \(first)'s")
                }
                a[l * 7 + t.slot] = ta.values; b[l * 7 + t.slot] = tb.values
            }
        }
        if let extra = tensors.keys.sorted().first {
            throw LLMError.malformed(file: stPath, "unexpected tensor '\(extra)' (not a LoRA tensor of the adapted layers' targets)")
        }
        return LoRAAdapter(config: config, layers: layers, dims: dims, baseModel: (j["base_model_name_or_path"] as? String) ?? "", a: a, b: b)
    }

    init(config: LoRAConfig, layers: Int, dims: [Shape], baseModel: String, a: [[Float]], b: [[Float]]) {
        self.config = config; self.layers = layers; self.dims = dims; self.baseModel = baseModel; self.a = a; self.b = b
    }
}
