import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// zlib's one-shot `compress2`, reached through the system's shared libz (present on every Linux and
/// macOS) with `dlopen`, so the engine needs no C target. Output is byte-identical to Python's
/// `zlib.compress(data, level)` (both call deflate with window bits 15, memory level 8, default strategy).
///
/// If a `CZlib` system-library target is added to the package, this file is the one door to replace.
enum Zlib {
    private typealias Compress2 = @convention(c) (
        UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt>?, UnsafePointer<UInt8>?, UInt, Int32
    ) -> Int32
    private typealias CompressBound = @convention(c) (UInt) -> UInt

    private struct Functions: @unchecked Sendable {
        let compress2: Compress2
        let compressBound: CompressBound
    }

    private static let functions: Functions? = {
        #if os(macOS)
        let names = ["libz.1.dylib", "libz.dylib"]
        #else
        let names = ["libz.so.1", "libz.so"]
        #endif
        for name in names {
            guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) else { continue }
            guard let c = dlsym(handle, "compress2"), let b = dlsym(handle, "compressBound") else { continue }
            return Functions(compress2: unsafeBitCast(c, to: Compress2.self),
                             compressBound: unsafeBitCast(b, to: CompressBound.self))
        }
        return nil
    }()

    /// Errors from zlib.
    enum Error: Swift.Error, CustomStringConvertible {
        case unavailable
        case failed(Int32)
        var description: String {
            switch self {
            case .unavailable: return "compression_ratio: the system zlib (libz.so.1) could not be loaded"
            case .failed(let code): return "compression_ratio: zlib compress2 failed with code \(code)"
            }
        }
    }

    /// Size in bytes of `zlib.compress(data, level)`.
    /// - Parameters:
    ///   - data: the bytes to compress.
    ///   - level: 0–9, or −1 for zlib's default (6), Python's default too.
    /// - Complexity: O(n).
    static func compressedSize(_ data: [UInt8], level: Int32 = -1) throws -> Int {
        guard let f = functions else { throw Error.unavailable }
        var destLen = f.compressBound(UInt(data.count))
        var dest = [UInt8](repeating: 0, count: Int(destLen))
        let rc = dest.withUnsafeMutableBufferPointer { d in
            data.withUnsafeBufferPointer { s in
                f.compress2(d.baseAddress, &destLen, s.baseAddress, UInt(s.count), level)
            }
        }
        guard rc == 0 else { throw Error.failed(rc) }
        return Int(destLen)
    }
}

extension Lexical {
    /// Compression ratio: UTF-8 size of the texts joined by `"\n"` ÷ size of its zlib compression
    /// (default level), as `len(b) / len(zlib.compress(b))` in Python. Higher = more redundant text.
    /// - Parameter texts: the documents.
    /// - Throws: when the system zlib cannot be loaded.
    /// - Complexity: O(total bytes).
    public static func compressionRatio(_ texts: [String]) throws -> Double {
        let data = Array(texts.joined(separator: "\n").utf8)
        let size = try Zlib.compressedSize(data)
        return Double(data.count) / Double(size)
    }
}
