import Foundation
import XCTest
@testable import OuroLua
import Ouro

/// Issue 14 #10: the MiniLM encoder uses its worker's cores (all with `--jobs 1`, cores ÷ jobs
/// otherwise) and the semantic metrics do not depend on it: `--jobs 1` and `--jobs 2` store the same
/// bits. Needs the MiniLM weights in the data folder (`ouro data`).
final class EncoderThreadsTests: XCTestCase {
    func testSemanticMetricsAreIdenticalWithOneAndTwoJobs() throws {
        let data = OuroPaths.data()
        guard MiniLMWeights.isInstalled(in: data) else {
            XCTFail("the MiniLM weights are not in \(data); build the catalog with `ouro data` (or set OURO_DATA)")
            return
        }
        let dir = TestSupport.tempFolder()
        let texts = (0..<240).map { i in "\"text \(i) about \(["cats", "dogs", "taxes", "the weather", "a game"][i % 5]) and \(i % 7) more words here\"" }
        try """
            experiment {
              name = "sem",
              human = ouro.data.from{ \(texts.joined(separator: ", ")) },
              model = ouro.model.ngram{ order = 2 },
              generations = 2, train_size = 60, synthetic_ratio = 0.5, eval_size = 150,
              sampling = { temperature = 1.2, max_new_tokens = 12 },
              metrics = { "semantic_diversity", "knn_diversity_5", "vendi", "embedding_variance", "frechet_to_human" },
              seeds = { 1, 2 },
            }
            """.write(toFile: dir + "/exp.lua", atomically: true, encoding: .utf8)
        var rows: [[String]] = []
        for jobs in ["1", "2"] {
            let r = try TestSupport.runOuro(["run", "exp.lua", "--quiet", "--out", "j\(jobs).db", "--jobs", jobs], cwd: dir, data: data)
            XCTAssertEqual(r.0, 0, r.2)
            let store = try ResultStore.open(dir + "/j\(jobs).db", mode: .readOnly)
            rows.append(try store.exportCSV().split(separator: "\n").map(String.init))
        }
        XCTAssertGreaterThan(rows[0].count, 2 * 3 * 5)
        XCTAssertEqual(rows[0], rows[1])
    }

    func testEmbeddingsAreTheSameBitsForAnyThreadCount() throws {
        let data = OuroPaths.data()
        guard MiniLMWeights.isInstalled(in: data) else {
            XCTFail("the MiniLM weights are not in \(data); build the catalog with `ouro data` (or set OURO_DATA)")
            return
        }
        let enc = try MiniLMWeights.load(dataFolder: data)
        let texts = (0..<50).map { "sentence number \($0) " + String(repeating: "word ", count: $0 % 9) }
        enc.threads = 1
        let one = try enc.embed(texts, batchSize: 4)
        for t in [2, 3, 8] {
            enc.threads = t
            XCTAssertEqual(try enc.embed(texts, batchSize: 4), one, "\(t) threads")
        }
    }
}
