import Foundation

/// Durations as the command line prints them (progress, `ouro check`'s estimates).
public enum TimeText {
    /// "1h05m", "14m20s", "42s"; "?" when not finite.
    public static func duration(_ s: Double) -> String {
        guard s.isFinite else { return "?" }
        if s < 60 { return String(format: "%.0fs", s) }
        if s < 3600 { return String(format: "%dm%02ds", Int(s) / 60, Int(s) % 60) }
        return String(format: "%dh%02dm", Int(s) / 3600, (Int(s) % 3600) / 60)
    }
}
