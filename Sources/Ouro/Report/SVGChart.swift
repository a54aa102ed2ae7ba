import Foundation

/// A line-chart renderer to standalone SVG, written for results over generations.
///
/// x is the generation, y a metric's value. Each line is one cell: its mean over seeds with a
/// semi-transparent band of ± the 95% confidence half-width; the human reference is a dashed
/// horizontal line. Axes carry "nice" ticks (steps of 1, 2 or 5 × 10ᵏ), the x axis whole
/// generations only. The legend sits under the plot and wraps, so it never covers data.
///
/// Missing points (a NaN mean) break a line; a point without a finite half-width (n < 2) has no
/// band. A single generation, a constant series and negative values are drawn on a padded domain.
/// Colours come from `palette` by the line's `colorIndex`, so a cell keeps its colour across charts.
///
/// The output is one `<svg>` element with `xmlns` and `viewBox`, all text escaped; it is valid
/// standalone (write it to a `.svg` file) and can be inlined in HTML.
public enum SVGChart {
    /// One point of a line.
    public struct Point: Equatable, Sendable {
        public var generation: Int
        /// The mean over seeds; NaN for a missing point.
        public var mean: Double
        /// The half-width of the 95% interval; NaN (or ≤ 0) draws no band at this point.
        public var ci95: Double
        /// The number of seeds behind the point (shown in the hover tooltip).
        public var n: Int
        public init(generation: Int, mean: Double, ci95: Double = .nan, n: Int = 1) {
            self.generation = generation; self.mean = mean; self.ci95 = ci95; self.n = n
        }
    }

    /// One line: a cell's series.
    public struct Line: Equatable, Sendable {
        /// The legend label, e.g. "synthetic_ratio = 0.25".
        public var label: String
        /// The colour's index into `palette` (taken modulo its size).
        public var colorIndex: Int
        public var points: [Point]
        /// The human reference of this line's data, when known (NaN or nil: none).
        public var reference: Double?
        public init(label: String, colorIndex: Int, points: [Point], reference: Double? = nil) {
            self.label = label; self.colorIndex = colorIndex; self.points = points; self.reference = reference
        }
    }

    /// What to draw.
    public struct Spec: Equatable, Sendable {
        public var title: String
        /// A smaller line under the title (e.g. "mean ± 95% CI over 3 seeds"); empty for none.
        public var subtitle: String
        public var xLabel: String
        public var yLabel: String
        public var lines: [Line]
        /// Total width and the height of the plot area, in SVG user units (px).
        public var width: Double
        public var plotHeight: Double
        /// Draw the CI bands.
        public var bands: Bool
        /// A prefix for element ids, unique per chart when several are inlined in one page.
        public var idPrefix: String
        /// The values the metric can take (`MetricInfo.range`): bands and the y axis stay inside
        /// it, so no band shows a negative length or a share above 1.
        public var range: ClosedRange<Double>
        public init(title: String, subtitle: String = "", xLabel: String = "generation", yLabel: String,
                    lines: [Line], width: Double = 720, plotHeight: Double = 300, bands: Bool = true, idPrefix: String = "chart",
                    range: ClosedRange<Double> = -Double.infinity...Double.infinity) {
            self.title = title; self.subtitle = subtitle; self.xLabel = xLabel; self.yLabel = yLabel; self.lines = lines
            self.width = width; self.plotHeight = plotHeight; self.bands = bands; self.idPrefix = idPrefix
            self.range = range
        }

        /// The band of a point, clipped to `range`.
        func band(_ p: Point) -> (lo: Double, hi: Double) {
            (max(p.mean - p.ci95, range.lowerBound), min(p.mean + p.ci95, range.upperBound))
        }
    }

    /// A colour-blind-safe palette: Okabe & Ito (2008) without black (kept for the human
    /// reference), the hard-to-see yellow last of them, then three darker extras (brown, dark
    /// purple, olive) for cells 8–10. Beyond 10 cells the colours repeat with a dotted or
    /// dash-dot line (`dash`).
    public static let palette: [String] = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
                                           "#8C564B", "#6A3D9A", "#7F7F00"]

    /// The line pattern of a colour index: solid for the first round of the palette, then dotted,
    /// then dash-dot (never the reference's plain dashes).
    public static func dash(_ index: Int) -> String? {
        let round = max(0, index) / palette.count % 3
        return [nil, "2 3", "9 3 2 3"][round]
    }

    /// The colour of the reference line when one reference is shared by all lines.
    public static let referenceColor = "#222222"

    /// The palette colour for an index (wrapping around).
    public static func color(_ index: Int) -> String {
        let k = palette.count
        return palette[((index % k) + k) % k]
    }
}

// MARK: - Rendering

extension SVGChart {
    static let font = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif"
    static let titleSize = 15.0, subtitleSize = 11.5, labelSize = 12.0, tickSize = 11.0, legendSize = 12.0

    /// An estimate of a text's rendered width (no font metrics are available; sans-serif glyphs
    /// average about 0.58 em, digits 0.556 em).
    static func textWidth(_ s: String, size: Double) -> Double { Double(s.count) * size * 0.56 }

    /// The references to draw: one shared (black) line when every line that has a reference has
    /// the same value (relative 1e-9), else one per line in its colour.
    static func references(_ lines: [Line]) -> (shared: Double?, perLine: [(Line, Double)]) {
        let withRef = lines.compactMap { l in l.reference.flatMap { $0.isFinite ? (l, $0) : nil } }
        guard let first = withRef.first?.1 else { return (nil, []) }
        let tol = 1e-9 * max(1, abs(first))
        if withRef.allSatisfy({ abs($0.1 - first) <= tol }) { return (first, []) }
        return (nil, withRef)
    }

    /// Renders a chart.
    /// - Parameter spec: the chart.
    /// - Returns: one standalone `<svg>` element.
    /// - Complexity: O(total points + ticks).
    public static func render(_ spec: Spec) -> String {
        var svg = SVGWriter()
        let lines = spec.lines
        let refs = references(lines)

        // Domain.
        var gMin = Int.max, gMax = Int.min
        var yMin = Double.infinity, yMax = -Double.infinity
        for line in lines {
            for p in line.points where p.mean.isFinite {
                gMin = min(gMin, p.generation); gMax = max(gMax, p.generation)
                let b = spec.bands && p.ci95.isFinite && p.ci95 > 0 ? spec.band(p) : (lo: p.mean, hi: p.mean)
                yMin = min(yMin, b.lo); yMax = max(yMax, b.hi)
            }
        }
        for r in [refs.shared].compactMap({ $0 }) + refs.perLine.map(\.1) { yMin = min(yMin, r); yMax = max(yMax, r) }
        let empty = gMin > gMax
        if empty { gMin = 0; gMax = 1 }
        if !yMin.isFinite || !yMax.isFinite { yMin = 0; yMax = 1 }
        if yMax - yMin <= max(abs(yMax), abs(yMin)) * 1e-12 {
            let pad = yMin == 0 ? 1 : abs(yMin) * 0.1
            yMin -= pad; yMax += pad
        }
        // A little air so that no point sits on the frame, never past the metric's domain.
        let air = (yMax - yMin) * 0.04
        yMin = max(yMin - air, min(yMin, spec.range.lowerBound)); yMax = min(yMax + air, max(yMax, spec.range.upperBound))
        let yTicks = Ticks.nice(min: yMin, max: yMax, target: 6)
        // x: the data's generations exactly (half a generation either side of a single one);
        // integer ticks inside that range.
        let (xLo, xHi) = gMin == gMax ? (Double(gMin) - 0.5, Double(gMax) + 0.5) : (Double(gMin), Double(gMax))
        let xTicks = Ticks.nice(min: xLo, max: xHi, target: 10, integer: true).filter { $0 >= xLo - 1e-9 && $0 <= xHi + 1e-9 }
        // y: extended to the outer ticks.
        let yLo = min(yMin, yTicks.first!), yHi = max(yMax, yTicks.last!)
        let yLabels = yTicks.map { Ticks.label($0, step: yTicks.count > 1 ? yTicks[1] - yTicks[0] : 1) }
        let xLabels = xTicks.map { Ticks.label($0, step: 1) }

        // Layout.
        let W = spec.width
        let top = 12 + titleSize + (spec.subtitle.isEmpty ? 8 : subtitleSize + 12)
        let left = 10 + labelSize + 8 + (yLabels.map { textWidth($0, size: tickSize) }.max() ?? 0) + 8
        let right = 20.0
        let plotW = max(80, W - left - right), plotH = spec.plotHeight
        var legend: [(text: String, kind: LegendKind)] = lines.map { ($0.label, .line(color($0.colorIndex), dash($0.colorIndex))) }
        if refs.shared != nil { legend.append(("human reference", .reference(referenceColor))) }
        else if !refs.perLine.isEmpty { legend.append(("human reference (per cell)", .reference("#666666"))) }
        let legendRows = legendLayout(legend.map(\.text), width: W - left - right)
        let legendTop = top + plotH + 8 + tickSize + 8 + labelSize + 14
        let rowH = legendSize + 8
        let H = legendTop + Double(legendRows.count) * rowH + 6

        func px(_ g: Double) -> Double { left + (g - xLo) / (xHi - xLo) * plotW }
        func py(_ v: Double) -> Double { top + plotH - (v - yLo) / (yHi - yLo) * plotH }

        svg.open("svg", ["xmlns": "http://www.w3.org/2000/svg", "viewBox": "0 0 \(f(W)) \(f(H))",
                         "width": f(W), "height": f(H), "font-family": font, "role": "img"])
        svg.leaf("title", text: spec.title)
        svg.leaf("rect", ["x": "0", "y": "0", "width": f(W), "height": f(H), "fill": "#ffffff"])
        // Title.
        svg.leaf("text", ["x": f(left), "y": f(12 + titleSize), "font-size": f(titleSize), "font-weight": "600", "fill": "#111111"], text: spec.title)
        if !spec.subtitle.isEmpty {
            svg.leaf("text", ["x": f(left), "y": f(12 + titleSize + 4 + subtitleSize), "font-size": f(subtitleSize), "fill": "#555555"], text: spec.subtitle)
        }
        // Grid and ticks.
        svg.open("g", ["class": "axes", "font-size": f(tickSize), "fill": "#333333"])
        for (t, label) in zip(yTicks, yLabels) {
            let y = py(t)
            svg.leaf("line", ["x1": f(left), "x2": f(left + plotW), "y1": f(y), "y2": f(y), "stroke": "#e3e3e3", "stroke-width": "1"])
            svg.leaf("text", ["x": f(left - 6), "y": f(y + tickSize * 0.35), "text-anchor": "end"], text: label)
        }
        let xEvery = max(1, Int((Double(xTicks.count) * 30 / plotW).rounded(.up)))   // thin labels if crowded
        for (i, (t, label)) in zip(xTicks, xLabels).enumerated() {
            let x = px(t)
            svg.leaf("line", ["x1": f(x), "x2": f(x), "y1": f(top + plotH), "y2": f(top + plotH + 4), "stroke": "#555555", "stroke-width": "1"])
            if i % xEvery == 0 {
                svg.leaf("text", ["x": f(x), "y": f(top + plotH + 6 + tickSize), "text-anchor": "middle"], text: label)
            }
        }
        svg.leaf("rect", ["x": f(left), "y": f(top), "width": f(plotW), "height": f(plotH), "fill": "none", "stroke": "#888888", "stroke-width": "1"])
        svg.close("g")
        // Axis labels.
        svg.leaf("text", ["x": f(left + plotW / 2), "y": f(top + plotH + 8 + tickSize + 6 + labelSize), "text-anchor": "middle",
                          "font-size": f(labelSize), "fill": "#111111"], text: spec.xLabel)
        let yc = top + plotH / 2
        svg.leaf("text", ["x": f(10 + labelSize), "y": f(yc), "text-anchor": "middle", "font-size": f(labelSize), "fill": "#111111",
                          "transform": "rotate(-90 \(f(10 + labelSize)) \(f(yc)))"], text: spec.yLabel)

        // Bands, then references, then lines and markers on top.
        if spec.bands {
            svg.open("g", ["class": "bands"])
            for line in lines {
                let d = bandPath(line.points, band: spec.band, px: px, py: py)
                if !d.isEmpty {
                    svg.leaf("path", ["class": "band", "d": d, "fill": color(line.colorIndex), "fill-opacity": "0.18", "stroke": "none"])
                }
            }
            svg.close("g")
        }
        if let r = refs.shared {
            svg.leaf("line", ["class": "reference", "x1": f(left), "x2": f(left + plotW), "y1": f(py(r)), "y2": f(py(r)),
                              "stroke": referenceColor, "stroke-width": "1.5", "stroke-dasharray": "6 4"])
        }
        for (line, r) in refs.perLine {
            svg.leaf("line", ["class": "reference", "x1": f(left), "x2": f(left + plotW), "y1": f(py(r)), "y2": f(py(r)),
                              "stroke": color(line.colorIndex), "stroke-width": "1.5", "stroke-dasharray": "6 4"])
        }
        let markers = lines.map(\.points.count).max() ?? 0 <= 40
        for line in lines {
            let c = color(line.colorIndex)
            svg.open("g", ["class": "cell"])
            svg.leaf("title", text: line.label)
            svg.leaf("path", ["class": "line", "d": linePath(line.points, px: px, py: py), "fill": "none", "stroke": c,
                              "stroke-width": "2", "stroke-linejoin": "round", "stroke-dasharray": dash(line.colorIndex) ?? "none"])
            let finite = line.points.filter { $0.mean.isFinite }
            for (i, p) in line.points.enumerated() where p.mean.isFinite {
                // A point with no finite neighbour would be invisible without a marker.
                let isolated = !(i > 0 && line.points[i - 1].mean.isFinite) && !(i + 1 < line.points.count && line.points[i + 1].mean.isFinite && line.points[i + 1].generation == p.generation + 1)
                guard markers || isolated || finite.count == 1 else { continue }
                svg.open("circle", ["cx": f(px(Double(p.generation))), "cy": f(py(p.mean)), "r": "2.6", "fill": c])
                let ci = p.ci95.isFinite ? " ± " + Ticks.short(p.ci95) : ""
                svg.leaf("title", text: "\(line.label) · generation \(p.generation): \(Ticks.short(p.mean))\(ci) (n = \(p.n))")
                svg.close("circle")
            }
            svg.close("g")
        }
        if empty {
            svg.leaf("text", ["x": f(left + plotW / 2), "y": f(top + plotH / 2), "text-anchor": "middle", "font-size": f(labelSize), "fill": "#777777"],
                     text: "no data")
        }

        // Legend.
        svg.open("g", ["class": "legend", "font-size": f(legendSize), "fill": "#111111"])
        for (r, row) in legendRows.enumerated() {
            let y = legendTop + Double(r) * rowH
            for item in row {
                let x = left + item.x
                switch legend[item.index].kind {
                case .line(let c, let d):
                    svg.leaf("rect", ["x": f(x), "y": f(y - 5), "width": "18", "height": "10", "fill": c, "fill-opacity": "0.18"])
                    svg.leaf("line", ["x1": f(x), "x2": f(x + 18), "y1": f(y), "y2": f(y), "stroke": c, "stroke-width": "2.5",
                                      "stroke-dasharray": d ?? "none"])
                case .reference(let c):
                    svg.leaf("line", ["x1": f(x), "x2": f(x + 18), "y1": f(y), "y2": f(y), "stroke": c, "stroke-width": "1.5", "stroke-dasharray": "6 4"])
                }
                svg.leaf("text", ["x": f(x + 24), "y": f(y + legendSize * 0.35)], text: legend[item.index].text)
            }
        }
        svg.close("g")
        svg.close("svg")
        return svg.text
    }

    enum LegendKind { case line(String, String?), reference(String) }

    /// Flows legend entries into rows no wider than `width`.
    static func legendLayout(_ texts: [String], width: Double) -> [[(index: Int, x: Double)]] {
        var rows: [[(index: Int, x: Double)]] = [[]]
        var x = 0.0
        for (i, t) in texts.enumerated() {
            let w = 24 + textWidth(t, size: legendSize) + 18
            if x > 0 && x + w > width { rows.append([]); x = 0 }
            rows[rows.count - 1].append((i, x))
            x += w
        }
        return rows.last!.isEmpty ? [] : rows
    }

    /// The mean line; a NaN mean or a skipped generation starts a new sub-path.
    static func linePath(_ points: [Point], px: (Double) -> Double, py: (Double) -> Double) -> String {
        var d = "", previous: Int? = nil
        for p in points {
            guard p.mean.isFinite else { previous = nil; continue }
            d += (previous == p.generation - 1 ? "L" : "M") + f(px(Double(p.generation))) + "," + f(py(p.mean))
            previous = p.generation
        }
        return d
    }

    /// One closed polygon per run of consecutive points with a finite, positive half-width.
    static func bandPath(_ points: [Point], band: (Point) -> (lo: Double, hi: Double),
                         px: (Double) -> Double, py: (Double) -> Double) -> String {
        var d = ""
        var run: [Point] = []
        func flush() {
            if run.count >= 2 {
                let upper = run.map { f(px(Double($0.generation))) + "," + f(py(band($0).hi)) }
                let lower = run.reversed().map { f(px(Double($0.generation))) + "," + f(py(band($0).lo)) }
                d += "M" + (upper + lower).joined(separator: "L") + "Z"
            }
            run = []
        }
        for p in points {
            if p.mean.isFinite && p.ci95.isFinite && p.ci95 > 0 && (run.last.map { $0.generation == p.generation - 1 } ?? true) {
                run.append(p)
            } else {
                flush()
                if p.mean.isFinite && p.ci95.isFinite && p.ci95 > 0 { run.append(p) }
            }
        }
        flush()
        return d
    }

    /// A coordinate with two decimals.
    static func f(_ v: Double) -> String {
        let s = String(format: "%.2f", v)
        var t = Substring(s)
        while t.hasSuffix("0") { t = t.dropLast() }
        if t.hasSuffix(".") { t = t.dropLast() }
        return t == "-0" ? "0" : String(t)
    }
}
