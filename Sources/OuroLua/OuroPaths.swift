import Foundation
import Ouro

/// Where Ouro finds its stdlib and data.
public enum OuroPaths {
    /// A file that marks a folder as Ouro's stdlib.
    static let stdlibMarker = "ouro.lua"

    /// The stdlib folder: `$OURO_STDLIB`, else `stdlib/` in an ancestor of the executable (a build
    /// inside the repository) or `share/ouro/stdlib` beside an installed binary, else an ancestor of
    /// the working directory.
    public static func stdlib(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let s = environment["OURO_STDLIB"], !s.isEmpty { return s }
        let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
            .deletingLastPathComponent().path
        for start in [Sandbox.canonical(exe), Sandbox.canonical(FileManager.default.currentDirectoryPath)] {
            var dir = start
            while true {
                for candidate in ["stdlib", "share/ouro/stdlib"] {
                    let p = (dir as NSString).appendingPathComponent(candidate)
                    if FileManager.default.fileExists(atPath: (p as NSString).appendingPathComponent(stdlibMarker)) {
                        return p
                    }
                }
                if dir == "/" { break }
                dir = (dir as NSString).deletingLastPathComponent
            }
        }
        return nil
    }

    /// The data folder: `$OURO_DATA`, else `data/` beside the stdlib folder (the repository root).
    public static func data(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let root = stdlib(environment: environment).map { ($0 as NSString).deletingLastPathComponent }
            ?? FileManager.default.currentDirectoryPath
        return Catalog.defaultDataFolder(environment: environment, root: root)
    }
}
