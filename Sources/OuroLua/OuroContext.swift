import Foundation
import Ouro

/// What the `ouro` module keeps per Lua state, apart from the Lua door itself: the running script,
/// the data folder and what hangs on it (metric registry, embeddings, VADER), and how `e:run{}`
/// behaves in this state (run defaults, worker replay, check mode).
public final class OuroContext {
    /// The folder of the script being run (relative data paths resolve here first), if any.
    public internal(set) var scriptFolder: String?
    /// The running file's name without its extension (default experiment name).
    public internal(set) var scriptName: String?
    /// In a worker's state: the experiment it runs (its file's `e:run{}` calls do not run again).
    public internal(set) var workerTarget: String?
    /// `ouro check`: `e:run{}` validates the experiment, records its plan in `checked` and
    /// returns empty results instead of running.
    public var checkOnly = false
    /// `ouro check`: the plans of the experiments whose `e:run{}` the main chunk reached.
    public var checked: [String] = []
    /// Defaults for `e:run{}` (the command line's --jobs, --out, … when run by `ouro run`).
    public var runDefaults = ExperimentRunOptions()
    /// The session that set this state up (experiments run through it).
    public internal(set) weak var session: OuroSession?
    /// Where catalog data sets live (`ouro data` builds them).
    public internal(set) var dataFolder: String = "data" {
        didSet {
            embeddings = EmbeddingCache(dataFolder: dataFolder)
            metrics.attachDataFolder(dataFolder, embeddings: embeddings)
        }
    }
    /// Sentence embeddings of this state (the MiniLM model in the data folder, loaded on first use).
    public private(set) var embeddings = EmbeddingCache(dataFolder: "data")
    /// This state's metric registry: the built-in metrics plus those registered from Lua.
    public let metrics = MetricRegistry.standard()
    var vaderCache: Vader?

    /// Where a relative path written by the script goes: its folder (the working directory when
    /// there is no script).
    func writePath(_ path: String) -> String {
        guard !path.hasPrefix("/"), let folder = scriptFolder else { return path }
        return (folder as NSString).appendingPathComponent(path)
    }
}
