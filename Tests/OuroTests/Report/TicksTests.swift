import Foundation
import XCTest
@testable import Ouro

final class TicksTests: XCTestCase {
    /// Whether `step` is 1, 2 or 5 × 10ᵏ (within rounding).
    private func isNiceStep(_ step: Double) -> Bool {
        let k = log10(step).rounded(.down)
        let m = step / pow(10, k)
        return [1.0, 2.0, 5.0, 10.0].contains { abs(m - $0) < 1e-9 }
    }

    func testTicksAreNiceStepsCoveringTheRangeWithinTheTarget() {
        var rng = Xoshiro256(seed: 7)
        for _ in 0..<2000 {
            let scale = pow(10, Double(rng.int(below: 12)) - 6)
            let a = (rng.uniform() * 2 - 1) * scale, b = a + rng.uniform() * scale + 1e-9 * scale
            let target = 2 + rng.int(below: 9)
            let ticks = Ticks.nice(min: a, max: b, target: target)
            XCTAssertGreaterThanOrEqual(ticks.count, 2)
            let step = ticks[1] - ticks[0]
            XCTAssertTrue(isNiceStep(step), "step \(step) for \(a)…\(b)")
            for i in 1..<ticks.count { XCTAssertEqual(ticks[i] - ticks[i - 1], step, accuracy: step * 1e-9) }
            XCTAssertLessThanOrEqual(ticks.first!, a + step * 1e-9)
            XCTAssertGreaterThanOrEqual(ticks.last!, b - step * 1e-9)
            // At most `target` intervals inside the data, plus at most one partial at each end.
            XCTAssertLessThanOrEqual(ticks.count - 1, target + 2, "\(a)…\(b) target \(target): \(ticks)")
            // The step is the smallest nice one: the next smaller nice step would need more than `target` intervals.
            // (1 → 0.5, 2 → 1, 5 → 2: the factor is 0.4 below a 5, else 0.5.)
            let mantissa = step / pow(10, log10(step).rounded(.down))
            let smaller = (abs(mantissa - 5) < 1e-6 ? 0.4 : 0.5) * step
            XCTAssertGreaterThan((b - a) / smaller, Double(target) * (1 - 1e-9))
        }
    }

    func testIntegerTicksNeverStepBelowOne() {
        XCTAssertEqual(Ticks.nice(min: 0, max: 3, target: 10, integer: true), [0, 1, 2, 3])
        XCTAssertEqual(Ticks.nice(min: 0, max: 19, target: 10, integer: true), stride(from: 0.0, through: 20, by: 2).map { $0 })
    }

    func testHandDerivedTicks() {
        // 0.13…0.62, 6 intervals: raw step 0.0817 → 0.1; ticks 0.1…0.7.
        XCTAssertEqual(Ticks.nice(min: 0.13, max: 0.62, target: 6).map { ($0 * 10).rounded() }, [1, 2, 3, 4, 5, 6, 7])
        // −0.15…0.05, 6 intervals: raw 0.0333 → 0.05; ticks −0.15…0.05.
        XCTAssertEqual(Ticks.nice(min: -0.15, max: 0.05, target: 6).map { ($0 * 100).rounded() }, [-15, -10, -5, 0, 5])
        // An empty range is widened by 1 each side.
        XCTAssertEqual(Ticks.nice(min: 2, max: 2, target: 4), [1, 1.5, 2, 2.5, 3])
    }

    func testLabelsUseAsManyDecimalsAsTheStep() {
        XCTAssertEqual(Ticks.label(3, step: 1), "3")
        XCTAssertEqual(Ticks.label(20, step: 10), "20")
        XCTAssertEqual(Ticks.label(0.1, step: 0.1), "0.1")
        XCTAssertEqual(Ticks.label(0.15, step: 0.05), "0.15")
        XCTAssertEqual(Ticks.label(-0.1, step: 0.05), "-0.10")
        XCTAssertEqual(Ticks.label(0, step: 0.05), "0")
        XCTAssertEqual(Ticks.label(2_000_000, step: 500_000), "2e+06")
    }
}
