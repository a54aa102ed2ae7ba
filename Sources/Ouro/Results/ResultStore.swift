import Foundation
import GRDB

/// The SQLite results database of one or more experiments (schema: docs/results.md).
///
/// One file holds experiments (with the source text of the experiment file and its sha256),
/// their cells, one run per (cell, seed), and per completed generation its training counts,
/// timings, metric values and every generated text. A generation is written in one transaction,
/// so a killed process leaves only whole generations behind and `--resume` continues from the
/// last one. The database is in WAL mode; a `ResultStore` may be shared between threads.
///
/// The file is marked with `PRAGMA application_id = 0x4F55524F` ("OURO") and carries the schema
/// version in `PRAGMA user_version`; any other SQLite file, or a non-SQLite file, is refused with
/// "PATH: not an Ouro results database (…)".
public final class ResultStore: Sendable {
    /// How `open` treats an existing file.
    public enum Mode: Sendable, Equatable {
        /// Create the file, or open an existing Ouro database that holds no runs yet;
        /// a database that holds runs is refused (`ResultStoreError.refusedOverwrite`).
        case create
        /// Open (or create) and continue: finished runs stay, unfinished ones resume.
        case resume
        /// Delete an existing Ouro database (and its -wal/-shm files) and start over.
        /// A file that is not an Ouro database is never deleted.
        case force
        /// Open an existing database for queries only.
        case readOnly
    }

    /// The schema version this Ouro writes and reads (`PRAGMA user_version`).
    public static let schemaVersion = 1
    /// `PRAGMA application_id` of Ouro results databases: "OURO" in ASCII.
    public static let applicationID: Int32 = 0x4F55_524F

    /// The path the store was opened with.
    public let path: String
    public let mode: Mode
    let reader: any DatabaseReader
    let writer: (any DatabaseWriter)?
    let hooks = TestHooks()

    private init(path: String, mode: Mode, reader: any DatabaseReader, writer: (any DatabaseWriter)?) {
        self.path = path; self.mode = mode; self.reader = reader; self.writer = writer
    }

    /// Opens or creates a results database.
    /// - Parameters:
    ///   - path: the database file.
    ///   - mode: see `Mode`.
    /// - Throws: `ResultStoreError` for a foreign or unreadable file, a newer schema, a refused
    ///   overwrite, or a missing file in `.readOnly`; GRDB's `DatabaseError` for I/O failures.
    public static func open(_ path: String, mode: Mode) throws -> ResultStore {
        let fm = FileManager.default
        let exists = fm.fileExists(atPath: path)
        if exists { try checkHeader(path) }
        switch mode {
        case .readOnly:
            guard exists else { throw ResultStoreError.missing(path: path) }
            var config = Configuration()
            config.readonly = true
            config.busyMode = .timeout(30)
            let queue = try DatabaseQueue(path: path, configuration: config)
            _ = try queue.read { db in try validate(db, path: path, allowEmpty: false) }
            return ResultStore(path: path, mode: mode, reader: queue, writer: nil)
        case .force:
            if exists {
                // Refuses foreign files before deleting anything.
                var config = Configuration()
                config.readonly = true
                let queue = try DatabaseQueue(path: path, configuration: config)
                _ = try queue.read { db in try validate(db, path: path, allowEmpty: true) }
                try queue.close()
                for suffix in ["", "-wal", "-shm"] where fm.fileExists(atPath: path + suffix) {
                    try fm.removeItem(atPath: path + suffix)
                }
            }
        case .create, .resume:
            break
        }
        var config = Configuration()
        config.busyMode = .timeout(30)
        config.foreignKeysEnabled = true
        // WAL with synchronous = NORMAL: a commit is atomic and never corrupts the file; a power
        // loss may drop the last committed generations, which --resume recomputes. FULL would
        // fsync every generation (tens of ms each), dominating the loop of small models.
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        let pool = try DatabasePool(path: path, configuration: config)
        try pool.write { db in
            let fresh = try validate(db, path: path, allowEmpty: true)
            if fresh { try createSchema(db) } else { try addMissingTables(db) }
            if mode == .create {
                let runs = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runs") ?? 0
                if runs > 0 {
                    let finished = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runs WHERE status = 'finished'") ?? 0
                    throw ResultStoreError.refusedOverwrite(path: path, runs: runs, finished: finished)
                }
            }
        }
        return ResultStore(path: path, mode: mode, reader: pool, writer: pool)
    }

    /// Ends a run's writing: folds the write-ahead log into the database file, leaves WAL mode
    /// (the next writer enters it again) and closes, so `results/x.db` alone holds every row and no
    /// `-wal`/`-shm` file remains beside it — a researcher who copies only the `.db` back from a
    /// cluster keeps every result. Read-only stores are just closed.
    public func finish() throws {
        guard let pool = writer as? DatabasePool else { return try close() }
        try pool.writeWithoutTransaction { db in _ = try Row.fetchAll(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        try pool.close()
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE") }
        try queue.close()
    }

    /// Closes the database connections (also done when the store is released).
    public func close() throws {
        if let pool = writer as? DatabasePool { try pool.close() }
        else if let queue = reader as? DatabaseQueue { try queue.close() }
    }

    /// Refuses a non-empty file that does not start with the SQLite header.
    static func checkHeader(_ path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ResultStoreError.notOuroDatabase(path: path, reason: "the file cannot be read")
        }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 16)) ?? Data()
        if head.isEmpty { return }
        guard head == Data("SQLite format 3\0".utf8) else {
            throw ResultStoreError.notOuroDatabase(path: path, reason: "not an SQLite file")
        }
    }

    /// Checks the application id and schema version.
    /// - Returns: true when the database is empty (no tables) and may be initialised.
    @discardableResult
    static func validate(_ db: Database, path: String, allowEmpty: Bool) throws -> Bool {
        let app: Int32
        let version: Int
        let tables: Int
        do {
            app = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
            version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
            tables = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master") ?? 0
        } catch let error as DatabaseError {
            throw ResultStoreError.notOuroDatabase(path: path, reason: error.message ?? "unreadable")
        }
        if app == 0 && tables == 0 && version == 0 {
            if allowEmpty { return true }
            throw ResultStoreError.notOuroDatabase(path: path, reason: "an empty SQLite database")
        }
        guard app == applicationID else {
            throw ResultStoreError.notOuroDatabase(path: path, reason: "an SQLite database with application_id \(app)")
        }
        guard version <= schemaVersion else {
            throw ResultStoreError.newerSchema(path: path, version: version, supported: schemaVersion)
        }
        return false
    }

    /// The current time as ISO 8601 UTC with milliseconds.
    static func now() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date())
    }

    /// The writer, or an error for a read-only store.
    var database: any DatabaseWriter {
        get throws {
            guard let writer else { throw ResultStoreError.notOuroDatabase(path: path, reason: "opened read-only") }
            return writer
        }
    }
}

/// Internal hooks that let tests inject a failure inside a write transaction.
final class TestHooks: @unchecked Sendable {
    private let lock = NSLock()
    private var _insideGeneration: (@Sendable () throws -> Void)?

    /// Called inside `commitGeneration`'s transaction after the metrics are written and before
    /// the texts; throwing from it must roll the whole generation back.
    var insideGeneration: (@Sendable () throws -> Void)? {
        get { lock.lock(); defer { lock.unlock() }; return _insideGeneration }
        set { lock.lock(); _insideGeneration = newValue; lock.unlock() }
    }
}
