import Foundation

extension HTMLReport {
    /// One experiment's part of the page.
    static func section(store: ResultStore, info: ExperimentInfo, qualify: Bool, humanTexts: [String]) throws -> String {
        let name = info.name
        let cells = try ReportCell.all(in: store, experiment: name)
        let metrics = try self.metrics(store: store, experiment: name)
        let seeds = Set(cells.flatMap(\.seeds)).count
        let generations = cells.map(\.generations).max() ?? 0
        let id = "x-" + SVGChart.slug(name)
        var h = "<section class=\"experiment\" id=\"\(e(id))\">\n"
        // One title: with a single experiment the page's h1 already names it.
        if qualify { h += "<h2>Experiment \(e(name))</h2>\n" }

        // Header.
        let finished = cells.map(\.finished).reduce(0, +), failed = cells.map(\.failed).reduce(0, +), running = cells.map(\.running).reduce(0, +)
        var status = ["\(finished) finished"]
        if failed > 0 { status.append("<span class=\"bad\">\(failed) failed</span>") }
        if running > 0 { status.append("\(running) unfinished") }
        h += "<p class=\"meta\">Created \(e(displayDate(info.created))) · "
            + "<b>\(cells.count)</b> cell\(cells.count == 1 ? "" : "s") × <b>\(seeds)</b> seed\(seeds == 1 ? "" : "s") × "
            + "<b>\(generations)</b> generation\(generations == 1 ? "" : "s") · runs: \(status.joined(separator: ", ")) · "
            + "source sha256 <code>\(e(String(info.sha256.prefix(12))))</code></p>\n"
        let errors = cells.flatMap { c in c.errors.map { "\(c.label), \($0)" } }
        if !errors.isEmpty {
            h += "<details class=\"errors\"><summary>\(errors.count) failed run\(errors.count == 1 ? "" : "s")</summary><ul>"
                + errors.map { "<li>\(e($0))</li>" }.joined() + "</ul></details>\n"
        }
        let lossLink = try store.hasTrainingLosses() ? [("losses", "Training loss")] : []
        h += "<nav>" + ([("charts", "Charts")] + lossLink + [("shifts", "Shifts"), ("texts", "Texts"), ("cells", "Cells"), ("source", "Source")])
            .map { "<a href=\"#\(e(id))-\($0.0)\">\($0.1)</a>" }.joined(separator: " · ") + "</nav>\n"

        // Charts.
        h += "<h3 id=\"\(e(id))-charts\">Metrics per generation</h3>\n"
        h += "<p class=\"help\">One line per cell: the mean over seeds at each generation, the shaded band its 95% confidence "
            + "interval (Student t). The dashed line is the metric of the human data. Generation 0 is trained on human data only.</p>\n"
        if metrics.isEmpty { h += "<p class=\"note\">No metric values are stored yet.</p>\n" }
        h += "<div class=\"charts\">\n"
        for m in metrics {
            var spec = try SVGChart.spec(store: store, metric: m, experiment: name)
            spec.idPrefix = id + "-" + SVGChart.slug(m)
            h += "<figure id=\"\(e(spec.idPrefix))\">\(SVGChart.render(spec))</figure>\n"
        }
        h += "</div>\n"
        h += try lossSection(store: store, experiment: name, cells: cells, id: id)

        h += try shiftTable(store: store, experiment: name, cells: cells, metrics: metrics, id: id)
        h += try textsSection(store: store, experiment: name, cells: cells, humanTexts: humanTexts, id: id)
        h += try cellsSection(info: info, cells: cells, id: id)

        // Source.
        h += "<h3 id=\"\(e(id))-source\">Experiment file</h3>\n<pre class=\"source\">\(e(try store.source(experiment: name)))</pre>\n"
        return h + "</section>\n"
    }

    /// The training loss per optimizer step, one chart per cell and one line per generation (mean
    /// over seeds, 95% band); nothing when no run stored losses (models fitted in one go).
    static func lossSection(store: ResultStore, experiment: String, cells: [ReportCell], id: String) throws -> String {
        let charts = try cells.compactMap { c in try lossChart(store: store, experiment: experiment, cell: c, cells: cells.count) }
        guard !charts.isEmpty else { return "" }
        var h = "<h3 id=\"\(e(id))-losses\">Training loss</h3>\n"
        h += "<p class=\"help\">The fine-tuning loss of each optimizer step (mean cross-entropy of the step's completion tokens), "
            + "one line per generation: the mean over seeds, the band its 95% confidence interval. Each generation trains a "
            + "fresh adapter unless the experiment chains them.</p>\n<div class=\"charts\">\n"
        for var spec in charts {
            spec.idPrefix = id + "-loss-" + SVGChart.slug(spec.title)
            h += "<figure id=\"\(e(spec.idPrefix))\">\(SVGChart.render(spec))</figure>\n"
        }
        return h + "</div>\n"
    }

    /// The loss chart of one cell, nil when it has no stored loss.
    static func lossChart(store: ResultStore, experiment: String, cell: ReportCell, cells: Int) throws -> SVGChart.Spec? {
        var lines: [SVGChart.Line] = []
        for g in 0..<cell.generations {
            let perSeed = try cell.seeds.map { try store.trainingLosses(cell: cell.index, seed: $0, generation: g, experiment: experiment) }
            let steps = perSeed.map(\.count).max() ?? 0
            guard steps > 0 else { continue }
            let points = (0..<steps).map { s -> SVGChart.Point in
                let xs = perSeed.compactMap { s < $0.count && $0[s].isFinite ? $0[s] : nil }
                guard !xs.isEmpty else { return SVGChart.Point(generation: s + 1, mean: .nan, n: 0) }
                let sum = Descriptive.summary(xs)
                return SVGChart.Point(generation: s + 1, mean: sum.mean, ci95: sum.ci95, n: xs.count)
            }
            lines.append(SVGChart.Line(label: "generation \(g)", colorIndex: g, points: points))
        }
        guard !lines.isEmpty else { return nil }
        let seeds = cell.seeds.count
        return SVGChart.Spec(title: cells > 1 ? "training loss · \(cell.label)" : "training loss",
                             subtitle: seeds > 1 ? "mean ± 95% CI over \(seeds) seeds" : "one seed",
                             xLabel: "optimizer step", yLabel: "loss", lines: lines, range: 0...Double.infinity)
    }

    /// The shift of every metric in every cell.
    static func shiftTable(store: ResultStore, experiment: String, cells: [ReportCell], metrics: [String], id: String) throws -> String {
        var h = "<h3 id=\"\(e(id))-shifts\">Shifts</h3>\n"
        h += "<p class=\"help\">Per seed, the mean of the last \(shiftWindow) generations divided by (<i>ratio</i>) and minus "
            + "(<i>difference</i>) the generation-0 value; then the mean ± 95% CI over seeds. A ratio below 1 means the metric "
            + "fell over the generations, above 1 that it rose.</p>\n"
        h += "<div class=\"scroll\"><table class=\"shifts\"><thead><tr><th>metric</th><th>cell</th><th>window</th><th>gen 0</th><th>window mean</th>"
            + "<th>ratio</th><th>difference</th><th>seeds</th></tr></thead><tbody>\n"
        for m in metrics {
            for (i, c) in cells.enumerated() {
                let metricCell = i == 0 ? "<th rowspan=\"\(cells.count)\" scope=\"rowgroup\">\(e(m))</th>" : ""
                let label = "<td class=\"label\"><span class=\"swatch\" style=\"background:\(SVGChart.color(c.position))\"></span>\(e(c.label))</td>"
                let s: MetricShift
                do {
                    s = try store.shift(m, cell: c.index, last: shiftWindow, experiment: experiment)
                } catch ResultStoreError.notEnoughGenerations {
                    h += "<tr>\(metricCell)\(label)<td colspan=\"6\" class=\"na\">needs generation 0 and a later one</td></tr>\n"
                    continue
                }
                let base = Descriptive.mean(s.perSeed.map(\.base)), window = Descriptive.mean(s.perSeed.map(\.window))
                let trend = s.ratio.mean < 1 ? "down" : (s.ratio.mean > 1 ? "up" : "")
                h += "<tr data-metric=\"\(e(m))\" data-cell=\"\(c.index)\" data-ratio=\"\(s.ratio.mean)\" data-difference=\"\(s.difference.mean)\">"
                    + "\(metricCell)\(label)<td>\(s.generations.lowerBound)–\(s.generations.upperBound)</td>"
                    + "<td class=\"num\">\(Ticks.short(base))</td><td class=\"num\">\(Ticks.short(window))</td>"
                    + "<td class=\"num \(trend)\">\(pm(s.ratio))</td><td class=\"num\">\(pm(s.difference))</td><td class=\"num\">\(s.ratio.n)</td></tr>\n"
            }
        }
        return h + "</tbody></table></div>\n"
    }

    /// "mean ± ci" (the interval only when finite).
    static func pm(_ s: SampleSummary) -> String {
        Ticks.short(s.mean) + (s.ci95.isFinite ? " <span class=\"ci\">± \(Ticks.short(s.ci95))</span>" : "")
    }

    /// A few generated texts per cell at the first, middle and last generation, and human texts.
    static func textsSection(store: ResultStore, experiment: String, cells: [ReportCell], humanTexts: [String], id: String) throws -> String {
        var h = "<h3 id=\"\(e(id))-texts\">Generated texts</h3>\n"
        if humanTexts.isEmpty {
            h += "<p class=\"note\">The results database stores generated texts only, so no human texts are shown here; "
                + "the dashed lines in the charts are the human data's metrics.</p>\n"
        } else {
            h += "<div class=\"human\"><h4>Human texts</h4><ol>"
                + humanTexts.prefix(textsPerGeneration * 2).map { "<li>\(e(cut($0)))</li>" }.joined() + "</ol></div>\n"
        }
        for c in cells {
            guard let seed = c.seeds.contains(1) ? 1 : c.seeds.first, c.generations > 0 else { continue }
            let last = c.generations - 1
            let shown = Array(Set([0, last / 2, last])).sorted()
            h += "<div class=\"texts\"><h4><span class=\"swatch\" style=\"background:\(SVGChart.color(c.position))\"></span>"
                + "\(e(c.label)) <span class=\"dim\">(seed \(seed))</span></h4><div class=\"cols\">"
            for g in shown {
                let texts = try store.texts(cell: c.index, seed: seed, generation: g, experiment: experiment)
                h += "<div><h5>generation \(g)</h5>"
                h += texts.isEmpty ? "<p class=\"na\">no texts stored</p>"
                    : "<ol>" + texts.prefix(textsPerGeneration).map { "<li>\(e(cut($0)))</li>" }.joined() + "</ol>"
                h += "</div>"
            }
            h += "</div></div>\n"
        }
        return h
    }

    /// The parameters table.
    static func cellsSection(info: ExperimentInfo, cells: [ReportCell], id: String) throws -> String {
        var h = "<h3 id=\"\(e(id))-cells\">Cells and parameters</h3>\n"
        let keys = Array(Set(cells.flatMap { $0.params.map(\.key) })).sorted()
        h += "<div class=\"scroll\"><table class=\"cells\"><thead><tr><th>cell</th>" + keys.map { "<th>\(e($0))</th>" }.joined()
            + "<th>seeds</th><th>generations</th><th>runs</th></tr></thead><tbody>\n"
        for c in cells {
            let values = keys.map { k in "<td>\(e(c.params.first { $0.key == k }?.value ?? "—"))</td>" }.joined()
            var runs = "\(c.finished) finished"
            if c.failed > 0 { runs += ", <span class=\"bad\">\(c.failed) failed</span>" }
            if c.running > 0 { runs += ", \(c.running) unfinished" }
            h += "<tr><td><span class=\"swatch\" style=\"background:\(SVGChart.color(c.position))\"></span>\(c.index)</td>\(values)"
                + "<td>\(e(compactRanges(c.seeds)))</td><td class=\"num\">\(c.generations)</td><td>\(runs)</td></tr>\n"
        }
        h += "</tbody></table></div>\n"
        if let params = try? JSONScalar.object(info.params), !params.isEmpty {
            h += "<p class=\"help\">Run-wide settings:</p><table class=\"cells\"><tbody>"
                + params.keys.sorted().map { "<tr><th>\(e($0))</th><td>\(e(params[$0]!.text))</td></tr>" }.joined() + "</tbody></table>\n"
        }
        return h
    }

    /// "1–3, 7" for [1, 2, 3, 7].
    static func compactRanges(_ values: [Int]) -> String {
        var parts: [String] = []
        var i = 0
        let v = values.sorted()
        while i < v.count {
            var j = i
            while j + 1 < v.count && v[j + 1] == v[j] + 1 { j += 1 }
            parts.append(j == i ? "\(v[i])" : "\(v[i])–\(v[j])")
            i = j + 1
        }
        return parts.joined(separator: ", ")
    }

    /// A text cut to `textLimit` characters.
    static func cut(_ s: String) -> String { s.count <= textLimit ? s : String(s.prefix(textLimit)) + "…" }

    /// "2025-11-25 06:41 UTC" from ISO 8601 (the text as is when it does not parse).
    static func displayDate(_ iso: String) -> String {
        let parts = iso.split(separator: "T", maxSplits: 1)
        guard parts.count == 2 else { return iso }
        return parts[0] + " " + parts[1].prefix(5) + " UTC"
    }

    static let css = """
        :root { color-scheme: light; }
        body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1a1a1a;
               max-width: 1900px; margin: 0 auto; padding: 24px 20px 60px; line-height: 1.45; background: #fff; }
        h1 { font-size: 1.6em; margin: 0 0 8px; }
        h2 { font-size: 1.35em; margin: 28px 0 4px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
        h3 { font-size: 1.12em; margin: 26px 0 6px; }
        h4 { margin: 12px 0 4px; font-size: 1em; } h5 { margin: 4px 0; font-size: .9em; color: #444; }
        .meta { color: #333; margin: 4px 0; } nav { margin: 8px 0 0; font-size: .95em; }
        a { color: #0062a0; } code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .92em; }
        .help { color: #555; font-size: .92em; max-width: 80ch; margin: 2px 0 10px; }
        .note { background: #fff8e0; border-left: 3px solid #e6b800; padding: 6px 10px; font-size: .92em; }
        .charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 600px), 1fr)); gap: 12px 20px; }
        figure { margin: 0; min-width: 0; } figure svg { width: 100%; height: auto; display: block; }
        table { border-collapse: collapse; font-size: .9em; margin: 6px 0 12px; }
        th, td { border-bottom: 1px solid #e4e4e4; padding: 4px 10px; text-align: left; vertical-align: top; }
        thead th { border-bottom: 2px solid #bbb; background: #f7f7f7; }
        tbody th { font-weight: 600; }
        td.label { white-space: nowrap; } .scroll { overflow-x: auto; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        td.down { color: #a33a00; } td.up { color: #005a8c; } .ci { color: #777; }
        .na, .dim { color: #888; } .bad { color: #b00020; font-weight: 600; }
        .swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
        .texts .cols { display: flex; flex-wrap: wrap; gap: 14px; } .texts .cols > div { flex: 1 1 260px; min-width: 0; }
        .texts ol, .human ol { margin: 0; padding-left: 1.4em; font-size: .88em; }
        .texts li, .human li { margin: 0 0 6px; white-space: pre-wrap; overflow-wrap: anywhere; }
        .human { background: #f4f4f4; padding: 4px 12px 8px; border-radius: 4px; }
        pre.source { background: #f6f6f6; border: 1px solid #e2e2e2; padding: 10px 12px; overflow-x: auto; font-size: .85em;
                     font-family: ui-monospace, Menlo, Consolas, monospace; }
        details.errors { color: #b00020; margin: 6px 0; }
        footer { margin-top: 40px; color: #777; font-size: .85em; }
        """
}
