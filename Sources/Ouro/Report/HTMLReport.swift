import Foundation

/// The report of a results database: one self-contained HTML file (inline CSS and SVG; no
/// scripts, no remote fonts or images) that shows, per experiment, a header (name, date,
/// cells × seeds × generations, run status), one chart per metric (`SVGChart`), a table of
/// shifts (`ResultStore.shift`), a few generated texts per cell at the first, middle and last
/// generation beside human ones when given, the cells' parameters and the experiment file's source.
///
/// See docs/report.md for how to read it.
public enum HTMLReport {
    /// The generations averaged by the shift table (the study's window).
    public static let shiftWindow = 5
    /// Generated texts shown per cell and generation.
    public static let textsPerGeneration = 3
    /// Longer texts are cut to this many characters (with "…").
    public static let textLimit = 600

    /// Renders the report.
    /// - Parameters:
    ///   - store: the results database (read-only is enough).
    ///   - title: the page title; nil for "Ouro report: NAME" (the experiments' names).
    ///   - experiment: one experiment; nil for every experiment in the database, in order.
    ///   - humanTexts: human texts to show beside the generated ones (the database stores only
    ///     generated texts); empty to say that none are shown.
    /// - Returns: the HTML document.
    /// - Throws: `ResultStoreError` (unknown experiment, unreadable database).
    /// - Complexity: O(metrics × cells × stored values) database reads.
    public static func render(store: ResultStore, title: String? = nil, experiment: String? = nil, humanTexts: [String] = []) throws -> String {
        let experiments = try store.experiments().filter { experiment == nil || $0.name == experiment }
        if let experiment, experiments.isEmpty {
            throw ResultStoreError.unknownExperiment(name: experiment, available: try store.experiments().map(\.name))
        }
        let pageTitle = title ?? "Ouro report: " + (experiments.isEmpty ? (store.path as NSString).lastPathComponent : experiments.map(\.name).joined(separator: ", "))
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(e(pageTitle))</title>
            <style>\(css)</style>
            </head>
            <body>
            <h1>\(e(pageTitle))</h1>

            """
        if experiments.isEmpty {
            html += "<p class=\"note\">This database holds no experiment yet.</p>\n"
        }
        let several = experiments.count > 1
        for info in experiments {
            html += try section(store: store, info: info, qualify: several, humanTexts: humanTexts)
        }
        html += "<footer>Written by Ouro from <code>\(e((store.path as NSString).lastPathComponent))</code>. "
            + "Self-contained: no scripts, no remote resources.</footer>\n</body>\n</html>\n"
        return html
    }

    /// The default report folder of a database: `results/x.db` → `results/x-report`.
    public static func defaultFolder(for database: String) -> String {
        ((database as NSString).deletingPathExtension) + "-report"
    }

    /// Writes `report.html` into `dir` (created if needed) and, when `png` is true and
    /// `rsvg-convert` is on the PATH, one PNG per chart (`EXPERIMENT-METRIC.png`, twice the
    /// chart's size). Without `rsvg-convert` the PNGs are skipped and `note` says so.
    /// - Parameters:
    ///   - store: the results database.
    ///   - dir: the output folder.
    ///   - png: also write PNGs.
    ///   - title, experiment, humanTexts: as for `render`.
    ///   - note: receives one line per thing worth telling the user (a skipped PNG export).
    /// - Returns: the paths written, the HTML first.
    /// - Throws: `ResultStoreError`; file-system errors; `HTMLReport.Failure` when
    ///   `rsvg-convert` fails.
    @discardableResult
    public static func write(store: ResultStore, to dir: String, png: Bool = false, title: String? = nil,
                             experiment: String? = nil, humanTexts: [String] = [],
                             note: (String) -> Void = { _ in }) throws -> [String] {
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let htmlPath = (dir as NSString).appendingPathComponent("report.html")
        try render(store: store, title: title, experiment: experiment, humanTexts: humanTexts)
            .write(toFile: htmlPath, atomically: true, encoding: .utf8)
        var written = [htmlPath]
        guard png else { return written }
        guard let converter = rsvgConvert() else {
            note("PNG export skipped: rsvg-convert is not on the PATH (Debian/Ubuntu: apt-get install librsvg2-bin; macOS: brew install librsvg)")
            return written
        }
        let names = try store.experiments().filter { experiment == nil || $0.name == experiment }.map(\.name)
        let tmp = fm.temporaryDirectory.appendingPathComponent("ouro-report-\(UUID().uuidString)")
        try fm.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: tmp) }
        for name in names {
            for metric in try metrics(store: store, experiment: name) {
                let spec = try SVGChart.spec(store: store, metric: metric, experiment: name)
                guard !spec.lines.isEmpty else { continue }
                let svgPath = tmp.appendingPathComponent("chart.svg").path
                try SVGChart.render(spec).write(toFile: svgPath, atomically: true, encoding: .utf8)
                let out = (dir as NSString).appendingPathComponent(SVGChart.slug(name) + "-" + SVGChart.slug(metric) + ".png")
                try run(converter, ["--zoom", "2", "--background-color", "white", "-o", out, svgPath])
                written.append(out)
            }
        }
        return written
    }

    /// A failure of an external tool.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The path of `rsvg-convert` on the PATH, if any.
    public static func rsvgConvert() -> String? { ChildProcess.which("rsvg-convert") }

    static func run(_ tool: String, _ arguments: [String]) throws {
        let r = try ChildProcess.run(tool, arguments)
        guard r.status == 0 else {
            throw Failure(description: "\(tool) failed (status \(r.status)): \(r.errors)")
        }
    }

    /// The metrics with at least one value (reference row included) in the experiment's cells,
    /// sorted by name.
    static func metrics(store: ResultStore, experiment: String) throws -> [String] {
        let cells = try ReportCell.all(in: store, experiment: experiment)
        return try store.metricNames().filter { m in
            try cells.contains { !(try store.series(m, cell: $0.index, experiment: experiment, includeReference: true)).isEmpty }
        }
    }

    /// HTML-escapes text.
    static func e(_ s: String) -> String { Markup.escape(s) }
}
