import Foundation

/// A `.safetensors` file, memory-mapped: an 8-byte little-endian header length, a JSON header naming
/// each tensor's dtype, shape and byte range, then the raw little-endian tensor data.
///
/// Only the header is parsed on open; tensor bytes are read from the mapping when asked for.
public final class SafetensorsFile: @unchecked Sendable {
    /// One tensor's entry in the header.
    public struct Tensor: Sendable, Equatable {
        /// The dtype as written (`F32`, `I64`, …).
        public let dtype: String
        /// The shape, outermost dimension first.
        public let shape: [Int]
        /// The byte range within the data section.
        public let byteRange: Range<Int>
        /// The number of elements (the product of `shape`).
        public var count: Int { shape.reduce(1, *) }
    }

    /// The file's path.
    public let path: String
    /// The tensors by name.
    public let tensors: [String: Tensor]
    /// The optional `__metadata__` string map.
    public let metadata: [String: String]
    private let data: Data
    private let dataStart: Int

    /// Maps the file and parses its header.
    /// - Parameter path: the `.safetensors` file.
    /// - Throws: `EmbeddingError.modelMissing` if the file does not exist, `.malformed` if its header
    ///   is not valid (bad length, bad JSON, a range outside the file).
    public init(path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw EmbeddingError.modelMissing(path: path) }
        self.path = path
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) } catch {
            throw EmbeddingError.malformed(file: path, "cannot read: \(error.localizedDescription)")
        }
        guard data.count >= 8 else { throw EmbeddingError.malformed(file: path, "shorter than its 8-byte header length") }
        var headerLength: UInt64 = 0
        for i in 0..<8 { headerLength |= UInt64(data[data.startIndex + i]) << (8 * UInt64(i)) }
        guard headerLength <= UInt64(data.count - 8) else {
            throw EmbeddingError.malformed(file: path, "header length \(headerLength) exceeds the file")
        }
        let start = 8 + Int(headerLength)
        let header = data.subdata(in: (data.startIndex + 8)..<(data.startIndex + start))
        guard let json = try? JSONSerialization.jsonObject(with: header) as? [String: Any] else {
            throw EmbeddingError.malformed(file: path, "header is not a JSON object")
        }
        var tensors: [String: Tensor] = [:]
        var metadata: [String: String] = [:]
        let available = data.count - start
        for (name, value) in json {
            if name == "__metadata__" {
                for (k, v) in (value as? [String: Any]) ?? [:] { metadata[k] = "\(v)" }
                continue
            }
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                  let shape = (entry["shape"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                  let offsets = (entry["data_offsets"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                  offsets.count == 2, offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= available
            else { throw EmbeddingError.malformed(file: path, "bad header entry for tensor '\(name)'") }
            tensors[name] = Tensor(dtype: dtype, shape: shape, byteRange: offsets[0]..<offsets[1])
        }
        self.tensors = tensors
        self.metadata = metadata
        self.data = data
        self.dataStart = start
    }

    /// A copy of an `F32` tensor's elements, in row-major order.
    /// - Parameter name: the tensor's name.
    /// - Parameter shape: if given, the shape the tensor must have.
    /// - Throws: `EmbeddingError.malformed` if the tensor is missing, not `F32`, or of another shape.
    /// - Complexity: O(count).
    public func floats(_ name: String, shape: [Int]? = nil) throws -> [Float] {
        guard let t = tensors[name] else { throw EmbeddingError.malformed(file: path, "no tensor '\(name)'") }
        guard t.dtype == "F32" else { throw EmbeddingError.malformed(file: path, "tensor '\(name)' is \(t.dtype), not F32") }
        if let shape, shape != t.shape {
            throw EmbeddingError.malformed(file: path, "tensor '\(name)' has shape \(t.shape), expected \(shape)")
        }
        guard t.byteRange.count == t.count * 4 else {
            throw EmbeddingError.malformed(file: path, "tensor '\(name)' byte range does not match its shape")
        }
        var out = [Float](repeating: 0, count: t.count)
        let lo = data.startIndex + dataStart + t.byteRange.lowerBound
        out.withUnsafeMutableBytes { dst in
            data.withUnsafeBytes { src in
                dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[(lo - data.startIndex)..<(lo - data.startIndex + t.byteRange.count)]))
            }
        }
        #if _endian(big)
        for i in out.indices { out[i] = Float(bitPattern: out[i].bitPattern.byteSwapped) }
        #endif
        return out
    }
}
