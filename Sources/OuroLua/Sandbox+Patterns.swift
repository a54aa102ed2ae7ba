import CLua
import Foundation

/// A sound upper bound on the work of Lua's pattern matcher (`string.find/match/gmatch/gsub`),
/// which runs in C where the instruction hook cannot reach it and can backtrack exponentially
/// (`("a"):rep(40):find(("a?"):rep(40) .. ("a"):rep(40))`).
///
/// Lua's matcher is a backtracking recursion over the pattern's items. At one start position, a
/// single-class item with `*`, `+` or `-` tries at most `r + 1` lengths, where `r` is the longest run
/// of subject bytes in that class; `?` tries 2; other items try one. So the number of paths is at
/// most the product of those counts, and each path costs at most twice the pattern's length plus
/// the scans of `%b` and back-references (≤ subject length each). Summed over the start positions
/// where a match can begin (one when anchored; the bytes in the first item's class when it must
/// consume one), that bounds the matcher's steps. The sandbox refuses a call whose bound
/// exceeds `PatternCost.callLimit`, so no single call runs long; and it charges the time each call
/// (and each `gmatch` step) took to the instruction count, one instruction per nanosecond, so that
/// many calls add up like any other Lua work. (The bound itself is far above the typical work, so
/// charging it would stop ordinary scripts; the time is what the limit is there to bound.)
enum PatternCost {
    /// The largest worst-case bound one pattern call may have in the sandbox (about a second).
    static let callLimit = 200_000_000.0

    /// The bound for one start position, and the number of start positions where a match can begin
    /// (1 when anchored; the subject bytes in the first item's class when that item must consume
    /// one; nil: every position). `stats(class)` gives the longest run of subject bytes in a
    /// single-character class and how many bytes are in it. `^` anchors except in `gmatch`, where
    /// Lua 5.4 reads it as a literal.
    static func bound(pattern p: UnsafeRawBufferPointer, subjectLength n: Int, plain: Bool, anchorAllowed: Bool,
                      stats: (UnsafeRawBufferPointer) -> (run: Int, count: Int)) -> (perStart: Double, starts: Double?) {
        let m = p.count
        if plain { return (Double(m + 1), nil) }
        var i = 0
        var starts: Double? = nil
        var firstItem = true
        if anchorAllowed && m > 0 && p[0] == UInt8(ascii: "^") { starts = 1; i = 1; firstItem = false }
        var paths = 1.0
        var scans = 0.0                              // %b and back-references: one subject scan each
        while i < m {
            let c = p[i]
            switch c {
            case UInt8(ascii: "("), UInt8(ascii: ")"):
                i += 1
                continue
            case UInt8(ascii: "$") where i == m - 1:
                i += 1
                continue
            case UInt8(ascii: "%") where i + 1 < m:
                let d = p[i + 1]
                if d == UInt8(ascii: "b") {
                    if firstItem && i + 2 < m {
                        starts = Double(stats(UnsafeRawBufferPointer(rebasing: p[(i + 2)..<(i + 3)])).count)
                    }
                    firstItem = false
                    scans += Double(n); i += 4; continue
                }
                if d == UInt8(ascii: "f") { firstItem = false; i = classEnd(p, i + 2); continue }   // zero width
                if d >= UInt8(ascii: "0") && d <= UInt8(ascii: "9") { firstItem = false; scans += Double(n); i += 2; continue }
            default: break
            }
            // A single-character class, then an optional quantifier.
            let cls = UnsafeRawBufferPointer(rebasing: p[i..<classEnd(p, i)])
            let end = i + cls.count
            let q: UInt8? = end < m ? p[end] : nil
            switch q {
            case UInt8(ascii: "*")?, UInt8(ascii: "-")?:
                paths *= Double(stats(cls).run + 1)
                i = end + 1
            case UInt8(ascii: "+")?:
                let st = stats(cls)
                if firstItem { starts = Double(st.count) }
                paths *= Double(st.run + 1)
                i = end + 1
            case UInt8(ascii: "?")?:
                paths *= 2
                i = end + 1
            default:
                if firstItem { starts = Double(stats(cls).count) }
                i = end
            }
            firstItem = false
            if paths > 1e30 { paths = 1e30 }
        }
        // Each path visits at most every item once, and `max_expand` counts its run once per visit.
        return (min(paths * (2 * Double(m) + 1 + scans), 1e30), starts)
    }

    /// The index after the single-character class starting at `i` (`.`, `%x`, `[set]`, a byte).
    /// A malformed class ends at the pattern's end (Lua then raises its own error).
    static func classEnd(_ p: UnsafeRawBufferPointer, _ i: Int) -> Int {
        let m = p.count
        guard i < m else { return m }
        if p[i] == UInt8(ascii: "%") { return min(i + 2, m) }
        if p[i] != UInt8(ascii: "[") { return i + 1 }
        var j = i + 1
        if j < m && p[j] == UInt8(ascii: "^") { j += 1 }
        repeat {                                   // the first ']' of a set is a member
            if j >= m { return m }
            if p[j] == UInt8(ascii: "%") { j += 1 }
            j += 1
        } while j < m && p[j] != UInt8(ascii: "]")
        return min(j + 1, m)
    }

    /// Whether byte `c` is in the class `cls` (`.`, `%a`…, `[set]` or a literal), in the C locale
    /// as Lua uses it. Unknown forms answer true, which only makes the bound larger.
    static func matches(_ c: UInt8, _ cls: UnsafeRawBufferPointer) -> Bool {
        guard let first = cls.first else { return true }
        switch first {
        case UInt8(ascii: "."): return true
        case UInt8(ascii: "%"): return cls.count < 2 ? true : escapeMatches(c, cls[1])
        case UInt8(ascii: "["): return setMatches(c, cls)
        default: return c == first
        }
    }

    static func escapeMatches(_ c: UInt8, _ e: UInt8) -> Bool {
        let lower = e | 0x20
        let r: Bool
        switch lower {
        case UInt8(ascii: "a"): r = isalpha(Int32(c)) != 0
        case UInt8(ascii: "c"): r = iscntrl(Int32(c)) != 0
        case UInt8(ascii: "d"): r = isdigit(Int32(c)) != 0
        case UInt8(ascii: "g"): r = isgraph(Int32(c)) != 0
        case UInt8(ascii: "l"): r = islower(Int32(c)) != 0
        case UInt8(ascii: "p"): r = ispunct(Int32(c)) != 0
        case UInt8(ascii: "s"): r = isspace(Int32(c)) != 0
        case UInt8(ascii: "u"): r = isupper(Int32(c)) != 0
        case UInt8(ascii: "w"): r = isalnum(Int32(c)) != 0
        case UInt8(ascii: "x"): r = isxdigit(Int32(c)) != 0
        default: return c == e                       // %. %% %[ …: the byte itself
        }
        return (e >= UInt8(ascii: "A") && e <= UInt8(ascii: "Z")) ? !r : r
    }

    static func setMatches(_ c: UInt8, _ cls: UnsafeRawBufferPointer) -> Bool {
        // cls = "[" ["^"] items "]"
        var j = 1
        var negate = false
        let end = cls.count - 1                     // index of the closing ']'
        guard end >= 1, cls[end] == UInt8(ascii: "]") else { return true }
        if j < end && cls[j] == UInt8(ascii: "^") { negate = true; j += 1 }
        var found = false
        var firstItem = true
        while j < end || (firstItem && j == end) {
            if j >= end { break }
            firstItem = false
            let x = cls[j]
            if x == UInt8(ascii: "%") && j + 1 < end {
                if escapeMatches(c, cls[j + 1]) { found = true }
                j += 2
            } else if j + 2 < end && cls[j + 1] == UInt8(ascii: "-") {
                if x <= c && c <= cls[j + 2] { found = true }
                j += 3
            } else {
                if x == c { found = true }
                j += 1
            }
        }
        return negate ? !found : found
    }

    /// The longest run of bytes of `s` in class `cls`, and how many bytes of `s` are in it.
    static func stats(_ s: UnsafeRawBufferPointer, _ cls: UnsafeRawBufferPointer) -> (run: Int, count: Int) {
        if cls.count == 1 && cls[0] == UInt8(ascii: ".") { return (s.count, s.count) }
        var table = [Bool](repeating: false, count: 256)
        for b in 0..<256 { table[b] = matches(UInt8(b), cls) }
        var best = 0, run = 0, count = 0
        for c in s {
            if table[Int(c)] { run += 1; count += 1; if run > best { best = run } } else { run = 0 }
        }
        return (best, count)
    }
}

extension LuaState {
    /// `guard(kind, s, p, init, plain, cache)` for the sandbox's string wrappers (see `PatternCost`):
    /// raises when the call's worst case exceeds the limit, else returns nothing. Non-string
    /// arguments pass: the real function raises its own error.
    func pushPatternGuard(_ lua: Lua) {
        pushFunction(lua, name: "string") { lua in
            let kind = lua.toString(at: 1) ?? ""
            guard let s = lua.rawBytes(at: 2), let p = lua.rawBytes(at: 3) else { return 0 }
            let n = s.count
            var first = 1
            if let i = lua.toInteger(at: 4) {
                first = i > 0 ? i : (i == 0 ? 1 : max(n + i + 1, 1))
            }
            if first > n + 1 { return 0 }            // no match possible; the call returns at once
            let plain = (kind == "find" && lua.toBool(at: 5))
            let cacheIndex: Int32 = 6
            // Runs are cached per subject string in the wrapper's table: { s = subject, [class] = run }.
            let sameSubject: Bool = {
                guard lua.kind(at: cacheIndex) == .table else { return false }
                _ = lua.rawGet(cacheIndex, field: "\u{1}s")
                defer { lua.pop() }
                return lua_rawequal(lua.L, -1, 2) != 0
            }()
            if !sameSubject, lua.kind(at: cacheIndex) == .table {
                // a new subject: empty the cache, remember the subject
                var keys: [String] = []
                lua.forEach(cacheIndex) { if let k = lua.toString(at: -2) { keys.append(k) } }
                for k in keys { lua.pushNil(); lua.rawSet(cacheIndex, field: k) }
                lua.pushValue(at: 2)
                lua.rawSet(cacheIndex, field: "\u{1}s")
            }
            let (per, starts) = PatternCost.bound(pattern: p, subjectLength: n, plain: plain, anchorAllowed: kind != "gmatch") { cls in
                // cached as "run count" under the class text
                let key = String(decoding: cls, as: UTF8.self)
                if lua.kind(at: cacheIndex) == .table {
                    if lua.rawGet(cacheIndex, field: key) == .table {
                        _ = lua.rawGet(-1, index: 1); _ = lua.rawGet(-2, index: 2)
                        let r = (lua.toInteger(at: -2) ?? n, lua.toInteger(at: -1) ?? n)
                        lua.pop(3)
                        return r
                    }
                    lua.pop()
                }
                let r = PatternCost.stats(s, cls)
                if lua.kind(at: cacheIndex) == .table {
                    lua.newTable(arrayCount: 2)
                    lua.push(r.run); lua.rawSet(-2, index: 1)
                    lua.push(r.count); lua.rawSet(-2, index: 2)
                    lua.rawSet(cacheIndex, field: key)
                }
                return r
            }
            let worst = per * max(1, min(starts ?? Double(n - first + 2), Double(n - first + 2)))
            if worst > PatternCost.callLimit {
                throw LuaArgumentError("sandbox: this pattern could take up to \(Int(min(worst, 9e18))) matching steps on a \(n)-byte string (the limit per call is \(Int(PatternCost.callLimit))); simplify the pattern (fewer '?', '*', '-' over long runs) or split the text (run with --trust to allow)")
            }
            return 0
        }
    }

    /// `clock()` → monotonic nanoseconds, for the sandbox's wrappers to charge C work by its time.
    func pushClock(_ lua: Lua) {
        pushFunction(lua, name: "clock") { lua in
            lua.push(Int64(truncatingIfNeeded: DispatchTime.now().uptimeNanoseconds))
            return 1
        }
    }

    /// Adds work done in C on a script's behalf to the instruction count; raises the
    /// instruction-limit error when it is exceeded (and, like the hook, keeps raising it).
    func charge(steps: Double, _ lua: Lua) throws {
        if ouro_charge(lua.L, steps >= 9e18 ? Int64.max / 2 : Int64(steps)) != 0 {
            throw LuaError(.instructionLimit, "\(lua.userLocation())instruction limit of \(limits.maxInstructions) exceeded (use --max-instructions to raise it)")
        }
    }

    /// `charge(steps)` for the sandbox's wrappers (nanoseconds of pattern matching, elements moved).
    func pushCharge(_ lua: Lua) {
        pushFunction(lua, name: "charge") { lua in
            if let d = lua.toNumber(at: 1), d > 0 { try lua.state.charge(steps: d, lua) }
            return 0
        }
    }
}

extension Lua {
    /// The bytes of the string (or number, as Lua would convert it) at `i`, without copying;
    /// valid while the value stays on the stack. A number slot is converted to a string in place.
    func rawBytes(at i: Int32) -> UnsafeRawBufferPointer? {
        switch kind(at: i) {
        case .string:
            var len = 0
            guard let ptr = lua_tolstring(L, i, &len) else { return nil }
            return UnsafeRawBufferPointer(start: ptr, count: len)
        case .number:                              // converts the slot in place (our own argument)
            var len = 0
            guard let ptr = lua_tolstring(L, i, &len) else { return nil }
            return UnsafeRawBufferPointer(start: ptr, count: len)
        default:
            return nil
        }
    }
}
