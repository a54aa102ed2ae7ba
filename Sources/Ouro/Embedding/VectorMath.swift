/// Elementwise functions of sixteen floats at a time, for the encoder's GELU and softmax (the
/// library's `erff` / `expf` are one call per value and took a fifth of the encoder's time).
///
/// Each is a pure function of each lane's value — same input, same bits, whatever the lane, the
/// batch or the thread — so they keep the encoder independent of the thread count. The polynomial
/// coefficients were fitted for this code (scripts/fit/gelu.py: weighted least squares with Lawson
/// reweighting towards the minimax fit; the script also prints the error table below). Products and
/// sums round separately (no fused multiply-add: Swift SIMD on baseline x86-64 would make each a
/// library call), and the script simulates exactly that.
///
/// Accuracy of `gelu` against `x · ½ · erfc(−x/√2)` in double precision, over 8M points in
/// [−12, 12] (the `1 + erf` form loses relative precision for x < 0 by cancellation, as the
/// reference's does):
///
///   range of x    this (ulp)    ½x(1 + erff(x/√2)) with a correctly rounded erff (ulp)
///   [0, ∞)        ≤ 1.5         ≤ 1.7
///   [−1, 0)       ≤ 3.1         ≤ 2.4
///   [−2, −1)      ≤ 9.4         ≤ 11.8
///   [−3, −2)      ≤ 18.3        ≤ 101.3
///   x < −3        absolute error ≤ 5e-9 (the erff form: 8.3e-8)
enum VectorMath {
    typealias V = SIMD16<Float>

    @inline(__always) static func magnitude(_ x: V) -> V {
        unsafeBitCast(unsafeBitCast(x, to: SIMD16<UInt32>.self) & 0x7FFF_FFFF, to: V.self)
    }

    /// eˣ for x ≤ 0 (values below −87 give e⁻⁸⁷ ≈ 1.6e-38, the smallest normal range; the
    /// callers only pass arguments ≤ 0): x = n·ln 2 + r with |r| ≤ ln 2 / 2 (ln 2 in two parts, so
    /// r is exact), eʳ by a degree-6 polynomial (relative error 1.9e-9), times 2ⁿ by its bits.
    @inline(__always) static func exp(_ x: V) -> V {
        let x = x.replacing(with: -87, where: x .< -87)
        // Adding 1.5 · 2²³ rounds to an integer n, which the sum's low mantissa bits then hold.
        let shifted = x * 1.442_695_040_888_963_4 + 12_582_912
        let n = shifted - 12_582_912
        let r = (x - n * 0.693_359_375) - n * -2.121_944_400_546_905_8e-4
        var p = r * 0.001_383_683_047_680_129 + 0.008_374_816_059_155_386
        p = p * r + 0.041_668_225_867_191_09
        p = p * r + 0.166_664_201_671_062_72
        p = p * r + 0.499_999_920_784_024_9
        p = p * r + 1.000_000_036_323_696_5
        p = p * r + 1
        let twoToN = (unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- 0x4B40_0000 &+ 127) &<< 23
        return p * unsafeBitCast(twoToN, to: V.self)
    }

    /// GELU, `x · ½ · (1 + erf(x / √2))`, as `max(x, 0) − ½|x| · erfc(|x|/√2)` (the same function:
    /// 1 + erf is 2 − erfc for x ≥ 0 and erfc for x < 0, so nothing cancels for x < 0). With
    /// z = |x|/√2, erfc(z) = exp(Q(z)) (Q of degree 10 fitted to log erfc on [0, 4.5]; erfc's error
    /// 1.3e-10); beyond z = 4.5 the erfc term is dropped (it is below 2e-10 there).
    @inline(__always) static func gelu(_ x: V) -> V {
        let a = magnitude(x)
        let t = a * 0.707_106_781_186_547_52
        var q = t * -1.322_531_321_013_009_6e-06 + 2.268_145_118_128_339_6e-05
        q = q * t + -0.000_173_050_294_602_961_06
        q = q * t + 0.000_753_054_669_306_418_8
        q = q * t + -0.001_815_059_788_434_853
        q = q * t + 0.000_264_539_440_256_506
        q = q * t + 0.019_113_109_121_899_924
        q = q * t + -0.102_770_416_403_094_03
        q = q * t + -0.636_619_875_911_502_9
        q = q * t + -1.128_379_170_289_076_6
        q = q * t + 1.299_438_426_940_223e-10
        let h = ((0.5 * a) * exp(q)).replacing(with: 0, where: t .> 4.5)
        return x.replacing(with: 0, where: x .< 0) - h
    }
}
