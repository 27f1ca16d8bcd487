-- Tamper-evident audit log (issue 3 §3; 发改财金规〔2017〕1798号 (二十四)(二十五),
-- 国办发〔2020〕49号 (十三): 查询使用登记和审查制度). Times are RFC 3339 text in UTC; hashes are
-- 64 lower-case hex digits. Rows are appended only: the store never updates or deletes them.
-- Entry `seq` links to entry `seq - 1` by `prev_hash`; `hash` = SHA-256 over `prev_hash` and the
-- canonical encoding of the entry (chengxin-audit). Same tables and columns as the PostgreSQL twin.
CREATE TABLE audit_entries (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    role TEXT NOT NULL,
    department TEXT,
    action TEXT NOT NULL,
    target TEXT,
    purpose TEXT,
    request_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_entries_target ON audit_entries (target, seq);
CREATE INDEX audit_entries_actor ON audit_entries (actor, seq);
CREATE INDEX audit_entries_action ON audit_entries (action, seq);
CREATE INDEX audit_entries_at ON audit_entries (at, seq);

-- The chain head: the last entry's seq and hash, updated in the transaction that appends, so an
-- append never scans the log and a deleted tail is detected. Exactly one row.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
