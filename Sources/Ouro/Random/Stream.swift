/// A label naming one independent random stream: a role name or a number (cell, generation, …).
public enum StreamLabel: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    case name(String)
    case index(Int)

    public init(stringLiteral value: String) { self = .name(value) }
    public init(integerLiteral value: Int) { self = .index(value) }

    /// A 64-bit code for the label: FNV-1a over the UTF-8 bytes for names (tagged so that a name
    /// never equals a number), the two's-complement bits for indices.
    var code: UInt64 {
        switch self {
        case .index(let i):
            return UInt64(bitPattern: Int64(i))
        case .name(let s):
            var h: UInt64 = 0xCBF2_9CE4_8422_2325
            for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
            return h ^ 0xA5A5_A5A5_0000_0000
        }
    }
}

/// Derivation of independent streams from `(seed, labels…)`.
///
/// The stream seed is a chain of SplitMix64 finalisers:
/// `k₀ = mix(seed)`, `kᵢ = mix(kᵢ₋₁ ⊕ mix(code(labelᵢ) + i·φ))`, where φ = 0x9E3779B97F4A7C15 and
/// `code` is FNV-1a for names and the integer's bits for indices. The result seeds a `Xoshiro256`
/// (through SplitMix64 again). Properties that the rest of Ouro relies on:
/// - a stream depends only on its seed and labels, never on which other streams were used before,
///   so results do not depend on the number of workers or the order in which runs execute;
/// - label order matters (`(1, 2)` and `(2, 1)` are different streams);
/// - the experiment runner names its streams `(seed, cell, generation, role)`, e.g.
///   `Xoshiro256(seed: 7, .index(cell), .index(g), "generate")`.
public enum Stream {
    public static func derive(seed: UInt64, _ labels: [StreamLabel]) -> UInt64 {
        var k = SplitMix64.mix(seed)
        for (i, label) in labels.enumerated() {
            k = SplitMix64.mix(k ^ SplitMix64.mix(label.code &+ UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15))
        }
        return k
    }
}
