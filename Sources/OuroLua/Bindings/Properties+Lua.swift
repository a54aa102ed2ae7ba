import Foundation
import Ouro

/// `ouro.data.properties` (the study's dataset properties) and `ouro.score.dict_rate`.
extension OuroBindings {
    /// Resources loaded once per process (the offensive classifier is 13 MB of JSON; the word list
    /// ~100k words), keyed by path.
    private final class PropertyResources: @unchecked Sendable {
        static let shared = PropertyResources()
        private let lock = NSLock()
        private var classifiers: [String: Classifier] = [:]
        private var wordLists: [String: WordList] = [:]

        func classifier(_ name: String, dataFolder: String) throws -> Classifier {
            let path = Catalog.classifierPath(name, dataFolder: dataFolder)
            lock.lock(); defer { lock.unlock() }
            if let c = classifiers[path] { return c }
            guard FileManager.default.fileExists(atPath: path) else {
                throw LuaArgumentError("classifier '\(name)' is not built; build the catalog with `ouro data`")
            }
            let c = try Classifier.load(from: path)
            classifiers[path] = c
            return c
        }

        func words(dataFolder: String) throws -> WordList {
            lock.lock(); defer { lock.unlock() }
            if let w = wordLists[dataFolder] { return w }
            let w = try WordList.load(dataFolder: dataFolder)
            wordLists[dataFolder] = w
            return w
        }
    }

    static func installProperties(into state: LuaState) {
        state.register("ouro.score.dict_rate",
                       doc: "ouro.score.dict_rate(texts_or_d, { per_document = false }) → share of word tokens in the English word list (one number, or one per text)") { lua in
            let t = try texts(lua, 1, "texts")
            let o = try lua.options(at: 2, allowed: ["per_document"])
            let words = try PropertyResources.shared.words(dataFolder: lua.state.context.dataFolder)
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
            let words = try PropertyResources.shared.words(dataFolder: lua.state.context.dataFolder)
            let v = max(reference.typeCount, 2)
            func score(_ texts: [String]) throws -> Double {
                let dict = (try? Quality.dictRate(texts, words: words)) ?? 0
                let ppl = try reference.perplexity(texts.map { Tokenizer.word.ids($0) })
                return Quality.combined(dictRate: dict, pplRef: ppl, vocabularySize: v)
            }
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
            guard d.count >= 3 else { throw LuaArgumentError("properties need at least 3 documents, the dataset has \(d.count)") }
            let s = d.count > n ? try d.sample(n, seed: seed) : d
            let set = EvaluationSet(s)
            var values = try lua.state.context.metrics.compute(["length", "lexical_diversity", "semantic_diversity", "positivity"], on: set)
            let folder = lua.state.context.dataFolder
            let words = try PropertyResources.shared.words(dataFolder: folder)
            let dictRate = (try? Quality.dictRate(s.texts, words: words)) ?? 0
            values["dict_rate"] = dictRate
            if let reference {
                let ppl = try Quality.pplRef(s, reference: reference)
                values["ppl_ref"] = ppl
                values["quality"] = Quality.combined(dictRate: dictRate, pplRef: ppl, vocabularySize: max(reference.typeCount, 2))
            } else {
                values["quality"] = dictRate
            }
            let clf = try PropertyResources.shared.classifier("offensive", dataFolder: folder)
            guard let pos = clf.classes.firstIndex(of: "true") else { throw LuaArgumentError("the offensive classifier has no class 'true'") }
            let probs = clf.probabilities(s)
            values["toxicity"] = probs.reduce(0) { $0 + $1[pos] } / Double(probs.count)
            let e = try lua.state.context.embeddings.embeddings(s.texts)
            values["gaussianity"] = DatasetProperties.gaussianity(e.storage.map(Double.init), rows: e.rows, cols: e.cols)
            var fields = values.mapValues { LuaValue.number($0) }
            fields["n"] = .integer(Int64(s.count))
            lua.push(LuaTable(fields: fields))
            return 1
        }
    }
}
