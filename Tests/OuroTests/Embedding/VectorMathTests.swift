import Foundation
import XCTest
@testable import Ouro

/// The encoder's vector GELU and exp against double precision (the error table in VectorMath.swift).
final class VectorMathTests: XCTestCase {
    /// `count` values spread over [lo, hi] plus every tenth of a unit, as floats.
    static func sweep(_ lo: Float, _ hi: Float, count: Int) -> [Float] {
        (0..<count).map { lo + (hi - lo) * Float($0) / Float(count - 1) }
            + stride(from: lo, through: hi, by: 0.1).map { $0 } + [0, -0.0, .leastNormalMagnitude, -.leastNormalMagnitude]
    }

    /// `f` applied to `xs` sixteen at a time; a last partial group is padded with zeros.
    static func applied(_ xs: [Float], _ f: (VectorMath.V) -> VectorMath.V) -> [Float] {
        var ys: [Float] = []
        for start in stride(from: 0, to: xs.count, by: 16) {
            var v = VectorMath.V()
            for k in start..<min(xs.count, start + 16) { v[k - start] = xs[k] }
            let y = f(v)
            for k in start..<min(xs.count, start + 16) { ys.append(y[k - start]) }
        }
        return ys
    }

    func testGELUIsWithinTwoAndAHalfULPsPlusTheReferencesCancellation() {
        let xs = Self.sweep(-12, 12, count: 240_001)
        let ys = Self.applied(xs, VectorMath.gelu)
        var worstPositive = 0.0
        for (x, y) in zip(xs, ys) {
            let exact = 0.5 * Double(x) * erfc(-Double(x) / 2.0.squareRoot())
            let ulp = Double(Float(exact).ulp)
            let error = abs(Double(y) - exact)
            if x >= 0 { worstPositive = max(worstPositive, error / ulp) }
            // x < 0: 1 + erf cancels (as in ½x(1 + erff(x/√2)) with the library's erff), hence the absolute term.
            XCTAssertLessThanOrEqual(error, 2.5 * ulp + 1e-7, "gelu(\(x)) = \(y), exact \(exact)")
        }
        XCTAssertLessThanOrEqual(worstPositive, 2.5)
        XCTAssertEqual(Self.applied([0, -0.0, 50, -50], VectorMath.gelu), [0, 0, 50, 0])
    }

    func testExpIsWithinTwoULPsOnTheSoftmaxRange() {
        let xs = Self.sweep(-87, 0, count: 200_001)
        for (x, y) in zip(xs, Self.applied(xs, VectorMath.exp)) {
            let exact = Foundation.exp(Double(x))
            XCTAssertLessThanOrEqual(abs(Double(y) - exact), 2 * Double(Float(exact).ulp), "exp(\(x)) = \(y), exact \(exact)")
        }
        XCTAssertEqual(Self.applied([0], VectorMath.exp), [1])
    }

    /// A value gets the same bits in any lane, whatever its neighbours (the encoder's results must
    /// not depend on where a value sits, e.g. on the thread split).
    func testAValueGetsTheSameBitsWhereverItSits() {
        let xs: [Float] = (0..<29).map { Float($0) * 0.37 - 5 }
        for f in [VectorMath.gelu, VectorMath.exp] as [(VectorMath.V) -> VectorMath.V] {
            let together = Self.applied(xs, f)
            for (i, x) in xs.enumerated() {
                XCTAssertEqual(Self.applied([x], f)[0].bitPattern, together[i].bitPattern)
                XCTAssertEqual(Self.applied(Array(xs[i...]), f)[0].bitPattern, together[i].bitPattern)
            }
        }
    }
}
