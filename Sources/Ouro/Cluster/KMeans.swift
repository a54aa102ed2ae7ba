import Foundation

/// k-means clustering of dense points: k-means++ seeding and Lloyd iterations, seeded and
/// deterministic.
public enum KMeans {
    /// A clustering.
    public struct Result: Sendable, Equatable {
        /// The cluster (0..<k) of each point.
        public let assignments: [Int]
        /// Row-major `k × dimensions` centroids.
        public let centroids: [Double]
        /// Sum of squared distances of the points to their centroids.
        public let inertia: Double
        /// Lloyd iterations run.
        public let iterations: Int
        /// Whether the assignments stopped changing before `maxIterations`.
        public let converged: Bool
    }

    /// Clusters `n` points of `dimensions` coordinates (row-major `points`) into `k` clusters.
    ///
    /// Seeding (k-means++, Arthur & Vassilvitskii 2007) draws from the stream `(seed, "kmeans++")`:
    /// the first centre uniformly, each next one with probability ∝ squared distance to the nearest
    /// chosen centre (if every remaining distance is 0, the lowest-index point not yet chosen).
    /// Lloyd iterations then assign each point to its nearest centroid (ties: lowest cluster index)
    /// and move each centroid to its points' mean, until no assignment changes, the centroids
    /// barely move (`tolerance`) or `maxIterations`. A cluster left empty takes the point farthest from its centroid (lowest
    /// index on ties) among clusters with more than one point, so every cluster keeps at least one
    /// point when `n ≥ k`.
    /// - Parameters:
    ///   - points: row-major `n × dimensions`.
    ///   - dimensions: coordinates per point.
    ///   - k: number of clusters, `1 ≤ k ≤ n`.
    ///   - seed: seeds the k-means++ draw.
    ///   - maxIterations: cap on Lloyd iterations (default 300).
    ///   - tolerance: stop when the squared centroid shift is at most `tolerance` × the points'
    ///     mean coordinate variance (default 1e-4, as scikit-learn), after a final assignment.
    /// - Returns: assignments, centroids, inertia.
    /// - Complexity: O(n · k · dimensions) per iteration and for the seeding.
    public static func fit(points: [Double], dimensions: Int, k: Int, seed: UInt64,
                           maxIterations: Int = 300, tolerance: Double = 1e-4) -> Result {
        let d = dimensions
        let n = d == 0 ? 0 : points.count / d
        precondition(k >= 1 && k <= max(n, 1), "k must be in 1...n")
        if n == 0 { return Result(assignments: [], centroids: [], inertia: 0, iterations: 0, converged: true) }
        var centroids = [Double](repeating: 0, count: k * d)
        func dist2(_ i: Int, _ c: Int) -> Double {
            points.withUnsafeBufferPointer { p in
                centroids.withUnsafeBufferPointer { q in
                    let a = p.baseAddress! + i * d, b = q.baseAddress! + c * d
                    var s = 0.0
                    for j in 0..<d { let t = a[j] - b[j]; s += t * t }
                    return s
                }
            }
        }
        // k-means++ seeding.
        var rng = Xoshiro256(seed: seed, "kmeans++")
        var chosen = Set<Int>()
        var first = rng.int(below: n)
        chosen.insert(first)
        for j in 0..<d { centroids[j] = points[first * d + j] }
        var nearest = (0..<n).map { dist2($0, 0) }
        for c in 1..<k {
            var total = 0.0
            for x in nearest { total += x }
            if total > 0 {
                first = rng.categorical(nearest)
            } else {
                first = (0..<n).first { !chosen.contains($0) }!
            }
            chosen.insert(first)
            for j in 0..<d { centroids[c * d + j] = points[first * d + j] }
            for i in 0..<n { nearest[i] = min(nearest[i], dist2(i, c)) }
        }
        // Lloyd iterations; stop also when the centroids move (sum of squared shifts) by at most
        // `tolerance` × the mean per-coordinate variance of the points (scikit-learn's rule).
        var meanVariance = 0.0
        for j in 0..<d {
            var m = 0.0, m2 = 0.0
            for i in 0..<n { m += points[i * d + j] }
            m /= Double(n)
            for i in 0..<n { let t = points[i * d + j] - m; m2 += t * t }
            meanVariance += m2 / Double(n)
        }
        meanVariance /= Double(d)
        // Lloyd iterations.
        var assign = [Int](repeating: -1, count: n)
        var iterations = 0, converged = false
        var dist = [Double](repeating: 0, count: n)
        while iterations < maxIterations {
            iterations += 1
            var changed = false
            for i in 0..<n {
                var best = 0, bestD = dist2(i, 0)
                for c in 1..<k { let t = dist2(i, c); if t < bestD { bestD = t; best = c } }
                if assign[i] != best { assign[i] = best; changed = true }
                dist[i] = bestD
            }
            // Empty clusters take the farthest point of a cluster with more than one point.
            var sizes = [Int](repeating: 0, count: k)
            for a in assign { sizes[a] += 1 }
            for c in 0..<k where sizes[c] == 0 {
                var far = -1, farD = -1.0
                for i in 0..<n where sizes[assign[i]] > 1 && dist[i] > farD { farD = dist[i]; far = i }
                guard far >= 0 else { break }
                sizes[assign[far]] -= 1
                assign[far] = c
                sizes[c] = 1
                dist[far] = 0
                changed = true
            }
            if !changed { converged = true; break }
            let previous = centroids
            for x in centroids.indices { centroids[x] = 0 }
            for i in 0..<n { let c = assign[i]; for j in 0..<d { centroids[c * d + j] += points[i * d + j] } }
            for c in 0..<k where sizes[c] > 0 { for j in 0..<d { centroids[c * d + j] /= Double(sizes[c]) } }
            var shift = 0.0
            for x in centroids.indices { let t = centroids[x] - previous[x]; shift += t * t }
            if shift <= tolerance * meanVariance {
                // Final assignment to the moved centroids (ties: lowest index), as Lloyd would make
                // next, unless it would leave a cluster empty.
                var next = assign
                var nextSizes = [Int](repeating: 0, count: k)
                for i in 0..<n {
                    var best = 0, bestD = dist2(i, 0)
                    for c in 1..<k { let t = dist2(i, c); if t < bestD { bestD = t; best = c } }
                    next[i] = best
                    nextSizes[best] += 1
                }
                if !nextSizes.contains(0) { assign = next }
                converged = true
                break
            }
        }
        var inertia = 0.0
        for i in 0..<n { inertia += dist2(i, assign[i]) }
        return Result(assignments: assign, centroids: centroids, inertia: inertia, iterations: iterations, converged: converged)
    }
}
