import Foundation
import XCTest
@testable import Ouro

final class SVGChartTests: ReportTestCase {
    func testStoreChartIsWellFormedSVGWithOneLinePathPerCellAndADashedReference() throws {
        let svg = try SVGChart.render(store: store, metric: "diversity")
        let xml = ReportXML.parse(svg)
        XCTAssertNil(xml.error, "not well-formed: \(String(describing: xml.error))")
        let root = try XCTUnwrap(xml.elements.first)
        XCTAssertEqual(root.name, "svg")
        XCTAssertEqual(root.attributes["xmlns"], "http://www.w3.org/2000/svg")
        XCTAssertNotNil(root.attributes["viewBox"])
        XCTAssertEqual(xml.named("path").filter { $0.attributes["class"] == "line" }.count, 2)
        XCTAssertEqual(xml.named("path").filter { $0.attributes["class"] == "band" }.count, 2)
        // Every cell has the same reference (1.1), so one shared dashed line is drawn.
        let references = xml.named("line").filter { $0.attributes["class"] == "reference" }
        XCTAssertEqual(references.count, 1)
        XCTAssertNotNil(references.first?.attributes["stroke-dasharray"])
        let texts = Set(xml.named("text").map(\.text))
        XCTAssertTrue(texts.contains("synthetic_ratio = 0.25"), "\(texts)")
        XCTAssertTrue(texts.contains("synthetic_ratio = 0.5"))
        XCTAssertTrue(texts.contains("human reference"))
        XCTAssertTrue(texts.contains("generation"))
        XCTAssertFalse(svg.contains("nan") || svg.contains("inf"))
    }

    func testReferenceLineHeightMatchesTheStoredReferenceValue() throws {
        // The reference and the y ticks go through the same linear map, so the reference's y
        // interpolates the tick positions by value: y(1.1) between the ticks around 1.1.
        let xml = ReportXML.parse(try SVGChart.render(store: store, metric: "diversity"))
        let ref = try XCTUnwrap(xml.named("line").first { $0.attributes["class"] == "reference" })
        let y = try XCTUnwrap(Double(ref.attributes["y1"] ?? ""))
        let grid = xml.named("line").filter { $0.attributes["stroke"] == "#e3e3e3" }.compactMap { Double($0.attributes["y1"] ?? "") }
        let labels = xml.named("text").filter { $0.attributes["text-anchor"] == "end" }.compactMap { Double($0.text) }
        XCTAssertEqual(grid.count, labels.count)
        XCTAssertGreaterThanOrEqual(grid.count, 2)
        // The two ticks around 1.1 (interpolating, so each coordinate's 0.005 rounding adds up to ≤ 0.015).
        let i = try XCTUnwrap(labels.indices.dropLast().first { (labels[$0] - 1.1) * (labels[$0 + 1] - 1.1) <= 0 })
        let (v0, y0, v1, y1) = (labels[i], grid[i], labels[i + 1], grid[i + 1])
        let expected = y0 + (1.1 - v0) / (v1 - v0) * (y1 - y0)
        XCTAssertEqual(y, expected, accuracy: 0.016)   // coordinates are written with 2 decimals
    }

    func testDifferentReferencesPerCellAreDrawnInTheCellsColours() {
        let spec = SVGChart.Spec(title: "t", yLabel: "y", lines: [
            .init(label: "a", colorIndex: 0, points: [.init(generation: 0, mean: 1), .init(generation: 1, mean: 2)], reference: 0.5),
            .init(label: "b", colorIndex: 1, points: [.init(generation: 0, mean: 1), .init(generation: 1, mean: 3)], reference: 2.5),
        ])
        let xml = ReportXML.parse(SVGChart.render(spec))
        XCTAssertNil(xml.error)
        let refs = xml.named("line").filter { $0.attributes["class"] == "reference" }
        XCTAssertEqual(refs.map { $0.attributes["stroke"] }, [SVGChart.color(0), SVGChart.color(1)])
    }

    func testColoursFollowTheCellsPositionSoASubsetKeepsThem() throws {
        let spec = try SVGChart.spec(store: store, metric: "lean", cells: [1])
        XCTAssertEqual(spec.lines.map(\.colorIndex), [1])
        let xml = ReportXML.parse(SVGChart.render(spec))
        XCTAssertEqual(xml.named("path").first { $0.attributes["class"] == "line" }?.attributes["stroke"], SVGChart.color(1))
        XCTAssertThrowsError(try SVGChart.spec(store: store, metric: "lean", cells: [7]))
    }

    func testSeriesPointsAreTheStoresMeansAndIntervals() throws {
        let spec = try SVGChart.spec(store: store, metric: "diversity")
        for (c, line) in spec.lines.enumerated() {
            let series = try store.series("diversity", cell: c)
            XCTAssertEqual(line.points.map(\.mean), series.map(\.mean))
            XCTAssertEqual(line.points.map(\.ci95), series.map(\.ci95))
            XCTAssertEqual(line.reference, 1.1)
        }
        XCTAssertEqual(spec.subtitle, "mean ± 95% CI over 3 seeds, per cell")
    }

    func testMissingPointsBreakTheLineIntoSubpaths() {
        let points: [SVGChart.Point] = [.init(generation: 0, mean: 1, ci95: 0.1), .init(generation: 1, mean: .nan),
                                        .init(generation: 2, mean: 3, ci95: 0.1), .init(generation: 3, mean: 4, ci95: 0.2)]
        let svg = SVGChart.render(.init(title: "gaps", yLabel: "y", lines: [.init(label: "a", colorIndex: 0, points: points)]))
        let xml = ReportXML.parse(svg)
        XCTAssertNil(xml.error)
        let d = xml.named("path").first { $0.attributes["class"] == "line" }!.attributes["d"]!
        XCTAssertEqual(d.filter { $0 == "M" }.count, 2, d)   // generation 0 alone, then 2–3
        XCTAssertEqual(d.filter { $0 == "L" }.count, 1, d)
        // The band spans only the run 2–3 (a lone point has no area).
        let band = xml.named("path").first { $0.attributes["class"] == "band" }!.attributes["d"]!
        XCTAssertEqual(band.filter { $0 == "M" }.count, 1, band)
        XCTAssertFalse(svg.lowercased().contains("nan"))
    }

    func testSingleGenerationConstantAndNegativeSeriesRenderFiniteCoordinates() {
        let cases: [[SVGChart.Point]] = [
            [.init(generation: 0, mean: 0.5)],                                              // one generation
            (0..<5).map { .init(generation: $0, mean: 2, ci95: 0) },                        // constant
            (0..<5).map { .init(generation: $0, mean: 0) },                                 // constant zero
            (0..<5).map { .init(generation: $0, mean: -3 + Double($0) * 0.7, ci95: 0.4) },  // negative to positive
            [.init(generation: 0, mean: .nan)],                                              // nothing to draw
        ]
        for points in cases {
            let svg = SVGChart.render(.init(title: "t", yLabel: "y", lines: [.init(label: "a", colorIndex: 0, points: points)]))
            let xml = ReportXML.parse(svg)
            XCTAssertNil(xml.error, "\(points)")
            for el in xml.elements {
                for key in ["x", "y", "x1", "x2", "y1", "y2", "cx", "cy"] {
                    if let v = el.attributes[key] { XCTAssertNotNil(Double(v).flatMap { $0.isFinite ? $0 : nil }, "\(key)=\(v) in \(points)") }
                }
            }
            let finite = points.filter { $0.mean.isFinite }
            // Each finite point is visible: at least a marker.
            XCTAssertEqual(xml.named("circle").count, finite.count)
        }
        // The negative series: the y tick labels cover its range.
        let points = (0..<5).map { SVGChart.Point(generation: $0, mean: -3 + Double($0) * 0.7, ci95: 0.4) }
        let xml = ReportXML.parse(SVGChart.render(.init(title: "t", yLabel: "y", lines: [.init(label: "a", colorIndex: 0, points: points)])))
        let ticks = xml.named("text").filter { $0.attributes["text-anchor"] == "end" }.compactMap { Double($0.text) }
        XCTAssertLessThanOrEqual(ticks.min()!, -3.4)
        XCTAssertGreaterThanOrEqual(ticks.max()!, -0.2 + 0.4)
    }

    func testLabelsAndTitlesAreEscaped() {
        let svg = SVGChart.render(.init(title: "a < b & \"c\"", yLabel: "<y>", lines: [
            .init(label: "</text><script>x</script>", colorIndex: 3, points: [.init(generation: 0, mean: 1), .init(generation: 1, mean: 2)]),
        ]))
        XCTAssertFalse(svg.contains("<script>"))
        let xml = ReportXML.parse(svg)
        XCTAssertNil(xml.error)
        XCTAssertTrue(xml.named("text").contains { $0.text == "</text><script>x</script>" })
        XCTAssertTrue(xml.named("text").contains { $0.text == "a < b & \"c\"" })
    }

    func testLegendWrapsInsteadOfOverflowingTheWidth() {
        let lines = (0..<9).map { i in
            SVGChart.Line(label: "synthetic_ratio = \(i), dataset = movie_reviews", colorIndex: i,
                          points: [.init(generation: 0, mean: Double(i)), .init(generation: 1, mean: Double(i) + 1)])
        }
        let spec = SVGChart.Spec(title: "t", yLabel: "y", lines: lines, width: 600)
        let xml = ReportXML.parse(SVGChart.render(spec))
        XCTAssertNil(xml.error)
        let legend = xml.named("text").filter { $0.text.hasPrefix("synthetic_ratio") }
        XCTAssertEqual(legend.count, 9)
        for t in legend {
            let x = Double(t.attributes["x"]!)!
            XCTAssertLessThanOrEqual(x + SVGChart.textWidth(t.text, size: SVGChart.legendSize), 600)
        }
        // Below the plot: every legend entry is lower than the x-axis label.
        let axis = Double(xml.named("text").first { $0.text == "generation" }!.attributes["y"]!)!
        XCTAssertTrue(legend.allSatisfy { Double($0.attributes["y"]!)! > axis })
        let height = Double(xml.elements[0].attributes["height"]!)!
        XCTAssertTrue(legend.allSatisfy { Double($0.attributes["y"]!)! < height })
    }

    func testPlotStacksOneChartPerMetricInOneWellFormedSVG() throws {
        let svg = try SVGChart.plot(store: store, metrics: ["diversity", "lean"])
        let xml = ReportXML.parse(svg)
        XCTAssertNil(xml.error)
        let svgs = xml.named("svg")
        XCTAssertEqual(svgs.count, 3)
        XCTAssertEqual(Double(svgs[2].attributes["y"]!), Double(svgs[1].attributes["height"]!))
        XCTAssertEqual(Double(svgs[0].attributes["height"]!)!, Double(svgs[1].attributes["height"]!)! + Double(svgs[2].attributes["height"]!)!)
        XCTAssertEqual(xml.named("path").filter { $0.attributes["class"] == "line" }.count, 4)
        XCTAssertThrowsError(try SVGChart.plot(store: store, metrics: ["nope"]))
    }

    func testPaletteWrapsWithADifferentLinePatternAndIsDistinct() {
        let k = SVGChart.palette.count
        XCTAssertEqual(Set(SVGChart.palette).count, k)
        XCTAssertEqual(SVGChart.color(k + 1), SVGChart.color(1))
        XCTAssertFalse(SVGChart.palette.contains(SVGChart.referenceColor))
        // (colour, pattern) pairs stay distinct for 3 rounds of the palette.
        let styles = (0..<(3 * k)).map { "\(SVGChart.color($0)) \(SVGChart.dash($0) ?? "solid")" }
        XCTAssertEqual(Set(styles).count, 3 * k)
        XCTAssertNil(SVGChart.dash(0))
    }

    func testBandsOfANonNegativeMetricStayAtOrAboveZero() throws {
        // A length near 0 with a wide interval: the unclipped band would reach −4.
        let points = (0..<5).map { SVGChart.Point(generation: $0, mean: 1 + Double($0), ci95: 5, n: 3) }
        let spec = SVGChart.Spec(title: "length", yLabel: "length", lines: [SVGChart.Line(label: "cell", colorIndex: 0, points: points)],
                                 range: MetricInfo.range(of: "length"))
        let xml = ReportXML.parse(SVGChart.render(spec))
        XCTAssertNil(xml.error)
        let labels = xml.named("text").filter { $0.attributes["text-anchor"] == "end" }.compactMap { Double($0.text) }
        XCTAssertEqual(labels.min(), 0, "the y axis starts at 0, no negative ticks: \(labels)")
        let grid = xml.named("line").filter { $0.attributes["stroke"] == "#e3e3e3" }.compactMap { Double($0.attributes["y1"] ?? "") }
        let zeroY = try XCTUnwrap(zip(labels, grid).first { $0.0 == 0 }?.1)
        let band = try XCTUnwrap(xml.named("path").first { $0.attributes["class"] == "band" }?.attributes["d"])
        let ys = band.split(whereSeparator: { "MLZ".contains($0) }).compactMap { $0.split(separator: ",").last.flatMap { Double($0) } }
        XCTAssertFalse(ys.isEmpty)
        XCTAssertLessThanOrEqual(ys.max()!, zeroY + 0.01, "no part of the band lies below y = 0")
        // A share in [0, 1] is clipped at 1 too; an unknown metric is not clipped.
        XCTAssertEqual(MetricInfo.range(of: "distinct_2"), 0...1)
        XCTAssertEqual(MetricInfo.range(of: "positivity"), -1...1)
        XCTAssertEqual(MetricInfo.range(of: "my_lua_metric"), -Double.infinity...Double.infinity)
        let clipped = SVGChart.Spec(title: "d", yLabel: "d", lines: [], range: 0...1).band(SVGChart.Point(generation: 0, mean: 0.9, ci95: 0.3))
        XCTAssertEqual(clipped.lo, 0.6, accuracy: 1e-12)
        XCTAssertEqual(clipped.hi, 1)
    }
}
