/// A value handed to concurrent workers whose use is safe by construction, not by type: the workers
/// only read it, write disjoint parts through it, or each use their own (one Lua state per worker).
public struct UncheckedSendable<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}
