import Foundation
import Ouro

/// A results database opened from Lua (`ouro.results.open`, `e:run{}`, the `r` of `after`).
public final class ResultsHandle: CustomStringConvertible {
    public let store: ResultStore
    public init(_ store: ResultStore) { self.store = store }
    public var description: String {
        let runs = (try? store.runs().count) ?? 0
        return "Results(\(LuaState.displayPath(store.path)), \(runs) run\(runs == 1 ? "" : "s"))"
    }
}

/// `experiment` runs and plans, `ouro.results.*`.
extension OuroBindings {
    static func installExperiments(into state: LuaState) {
        state.register("ouro._plan", doc: "internal: the plan of an experiment object") { lua in
            guard let session = lua.state.context.session else { throw LuaArgumentError("no session") }
            let e = try lua.argTable(1, "experiment")
            lua.push(try ExperimentDriver.plan(session, name: try ExperimentSpecReader.name(of: e)))
            return 1
        }
        state.register("ouro._run_experiment", doc: "internal: e:run{ jobs, out, resume, force, quiet } → Results (runs, then calls the experiment's after)") { lua in
            guard let session = lua.state.context.session else { throw LuaArgumentError("no session") }
            let e = try lua.argTable(1, "experiment")
            let o = try lua.options(at: 2, allowed: ["jobs", "out", "resume", "force", "quiet"])
            var options = lua.state.context.runDefaults
            options.jobs = try o.integer("jobs", default: options.jobs, min: 1)!
            options.resume = try o.bool("resume", default: options.resume)!
            options.force = try o.bool("force", default: options.force)!
            options.quiet = try o.bool("quiet", default: options.quiet)!
            if let out = try o.string("out") {
                options.out = try lua.state.sandbox?.checkWrite(out) ?? Sandbox.resolve(out)
            }
            if lua.state.context.declaring {
                throw LuaArgumentError("a file declares experiments and `ouro run` runs them; put code that reads the results in after = function(r) … end (e:run() is for the REPL)")
            }
            let path = try ExperimentDriver.run(session, name: try ExperimentSpecReader.name(of: e), options: options)
            lua.push(object: ResultsHandle(try ResultStore.open(path, mode: .readOnly)))
            return 1
        }

        state.registerType(ResultsHandle.self, name: "Results", methods: [
            "series": ("r:series(metric, { cell = 1 }) → per generation { generation, mean, sd, ci95, n } (over seeds)", { r, lua in
                let metric = try lua.argString(2, "metric")
                let o = try lua.options(at: 3, allowed: ["cell", "reference"])
                let points = try r.store.series(metric, cell: try o.integer("cell", default: 1, min: 1)!,
                                                includeReference: try o.bool("reference", default: false)!)
                lua.push(LuaTable(array: points.map { p in
                    .table(LuaTable(fields: ["generation": .integer(Int64(p.generation)), "mean": .number(p.mean),
                                             "sd": .number(p.sd), "ci95": .number(p.ci95), "n": .integer(Int64(p.n))]))
                }))
                return 1
            }),
            "values": ("r:values(metric, { cell = 1, seed = s, generation = g, reference = false }) → { { seed, generation, value }, … } (per seed, by seed then generation)", { r, lua in
                let metric = try lua.argString(2, "metric")
                let o = try lua.options(at: 3, allowed: ["cell", "seed", "generation", "reference"])
                let values = try r.store.values(metric, cell: try o.integer("cell", default: 1, min: 1)!, seed: try o.integer("seed"),
                                                generation: try o.integer("generation", min: -1),
                                                includeReference: try o.bool("reference", default: false)! || (try o.integer("generation")) == -1)
                lua.push(LuaTable(array: values.map { v in
                    .table(LuaTable(fields: ["seed": .integer(Int64(v.seed)), "generation": .integer(Int64(v.generation)),
                                             "value": .number(v.value)]))
                }))
                return 1
            }),
            "shift": ("r:shift(metric, { last = 5, cell = 1 }) → { ratio, difference, ratio_ci95, … }: mean of the last generations ÷ generation 0", { r, lua in
                let metric = try lua.argString(2, "metric")
                let o = try lua.options(at: 3, allowed: ["cell", "last"])
                let s = try r.store.shift(metric, cell: try o.integer("cell", default: 1, min: 1)!, last: try o.integer("last", default: 5, min: 1)!)
                lua.push(LuaTable(fields: [
                    "ratio": .number(s.ratio.mean), "ratio_ci95": .number(s.ratio.ci95),
                    "difference": .number(s.difference.mean), "difference_ci95": .number(s.difference.ci95),
                    "first": .integer(Int64(s.generations.lowerBound)), "last": .integer(Int64(s.generations.upperBound)),
                    "seeds": .integer(Int64(s.perSeed.count)),
                ]))
                return 1
            }),
            "texts": ("r:texts{ cell = 1, seed = 1, generation = 0 } → the generated texts", { r, lua in
                let o = try lua.options(at: 2, allowed: ["cell", "seed", "generation"])
                lua.push(try r.store.texts(cell: try o.integer("cell", default: 1, min: 1)!, seed: try o.integer("seed", default: 1)!,
                                           generation: try o.integer("generation", default: 0, min: 0)!))
                return 1
            }),
            "runs": ("r:runs() → { { cell, seed, status, generations, params }, … }", { r, lua in
                lua.push(LuaTable(array: try r.store.runs().map { info in
                    .table(LuaTable(fields: ["cell": .integer(Int64(info.cell)), "seed": .integer(Int64(info.seed)),
                                             "status": .string("\(info.status)"), "generations": .integer(Int64(info.generations)),
                                             "params": .string(info.cellParams)]))
                }))
                return 1
            }),
            "metrics": ("r:metrics() → names of the stored metrics", { r, lua in
                lua.push(try r.store.metricNames())
                return 1
            }),
            "report": ("r:report{ out = dir, png = false } → path of the HTML report (default: next to the database, <name>-report/)", { r, lua in
                let o = try lua.options(at: 2, allowed: ["out", "png"])
                let wanted = try o.string("out") ?? HTMLReport.defaultFolder(for: r.store.path)
                let dir = try lua.state.sandbox?.checkWrite(wanted) ?? Sandbox.resolve(wanted)
                let paths = try HTMLReport.write(store: r.store, to: dir, png: try o.bool("png", default: false)!) { note in
                    FileHandle.standardError.write(Data((note + "\n").utf8))
                }
                lua.push(paths.first ?? dir)
                return 1
            }),
            "csv": ("r:csv() → tidy CSV text (experiment, cell, params…, seed, generation, metric, value)", { r, lua in
                lua.push(try r.store.exportCSV())
                return 1
            }),
        ])
        state.register("ouro.report.plot", doc: "ouro.report.plot(results, { metrics = { … }, cells = { … }, out = 'fig.svg' }) → SVG text (written to out if given)") { lua in
            let r = try lua.argObject(1, "results", as: ResultsHandle.self)
            let o = try lua.options(at: 2, allowed: ["metrics", "cells", "out"])
            let metrics = o["metrics"]?.table?.array.compactMap(\.string) ?? []
            let cells = o["cells"]?.table?.array.compactMap(\.int)
            let svg = try SVGChart.plot(store: r.store, metrics: metrics, cells: cells)
            if let name = try o.string("out") {
                let out = try checkedWrite(lua, name)
                try svg.write(toFile: out, atomically: true, encoding: .utf8)
            }
            lua.push(svg)
            return 1
        }
        state.register("ouro.results.open", doc: "ouro.results.open(db) → Results (series, shift, texts, runs, csv)") { lua in
            let path = try checkedRead(lua, try lua.argString(1, "database path"))   // the one read-path rule
            lua.push(object: ResultsHandle(try ResultStore.open(path, mode: .readOnly)))
            return 1
        }
    }
}
