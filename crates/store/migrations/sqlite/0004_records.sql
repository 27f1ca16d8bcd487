-- Catalog, collection and double publicity (issue 4). Dates are ISO-8601 text; times RFC 3339 UTC.
--
-- 国办发〔2020〕49号 (一): 「纳入公共信用信息的具体范围以目录为准」 — every record names the catalog
-- item and the catalog version it entered under; `catalog_versions` keeps every imported catalog.
CREATE TABLE catalog_versions (
    version INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    source TEXT NOT NULL
);

-- One row per committed batch (归集批次). A batch refused whole leaves no row here (only its
-- audit entry): it commits whole or not at all.
CREATE TABLE batches (
    id INTEGER PRIMARY KEY,
    item TEXT NOT NULL,
    catalog_version INTEGER NOT NULL,
    department TEXT NOT NULL,
    file_name TEXT NOT NULL,
    format TEXT NOT NULL,
    encoding TEXT,
    file_sha256 TEXT NOT NULL,
    received_at TEXT NOT NULL,
    received_on TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    rows_total INTEGER NOT NULL,
    accepted INTEGER NOT NULL,
    changed INTEGER NOT NULL,
    unchanged INTEGER NOT NULL,
    rejected INTEGER NOT NULL,
    review INTEGER NOT NULL,
    blank INTEGER NOT NULL
);
CREATE INDEX batches_department ON batches (department, received_on);

-- Every version of every record. The same decision (department + item + document number) is one
-- record; a changed row adds a version linked to the batch that changed it and clears `current`
-- on the one before. Versions are never deleted; withdrawal from publicity is a status.
-- `batch_id` and `subject_id` are written only by the batch writer, in the transaction that
-- creates the batch and any pending subject; they carry no foreign-key constraint because a
-- per-row constraint check costs more than the whole insert of a row on PostgreSQL.
CREATE TABLE records (
    id INTEGER PRIMARY KEY,
    item TEXT NOT NULL,
    department TEXT NOT NULL,
    doc_no TEXT NOT NULL,
    version INTEGER NOT NULL,
    current INTEGER NOT NULL,
    batch_id INTEGER NOT NULL,
    row_no INTEGER NOT NULL,
    catalog_version INTEGER NOT NULL,
    subject_id INTEGER NOT NULL,
    subject_name TEXT NOT NULL,
    subject_code TEXT NOT NULL,
    decision_date TEXT NOT NULL,
    status TEXT NOT NULL,
    severity TEXT,
    publish_from TEXT,
    min_until TEXT,
    publish_until TEXT,
    received_on TEXT NOT NULL,
    on_time INTEGER,
    filled_optional INTEGER NOT NULL,
    fields TEXT NOT NULL,
    hash TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE UNIQUE INDEX records_decision ON records (department, item, doc_no, version);
CREATE INDEX records_subject ON records (subject_id);

-- Rows a batch refused, with the field and rule (the downloadable rejected-rows report).
CREATE TABLE batch_rejections (
    batch_id INTEGER NOT NULL REFERENCES batches (id),
    seq INTEGER NOT NULL,
    row_no INTEGER NOT NULL,
    line INTEGER NOT NULL,
    field TEXT NOT NULL,
    rule TEXT NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (batch_id, seq)
);
CREATE INDEX batch_rejections_rule ON batch_rejections (rule);
