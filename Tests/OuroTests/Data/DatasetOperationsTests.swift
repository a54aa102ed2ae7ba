import XCTest
@testable import Ouro

final class DatasetOperationsTests: XCTestCase {
    private func tweets() throws -> Dataset { try Dataset.load(DataFixtures.path("tweets.jsonl")) }

    func testDescriptionIsReadable() throws {
        let d = try tweets()
        XCTAssertEqual(d.description, "Dataset(tweets: 30 docs, \(d.tokenCount) tokens, labels: id, sentiment, party, retweets)", "named by its file")
        XCTAssertEqual(try d.sample(3, seed: 1).name, "tweets", "subsets keep the name")
        XCTAssertNil(Dataset.concat([d, d]).name)
        XCTAssertEqual(Dataset.from(texts: ["one"]).description, "Dataset(1 doc, 1 token)")
        XCTAssertEqual(Dataset.compact(57_000), "57k")
        XCTAssertEqual(Dataset.compact(4_249), "4.2k")
        XCTAssertEqual(Dataset.compact(999), "999")
        XCTAssertEqual(Dataset.compact(2_000_000), "2M")
    }

    func testFilterByTokenBoundsIsInclusive() throws {
        let d = try tweets()
        let lengths = (0..<d.count).map { d.tokenCount(at: $0) }
        let f = d.filter(FilterOptions(minTokens: 10, maxTokens: 14))
        XCTAssertEqual(f.count, lengths.filter { $0 >= 10 && $0 <= 14 }.count)
        XCTAssertTrue((0..<f.count).allSatisfy { (10...14).contains(f.tokenCount(at: $0)) })
        XCTAssertEqual(f.columnNames, d.columnNames)
    }

    func testDedupKeepsFirstOfEqualNormalisedTexts() throws {
        let d = Dataset.from(texts: ["Coffee first.", "other", "Coffee  first.", "Cafe\u{301}", "Caf\u{E9}"])
        let f = d.filter(FilterOptions(dedup: true))
        XCTAssertEqual(f.texts, ["Coffee first.", "other", "Cafe\u{301}"])
        // The fixture has one exact duplicate (lines 5 and 24); the first keeps its labels.
        let t = try tweets().filter(FilterOptions(dedup: true))
        XCTAssertEqual(t.count, 29)
        XCTAssertEqual(t.column("id")?[4], .number(5))
    }

    func testStripLinksRemovesURLsAndRetokenizes() {
        let d = Dataset.from(texts: ["Read this https://x.co/abc.", "https://a.org/b start", "no link here"])
        let f = d.filter(FilterOptions(stripLinks: true))
        XCTAssertEqual(f.texts, ["Read this.", "start", "no link here"])
        XCTAssertEqual(f.tokenStrings(at: 0), ["Read", "this", "."])
    }

    func testDropTrailingHashtagsKeepsInnerOnes() {
        let d = Dataset.from(texts: ["Great #sunny day at the beach #summer #fun", "#only #tags", "none"])
        let f = d.filter(FilterOptions(dropTrailingHashtags: true))
        XCTAssertEqual(f.texts, ["Great #sunny day at the beach", "", "none"])
        XCTAssertEqual(f.tokenCount(at: 1), 0)
    }

    func testFilterWherePredicateSeesIndices() throws {
        let d = try tweets()
        let party = d.column("party")!
        let r = d.filter(where: { party[$0] == .string("R") })
        XCTAssertEqual(r.count, (0..<d.count).filter { party[$0] == .string("R") }.count)
        XCTAssertTrue((0..<r.count).allSatisfy { r.document(at: $0)["party"] == .string("R") })
    }

    func testSampleIsWithoutReplacementAndDeterministic() throws {
        let d = try tweets()
        let a = try d.sample(10, seed: 7), b = try d.sample(10, seed: 7), c = try d.sample(10, seed: 8)
        XCTAssertEqual(a.texts, b.texts)
        XCTAssertEqual(a.tokenIDs, b.tokenIDs)
        XCTAssertNotEqual(a.column("id"), c.column("id"))
        let ids = (0..<10).map { a.column("id")![$0] }
        XCTAssertEqual(Set(ids).count, 10)
        // The documents are the ones of the draw on the stream (seed, "sample").
        var rng = Xoshiro256(seed: 7, "sample")
        XCTAssertEqual(ids, rng.sampleIndices(10, from: 30).map { .number(Double($0 + 1)) })
        XCTAssertThrowsError(try d.sample(31, seed: 1)) { e in
            XCTAssertEqual((e as? DataError)?.description, "cannot sample 31 documents from a dataset of 30")
        }
    }

    func testShuffleIsAPermutationFixedBySeed() throws {
        let d = try tweets()
        let a = d.shuffled(seed: 3), b = d.shuffled(seed: 3)
        XCTAssertEqual(a.texts, b.texts)
        XCTAssertEqual(a.texts.sorted(), d.texts.sorted())
        XCTAssertNotEqual(a.texts, d.texts)
        XCTAssertNotEqual(a.texts, d.shuffled(seed: 4).texts)
        for i in 0..<a.count {  // tokens travel with their text
            XCTAssertEqual(Array(a.tokens(at: i)), Tokenizer.word.ids(a.text(at: i)))
        }
    }

    func testSliceIsZeroBasedHalfOpenAndClamped() throws {
        let d = try tweets()
        XCTAssertEqual(d.slice(2, 5).texts, Array(d.texts[2..<5]))
        XCTAssertEqual(d.slice(28, 100).count, 2)
        XCTAssertEqual(d.slice(5, 2).count, 0)
        XCTAssertEqual(d.slice(-3, 1).texts, [d.texts[0]])
    }

    func testSplitIsDisjointCoveringAndDeterministic() throws {
        let d = try tweets()
        let parts = try d.split(fractions: [0.5, 0.3, 0.2], seed: 11)
        // Boundaries round(30·0.5)=15, round(30·0.8)=24, then the rest.
        XCTAssertEqual(parts.map(\.count), [15, 9, 6])
        let ids = parts.flatMap { p in (0..<p.count).map { p.column("id")![$0] } }
        XCTAssertEqual(Set(ids).count, 30)
        let again = try d.split(fractions: [0.5, 0.3, 0.2], seed: 11)
        XCTAssertEqual(again.map(\.texts), parts.map(\.texts))
        XCTAssertEqual(try d.split(fractions: [0.1], seed: 1).map(\.count), [3])
        XCTAssertThrowsError(try d.split(fractions: [0.7, 0.5], seed: 1))
        XCTAssertThrowsError(try d.split(fractions: [-0.1], seed: 1))
    }

    func testConcatUnitesColumnsWithMissingValues() throws {
        var b = DatasetBuilder()
        b.append(text: "a", labels: [("score", .number(1))])
        b.append(text: "b", labels: [("score", .number(2))])
        let x = b.build()
        var c = DatasetBuilder()
        c.append(text: "c", labels: [("score", .string("high")), ("lang", .string("en"))])
        let y = c.build()
        let z = Dataset.from(texts: ["d"])
        let all = Dataset.concat([x, y, z])
        XCTAssertEqual(all.texts, ["a", "b", "c", "d"])
        XCTAssertEqual(all.columnNames, ["score", "lang"])
        XCTAssertEqual(all.column("score"), .strings(["1", "2", "high", nil]))
        XCTAssertEqual(all.column("lang"), .strings([nil, nil, "en", nil]))
        XCTAssertEqual(all.offsets, [0, 1, 2, 3, 4])
        XCTAssertEqual(Dataset.concat([x, x]).column("score"), .numbers([1, 2, 1, 2]))
    }

    func testSaveRoundTripsThroughLoad() throws {
        let d = try tweets()
        let path = try DataFixtures.temporary("out.jsonl", "")
        try d.save(to: path)
        let e = try Dataset.load(path)
        XCTAssertEqual(e.texts, d.texts)
        XCTAssertEqual(e.tokenIDs, d.tokenIDs)
        XCTAssertEqual(e.offsets, d.offsets)
        XCTAssertEqual(e.columnNames, d.columnNames)
        XCTAssertEqual(e.columns, d.columns)
        // Tricky strings survive too.
        let odd = Dataset.from(texts: ["quote \" back\\slash\nnew line\ttab \u{1} ctl", "é 😀"])
        try odd.save(to: path)
        XCTAssertEqual(try Dataset.load(path).texts, odd.texts)
    }

    func testBuilderFromTokenIdsDetokenizesText() {
        let ids = Vocabulary.shared.ids(for: ["<s>", "I", "'m", "fine", "!", "</s>"])
        let d = Dataset.from(tokenSequences: [ids, Vocabulary.shared.ids(for: ["ok"])])
        XCTAssertEqual(d.texts, ["I'm fine!", "ok"])
        XCTAssertEqual(Array(d.tokens(at: 0)), ids)
        XCTAssertEqual(d.count, 2)
    }

    func testEmptyDatasetOperations() throws {
        let e = Dataset.from(texts: [])
        XCTAssertEqual(e.count, 0)
        XCTAssertEqual(e.shuffled(seed: 1).count, 0)
        XCTAssertEqual(try e.sample(0, seed: 1).count, 0)
        XCTAssertEqual(e.description, "Dataset(0 docs, 0 tokens)")
    }
}
