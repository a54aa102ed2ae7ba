import Foundation
import XCTest
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import Ouro

/// A small results database for report tests: experiment "toy", 2 cells
/// (`{"synthetic_ratio": 0.25|0.5, "model": "ngram"}`) × seeds 1–3 × generations 0–4, metrics
/// `diversity = 1 − 0.05·g·(c+1) + 0.01·seed` and `lean = −0.5 + 0.1·g·c + 0.02·seed` (negative
/// values), a reference row (diversity 1.1, lean −0.45), two texts per generation, the first
/// holding a `<script>` tag.
enum ReportFixture {
    static let source = "experiment { name = \"toy\" } -- a < b && \"c\"\n"
    static let scriptText = "<script>alert('x')</script> & more"

    /// A fresh temporary folder, removed by the caller.
    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ouro-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func make(in dir: URL) throws -> ResultStore {
        let path = dir.appendingPathComponent("toy.db").path
        let store = try ResultStore.open(path, mode: .create)
        let e = try store.experiment(name: "toy", source: source, params: #"{"generations": 5}"#)
        for c in 0..<2 {
            let cell = try store.cell(experiment: e, index: c, params: #"{"synthetic_ratio": \#(0.25 * Double(c + 1)), "model": "ngram"}"#)
            for seed in 1...3 {
                let run = try store.beginRun(cell: cell, seed: seed)
                try store.commitReference(run: run, metrics: ["diversity": 1.1, "lean": -0.45])
                for g in 0..<5 {
                    let metrics = ["diversity": 1 - 0.05 * Double(g * (c + 1)) + 0.01 * Double(seed),
                                   "lean": -0.5 + 0.1 * Double(g * c) + 0.02 * Double(seed)]
                    try store.commitGeneration(run: run, generation: g, counts: GenerationCounts(human: 10, synthetic: 5),
                                               timings: GenerationTimings(fit: 0.1, generate: 0.1, metrics: 0.1),
                                               metrics: metrics, texts: [scriptText, "cell \(c) seed \(seed) generation \(g)"])
                }
                try store.finishRun(run)
            }
        }
        try store.close()
        return try ResultStore.open(path, mode: .readOnly)
    }
}

/// The elements of an XML document, parsed with Foundation's XMLParser; `error` is set when the
/// document is not well-formed.
final class ReportXML: NSObject, XMLParserDelegate {
    struct Element { let name: String; let attributes: [String: String]; var text: String }
    private(set) var elements: [Element] = []
    private var stack: [Int] = []
    private(set) var error: Error?

    static func parse(_ xml: String) -> ReportXML {
        let collector = ReportXML()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = collector
        if !parser.parse() { collector.error = parser.parserError ?? NSError(domain: "xml", code: 1) }
        return collector
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        stack.append(elements.count)
        elements.append(Element(name: name, attributes: attributes, text: ""))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let i = stack.last { elements[i].text += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        stack.removeLast()
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) { error = parseError }

    func named(_ name: String) -> [Element] { elements.filter { $0.name == name } }
}

/// A test case with the `ReportFixture` database in a fresh folder (`dir`, `store`), removed afterwards.
class ReportTestCase: XCTestCase {
    var dir: URL!
    var store: ResultStore!

    override func setUpWithError() throws {
        dir = try ReportFixture.temporaryDirectory()
        store = try ReportFixture.make(in: dir)
    }

    override func tearDownWithError() throws {
        try store?.close()
        try? FileManager.default.removeItem(at: dir)
    }
}
