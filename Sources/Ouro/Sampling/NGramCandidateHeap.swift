import Foundation

/// A binary max-heap of (probability, index): larger probability first, ties by smaller index.
struct NGramCandidateHeap {
    private var p: [Double] = [], u: [Int32] = []

    @inline(__always) private func above(_ i: Int, _ j: Int) -> Bool {
        p[i] != p[j] ? p[i] > p[j] : u[i] < u[j]
    }

    var top: (p: Double, u: Int32)? { p.isEmpty ? nil : (p[0], u[0]) }

    mutating func push(_ x: Double, _ i: Int32) {
        p.append(x); u.append(i)
        var k = p.count - 1
        while k > 0 {
            let q = (k - 1) >> 1
            if !above(k, q) { break }
            p.swapAt(k, q); u.swapAt(k, q); k = q
        }
    }

    mutating func pop() {
        let last = p.count - 1
        p.swapAt(0, last); u.swapAt(0, last); p.removeLast(); u.removeLast()
        var k = 0
        while true {
            let a = 2 * k + 1, b = a + 1
            var m = k
            if a < p.count && above(a, m) { m = a }
            if b < p.count && above(b, m) { m = b }
            if m == k { break }
            p.swapAt(k, m); u.swapAt(k, m); k = m
        }
    }
}
