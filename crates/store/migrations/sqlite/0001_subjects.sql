-- Subject registry (issue 2). Dates are ISO-8601 text; times are RFC 3339 text in UTC.
-- `subjects` holds the current version of each subject (the latest by valid_from, then version);
-- `subject_versions` holds every version, never updated or deleted (DESIGN.md principle 4).
CREATE TABLE subjects (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    version INTEGER NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    name TEXT NOT NULL,
    uscc TEXT,
    org_code TEXT,
    reg_no TEXT,
    tax_no TEXT,
    citizen_id TEXT,
    legal_rep_name TEXT,
    legal_rep_id TEXT,
    region_code TEXT,
    registration_authority TEXT,
    established TEXT,
    valid_from TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    reason TEXT NOT NULL,
    source TEXT NOT NULL
);
CREATE INDEX subjects_name ON subjects (name);

CREATE TABLE subject_versions (
    subject_id INTEGER NOT NULL REFERENCES subjects (id),
    version INTEGER NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    name TEXT NOT NULL,
    uscc TEXT,
    org_code TEXT,
    reg_no TEXT,
    tax_no TEXT,
    citizen_id TEXT,
    legal_rep_name TEXT,
    legal_rep_id TEXT,
    region_code TEXT,
    registration_authority TEXT,
    established TEXT,
    valid_from TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    reason TEXT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (subject_id, version)
);

-- Every code under which a subject can be found. A code once held stays resolvable.
CREATE TABLE subject_identifiers (
    value TEXT NOT NULL,
    scheme TEXT NOT NULL,
    subject_id INTEGER NOT NULL REFERENCES subjects (id),
    PRIMARY KEY (value, scheme)
);
CREATE INDEX subject_identifiers_subject ON subject_identifiers (subject_id);

-- Duplicate / wrong-code cases (重错码) awaiting review; never merged silently.
CREATE TABLE code_cases (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    scheme TEXT NOT NULL,
    code TEXT NOT NULL,
    subject_id INTEGER REFERENCES subjects (id),
    other_subject_id INTEGER REFERENCES subjects (id),
    detail TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    resolution TEXT,
    opened_at TEXT NOT NULL,
    opened_by TEXT NOT NULL,
    closed_at TEXT,
    closed_by TEXT
);
CREATE INDEX code_cases_status ON code_cases (status, kind);
