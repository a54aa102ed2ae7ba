import Foundation
import Ouro

/// `ouro.data.properties` (the study's dataset properties) and `ouro.score.dict_rate`.
extension OuroBindings {
    static func installProperties(into state: LuaState) {
        state.register("ouro.score.dict_rate",
                       doc: "ouro.score.dict_rate(texts_or_d, { per_document = false }) → share of word tokens in the English word list (one number, or one per text)") { lua in
            let t = try texts(lua, 1, "texts")
            let o = try lua.options(at: 2, allowed: ["per_document"])
            let words = try CatalogResources.shared.words(dataFolder: lua.state.context.dataFolder)
            if try o.bool("per_document", default: false)! {
                // A text without any word token scores 0 (nothing in it is a dictionary word).
                lua.push(t.map { text in (try? Quality.dictRate([text], words: words)) ?? 0 })
            } else {
                lua.push(try Quality.dictRate(t, words: words))
            }
            return 1
        }

        state.register("ouro.score.quality",
                       doc: "ouro.score.quality(texts_or_d, { reference = ngram, per_document = false }) → dict_rate × clamp(1 − ln ppl_ref / ln V, 0, 1) (one number, or one per text)") { lua in
            let t = try texts(lua, 1, "texts")
            let o = try lua.options(at: 2, allowed: ["reference", "per_document"])
            guard o.has("reference") else { throw LuaArgumentError("'reference' (a fitted n-gram model) is required") }
            _ = lua.rawGet(2, field: "reference")
            let reference = try lua.argObject(lua.top, "reference", as: NGramModel.self)
            lua.pop()
            let words = try CatalogResources.shared.words(dataFolder: lua.state.context.dataFolder)
            func score(_ texts: [String]) throws -> Double { try Quality.score(texts, reference: reference, words: words) }
            if try o.bool("per_document", default: false)! {
                lua.push(try t.map { try score([$0]) })
            } else {
                lua.push(try score(t))
            }
            return 1
        }

        state.register("ouro.data.properties",
                       doc: "ouro.data.properties(d, { n = 500, seed = 1, reference = ngram }) → { length, lexical_diversity, semantic_diversity, positivity, quality, toxicity, gaussianity, n } (see docs/RESULTS.md)") { lua in
            let d = try lua.argObject(1, "data", as: Dataset.self)
            let o = try lua.options(at: 2, allowed: ["n", "seed", "reference"])
            let n = try o.integer("n", default: 500, min: 3)!
            let seed = UInt64(try o.integer("seed", default: 1, min: 0)!)
            var reference: NGramModel?
            if o.has("reference") {
                _ = lua.rawGet(2, field: "reference")
                reference = try lua.argObject(lua.top, "reference", as: NGramModel.self)
                lua.pop()
            }
            let (values, count) = try DatasetProperties.measure(d, n: n, seed: seed, reference: reference,
                                                                registry: lua.state.context.metrics,
                                                                embeddings: lua.state.context.embeddings,
                                                                dataFolder: lua.state.context.dataFolder)
            var fields = values.mapValues { LuaValue.number($0) }
            fields["n"] = .integer(Int64(count))
            lua.push(LuaTable(fields: fields))
            return 1
        }
    }
}
