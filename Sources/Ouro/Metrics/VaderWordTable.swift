/// An open-addressing table from UTF-8 byte strings to dense ids, looked up without allocating.
/// Holds every word VADER's rules ask about: lexicon entries, boosters, negations, idiom words.
struct VaderWordTable: Sendable {
    private var keys: [UInt8] = []
    private var offsets: [Int] = [0]
    private var slots: [Int32]
    private var mask: Int

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
    }

    var count: Int { offsets.count - 1 }

    @inline(__always)
    static func hash(_ p: UnsafeBufferPointer<UInt8>) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in p { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    @inline(__always)
    private func equal(_ id: Int32, _ p: UnsafeBufferPointer<UInt8>) -> Bool {
        let lo = offsets[Int(id)], hi = offsets[Int(id) + 1]
        guard hi - lo == p.count else { return false }
        var i = 0
        while i < p.count { if keys[lo + i] != p[i] { return false }; i += 1 }
        return true
    }

    /// The id of a byte string, or −1.
    @inline(__always)
    func lookup(_ p: UnsafeBufferPointer<UInt8>) -> Int32 {
        var s = Self.hash(p) & mask
        while true {
            let id = slots[s]
            if id < 0 { return -1 }
            if equal(id, p) { return id }
            s = (s + 1) & mask
        }
    }

    func lookup(_ bytes: [UInt8]) -> Int32 { bytes.withUnsafeBufferPointer { lookup($0) } }

    /// The id of a byte string, added if new.
    mutating func intern(_ bytes: [UInt8]) -> Int32 {
        let found = lookup(bytes)
        if found >= 0 { return found }
        if (count + 1) * 2 > slots.count { grow() }
        let id = Int32(count)
        keys.append(contentsOf: bytes)
        offsets.append(keys.count)
        insertSlot(id)
        return id
    }

    private mutating func insertSlot(_ id: Int32) {
        let lo = offsets[Int(id)], hi = offsets[Int(id) + 1]
        var s = keys[lo..<hi].withUnsafeBufferPointer { Self.hash($0) } & mask
        while slots[s] >= 0 { s = (s + 1) & mask }
        slots[s] = id
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        mask = slots.count - 1
        for id in 0..<count { insertSlot(Int32(id)) }
    }
}
