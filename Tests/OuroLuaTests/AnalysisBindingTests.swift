import XCTest
@testable import OuroLua

final class AnalysisBindingTests: XCTestCase {
    func testClusteringClassifiersMixingAndOLSFromLua() throws {
        let (s, out) = try TestSupport.session("""
            local texts, parties = {}, {}
            for i = 1, 40 do
              texts[#texts + 1] = (i % 2 == 0) and ("taxes budget deficit spending cut " .. i) or ("health care workers union wages " .. i)
            end
            local d = ouro.data.from(texts)
            local parts = d:cluster{ k = 2, seed = 1 }
            print(#parts, parts[1]:count() + parts[2]:count())
            -- labelled data through a saved and reloaded JSONL file
            local rows = {}
            for i, t in ipairs(texts) do rows[i] = t end
            local labelled = ouro.data.load("labelled.jsonl")
            local clf = ouro.classifier.train(labelled, { label = "party", kind = "naive_bayes" })
            local e = clf:evaluate(labelled)
            print(e.accuracy, clf:lean({ "taxes budget cut" }, { right = "R", left = "D" }) > 0)
            local mixed = ouro.data.mix_labels(labelled, { label = "party", shares = { R = 0.75, D = 0.25 }, n = 8, seed = 1 })
            local r_count = 0
            for _, p in ipairs(mixed:column("party")) do if p == "R" then r_count = r_count + 1 end end
            print(mixed:count(), r_count)
            -- names: the file's name when loaded, kept by subsets, descriptive for mixes and clusters
            print(labelled:name(), labelled:sample(3, { seed = 1 }):name(), mixed:name(), parts[2]:name(), d:name(),
                  tostring(labelled:named("speeches")))
            local fit = ouro.stats.ols{ y = { 1, 2, 3, 4, 5.5, 6, 7.2 }, x = { a = { 1, 2, 3, 4, 5, 6, 7 } }, folds = 3, standardize = false }
            print(math.abs(fit.r2 - 0.99) < 0.01, fit.coef.a > 0.9, fit.p.a < 0.001)
            print(pcall(ouro.classifier.train, labelled, { label = "colour" }))
            """, name: "analysis.lua")
        let dir = (s.scriptPath! as NSString).deletingLastPathComponent
        var jsonl = ""
        for i in 1...40 {
            let r = i % 2 == 0
            jsonl += "{\"text\": \"\(r ? "taxes budget deficit spending cut" : "health care workers union wages") \(i)\", \"party\": \"\(r ? "R" : "D")\"}\n"
        }
        try jsonl.write(toFile: dir + "/labelled.jsonl", atomically: true, encoding: .utf8)
        try s.run()
        var lines = out.text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[0], "2\t40")
        XCTAssertEqual(lines[1], "1.0\ttrue")
        XCTAssertEqual(lines[2], "8\t6")
        XCTAssertEqual(lines[3], "labelled\tlabelled\tlabelled D 25% R 75%\tcluster 2\tnil\tDataset(speeches: 40 docs, 240 tokens, labels: party)")
        lines.remove(at: 3)
        XCTAssertEqual(lines[3], "true\ttrue\ttrue")
        XCTAssert(lines[4].hasPrefix("false\t") && lines[4].contains("colour") && lines[4].contains("party"), lines[4])
    }
}
