import ArgumentParser
import CEdit
import Foundation
import OuroLua

struct Repl: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Interactive Lua with the ouro API (optionally after running FILE).")

    @Argument(help: "A Lua file to run first; its globals stay available.")
    var file: String?

    @OptionGroup var script: ScriptOptions

    func run() throws {
        let session = try OuroSession(scriptPath: file, options: try script.sessionOptions())
        session.state.context.progress = TerminalProgress()
        try session.run()
        let engine = ReplEngine(session: session)
        if isatty(0) != 0 {
            interactive(engine)
        } else {
            // Piped input: no banner, no prompts, so scripted sessions give clean output.
            while let line = readLine(strippingNewline: true) { engine.feed(line) }
        }
    }

    private func interactive(_ engine: ReplEngine) {
        print("Ouro \(OuroVersion.string) (Lua 5.4) — :help lists the API, Ctrl-D quits")
        let history = (NSHomeDirectory() as NSString).appendingPathComponent(".ouro_history")
        using_history()
        stifle_history(2000)
        _ = read_history(history)
        completionEngine = engine
        ouro_edit_set_completion(complete)
        engine.pager = page
        while true {
            guard let raw = readline(engine.prompt) else { print(""); break }
            let line = String(cString: raw)
            free(raw)
            if !line.trimmingCharacters(in: .whitespaces).isEmpty {
                add_history(line)
                _ = write_history(history)
            }
            engine.feed(line)
        }
        completionEngine = nil
    }
}

/// Prints `text` a screenful at a time when it is longer than the terminal: Enter shows the next
/// page, q (or Ctrl-D) stops.
private func page(_ text: String) {
    var size = winsize()
    let rows = ioctl(1, UInt(TIOCGWINSZ), &size) == 0 && size.ws_row > 2 ? Int(size.ws_row) - 1 : 40
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    var i = 0
    while i < lines.count {
        let end = min(lines.count, i + rows)
        print(lines[i..<end].joined(separator: "\n"), terminator: end == lines.count ? "" : "\n")
        i = end
        guard i < lines.count else { break }
        guard let raw = readline("-- more (Enter: next page, q: quit) -- ") else { print(""); break }
        let answer = String(cString: raw)
        free(raw)
        if answer.lowercased().hasPrefix("q") { break }
    }
}

nonisolated(unsafe) private var completionEngine: ReplEngine?

/// libedit completion hook: the candidates' longest common prefix first, then the candidates.
private func complete(_ text: UnsafePointer<CChar>?, _ start: Int32, _ end: Int32) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
    ouro_edit_completion_over()
    guard let text, let engine = completionEngine else { return nil }
    let matches = engine.completions(for: String(cString: text))
    guard !matches.isEmpty else { return nil }
    var common = matches[0]
    for m in matches.dropFirst() {
        while !m.hasPrefix(common) { common.removeLast() }
    }
    let list = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: matches.count + 2)
    list[0] = strdup(common)
    for (i, m) in matches.enumerated() { list[i + 1] = strdup(m) }
    list[matches.count + 1] = nil
    if matches.count == 1 { ouro_edit_no_append() }
    return list
}
