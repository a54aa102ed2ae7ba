import XCTest
@testable import Ouro

final class DatasetLoadingTests: XCTestCase {
    private func loadError(_ name: String, _ contents: String, _ options: LoadOptions = LoadOptions()) -> String? {
        do {
            _ = try Dataset.load(try DataFixtures.temporary(name, contents), options: options)
            return nil
        } catch let e as DataError {
            return e.description
        } catch {
            return "unexpected \(error)"
        }
    }

    // MARK: JSONL

    func testLoadsJSONLWithTypedLabelColumns() throws {
        let d = try Dataset.load(DataFixtures.path("tweets.jsonl"))
        XCTAssertEqual(d.count, 30)
        XCTAssertEqual(d.columnNames, ["id", "sentiment", "party", "retweets"])
        XCTAssertEqual(d.column("id"), .numbers((1...30).map { Double($0) }))
        XCTAssertEqual(d.column("sentiment")?[1], .number(-2.1))
        // party: strings, null (line 5 has "party": null) and absent (line 4) are both missing.
        XCTAssertEqual(d.column("party")?[0], .string("D"))
        XCTAssertEqual(d.column("party")?[3], .missing)
        XCTAssertEqual(d.column("party")?[10], .missing)
        XCTAssertFalse(d.column("party")!.isNumeric)
        // retweets: numbers and one string → a string column, numbers in their integer form.
        XCTAssertEqual(d.column("retweets")?[2], .string("6"))
        XCTAssertEqual(d.column("retweets")?[7], .string("many"))
        // Escaped non-ASCII (\ud83c\udfc3 surrogate pairs) decodes to the same text as raw UTF-8.
        XCTAssertEqual(d.text(at: 0), "Just finished my first marathon!!! Legs are jelly but I'm so proud 🏃‍♀️🎉")
        XCTAssertEqual(d.tokenStrings(at: 1), Tokenizer.word.tokenize(d.text(at: 1)))
        XCTAssertEqual(d.tokenCount, (0..<d.count).reduce(0) { $0 + d.tokenCount(at: $1) })
        XCTAssertEqual(d.document(at: 0)["party"], .string("D"))
    }

    func testJSONLTextFieldIsConfigurableAndBlankLinesAreSkipped() throws {
        let p = try DataFixtures.temporary("b.jsonl", "{\"body\": \"hello there\", \"text\": 5}\n\n{\"body\": \"bye\"}\n")
        let d = try Dataset.load(p, options: LoadOptions(textField: "body"))
        XCTAssertEqual(d.texts, ["hello there", "bye"])
        XCTAssertEqual(d.column("text"), .numbers([5, nil]))
    }

    func testJSONLDecodesEscapesBooleansAndNestedValues() throws {
        let line = #"{"text": "a\"b\\c\n\u00e9\ud83d\ude00", "ok": true, "tags": [1, {"x": null}]}"#
        let d = try Dataset.load(try DataFixtures.temporary("e.jsonl", line + "\n"))
        XCTAssertEqual(d.text(at: 0), "a\"b\\c\n\u{E9}😀")
        XCTAssertEqual(d.column("ok")?[0], .string("true"))
        XCTAssertEqual(d.column("tags")?[0], .string(#"[1, {"x": null}]"#))
    }

    func testJSONLErrorsNameFileAndLine() {
        let ok = "{\"text\": \"fine\"}\n"
        // Columns are 1-based bytes: `{"text": "broken` has 16 bytes, so the line ends at column 17;
        // in `{"text": "x",}` the `}` is the 14th byte.
        XCTAssertEqual(loadError("tweets.jsonl", ok + ok + "{\"text\": \"broken\n"),
                       "tweets.jsonl:3: invalid JSON: unterminated string at column 17")
        XCTAssertEqual(loadError("tweets.jsonl", ok + "{\"text\": \"x\",}\n"),
                       "tweets.jsonl:2: invalid JSON: expected a string key at column 14")
        XCTAssertEqual(loadError("t.jsonl", "{\"text\": \"a\tb\"}\n"),
                       "t.jsonl:1: invalid JSON: control character in string at column 12")
        XCTAssertEqual(loadError("tweets.jsonl", "[1, 2]\n"),
                       "tweets.jsonl:1: invalid JSON: expected an object, found an array at column 1")
        XCTAssertEqual(loadError("x.jsonl", ok + ok + "{\"text\": 42}\n"), "x.jsonl:3: field 'text' is not a string")
        XCTAssertEqual(loadError("x.jsonl", ok + "{\"body\": \"a\"}\n"), "x.jsonl:2: no field 'text'")
        XCTAssertEqual(loadError("empty.jsonl", ""), "empty.jsonl: no documents")
        XCTAssertEqual(loadError("empty.jsonl", "\n  \n"), "empty.jsonl: no documents")
        XCTAssertEqual(loadError("data.xml", "<a/>"), "data.xml: unknown format (expected a .jsonl, .csv or .txt file)")
        XCTAssertThrowsError(try Dataset.load("/nonexistent/dir/missing.jsonl")) { e in
            XCTAssertEqual((e as? DataError)?.description, "missing.jsonl: no such file")
        }
    }

    func testStreamsLinesAcrossChunkBoundaries() throws {
        // 3 MiB of lines: lines straddle the 1 MiB chunk boundaries and must come back whole.
        var s = ""
        let n = 30_000
        for i in 0..<n { s += "{\"text\": \"document number \(i) " + String(repeating: "x", count: 60) + "\", \"i\": \(i)}\n" }
        let d = try Dataset.load(try DataFixtures.temporary("big.jsonl", s))
        XCTAssertEqual(d.count, n)
        XCTAssertEqual(d.column("i"), .numbers((0..<n).map { Double($0) }))
        XCTAssertEqual(d.text(at: 12_345), "document number 12345 " + String(repeating: "x", count: 60))
    }

    // MARK: CSV

    func testLoadsCSVWithRFC4180Quoting() throws {
        let d = try Dataset.load(DataFixtures.path("reviews.csv"))
        XCTAssertEqual(d.count, 5)
        XCTAssertEqual(d.columnNames, ["id", "stars", "reviewer"])
        XCTAssertEqual(d.texts, [
            "Great product, works as described.",
            "Broke after two days. \"Durable\" my foot.",
            "Multi-line review:\nfirst line,\nsecond line.",
            "Plain unquoted text here",
            "",
        ])
        XCTAssertEqual(d.column("stars"), .numbers([5, 1, 4, 3, 2]))
        XCTAssertEqual(d.column("reviewer"), .strings(["ann", "bob", nil, "dee, jr.", "eve"]))
        XCTAssertEqual(d.tokenCount(at: 4), 0)
    }

    func testCSVAcceptsCRLFAndMissingFinalNewline() throws {
        let d = try Dataset.load(DataFixtures.path("crlf.csv"))
        XCTAssertEqual(d.texts, ["Windows line endings, quoted", "unquoted"])
        XCTAssertEqual(d.column("stars"), .numbers([5, 4]))
        let e = try Dataset.load(try DataFixtures.temporary("n.csv", "text,n\n\"a \"\"b\"\"\",1\nlast,x"))
        XCTAssertEqual(e.texts, ["a \"b\"", "last"])
        XCTAssertEqual(e.column("n"), .strings(["1", "x"]))
    }

    func testCSVErrorsNameFileAndLine() {
        XCTAssertEqual(loadError("reviews.csv", "id,text,stars\n1,hi,5\n", LoadOptions(textField: "body")),
                       "reviews.csv: no column 'body' (columns: id, text, stars)")
        XCTAssertEqual(loadError("r.csv", "id,text\n1,a\n2,\"b\nc\",3\n"), "r.csv:3: expected 2 fields, found 3")
        XCTAssertEqual(loadError("r.csv", "id,text\n1,a\n2,\"never closed\n3,x\n"), "r.csv:3: unterminated quoted field")
        XCTAssertEqual(loadError("r.csv", "id,text\n1,\"a\"b\n"), "r.csv:2: unexpected character after closing quote")
        XCTAssertEqual(loadError("r.csv", "text,text\n1,2\n"), "r.csv:1: duplicate column 'text'")
        XCTAssertEqual(loadError("r.csv", "id,text\n"), "r.csv: no documents")
    }

    // MARK: Plain text

    func testLoadsPlainTextLinesAndParagraphs() throws {
        let lines = try Dataset.load(DataFixtures.path("posts.txt"))
        XCTAssertEqual(lines.texts, ["First post of the day.", "Second post: I'm back!",
                                     "Third post with a link https://example.org/x"])
        XCTAssertEqual(lines.columnNames, [])
        let paras = try Dataset.load(DataFixtures.path("speech.txt"), options: LoadOptions(paragraphs: true))
        XCTAssertEqual(paras.texts, ["Fellow citizens, we meet today\nin a time of change.",
                                     "The second paragraph is short.", "And a third, after two blank lines."])
        XCTAssertEqual(paras.tokenStrings(at: 0).prefix(3), ["Fellow", "citizens", ","])
    }

    func testCharacterTokenizerOption() throws {
        let d = try Dataset.load(DataFixtures.path("posts.txt"), options: LoadOptions(tokenizer: .character))
        XCTAssertEqual(d.tokenCount(at: 0), "First post of the day.".count)
    }

    // MARK: Hostile input (issue 14)

    func testDeeplyNestedJSONIsAnErrorNotAStackOverflow() {
        for depth in [JSONLine.maxDepth, 50_000] {
            let label = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            let e = loadError("deep.jsonl", "{\"text\": \"a\", \"label\": \(label)}\n")
            XCTAssertTrue(e?.hasPrefix("deep.jsonl:1: invalid JSON: arrays and objects nested more than \(JSONLine.maxDepth) levels deep") == true,
                          "\(depth): \(e ?? "loaded")")
        }
        let fine = String(repeating: "{\"a\":", count: 20) + "1" + String(repeating: "}", count: 20)
        XCTAssertNil(loadError("ok.jsonl", "{\"text\": \"a\", \"label\": \(fine)}\n"))
    }

    func testInvalidUTF8NamesFileLineAndColumn() throws {
        let ok = "{\"text\": \"fine\"}\n"
        func bytes(_ parts: [UInt8]...) -> Data { Data(parts.joined()) }
        let cases: [(String, Data, String)] = [
            ("x.jsonl", Data(ok.utf8) + Data(ok.utf8) + bytes(Array("{\"text\": \"caf".utf8), [0xE9], Array("\"}\n".utf8)),
             "x.jsonl:3: invalid UTF-8 (a truncated multi-byte sequence) at byte column 15"),
            ("x.txt", bytes(Array("one\ntwo ".utf8), [0xFF], Array("\n".utf8)), "x.txt:2: invalid UTF-8 byte 0xFF at byte column 5"),
            ("x.csv", bytes(Array("text\nfine\n\"a".utf8), [0xC0, 0xAF], Array("\"\n".utf8)), "x.csv:3: invalid UTF-8 byte 0xC0 at byte column 3"),
            ("x.txt", bytes(Array("ok\n".utf8), [0xED, 0xA0, 0x80]), "x.txt:2: invalid UTF-8 (a truncated multi-byte sequence) at byte column 2"),
            ("x.txt", bytes(Array("ok\nend ".utf8), [0xE2, 0x82]), "x.txt:2: invalid UTF-8 (the file ends inside a multi-byte sequence) at byte column 6"),
            ("bin.txt", bytes(Array("ELF".utf8), [0, 1, 2]), "bin.txt:1: a NUL byte at byte column 4: this looks like a binary file, not text"),
        ]
        for (name, data, expected) in cases {
            let path = try DataFixtures.temporary(name, "")
            try data.write(to: URL(fileURLWithPath: path))
            do {
                _ = try Dataset.load(path)
                XCTFail("\(name) loaded")
            } catch let e as DataError {
                XCTAssertTrue(e.description.hasPrefix(expected), "\(e.description)")
                XCTAssertTrue(e.description.contains("NUL") || e.description.contains("invalid_utf8 = \"replace\""), e.description)
            }
        }
        // With replacement allowed: loaded, counted, first line reported.
        let path = try DataFixtures.temporary("r.txt", "")
        try bytes(Array("good\nba".utf8), [0xFF], Array("d\nwor".utf8), [0xC3], Array("se\n".utf8)).write(to: URL(fileURLWithPath: path))
        var options = LoadOptions()
        options.replaceInvalidUTF8 = true
        var report = LoadReport()
        let d = try Dataset.load(path, options: options, report: &report)
        XCTAssertEqual(d.count, 3)
        XCTAssertEqual(report.replacedInvalidUTF8, 2)
        XCTAssertEqual(report.firstInvalidLine, 2)
        XCTAssertEqual(d.text(at: 1), "ba\u{FFFD}d")
        // Valid multi-byte text is untouched.
        XCTAssertNil(loadError("u.txt", "naïve café — 日本語 😀\n"))
    }

    func testAFolderNamedLikeADataFileIsAWordedError() throws {
        let dir = NSTemporaryDirectory() + "ouro-folder-\(UUID().uuidString)/x.jsonl"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        XCTAssertThrowsError(try Dataset.load(dir)) { e in
            XCTAssertEqual("\(e)", "x.jsonl: is a folder, not a data file (give the path of a .jsonl, .csv or .txt file)")
        }
    }
}
