import XCTest
@testable import OuroLua

final class DataBindingTests: XCTestCase {
    func testDatasetOperationsFromLua() throws {
        let fixtures = TestSupport.repoRoot + "/Tests/Fixtures/data"
        var o = SessionOptions()
        o.readPaths = [fixtures]
        let (s, out) = try TestSupport.session("""
            local d = ouro.data.load("\(fixtures)/tweets.jsonl")
            print(d:count() > 0, tostring(d):match("^Dataset%(") ~= nil)
            local small = d:slice(1, 5)
            print(small:count(), #small:texts(), small:get(1).text == d:text(1))
            local a, b = d:split{ 0.8, 0.2, seed = 1 }
            print(a:count() + b:count() == d:count())
            local s1, s2 = d:sample(5, { seed = 4 }), d:sample(5, { seed = 4 })
            print(table.concat(s1:texts(), "|") == table.concat(s2:texts(), "|"))
            print(d:filter(function(doc) return #doc.text < 40 end):count() <= d:count())
            print(ouro.data.concat{ small, small }:count())
            local t = ouro.text.tokenize("Don't stop!")
            print(table.concat(t, " "), ouro.text.detokenize(t))
            """, options: o)
        try s.run()
        XCTAssertEqual(out.text, "true\ttrue\n5\t5\ttrue\ntrue\ntrue\ntrue\n10\nDo n't stop !\tDon't stop!\n")
    }

    func testBadDataInputGivesTheUsersLine() throws {
        let (s, _) = try TestSupport.session("return 0")
        func message(_ code: String) -> String {
            do { try s.state.run(code, chunkName: "@exp.lua"); return "" } catch { return "\(error)" }
        }
        XCTAssertEqual(message("ouro.data.from{ 'a', 3 }"), "exp.lua:1: ouro.data.from: texts[2] must be a string, got number")
        XCTAssert(message("ouro.data.load('tweets')").hasPrefix("exp.lua:1: ouro.data.load: data set 'tweets' is not built"))
        XCTAssert(message("ouro.data.load('tweets')").contains("run `ouro data` to build the catalog"))
        XCTAssert(message("ouro.data.load('twets')").hasPrefix("exp.lua:1: ouro.data.load: no data set 'twets' (did you mean 'tweets'?)"))
        XCTAssertEqual(message("ouro.data.from{ 'a' }:sample(3)"), "exp.lua:1: Dataset:sample: cannot sample 3 documents from a dataset of 1")
        XCTAssertEqual(message("ouro.data.from{ 'a' }:split{ 0.5, 0.6 }"), "exp.lua:1: Dataset:split: fractions must sum to 1, got 1.1")
        XCTAssert(message("ouro.data.load('/etc/passwd.txt')").contains("sandbox: reading '/etc/passwd.txt' is not allowed"))
        XCTAssert(message("ouro.data.from{ 'a' }:save('/tmp/escape.jsonl')").contains("sandbox: writing"))
    }

    func testMalformedFilesNameFileAndLine() throws {
        let dir = TestSupport.tempFolder()
        try "{\"text\": \"ok\"}\n{\"text\": broken}\n".write(toFile: dir + "/bad.jsonl", atomically: true, encoding: .utf8)
        try "id,body\n1,hello\n".write(toFile: dir + "/reviews.csv", atomically: true, encoding: .utf8)
        let (s, _) = try TestSupport.session("return 0", folder: dir)
        XCTAssertThrowsError(try s.state.run("ouro.data.load('bad.jsonl')", chunkName: "@exp.lua")) {
            XCTAssert("\($0)".hasPrefix("exp.lua:1: ouro.data.load: bad.jsonl:2: invalid JSON"), "\($0)")
        }
        XCTAssertThrowsError(try s.state.run("ouro.data.load('reviews.csv')", chunkName: "@exp.lua")) {
            XCTAssert("\($0)".contains("reviews.csv: no column 'text' (columns: id, body)"), "\($0)")
        }
    }

    func testMetricsFromLua() throws {
        let (s, out) = try TestSupport.session("""
            local d = ouro.data.from{ "the cat sat", "the dog ran", "a bird flew" }
            local m = ouro.metrics.compute(d, { "ttr", "self_bleu", "length" })
            print(m.ttr, m.length)
            ouro.metrics.register("n_docs", function(texts) return #texts end)
            print(ouro.metrics.compute(d, { "n_docs" }).n_docs)
            print(ouro.lexical.ttr({ "a", "b", "a", "c" }), ouro.lexical.distinct({ "a", "b", "a", "b" }, { n = 2 }))
            local ok, e = pcall(ouro.metrics.compute, d, { "self_bleau" })
            print(e:match("closest: self_bleu") ~= nil)
            """)
        try s.run()
        // ttr over all tokens: 9 tokens, types {the, cat, sat, dog, ran, a, bird, flew} = 8; mean chars (11+11+11)/3.
        // distinct-2 of a b a b: bigrams ab, ba, ab → 2 distinct / 3.
        XCTAssertEqual(out.text, "0.88888888888889\t11.0\n3.0\n0.75\t0.66666666666667\ntrue\n")
    }
}
