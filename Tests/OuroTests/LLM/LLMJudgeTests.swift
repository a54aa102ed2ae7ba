import Foundation
import XCTest
@testable import Ouro

/// The LLM judge (`LlamaModel.judge`): its expected rating is the expectation over the ratings 0…scale
/// computed from full, separate forward passes of every prompt + number, and it refuses bad rubrics.
/// Needs SmolLM2 in the data folder (`ouro data`).
final class LLMJudgeTests: XCTestCase {
    /// The judge's score by brute force: for every n in 0…scale, the logits of the whole sequence
    /// prompt + digits(n) (one `logits` call per number, no shared cache), P(n) = Π P(digit | before) ·
    /// (1 − Σ P(digit | n)).
    func bruteForce(_ m: LlamaModel, _ text: String, _ j: LLMJudge) -> (expected: Double, mass: Double) {
        let prompt = m.tokenizer.encode(m.chat.render(user: j.rubric.replacingOccurrences(of: "{text}", with: text)) + j.answerPrefix)
        let digit = (0..<10).map { m.tokenizer.encode(String($0))[0] }
        let V = m.config.vocab
        func probs(_ l: [Float], row: Int) -> [Double] {
            let r = Array(l[(row * V)..<((row + 1) * V)]).map(Double.init)
            let mx = r.max()!
            let z = r.reduce(0) { $0 + exp($1 - mx) }
            return r.map { exp($0 - mx) / z }
        }
        var mass = 0.0, weighted = 0.0
        for n in 0...j.scale {
            let ds = String(n).map { digit[Int(String($0))!] }
            let l = m.logits([prompt + ds])
            var p = 1.0
            for (i, d) in ds.enumerated() { p *= probs(l, row: prompt.count - 1 + i)[Int(d)] }
            let after = probs(l, row: prompt.count - 1 + ds.count)
            p *= 1 - digit.reduce(0) { $0 + after[Int($1)] }
            mass += p; weighted += Double(n) * p
        }
        return (weighted / mass, mass)
    }

    func testExpectedRatingEqualsTheBruteForceExpectation() throws {
        let m = try LLMTestSupport.model()
        // Scale 12: one- and two-digit ratings, a rating ("1") that is also a prefix of others, and
        // digit strings outside the scale ("13"…"19") that get no weight. (Debug builds run the
        // model slowly: one short text.)
        let texts = ["I love sunny days!"]
        for scale in [12] {
            let j = LLMJudge(rubric: "Rate this text from 0 to \(scale): {text}", scale: scale)   // short: debug builds are slow
            let got = try m.judge(texts, j)
            for (k, t) in texts.enumerated() {
                let want = bruteForce(m, t, j)
                XCTAssertEqual(got[k].expected, want.expected, accuracy: 1e-3 * Double(scale), "scale \(scale), \(t)")
                XCTAssertEqual(got[k].numberMass, want.mass, accuracy: 1e-4, "scale \(scale), \(t)")
                XCTAssertTrue((0...Double(scale)).contains(got[k].expected))
                XCTAssertGreaterThan(got[k].numberMass, 0.5, "the answer prefix makes a number likely")
            }
        }
    }

    func testScoresDoNotDependOnTheOtherTexts() throws {
        let m = try LLMTestSupport.model()
        let a = "What a wonderful film!", b = "Terrible service."
        let j = LLMJudge(rubric: "How positive is this, from 0 to 10? {text}", scale: 10)
        let both = try m.judge([a, b], j)
        XCTAssertEqual(both[0], try m.judge([a], j)[0])
        XCTAssertEqual(both[1], try m.judge([b], j)[0])
        XCTAssertEqual(try m.judge([], .quality), [])
    }

    func testBadJudgesAreRefused() throws {
        let m = try LLMTestSupport.model()
        XCTAssertThrowsError(try m.judge(["x"], LLMJudge(rubric: "Rate this."))) { e in
            XCTAssertTrue("\(e)".contains("{text}"), "\(e)")
        }
        XCTAssertThrowsError(try m.judge(["x"], LLMJudge(rubric: "{text}", scale: 0))) { e in
            XCTAssertTrue("\(e)".contains("scale"), "\(e)")
        }
    }
}
