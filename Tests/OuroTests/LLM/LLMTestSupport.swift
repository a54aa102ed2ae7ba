import Foundation
import XCTest
@testable import Ouro

/// Shared helpers for the LLM tests: a minimal GGUF writer, the parity fixture and the catalog model.
enum LLMTestSupport {
    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The data folder: `$OURO_DATA`, else `./data` of the repository.
    static var dataFolder: String {
        Catalog.defaultDataFolder(root: repoRoot.path)
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var loaded: Result<LlamaModel, Error>?

    /// SmolLM2-135M-Instruct from the data folder, loaded once. Fails the calling test, saying that
    /// `ouro data` installs it, when it is missing.
    static func model(file: StaticString = #filePath, line: UInt = #line) throws -> LlamaModel {
        lock.lock(); defer { lock.unlock() }
        if let loaded { return try loaded.get() }
        let result = Result { try LlamaModel(path: try LLMWeights.path(name: "smollm2-135m-instruct", dataFolder: dataFolder)) }
        loaded = result
        if case .failure(let error) = result {
            XCTFail("SmolLM2 unavailable (\(error)); `ouro data` fetches and installs it (set OURO_DATA to its data folder)", file: file, line: line)
        }
        return try result.get()
    }

    /// The logits summaries of a parity fixture (`llm/prompts.json`, `lora/*_logits.json`): per prompt
    /// and position the top 5 ids and values, the values of the probe ids, and the log-sum-exp.
    struct LogitsFixture: Decodable {
        struct Row: Decodable { var top_ids: [[Int32]]; var top_vals: [[Float]]; var probe_vals: [[Float]]; var lse: [Double] }
        var prompts: [String]; var prompt_ids: [[Int32]]; var probe_ids: [Int]; var logits: [Row]
    }

    /// The worst |Δlogit| over each position's top 5 and probe ids and the worst |Δ log-sum-exp| of
    /// `m` against `fx`; asserts the argmax of every position.
    static func compareLogits(_ m: LlamaModel, _ fx: LogitsFixture, file: StaticString = #filePath, line: UInt = #line) -> (logit: Float, lse: Double) {
        let V = m.config.vocab
        var worst: Float = 0, worstLSE = 0.0
        for (k, ids) in fx.prompt_ids.enumerated() {
            let l = m.logits([ids]), row = fx.logits[k]
            for p in 0..<ids.count {
                let base = p * V
                for (j, id) in row.top_ids[p].enumerated() { worst = max(worst, abs(l[base + Int(id)] - row.top_vals[p][j])) }
                for (j, id) in fx.probe_ids.enumerated() { worst = max(worst, abs(l[base + id] - row.probe_vals[p][j])) }
                var mx = -Float.infinity, arg = 0
                for j in 0..<V where l[base + j] > mx { mx = l[base + j]; arg = j }
                var z = 0.0
                for j in 0..<V { z += exp(Double(l[base + j] - mx)) }
                worstLSE = max(worstLSE, abs(Double(mx) + log(z) - row.lse[p]))
                XCTAssertEqual(Int32(arg), row.top_ids[p][0], "prompt \(k) position \(p): argmax differs", file: file, line: line)
            }
        }
        return (worst, worstLSE)
    }

    /// Reads `Tests/Fixtures/parity/llm/<name>`.
    static func fixture<T: Decodable>(_ name: String, as: T.Type) throws -> T {
        let url = repoRoot.appendingPathComponent("Tests/Fixtures/parity/llm/\(name)")
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    }
}

/// Writes GGUF version 3 files for tests: metadata of the basic types and raw tensor bytes.
struct GGUFWriter {
    enum Meta { case u32(UInt32), i32(Int32), f32(Float), bool(Bool), string(String), strings([String]), i32s([Int32]) }
    var meta: [(String, Meta)] = []
    var tensors: [(name: String, dims: [Int], type: UInt32, bytes: [UInt8])] = []

    private static func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    private static func str(_ s: String) -> [UInt8] { le(UInt64(s.utf8.count)) + Array(s.utf8) }

    func bytes(alignment: Int = 32) -> [UInt8] {
        var b: [UInt8] = Array("GGUF".utf8) + Self.le(UInt32(3)) + Self.le(UInt64(tensors.count)) + Self.le(UInt64(meta.count))
        for (k, v) in meta {
            b += Self.str(k)
            switch v {
            case .u32(let x): b += Self.le(UInt32(4)) + Self.le(x)
            case .i32(let x): b += Self.le(UInt32(5)) + Self.le(x)
            case .f32(let x): b += Self.le(UInt32(6)) + Self.le(x.bitPattern)
            case .bool(let x): b += Self.le(UInt32(7)) + [x ? 1 : 0]
            case .string(let s): b += Self.le(UInt32(8)) + Self.str(s)
            case .strings(let a): b += Self.le(UInt32(9)) + Self.le(UInt32(8)) + Self.le(UInt64(a.count)) + a.flatMap(Self.str)
            case .i32s(let a): b += Self.le(UInt32(9)) + Self.le(UInt32(5)) + Self.le(UInt64(a.count)) + a.flatMap(Self.le)
            }
        }
        var offset = 0
        var offsets: [Int] = []
        for t in tensors {
            offsets.append(offset)
            offset += (t.bytes.count + alignment - 1) / alignment * alignment
        }
        for (t, o) in zip(tensors, offsets) {
            b += Self.str(t.name) + Self.le(UInt32(t.dims.count)) + t.dims.flatMap { Self.le(UInt64($0)) } + Self.le(t.type) + Self.le(UInt64(o))
        }
        while b.count % alignment != 0 { b.append(0) }
        for t in tensors {
            b += t.bytes
            while b.count % alignment != 0 { b.append(0) }
        }
        return b
    }

    func write(to path: String) throws { try Data(bytes()).write(to: URL(fileURLWithPath: path)) }

    static func f16(_ x: Float) -> [UInt8] { le(Float16(x).bitPattern) }
    static func f32(_ x: Float) -> [UInt8] { le(x.bitPattern) }
}
