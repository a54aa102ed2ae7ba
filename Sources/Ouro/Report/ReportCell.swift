import Foundation

/// A cell of an experiment as a report shows it: its parameters, a label made of the parameters
/// that vary between the experiment's cells, and what the database holds for it.
public struct ReportCell: Equatable, Sendable {
    /// The cell index (as stored; queries take it).
    public let index: Int
    /// The position among the experiment's cells, ascending by index: its colour index.
    public let position: Int
    /// The parameters, sorted by key, values as text (strings bare, numbers shortest).
    public let params: [Parameter]
    /// The legend label: the parameters that differ between cells, e.g. "synthetic_ratio = 0.25";
    /// "cell N" when none differ.
    public let label: String
    /// The seeds of its runs, ascending.
    public let seeds: [Int]
    /// The largest number of generations stored by one of its runs.
    public let generations: Int
    /// Run counts by status.
    public let finished: Int, failed: Int, running: Int
    /// The error messages of failed runs, as "seed S: message".
    public let errors: [String]

    /// One parameter of a cell.
    public struct Parameter: Equatable, Sendable {
        public let key: String
        public let value: String
    }

    /// The experiment's cells, by index.
    /// - Parameters:
    ///   - store: the results database.
    ///   - experiment: the experiment's name; nil for the only one.
    /// - Throws: `ResultStoreError` for an unknown or ambiguous experiment, unparsable parameters.
    /// - Complexity: O(runs).
    public static func all(in store: ResultStore, experiment: String? = nil) throws -> [ReportCell] {
        let name = try experiment ?? {
            let all = try store.experiments()
            guard let first = all.first else { throw ResultStoreError.noExperiment(path: store.path) }
            guard all.count == 1 else { throw ResultStoreError.ambiguousExperiment(available: all.map(\.name)) }
            return first.name
        }()
        let runs = try store.runs().filter { $0.experiment == name }
        var byCell: [(Int, [RunInfo])] = []
        for r in runs {   // ordered by cell, then seed
            if byCell.last?.0 == r.cell { byCell[byCell.count - 1].1.append(r) } else { byCell.append((r.cell, [r])) }
        }
        let parsed = try byCell.map { try JSONScalar.object($0.1[0].cellParams) }
        let keys = Set(parsed.flatMap(\.keys)).sorted()
        let varying = keys.filter { k in Set(parsed.map { $0[k]?.json ?? "∅" }).count > 1 }
        return byCell.enumerated().map { position, entry in
            let (index, runs) = entry
            let p = parsed[position]
            let params = p.keys.sorted().map { Parameter(key: $0, value: p[$0]!.text) }
            let labelParts = varying.map { "\($0) = \(p[$0]?.text ?? "—")" }
            return ReportCell(index: index, position: position, params: params,
                              label: labelParts.isEmpty ? "cell \(index)" : labelParts.joined(separator: ", "),
                              seeds: runs.map(\.seed), generations: runs.map(\.generations).max() ?? 0,
                              finished: runs.filter { $0.status == .finished }.count,
                              failed: runs.filter { $0.status == .failed }.count,
                              running: runs.filter { $0.status == .running }.count,
                              errors: runs.compactMap { r in r.error.map { "seed \(r.seed): \($0)" } })
        }
    }
}

extension SVGChart {
    /// The chart of one metric of an experiment: one line per cell (mean ± 95% CI over seeds per
    /// generation), the human reference (generation −1 row) dashed.
    /// - Parameters:
    ///   - store: the results database.
    ///   - metric: the metric's name.
    ///   - experiment: the experiment; nil for the only one.
    ///   - cells: the cells to draw (indices); nil for all. Colours follow the cell's position
    ///     among all the experiment's cells, so a subset keeps the colours of the full report.
    /// - Returns: the chart's spec (render it with `render(_:)`); its lines are empty when no
    ///   cell holds the metric.
    /// - Throws: `ResultStoreError` (unknown metric, experiment or cell).
    public static func spec(store: ResultStore, metric: String, experiment: String? = nil, cells: [Int]? = nil) throws -> Spec {
        var all = try ReportCell.all(in: store, experiment: experiment)
        if let cells {
            let known = Set(all.map(\.index))
            if let bad = cells.first(where: { !known.contains($0) }) {
                let name = try experiment ?? store.experiments().first?.name ?? "?"
                throw ResultStoreError.unknownCell(index: bad, experiment: name)
            }
            let wanted = Set(cells)
            all = all.filter { wanted.contains($0.index) }
        }
        var lines: [Line] = []
        var seeds = 0
        for cell in all {
            let series = try store.series(metric, cell: cell.index, experiment: experiment, includeReference: true)
            let reference = series.first(where: { $0.generation == -1 })?.mean
            let points = series.filter { $0.generation >= 0 }.map { Point(generation: $0.generation, mean: $0.mean, ci95: $0.ci95, n: $0.n) }
            seeds = max(seeds, points.map(\.n).max() ?? 0)
            if points.isEmpty && reference == nil { continue }
            lines.append(Line(label: cell.label, colorIndex: cell.position, points: points, reference: reference))
        }
        let subtitle = seeds >= 2 ? "mean ± 95% CI over \(seeds) seeds, per cell" : (seeds == 1 ? "one seed per cell (no interval)" : "")
        return Spec(title: metric, subtitle: subtitle, yLabel: metric, lines: lines, bands: lines.count <= 12,
                    idPrefix: "chart-" + slug(metric), range: MetricInfo.range(of: metric))
    }

    /// `render(spec(store:metric:experiment:cells:))`.
    public static func render(store: ResultStore, metric: String, experiment: String? = nil, cells: [Int]? = nil) throws -> String {
        render(try spec(store: store, metric: metric, experiment: experiment, cells: cells))
    }

    /// Several metrics' charts stacked vertically in one standalone SVG (for `ouro.report.plot`).
    /// - Parameters:
    ///   - metrics: the metrics, in order (one chart each); empty for every stored metric.
    /// - Throws: `ResultStoreError` (unknown metric, experiment or cell).
    public static func plot(store: ResultStore, metrics: [String], experiment: String? = nil, cells: [Int]? = nil) throws -> String {
        let names = metrics.isEmpty ? try store.metricNames() : metrics
        if names.count == 1 { return try render(store: store, metric: names[0], experiment: experiment, cells: cells) }
        var charts: [(svg: String, width: Double, height: Double)] = []
        for m in names {
            let svg = try render(store: store, metric: m, experiment: experiment, cells: cells)
            charts.append((svg, size(of: svg, "width"), size(of: svg, "height")))
        }
        let width = charts.map(\.width).max() ?? 0, height = charts.map(\.height).reduce(0, +)
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(f(width)) \(f(height))\" width=\"\(f(width))\" height=\"\(f(height))\">\n"
        var y = 0.0
        for c in charts {
            // A nested <svg> is placed by its x/y attributes.
            out += c.svg.replacingOccurrences(of: "<svg ", with: "<svg y=\"\(f(y))\" ", options: [], range: c.svg.range(of: "<svg "))
            y += c.height
        }
        return out + "</svg>\n"
    }

    /// The number in the first `name="…"` attribute of a rendered chart.
    static func size(of svg: String, _ name: String) -> Double {
        guard let r = svg.range(of: " \(name)=\"") else { return 0 }
        return Double(svg[r.upperBound...].prefix { $0 != "\"" }) ?? 0
    }

    /// A file- and id-safe form of a name: ASCII letters, digits, `-` and `_`; others become `_`.
    public static func slug(_ s: String) -> String {
        let t = String(s.unicodeScalars.map { u -> Character in
            (u.isASCII && (CharacterSet.alphanumerics.contains(u) || u == "-" || u == "_")) ? Character(u) : "_"
        })
        return t.isEmpty ? "_" : t
    }
}
