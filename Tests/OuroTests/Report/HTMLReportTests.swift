import Foundation
import XCTest
@testable import Ouro

final class HTMLReportTests: ReportTestCase {
    /// The inline `<svg>…</svg>` elements of a page.
    private func svgs(_ html: String) -> [String] {
        var out: [String] = []
        var rest = html[...]
        while let start = rest.range(of: "<svg "), let end = rest.range(of: "</svg>", range: start.upperBound..<rest.endIndex) {
            out.append(String(rest[start.lowerBound..<end.upperBound]))
            rest = rest[end.upperBound...]
        }
        return out
    }

    func testHeaderNamesTheExperimentAndItsShape() throws {
        let html = try HTMLReport.render(store: store)
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        XCTAssertTrue(html.contains("<title>Ouro report: toy</title>"))
        XCTAssertTrue(html.contains("<b>2</b> cells × <b>3</b> seeds × <b>5</b> generations"))
        let created = try XCTUnwrap(store.experiments().first?.created)
        XCTAssertTrue(html.contains(String(created.prefix(10))))
        XCTAssertTrue(html.contains("6 finished"))
    }

    func testEveryMetricHasOneWellFormedChart() throws {
        let html = try HTMLReport.render(store: store)
        let charts = svgs(html)
        XCTAssertEqual(charts.count, try store.metricNames().count)
        for (chart, metric) in zip(charts, try store.metricNames()) {
            let xml = ReportXML.parse(chart)
            XCTAssertNil(xml.error)
            XCTAssertEqual(xml.named("title").first?.text, metric)
            XCTAssertEqual(xml.named("path").filter { $0.attributes["class"] == "line" }.count, 2)
        }
    }

    func testShiftTableNumbersAreTheStoresShifts() throws {
        let html = try HTMLReport.render(store: store)
        let pattern = try NSRegularExpression(pattern: #"<tr data-metric="([^"]+)" data-cell="(\d+)" data-ratio="([^"]+)" data-difference="([^"]+)">"#)
        let matches = pattern.matches(in: html, range: NSRange(html.startIndex..., in: html))
        XCTAssertEqual(matches.count, 4)   // 2 metrics × 2 cells
        for m in matches {
            let field = { (i: Int) in String(html[Range(m.range(at: i), in: html)!]) }
            let shift = try store.shift(field(1), cell: Int(field(2))!, last: 5)
            XCTAssertEqual(Double(field(3)), shift.ratio.mean)
            XCTAssertEqual(Double(field(4)), shift.difference.mean)
            XCTAssertTrue(html.contains(Ticks.short(shift.ratio.mean) + " <span class=\"ci\">± " + Ticks.short(shift.ratio.ci95)))
        }
        // Hand check for one row: diversity in cell 1 is 1 − 0.1·g + 0.01·seed; the window is
        // generations 1–4 (mean g = 2.5), so per seed ratio = (0.75 + 0.01s)/(1 + 0.01s).
        let ratios: [Double] = (1...3).map { (s: Int) -> Double in
            let x = 0.01 * Double(s)
            return (0.75 + x) / (1 + x)
        }
        let expected = Descriptive.mean(ratios)
        let marker = #"<tr data-metric="diversity" data-cell="1" data-ratio=""#
        let start = try XCTUnwrap(html.range(of: marker)).upperBound
        let value = try XCTUnwrap(Double(String(html[start...].prefix { $0 != "\"" })))
        XCTAssertEqual(value, expected, accuracy: 1e-12)
    }

    func testPageHasNoRemoteReferencesExceptTheSVGNamespace() throws {
        let html = try HTMLReport.render(store: store)
        let stripped = html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
        XCTAssertFalse(stripped.contains("http://"))
        XCTAssertFalse(stripped.contains("https://"))
        XCTAssertFalse(stripped.contains("<script"))
        XCTAssertFalse(stripped.contains("<link"))
        XCTAssertFalse(stripped.contains("@import"))
    }

    func testGeneratedTextsAreShownEscapedAtFirstMiddleAndLastGeneration() throws {
        let html = try HTMLReport.render(store: store)
        XCTAssertFalse(html.contains(ReportFixture.scriptText))
        XCTAssertTrue(html.contains(Markup.escape(ReportFixture.scriptText)))
        XCTAssertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more"))
        for c in 0..<2 {
            for g in [0, 2, 4] { XCTAssertTrue(html.contains("cell \(c) seed 1 generation \(g)"), "cell \(c) g \(g)") }
            for g in [1, 3] { XCTAssertFalse(html.contains("cell \(c) seed 1 generation \(g)")) }
            XCTAssertFalse(html.contains("cell \(c) seed 2 generation"))
        }
        XCTAssertTrue(html.contains("stores generated texts only"))
    }

    func testHumanTextsAppearWhenGiven() throws {
        let html = try HTMLReport.render(store: store, humanTexts: ["a human <b>tweet</b>"])
        XCTAssertTrue(html.contains("a human &lt;b&gt;tweet&lt;/b&gt;"))
        XCTAssertFalse(html.contains("stores generated texts only"))
    }

    func testSourceAndParametersAppearEscaped() throws {
        let html = try HTMLReport.render(store: store)
        XCTAssertTrue(html.contains("<pre class=\"source\">" + Markup.escape(ReportFixture.source) + "</pre>"))
        XCTAssertTrue(html.contains("<th>synthetic_ratio</th>"))
        XCTAssertTrue(html.contains("<td>0.25</td>") && html.contains("<td>0.5</td>") && html.contains("<td>ngram</td>"))
        XCTAssertTrue(html.contains("<th>generations</th><td>5</td>"))   // run-wide settings
        XCTAssertTrue(html.contains("<td>1–3</td>"))
    }

    func testUnknownExperimentIsRefused() {
        XCTAssertThrowsError(try HTMLReport.render(store: store, experiment: "other")) { error in
            XCTAssertEqual(error as? ResultStoreError, .unknownExperiment(name: "other", available: ["toy"]))
        }
    }

    func testWriteProducesTheHTMLAndPNGsOrSaysWhyNot() throws {
        let out = dir.appendingPathComponent("report").path
        var notes: [String] = []
        let files = try HTMLReport.write(store: store, to: out, png: true, note: { notes.append($0) })
        XCTAssertEqual(files.first, out + "/report.html")
        XCTAssertEqual(try String(contentsOfFile: files[0], encoding: .utf8), try HTMLReport.render(store: store))
        if HTMLReport.rsvgConvert() != nil {
            XCTAssertEqual(files.dropFirst().map { ($0 as NSString).lastPathComponent }, ["toy-diversity.png", "toy-lean.png"])
            for png in files.dropFirst() {
                let head = try XCTUnwrap(FileHandle(forReadingAtPath: png)).readData(ofLength: 8)
                XCTAssertEqual([UInt8](head), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            }
            XCTAssertTrue(notes.isEmpty)
        } else {
            XCTAssertEqual(files.count, 1)
            XCTAssertEqual(notes.count, 1)
            XCTAssertTrue(notes[0].contains("rsvg-convert"))
        }
        // Without --png only the HTML is written.
        XCTAssertEqual(try HTMLReport.write(store: store, to: out, png: false), [out + "/report.html"])
    }

    func testEmptyDatabaseGivesAPageThatSaysSo() throws {
        let path = dir.appendingPathComponent("empty.db").path
        let w = try ResultStore.open(path, mode: .create)
        _ = try w.experiment(name: "fresh", source: "x", params: "{}")
        try w.close()
        let html = try HTMLReport.render(store: try ResultStore.open(path, mode: .readOnly))
        XCTAssertTrue(html.contains("No metric values are stored yet"))
        XCTAssertTrue(html.contains("<b>0</b> cells"))
    }
}
