import GRDB

extension ResultStore {
    /// The schema of version 1 (documented in docs/results.md; keep both in step).
    static let schemaSQL = """
    CREATE TABLE experiments (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        source TEXT NOT NULL,
        source_sha256 TEXT NOT NULL,
        params TEXT NOT NULL DEFAULT '{}',
        created TEXT NOT NULL,
        UNIQUE (name)
    );
    CREATE TABLE cells (
        id INTEGER PRIMARY KEY,
        experiment INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        params TEXT NOT NULL DEFAULT '{}',
        UNIQUE (experiment, idx)
    );
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        cell INTEGER NOT NULL REFERENCES cells(id) ON DELETE CASCADE,
        seed INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed')),
        started TEXT NOT NULL,
        finished TEXT,
        error TEXT,
        UNIQUE (cell, seed)
    );
    CREATE TABLE generations (
        run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        g INTEGER NOT NULL CHECK (g >= 0),
        n_human INTEGER NOT NULL,
        n_synthetic INTEGER NOT NULL,
        seconds_fit REAL,
        seconds_generate REAL,
        seconds_metrics REAL,
        seconds_store REAL,
        PRIMARY KEY (run, g)
    ) WITHOUT ROWID;
    CREATE TABLE metrics (
        run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        g INTEGER NOT NULL CHECK (g >= -1),
        name TEXT NOT NULL,
        value REAL,
        PRIMARY KEY (run, g, name)
    ) WITHOUT ROWID;
    CREATE INDEX metrics_by_name ON metrics (name, run, g);
    CREATE TABLE texts (
        run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        g INTEGER NOT NULL CHECK (g >= 0),
        idx INTEGER NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (run, g, idx)
    ) WITHOUT ROWID;
    """ + lossesSQL

    /// The training loss of every optimizer step of a generation's model (LLM fine-tuning; empty for
    /// models fitted in closed form). Added to version 1 without a version change: a writer creates
    /// it in an older file (`addMissingTables`), readers treat a file without it as having no losses.
    static let lossesSQL = """

    CREATE TABLE IF NOT EXISTS train_losses (
        run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        g INTEGER NOT NULL CHECK (g >= 0),
        step INTEGER NOT NULL CHECK (step >= 1),
        loss REAL,
        PRIMARY KEY (run, g, step)
    ) WITHOUT ROWID;
    """

    /// Tables added to schema version 1 after its first files were written.
    static func addMissingTables(_ db: Database) throws {
        try db.execute(sql: lossesSQL)
    }

    /// Whether the file has the `train_losses` table (files written before it was added do not).
    static func hasLosses(_ db: Database) throws -> Bool {
        try db.tableExists("train_losses")
    }

    static func createSchema(_ db: Database) throws {
        try db.execute(sql: schemaSQL)
        try db.execute(sql: "PRAGMA application_id = \(applicationID)")
        try db.execute(sql: "PRAGMA user_version = \(schemaVersion)")
    }
}
