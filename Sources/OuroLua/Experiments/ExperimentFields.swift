import Foundation
import Ouro

/// The fields of `experiment{…}` as Swift reads them: one property per entry of the field table in
/// stdlib/experiment.lua (which declares each field's kind, range, default and meaning, checks
/// them at the user's line and fills in the defaults). The table is decoded into this type by
/// `LuaDecoder` — the reading is the compiler's, from `CodingKeys` — so the bridge never looks a
/// field up by its name. `ExperimentTests.testTheSwiftFieldsAreTheFieldTable` fails when the two
/// disagree on a field's name or kind.
struct ExperimentFields: Decodable {
    var name: String
    var human: LuaObject                 // Dataset or NumericData
    var model: ModelList?                // a model spec, or a list of them
    var base: LuaObject?                 // a fitted model or an LLM
    var finetune: LuaTable?              // keys depend on the model (checked by the LLM reader or Lua)
    var prompt: LuaValue?                // an LLM's instruction: string or function(text)
    var chain: Bool
    var generations: Int
    var trainSize: Int
    var syntheticRatio: NumberOrFunction
    var freshHuman: Bool
    var accumulate: AccumulateMode
    var sampling: TableOrFunction
    var curate: TableOrFunction?
    var metrics: [String]                // classifier entries are named metrics by now
    var evalSize: Int
    var seeds: [Int]
    var grid: LuaTable?                  // only on the experiment; a cell's spec has none
    var after: LuaFunctionRef?

    /// The Lua field names, in the field table's order.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, human, model, base, finetune, prompt, chain, generations
        case trainSize = "train_size", syntheticRatio = "synthetic_ratio", freshHuman = "fresh_human"
        case accumulate, sampling, curate, metrics
        case evalSize = "eval_size"
        case seeds, grid, after
    }

    /// A number, or a `function(g)` schedule.
    enum NumberOrFunction: Decodable {
        case number(Double), function(LuaFunctionRef)
        init(from decoder: Decoder) throws {
            let d = try LuaValueDecoder.unwrap(decoder)
            switch d.value {
            case .function(let f): self = .function(f)
            default: self = .number(try d.double())
            }
        }
    }

    /// A table of options, or a function returning one (or deciding, for `curate`).
    enum TableOrFunction: Decodable {
        case table(LuaTable), function(LuaFunctionRef)
        init(from decoder: Decoder) throws {
            let d = try LuaValueDecoder.unwrap(decoder)
            switch d.value {
            case .function(let f): self = .function(f)
            case .table(let t): self = .table(t)
            default: throw d.mismatch("a table or a function")
            }
        }
    }

    /// `model = m` or `model = { m1, m2 }`: the objects, in order.
    struct ModelList: Decodable {
        var objects: [AnyObject]
        init(from decoder: Decoder) throws {
            let d = try LuaValueDecoder.unwrap(decoder)
            if case .object(let o) = d.value { objects = [o]; return }
            objects = try [LuaObject](from: d).map(\.object)
        }
    }

    /// `accumulate`: a boolean (false = "replace", true = "pool") or one of the mode names of
    /// docs/loop.md ("Training sets"), which stdlib/experiment.lua accepts exactly.
    struct AccumulateMode: Decodable {
        static let names: [String: Accumulate] = [
            "replace": .replace, "pool": .pool(stratified: true), "pool-shuffled": .pool(stratified: false),
            "subsample": .subsample, "all": .all,
        ]
        var mode: Accumulate
        init(from decoder: Decoder) throws {
            let d = try LuaValueDecoder.unwrap(decoder)
            switch d.value {
            case .boolean(let b): mode = b ? .pool(stratified: true) : .replace
            case .string(let s):
                guard let m = Self.names[s] else { throw d.mismatch("true, false or one of \(Self.names.keys.sorted())") }
                mode = m
            default: throw d.mismatch("true, false or a mode name")
            }
        }
    }
}

/// An experiment as `experiment{…}` leaves it in `ouro._experiments`: its fields, its grid
/// expanded into cells (each with the fields it runs with), and the `file:line: ` it was declared at.
struct DeclaredExperiment: Decodable {
    var name: String
    var spec: ExperimentFields
    var cells: [Cell]
    /// `file:line: ` of the declaration.
    var `where`: String
    /// The fields part of `ouro check`'s plan: one line per field, generated from the field table.
    var planFields: String

    enum CodingKeys: String, CodingKey {
        case name, spec, cells, `where`, planFields = "plan_fields"
    }

    struct Cell: Decodable {
        var index: Int
        /// The grid values of this cell (empty without a grid).
        var params: LuaTable
        var spec: ExperimentFields
    }
}
