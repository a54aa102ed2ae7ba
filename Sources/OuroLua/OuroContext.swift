import Foundation
import Ouro

/// What the `ouro` module keeps per Lua state, apart from the Lua door itself: the running script,
/// the data folder and what hangs on it (metric registry, embeddings, VADER), and how `e:run{}`
/// behaves in this state (run defaults; refused while a file declares).
public final class OuroContext {
    /// The folder of the script being run (relative data paths resolve here first), if any.
    public internal(set) var scriptFolder: String?
    /// The running file's name without its extension (default experiment name).
    public internal(set) var scriptName: String?
    /// True while the main chunk of a file runs under `ouro run`, `ouro check` or in a worker: the
    /// file declares, the engine runs, so `e:run{}` is refused there (it is for the REPL).
    public var declaring = false
    /// Defaults for `e:run{}` (the command line's --jobs, --out, … when run by `ouro run`).
    public var runDefaults = ExperimentRunOptions()
    /// Threads of the engine's parallel work in this state (LLM training, sampling, perplexity): the
    /// cores divided by the workers (`--jobs`), so `--jobs 1` gives 2 threads on 2 cores and `--jobs 2`
    /// one each. Results never depend on it.
    public var workerThreads: Int { max(1, ProcessInfo.processInfo.activeProcessorCount / max(1, runDefaults.jobs)) }
    /// Where experiments run in this state report progress (the command line draws it); nil: silent.
    public var progress: (any RunProgressObserver)?
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

    /// Where a relative path written by the script goes: its folder (the working directory when
    /// there is no script).
    func writePath(_ path: String) -> String {
        guard !path.hasPrefix("/"), let folder = scriptFolder else { return path }
        return (folder as NSString).appendingPathComponent(path)
    }
}
