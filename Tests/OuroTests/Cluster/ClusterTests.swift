import Foundation
import XCTest
@testable import Ouro

final class ClusterTests: XCTestCase {
    /// Three topics with disjoint vocabularies; documents draw 6–10 words of their topic.
    private func topics(perTopic: Int = 20, seed: UInt64 = 3) -> (Dataset, [Int]) {
        let vocab = [["apple", "banana", "cherry", "grape", "melon", "peach", "plum"],
                     ["engine", "wheel", "brake", "gear", "clutch", "piston", "axle"],
                     ["violin", "cello", "flute", "oboe", "harp", "drum", "piano"]]
        var rng = Xoshiro256(seed: seed)
        var texts: [String] = [], truth: [Int] = []
        for i in 0..<(3 * perTopic) {
            let t = i % 3
            texts.append((0..<(6 + rng.int(below: 5))).map { _ in vocab[t][rng.int(below: 7)] }.joined(separator: " "))
            truth.append(t)
        }
        return (Dataset.from(texts: texts), truth)
    }

    func testKMeansRecoversSeparatedBlobs() {
        var rng = Xoshiro256(seed: 9)
        let centres = [(0.0, 0.0), (10.0, 0.0), (0.0, 10.0)]
        var pts: [Double] = [], truth: [Int] = []
        for i in 0..<90 { let c = centres[i % 3]; pts += [c.0 + rng.normal(), c.1 + rng.normal()]; truth.append(i % 3) }
        let r = KMeans.fit(points: pts, dimensions: 2, k: 3, seed: 1)
        XCTAssertTrue(r.converged)
        // Same partition as the truth, up to renaming clusters.
        for i in 0..<90 { for j in 0..<90 { XCTAssertEqual(r.assignments[i] == r.assignments[j], truth[i] == truth[j]) } }
        // Centroids are the means of their points.
        for c in 0..<3 {
            let members = (0..<90).filter { r.assignments[$0] == c }
            let mx = members.map { pts[2 * $0] }.reduce(0, +) / Double(members.count)
            XCTAssertEqual(r.centroids[2 * c], mx, accuracy: 1e-12)
        }
    }

    func testKMeansKeepsEveryClusterNonEmptyWithDuplicatePoints() {
        let pts: [Double] = [0, 0, 0, 0, 0, 0, 5, 5]
        let r = KMeans.fit(points: pts, dimensions: 2, k: 3, seed: 4)
        XCTAssertEqual(Set(r.assignments).count, 3)
    }

    func testSVDOfALowRankMatrixReproducesItsSingularValues() {
        // A = diag(3, 2, 1) padded with zero columns, as CSR; exact singular values 3, 2, 1.
        let a = SparseMatrix(columns: 5, rows: [[(0, 3)], [(1, 2)], [(2, 1)], []])
        let r = TruncatedSVD.fit(a, k: 2, seed: 1)
        XCTAssertEqual(r.singularValues[0], 3, accuracy: 1e-10)
        XCTAssertEqual(r.singularValues[1], 2, accuracy: 1e-10)
        // Row norms of U Σ restricted to the top 2 directions: rows 0 and 1 keep their norms.
        XCTAssertEqual(hypot(r.coordinates[0], r.coordinates[1]), 3, accuracy: 1e-10)
        XCTAssertEqual(hypot(r.coordinates[2], r.coordinates[3]), 2, accuracy: 1e-10)
        XCTAssertEqual(hypot(r.coordinates[4], r.coordinates[5]), 0, accuracy: 1e-10)
    }

    func testTFIDFMatchesTheSmoothedIDFDefinitionAndHasUnitRows() {
        // Two docs: "a b", "a a c". df(a)=2, df(b)=1, df(c)=1, n=2 → idf(a)=ln(3/3)+1=1, idf(b)=idf(c)=ln(3/2)+1.
        let m = TFIDF.vectors(Dataset.from(texts: ["a b", "A a c"]))
        let ib = log(1.5) + 1
        let n0 = (1 + ib * ib).squareRoot(), n1 = (4 + ib * ib).squareRoot()
        XCTAssertEqual(m.columns, 3)
        XCTAssertEqual(Array(m.values), [1 / n0, ib / n0, 2 / n1, ib / n1])
    }

    func testClusterRecoversDisjointTopicsAndIsDeterministic() throws {
        let (d, truth) = topics()
        let a = try d.clusterAssignments(k: 3, by: .tfidf(dimensions: 5, minDF: 1), seed: 7)
        for i in 0..<d.count { for j in 0..<d.count { XCTAssertEqual(a[i] == a[j], truth[i] == truth[j]) } }
        XCTAssertEqual(try d.clusterAssignments(k: 3, by: .tfidf(dimensions: 5, minDF: 1), seed: 7), a)
        let parts = try d.cluster(k: 3, by: .tfidf(dimensions: 5, minDF: 1), seed: 7)
        XCTAssertEqual(parts.map(\.count).reduce(0, +), d.count)
        XCTAssertEqual(parts.map(\.count), (0..<3).map { c in a.filter { $0 == c }.count })
    }

    func testClusterRejectsMoreClustersThanDocuments() {
        XCTAssertThrowsError(try Dataset.from(texts: ["a", "b"]).cluster(k: 3, seed: 1)) { e in
            XCTAssertEqual("\(e)", "cluster: cannot make 3 clusters of 2 documents")
        }
    }

    private func partyData() -> Dataset {
        var b = DatasetBuilder()
        for i in 0..<30 { b.append(text: "doc \(i)", labels: [("party", .string(i < 20 ? "D" : "R"))]) }
        return b.build()
    }

    func testMixLabelsGivesExactCountsPerLabelWithoutRepeats() throws {
        let d = partyData()
        let m = try d.mixLabels(label: "party", shares: ["D": 0.75, "R": 0.25], n: 18, seed: 1)
        let p = m.column("party")!
        XCTAssertEqual((0..<m.count).filter { p[$0] == .string("D") }.count, 14)   // 13.5 → 14 (largest remainder, tie → D first)
        XCTAssertEqual((0..<m.count).filter { p[$0] == .string("R") }.count, 4)
        XCTAssertEqual(Set(m.texts).count, 18)
        XCTAssertEqual(try d.mixLabels(label: "party", shares: ["D": 0.75, "R": 0.25], n: 18, seed: 1).texts, m.texts)
        XCTAssertNotEqual(try d.mixLabels(label: "party", shares: ["D": 0.75, "R": 0.25], n: 18, seed: 2).texts, m.texts)
    }

    func testMixLabelsSaysHowManyDocumentsALabelHas() {
        let d = partyData()
        XCTAssertThrowsError(try d.mixLabels(label: "party", shares: ["D": 0.5, "R": 0.5], n: 30, seed: 1)) { e in
            XCTAssertEqual("\(e)", "mix_labels: party = 'R' has 10 documents; 15 needed for n = 30")
        }
        XCTAssertThrowsError(try d.mixLabels(label: "side", shares: ["D": 1], n: 3, seed: 1)) { e in
            XCTAssertEqual("\(e)", "mix_labels: no label column 'side' (columns: party)")
        }
        XCTAssertThrowsError(try d.mixLabels(label: "party", shares: ["D": 0.5, "X": 0.5], n: 4, seed: 1)) { e in
            XCTAssertEqual("\(e)", "mix_labels: no document has party = 'X' (values: D, R)")
        }
        XCTAssertThrowsError(try d.mixLabels(label: "party", shares: ["D": 0.5, "R": 0.4], n: 4, seed: 1))
    }
}
