/// A dense matrix of embeddings: one row per text, `cols` floats per row, stored row-major in one
/// contiguous buffer.
public struct EmbeddingMatrix: Sendable, Equatable {
    /// The number of rows (texts).
    public let rows: Int
    /// The number of columns (embedding dimensions).
    public let cols: Int
    /// The elements, row-major: element (i, j) is `storage[i * cols + j]`.
    public let storage: [Float]

    /// Wraps row-major storage.
    /// - Precondition: `storage.count == rows * cols`.
    public init(rows: Int, cols: Int, storage: [Float]) {
        precondition(rows >= 0 && cols >= 0 && storage.count == rows * cols, "storage does not hold rows × cols elements")
        self.rows = rows
        self.cols = cols
        self.storage = storage
    }

    /// Builds a matrix from equal-length rows.
    /// - Precondition: every row has the same length.
    public init(rowArrays: [[Float]]) {
        let cols = rowArrays.first?.count ?? 0
        precondition(rowArrays.allSatisfy { $0.count == cols }, "rows of different lengths")
        self.init(rows: rowArrays.count, cols: cols, storage: rowArrays.flatMap { $0 })
    }

    /// Row `i`, as a slice of `storage`.
    public func row(_ i: Int) -> ArraySlice<Float> {
        precondition(i >= 0 && i < rows, "row \(i) out of range 0..<\(rows)")
        return storage[(i * cols)..<((i + 1) * cols)]
    }

    /// The element at row `i`, column `j`.
    public subscript(i: Int, j: Int) -> Float { storage[i * cols + j] }

    /// Rows `indices`, in that order, as a new matrix.
    public func selecting(rows indices: [Int]) -> EmbeddingMatrix {
        var out: [Float] = []
        out.reserveCapacity(indices.count * cols)
        for i in indices { out.append(contentsOf: row(i)) }
        return EmbeddingMatrix(rows: indices.count, cols: cols, storage: out)
    }
}
