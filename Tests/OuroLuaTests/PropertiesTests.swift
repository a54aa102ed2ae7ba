import Foundation
import XCTest
import Ouro
@testable import OuroLua

/// `DatasetProperties` (PCA projection + Gaussian AIC) and the `ouro.data.properties` binding.
final class PropertiesTests: XCTestCase {
    // MARK: - Engine: Gaussian AIC, principal components

    /// Four points (±1, 0), (0, ±1): mean 0, MLE covariance diag(1/2, 1/2), det 1/4, n = 4, d = 2,
    /// k = 2 + 3 = 5. ln L = −(n/2)(d ln 2π + ln det + d) = −2(2 ln 2π + ln 1/4 + 2);
    /// AIC = 2k − 2 ln L = 10 + 4(2 ln 2π − ln 4 + 2).
    func testGaussianAICMatchesTheClosedFormOnASymmetricCross() {
        let aic = DatasetProperties.gaussianAIC(points: [1, 0, -1, 0, 0, 1, 0, -1], dimensions: 2)
        let expected = 10 + 4 * (2 * log(2 * Double.pi) - log(4) + 2)
        XCTAssertEqual(aic, expected, accuracy: 1e-12)
    }

    /// 1-D: points {−1, 1}: variance 1 (divisor n), k = 2; ln L = −(2/2)(ln 2π + 0 + 1); AIC = 4 + 2(ln 2π + 1).
    func testGaussianAICInOneDimension() {
        XCTAssertEqual(DatasetProperties.gaussianAIC(points: [-1, 1], dimensions: 1), 4 + 2 * (log(2 * Double.pi) + 1), accuracy: 1e-12)
    }

    func testGaussianAICIsNaNForASingularCovariance() {
        // All points on a line: det Σ = 0.
        XCTAssert(DatasetProperties.gaussianAIC(points: [0, 0, 1, 1, 2, 2], dimensions: 2).isNaN)
        XCTAssert(DatasetProperties.gaussianAIC(points: [3, 4], dimensions: 2).isNaN)
    }

    /// Rows (t, t/2 + u, 0) with t ∈ {−2…2}·3 and u alternating ±0.1: nearly all variance lies along
    /// (2, 1, 0)/√5; the third axis carries none. The top direction must be ±(2, 1, 0)/√5 up to the
    /// small u-term, the variances must be ordered, and their sum must equal the total variance
    /// (trace of the covariance) since the third eigenvalue is 0.
    func testPrincipalComponentsFindTheDominantDirectionAndPreserveTotalVariance() {
        var rows: [Double] = []
        let ts: [Double] = [-6, -3, 0, 3, 6]
        for (i, t) in ts.enumerated() { rows += [t, t / 2 + (i % 2 == 0 ? 0.1 : -0.1), 0] }
        let pcs = DatasetProperties.principalComponents(rows, rows: 5, cols: 3, components: 2)
        let d = pcs.directions[0]
        let cosine = abs(d[0] * 2 + d[1] * 1) / 5.0.squareRoot()
        XCTAssertGreaterThan(cosine, 0.999)
        XCTAssertEqual(d[2], 0, accuracy: 1e-12)
        XCTAssertGreaterThanOrEqual(pcs.variances[0], pcs.variances[1])
        // Total variance (divisor n) of the columns.
        var total = 0.0
        for c in 0..<3 {
            let col = (0..<5).map { rows[$0 * 3 + c] }
            let m = col.reduce(0, +) / 5
            total += col.reduce(0) { $0 + ($1 - m) * ($1 - m) } / 5
        }
        XCTAssertEqual(pcs.variances[0] + pcs.variances[1], total, accuracy: 1e-9)
        // Orthonormal directions.
        let dot = zip(pcs.directions[0], pcs.directions[1]).reduce(0) { $0 + $1.0 * $1.1 }
        XCTAssertEqual(dot, 0, accuracy: 1e-9)
    }

    /// Gaussianity is the AIC of the projection: for 2-D input, the projection is a rotation, and the
    /// Gaussian likelihood is rotation invariant, so it equals the AIC of the points themselves.
    func testGaussianityOfTwoDimensionalVectorsEqualsTheirAIC() {
        let pts: [Double] = [0.3, 1.2, -0.7, 0.4, 1.9, -0.2, -1.1, -0.8, 0.5, 0.05, 2.2, 1.7]
        XCTAssertEqual(DatasetProperties.gaussianity(pts, rows: 6, cols: 2),
                       DatasetProperties.gaussianAIC(points: pts, dimensions: 2), accuracy: 1e-9)
    }

    // MARK: - Binding (needs the built catalog: word list, VADER lexicon, offensive classifier, MiniLM)

    private func catalogSession(_ source: String) throws -> (OuroSession, Capture) {
        let data = OuroPaths.data()   // $OURO_DATA (CI's fresh folder), else the repository's data/
        for needed in ["/classifiers/offensive.json", "/models/minilm", "/wordlists"] where !FileManager.default.fileExists(atPath: data + needed) {
            // `make test` builds the catalog first; a missing one is a failure that says how to get it.
            throw CatalogMissing(message: "the catalog is not built (\(data + needed) missing): run `make data` (or `.build/release/ouro data`)")
        }
        let dir = TestSupport.tempFolder()
        let path = dir + "/props.lua"
        try source.write(toFile: path, atomically: true, encoding: .utf8)
        var o = SessionOptions()
        o.stdlib = TestSupport.stdlib
        o.dataFolder = data
        let s = try OuroSession(scriptPath: path, options: o)
        let capture = Capture()
        s.state.output = { capture.text += $0 }
        return (s, capture)
    }

    func testPropertiesAreFiniteAndDeterministicForASeed() throws {
        let (s, out) = try catalogSession("""
            local texts = {}
            local words = { "great", "terrible", "movie", "the", "plot", "was", "slow", "fun", "actors", "ending", "love", "hate" }
            for i = 1, 40 do
              local t = {}
              for j = 1, 4 + i % 5 do t[#t + 1] = words[(i * j + j) % #words + 1] end
              texts[i] = table.concat(t, " ") .. (i % 3 == 0 and "!" or ".")
            end
            local d = ouro.data.from(texts)
            local a = ouro.data.properties(d, { n = 25, seed = 3 })
            local b = ouro.data.properties(d, { n = 25, seed = 3 })
            local names = { "length", "lexical_diversity", "semantic_diversity", "positivity", "quality", "toxicity", "gaussianity", "dict_rate" }
            for _, k in ipairs(names) do
              local v = a[k]
              print(k, type(v) == "number" and v == v and v ~= math.huge and v ~= -math.huge, v == b[k])
            end
            print("n", a.n)
            print("ranges", a.toxicity >= 0 and a.toxicity <= 1, a.quality >= 0 and a.quality <= 1, a.positivity >= -1 and a.positivity <= 1)
            local ref = ouro.model.ngram{ order = 2 }:fit(d)
            local c = ouro.data.properties(d, { n = 25, seed = 3, reference = ref })
            print("ref", c.ppl_ref >= 1, c.quality <= c.dict_rate)
            print(pcall(ouro.data.properties, d, { m = 3 }))
            """)
        try s.run()
        let lines = out.text.split(separator: "\n").map(String.init)
        for name in ["length", "lexical_diversity", "semantic_diversity", "positivity", "quality", "toxicity", "gaussianity", "dict_rate"] {
            XCTAssert(lines.contains("\(name)\ttrue\ttrue"), "\(name): \(lines)")
        }
        XCTAssert(lines.contains("n\t25"), "\(lines)")
        XCTAssert(lines.contains("ranges\ttrue\ttrue\ttrue"), "\(lines)")
        XCTAssert(lines.contains("ref\ttrue\ttrue"), "\(lines)")
        XCTAssert(lines.last?.hasPrefix("false") == true && lines.last?.contains("'m'") == true, "\(lines)")
    }

    func testDictRatePerDocumentScoresGibberishLowerThanEnglish() throws {
        let (s, out) = try catalogSession("""
            local r = ouro.score.dict_rate({ "the cat sat on the mat", "xqzt blorf wibble snorkm" }, { per_document = true })
            print(r[1] > r[2], r[1], ouro.score.dict_rate({ "the cat" }))
            """)
        try s.run()
        XCTAssertEqual(out.text, "true\t1.0\t1.0\n")
    }
}

struct CatalogMissing: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
