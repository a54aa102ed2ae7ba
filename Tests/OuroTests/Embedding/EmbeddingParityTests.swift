import Foundation
import XCTest
@testable import Ouro

/// Ouro's MiniLM against sentence-transformers (5.1.2, transformers 4.57.1, torch 2.13.0 CPU) on the
/// same packaged weights: the fixture written by `scripts/parity/embed.sh` (32 tweets + 8 edge cases).
final class EmbeddingParityTests: XCTestCase {
    func testTokenIDsEqualHuggingFaceFastTokenizer() throws {
        let fx = try EmbeddingTestSupport.fixture()
        let enc = try EmbeddingTestSupport.encoder()
        for (text, ids) in zip(fx.texts, fx.ids) {
            XCTAssertEqual(enc.tokenizer.encode(text), ids, "token ids differ for \(text.debugDescription.prefix(80))")
        }
    }

    func testEmbeddingsMatchSentenceTransformersToCosine0_9999() throws {
        let fx = try EmbeddingTestSupport.fixture()
        let enc = try EmbeddingTestSupport.encoder()
        let e = try enc.embed(fx.texts, batchSize: 16)
        XCTAssertEqual(e.rows, fx.texts.count)
        XCTAssertEqual(e.cols, 384)
        var worst = 1.0
        for i in 0..<e.rows {
            let c = EmbeddingTestSupport.cosine(e.row(i), fx.embeddings[i])
            worst = min(worst, c)
            XCTAssertGreaterThanOrEqual(c, 0.9999, "text \(i): \(fx.texts[i].prefix(60))")
            // The reference is rounded to 1e-6, our float32 result is close to it element-wise too.
            for (x, y) in zip(e.row(i), fx.embeddings[i]) { XCTAssertEqual(Double(x), Double(y), accuracy: 2e-4) }
        }
        let ours = try SemanticMetrics.semanticDiversity(e)
        XCTAssertEqual(ours, fx.metrics["semantic_diversity"]!, accuracy: 1e-4)
    }

    func testEmbeddingOfATextDoesNotDependOnBatchOrThreads() throws {
        let fx = try EmbeddingTestSupport.fixture()
        let enc = try EmbeddingTestSupport.encoder()
        let texts = Array(fx.texts.prefix(12))
        let saved = enc.threads
        defer { enc.threads = saved }
        enc.threads = 2
        let together = try enc.embed(texts, batchSize: 64)
        enc.threads = 1
        let small = try enc.embed(texts, batchSize: 3)
        let alone = try enc.embed([texts[5]], batchSize: 1)
        for i in 0..<texts.count {
            XCTAssertGreaterThanOrEqual(EmbeddingTestSupport.cosine(together.row(i), Array(small.row(i))), 0.99999)
        }
        XCTAssertGreaterThanOrEqual(EmbeddingTestSupport.cosine(together.row(5), Array(alone.row(0))), 0.99999)
        // Same batches, 1 thread instead of 2: same bits; same call twice: same bits.
        XCTAssertEqual(try enc.embed(texts, batchSize: 64), together)
        enc.threads = 2
        XCTAssertEqual(try enc.embed(texts, batchSize: 64), together)
    }

    func testEmptyInputGivesAnEmptyMatrix() throws {
        let enc = try EmbeddingTestSupport.encoder()
        let e = try enc.embed([])
        XCTAssertEqual(e.rows, 0)
        XCTAssertEqual(e.cols, 384)
    }

    /// The full check over ≥ 500 real texts when `scripts/parity/embed.sh` runs it (it writes the
    /// reference and sets `OURO_EMBED_REFERENCE` to its folder); in a plain test run the same check
    /// over the committed fixture (40 texts, written by the same script), so it always checks.
    func testFullReferenceCosineAndSemanticDiversity() throws {
        struct Ref: Decodable { var texts: [String]; var ids: [[Int32]]; var dim: Int; var metrics: [String: Double]; var frechet_halves: Double? }
        let ref: Ref, want: [Float]
        if let dir = ProcessInfo.processInfo.environment["OURO_EMBED_REFERENCE"] {
            let url = URL(fileURLWithPath: dir)
            ref = try JSONDecoder().decode(Ref.self, from: Data(contentsOf: url.appendingPathComponent("reference.json")))
            let raw = try Data(contentsOf: url.appendingPathComponent("embeddings.f32"))
            want = raw.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        } else {
            let fx = try EmbeddingTestSupport.fixture()
            ref = Ref(texts: fx.texts, ids: fx.ids, dim: fx.embeddings.first?.count ?? 0, metrics: fx.metrics, frechet_halves: nil)
            want = fx.embeddings.flatMap { $0 }
        }
        XCTAssertEqual(want.count, ref.texts.count * ref.dim)
        let enc = try EmbeddingTestSupport.encoder()
        var idMismatches = 0
        for (t, ids) in zip(ref.texts, ref.ids) where enc.tokenizer.encode(t) != ids { idMismatches += 1 }
        XCTAssertEqual(idMismatches, 0, "texts whose token ids differ")
        let e = try enc.embed(ref.texts)
        var worst = 1.0, worstIndex = -1
        for i in 0..<e.rows {
            let c = EmbeddingTestSupport.cosine(e.row(i), Array(want[(i * ref.dim)..<((i + 1) * ref.dim)]))
            if c < worst { worst = c; worstIndex = i }
        }
        let sd = try SemanticMetrics.semanticDiversity(e)
        let half = e.rows / 2
        let fd = try SemanticMetrics.frechetDistance(e.selecting(rows: Array(0..<half)), e.selecting(rows: Array(half..<e.rows)))
        print("embed parity: \(e.rows) texts, min cosine \(worst) (text \(worstIndex)), semantic_diversity ours \(sd) reference \(ref.metrics["semantic_diversity"]!) |Δ| \(abs(sd - ref.metrics["semantic_diversity"]!)), frechet halves ours \(fd) reference \(ref.frechet_halves.map { "\($0)" } ?? "-")")
        XCTAssertGreaterThanOrEqual(worst, 0.9999)
        XCTAssertEqual(sd, ref.metrics["semantic_diversity"]!, accuracy: 1e-4)
        XCTAssertEqual(try SemanticMetrics.vendi(e), ref.metrics["vendi"]!, accuracy: 1e-3 * ref.metrics["vendi"]!)
        if let f = ref.frechet_halves { XCTAssertEqual(fd, f, accuracy: 1e-3 * max(1, f)) }   // the fixture's Fréchet check is in SemanticMetricsTests
    }
}
