/// A per-generation value: a constant, or a function of the generation number g (the bridge binds
/// a Lua `function(g) … end` as the closure). The runner evaluates every schedule for every
/// generation once, before the run starts, so an invalid value at any g fails the run before
/// anything is trained or stored.
public enum Schedule<T> {
    case constant(T)
    case function((Int) throws -> T)

    /// The value at generation `g`.
    /// - Throws: whatever the function throws.
    public func value(at g: Int) throws -> T {
        switch self {
        case .constant(let v): return v
        case .function(let f): return try f(g)
        }
    }
}

/// Why the loop refused a configuration or failed a run. The message is meant for the user as it
/// is (it names the field with its experiment-file name, the generation, the numbers involved).
public struct LoopError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ message: String) { description = message }
}

extension Schedule where T == Double {
    /// The values at generations `gs`, each checked to be a finite number in [0, 1].
    /// - Parameter field: the field's name in experiment files, for the error message.
    /// - Throws: `LoopError` naming the field and the first generation whose value is invalid
    ///   (or whose function threw).
    func unitValues(_ field: String, at gs: Range<Int>) throws -> [Double] {
        try gs.map { g in
            let v: Double
            do { v = try value(at: g) } catch {
                throw LoopError("\(field) at generation \(g): \(error)")
            }
            guard v.isFinite, v >= 0, v <= 1 else {
                throw LoopError("\(field) must be a number between 0 and 1, got \(v) at generation \(g)")
            }
            return v
        }
    }
}
