import Foundation
import XCTest
@testable import Ouro

/// A scratch directory removed at the end of the test.
final class LoopScratch {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("ouro-loop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func store(_ name: String, mode: ResultStore.Mode = .create) throws -> ResultStore {
        try ResultStore.open(path(name), mode: mode)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
}

typealias Gaussian = NumericLoopModel<GaussianModel>

/// Mean and unbiased variance of 1-D numeric data, the metrics of most loop tests.
func meanAndVariance<M: LoopModel>(_ d: NumericData, _ ref: NumericData, _ context: LoopEvaluation<M>) -> [String: Double] where M.Data == NumericData {
    let x = d.values
    let n = Double(x.count)
    let m = x.reduce(0, +) / n
    let v = x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1)
    return ["mean": m, "variance": v]
}

/// A 1-D normal human pool of `n` rows.
func normalPool(_ n: Int, mean: Double = 0, sd: Double = 1, seed: UInt64 = 99) throws -> NumericData {
    try NumericData.normal(mean: mean, sd: sd, n: n, seed: seed)
}

/// A test text model: a unigram distribution over the tokens of its training documents; each
/// generated document has `Sampling` tokens (default 4), drawn independently.
/// Fine-tuning mixes the base counts with the new counts: (1 − w)·p_base + w·p_new.
struct UnigramTestModel: LoopModel {
    typealias Data = Dataset
    typealias Sampling = Int
    var ids: [UInt32] = []
    var probs: [Double] = []

    func fitted(on data: Dataset, seed: UInt64) throws -> UnigramTestModel {
        var counts: [UInt32: Double] = [:]
        for t in data.tokenIDs { counts[t, default: 0] += 1 }
        let ids = counts.keys.sorted()
        let total = Double(data.tokenIDs.count)
        return UnigramTestModel(ids: ids, probs: ids.map { counts[$0]! / total })
    }

    func finetuned(on data: Dataset, weight: Double, seed: UInt64) throws -> UnigramTestModel {
        let new = try fitted(on: data, seed: seed)
        if ids.isEmpty { return new }
        var p: [UInt32: Double] = [:]
        for (i, q) in zip(ids, probs) { p[i, default: 0] += (1 - weight) * q }
        for (i, q) in zip(new.ids, new.probs) { p[i, default: 0] += weight * q }
        let keys = p.keys.sorted()
        return UnigramTestModel(ids: keys, probs: keys.map { p[$0]! })
    }

    func generate(n: Int, sampling: Int?, seed: UInt64) throws -> Dataset {
        var rng = Xoshiro256(seed: seed)
        let len = sampling ?? 4
        return Dataset.from(tokenSequences: (0..<n).map { _ in (0..<len).map { _ in ids[rng.categorical(probs)] } })
    }
}

/// `n` human documents of 4 words drawn from `w0` … `w19`.
func wordPool(_ n: Int, seed: UInt64 = 5) -> Dataset {
    var rng = Xoshiro256(seed: seed)
    return Dataset.from(texts: (0..<n).map { _ in (0..<4).map { _ in "w\(rng.int(below: 20))" }.joined(separator: " ") })
}
