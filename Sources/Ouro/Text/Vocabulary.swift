import Foundation

/// Interns token strings to stable `UInt32` ids.
///
/// Ouro uses one process-wide vocabulary (`Vocabulary.shared`), so token ids mean the same thing in
/// every dataset and model of the process and datasets can be concatenated without remapping.
/// Ids are assigned in first-seen order. Because n-gram models can only emit tokens they were trained
/// on and synthetic data is kept as ids, an experiment's vocabulary grows only while it loads its
/// (deterministic) data, so ids are the same in every worker.
///
/// The first ids are reserved: `unk` (`<unk>`), `bos` (`<s>`) and `eos` (`</s>`).
/// Thread-safe.
public final class Vocabulary: @unchecked Sendable {
    public static let shared = Vocabulary()

    public static let unk: UInt32 = 0
    public static let bos: UInt32 = 1
    public static let eos: UInt32 = 2
    public static let reserved = ["<unk>", "<s>", "</s>"]

    private let lock = NSLock()
    private var ids: [String: UInt32] = [:]
    private var strings: [String] = []

    public init() {
        for s in Vocabulary.reserved { _ = id(for: s) }
    }

    /// The id of `token`, interning it if new.
    /// - Complexity: O(1) amortised (one hash lookup under a lock).
    public func id(for token: String) -> UInt32 {
        lock.lock(); defer { lock.unlock() }
        if let i = ids[token] { return i }
        let i = UInt32(strings.count)
        ids[token] = i
        strings.append(token)
        return i
    }

    /// The ids of `tokens`, interning new ones, under one lock acquisition.
    public func ids(for tokens: [String]) -> [UInt32] {
        lock.lock(); defer { lock.unlock() }
        return tokens.map { t in
            if let i = ids[t] { return i }
            let i = UInt32(strings.count)
            ids[t] = i
            strings.append(t)
            return i
        }
    }

    /// The id of `token` if it has been interned, without interning it.
    public func lookup(_ token: String) -> UInt32? {
        lock.lock(); defer { lock.unlock() }
        return ids[token]
    }

    /// The ids of `tokens` without interning them: a token never seen is `Vocabulary.unk` (what
    /// scoring and prompts read: a model knows no id it was not trained on).
    public func lookupOrUnknown(_ tokens: [String]) -> [UInt32] {
        lock.lock(); defer { lock.unlock() }
        return tokens.map { ids[$0] ?? Vocabulary.unk }
    }

    /// The string of `id`. - Precondition: `id` was returned by this vocabulary.
    public func token(_ id: UInt32) -> String {
        lock.lock(); defer { lock.unlock() }
        return strings[Int(id)]
    }

    /// The strings of `ids`, under one lock acquisition.
    public func tokens(_ ids: some Sequence<UInt32>) -> [String] {
        lock.lock(); defer { lock.unlock() }
        return ids.map { strings[Int($0)] }
    }

    /// Number of interned strings (including the reserved ones).
    public var count: Int {
        lock.lock(); defer { lock.unlock() }
        return strings.count
    }
}
