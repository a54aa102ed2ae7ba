import Foundation

/// What a metric measures, on which data, and which way is "more".
public struct MetricInfo: Equatable, Sendable {
    /// The data a metric reads.
    public enum Kind: String, Sendable {
        /// Texts (and their tokens).
        case text
        /// Numeric samples.
        case numeric
        /// The fitted toy model itself (`EvaluationSet.numericModel`: its mean, variance, weights,
        /// coefficients, …), not its samples; computed in experiments for every generation, never
        /// for the human reference row (which has no model).
        case model
    }

    /// What a higher value means.
    public enum Direction: String, Sendable, CaseIterable {
        case moreDiverse = "higher = more diverse"
        case lessDiverse = "higher = less diverse"
        case morePositive = "higher = more positive"
        case longer = "higher = longer"
        case harderToRead = "higher = harder to read"
        case furtherFromHuman = "higher = further from the human data"
        case larger = "higher = larger value"
    }

    public var name: String
    public var description: String
    public var kind: Kind
    public var direction: Direction
    /// True for metrics of the model that generated the texts (`ppl_human`): they need
    /// `EvaluationSet.model` and are not computed for the human reference row.
    public var needsModel: Bool
    /// Seconds one call takes on the development machine (2 threads), when its author stated it:
    /// `ouro check` adds it to an LLM experiment's estimate for every generation and the reference row
    /// (a Lua metric that runs an LLM judge costs more than everything else of a generation).
    public var secondsPerCall: Double = 0

    /// The values the metric can take (reports clip confidence bands to it); by default that of
    /// the built-in metric of this name (`MetricInfo.range(of:)`), else the whole line.
    public var range: ClosedRange<Double>

    public init(name: String, description: String, kind: Kind, direction: Direction, needsModel: Bool = false,
                range: ClosedRange<Double>? = nil) {
        self.name = name; self.description = description; self.kind = kind; self.direction = direction
        self.needsModel = needsModel
        self.range = range ?? MetricInfo.range(of: name)
    }

    /// The domain of a built-in metric (shares and ratios in [0, 1], VADER's compound mean in
    /// [−1, 1], counts, lengths, distances, divergences, perplexities and entropies ≥ 0); the whole
    /// line for a metric Ouro does not know (a Lua metric, `fk_grade`, `mean`).
    public static func range(of name: String) -> ClosedRange<Double> {
        let unit: Set<String> = ["ttr", "ttr150", "mattr", "hdd", "unique_docs", "self_bleu", "lexical_diversity", "dict_rate",
                                 "quality", "heterozygosity", "distinct_1", "distinct_2", "distinct_3", "distinct_4"]
        let nonNegative: Set<String> = ["mtld", "unique_words", "word_entropy", "compression_ratio", "length", "length_words",
                                        "length_tokens", "semantic_diversity", "knn_diversity_5", "knn_diversity_15", "vendi",
                                        "embedding_variance", "frechet_to_human", "js_unigram", "js_bigram", "ppl_ref",
                                        "ppl_human", "variance", "entropy", "support"]
        if unit.contains(name) { return 0...1 }
        if name == "positivity" { return -1...1 }
        if nonNegative.contains(name) { return 0...Double.infinity }
        return -Double.infinity...Double.infinity
    }
}

/// A model that scores human documents: `ppl_human` is its perplexity of held-out human text.
public protocol TextPerplexityModel: Sendable {
    /// Perplexity of the documents of `set` (its texts, or its engine tokens) under the model.
    func perplexity(of set: EvaluationSet) throws -> Double
}

/// The data a metric is computed on: one evaluation sample of a generation.
public struct EvaluationSet: Sendable {
    /// The texts (generated or human).
    public var texts: [String]
    /// Tokens of each text (the engine tokenizer's output). When empty, token metrics split `texts` on
    /// whitespace (Python `str.split()`).
    public var tokens: [[String]]
    /// Numeric samples, for numeric models.
    public var numeric: [Double]?
    /// The model that generated the texts (an n-gram model, an LLM), for `ppl_human` (nil for human data).
    public var model: (any TextPerplexityModel)?
    /// The toy model that generated the numeric sample, for metrics of kind `.model` (nil for human data).
    public var numericModel: (any NumericModel)?
    private var humanBox: [EvaluationSet]
    private var heldOutBox: [EvaluationSet] = []
    /// Values shared by the metrics of one `MetricRegistry.compute` call.
    var memo = MetricMemo()

    /// The human reference data, for distances (`js_unigram`, `js_bigram`).
    public var human: EvaluationSet? {
        get { humanBox.first }
        set { humanBox = newValue.map { [$0] } ?? [] }
    }

    /// Human documents the model never trained on, for `ppl_human`.
    public var heldOut: EvaluationSet? {
        get { heldOutBox.first }
        set { heldOutBox = newValue.map { [$0] } ?? [] }
    }

    public init(texts: [String] = [], tokens: [[String]] = [], numeric: [Double]? = nil, human: EvaluationSet? = nil) {
        self.texts = texts; self.tokens = tokens; self.numeric = numeric
        self.humanBox = human.map { [$0] } ?? []
    }

    /// True when it holds no text, no token and no number.
    public var isEmpty: Bool { texts.isEmpty && tokens.isEmpty && (numeric?.isEmpty ?? true) }

    /// Whether it holds text data.
    public var hasText: Bool { !texts.isEmpty || !tokens.isEmpty }

    /// Tokens per document: `tokens` if given, else the whitespace fields of each text.
    public var documentTokens: [[String]] {
        if !tokens.isEmpty { return tokens }
        return texts.map { PythonText.split($0.unicodeScalars).map { String(String.UnicodeScalarView($0)) } }
    }
}

/// Intermediate values several metrics of one evaluation share (Self-BLEU for `self_bleu` and
/// `lexical_diversity`; `dict_rate` and `ppl_ref` for `quality`), computed once per `compute` call.
final class MetricMemo: @unchecked Sendable {
    private var values: [String: Double] = [:]
    private let lock = NSLock()

    func value(_ key: String, _ make: () throws -> Double) rethrows -> Double {
        if let v = lock.withLock({ values[key] }) { return v }
        let v = try make()
        lock.withLock { values[key] = v }
        return v
    }
}

/// Errors of metric computation; each names the metric concerned.
public enum MetricError: Error, CustomStringConvertible, Equatable {
    case unknownMetric(String, closest: [String])
    case duplicateMetric(String)
    case emptyEvaluationSet
    case wrongKind(metric: String, needs: MetricInfo.Kind)
    case missingHumanReference(metric: String)
    case missingModel(metric: String)
    case missingHeldOut(metric: String)
    case tokenCountMismatch(metric: String, texts: Int, tokenLists: Int)
    case vaderLexiconNotConfigured(metric: String)
    case failed(metric: String, reason: String)

    public var description: String {
        switch self {
        case .unknownMetric(let name, let closest):
            return "unknown metric '\(name)'" + (closest.isEmpty ? "" : "; closest: " + closest.joined(separator: ", "))
        case .duplicateMetric(let name):
            return "metric '\(name)' is already registered"
        case .emptyEvaluationSet:
            return "cannot compute metrics on an empty evaluation set"
        case .wrongKind(let metric, let needs):
            return "metric '\(metric)' needs \(needs == .text ? "texts" : "numeric values"), and the evaluation set has none"
        case .missingHumanReference(let metric):
            return "metric '\(metric)' compares with human data, and the evaluation set has no human reference"
        case .missingModel(let metric):
            return "metric '\(metric)' measures the model that generated the texts, and none was given (experiments pass each generation's model; ouro.metrics.compute takes { model = m })"
        case .missingHeldOut(let metric):
            return "metric '\(metric)' needs held-out human documents, and there are none (in an experiment the human pool must hold more documents than training uses; ouro.metrics.compute takes { held_out = d })"
        case .tokenCountMismatch(let metric, let texts, let lists):
            return "metric '\(metric)': \(lists) token lists for \(texts) texts"
        case .vaderLexiconNotConfigured(let metric):
            return "metric '\(metric)' needs the VADER lexicon: set the registry's vaderLexiconDirectory (run `ouro data`)"
        case .failed(let metric, let reason):
            return "metric '\(metric)': \(reason)"
        }
    }
}

/// Named metrics the experiment loop computes on each evaluation set.
///
/// Each metric is called once per evaluation set. `standard()` holds the built-in ones; callers (the Lua
/// bridge) may `register` more.
public final class MetricRegistry: @unchecked Sendable {
    /// Computes one value from an evaluation set.
    public typealias Compute = (EvaluationSet) throws -> Double

    private var order: [String] = []
    private var entries: [String: (info: MetricInfo, compute: Compute)] = [:]
    private let lock = NSLock()
    private var vader: Vader?

    /// Folder holding `vader_lexicon.txt` and `emoji_utf8_lexicon.txt`, for `positivity`.
    public var vaderLexiconDirectory: URL? {
        didSet { lock.withLock { vader = nil } }
    }

    /// An empty registry.
    public init() {}

    /// Uses an already loaded lexicon for `positivity`.
    public func setVaderLexicon(_ lexicon: VaderLexicon) { lock.withLock { vader = Vader(lexicon: lexicon) } }

    /// The registered metrics, in registration order.
    public var infos: [MetricInfo] { lock.withLock { order.map { entries[$0]!.info } } }

    /// The description of one metric, if registered.
    public func info(_ name: String) -> MetricInfo? { lock.withLock { entries[name]?.info } }

    /// Adds a metric.
    /// - Parameters:
    ///   - info: its name, description, kind and direction.
    ///   - compute: computes it from an evaluation set; called only with data of the metric's kind.
    /// - Throws: `MetricError.duplicateMetric` if the name is taken.
    public func register(_ info: MetricInfo, compute: @escaping Compute) throws {
        try lock.withLock {
            guard entries[info.name] == nil else { throw MetricError.duplicateMetric(info.name) }
            order.append(info.name)
            entries[info.name] = (info, compute)
        }
    }

    /// Adds a metric, or replaces the one of that name (keeping its place in the order): what the
    /// engine's own families do when they are attached to another data folder.
    func replace(_ info: MetricInfo, compute: @escaping Compute) {
        lock.withLock {
            if entries[info.name] == nil { order.append(info.name) }
            entries[info.name] = (info, compute)
        }
    }

    /// Computes the named metrics on one evaluation set.
    /// - Parameters:
    ///   - names: metric names; all are checked before any is computed.
    ///   - set: the data.
    /// - Returns: the value of each metric, by name.
    /// - Throws: `MetricError.emptyEvaluationSet`, `.unknownMetric` (with the closest names),
    ///   `.wrongKind` naming the metric, or the metric's own error.
    public func compute(_ names: [String], on set: EvaluationSet) throws -> [String: Double] {
        guard !set.isEmpty else { throw MetricError.emptyEvaluationSet }
        let chosen: [(MetricInfo, Compute)] = try lock.withLock {
            try names.map { name in
                guard let e = entries[name] else {
                    throw MetricError.unknownMetric(name, closest: Suggestions.closest(to: name, in: order))
                }
                return e
            }
        }
        for (info, _) in chosen {
            switch info.kind {
            case .text where !set.hasText: throw MetricError.wrongKind(metric: info.name, needs: .text)
            case .numeric where (set.numeric?.isEmpty ?? true): throw MetricError.wrongKind(metric: info.name, needs: .numeric)
            case .model where set.numericModel == nil: throw MetricError.missingModel(metric: info.name)
            default: break
            }
            if info.needsModel && set.model == nil { throw MetricError.missingModel(metric: info.name) }
        }
        var set = set
        set.memo = MetricMemo()
        var out: [String: Double] = [:]
        for (info, f) in chosen {
            do {
                out[info.name] = try f(set)
            } catch let e as MetricError {
                throw e
            } catch {
                throw MetricError.failed(metric: info.name, reason: String(describing: error))
            }
        }
        return out
    }

    /// Metrics of the model (`ppl_human`) read human documents no training set holds: fails before
    /// anything runs when `names` has one and training uses the whole pool.
    /// - Parameters:
    ///   - humanPool: documents in the human pool.
    ///   - humanNeeded: how many of them training uses (the cell's plan; not evaluated without such a metric).
    public func requireHeldOutHuman(for names: [String], humanPool: Int, humanNeeded: () throws -> Int) throws {
        guard let m = names.first(where: { info($0)?.needsModel == true }), let needed = try? humanNeeded(),
              humanPool <= needed else { return }
        throw MetricError.failed(metric: m, reason: "it needs held-out human documents, and training uses all \(humanPool) of the human pool (\(needed) needed); give more human data or lower train_size/generations")
    }

    /// Scores each document of a dataset alone with metric `name` (curation by a metric: the
    /// documents with the best scores are kept). NaN where the metric has no value.
    public func documentScorer(_ name: String) -> (Dataset) throws -> [Double] {
        { d in
            try (0..<d.count).map { i in
                let one = EvaluationSet(texts: [d.text(at: i)], tokens: [d.tokenStrings(at: i)])
                return try self.compute([name], on: one)[name] ?? .nan
            }
        }
    }

    /// The VADER analyzer of `positivity` (loaded once from `vaderLexiconDirectory`), for callers
    /// that score texts themselves.
    public func vaderAnalyzer() throws -> Vader { try vaderAnalyzer(metric: "positivity") }

    fileprivate func vaderAnalyzer(metric: String) throws -> Vader {
        try lock.withLock {
            if let v = vader { return v }
            guard let dir = vaderLexiconDirectory else { throw MetricError.vaderLexiconNotConfigured(metric: metric) }
            do {
                let v = Vader(lexicon: try VaderLexicon.load(directory: dir))
                vader = v
                return v
            } catch {
                throw MetricError.failed(metric: metric, reason: String(describing: error))
            }
        }
    }
}

// MARK: - The built-in metrics

extension MetricRegistry {
    /// A registry holding every built-in metric.
    /// - Parameter vaderLexiconDirectory: where `positivity` finds the VADER lexicons (may be set later).
    public static func standard(vaderLexiconDirectory: URL? = nil) -> MetricRegistry {
        let r = MetricRegistry()
        r.vaderLexiconDirectory = vaderLexiconDirectory
        r.registerStandardMetrics()
        return r
    }

    private func add(_ name: String, _ description: String, _ kind: MetricInfo.Kind, _ direction: MetricInfo.Direction,
                     _ compute: @escaping Compute) {
        try! register(MetricInfo(name: name, description: description, kind: kind, direction: direction), compute: compute)
    }

    private static func checkedTokens(_ set: EvaluationSet, _ metric: String) throws -> [[String]] {
        let docs = set.documentTokens
        if !set.texts.isEmpty && !set.tokens.isEmpty && set.texts.count != set.tokens.count {
            throw MetricError.tokenCountMismatch(metric: metric, texts: set.texts.count, tokenLists: set.tokens.count)
        }
        return docs
    }

    private static func flatTokens(_ set: EvaluationSet, _ metric: String) throws -> [String] {
        try checkedTokens(set, metric).flatMap { $0 }
    }

    private static func mean(_ xs: [Double]) -> Double { NumericMetrics.mean(xs) }

    private func registerStandardMetrics() {
        typealias S = MetricRegistry
        add("ttr", "type–token ratio of all tokens of the set", .text, .moreDiverse) {
            Lexical.ttr(try S.flatTokens($0, "ttr"))
        }
        add("ttr150", "mean TTR of the whitespace words of each text's first 150 characters (the study's TTR)", .text, .moreDiverse) {
            Lexical.prefixTTR($0.texts)
        }
        add("mattr", "moving-average TTR, window 50, over all tokens (lexical-diversity 0.1.1)", .text, .moreDiverse) {
            Lexical.mattr(try S.flatTokens($0, "mattr"), window: 50)
        }
        add("mtld", "measure of textual lexical diversity, threshold 0.72 (lexical-diversity 0.1.1)", .text, .moreDiverse) {
            Lexical.mtld(try S.flatTokens($0, "mtld"))
        }
        add("hdd", "HD-D, sample 42 (lexical-diversity 0.1.1)", .text, .moreDiverse) {
            Lexical.hdd(try S.flatTokens($0, "hdd"))
        }
        for n in 1...4 {
            add("distinct_\(n)", "distinct \(n)-grams ÷ \(n)-grams, within documents", .text, .moreDiverse) {
                Lexical.distinct(try S.checkedTokens($0, "distinct_\(n)"), n: n)
            }
        }
        add("unique_words", "number of distinct tokens", .text, .moreDiverse) {
            Double(Lexical.uniqueWords(try S.flatTokens($0, "unique_words")))
        }
        add("word_entropy", "entropy (nats) of the token frequency distribution", .text, .moreDiverse) {
            Lexical.wordEntropy(try S.flatTokens($0, "word_entropy"))
        }
        add("unique_docs", "share of distinct texts", .text, .moreDiverse) { Lexical.uniqueDocumentShare($0.texts) }
        add("compression_ratio", "UTF-8 bytes ÷ zlib-compressed bytes of the texts joined by newlines", .text, .lessDiverse) {
            try Lexical.compressionRatio($0.texts)
        }
        func selfBLEU(_ set: EvaluationSet, _ metric: String) throws -> Double {
            do { return try set.memo.value("self_bleu") { try SelfBLEU.selfBLEU(set.texts) } } catch {
                throw MetricError.failed(metric: metric, reason: String(describing: error))
            }
        }
        add("self_bleu", "mean sentence BLEU (sacreBLEU 13a, effective order) of each text against the others, in [0, 1]", .text, .lessDiverse) {
            try selfBLEU($0, "self_bleu")
        }
        add("lexical_diversity", "1 − self_bleu (the study's lexical diversity)", .text, .moreDiverse) {
            1 - (try selfBLEU($0, "lexical_diversity"))
        }
        add("positivity", "mean VADER compound score (vaderSentiment 3.3.2)", .text, .morePositive) { [unowned self] set in
            let vader = try self.vaderAnalyzer(metric: "positivity")
            return S.mean(set.texts.map { vader.polarityScores($0).compound })
        }
        add("length", "mean length in characters (code points)", .text, .longer) {
            S.mean($0.texts.map { Double(Readability.characters($0)) })
        }
        add("length_words", "mean number of words per text", .text, .longer) {
            S.mean($0.texts.map { Double(Readability.wordCount($0)) })
        }
        add("length_tokens", "mean number of tokens per text", .text, .longer) {
            S.mean(try S.checkedTokens($0, "length_tokens").map { Double($0.count) })
        }
        add("fk_grade", "mean Flesch–Kincaid grade of the texts with words (heuristic syllable counter)", .text, .harderToRead) {
            S.mean($0.texts.compactMap(Readability.fleschKincaidGrade))
        }
        for (name, n) in [("js_unigram", 1), ("js_bigram", 2)] {
            add(name, "Jensen–Shannon divergence (bits) of the \(n == 1 ? "unigram" : "bigram") distribution from the human data's, add-0.5 smoothing", .text, .furtherFromHuman) { set in
                guard let human = set.human, human.hasText else { throw MetricError.missingHumanReference(metric: name) }
                return Distances.jsDivergence(try S.checkedTokens(set, name), try S.checkedTokens(human, name), n: n)
            }
        }
        add("mean", "mean of the values", .numeric, .larger) { NumericMetrics.mean($0.numeric ?? []) }
        add("variance", "unbiased variance of the values", .numeric, .moreDiverse) { NumericMetrics.variance($0.numeric ?? []) }
        add("entropy", "entropy (nats) of the empirical distribution of the values", .numeric, .moreDiverse) {
            NumericMetrics.entropy($0.numeric ?? [])
        }
        add("support", "number of distinct values", .numeric, .moreDiverse) { Double(NumericMetrics.support($0.numeric ?? [])) }
        add("heterozygosity", "1 − Σ p² of the empirical distribution of the values", .numeric, .moreDiverse) {
            NumericMetrics.heterozygosity($0.numeric ?? [])
        }
    }
}
