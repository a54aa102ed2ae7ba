import Foundation
import XCTest
@testable import OuroLua

/// `ouro.model.llm` through `ouro run`: the README's three-line file, the methods, and bad options
/// (file:line, exit 2). Needs SmolLM2 in the data folder (`ouro data`; OURO_DATA names it).
final class LLMBindingTests: XCTestCase {
    func requireModel() throws { try TestSupport.requireSmolLM2() }

    func run(_ source: String) throws -> (Int32, String, String) {
        let dir = TestSupport.tempFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try source.write(toFile: dir + "/t.lua", atomically: true, encoding: .utf8)
        return try TestSupport.runOuro(["run", "t.lua"], cwd: dir)
    }

    func testReadmeFilePrintsFiveGeneratedTweets() throws {
        try requireModel()
        let r = try run("""
        local m = ouro.model.llm("smollm2-135m-instruct")
        local tweets = m:generate{ n = 5, prompt = "Generate a twitter post.", temperature = 1.5, min_p = 0.2, max_new_tokens = 60, seed = 1 }
        for i = 1, tweets:count() do print(i, tweets:get(i).text) end
        """)
        XCTAssertEqual(r.0, 0, r.2)
        for i in 1...5 { XCTAssertTrue(r.1.contains("\(i)\t"), r.1) }
    }

    func testMethodsAndToString() throws {
        try requireModel()
        let r = try run("""
        local m = ouro.model.llm("smollm2-135m-instruct")
        print(tostring(m))
        local ids = m:tokenize("Hello world 42")
        print(#ids, ids[#ids], m:decode(ids))
        assert(m:logprob("The cat sat on the mat.") < 0)
        local d = ouro.data.from{ "The cat sat on the mat.", "I love sunny days." }
        local p = m:perplexity(d)
        assert(p > 1 and p < 1e6, p)
        print(type(m:chat("Say hi", { max_new_tokens = 8 })))
        print(m.layers, m.vocab_size, m.quantization)
        """)
        XCTAssertEqual(r.0, 0, r.2)
        XCTAssertTrue(r.1.contains("LLM(smollm2-135m-instruct, llama, 135M params, 30 layers, Q4_1)"), r.1)
        XCTAssertTrue(r.1.contains("Hello world 42"), r.1)
        XCTAssertTrue(r.1.contains("string"), r.1)
        XCTAssertTrue(r.1.contains("30\t49152\tQ4_1"), r.1)
    }

    func testJudgeScoresEachTextAndRefusesBadRubrics() throws {
        try requireModel()
        var r = try run("""
        local m = ouro.model.llm("smollm2-135m-instruct")
        local d = ouro.data.from{ "I love sunny days.", "Worst day ever, everything broke." }
        local s, mass = m:judge(d, { rubric = "positivity", scale = 10 })
        assert(#s == 2 and #mass == 2)
        for i = 1, 2 do assert(s[i] >= 0 and s[i] <= 10 and mass[i] > 0 and mass[i] <= 1, s[i]) end
        local short = { rubric = "Score {text} from 0 to 10.", scale = 10 }
        local t = m:judge({ "A fine text.", "I love sunny days." }, short)
        assert(#t == 2 and t[1] >= 0 and t[1] <= 10)
        print("ok", t[2] == m:judge({ "I love sunny days." }, short)[1])
        """)
        XCTAssertEqual(r.0, 0, r.2)
        XCTAssertTrue(r.1.contains("ok\ttrue"), r.1)
        r = try run("""
        local m = ouro.model.llm("smollm2-135m-instruct")
        m:judge({ "x" }, { rubric = "Rate it." })
        """)
        XCTAssertEqual(r.0, 2)
        XCTAssertTrue(r.2.contains("t.lua:2:") && r.2.contains("{text}"), r.2)
    }

    func testBadOptionsNameTheLineAndExit2() throws {
        try requireModel()
        var r = try run("""
        local m = ouro.model.llm("smollm2-135m-instruct")
        m:generate{ n = 2, temprature = 1.5 }
        """)
        XCTAssertEqual(r.0, 2)
        XCTAssertTrue(r.2.contains("t.lua:2:") && r.2.contains("temperature"), r.2)
        r = try run("""
        local m = ouro.model.llm("smollm2-135m-instruct")

        m:generate{ n = 2, min_p = 1.5 }
        """)
        XCTAssertEqual(r.0, 2)
        XCTAssertTrue(r.2.contains("t.lua:3:") && r.2.contains("min_p"), r.2)
        r = try run("local m = ouro.model.llm(\"gpt-17\")")
        XCTAssertEqual(r.0, 2)
        XCTAssertTrue(r.2.contains("t.lua:1:") && r.2.contains("smollm2-135m-instruct"), r.2)
        r = try run("local m = ouro.model.llm{ path = \"nothere.gguf\" }")
        XCTAssertEqual(r.0, 2)
        XCTAssertTrue(r.2.contains("t.lua:1:"), r.2)
    }
}
