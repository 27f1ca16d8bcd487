-- Red, serious-dishonesty, watch and big-data warning lists (issue 5). Dates are ISO-8601 text;
-- times RFC 3339 UTC. Same tables and columns as the PostgreSQL twin.
--
-- 发改财金规〔2017〕1798号 and 国办发〔2020〕49号 (六)(七): a list exists only under a published
-- standard (认定标准) with its legal basis. Every imported version of a standard is kept.
CREATE TABLE list_standards (
    code TEXT NOT NULL,
    version INTEGER NOT NULL,
    kind TEXT NOT NULL,
    domain TEXT NOT NULL,
    title TEXT NOT NULL,
    published_on TEXT,
    body TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    PRIMARY KEY (code, version)
);

-- One row per subject that has any list activity: its whole book (entries with every step,
-- objections, repair applications, corrections) as JSON, written whole in the transaction of each
-- operation. `rev` increases with every write (optimistic concurrency).
CREATE TABLE list_books (
    subject_id INTEGER PRIMARY KEY,
    subject_key TEXT NOT NULL,
    rev INTEGER NOT NULL,
    body TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- The entries of every book, one row each, for questions across subjects (public list pages,
-- the daily expiry sweep, counts). Rewritten from the book in the same transaction. An entry
-- removed because it was listed in error (1798号 (二十)) has no row here.
CREATE TABLE list_entries (
    id TEXT PRIMARY KEY,
    subject_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    domain TEXT NOT NULL,
    standard_code TEXT NOT NULL,
    standard_version INTEGER NOT NULL,
    department TEXT NOT NULL,
    state TEXT NOT NULL,
    listed_on TEXT,
    expires_on TEXT,
    exit_on TEXT,
    exit_reason TEXT,
    public INTEGER NOT NULL
);
CREATE INDEX list_entries_subject ON list_entries (subject_id);
CREATE INDEX list_entries_due ON list_entries (state, expires_on);
CREATE INDEX list_entries_kind ON list_entries (kind, state, listed_on);

-- Objections (异议) and repair applications (信用修复), one row each, rewritten from the book
-- with it: the handlers' queues. The application's id (random) is the applicant's receipt.
CREATE TABLE list_cases (
    id TEXT PRIMARY KEY,
    subject_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    target TEXT NOT NULL,
    submitted_on TEXT NOT NULL
);
CREATE INDEX list_cases_queue ON list_cases (kind, state, submitted_on);

-- Publication and exit announcements for the portal (1798号 (二十)).
CREATE TABLE list_announcements (
    id INTEGER PRIMARY KEY,
    subject_id INTEGER NOT NULL,
    entry_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    on_date TEXT NOT NULL,
    text TEXT NOT NULL,
    public INTEGER NOT NULL
);
CREATE INDEX list_announcements_on ON list_announcements (on_date);
CREATE INDEX list_announcements_entry ON list_announcements (entry_id);

-- Events for every place the data was shared (repair approved, entry exited or erased): the
-- exchange capability delivers them. 国家发展改革委令第36号: repair stops publication and sharing
-- and lifts measures everywhere.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject_key TEXT NOT NULL,
    target TEXT NOT NULL,
    payload TEXT NOT NULL,
    delivered_at TEXT
);
CREATE INDEX outbox_pending ON outbox (delivered_at, id);

-- Records (penalty publicity): repair ends publication (36号令) and an objection under review
-- marks the record 核查中 (国发〔2016〕33号 (二十二)).
ALTER TABLE records ADD COLUMN repaired_on TEXT;
ALTER TABLE records ADD COLUMN under_verification INTEGER NOT NULL DEFAULT 0;
