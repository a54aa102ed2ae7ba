import Foundation

extension Catalog {
    /// The contents of `<data>/catalog.json`: what was built, from which package.
    struct Manifest: Codable, Equatable {
        struct SetRecord: Codable, Equatable {
            var name: String
            var count: Int
            var labels: [String]
            var bytes: Int
            var license: String
            var citation: String
            var source: String
            var source_sha256: String
        }
        struct ResourceRecord: Codable, Equatable {
            var name: String
            var folder: String
            var files: [String]
            var bytes: Int
            var license: String
            var citation: String
            var source: String
            var source_sha256: String
        }
        var version = 1
        var sets: [SetRecord] = []
        var resources: [ResourceRecord] = []

        static func url(_ dataFolder: String) -> String {
            (dataFolder as NSString).appendingPathComponent("catalog.json")
        }

        /// The manifest of `dataFolder`; an empty one if there is no `catalog.json`.
        /// - Throws: `CatalogError.malformed` if it exists but is not a manifest.
        static func read(dataFolder: String) throws -> Manifest {
            let p = url(dataFolder)
            guard let data = FileManager.default.contents(atPath: p) else { return Manifest() }
            do { return try JSONDecoder().decode(Manifest.self, from: data) } catch {
                throw CatalogError.malformed(file: p, line: nil, reason: "not a catalog manifest (\(error)); delete it and run `\(Catalog.buildCommand)`")
            }
        }

        /// Writes the manifest atomically (temp file, then rename), sets and resources in catalog order.
        func write(dataFolder: String) throws {
            var m = self
            m.sets.sort { a, b in (Catalog.sets.firstIndex { $0.name == a.name } ?? .max) < (Catalog.sets.firstIndex { $0.name == b.name } ?? .max) }
            m.resources.sort { a, b in (Catalog.resources.firstIndex { $0.name == a.name } ?? .max) < (Catalog.resources.firstIndex { $0.name == b.name } ?? .max) }
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let data: Data
            do { data = try enc.encode(m) } catch { throw CatalogError.writeFailed(path: Manifest.url(dataFolder), reason: "\(error)") }
            try Catalog.writeAtomically(data, to: Manifest.url(dataFolder))
        }

        mutating func upsert(_ r: SetRecord) {
            if let i = sets.firstIndex(where: { $0.name == r.name }) { sets[i] = r } else { sets.append(r) }
        }

        mutating func upsert(_ r: ResourceRecord) {
            if let i = resources.firstIndex(where: { $0.name == r.name }) { resources[i] = r } else { resources.append(r) }
        }
    }

    /// Writes `data` to `path` through a temporary file in the same folder and a rename, so that
    /// `path` either keeps its old content or has the whole new one.
    static func writeAtomically(_ data: Data, to path: String) throws {
        let tmp = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        let fm = FileManager.default
        guard fm.createFile(atPath: tmp, contents: data) else {
            throw CatalogError.writeFailed(path: path, reason: "cannot create \(tmp)")
        }
        if rename(tmp, path) != 0 {
            let reason = String(cString: strerror(errno))
            try? fm.removeItem(atPath: tmp)
            throw CatalogError.writeFailed(path: path, reason: reason)
        }
    }
}
