import Foundation
import XCTest

/// A short, fixed-seed run of the API fuzzer (scripts/fuzz/fuzz.lua): a few thousand random and
/// mutated calls of every `ouro` function and object method, in a sandboxed `ouro run` process.
/// The long runs are `scripts/fuzz/run.sh` (see docs/security.md for the last count).
final class FuzzTests: XCTestCase {
    func testAShortFixedSeedFuzzRunDoesNotCrashTheHost() throws {
        let dir = TestSupport.tempFolder()
        for f in ["fuzz.lua", "tiny.jsonl"] {
            try FileManager.default.copyItem(atPath: TestSupport.repoRoot + "/scripts/fuzz/" + f, toPath: dir + "/" + f)
        }
        let calls = 3000
        let (code, out, err) = try TestSupport.runOuro(
            ["run", "fuzz.lua", "--max-instructions", "100000000000", "--set", "seed=14", "--set", "calls=\(calls)"], cwd: dir)
        let lastCall = out.split(separator: "\n").last { $0.hasPrefix("CALL ") } ?? "(none)"
        XCTAssertEqual(code, 0, "the process ended with \(code) after \(lastCall)\n\(err.suffix(2000))")
        XCTAssertTrue(out.contains("\nDONE \(calls) "), "no DONE line; last: \(lastCall)")
        // The calls reached the engine: most functions and methods were called, some calls succeeded.
        let called = Set(out.split(separator: "\n").compactMap { line -> Substring? in
            guard line.hasPrefix("CALL ") else { return nil }
            return line.split(separator: " ", maxSplits: 2).last?.prefix { $0 != "(" }
        })
        XCTAssertGreaterThan(called.count, 80, "distinct call targets")
    }
}
