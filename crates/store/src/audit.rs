//! The audit log on both backends (issue 3 §3): `audit_entries`, chained by SHA-256
//! (`chengxin-audit`), and `audit_head`, its one-row chain head.
//!
//! Legal basis: 发改财金规〔2017〕1798号 (二十四) 「建立完善个人信息查询使用登记和审查制度」 and
//! (二十五) 「建立健全并严格执行保障信息安全的规章制度」; 国办发〔2020〕49号 (十三) 「明确信息查询
//! 使用权限和程序，建立完善信息查询使用登记和审查制度」.
//!
//! Append-only: this API inserts entries and reads them; it never updates or deletes one (only the
//! head row is updated, in the same transaction as each append). There is no retention or purge
//! operation; removing entries from the database by hand breaks the chain, and
//! [`Store::verify_audit`] (`chengxin audit verify`) names the first broken entry.
//!
//! Concurrency. Appending reads the head, seals the entry with the head's hash and writes both,
//! so appenders are serialised:
//! - PostgreSQL: the head is read `FOR UPDATE`; the row lock is held until commit or rollback,
//!   and under READ COMMITTED a waiting appender then reads the head its predecessor committed.
//!   This is the lock (a `pg_advisory_xact_lock` before the read would serialise the same
//!   transactions, for one more round trip per append on the write path).
//! - SQLite: [`Store::append_audit`] opens its transaction with `BEGIN IMMEDIATE` (sqlx 0.9:
//!   `Pool::begin_with`), taking the database's single write lock before reading the head, so
//!   concurrent appenders on the pool's connections wait (busy timeout) instead of failing with
//!   `SQLITE_BUSY_SNAPSHOT` when a read lock would have to be upgraded. The pool has several
//!   connections; without `BEGIN IMMEDIATE` they would not be serialised.
//!
//! The entry and the new head are written in one round trip (two statements on SQLite, a
//! data-modifying CTE on PostgreSQL). In every case the primary key on `seq` makes a fork
//! impossible: two appends that read the same head cannot both commit.
//!
//! Most appends skip reading the head: the store remembers the head it last wrote, seals the
//! entry on it, and writes entry and head in one statement that does nothing unless the stored
//! head still is that head (`APPEND_IF_HEAD_*`). Only when another process or connection has
//! appended since (or the transaction that wrote the remembered head rolled back) does it fall
//! back to reading the head as above. On SQLite every write transaction also runs on the store's
//! single writer connection, whose page cache stays warm (`with_write_pool!`).
//!
//! Verification reads the head and the log in one snapshot (SQLite: one read transaction;
//! PostgreSQL: REPEATABLE READ READ ONLY). It asks the database for chunks of 1 024 entries as
//! one text each (a few rows instead of one per entry: per-row driver overhead, not hashing, is
//! what limits a row-by-row read), parses them strictly, and re-reads a chunk row by row when it
//! does not parse (a stored value containing a separator, an unreadable value) or when the
//! numbering is not exactly 1..=n — so each break is named exactly as the row-by-row check would.

use crate::{Store, StoreError, with_pool, with_write_pool};
use chrono::{DateTime, Utc};

pub use chengxin_audit::{
    BreakReason, ChainBreak, Entry, Hash, Head, NewEntry, Outcome, Verifier, entry_hash,
};

/// SQLite: the chain head, read in a transaction that already holds the write lock.
pub(crate) const HEAD_SELECT: &str = "SELECT seq, hash FROM audit_head WHERE id = 1";
/// PostgreSQL: the chain head, its row locked until the transaction ends. This is the lock that
/// serialises appenders (in place of an advisory lock: same effect, one round trip less).
pub(crate) const HEAD_SELECT_LOCKED: &str =
    "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE";

/// Stored columns, in the order [`bind_entry!`] binds them and [`decode_into`] reads them.
const COLS: &str = "seq, at, actor, role, department, action, target, purpose, request_id, \
    outcome, detail, prev_hash, hash";
/// The entry and the new head in one round trip: two statements on SQLite (sqlx binds `$n` by
/// number in each), one statement with a data-modifying CTE on PostgreSQL.
pub(crate) const APPEND_SQLITE: &str = "INSERT INTO audit_entries (seq, at, actor, role, \
    department, action, target, purpose, request_id, outcome, detail, prev_hash, hash) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13); \
    UPDATE audit_head SET seq = $1, hash = $13 WHERE id = 1";
pub(crate) const APPEND_POSTGRES: &str = "WITH e AS (INSERT INTO audit_entries (seq, at, actor, \
    role, department, action, target, purpose, request_id, outcome, detail, prev_hash, hash) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)) \
    UPDATE audit_head SET seq = $1, hash = $13 WHERE id = 1";
/// The fast path of an append (see `audit_in_tx!`): the entry and the new head, written only if
/// the stored head is still the one the entry was sealed on (`seq = $1 - 1`, `hash = $12`, its
/// `prev_hash`); otherwise nothing is written and the statement reports 0 rows. One round trip
/// instead of reading the head first. On PostgreSQL the `UPDATE` takes the head's row lock, and a
/// concurrent appender re-checks the condition against the committed head after waiting for it
/// (READ COMMITTED), so a stale hint can never fork the chain — nor link to an entry that was
/// rolled back.
pub(crate) const APPEND_IF_HEAD_SQLITE: &str = "INSERT INTO audit_entries (seq, at, actor, role, \
    department, action, target, purpose, request_id, outcome, detail, prev_hash, hash) \
    SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13 FROM audit_head \
    WHERE id = 1 AND seq = $1 - 1 AND hash = $12; \
    UPDATE audit_head SET seq = $1, hash = $13 WHERE id = 1 AND seq = $1 - 1 AND hash = $12";
pub(crate) const APPEND_IF_HEAD_POSTGRES: &str = "WITH h AS (UPDATE audit_head SET seq = $1, \
    hash = $13 WHERE id = 1 AND seq = $1 - 1 AND hash = $12 RETURNING 1) \
    INSERT INTO audit_entries (seq, at, actor, role, department, action, target, purpose, \
    request_id, outcome, detail, prev_hash, hash) \
    SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13 FROM h";
pub(crate) const HEAD_UPDATE: &str = "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1";

/// Binds the 13 [`COLS`] of an [`Entry`] to a query, in order.
macro_rules! bind_entry {
    ($q:expr, $e:expr) => {{
        let e: &$crate::audit::Entry = $e;
        let n = &e.entry;
        $q.bind(e.seq)
            .bind(n.at)
            .bind(n.actor.as_str())
            .bind(n.role.as_str())
            .bind(n.department.as_deref())
            .bind(n.action.as_str())
            .bind(n.target.as_deref())
            .bind(n.purpose.as_deref())
            .bind(n.request_id.as_str())
            .bind(n.outcome.as_str())
            .bind(n.detail.as_deref())
            .bind(e.prev_hash.to_hex())
            .bind(e.hash.to_hex())
    }};
}
pub(crate) use bind_entry;

/// Appends `$entry` (`&NewEntry`) to the audit log inside the caller's open transaction `$tx`
/// (a `sqlx::Transaction` of either backend, as inside a `with_pool!` body), so that a write and
/// the entry recording it commit or roll back together. Evaluates to
/// `Result<Entry, StoreError>` with the sealed entry (its time cut to microseconds).
///
/// `$store` (`&Store`) selects the SQL and holds the remembered head. On PostgreSQL the head row is locked here
/// (`FOR UPDATE`) until the caller's transaction ends — append as late as possible, just before
/// commit, to keep it short. On SQLite the caller's transaction should already hold the write
/// lock: begin it with `begin_with("BEGIN IMMEDIATE")`, or append after its first write; a
/// deferred transaction that has only read may fail with `SQLITE_BUSY_SNAPSHOT` (never a fork).
/// Under READ COMMITTED (PostgreSQL's default) concurrent appends wait for each other; under
/// REPEATABLE READ one of them fails with a serialisation error instead of forking.
///
/// ```ignore
/// with_pool!(self, p => {
///     let mut tx = p.begin().await?;
///     /* … the write … */
///     let entry = audit_in_tx!(self, tx, &new_entry)?;
///     tx.commit().await?;
/// })
/// ```
macro_rules! audit_in_tx {
    ($store:expr, $tx:expr, $entry:expr) => {{
        let store: &$crate::Store = $store;
        let is_postgres = store.is_postgres();
        let new_entry: &$crate::audit::NewEntry = $entry;
        async {
            // Fast path: link to the head this process last saw, in one statement that writes
            // nothing unless the stored head is still that head.
            if let Some(head) = store.cached_audit_head() {
                let entry = head.append(new_entry.clone());
                let sql = if is_postgres {
                    $crate::audit::APPEND_IF_HEAD_POSTGRES
                } else {
                    $crate::audit::APPEND_IF_HEAD_SQLITE
                };
                let done = $crate::audit::bind_entry!(sqlx::query(sql), &entry)
                    .execute(&mut *$tx)
                    .await?
                    .rows_affected();
                if done > 0 {
                    store.cache_audit_head($crate::audit::Head::after(&entry));
                    return Ok::<$crate::audit::Entry, $crate::StoreError>(entry);
                }
            }
            let (head_sql, append_sql) = if is_postgres {
                (
                    $crate::audit::HEAD_SELECT_LOCKED,
                    $crate::audit::APPEND_POSTGRES,
                )
            } else {
                ($crate::audit::HEAD_SELECT, $crate::audit::APPEND_SQLITE)
            };
            let (seq, hash): (i64, String) = sqlx::query_as(head_sql).fetch_one(&mut *$tx).await?;
            let head = $crate::audit::head_from_row(seq, &hash)?;
            let entry = head.append(new_entry.clone());
            $crate::audit::bind_entry!(sqlx::query(append_sql), &entry)
                .execute(&mut *$tx)
                .await?;
            store.cache_audit_head($crate::audit::Head::after(&entry));
            Ok::<$crate::audit::Entry, $crate::StoreError>(entry)
        }
        .await
    }};
}
#[allow(unused_imports)] // for the writes of other modules (subjects, accounts)
pub(crate) use audit_in_tx;

/// The statement that opens a transaction that will append: SQLite takes the write lock at once.
pub(crate) const SQLITE_BEGIN_WRITE: &str = "BEGIN IMMEDIATE";

pub(crate) fn head_from_row(seq: i64, hash: &str) -> Result<Head, StoreError> {
    let hash =
        Hash::from_hex(hash).map_err(|e| StoreError::Corrupt(format!("audit_head.hash: {e}")))?;
    Ok(Head { seq, hash })
}

/// A search of the audit log. All given criteria must hold; entries come in `seq` order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// The subject or record acted upon (exact).
    pub target: Option<String>,
    /// Who acted (exact).
    pub actor: Option<String>,
    /// The action code (exact).
    pub action: Option<String>,
    /// From this time on (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Before this time (exclusive).
    pub to: Option<DateTime<Utc>>,
    /// Only entries after this seq (keyset paging: pass the last seq of the previous page).
    pub after_seq: Option<i64>,
    /// At most this many entries (clamped to 1..=10 000).
    pub limit: i64,
}

impl AuditFilter {
    /// What the search asked, for the `audit.search` entry that records it: the filters given,
    /// as `name=value`, space-separated (`"everything"` when none).
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        for (name, value) in [
            ("target", &self.target),
            ("actor", &self.actor),
            ("action", &self.action),
        ] {
            if let Some(v) = value {
                parts.push(format!("{name}={v}"));
            }
        }
        for (name, value) in [("from", self.from), ("to", self.to)] {
            if let Some(t) = value {
                parts.push(format!("{name}={}", t.to_rfc3339()));
            }
        }
        if let Some(a) = self.after_seq {
            parts.push(format!("after={a}"));
        }
        if parts.is_empty() {
            "everything".into()
        } else {
            parts.join(" ")
        }
    }
}

/// One stored row of `audit_entries`.
#[derive(sqlx::FromRow)]
struct AuditRow {
    seq: i64,
    at: DateTime<Utc>,
    actor: String,
    role: String,
    department: Option<String>,
    action: String,
    target: Option<String>,
    purpose: Option<String>,
    request_id: String,
    outcome: String,
    detail: Option<String>,
    prev_hash: String,
    hash: String,
}

impl AuditRow {
    fn into_entry(self) -> Result<Entry, StoreError> {
        let seq = self.seq;
        let corrupt = |column: &str, e: &dyn std::fmt::Display| {
            StoreError::Corrupt(format!("audit entry {seq}: {column}: {e}"))
        };
        let outcome = Outcome::parse(&self.outcome)
            .ok_or_else(|| corrupt("outcome", &format!("{:?}", self.outcome)))?;
        let prev_hash = Hash::from_hex(&self.prev_hash).map_err(|e| corrupt("prev_hash", &e))?;
        let hash = Hash::from_hex(&self.hash).map_err(|e| corrupt("hash", &e))?;
        Ok(Entry {
            seq,
            entry: NewEntry {
                at: self.at,
                actor: self.actor,
                role: self.role,
                department: self.department,
                action: self.action,
                target: self.target,
                purpose: self.purpose,
                request_id: self.request_id,
                outcome,
                detail: self.detail,
            },
            prev_hash,
            hash,
        })
    }
}

/// Overwrites `dst` with `src`, reusing its buffer.
fn set(dst: &mut String, src: &str) {
    dst.clear();
    dst.push_str(src);
}

fn set_opt(dst: &mut Option<String>, src: Option<&str>) {
    match (dst.as_mut(), src) {
        (Some(d), Some(s)) => set(d, s),
        (_, None) => *dst = None,
        (None, Some(s)) => *dst = Some(s.to_owned()),
    }
}

/// Reads a row of [`COLS`] into `e`, reusing its strings (no allocation per row once warm).
/// A column that cannot be read is a [`BreakReason::Malformed`] break at that row.
fn decode_into<R>(row: &R, e: &mut Entry) -> Result<(), ChainBreak>
where
    R: sqlx::Row,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> DateTime<Utc>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> &'r str: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<&'r str>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    usize: sqlx::ColumnIndex<R>,
{
    let seq: i64 = row.try_get(0).map_err(|err| ChainBreak {
        seq: e.seq.saturating_add(1),
        reason: BreakReason::Malformed {
            column: "seq",
            detail: err.to_string(),
        },
    })?;
    let bad = |column: &'static str, detail: String| ChainBreak {
        seq,
        reason: BreakReason::Malformed { column, detail },
    };
    macro_rules! get {
        ($i:expr, $name:literal) => {
            row.try_get($i).map_err(|err| bad($name, err.to_string()))?
        };
    }
    e.seq = seq;
    let n = &mut e.entry;
    n.at = get!(1, "at");
    set(&mut n.actor, get!(2, "actor"));
    set(&mut n.role, get!(3, "role"));
    set_opt(&mut n.department, get!(4, "department"));
    set(&mut n.action, get!(5, "action"));
    set_opt(&mut n.target, get!(6, "target"));
    set_opt(&mut n.purpose, get!(7, "purpose"));
    set(&mut n.request_id, get!(8, "request_id"));
    let outcome: &str = get!(9, "outcome");
    n.outcome = Outcome::parse(outcome).ok_or_else(|| bad("outcome", format!("{outcome:?}")))?;
    set_opt(&mut n.detail, get!(10, "detail"));
    let prev: &str = get!(11, "prev_hash");
    e.prev_hash = Hash::from_hex(prev).map_err(|err| bad("prev_hash", err.to_string()))?;
    let hash: &str = get!(12, "hash");
    e.hash = Hash::from_hex(hash).map_err(|err| bad("hash", err.to_string()))?;
    Ok(())
}

fn scratch_entry() -> Entry {
    Entry {
        seq: 0,
        entry: NewEntry {
            at: DateTime::<Utc>::UNIX_EPOCH,
            actor: String::new(),
            role: String::new(),
            department: None,
            action: String::new(),
            target: None,
            purpose: None,
            request_id: String::new(),
            outcome: Outcome::Allowed,
            detail: None,
        },
        prev_hash: Hash::GENESIS,
        hash: Hash::GENESIS,
    }
}

/// What a pass over the whole log does with each decoded entry.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pass {
    Verify,
    /// Benchmark baseline: read and decode exactly as `Verify` does, but do not hash.
    ReadOnly,
}

/// Entries per chunk of the fast verification path.
const CHUNK: i64 = 1024;
/// Separators of the fast path's chunk text (ASCII unit and record separators). A stored value
/// containing one makes its chunk fail to parse, and that chunk is re-checked row by row.
const FIELD_SEP: char = '\u{1f}';
const ROW_SEP: char = '\u{1e}';

/// The fast path: one row per chunk of `$2` entries after `$1` up to `$3`, holding the chunk's
/// entries as text (fields joined by `$4`, entries by `$5`, in seq order). A nullable field is
/// `N` when NULL and `S` + its value otherwise, so every entry has exactly 13 fields. On
/// PostgreSQL the time is sent as microseconds since the epoch; on SQLite as stored.
fn chunked_sql(is_pg: bool) -> String {
    // `date_part` is float8 arithmetic; `extract` returns numeric since PostgreSQL 14 and its
    // multiply-and-round was the most expensive part of building a chunk. A float8 holds epoch
    // microseconds of this era (≈ 1.8e15 < 2^53) to well under half a microsecond, so rounding
    // gives the exact stored value (timestamptz keeps whole microseconds).
    let at = if is_pg {
        "round(date_part('epoch', at) * 1000000)::bigint"
    } else {
        "at"
    };
    // SQLite aggregates a rowid range in rowid order; an ordered aggregate would sort through a
    // temporary b-tree. Should the order ever differ, the fast path sees a seq gap and re-checks
    // the chunk row by row (ordered), so it can cause no false alarm. PostgreSQL does not keep
    // the order without ORDER BY (measured: most chunks then arrive unordered).
    let order = if is_pg { " ORDER BY seq" } else { "" };
    let opt = |c: &str| format!("CASE WHEN {c} IS NULL THEN 'N' ELSE 'S' || {c} END");
    format!(
        "WITH RECURSIVE c(lo) AS (SELECT CAST($1 AS BIGINT) UNION ALL \
         SELECT lo + $2 FROM c WHERE lo + $2 < $3) \
         SELECT c.lo, (SELECT string_agg(concat_ws(CAST($4 AS TEXT), seq, {at}, actor, role, {}, \
         action, {}, {}, request_id, outcome, {}, prev_hash, hash), CAST($5 AS TEXT){order}) \
         FROM audit_entries WHERE seq > c.lo AND seq <= c.lo + $2) FROM c",
        opt("department"),
        opt("target"),
        opt("purpose"),
        opt("detail"),
    )
}

/// The chunk's first seq minus one, and its text (None when not readable as text).
fn chunk_fields<R>(row: &R) -> Result<(i64, Option<&str>), sqlx::Error>
where
    R: sqlx::Row,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<&'r str>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    usize: sqlx::ColumnIndex<R>,
{
    Ok((row.try_get(0)?, row.try_get(1).unwrap_or(None)))
}

/// What became of one chunk on the fast path.
enum Chunk {
    Done,
    Broken(ChainBreak),
    /// Not in the expected shape: check these entries row by row.
    Recheck,
}

/// The state of one pass over the log.
struct PassState {
    pass: Pass,
    verifier: Verifier,
    scratch: Entry,
    rows: u64,
}

impl PassState {
    fn new(pass: Pass) -> PassState {
        PassState {
            pass,
            verifier: Verifier::new(),
            scratch: scratch_entry(),
            rows: 0,
        }
    }

    fn clone_state(&self) -> (Verifier, u64) {
        (self.verifier.clone(), self.rows)
    }

    fn restore(&mut self, (verifier, rows): (Verifier, u64)) {
        self.verifier = verifier;
        self.rows = rows;
    }

    fn check(&mut self) -> Result<(), ChainBreak> {
        if self.pass == Pass::Verify {
            self.verifier.push(&self.scratch)?;
        }
        self.rows += 1;
        Ok(())
    }

    /// Checks the `rows` entries of one chunk text.
    fn chunk(&mut self, text: &str, rows: i64, is_pg: bool) -> Chunk {
        let mut n = 0i64;
        for row in text.split(ROW_SEP) {
            n += 1;
            if n > rows || !parse_row(row, is_pg, &mut self.scratch) {
                return Chunk::Recheck;
            }
            match self.check() {
                Ok(()) => {}
                // Out of order in the chunk text: let the ordered exact path decide.
                Err(ChainBreak {
                    reason: BreakReason::SeqGap { .. },
                    ..
                }) => return Chunk::Recheck,
                Err(b) => return Chunk::Broken(b),
            }
        }
        if n == rows {
            Chunk::Done
        } else {
            Chunk::Recheck
        }
    }

    /// Checks one row of the exact path.
    fn exact_row<R>(&mut self, row: &R) -> Result<(), ChainBreak>
    where
        R: sqlx::Row,
        for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        for<'r> DateTime<Utc>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        for<'r> &'r str: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        for<'r> Option<&'r str>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        usize: sqlx::ColumnIndex<R>,
    {
        decode_into(row, &mut self.scratch)?;
        self.check()
    }
}

/// Reads one entry of a chunk text into `e`; false when it is not exactly 13 well-formed fields.
fn parse_row(row: &str, is_pg: bool, e: &mut Entry) -> bool {
    fn opt(dst: &mut Option<String>, field: &str) -> bool {
        match field.as_bytes().first() {
            Some(b'N') if field.len() == 1 => set_opt(dst, None),
            Some(b'S') => set_opt(dst, field.get(1..)),
            _ => return false,
        }
        true
    }
    let mut f = row.split(FIELD_SEP);
    let mut next = || f.next();
    let (
        Some(seq),
        Some(at),
        Some(actor),
        Some(role),
        Some(department),
        Some(action),
        Some(target),
        Some(purpose),
        Some(request_id),
        Some(outcome),
        Some(detail),
        Some(prev_hash),
        Some(hash),
        None,
    ) = (
        next(),
        next(),
        next(),
        next(),
        next(),
        next(),
        next(),
        next(),
        next(),
        next(),
        next(),
        next(),
        next(),
        next(),
    )
    else {
        return false;
    };
    let Ok(seq) = seq.parse::<i64>() else {
        return false;
    };
    let at = if is_pg {
        at.parse::<i64>()
            .ok()
            .and_then(DateTime::<Utc>::from_timestamp_micros)
    } else {
        parse_sqlite_time(at)
    };
    let (Some(at), Some(outcome), Ok(prev_hash), Ok(hash)) = (
        at,
        Outcome::parse(outcome),
        Hash::from_hex(prev_hash),
        Hash::from_hex(hash),
    ) else {
        return false;
    };
    e.seq = seq;
    e.prev_hash = prev_hash;
    e.hash = hash;
    let n = &mut e.entry;
    n.at = at;
    n.outcome = outcome;
    set(&mut n.actor, actor);
    set(&mut n.role, role);
    set(&mut n.action, action);
    set(&mut n.request_id, request_id);
    opt(&mut n.department, department)
        && opt(&mut n.target, target)
        && opt(&mut n.purpose, purpose)
        && opt(&mut n.detail, detail)
}

/// A time as sqlx stores it on SQLite (`2026-11-23T08:00:00.123456+00:00`, 0, 3, 6 or 9
/// fractional digits), read without the general RFC 3339 parser; other forms go through it.
fn parse_sqlite_time(s: &str) -> Option<DateTime<Utc>> {
    fn num(b: &[u8]) -> Option<u32> {
        b.iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    }
    let b = s.as_bytes();
    let fast = (|| {
        let body = b.strip_suffix(b"+00:00")?;
        if body.len() < 19
            || body[4] != b'-'
            || body[7] != b'-'
            || body[10] != b'T'
            || body[13] != b':'
            || body[16] != b':'
        {
            return None;
        }
        let date = chrono::NaiveDate::from_ymd_opt(
            i32::try_from(num(&body[0..4])?).ok()?,
            num(&body[5..7])?,
            num(&body[8..10])?,
        )?;
        let nanos = match &body[19..] {
            [] => 0,
            [b'.', frac @ ..] if matches!(frac.len(), 3 | 6 | 9) => {
                num(frac)? * 10u32.pow(9 - frac.len() as u32)
            }
            _ => return None,
        };
        let time = chrono::NaiveTime::from_hms_nano_opt(
            num(&body[11..13])?,
            num(&body[14..16])?,
            num(&body[17..19])?,
            nanos,
        )?;
        Some(date.and_time(time).and_utc())
    })();
    fast.or_else(|| {
        DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    })
}

/// SQLite: the memory map used while verifying (up to 16 GiB of database file), and back off.
const SQLITE_MMAP_ON: &str = "PRAGMA mmap_size = 17179869184";
const SQLITE_MMAP_OFF: &str = "PRAGMA mmap_size = 0";

/// PostgreSQL: one snapshot for the head and the whole log.
const PG_BEGIN_SNAPSHOT: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

/// Stops the row stream early once the chain is known to be broken.
fn stop_reading() -> sqlx::Error {
    sqlx::Error::Protocol("audit verification stopped at the first break".into())
}

impl Store {
    pub(crate) fn is_postgres(&self) -> bool {
        matches!(self.pool, crate::Pool::Postgres(_))
    }

    /// The audit head this process last wrote or read (a hint; see `audit_in_tx!`).
    pub(crate) fn cached_audit_head(&self) -> Option<Head> {
        self.audit_head.lock().ok().and_then(|h| *h)
    }

    pub(crate) fn cache_audit_head(&self, head: Head) {
        if let Ok(mut h) = self.audit_head.lock() {
            *h = Some(head);
        }
    }

    /// Appends one entry to the audit log in its own transaction and returns it sealed (its
    /// `seq`, `prev_hash` and `hash`; its time cut to microseconds). Writes that must be audited
    /// atomically with what they record use `audit_in_tx!` inside their own transaction instead.
    pub async fn append_audit(&self, e: &NewEntry) -> Result<Entry, StoreError> {
        let is_pg = self.is_postgres();
        with_write_pool!(self, p => {
            let mut tx = if is_pg { p.begin().await? } else { p.begin_with(SQLITE_BEGIN_WRITE).await? };
            let entry = audit_in_tx!(self, tx, e)?;
            tx.commit().await?;
            Ok(entry)
        })
    }

    /// Appends several entries, in order, in one transaction (all or none). Returns the new head.
    pub async fn append_audit_batch(&self, entries: &[NewEntry]) -> Result<Head, StoreError> {
        const ROWS: usize = 1000; // 13 000 parameters per statement: under both backends' limits
        let is_pg = self.is_postgres();
        let head_sql = if is_pg {
            HEAD_SELECT_LOCKED
        } else {
            HEAD_SELECT
        };
        with_write_pool!(self, p => {
            let mut tx = if is_pg { p.begin().await? } else { p.begin_with(SQLITE_BEGIN_WRITE).await? };
            let (seq, hash): (i64, String) = sqlx::query_as(head_sql).fetch_one(&mut *tx).await?;
            let mut head = head_from_row(seq, &hash)?;
            for chunk in entries.chunks(ROWS) {
                let sealed: Vec<Entry> = chunk
                    .iter()
                    .map(|e| {
                        let s = head.append(e.clone());
                        head = Head::after(&s);
                        s
                    })
                    .collect();
                let mut qb = sqlx::QueryBuilder::new(format!("INSERT INTO audit_entries ({COLS}) "));
                qb.push_values(&sealed, |mut b, e| {
                    let n = &e.entry;
                    b.push_bind(e.seq)
                        .push_bind(n.at)
                        .push_bind(n.actor.as_str())
                        .push_bind(n.role.as_str())
                        .push_bind(n.department.as_deref())
                        .push_bind(n.action.as_str())
                        .push_bind(n.target.as_deref())
                        .push_bind(n.purpose.as_deref())
                        .push_bind(n.request_id.as_str())
                        .push_bind(n.outcome.as_str())
                        .push_bind(n.detail.as_deref())
                        .push_bind(e.prev_hash.to_hex())
                        .push_bind(e.hash.to_hex());
                });
                qb.build().execute(&mut *tx).await?;
            }
            sqlx::query(HEAD_UPDATE).bind(head.seq).bind(head.hash.to_hex()).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(head)
        })
    }

    /// The chain head as stored: the last entry's seq and hash.
    pub async fn audit_head(&self) -> Result<Head, StoreError> {
        let (seq, hash): (i64, String) =
            with_pool!(self, p => sqlx::query_as(HEAD_SELECT).fetch_one(p).await?);
        head_from_row(seq, &hash)
    }

    /// Searches the log (for auditors): entries matching every criterion of `f`, by `seq`.
    pub async fn audit_entries(&self, f: &AuditFilter) -> Result<Vec<Entry>, StoreError> {
        let rows: Vec<AuditRow> = with_pool!(self, p => {
            let mut qb = sqlx::QueryBuilder::new(format!("SELECT {COLS} FROM audit_entries WHERE 1 = 1"));
            if let Some(v) = &f.target {
                qb.push(" AND target = ").push_bind(v.as_str());
            }
            if let Some(v) = &f.actor {
                qb.push(" AND actor = ").push_bind(v.as_str());
            }
            if let Some(v) = &f.action {
                qb.push(" AND action = ").push_bind(v.as_str());
            }
            if let Some(v) = f.from {
                qb.push(" AND at >= ").push_bind(v);
            }
            if let Some(v) = f.to {
                qb.push(" AND at < ").push_bind(v);
            }
            if let Some(v) = f.after_seq {
                qb.push(" AND seq > ").push_bind(v);
            }
            qb.push(" ORDER BY seq LIMIT ").push_bind(f.limit.clamp(1, 10_000));
            qb.build_query_as().fetch_all(p).await?
        });
        rows.into_iter().map(AuditRow::into_entry).collect()
    }

    /// Recomputes the whole chain in `seq` order and compares its end with the stored head.
    /// `Ok(Ok(n))`: intact, `n` entries. `Ok(Err(break))`: the first broken entry and what is
    /// wrong with it. `Err`: the database could not be read. The head and the log are read in one
    /// snapshot, so appends running meanwhile do not disturb the check.
    pub async fn verify_audit(&self) -> Result<Result<u64, ChainBreak>, StoreError> {
        self.pass_over_audit(Pass::Verify).await
    }

    async fn pass_over_audit(&self, pass: Pass) -> Result<Result<u64, ChainBreak>, StoreError> {
        let is_pg = self.is_postgres();
        let fast_sql = chunked_sql(is_pg);
        let exact_sql =
            format!("SELECT {COLS} FROM audit_entries WHERE seq > $1 AND seq <= $2 ORDER BY seq");
        with_pool!(self, p => {
            let mut conn = p.acquire().await?;
            if !is_pg {
                // Read the file through a memory map for this pass (no copy per page).
                sqlx::query(SQLITE_MMAP_ON).execute(&mut *conn).await?;
            }
            let result = async {
                let mut tx = if is_pg {
                    sqlx::Connection::begin_with(&mut *conn, PG_BEGIN_SNAPSHOT).await?
                } else {
                    sqlx::Connection::begin(&mut *conn).await?
                };
                let Some((seq, hash)): Option<(i64, String)> =
                    sqlx::query_as(HEAD_SELECT).fetch_optional(&mut *tx).await?
                else {
                    let missing = ChainBreak { seq: 0, reason: BreakReason::HeadMissing };
                    return Ok((Some(missing), Head::EMPTY, PassState::new(pass)));
                };
                let head = head_from_row(seq, &hash)?;
                let (count, min, max): (i64, i64, i64) = sqlx::query_as(
                    "SELECT count(*), coalesce(min(seq), 0), coalesce(max(seq), 0) FROM audit_entries",
                )
                .fetch_one(&mut *tx)
                .await?;
                let mut st = PassState::new(pass);
                // Entries up to `done` are checked; the fast path needs the numbers 1..=max without
                // gaps (anything else is broken anyway, and the exact path names where).
                let mut done = 0i64;
                let fast = count == max && (count == 0 || min == 1);
                let broken: Option<ChainBreak> = loop {
                    if done >= max {
                        break None;
                    }
                    let (lo, hi) = if fast { (done, max) } else { (i64::MIN, i64::MAX) };
                    let mut redo: Option<i64> = None;
                    let mut stop: Option<ChainBreak> = None;
                    if fast {
                        // Chunks of CHUNK entries, each one text made by the database; checked as
                        // they arrive while the database builds the next ones.
                        let mut next_lo = lo;
                        let mut saved = st.clone_state();
                        let read = sqlx::query(sqlx::AssertSqlSafe(fast_sql.clone()))
                            .bind(lo)
                            .bind(CHUNK)
                            .bind(hi)
                            .bind(FIELD_SEP.to_string())
                            .bind(ROW_SEP.to_string())
                            .try_map(|row| {
                                let (chunk_lo, text) = chunk_fields(&row)?;
                                saved = st.clone_state();
                                let rows = CHUNK.min(hi - chunk_lo);
                                let outcome = match text {
                                    Some(text) if chunk_lo == next_lo => st.chunk(text, rows, is_pg),
                                    _ => Chunk::Recheck,
                                };
                                match outcome {
                                    Chunk::Done => {
                                        next_lo = chunk_lo + CHUNK;
                                        Ok(())
                                    }
                                    Chunk::Broken(b) => {
                                        stop = Some(b);
                                        Err(stop_reading())
                                    }
                                    Chunk::Recheck => {
                                        redo = Some(next_lo);
                                        Err(stop_reading())
                                    }
                                }
                            })
                            .fetch_all(&mut *tx)
                            .await;
                        if let Some(b) = stop {
                            break Some(b);
                        }
                        if redo.is_none() {
                            read?;
                            if next_lo < hi {
                                // Fewer chunks than expected: check the rest row by row.
                                redo = Some(next_lo);
                                saved = st.clone_state();
                            } else {
                                done = hi;
                                continue;
                            }
                        }
                        st.restore(saved);
                    }
                    // The exact path: row by row, for a chunk the fast path could not take (or the
                    // whole log when its numbering is not 1..=max).
                    let (from, to) = match redo {
                        Some(r) => (r, r.saturating_add(CHUNK)),
                        None => (lo, hi),
                    };
                    let read = sqlx::query(sqlx::AssertSqlSafe(exact_sql.clone()))
                        .bind(from)
                        .bind(to)
                        .try_map(|row| match st.exact_row(&row) {
                            Ok(()) => Ok(()),
                            Err(b) => {
                                stop = Some(b);
                                Err(stop_reading())
                            }
                        })
                        .fetch_all(&mut *tx)
                        .await;
                    if let Some(b) = stop {
                        break Some(b);
                    }
                    read?;
                    done = to;
                    if !fast {
                        break None;
                    }
                };
                tx.rollback().await?;
                Ok::<_, StoreError>((broken, head, st))
            }
            .await;
            if !is_pg {
                sqlx::query(SQLITE_MMAP_OFF).execute(&mut *conn).await?;
            }
            let (broken, head, st) = result?;
            if let Some(b) = broken {
                return Ok(Err(b));
            }
            Ok(match pass {
                Pass::Verify => st.verifier.finish(head),
                Pass::ReadOnly => Ok(st.rows),
            })
        })
    }

    /// Benchmark baseline for [`Store::verify_audit`]: the same snapshot, query and decoding of
    /// every entry, without hashing. Returns the number of entries read.
    #[doc(hidden)]
    pub async fn read_audit_unverified(&self) -> Result<u64, StoreError> {
        match self.pass_over_audit(Pass::ReadOnly).await? {
            Ok(n) => Ok(n),
            Err(b) => Err(StoreError::Corrupt(b.to_string())),
        }
    }

    /// Runs raw SQL (several statements allowed). For tests that tamper with the log directly,
    /// and for benchmark scratch tables; never used by the application.
    #[doc(hidden)]
    pub async fn execute_raw_for_tests(&self, sql: &str) -> Result<u64, StoreError> {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        Ok(with_pool!(self, p => sqlx::raw_sql(sql).execute(p).await?.rows_affected()))
    }

    /// Benchmark: creates (`true`) or drops (`false`) the scratch table `bench_plain_write`: the
    /// columns of an audit entry without its chain, and no index but the key.
    #[doc(hidden)]
    pub async fn bench_plain_write_table(&self, create: bool) -> Result<(), StoreError> {
        let sql = match (create, self.is_postgres()) {
            (false, _) => "DROP TABLE IF EXISTS bench_plain_write",
            (true, false) => {
                "CREATE TABLE IF NOT EXISTS bench_plain_write (\
                id INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL, \
                department TEXT, action TEXT NOT NULL, target TEXT, purpose TEXT, \
                request_id TEXT NOT NULL, outcome TEXT NOT NULL, detail TEXT)"
            }
            (true, true) => {
                "CREATE TABLE IF NOT EXISTS bench_plain_write (\
                id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, at TIMESTAMPTZ NOT NULL, \
                actor TEXT NOT NULL, role TEXT NOT NULL, department TEXT, action TEXT NOT NULL, \
                target TEXT, purpose TEXT, request_id TEXT NOT NULL, outcome TEXT NOT NULL, \
                detail TEXT)"
            }
        };
        self.execute_raw_for_tests(sql).await.map(|_| ())
    }

    /// Benchmark: a plain write of an entry's columns as one row of the scratch table
    /// `bench_plain_write` in its own transaction — and, when `audited`, the audit entry
    /// recording it appended in the same transaction (through `audit_in_tx!`).
    #[doc(hidden)]
    pub async fn bench_plain_write(&self, e: &NewEntry, audited: bool) -> Result<(), StoreError> {
        let is_pg = self.is_postgres();
        let sql = "INSERT INTO bench_plain_write (at, actor, role, department, action, target, \
            purpose, request_id, outcome, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
        with_write_pool!(self, p => {
            let mut tx = if is_pg || !audited { p.begin().await? } else { p.begin_with(SQLITE_BEGIN_WRITE).await? };
            sqlx::query(sql)
                .bind(e.at)
                .bind(e.actor.as_str())
                .bind(e.role.as_str())
                .bind(e.department.as_deref())
                .bind(e.action.as_str())
                .bind(e.target.as_deref())
                .bind(e.purpose.as_deref())
                .bind(e.request_id.as_str())
                .bind(e.outcome.as_str())
                .bind(e.detail.as_deref())
                .execute(&mut *tx)
                .await?;
            if audited {
                audit_in_tx!(self, tx, e)?;
            }
            tx.commit().await?;
        });
        Ok(())
    }
}
