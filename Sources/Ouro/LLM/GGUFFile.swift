import Foundation

/// A GGUF file (ggml's single-file model format, version 2 or 3): its metadata and tensor table,
/// read from a memory-mapped file; tensors are dequantized to `Float` on request.
///
/// Layout (little-endian): magic `GGUF`, version (u32), tensor count (u64), metadata count (u64);
/// metadata as key (u64 length + UTF-8) · value type (u32) · value; tensor infos as name · n_dims (u32) ·
/// dims (u64 each, innermost first) · ggml type (u32) · offset (u64, from the data section); the data
/// section starts at the next multiple of `general.alignment` (default 32).
public final class GGUFFile {
    /// A metadata value.
    public enum Value: Sendable, Equatable {
        case int(Int64), uint(UInt64), float(Double), bool(Bool), string(String)
        case array([Value])

        /// The value as an integer (any integer type, or a float that is whole).
        public var int: Int? {
            switch self {
            case .int(let v): return Int(v)
            case .uint(let v): return Int(exactly: v)
            case .float(let v): return Int(exactly: v)
            default: return nil
            }
        }
        /// The value as a number.
        public var double: Double? {
            switch self {
            case .int(let v): return Double(v)
            case .uint(let v): return Double(v)
            case .float(let v): return v
            default: return nil
            }
        }
        public var string: String? { if case .string(let s) = self { return s }; return nil }
        public var array: [Value]? { if case .array(let a) = self { return a }; return nil }
    }

    /// The ggml tensor types this reader knows by name (the ones it dequantizes are marked in `blockLayout`).
    public enum TensorType: UInt32, Sendable {
        case f32 = 0, f16 = 1, q4_0 = 2, q4_1 = 3, q5_0 = 6, q5_1 = 7, q8_0 = 8, q8_1 = 9
        case q2_K = 10, q3_K = 11, q4_K = 12, q5_K = 13, q6_K = 14, q8_K = 15
        case iq2_xxs = 16, iq2_xs = 17, iq3_xxs = 18, iq1_s = 19, iq4_nl = 20, iq3_s = 21, iq2_s = 22, iq4_xs = 23
        case i8 = 24, i16 = 25, i32 = 26, i64 = 27, f64 = 28, iq1_m = 29, bf16 = 30

        /// ggml's name of the type (`Q4_1`).
        public var name: String { String(describing: self).uppercased() }

        /// Elements per block and bytes per block, for the types Ouro dequantizes.
        var blockLayout: (elements: Int, bytes: Int)? {
            switch self {
            case .f32: return (1, 4)
            case .f16: return (1, 2)
            case .q8_0: return (32, 34)      // f16 scale d, 32 × int8: x = d · q
            case .q4_0: return (32, 18)      // f16 d, 16 bytes of nibbles: x = d · (q − 8)
            case .q4_1: return (32, 20)      // f16 d, f16 m, 16 bytes of nibbles: x = d · q + m
            default: return nil
            }
        }
    }

    /// One tensor's entry in the table.
    public struct TensorInfo: Sendable {
        public let name: String
        /// Dimensions innermost first (ggml's `ne`): a `out × in` matrix has `dims == [in, out]`.
        public let dims: [Int]
        /// The ggml type id as stored (see `TensorType`).
        public let typeID: UInt32
        /// Byte offset from the start of the data section.
        public let offset: Int
        public var count: Int { dims.reduce(1, *) }
        public var type: TensorType? { TensorType(rawValue: typeID) }
        /// The type's name, or `type <id>` for an id ggml may have added since.
        public var typeName: String { type?.name ?? "type \(typeID)" }
    }

    /// The path read.
    public let path: String
    /// The format version (2 or 3).
    public let version: UInt32
    /// The metadata, by key.
    public let metadata: [String: Value]
    /// The tensor table, by name, and in file order.
    public let tensors: [String: TensorInfo]
    public let tensorOrder: [String]
    private let data: Data
    private let dataStart: Int

    /// Maps and parses the file's header, metadata and tensor table.
    /// - Throws: `LLMError.modelMissing` if the file does not exist, `.malformed` if it is not a GGUF
    ///   (wrong magic, unknown version or value type, a table that runs past the end).
    public init(path: String) throws {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else { throw LLMError.modelMissing(path: path) }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) } catch {
            throw LLMError.malformed(file: path, "cannot be read: \(error.localizedDescription)")
        }
        self.data = data
        let parsed: (UInt32, [String: Value], [String], [String: TensorInfo], Int)
        parsed = try data.withUnsafeBytes { raw in
            var r = Reader(raw: raw, file: path)
            guard try r.u32() == 0x4655_4747 else { throw LLMError.malformed(file: path, "not a GGUF file (bad magic)") }
            let version = try r.u32()
            guard version == 2 || version == 3 else { throw LLMError.malformed(file: path, "GGUF version \(version) is not supported (2 or 3)") }
            let nTensors = try r.count(), nKV = try r.count()
            var meta: [String: Value] = [:]
            for _ in 0..<nKV {
                let key = try r.string()
                meta[key] = try r.value(type: try r.u32())
            }
            var order: [String] = [], table: [String: TensorInfo] = [:]
            for _ in 0..<nTensors {
                let name = try r.string()
                let nd = Int(try r.u32())
                guard nd >= 1, nd <= 4 else { throw LLMError.malformed(file: path, "tensor '\(name)' has \(nd) dimensions") }
                var dims: [Int] = []
                for _ in 0..<nd { dims.append(try r.count()) }
                let type = try r.u32()
                let offset = try r.count()
                order.append(name)
                table[name] = TensorInfo(name: name, dims: dims, typeID: type, offset: offset)
            }
            let align = meta["general.alignment"]?.int ?? 32
            guard align > 0 else { throw LLMError.malformed(file: path, "general.alignment is \(align)") }
            let start = (r.pos + align - 1) / align * align
            return (version, meta, order, table, start)
        }
        version = parsed.0
        metadata = parsed.1
        tensorOrder = parsed.2
        tensors = parsed.3
        dataStart = parsed.4
    }

    /// The tensor `name` dequantized to `Float`, in storage order (innermost dimension fastest).
    /// - Parameter shape: if given, the expected `dims` (innermost first); a mismatch is an error.
    /// - Throws: `.malformed` if the tensor is missing, of another shape or runs past the file's end;
    ///   `.unsupportedType` naming the tensor and its type for types other than F32, F16, Q8_0, Q4_0, Q4_1.
    /// - Complexity: O(elements).
    public func floats(_ name: String, shape: [Int]? = nil) throws -> [Float] {
        guard let t = tensors[name] else { throw LLMError.malformed(file: path, "no tensor '\(name)'") }
        if let shape, shape != t.dims {
            throw LLMError.malformed(file: path, "tensor '\(name)' has shape \(t.dims), expected \(shape)")
        }
        guard let type = t.type, let layout = type.blockLayout else {
            throw LLMError.unsupportedType(tensor: name, type: t.typeName)
        }
        let n = t.count, per = layout.elements, bytes = layout.bytes
        guard n % per == 0 else { throw LLMError.malformed(file: path, "tensor '\(name)' has \(n) elements, not whole \(type.name) blocks") }
        let size = n / per * bytes
        let start = dataStart + t.offset
        guard t.offset >= 0, start + size <= data.count else {
            throw LLMError.malformed(file: path, "tensor '\(name)' runs past the end of the file")
        }
        var out = [Float](repeating: 0, count: n)
        data.withUnsafeBytes { raw in
            out.withUnsafeMutableBufferPointer { o in
                GGUFDequantize.run(type, UnsafeRawPointer(raw.baseAddress! + start), blocks: n / per, into: o.baseAddress!)
            }
        }
        return out
    }

    /// A metadata value that must be present.
    public func require(_ key: String) throws -> Value {
        guard let v = metadata[key] else { throw LLMError.malformed(file: path, "no metadata '\(key)'") }
        return v
    }

    /// A bounds-checked little-endian cursor over the mapped bytes.
    private struct Reader {
        let raw: UnsafeRawBufferPointer
        let file: String
        var pos = 0
        init(raw: UnsafeRawBufferPointer, file: String) { self.raw = raw; self.file = file }

        mutating func take<T: FixedWidthInteger>(_: T.Type) throws -> T {
            let n = MemoryLayout<T>.size
            guard pos + n <= raw.count else { throw LLMError.malformed(file: file, "truncated at byte \(pos)") }
            let v = raw.loadUnaligned(fromByteOffset: pos, as: T.self)
            pos += n
            return T(littleEndian: v)
        }
        mutating func u32() throws -> UInt32 { try take(UInt32.self) }
        /// A u64 count or size that must fit the file.
        mutating func count() throws -> Int {
            let v = try take(UInt64.self)
            guard v < UInt64(1) << 48 else { throw LLMError.malformed(file: file, "implausible size \(v) at byte \(pos - 8)") }
            return Int(v)
        }
        mutating func string() throws -> String {
            let n = try count()
            guard pos + n <= raw.count else { throw LLMError.malformed(file: file, "truncated string at byte \(pos)") }
            let s = String(decoding: UnsafeRawBufferPointer(rebasing: raw[pos..<(pos + n)]), as: UTF8.self)
            pos += n
            return s
        }
        mutating func value(type: UInt32) throws -> Value {
            switch type {
            case 0: return .uint(UInt64(try take(UInt8.self)))
            case 1: return .int(Int64(try take(Int8.self)))
            case 2: return .uint(UInt64(try take(UInt16.self)))
            case 3: return .int(Int64(try take(Int16.self)))
            case 4: return .uint(UInt64(try take(UInt32.self)))
            case 5: return .int(Int64(try take(Int32.self)))
            case 6: return .float(Double(Float(bitPattern: try take(UInt32.self))))
            case 7: return .bool(try take(UInt8.self) != 0)
            case 8: return .string(try string())
            case 9:
                let et = try u32()
                let n = try count()
                guard n <= raw.count - pos else { throw LLMError.malformed(file: file, "array of \(n) at byte \(pos) runs past the end") }
                var a: [Value] = []
                a.reserveCapacity(n)
                for _ in 0..<n { a.append(try value(type: et)) }
                return .array(a)
            case 10: return .uint(try take(UInt64.self))
            case 11: return .int(try take(Int64.self))
            case 12: return .float(Double(bitPattern: try take(UInt64.self)))
            default: throw LLMError.malformed(file: file, "unknown metadata value type \(type) at byte \(pos - 4)")
            }
        }
    }
}

/// Block dequantization (ggml's layouts; a 4-bit block stores element `j` in the low nibble of byte
/// `j` and element `j + 16` in its high nibble). Arithmetic in `Float`, as gguf-py's reference does.
enum GGUFDequantize {
    @inline(__always) static func half(_ p: UnsafeRawPointer, _ off: Int) -> Float {
        Float(Float16(bitPattern: UInt16(littleEndian: p.loadUnaligned(fromByteOffset: off, as: UInt16.self))))
    }

    static func run(_ type: GGUFFile.TensorType, _ src: UnsafeRawPointer, blocks: Int, into dst: UnsafeMutablePointer<Float>) {
        switch type {
        case .f32:
            for i in 0..<blocks { dst[i] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        case .f16:
            for i in 0..<blocks { dst[i] = half(src, 2 * i) }
        case .q8_0:
            for b in 0..<blocks {
                let p = src + 34 * b, o = dst + 32 * b
                let d = half(p, 0)
                for j in 0..<32 { o[j] = d * Float(Int8(bitPattern: p.load(fromByteOffset: 2 + j, as: UInt8.self))) }
            }
        case .q4_0:
            for b in 0..<blocks {
                let p = src + 18 * b, o = dst + 32 * b
                let d = half(p, 0)
                for j in 0..<16 {
                    let q = p.load(fromByteOffset: 2 + j, as: UInt8.self)
                    o[j] = d * Float(Int(q & 0xF) - 8)
                    o[j + 16] = d * Float(Int(q >> 4) - 8)
                }
            }
        case .q4_1:
            for b in 0..<blocks {
                let p = src + 20 * b, o = dst + 32 * b
                let d = half(p, 0), m = half(p, 2)
                for j in 0..<16 {
                    let q = p.load(fromByteOffset: 4 + j, as: UInt8.self)
                    o[j] = d * Float(q & 0xF) + m
                    o[j + 16] = d * Float(q >> 4) + m
                }
            }
        default:
            preconditionFailure("GGUFDequantize.run called for \(type.name)")
        }
    }
}
