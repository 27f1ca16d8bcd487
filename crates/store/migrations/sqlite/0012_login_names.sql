-- User names are one per person whatever their case: `Admin` and `admin` are one name, stored in
-- lower case (a store holding both fails here, on the unique index, rather than keep two).
UPDATE accounts SET username = lower(username);
-- Failed sign-ins under names that have no account, counted like an account's own, so that the
-- lock-out after repeated failures does not tell which names exist. Keyed by the SHA-256 of the
-- name (people type passwords into the name field); rows are dropped when their lock has run out.
CREATE TABLE login_failures (
    name_hash TEXT PRIMARY KEY,
    failed_logins INTEGER NOT NULL,
    last_failed_at TEXT NOT NULL
);
