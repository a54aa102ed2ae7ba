import Foundation

/// A minimal reader and writer of the safetensors format (Hugging Face): an 8-byte little-endian
/// header length, a JSON header `{name: {"dtype", "shape", "data_offsets": [begin, end]}}` (plus an
/// optional `"__metadata__"` of strings), then the tensors' raw little-endian bytes. Ouro writes F32
/// and reads F32, F16, BF16 and F64 (converted to `Float`).
enum SafeTensors {
    struct Tensor: Equatable {
        var shape: [Int]
        var values: [Float]
    }

    /// Reads every tensor of a file.
    /// - Throws: `LLMError.invalidInput` if the file is absent, `.malformed` for a bad header, an
    ///   unsupported dtype or offsets outside the file.
    static func read(path: String) throws -> [String: Tensor] {
        guard let data = FileManager.default.contents(atPath: path) else { throw LLMError.invalidInput("no safetensors file at \(path)") }
        return try parse(data, file: path)
    }

    static func parse(_ data: Data, file: String) throws -> [String: Tensor] {
        let bytes = [UInt8](data)
        guard bytes.count >= 8 else { throw LLMError.malformed(file: file, "shorter than the 8-byte header length") }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard n <= UInt64(bytes.count - 8) else { throw LLMError.malformed(file: file, "header length \(n) exceeds the file") }
        let start = 8 + Int(n)
        guard let header = try? JSONSerialization.jsonObject(with: Data(bytes[8..<start])) as? [String: Any] else {
            throw LLMError.malformed(file: file, "the header is not a JSON object")
        }
        var out: [String: Tensor] = [:]
        for (name, value) in header where name != "__metadata__" {
            guard let t = value as? [String: Any], let dtype = t["dtype"] as? String,
                  let shape = (t["shape"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                  let offs = (t["data_offsets"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }), offs.count == 2 else {
                throw LLMError.malformed(file: file, "tensor '\(name)' has no dtype, shape or data_offsets")
            }
            let count = shape.reduce(1, *)
            let width: Int
            switch dtype {
            case "F32": width = 4
            case "F16", "BF16": width = 2
            case "F64": width = 8
            default: throw LLMError.malformed(file: file, "tensor '\(name)' has dtype \(dtype) (Ouro reads F32, F16, BF16, F64)")
            }
            let b = start + offs[0], e = start + offs[1]
            guard offs[0] >= 0, offs[0] <= offs[1], e <= bytes.count, offs[1] - offs[0] == count * width else {
                throw LLMError.malformed(file: file, "tensor '\(name)' (\(dtype) \(shape)) has data offsets \(offs) that do not fit")
            }
            var values = [Float](repeating: 0, count: count)
            bytes.withUnsafeBytes { raw in
                let p = raw.baseAddress! + b
                for i in 0..<count {
                    switch dtype {
                    case "F32": values[i] = Float(bitPattern: UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                    case "F16": values[i] = Float(Float16(bitPattern: UInt16(littleEndian: p.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))))
                    case "BF16": values[i] = Float(bitPattern: UInt32(UInt16(littleEndian: p.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16)
                    default: values[i] = Float(Double(bitPattern: UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
                    }
                }
            }
            out[name] = Tensor(shape: shape, values: values)
        }
        return out
    }

    /// The bytes of a safetensors file holding `tensors` as F32, in the order given, with
    /// `metadata` as `"__metadata__"`. The header is padded with spaces to a multiple of 8 bytes.
    static func encode(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:]) -> Data {
        func quoted(_ s: String) -> String {
            var r = "\""
            for u in s.unicodeScalars {
                switch u {
                case "\"": r += "\\\""
                case "\\": r += "\\\\"
                default: r += u.value < 0x20 ? String(format: "\\u%04x", u.value) : String(u)
                }
            }
            return r + "\""
        }
        var parts: [String] = []
        if !metadata.isEmpty {
            parts.append("\"__metadata__\":{" + metadata.sorted { $0.key < $1.key }.map { quoted($0.key) + ":" + quoted($0.value) }.joined(separator: ",") + "}")
        }
        var offset = 0
        for (name, t) in tensors {
            let size = t.values.count * 4
            parts.append(quoted(name) + ":{\"dtype\":\"F32\",\"shape\":[" + t.shape.map(String.init).joined(separator: ",")
                         + "],\"data_offsets\":[\(offset),\(offset + size)]}")
            offset += size
        }
        var header = Array(("{" + parts.joined(separator: ",") + "}").utf8)
        while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }
        var out = Data(capacity: 8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: header)
        for (_, t) in tensors {
            var le = t.values.map { $0.bitPattern.littleEndian }
            le.withUnsafeMutableBytes { out.append(contentsOf: $0) }
        }
        return out
    }
}
