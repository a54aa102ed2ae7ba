/// A collection of documents (or rows) that the recursive loop can mix: select, concatenate, store.
///
/// `Dataset` (text) and `NumericData` (toy models) conform. The runner never looks inside a
/// document: it only selects documents by index, concatenates selections, and stores
/// `storageTexts` (one string per document) in the results database.
public protocol LoopData {
    /// Number of documents.
    var count: Int { get }

    /// The documents at `indices`, in that order (indices may repeat).
    /// - Complexity: O(size of the selection).
    func select(_ indices: [Int]) -> Self

    /// The documents of all parts, in order.
    /// - Precondition: `parts` is not empty (the runner never concatenates nothing).
    static func concat(_ parts: [Self]) -> Self

    /// One string per document, stored as the generated texts of a generation.
    var storageTexts: [String] { get }
}

extension LoopData {
    /// The documents `refs` name, in that order: `refs[i] = (part, index)` is document `index` of
    /// `parts[part]`. Each part is selected once (in the order its documents appear in `refs`),
    /// the selections are concatenated and, unless that is already the order of `refs`, permuted.
    /// - Precondition: `refs` is not empty.
    /// - Complexity: O(refs.count) documents copied at most twice.
    static func gather(_ parts: [Self], _ refs: [(part: Int, index: Int)]) -> Self {
        precondition(!refs.isEmpty, "gather needs at least one document")
        var byPart = [[Int]](repeating: [], count: parts.count)
        var position = [Int](repeating: 0, count: refs.count)   // where refs[i] lands in the concatenation
        for r in refs { byPart[r.part].append(r.index) }
        var start = [Int](repeating: 0, count: parts.count)
        var acc = 0
        for p in parts.indices { start[p] = acc; acc += byPart[p].count }
        var next = start
        for (i, r) in refs.enumerated() { position[i] = next[r.part]; next[r.part] += 1 }
        let used = parts.indices.filter { !byPart[$0].isEmpty }
        let joined = used.count == 1
            ? parts[used[0]].select(byPart[used[0]])
            : concat(used.map { parts[$0].select(byPart[$0]) })
        let identity = position.enumerated().allSatisfy { $0.offset == $0.element }
        return identity ? joined : joined.select(position)
    }
}

extension Dataset: LoopData {
    /// The documents' texts.
    public var storageTexts: [String] { texts }
}

extension NumericData: LoopData {
    /// The rows at `indices`, in that order (indices may repeat).
    /// - Complexity: O(indices.count · dim).
    public func select(_ indices: [Int]) -> NumericData {
        var v = [Double]()
        v.reserveCapacity(indices.count * dim)
        values.withUnsafeBufferPointer { x in
            for r in indices { v.append(contentsOf: x[(r * dim)..<((r + 1) * dim)]) }
        }
        return NumericData(dim: dim, values: v)
    }

    /// The rows of all parts, in order.
    /// - Precondition: `parts` is not empty and every part has the same `dim`.
    public static func concat(_ parts: [NumericData]) -> NumericData {
        precondition(!parts.isEmpty, "concat needs at least one part")
        let d = parts[0].dim
        precondition(parts.allSatisfy { $0.dim == d }, "concat: parts must have the same dim")
        var v = [Double]()
        v.reserveCapacity(parts.reduce(0) { $0 + $1.values.count })
        for p in parts { v.append(contentsOf: p.values) }
        return NumericData(dim: d, values: v)
    }

    /// One string per row: its values in shortest round-trip form (`Double.description`),
    /// separated by single spaces (`"0.5 -1.25"`), so stored rows parse back exactly.
    public var storageTexts: [String] {
        (0..<count).map { r in
            dim == 1 ? values[r].description : row(r).map(\.description).joined(separator: " ")
        }
    }
}
