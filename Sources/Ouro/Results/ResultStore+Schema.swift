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
    """

    static func createSchema(_ db: Database) throws {
        try db.execute(sql: schemaSQL)
        try db.execute(sql: "PRAGMA application_id = \(applicationID)")
        try db.execute(sql: "PRAGMA user_version = \(schemaVersion)")
    }
}
