/// xoshiro256** (Blackman & Vigna, 2018): a small, fast, seedable generator with 256 bits of state.
///
/// Seeded through SplitMix64 so that any 64-bit seed (including 0) gives a well-mixed state.
/// The output sequence is part of Ouro's contract: same seed ⇒ same numbers, on every platform and
/// Swift version. For that reason every derived draw (`uniform`, `int(below:)`, `normal`, `shuffle`)
/// is implemented here rather than through the standard library's algorithms, which may change.
public struct Xoshiro256: RandomNumberGenerator, Sendable {
    @usableFromInline var s0, s1, s2, s3: UInt64

    /// Creates a generator whose state is filled by SplitMix64 from `seed`.
    public init(seed: UInt64) {
        var sm = SplitMix64(state: seed)
        s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
    }

    /// Creates the generator of the independent stream named by `seed` and `labels`.
    /// See `Stream` for how streams are derived.
    public init(seed: UInt64, _ labels: StreamLabel...) {
        self.init(seed: Stream.derive(seed: seed, labels))
    }

    @inlinable @inline(__always)
    static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 &- k)) }

    /// The next 64 random bits.
    @inlinable @inline(__always)
    public mutating func next() -> UInt64 {
        let result = Xoshiro256.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = Xoshiro256.rotl(s3, 45)
        return result
    }
}

/// SplitMix64 (Steele, Lea & Flood, 2014): used to seed xoshiro and to mix stream labels.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64
    public init(state: UInt64) { self.state = state }

    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// The SplitMix64 finaliser: a bijective avalanche of 64 bits.
    @inlinable
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
