//! The bulk path of a collection batch on SQLite (issue 4).
//!
//! sqlx hands every bound value to its connection thread as an owned, reference-counted copy,
//! which SQLite then copies again; for a batch of a million rows that per-value traffic cost
//! more than SQLite's own work. Here a chunk is written through prepared single-row statements
//! on the very connection (and transaction) sqlx holds, via `rusqlite` over the same
//! `libsqlite3-sys`: the values are bound straight from the rows. sqlx's handle stays locked
//! while this runs, so no sqlx statement can interleave, and the transaction — begun, committed
//! or rolled back by sqlx — still makes the batch whole or nothing.

use crate::StoreError;
use crate::records::{
    Chunk, Held, HeldNames, RECORD_COLS, RecordInput, SubjectInput, WriteCtx, classify,
    hold_back_names, hold_for_review, lookup_values, names_wanted, pending_key, pending_reason,
    plan_creation, stale_candidates, wanted_subjects,
};
use chengxin_registry::{CaseKind, Scheme, SubjectStatus};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashMap;

/// Runs `f` on a `rusqlite` view of the connection under `tx`, inside its transaction.
#[allow(unsafe_code)] // the workspace's one unsafe block; see the SAFETY note
pub(crate) async fn with_raw<T>(
    tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    f: impl FnOnce(&Connection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let mut handle = tx.lock_handle().await?;
    let raw = handle.as_raw_handle();
    // SAFETY: `raw` is the live connection sqlx owns; it stays locked to us until `handle`
    // drops, which is after `conn` drops, and `from_handle` never closes it.
    let conn = unsafe { Connection::from_handle(raw.as_ptr()) }?;
    // A chunk takes tens of milliseconds of synchronous work: on the server's multi-threaded
    // runtime, tell the scheduler so that other requests move to another worker meanwhile.
    let out = match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(|| f(&conn)),
        _ => f(&conn),
    };
    drop(conn);
    drop(handle);
    out
}

/// A date as sqlx stores it on SQLite (`%Y-%m-%d`).
fn iso(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.to_string())
}

/// Classifies, resolves subjects for, and writes one chunk of rows.
pub(crate) fn write_chunk(
    conn: &Connection,
    mut chunk: Chunk<'_>,
    rows: Vec<RecordInput>,
) -> Result<(), StoreError> {
    let ctx = chunk.ctx;
    let department = ctx.batch.department.as_str();
    let item = ctx.batch.item.as_str();
    // 1. What is held for these document numbers.
    let mut held: HashMap<String, Held> = HashMap::new();
    if chunk.has_records {
        let mut q = conn.prepare(
            "SELECT id, version, hash, subject_code, subject_name, status FROM records \
             WHERE department = ?1 AND item = ?2 AND doc_no = ?3 AND current = 1",
        )?;
        for r in &rows {
            let found = q
                .query_row(params![department, item, r.doc_no], |row| {
                    Ok(Held {
                        id: row.get(0)?,
                        version: row.get(1)?,
                        hash: row.get(2)?,
                        subject_code: row.get(3)?,
                        subject_name: row.get(4)?,
                        status: row.get(5)?,
                    })
                })
                .optional()?;
            if let Some(h) = found {
                held.insert(r.doc_no.clone(), h);
            }
        }
    }
    // 1b. Earlier versions these rows repeat.
    let mut earlier: HashMap<String, (i64, i64)> = HashMap::new();
    let wanted = stale_candidates(&rows, &held);
    if !wanted.is_empty() {
        let mut q = conn.prepare(
            "SELECT version, batch_id FROM records WHERE department = ?1 AND item = ?2 \
             AND doc_no = ?3 AND hash = ?4 AND current = 0 ORDER BY version DESC LIMIT 1",
        )?;
        for (doc, hash) in wanted {
            let found = q
                .query_row(params![department, item, doc, hash], |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })
                .optional()?;
            if let Some(v) = found {
                earlier.insert(doc.to_string(), v);
            }
        }
    }
    // 2. Classify.
    let (to_write, superseded) = classify(rows, &held, &earlier, chunk.summary, chunk.refused);
    if to_write.is_empty() {
        return Ok(());
    }
    // 3. Subjects.
    let text = BatchText::of(ctx);
    resolve_subjects(
        conn,
        &to_write,
        &text,
        chunk.summary,
        chunk.subjects,
        chunk.names,
    )?;
    // 3b. The names the subjects of new decisions have held (a name that is none of them is
    // refused, see `check_names`).
    let wanted = names_wanted(&chunk, &to_write);
    if !wanted.is_empty() {
        let mut q = conn.prepare(crate::records::HELD_NAMES)?;
        for id in wanted {
            let mut found = q.query([id])?;
            let mut names = HeldNames::default();
            while let Some(row) = found.next()? {
                let name: String = row.get(0)?;
                names.add(&name);
            }
            chunk.names.insert(id, names);
        }
    }
    let mut superseded = superseded;
    let (to_write, held_back) = hold_back_names(&mut chunk, to_write, &mut superseded, &held);
    if !held_back.is_empty() {
        let mut q = conn.prepare("SELECT name, kind FROM subjects WHERE id = ?1")?;
        for (r, id, _) in &held_back {
            let registered: Option<(String, String)> = q
                .query_row([id], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?;
            let case = hold_for_review(r, *id, registered, chunk.refused, chunk.ctx.batch);
            conn.execute(
                crate::records::OPEN_NAME_CASE_ONCE,
                params![
                    CaseKind::NameMismatch.as_str(),
                    case.scheme.as_str(),
                    case.code,
                    case.subject_id,
                    case.detail,
                    case.payload,
                    text.recorded_at,
                    text.actor,
                ],
            )?;
        }
    }
    // 4. Supersede changed records, then write the new versions.
    // Superseded versions under objection or repaired pass that on (see `CARRY_FLAGS`).
    let mut up = conn.prepare(crate::records::SUPERSEDE)?;
    let mut flagged: Vec<i64> = Vec::new();
    for id in &superseded {
        if up.query_row([id], |row| row.get::<_, bool>(0))? {
            flagged.push(*id);
        }
    }
    let placeholders: Vec<String> = (1..=RECORD_COLS.split(',').count())
        .map(|i| format!("?{i}"))
        .collect();
    let mut ins = conn.prepare(&format!(
        "INSERT INTO records ({RECORD_COLS}) VALUES ({})",
        placeholders.join(", ")
    ))?;
    for (r, version) in &to_write {
        let subject_id = chunk
            .subjects
            .get(&(r.subject.scheme, r.subject.code.clone()))
            .copied()
            .unwrap_or_default();
        ins.execute(params![
            item,
            department,
            r.doc_no,
            version,
            1_i64,
            ctx.id,
            i64::try_from(r.row_no).unwrap_or(i64::MAX),
            ctx.batch.catalog_version,
            subject_id,
            r.subject.name,
            r.subject.code,
            r.decision_date.to_string(),
            r.status,
            r.severity,
            iso(r.publish_from),
            iso(r.min_until),
            iso(r.publish_until),
            text.received_on,
            r.on_time.map(i64::from),
            i64::from(r.filled_optional),
            i64::from(r.applicable_optional),
            r.fields_json,
            r.hash,
            text.recorded_at,
        ])?;
    }
    for id in flagged {
        conn.execute(crate::records::CARRY_FLAGS, [id])?;
    }
    Ok(())
}

/// The batch's values a chunk writes as text, formatted once per chunk as sqlx would store them
/// on SQLite (dates `%Y-%m-%d`, times RFC 3339).
struct BatchText {
    batch_id: i64,
    received_on: String,
    recorded_at: String,
    actor: String,
}

impl BatchText {
    fn of(ctx: &WriteCtx<'_>) -> BatchText {
        BatchText {
            batch_id: ctx.id,
            received_on: ctx.batch.received_on.to_string(),
            recorded_at: ctx
                .recorded_at
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false),
            actor: ctx.batch.submitted_by.clone(),
        }
    }
}

/// Finds the subject of every row to write by any of its codes, creating pending subjects
/// (待核实) for codes nobody holds. Adds (scheme, code) → subject id to `out`.
fn resolve_subjects(
    conn: &Connection,
    rows: &[(RecordInput, i64)],
    pc: &BatchText,
    summary: &mut crate::BatchSummary,
    out: &mut HashMap<(Scheme, String), i64>,
    names: &mut HashMap<i64, HeldNames>,
) -> Result<(), StoreError> {
    let wanted = wanted_subjects(rows, out);
    if wanted.is_empty() {
        return Ok(());
    }
    let mut held: HashMap<(Scheme, String), i64> = HashMap::new();
    let mut q =
        conn.prepare("SELECT scheme, subject_id FROM subject_identifiers WHERE value = ?1")?;
    for value in lookup_values(&wanted) {
        let mut found = q.query([&value])?;
        while let Some(row) = found.next()? {
            let scheme: String = row.get(0)?;
            if let Some(s) = Scheme::parse(&scheme) {
                held.insert((s, value.clone()), row.get(1)?);
            }
        }
    }
    let (create, later) = plan_creation(&wanted, &held, out);
    if create.is_empty() {
        return Ok(());
    }
    let (reason, source) = pending_reason(pc.batch_id);
    let cols = "version, kind, status, name, uscc, org_code, reg_no, tax_no, citizen_id, \
        person_doc, valid_from, recorded_at, recorded_by, reason, source";
    let values = "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16";
    let mut ins_subject = conn.prepare(&format!(
        "INSERT INTO subjects (key, {cols}) VALUES (?1, {values})"
    ))?;
    let mut ins_version = conn.prepare(&format!(
        "INSERT INTO subject_versions (subject_id, {cols}) VALUES (?1, {values})"
    ))?;
    let mut ins_ident = conn.prepare(
        "INSERT INTO subject_identifiers (subject_id, scheme, value) VALUES (?1, ?2, ?3)",
    )?;
    let pending = SubjectStatus::Pending.as_str();
    let mut new_ids: Vec<i64> = Vec::with_capacity(create.len());
    for (s, ids) in &create {
        let s: &SubjectInput = s;
        let code = |sc: Scheme| s.code_under(sc, ids);
        // Version 1 of a pending subject holding the row's name and code: the subject's
        // current row, then its history row, with the same values.
        macro_rules! version_one {
            ($first:expr) => {
                params![
                    $first,
                    1_i64,
                    s.kind.as_str(),
                    pending,
                    s.name,
                    code(Scheme::Uscc),
                    code(Scheme::Org),
                    code(Scheme::Regno),
                    code(Scheme::TaxNo),
                    code(Scheme::CitizenId),
                    code(Scheme::PersonDoc),
                    pc.received_on,
                    pc.recorded_at,
                    pc.actor,
                    reason,
                    source,
                ]
            };
        }
        ins_subject.execute(version_one!(pending_key(s)))?;
        let id = conn.last_insert_rowid();
        ins_version.execute(version_one!(id))?;
        for (scheme, value) in ids {
            ins_ident.execute(params![id, scheme.as_str(), value])?;
        }
        new_ids.push(id);
        names.insert(id, HeldNames::new(&s.name));
    }
    summary.pending_subjects += new_ids.len() as u64;
    for (key, i) in later {
        if let Some(id) = new_ids.get(i) {
            out.insert(key, *id);
        }
    }
    Ok(())
}

/// `bench_raw` filled from `rx` with one prepared single-row `INSERT` of text values, in one
/// transaction: the raw baseline of the collection benchmark, written the way the batch's bulk
/// path writes (the same binding, the same statement reuse).
pub(crate) async fn raw_insert(
    tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    cols: &[String],
    rx: &mut tokio::sync::mpsc::Receiver<Vec<Vec<String>>>,
) -> Result<u64, StoreError> {
    let placeholders: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
    let sql = format!(
        "INSERT INTO bench_raw ({}) VALUES ({})",
        cols.join(", "),
        placeholders.join(", ")
    );
    let width = cols.len();
    let mut n = 0u64;
    while let Some(chunk) = rx.recv().await {
        let sql = sql.as_str();
        n += with_raw(tx, move |conn| {
            let mut st = conn.prepare(sql)?;
            for row in &chunk {
                let cells = (0..width).map(|i| row.get(i).map_or("", String::as_str));
                st.execute(rusqlite::params_from_iter(cells))?;
            }
            Ok(chunk.len() as u64)
        })
        .await?;
    }
    Ok(n)
}
