import Foundation
import GRDB

extension ResultStore {
    /// Every metric value as tidy CSV (RFC 4180, header first, `\n` line ends):
    /// `experiment, cell, <one column per cell parameter>, seed, generation, metric, value`.
    ///
    /// Parameter columns are the union of the keys of every cell's parameters, sorted by name
    /// (empty where a cell lacks one); values are written bare for strings and in their shortest
    /// round-trip form for numbers. Generation −1 rows are the human reference. NULL values (NaN at
    /// write time) are written as `NaN`. Rows are ordered by experiment, cell, seed, generation, metric.
    /// A parameter named like a fixed column gets the prefix `param_`.
    /// - Complexity: O(metric rows).
    public func exportCSV() throws -> String {
        try reader.read { db in
            let cells = try Row.fetchAll(db, sql: "SELECT id, params FROM cells")
            var params: [Int64: [String: JSONScalar]] = [:]
            var keys = Set<String>()
            for c in cells {
                let o = try JSONScalar.object(c["params"])
                params[c["id"]] = o
                keys.formUnion(o.keys)
            }
            let sortedKeys = keys.sorted()
            let fixed: Set<String> = ["experiment", "cell", "seed", "generation", "metric", "value"]
            var out = (["experiment", "cell"] + sortedKeys.map { fixed.contains($0) ? "param_" + $0 : $0 }
                       + ["seed", "generation", "metric", "value"]).map(Self.csvField).joined(separator: ",") + "\n"
            let rows = try Row.fetchCursor(db, sql: """
                SELECT e.name AS experiment, c.id AS cell_id, c.idx, r.seed, m.g, m.name, m.value
                FROM metrics m JOIN runs r ON r.id = m.run JOIN cells c ON c.id = r.cell JOIN experiments e ON e.id = c.experiment
                ORDER BY e.id, c.idx, r.seed, m.g, m.name
                """)
            while let row = try rows.next() {
                let p = params[row["cell_id"]] ?? [:]
                var fields = [row["experiment"] as String, String(row["idx"] as Int)]
                for k in sortedKeys { fields.append(p[k]?.text ?? "") }
                let value: Double? = row["value"]
                fields += [String(row["seed"] as Int), String(row["g"] as Int), row["name"] as String, value.map(\.description) ?? "NaN"]
                out += fields.map(Self.csvField).joined(separator: ",") + "\n"
            }
            return out
        }
    }

    /// Writes `exportCSV()` to a file (replacing it).
    public func exportCSV(to path: String) throws {
        try exportCSV().write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Quotes a CSV field when it holds a comma, a quote or a line break.
    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
