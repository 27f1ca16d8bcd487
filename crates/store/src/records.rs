//! Catalog versions, collection batches and records on both backends (issue 4).
//!
//! A batch is written through a [`BatchWriter`]: one database transaction from
//! [`Store::begin_batch`] to [`BatchWriter::commit`], so that a batch commits whole or not at all —
//! an error, a dropped writer or a killed process leaves no row of it behind (the database rolls
//! the open transaction back). Rows are buffered and written in chunks: on SQLite as multi-row
//! `INSERT`s, on PostgreSQL with `COPY … FROM STDIN`.
//!
//! Idempotency. The same decision — department, catalog item and document number (文书号) — is
//! one record. A row whose normalised content hashes to the current version's hash changes nothing
//! and is counted `unchanged`; a different hash adds version n+1, linked to this batch, and clears
//! `current` on version n. Nothing is deleted: a revocation (撤销) or 无效 state is a new version
//! with that status, which takes the record off the portal and keeps its history.
//!
//! Subjects. A row's subject is found by any of its codes (`subject_identifiers`); a valid code
//! no subject holds yet creates a subject with status 待核实 (pending) carrying the row's name and
//! code, in the same transaction.
//!
//! Concurrency. On SQLite the batch holds the database's write lock from its first statement
//! (`BEGIN IMMEDIATE`) to commit; other writers wait up to the busy timeout. On PostgreSQL
//! batches of different departments run side by side; two batches of the same department and
//! item are serialised by a transaction-scoped advisory lock.

use crate::cases::CaseStatus;
use crate::{Store, StoreError, with_pool, with_write_pool};
use chengxin_registry::{CaseKind, Scheme, SubjectKind, SubjectStatus};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;

/// Rows per lookup-and-write chunk.
const CHUNK: usize = 2_000;

/// The connection's default page cache, restored at the end of bulk work (see
/// `Store::begin_sqlite_bulk`).
const SQLITE_CACHE_RESET: &str = "PRAGMA cache_size = -2000";

pub(crate) const RECORD_COLS: &str = "item, department, doc_no, version, current, batch_id, row_no, \
    catalog_version, subject_id, subject_name, subject_code, decision_date, status, severity, \
    publish_from, min_until, publish_until, received_on, on_time, filled_optional, \
    applicable_optional, fields, hash, recorded_at";

/// A batch about to be written.
#[derive(Clone, Debug)]
pub struct NewBatch {
    pub item: String,
    pub catalog_version: i64,
    /// The USCC of the reporting department (数据来源单位); it must be registered.
    pub department: String,
    pub file_name: String,
    pub format: String,
    pub encoding: Option<String>,
    pub file_sha256: String,
    pub submitted_by: String,
    pub received_at: DateTime<Utc>,
    /// The calendar day of receipt in China (UTC+8), for the 7-working-day rule.
    pub received_on: NaiveDate,
    /// The field codes its records' fields are aligned with, when they are written as arrays
    /// ([`fields_array`]); `None`: each record's fields are a JSON object.
    pub field_layout: Option<Vec<String>>,
}

/// The subject a row is about, as the row names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubjectInput {
    pub name: String,
    pub kind: SubjectKind,
    pub scheme: Scheme,
    /// The normalised code under `scheme`.
    pub code: String,
    /// The row's other codes of the subject (a registration number beside the USCC), found by
    /// and kept as identifiers of a subject created from the row.
    pub also: Vec<(Scheme, String)>,
}

impl SubjectInput {
    /// The code under `scheme` a pending subject created from the row is written with: the row's
    /// own, or one of `also` the subject keeps (`kept`: its identifiers, [`plan_creation`]).
    pub(crate) fn code_under<'a>(
        &'a self,
        scheme: Scheme,
        kept: &[(Scheme, String)],
    ) -> Option<&'a str> {
        if self.scheme == scheme {
            return Some(&self.code);
        }
        self.also
            .iter()
            .find(|id| id.0 == scheme && kept.contains(id))
            .map(|(_, c)| c.as_str())
    }
}

/// One accepted row, validated against the catalog.
#[derive(Clone, Debug)]
pub struct RecordInput {
    pub row_no: u64,
    /// The physical line (or sheet row) the row was read from, for a refusal's report.
    pub line: u64,
    pub doc_no: String,
    pub subject: SubjectInput,
    pub decision_date: NaiveDate,
    /// `valid`, `revoked` or `invalid`.
    pub status: String,
    pub severity: Option<String>,
    /// First day on the portal; `None` when the record is not published.
    pub publish_from: Option<NaiveDate>,
    /// The earliest day a repair may end publication (36号令 minimum period).
    pub min_until: Option<NaiveDate>,
    /// The last day on the portal; `None` for no end.
    pub publish_until: Option<NaiveDate>,
    /// Reported within 7 working days of the decision; `None` when the calendar has no data.
    pub on_time: Option<bool>,
    pub filled_optional: u16,
    /// How many optional fields apply to the subject (the completeness denominator).
    pub applicable_optional: u16,
    /// The row's fields (field code → normalised value): a JSON array aligned with the batch's
    /// [`NewBatch::field_layout`] ([`fields_array`]), or a JSON object.
    pub fields_json: String,
    /// Hex SHA-256 of the canonical fields.
    pub hash: String,
}

/// When [`Store::import_catalog`] stores a catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CatalogImport {
    /// Always, as the next version.
    Always,
    /// Only into a store that holds no catalog yet (the built-in default on first use).
    IfNone,
    /// Only when it differs from the newest version (rendered with that version's number).
    IfChanged,
}

/// One refused row, by field and rule (a row can have several).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Rejection {
    /// The data row (1 = the first row under the header); `row` in JSON, as in the CSV report.
    #[serde(rename = "row")]
    pub row_no: u64,
    pub line: u64,
    pub field: String,
    pub rule: String,
    pub message: String,
}

/// What a committed batch did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct BatchSummary {
    pub batch: i64,
    /// Data rows read (blank rows excluded).
    pub rows: u64,
    /// Rows stored: new records plus new versions of changed ones.
    pub accepted: u64,
    /// Of `accepted`, the new versions of records that existed.
    pub changed: u64,
    /// Rows identical to what is held (or repeated inside the batch).
    pub unchanged: u64,
    /// Rows refused (see the rejections report).
    pub rejected: u64,
    /// Of `rejected`, rows held for duplicate/wrong-code review (a USCC failing its check).
    pub review: u64,
    /// Blank rows skipped.
    pub blank: u64,
    /// Subjects created as 待核实 (pending) from rows naming a code nobody holds yet.
    pub pending_subjects: u64,
    /// Subjects a 登记注册 batch renamed (their former names stay names they have held).
    #[serde(skip_serializing_if = "is_zero")]
    pub renamed: u64,
    /// Open 名称与代码不符 cases this batch closed as corrected: it stored their held decisions
    /// under the subjects' registered names.
    #[serde(skip_serializing_if = "is_zero")]
    pub cases_corrected: u64,
    /// Rows above the header taken as the sheet's title and skipped (a file's own words, such
    /// as 「行政处罚信息公示表」); kept with the batch ([`BatchInfo::titles`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub titles: Vec<TitleRow>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A row above a file's header holding one cell of text: the sheet's title or a note such as
/// 「填报单位：…」, skipped rather than taken for the header.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TitleRow {
    /// The physical line (Excel row) it was on.
    pub line: u64,
    pub text: String,
}

/// A committed batch as stored.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct BatchInfo {
    pub id: i64,
    pub item: String,
    pub catalog_version: i64,
    pub department: String,
    pub file_name: String,
    pub format: String,
    pub encoding: Option<String>,
    pub file_sha256: String,
    pub received_at: DateTime<Utc>,
    pub received_on: NaiveDate,
    pub submitted_by: String,
    #[sqlx(rename = "rows_total")]
    pub rows: i64,
    pub accepted: i64,
    pub changed: i64,
    pub unchanged: i64,
    pub rejected: i64,
    pub review: i64,
    pub blank: i64,
    /// Rows above the header skipped as the sheet's title (migration 0011).
    #[sqlx(try_from = "String")]
    pub titles: Titles,
}

/// A batch's title rows as stored: a JSON array of [`TitleRow`].
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct Titles(pub Vec<TitleRow>);

impl TryFrom<String> for Titles {
    type Error = serde_json::Error;

    fn try_from(s: String) -> Result<Titles, serde_json::Error> {
        serde_json::from_str(&s).map(Titles)
    }
}

/// One version of a record.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct StoredRecord {
    pub id: i64,
    pub item: String,
    pub department: String,
    pub doc_no: String,
    pub version: i64,
    pub current: bool,
    pub batch_id: i64,
    pub row_no: i64,
    pub catalog_version: i64,
    pub subject_id: i64,
    pub subject_name: String,
    pub subject_code: String,
    pub decision_date: NaiveDate,
    pub status: String,
    pub severity: Option<String>,
    pub publish_from: Option<NaiveDate>,
    pub min_until: Option<NaiveDate>,
    pub publish_until: Option<NaiveDate>,
    pub received_on: NaiveDate,
    pub on_time: Option<bool>,
    pub filled_optional: i64,
    /// Field code → value, unmasked: mask before showing it to anyone but authorised staff.
    pub fields: serde_json::Map<String, serde_json::Value>,
    pub hash: String,
    pub recorded_at: DateTime<Utc>,
    /// The day an approved credit repair ended its publication (国家发展改革委令第36号 第三条):
    /// off the portal from then on, kept in history.
    pub repaired_on: Option<NaiveDate>,
    /// An objection about it is under verification (核查中, 国发〔2016〕33号 (二十二)).
    pub under_verification: bool,
    /// Its subject is shown to the public as a person
    /// ([`chengxin_registry::SubjectData::shown_as_person`]): name masked, not found by name.
    pub party_shown_as_person: bool,
}

#[derive(sqlx::FromRow)]
struct RecordRow {
    id: i64,
    item: String,
    department: String,
    doc_no: String,
    version: i64,
    current: i64,
    batch_id: i64,
    row_no: i64,
    catalog_version: i64,
    subject_id: i64,
    subject_name: String,
    subject_code: String,
    decision_date: NaiveDate,
    status: String,
    severity: Option<String>,
    publish_from: Option<NaiveDate>,
    min_until: Option<NaiveDate>,
    publish_until: Option<NaiveDate>,
    received_on: NaiveDate,
    on_time: Option<i64>,
    filled_optional: i64,
    fields: String,
    hash: String,
    recorded_at: DateTime<Utc>,
    repaired_on: Option<NaiveDate>,
    under_verification: i64,
    party_shown_as_person: Option<i64>,
    /// The batch's field layout (see [`fields_array`]); `None` for fields stored as an object.
    field_layout: Option<String>,
}

impl StoredRecord {
    /// Whether the record is on the portal on `today`: current, valid, inside its publication
    /// window — the same rule as the filter of [`Store::publicity`].
    pub fn on_show(&self, today: NaiveDate) -> bool {
        self.current
            && self.status == "valid"
            && self.publish_from.is_some_and(|f| f <= today)
            && self.publish_until.is_none_or(|u| u >= today)
            && self.repaired_on.is_none_or(|r| r > today)
    }
}

impl RecordRow {
    fn into_record(self) -> Result<StoredRecord, StoreError> {
        let fields = fields_object(&self.fields, self.field_layout.as_deref())
            .map_err(|why| StoreError::Corrupt(format!("record {}: fields: {why}", self.id)))?;
        Ok(StoredRecord {
            id: self.id,
            item: self.item,
            department: self.department,
            doc_no: self.doc_no,
            version: self.version,
            current: self.current != 0,
            batch_id: self.batch_id,
            row_no: self.row_no,
            catalog_version: self.catalog_version,
            subject_id: self.subject_id,
            subject_name: self.subject_name,
            subject_code: self.subject_code,
            decision_date: self.decision_date,
            status: self.status,
            severity: self.severity,
            publish_from: self.publish_from,
            min_until: self.min_until,
            publish_until: self.publish_until,
            received_on: self.received_on,
            on_time: self.on_time.map(|v| v != 0),
            filled_optional: self.filled_optional,
            fields,
            hash: self.hash,
            recorded_at: self.recorded_at,
            repaired_on: self.repaired_on,
            under_verification: self.under_verification != 0,
            party_shown_as_person: self.party_shown_as_person != Some(0),
        })
    }
}

/// A row's fields as a JSON array of values aligned with `layout` (the catalog item's field codes
/// in schema order): `null` where the row has no value, trailing `null`s left out. Against an
/// object it leaves out every field code, about 40 % of a penalty record's fields (migration
/// 0014). `fields` must be in `layout`'s order, each code at most once, as a row checked against
/// the catalog has them; otherwise `None`, and the caller keeps the object form.
pub fn fields_array(layout: &[String], fields: &[(String, String)]) -> Option<String> {
    let mut values: Vec<Option<&str>> = Vec::with_capacity(layout.len());
    let mut next = fields.iter().peekable();
    for code in layout {
        match next.peek() {
            Some((c, v)) if c == code => {
                values.push(Some(v.as_str()));
                next.next();
            }
            _ => values.push(None),
        }
    }
    if next.next().is_some() {
        return None;
    }
    while values.last() == Some(&None) {
        values.pop();
    }
    serde_json::to_string(&values).ok()
}

/// A record's stored fields as field code → value: an object as stored, or an array
/// ([`fields_array`]) read against its batch's `layout` (a JSON array of field codes).
pub fn fields_object(
    stored: &str,
    layout: Option<&str>,
) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    let codes: Option<Vec<String>> = layout
        .map(serde_json::from_str)
        .transpose()
        .map_err(|e| format!("the batch's field layout is not an array of codes: {e}"))?;
    fields_in_layout(stored, codes.as_deref())
}

/// [`fields_object`] with the layout's codes.
fn fields_in_layout(
    stored: &str,
    codes: Option<&[String]>,
) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    match serde_json::from_str(stored) {
        Ok(serde_json::Value::Object(m)) => Ok(m),
        Ok(serde_json::Value::Array(values)) => {
            let codes = codes.ok_or("an array of values, but its batch has no field layout")?;
            if values.len() > codes.len() {
                return Err(format!(
                    "{} values for a layout of {} fields",
                    values.len(),
                    codes.len()
                ));
            }
            Ok(codes
                .iter()
                .cloned()
                .zip(values)
                .filter(|(_, v)| !v.is_null())
                .collect())
        }
        Ok(_) => Err("neither a JSON object nor an array".into()),
        Err(e) => Err(format!("not JSON: {e}")),
    }
}

/// The columns of a [`RecordRow`], with whether its subject is shown as a person
/// ([`chengxin_registry::shown_as_person_sql`] over alias `p`, checked by a test).
const RECORD_SELECT: &str = "SELECT id, item, department, doc_no, version, current, batch_id, \
    row_no, catalog_version, subject_id, subject_name, subject_code, decision_date, status, \
    severity, publish_from, min_until, publish_until, received_on, on_time, filled_optional, \
    fields, hash, recorded_at, repaired_on, under_verification, \
    (SELECT b.field_layout FROM batches b WHERE b.id = records.batch_id) AS field_layout, \
    (SELECT CASE WHEN (p.kind = 'natural_person' OR (p.kind = 'individual_business' \
    AND p.uscc IS NULL AND p.reg_no IS NULL AND p.org_code IS NULL)) THEN CAST(1 AS BIGINT) ELSE CAST(0 AS BIGINT) END \
    FROM subjects p WHERE p.id = records.subject_id) AS party_shown_as_person FROM records";

const BATCH_SELECT: &str = "SELECT id, item, catalog_version, department, file_name, format, \
    encoding, file_sha256, received_at, received_on, submitted_by, rows_total, accepted, changed, \
    unchanged, rejected, review, blank, titles FROM batches";

/// Which public list of records to read.
#[derive(Clone, Debug, Default)]
pub struct PublicityQuery {
    pub item: String,
    /// A document number (exact), or an organisation's name fragment or code (exact); natural
    /// persons are never matched.
    pub text: Option<String>,
    /// `text` as a document number is stored (`chengxin_catalog::normalize_doc_no`), when the
    /// caller normalised it; `text` itself otherwise.
    pub doc_no: Option<String>,
    pub department: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub limit: i64,
    pub offset: i64,
    /// Only records that entered under one of these catalog versions (`None`: any). The server
    /// passes the versions under which the item was disclosed publicly, so that a record
    /// collected while its item was not public never becomes public by a later catalog.
    pub catalog_versions: Option<Vec<i64>>,
}

/// A catalog version as stored.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct CatalogVersion {
    pub version: i64,
    pub title: String,
    /// The catalog as JSON.
    pub body: String,
    pub imported_at: DateTime<Utc>,
    pub imported_by: String,
    pub source: String,
}

/// Quality figures of one department and item over a period (issue 4 §5).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Quality {
    pub department: String,
    pub item: String,
    pub batches: i64,
    pub received: i64,
    pub accepted: i64,
    pub unchanged: i64,
    pub rejected: i64,
    /// Rows held for wrong-code review.
    pub wrong_code: i64,
    /// Rejections per rule (a row refused for two rules counts under both).
    pub rejected_by_rule: Vec<(String, i64)>,
    /// First versions stored in the period whose timeliness could be judged.
    pub timed: i64,
    pub on_time: i64,
    /// Sum over stored first versions of optional fields filled.
    pub optional_filled: i64,
    /// Sum over stored first versions of the optional fields that apply to their subjects.
    pub optional_applicable: i64,
    /// First versions stored before the applicable count was recorded (migration 0009): each
    /// counts against all the item's optional fields.
    pub optional_unrecorded: i64,
    /// Number of stored first versions.
    pub first_versions: i64,
}

impl Store {
    /// Stores a catalog as the next version and returns its number and whether it was stored.
    /// `body` renders the catalog (JSON) given a version number, inside the transaction that
    /// assigns it; `when` says whether to store it at all, decided in that same transaction, so
    /// that two processes starting at once do not both store the default catalog, nor one file
    /// twice.
    pub async fn import_catalog(
        &self,
        title: &str,
        body: impl Fn(i64) -> String,
        actor: &str,
        source: &str,
        when: CatalogImport,
    ) -> Result<(i64, bool), StoreError> {
        let is_pg = self.is_postgres();
        let now = crate::now();
        with_write_pool!(self, p => {
            let mut tx = if is_pg { p.begin().await? } else { p.begin_with(crate::audit::SQLITE_BEGIN_WRITE).await? };
            if is_pg {
                sqlx::query("LOCK TABLE catalog_versions IN EXCLUSIVE MODE").execute(&mut *tx).await?;
            }
            let latest: Option<(i64, String)> = sqlx::query_as(
                "SELECT version, body FROM catalog_versions ORDER BY version DESC LIMIT 1",
            )
            .fetch_optional(&mut *tx)
            .await?;
            if let Some((v, stored)) = &latest {
                let skip = match when {
                    CatalogImport::Always => false,
                    CatalogImport::IfNone => true,
                    CatalogImport::IfChanged => body(*v) == *stored,
                };
                if skip {
                    return Ok((*v, false));
                }
            }
            let version = latest.map_or(0, |(v, _)| v) + 1;
            let body = body(version);
            sqlx::query("INSERT INTO catalog_versions (version, title, body, imported_at, imported_by, source) \
                         VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(version).bind(title).bind(&body).bind(now).bind(actor).bind(source)
                .execute(&mut *tx)
                .await?;
            let entry = self.write_entry(actor, "catalog.import", Some(&format!("catalog:{version}")),
                chengxin_audit::Outcome::Allowed, Some(title.to_string()), source);
            crate::audit::audit_in_tx!(self, tx, &entry)?;
            tx.commit().await?;
            Ok((version, true))
        })
    }

    /// The newest catalog version, if any was stored.
    pub async fn latest_catalog(&self) -> Result<Option<CatalogVersion>, StoreError> {
        self.catalog_version(None).await
    }

    /// A catalog version (`None`: the newest).
    pub async fn catalog_version(
        &self,
        version: Option<i64>,
    ) -> Result<Option<CatalogVersion>, StoreError> {
        let sql = "SELECT version, title, body, imported_at, imported_by, source FROM catalog_versions \
                   WHERE version = coalesce($1, (SELECT max(version) FROM catalog_versions))";
        Ok(with_pool!(self, p => sqlx::query_as(sql).bind(version).fetch_optional(p).await?))
    }

    /// Every catalog version, newest first.
    pub async fn catalog_versions(&self) -> Result<Vec<CatalogVersion>, StoreError> {
        let sql = "SELECT version, title, body, imported_at, imported_by, source FROM catalog_versions \
                   ORDER BY version DESC";
        Ok(with_pool!(self, p => sqlx::query_as(sql).fetch_all(p).await?))
    }

    /// A write transaction for bulk work on SQLite's writer connection (`BEGIN IMMEDIATE`) with
    /// a 64 MB page cache for the index inserts — set back with [`SQLITE_CACHE_RESET`] before
    /// commit — and temporary files in memory. Batches and the raw-insert baseline use it alike.
    async fn begin_sqlite_bulk(
        &self,
        read_pool: &sqlx::SqlitePool,
    ) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, StoreError> {
        let p = self.writer.as_ref().unwrap_or(read_pool);
        let mut tx = p.begin_with(crate::audit::SQLITE_BEGIN_WRITE).await?;
        sqlx::query("PRAGMA cache_size = -65536")
            .execute(&mut *tx)
            .await?;
        sqlx::query("PRAGMA temp_store = MEMORY")
            .execute(&mut *tx)
            .await?;
        Ok(tx)
    }

    /// Opens a batch: one transaction until [`BatchWriter::commit`]. Refused when the department
    /// is not registered.
    pub async fn begin_batch(&self, batch: NewBatch) -> Result<BatchWriter, StoreError> {
        if self.department(&batch.department).await?.is_none() {
            return Err(StoreError::NotFound(format!(
                "registered department {} (register it first: chengxin departments add CODE NAME)",
                batch.department
            )));
        }
        let is_pg = self.is_postgres();
        let mut tx = match &self.pool {
            crate::Pool::Sqlite(p) => Tx::Sqlite(self.begin_sqlite_bulk(p).await?),
            crate::Pool::Postgres(p) => {
                let mut tx = p.begin().await?;
                // The batch's statements run over tables that grow inside this very transaction,
                // whose statistics know nothing of the new rows: planned on those guesses, a
                // lookup's cost estimate can pass the JIT threshold, and compiling it then costs
                // more than running it (tens of milliseconds on every chunk).
                sqlx::query("SET LOCAL jit = off").execute(&mut *tx).await?;
                sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
                    .bind(format!("batch:{}:{}", batch.department, batch.item))
                    .execute(&mut *tx)
                    .await?;
                Tx::Pg(tx)
            }
        };
        let sql = "INSERT INTO batches (item, catalog_version, department, file_name, format, \
            encoding, file_sha256, received_at, received_on, submitted_by, rows_total, accepted, \
            changed, unchanged, rejected, review, blank, field_layout) \
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, 0, 0, 0, 0, 0, 0, $11) RETURNING id";
        let layout = batch
            .field_layout
            .as_ref()
            .map(|codes| serde_json::Value::from(codes.clone()).to_string());
        let (id, has_records): (i64, bool) = with_tx!((&mut tx), t => {
            let id: i64 = sqlx::query_scalar(sql)
                .bind(&batch.item)
                .bind(batch.catalog_version)
                .bind(&batch.department)
                .bind(&batch.file_name)
                .bind(&batch.format)
                .bind(batch.encoding.as_deref())
                .bind(&batch.file_sha256)
                .bind(chrono::SubsecRound::trunc_subsecs(batch.received_at, 6))
                .bind(batch.received_on)
                .bind(&batch.submitted_by)
                .bind(layout.as_deref())
                .fetch_one(&mut **t)
                .await?;
            let any: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM records WHERE department = $1 AND item = $2 LIMIT 1",
            )
            .bind(&batch.department)
            .bind(&batch.item)
            .fetch_optional(&mut **t)
            .await?;
            (id, any.is_some())
        });
        Ok(BatchWriter {
            store: self.clone(),
            tx: Some(tx),
            is_pg,
            batch,
            id,
            has_records,
            pending: Vec::with_capacity(CHUNK),
            rejections: Vec::new(),
            rejection_seq: 0,
            kept: Vec::new(),
            keep: 1,
            subjects: HashMap::new(),
            names: HashMap::new(),
            renames: None,
            summary: BatchSummary {
                batch: id,
                ..BatchSummary::default()
            },
            recorded_at: crate::now(),
            refused: Refused::default(),
        })
    }

    /// A committed batch.
    pub async fn batch(&self, id: i64) -> Result<Option<BatchInfo>, StoreError> {
        let sql = format!("{BATCH_SELECT} WHERE id = $1");
        Ok(
            with_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await?),
        )
    }

    /// Committed batches, newest first, optionally of one department.
    pub async fn batches(
        &self,
        department: Option<&str>,
        limit: i64,
    ) -> Result<Vec<BatchInfo>, StoreError> {
        let sql = format!(
            "{BATCH_SELECT} WHERE ($1 IS NULL OR department = $1) ORDER BY id DESC LIMIT $2"
        );
        Ok(
            with_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(department).bind(limit).fetch_all(p).await?),
        )
    }

    /// The rejected-rows report of a batch, in row order.
    pub async fn batch_rejections(&self, id: i64) -> Result<Vec<Rejection>, StoreError> {
        let sql = "SELECT row_no, line, field, rule, message FROM batch_rejections \
                   WHERE batch_id = $1 ORDER BY row_no, seq";
        let rows: Vec<(i64, i64, String, String, String)> =
            with_pool!(self, p => sqlx::query_as(sql).bind(id).fetch_all(p).await?);
        Ok(rows
            .into_iter()
            .map(|r| Rejection {
                row_no: u64::try_from(r.0).unwrap_or_default(),
                line: u64::try_from(r.1).unwrap_or_default(),
                field: r.2,
                rule: r.3,
                message: r.4,
            })
            .collect())
    }

    /// The current version of a decision, if held.
    pub async fn record(
        &self,
        department: &str,
        item: &str,
        doc_no: &str,
    ) -> Result<Option<StoredRecord>, StoreError> {
        let sql = format!(
            "{RECORD_SELECT} WHERE department = $1 AND item = $2 AND doc_no = $3 AND current = 1"
        );
        let row: Option<RecordRow> = with_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(department).bind(item).bind(doc_no).fetch_optional(p).await?);
        row.map(RecordRow::into_record).transpose()
    }

    /// Every version of a decision, oldest first.
    pub async fn record_history(
        &self,
        department: &str,
        item: &str,
        doc_no: &str,
    ) -> Result<Vec<StoredRecord>, StoreError> {
        let sql = format!(
            "{RECORD_SELECT} WHERE department = $1 AND item = $2 AND doc_no = $3 ORDER BY version"
        );
        let rows: Vec<RecordRow> = with_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(department).bind(item).bind(doc_no).fetch_all(p).await?);
        rows.into_iter().map(RecordRow::into_record).collect()
    }

    /// A record version by id.
    pub async fn record_by_id(&self, id: i64) -> Result<Option<StoredRecord>, StoreError> {
        let sql = format!("{RECORD_SELECT} WHERE id = $1");
        let row: Option<RecordRow> = with_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id).fetch_optional(p).await?);
        row.map(RecordRow::into_record).transpose()
    }

    /// Current records of a subject, newest decision first (publication not applied).
    pub async fn subject_records(
        &self,
        subject_id: i64,
        item: Option<&str>,
    ) -> Result<Vec<StoredRecord>, StoreError> {
        let sql = format!(
            "{RECORD_SELECT} WHERE subject_id = $1 AND current = 1 AND ($2 IS NULL OR item = $2) \
             ORDER BY decision_date DESC, id DESC"
        );
        let rows: Vec<RecordRow> = with_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(subject_id).bind(item).fetch_all(p).await?);
        rows.into_iter().map(RecordRow::into_record).collect()
    }

    /// Every version of every record of a subject: current and superseded, any status, any
    /// publication window — newest decision first, then each decision's latest version first.
    /// Withdrawal from the portal (a status, the end of the window, a repair under
    /// 国家发展改革委令第36号) is applied when the portal reads, never by deleting, so this is the
    /// whole history; [`StoredRecord::showing`] says why each version is or is not on show.
    pub async fn subject_record_versions(
        &self,
        subject_id: i64,
    ) -> Result<Vec<StoredRecord>, StoreError> {
        let sql = format!(
            "{RECORD_SELECT} WHERE subject_id = $1 \
             ORDER BY decision_date DESC, department, item, doc_no, version DESC, id DESC"
        );
        let rows: Vec<RecordRow> = with_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(subject_id).fetch_all(p).await?);
        rows.into_iter().map(RecordRow::into_record).collect()
    }

    /// Records of an item on public show on `today`: current, status valid, inside their
    /// publication window. Returns the page and the total number matching.
    pub async fn publicity(
        &self,
        q: &PublicityQuery,
        today: NaiveDate,
    ) -> Result<(Vec<StoredRecord>, i64), StoreError> {
        let text = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty());
        // `%`, `_` and `\` in the text are themselves, not wildcards.
        let like = text.map(crate::subjects::like_pattern);
        let code = text.map(|t| chengxin_codes::normalize(t).into_owned());
        let doc_no = text.map(|t| q.doc_no.as_deref().unwrap_or(t));
        // The same rule as `StoredRecord::on_show`. The text finds a decision by its document
        // number or a fragment of it (as the public sees it: masked digits are not matched), or
        // an organisation by a fragment of its name or its code; never a natural person by name
        // or ID (README: natural persons are never found by name or ID in public search).
        let like_name = self.like_ascii_ci("subject_name", "$3");
        // A document number is matched in its normal form (half-width digits and brackets, as
        // stored), so `５０３号` finds `503号` (found by a QA pass).
        let like_doc = self.like_ascii_ci("doc_no", "$8");
        let doc_like = doc_no.map(crate::subjects::like_pattern);
        let person = chengxin_registry::shown_as_person_sql("s");
        let filter = format!(
            "WHERE item = $1 AND current = 1 AND status = 'valid' \
            AND publish_from IS NOT NULL AND publish_from <= $2 \
            AND (publish_until IS NULL OR publish_until >= $2) \
            AND (repaired_on IS NULL OR repaired_on > $2) \
            AND ($3 IS NULL OR {like_doc} OR (({like_name} OR subject_code = $4) \
                 AND NOT EXISTS (SELECT 1 FROM subjects s WHERE s.id = records.subject_id \
                 AND {person}))) \
            AND ($5 IS NULL OR department = $5) \
            AND ($6 IS NULL OR decision_date >= $6) AND ($7 IS NULL OR decision_date <= $7)"
        );
        // Version numbers are integers of the store's own: written into the text, not bound
        // (a bound list differs between the two stores).
        let filter = match &q.catalog_versions {
            None => filter,
            Some(v) if v.is_empty() => format!("{filter} AND 0 = 1"),
            Some(v) => format!(
                "{filter} AND catalog_version IN ({})",
                v.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
            ),
        };
        let list = format!(
            "{RECORD_SELECT} {filter} ORDER BY decision_date DESC, id DESC LIMIT $9 OFFSET $10"
        );
        let count = format!("SELECT count(*) FROM records {filter}");
        // A text with letters or digits is checked against names as the public sees them (see
        // `Store::search`): the candidates are fetched whole and paged here.
        let public_form = text.is_some_and(crate::subjects::may_touch_masked);
        let (limit, offset) = if public_form {
            (crate::subjects::PUBLIC_MATCH_CANDIDATES, 0)
        } else {
            (q.limit.clamp(1, 200), q.offset.max(0))
        };
        let (rows, total): (Vec<RecordRow>, i64) = with_pool!(self, p => {
            let rows = sqlx::query_as(sqlx::AssertSqlSafe(list))
                .bind(&q.item).bind(today).bind(like.as_deref()).bind(code.as_deref())
                .bind(q.department.as_deref()).bind(q.from).bind(q.to).bind(doc_like.as_deref())
                .bind(limit).bind(offset)
                .fetch_all(p).await?;
            // A public-form search counts what it keeps below instead.
            let total = if public_form {
                0
            } else {
                sqlx::query_scalar(sqlx::AssertSqlSafe(count))
                    .bind(&q.item).bind(today).bind(like.as_deref()).bind(code.as_deref())
                    .bind(q.department.as_deref()).bind(q.from).bind(q.to).bind(doc_like.as_deref())
                    .fetch_one(p).await?
            };
            (rows, total)
        });
        let rows: Vec<StoredRecord> = rows
            .into_iter()
            .map(RecordRow::into_record)
            .collect::<Result<_, _>>()?;
        if let (true, Some(t)) = (public_form, text) {
            let kept: Vec<StoredRecord> = rows
                .into_iter()
                .filter(|r| {
                    // The number as the public sees it: the whole of a number with masked digits
                    // would confirm them one guess at a time (found by a QA pass).
                    Some(&r.subject_code) == code.as_ref()
                        || doc_no.is_some_and(|d| crate::subjects::public_match(&r.doc_no, d))
                        || (!r.party_shown_as_person
                            && crate::subjects::public_match(&r.subject_name, t))
                })
                .collect();
            let page = crate::subjects::page_of(kept, q.offset, q.limit.clamp(1, 200));
            return Ok((page.items, page.total));
        }
        Ok((rows, total))
    }

    /// Quality figures per department and item for batches received in `[from, to]`.
    pub async fn quality(
        &self,
        department: Option<&str>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Quality>, StoreError> {
        let batches_sql = "SELECT department, item, count(*), CAST(coalesce(sum(rows_total), 0) AS BIGINT), \
            CAST(coalesce(sum(accepted), 0) AS BIGINT), CAST(coalesce(sum(unchanged), 0) AS BIGINT), CAST(coalesce(sum(rejected), 0) AS BIGINT), \
            CAST(coalesce(sum(review), 0) AS BIGINT) FROM batches \
            WHERE received_on >= $1 AND received_on <= $2 AND ($3 IS NULL OR department = $3) \
            GROUP BY department, item ORDER BY department, item";
        let rules_sql = "SELECT b.department, b.item, r.rule, count(*) FROM batch_rejections r \
            JOIN batches b ON b.id = r.batch_id \
            WHERE b.received_on >= $1 AND b.received_on <= $2 AND ($3 IS NULL OR b.department = $3) \
            GROUP BY b.department, b.item, r.rule ORDER BY 4 DESC, 3";
        let records_sql = "SELECT department, item, count(*), \
            CAST(coalesce(sum(CASE WHEN on_time IS NULL THEN 0 ELSE 1 END), 0) AS BIGINT), \
            CAST(coalesce(sum(CASE WHEN on_time = 1 THEN 1 ELSE 0 END), 0) AS BIGINT), \
            CAST(coalesce(sum(filled_optional), 0) AS BIGINT), \
            CAST(coalesce(sum(applicable_optional), 0) AS BIGINT), \
            CAST(coalesce(sum(CASE WHEN applicable_optional IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT) \
            FROM records \
            WHERE version = 1 AND received_on >= $1 AND received_on <= $2 \
            AND ($3 IS NULL OR department = $3) GROUP BY department, item";
        type B = (String, String, i64, i64, i64, i64, i64, i64);
        type R = (String, String, String, i64);
        type C = (String, String, i64, i64, i64, i64, i64, i64);
        let (bs, rs, cs): (Vec<B>, Vec<R>, Vec<C>) = with_pool!(self, p => {
            let bs = sqlx::query_as(batches_sql).bind(from).bind(to).bind(department).fetch_all(p).await?;
            let rs = sqlx::query_as(rules_sql).bind(from).bind(to).bind(department).fetch_all(p).await?;
            let cs = sqlx::query_as(records_sql).bind(from).bind(to).bind(department).fetch_all(p).await?;
            (bs, rs, cs)
        });
        let mut out: Vec<Quality> = bs
            .into_iter()
            .map(|b| Quality {
                department: b.0,
                item: b.1,
                batches: b.2,
                received: b.3,
                accepted: b.4,
                unchanged: b.5,
                rejected: b.6,
                wrong_code: b.7,
                ..Quality::default()
            })
            .collect();
        for (d, i, rule, n) in rs {
            if let Some(q) = out.iter_mut().find(|q| q.department == d && q.item == i) {
                // Rows held for a name that does not match are reviewed, but are no wrong
                // codes: the 错码率 counts codes failing their check.
                if rule == "name_mismatch" {
                    q.wrong_code = (q.wrong_code - n).max(0);
                }
                q.rejected_by_rule.push((rule, n));
            }
        }
        for (d, i, n, timed, on_time, filled, applicable, unrecorded) in cs {
            if let Some(q) = out.iter_mut().find(|q| q.department == d && q.item == i) {
                q.first_versions = n;
                q.timed = timed;
                q.on_time = on_time;
                q.optional_filled = filled;
                q.optional_applicable = applicable;
                q.optional_unrecorded = unrecorded;
            }
        }
        Ok(out)
    }

    /// Number of current records (all items), for the home page and monitoring.
    pub async fn count_records(&self, item: Option<&str>) -> Result<i64, StoreError> {
        let sql = "SELECT count(*) FROM records WHERE current = 1 AND ($1 IS NULL OR item = $1)";
        Ok(with_pool!(self, p => sqlx::query_scalar(sql).bind(item).fetch_one(p).await?))
    }
}

enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Pg(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Runs `$body` with `$t` bound to the open transaction of either backend.
macro_rules! with_tx {
    ($tx:expr, $t:ident => $body:expr) => {
        match &mut *$tx {
            Tx::Sqlite($t) => $body,
            Tx::Pg($t) => $body,
        }
    };
}
use with_tx;

/// Writes one batch inside one transaction. Dropping it without [`BatchWriter::commit`] rolls
/// everything back.
pub struct BatchWriter {
    store: Store,
    tx: Option<Tx>,
    is_pg: bool,
    batch: NewBatch,
    id: i64,
    /// Whether the department already had records of this item when the batch began (if not,
    /// no row can be unchanged or changed against the database, and lookups are skipped).
    has_records: bool,
    pending: Vec<RecordInput>,
    rejections: Vec<Rejection>,
    rejection_seq: i64,
    /// The first `keep` refusals, kept in memory besides the report (a batch refused whole
    /// writes no report, so its caller reads them here).
    kept: Vec<Rejection>,
    keep: usize,
    /// Subjects resolved or created so far in this batch: (scheme, code) → subject id.
    subjects: HashMap<(Scheme, String), i64>,
    names: HashMap<i64, HeldNames>,
    /// For a 登记注册 batch ([`BatchWriter::rename_subjects`]): the newest name each subject's
    /// rows give, applied to the registry at commit.
    renames: Option<HashMap<i64, Vec<Rename>>>,
    summary: BatchSummary,
    recorded_at: DateTime<Utc>,
    /// Rows refused while writing, against what the store holds.
    refused: Refused,
}

impl BatchWriter {
    /// The batch number (assigned at begin; void if the batch is not committed).
    pub fn id(&self) -> i64 {
        self.id
    }

    /// Counts so far.
    pub fn summary(&self) -> &BatchSummary {
        &self.summary
    }

    /// The first refusal of this batch, if any.
    pub fn first_rejection(&self) -> Option<&Rejection> {
        self.kept.first()
    }

    /// Keeps the first `n` refusals in memory ([`BatchWriter::kept_rejections`]), for a batch
    /// that may be refused whole and so never store its report (at least the first is kept).
    pub fn keep_rejections(&mut self, n: usize) {
        self.keep = n.max(1);
    }

    /// The refusals kept so far, in order (see [`BatchWriter::keep_rejections`]).
    pub fn kept_rejections(&self) -> &[Rejection] {
        &self.kept
    }

    /// Adds an accepted row. The pipeline removes repeats inside the batch before this
    /// (see [`BatchWriter::unchanged_in_batch`]).
    pub async fn push(&mut self, record: RecordInput) -> Result<(), StoreError> {
        self.summary.rows += 1;
        self.pending.push(record);
        if self.pending.len() >= CHUNK {
            self.flush().await?;
        }
        Ok(())
    }

    /// Records the SHA-256 of the batch's file, when it was not known at begin (the pipeline
    /// hashes the file while the batch is written).
    pub fn set_file_sha256(&mut self, sha: String) {
        self.batch.file_sha256 = sha;
    }

    /// Records the rows above the header skipped as the sheet's title, kept with the batch.
    pub fn set_titles(&mut self, titles: Vec<TitleRow>) {
        self.summary.titles = titles;
    }

    /// Records the encoding the file was read in, when reading settled it later than at begin
    /// (an all-ASCII start read as UTF-8 that turned out GB18030).
    pub fn set_encoding(&mut self, encoding: Option<String>) {
        self.batch.encoding = encoding;
    }

    /// Counts a row that repeats an earlier row of this batch exactly.
    pub fn unchanged_in_batch(&mut self) {
        self.summary.rows += 1;
        self.summary.unchanged += 1;
    }

    /// Counts a blank row.
    pub fn blank(&mut self) {
        self.summary.blank += 1;
    }

    /// Refuses a row for one or more reasons (all of them go into the report).
    pub async fn reject(&mut self, reasons: Vec<Rejection>) -> Result<(), StoreError> {
        if reasons.is_empty() {
            return Ok(());
        }
        self.summary.rows += 1;
        self.summary.rejected += 1;
        self.add_to_report(reasons);
        if self.rejections.len() >= CHUNK {
            self.flush_rejections().await?;
        }
        Ok(())
    }

    /// Refuses a row and opens a wrong-code case for review with the row as its payload: a USCC
    /// failing its check (错码, `invalid_check`) or an organisation code contradicting the row's
    /// USCC (`legacy_mismatch`) is quarantined, not dropped.
    pub async fn review(
        &mut self,
        reasons: Vec<Rejection>,
        case: (chengxin_registry::CaseKind, Scheme, &str),
        detail: &str,
        payload: &str,
    ) -> Result<(), StoreError> {
        let (kind, scheme, code) = case;
        self.summary.review += 1;
        let opened_by = self.batch.submitted_by.clone();
        let now = self.recorded_at;
        let Some(tx) = self.tx.as_mut() else {
            return Err(StoreError::Conflict("batch already finished".into()));
        };
        with_tx!(tx, t => {
            // One open case per wrong code: sending the same row again does not open another.
            sqlx::query(OPEN_CASE_ONCE)
                .bind(kind.as_str())
                .bind(scheme.as_str())
                .bind(code)
                .bind(None::<i64>)
                .bind(detail)
                .bind(payload)
                .bind(now)
                .bind(&opened_by)
                .execute(&mut **t)
                .await?;
        });
        self.reject(reasons).await
    }

    async fn flush_rejections(&mut self) -> Result<(), StoreError> {
        if self.rejections.is_empty() {
            return Ok(());
        }
        let rejections = std::mem::take(&mut self.rejections);
        let id = self.id;
        let mut seq = self.rejection_seq;
        let Some(tx) = self.tx.as_mut() else {
            return Err(StoreError::Conflict("batch already finished".into()));
        };
        for part in rejections.chunks(1_000) {
            with_tx!(tx, t => {
                let mut qb = sqlx::QueryBuilder::new(
                    "INSERT INTO batch_rejections (batch_id, seq, row_no, line, field, rule, message) ",
                );
                qb.push_values(part, |mut b, r| {
                    seq += 1;
                    b.push_bind(id)
                        .push_bind(seq)
                        .push_bind(i64::try_from(r.row_no).unwrap_or(i64::MAX))
                        .push_bind(i64::try_from(r.line).unwrap_or(i64::MAX))
                        .push_bind(r.field.clone())
                        .push_bind(r.rule.clone())
                        .push_bind(r.message.clone());
                });
                qb.build().execute(&mut **t).await?;
            });
        }
        self.rejection_seq = seq;
        Ok(())
    }

    /// Classifies, resolves subjects for, and writes the buffered rows.
    async fn flush(&mut self) -> Result<(), StoreError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let rows = std::mem::take(&mut self.pending);
        let Some(tx) = self.tx.as_mut() else {
            return Err(StoreError::Conflict("batch already finished".into()));
        };
        let started = std::time::Instant::now();
        let written = rows.len();
        let ctx = WriteCtx {
            batch: &self.batch,
            id: self.id,
            recorded_at: self.recorded_at,
        };
        let chunk = Chunk {
            ctx: &ctx,
            has_records: self.has_records,
            summary: &mut self.summary,
            refused: &mut self.refused,
            subjects: &mut self.subjects,
            names: &mut self.names,
            renames: self.renames.as_mut(),
        };
        match tx {
            Tx::Sqlite(t) => {
                crate::bulk::with_raw(t, move |conn| crate::bulk::write_chunk(conn, chunk, rows))
                    .await?
            }
            Tx::Pg(t) => flush_pg(t, chunk, rows).await?,
        }
        tracing::debug!(
            rows = written,
            ms = started.elapsed().as_millis() as u64,
            "batch chunk written"
        );
        // Refusals against the store join the batch's report (counted by `classify`).
        let refused = std::mem::take(&mut self.refused.rows);
        self.add_to_report(refused);
        Ok(())
    }

    /// Adds refusals to the report, keeping the first ones in memory as well (see
    /// [`BatchWriter::keep_rejections`]).
    fn add_to_report(&mut self, reasons: Vec<Rejection>) {
        let room = self.keep.saturating_sub(self.kept.len());
        self.kept.extend(reasons.iter().take(room).cloned());
        self.rejections.extend(reasons);
    }

    /// Writes the rows pushed so far, so that [`BatchWriter::summary`] counts every refusal
    /// (a changed row naming another party is refused only when it meets what is held).
    pub async fn write_pending(&mut self) -> Result<(), StoreError> {
        self.flush().await
    }

    /// The catalog field a refusal against what is held names (the document number's).
    pub fn set_doc_field(&mut self, field: &str) {
        self.refused.field = field.to_string();
    }

    /// Holds for review the rows whose party's name is none their subject has held (rule
    /// `name_mismatch`, naming `field`, the item's name field). Not for 登记注册 batches, whose
    /// rows are where names change.
    pub fn check_party_names(&mut self, field: &str) {
        self.refused.name_field = field.to_string();
    }

    /// Makes the batch's rows rename their subjects in the registry: a 登记注册 batch (全国公共
    /// 信用信息基础目录 第1类) carries the names the registration authority approved (名称变更登记),
    /// and decisions under the new name must find it (see [`check_names`]). Applied at commit
    /// ([`plan_rename`]), once per subject, from its row with the latest approval date; the
    /// names of its earlier rows are kept as former names ([`EARLIER_NAME_VERSION`]).
    pub fn rename_subjects(&mut self) {
        self.renames = Some(HashMap::new());
    }

    /// A 登记注册 batch's names, to the registry, in the batch's transaction. Per subject, its
    /// rows in order of approval date (then of rows): a subject the batch created is dated from
    /// its earliest row; each row at least as recent as the current name renames the subject
    /// ([`plan_rename`]), so two names approved on one day end on the later row and keep the
    /// other as a former name; a row older than the current name adds its name as a former one
    /// ([`EARLIER_NAME_VERSION`]). Each change is audited as `subjects.rename`.
    async fn apply_renames(&mut self) -> Result<(), StoreError> {
        let (Some(renames), Some(tx)) = (self.renames.take(), self.tx.as_mut()) else {
            return Ok(());
        };
        let mut ids: Vec<i64> = renames.keys().copied().collect();
        ids.sort_unstable();
        let source = format!("batch:{}", self.id);
        let store = &self.store;
        for id in ids {
            let Some(mut rows) = renames.get(&id).cloned() else {
                continue;
            };
            rows.sort_by_key(|k| (k.date, k.row_no));
            let Some(earliest) = rows.first().cloned() else {
                continue;
            };
            let renamed = with_tx!(tx, t => {
                // A subject this batch created was created from its first row, dated the
                // day of receipt: it is its earliest registration, from its approval date.
                let created: Option<(Option<i64>, Option<String>)> = sqlx::query_as(
                    "SELECT max(version), min(source) FROM subject_versions WHERE subject_id = $1",
                )
                .bind(id).fetch_optional(&mut **t).await?;
                let created_here =
                    created.is_some_and(|(v, src)| v == Some(1) && src.as_ref() == Some(&source));
                if created_here {
                    for sql in [
                        "UPDATE subject_versions SET valid_from = $2, name = $3 WHERE subject_id = $1",
                        "UPDATE subjects SET valid_from = $2, name = $3 WHERE id = $1",
                    ] {
                        sqlx::query(sql).bind(id).bind(earliest.date).bind(&earliest.name)
                            .execute(&mut **t).await?;
                    }
                }
                let mut key: Option<String> = None;
                let mut renamed = false;
                // The earliest row of a subject created here is its first version now.
                for k in rows.iter().skip(usize::from(created_here)) {
                    let current: Option<RenameCurrent> = sqlx::query_as(RENAME_CURRENT)
                        .bind(id).bind(&self.batch.item).bind(self.id)
                        .fetch_optional(&mut **t).await?;
                    let Some(current) = current else { break };
                    let (former, from) = (current.1.clone(), current.2);
                    let detail = if let Some((version, name, from, reason)) = plan_rename(k, current, self.id) {
                        for sql in [RENAME_VERSION, RENAME_CURRENT_SET] {
                            sqlx::query(sql)
                                .bind(id).bind(version).bind(&name).bind(from)
                                .bind(self.recorded_at).bind(&self.batch.submitted_by)
                                .bind(&reason).bind(&source)
                                .execute(&mut **t).await?;
                        }
                        renamed = true;
                        format!("「{former}」→「{name}」 from {from}: {reason}")
                    } else {
                        // An older name is a former name: a version dated before the current
                        // one, so the name check and the subject's history know it (found by a
                        // QA pass: the middle one of three was lost).
                        let held: Vec<String> = sqlx::query_scalar(HELD_NAMES)
                            .bind(id).fetch_all(&mut **t).await?;
                        if k.name.is_empty()
                            || k.date >= from
                            || held.iter().any(|n| name_key(n) == name_key(&k.name))
                        {
                            continue;
                        }
                        let reason = format!(
                            "曾用名：第 {} 批登记注册信息第 {} 行（文书号 {}），核准日期早于现名称",
                            self.id, k.row_no, k.doc_no
                        );
                        sqlx::query(EARLIER_NAME_VERSION)
                            .bind(id).bind(&k.name).bind(k.date)
                            .bind(self.recorded_at).bind(&self.batch.submitted_by)
                            .bind(&reason).bind(&source)
                            .execute(&mut **t).await?;
                        format!("former name 「{}」 from {}: {reason}", k.name, k.date)
                    };
                    // Each change is on the record under the subject it changed.
                    if key.is_none() {
                        key = sqlx::query_scalar("SELECT key FROM subjects WHERE id = $1")
                            .bind(id).fetch_optional(&mut **t).await?;
                    }
                    let entry = store.write_entry(
                        &self.batch.submitted_by, "subjects.rename", key.as_deref(),
                        chengxin_audit::Outcome::Allowed,
                        Some(chengxin_codes::mask::redact(&detail)),
                        "ingest",
                    );
                    crate::audit::audit_in_tx!(store, (*t), &entry)?;
                }
                renamed
            });
            self.summary.renamed += u64::from(renamed);
        }
        Ok(())
    }

    /// Closes as corrected the open 名称与代码不符 cases whose held decision this batch has now
    /// stored under its subject: the sender corrected the row (or the registry learnt the new
    /// name first), so nothing is left to review, and the case counts towards the 纠正率 (seed
    /// 001: 重错码 corrected). A case opened before its payload named the department, item and
    /// document number is matched by the document number among its fields. Each closing is
    /// audited as `cases.close`, like a reviewer's.
    async fn close_corrected_name_cases(&mut self) -> Result<(), StoreError> {
        let Some(tx) = self.tx.as_mut() else {
            return Ok(());
        };
        let (store, batch, id, at) = (&self.store, &self.batch, self.id, self.recorded_at);
        let doc_field = self.refused.field.clone();
        let closed = with_tx!(tx, t => {
            let open: Vec<(i64, i64, String, String)> = sqlx::query_as(
                "SELECT c.id, c.subject_id, c.code, c.payload FROM code_cases c \
                 WHERE c.kind = $1 AND c.status = 'open' AND c.subject_id IS NOT NULL \
                 AND EXISTS (SELECT 1 FROM records r WHERE r.subject_id = c.subject_id AND r.batch_id = $2)",
            )
            .bind(CaseKind::NameMismatch.as_str())
            .bind(id)
            .fetch_all(&mut **t)
            .await?;
            let mut closed = 0u64;
            for (case_id, subject_id, code, payload) in open {
                let Some((department, item, doc_no)) = held_decision(&payload, &doc_field) else {
                    continue;
                };
                if department.as_deref().is_some_and(|d| d != batch.department)
                    || item.as_deref().is_some_and(|i| i != batch.item)
                {
                    continue;
                }
                let row: Option<i64> = sqlx::query_scalar(
                    "SELECT row_no FROM records WHERE department = $1 AND item = $2 AND doc_no = $3 \
                     AND batch_id = $4 AND subject_id = $5 AND current = 1",
                )
                .bind(&batch.department).bind(&batch.item).bind(&doc_no).bind(id).bind(subject_id)
                .fetch_optional(&mut **t)
                .await?;
                let Some(row) = row else { continue };
                let resolution = format!(
                    "已更正：第 {id} 批第 {row} 行以主体登记的名称报送了同一决定（文书号 {doc_no}） / \
                     corrected: batch {id} row {row} sent the same decision under the subject's \
                     registered name"
                );
                sqlx::query(crate::cases::CLOSE_OPEN_CASE)
                    .bind(case_id).bind(CaseStatus::Corrected.as_str()).bind(&resolution)
                    .bind(at).bind(&batch.submitted_by)
                    .execute(&mut **t)
                    .await?;
                let detail = crate::cases::closing_detail(
                    CaseKind::NameMismatch, CaseStatus::Corrected, &code, &resolution,
                );
                let entry = store.write_entry(
                    &batch.submitted_by, "cases.close", Some(&format!("code_case:{case_id}")),
                    chengxin_audit::Outcome::Allowed, Some(detail), "ingest",
                );
                crate::audit::audit_in_tx!(store, (*t), &entry)?;
                closed += 1;
            }
            closed
        });
        self.summary.cases_corrected += closed;
        Ok(())
    }

    /// Writes what is buffered, fills in the batch's counts, appends the audit entry and commits.
    pub async fn commit(mut self) -> Result<BatchSummary, StoreError> {
        self.flush().await?;
        self.flush_rejections().await?;
        self.apply_renames().await?;
        self.close_corrected_name_cases().await?;
        let s = self.summary.clone();
        let entry = self.store.write_entry(
            &self.batch.submitted_by,
            "batch.ingest",
            Some(&format!("batch:{}", self.id)),
            chengxin_audit::Outcome::Allowed,
            Some(format!(
                "{} {} {}: rows {}, accepted {}, changed {}, unchanged {}, rejected {}, review {}, renamed {}",
                self.batch.department,
                self.batch.item,
                self.batch.file_name,
                s.rows,
                s.accepted,
                s.changed,
                s.unchanged,
                s.rejected,
                s.review,
                s.renamed
            )),
            "ingest",
        );
        let mut tx = self
            .tx
            .take()
            .ok_or_else(|| StoreError::Conflict("batch already finished".into()))?;
        let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        let titles_json = serde_json::to_string(&s.titles).unwrap_or_else(|_| "[]".into());
        let is_pg = self.is_pg;
        with_tx!((&mut tx), t => {
            sqlx::query("UPDATE batches SET rows_total = $1, accepted = $2, changed = $3, unchanged = $4, \
                         rejected = $5, review = $6, blank = $7, file_sha256 = $8, encoding = $9, \
                         titles = $10 WHERE id = $11")
                .bind(n(s.rows)).bind(n(s.accepted)).bind(n(s.changed)).bind(n(s.unchanged))
                .bind(n(s.rejected)).bind(n(s.review)).bind(n(s.blank))
                .bind(&self.batch.file_sha256).bind(&self.batch.encoding).bind(&titles_json)
                .bind(self.id)
                .execute(&mut **t)
                .await?;
            if !is_pg {
                sqlx::query(SQLITE_CACHE_RESET).execute(&mut **t).await?;
            }
            crate::audit::audit_in_tx!(&self.store, (*t), &entry)?;
        });
        match tx {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Pg(t) => t.commit().await?,
        }
        Ok(s)
    }

    /// Abandons the batch: nothing of it is kept.
    pub async fn rollback(mut self) -> Result<(), StoreError> {
        match self.tx.take() {
            Some(Tx::Sqlite(t)) => t.rollback().await?,
            Some(Tx::Pg(t)) => t.rollback().await?,
            None => {}
        }
        Ok(())
    }
}

/// The batch a chunk belongs to.
pub(crate) struct WriteCtx<'a> {
    pub(crate) batch: &'a NewBatch,
    pub(crate) id: i64,
    pub(crate) recorded_at: DateTime<Utc>,
}

/// What one chunk of a batch writes with: the batch's context and its running state.
/// Rows a chunk refused against what is held (see [`classify`]), and the field they name.
#[derive(Default)]
pub(crate) struct Refused {
    pub(crate) field: String,
    /// The catalog field of the party's name, set when the batch checks names
    /// ([`BatchWriter::check_party_names`]); empty: names are not checked.
    pub(crate) name_field: String,
    pub(crate) rows: Vec<Rejection>,
}

impl Refused {
    fn checks_names(&self) -> bool {
        !self.name_field.is_empty()
    }
}

/// A row held for review because its party's name is none its code's subject has held.
#[derive(Debug)]
pub(crate) struct NameCase {
    pub(crate) scheme: Scheme,
    pub(crate) code: String,
    pub(crate) subject_id: i64,
    pub(crate) detail: String,
    pub(crate) payload: String,
}

/// Opens a case (kind, scheme, code, subject, detail, payload, opened at, by) unless one of the
/// same kind is open for the code: sending the same row again opens no other.
pub(crate) const OPEN_CASE_ONCE: &str = "INSERT INTO code_cases (kind, scheme, code, subject_id, \
    other_subject_id, detail, payload, status, opened_at, opened_by) \
    SELECT $1, $2, $3, $4, NULL, $5, $6, 'open', $7, $8 \
    WHERE NOT EXISTS (SELECT 1 FROM code_cases WHERE kind = $1 AND code = $3 AND status = 'open')";

/// [`OPEN_CASE_ONCE`] for a 名称与代码不符 case: one open case per code and name (its detail
/// names both), so every name held back can be reviewed and, dismissed, accepted; sending the
/// same row again opens no other (found by a QA pass: a second wrong name under a code with an
/// open case was held with no case to review it by).
pub(crate) const OPEN_NAME_CASE_ONCE: &str = "INSERT INTO code_cases (kind, scheme, code, \
    subject_id, other_subject_id, detail, payload, status, opened_at, opened_by) \
    SELECT $1, $2, $3, $4, NULL, $5, $6, 'open', $7, $8 \
    WHERE NOT EXISTS (SELECT 1 FROM code_cases WHERE kind = $1 AND code = $3 AND detail = $5 \
    AND status = 'open')";

/// Every name subject `$1` has held: its versions' (the current one is a version too) and the
/// names reviewers accepted as its own (`Store::close_case`).
pub(crate) const HELD_NAMES: &str = "SELECT name FROM subject_versions WHERE subject_id = $1 \
    UNION ALL SELECT name FROM subject_accepted_names WHERE subject_id = $1";

/// Every name a subject has held, as hashes of their [`plain_name`]s: a few bytes per subject
/// for the hundreds of thousands a first load creates. Empty: nothing known, anything goes.
#[derive(Debug, Default, Clone)]
pub(crate) struct HeldNames(Vec<u64>);

impl HeldNames {
    pub(crate) fn new(name: &str) -> HeldNames {
        HeldNames(vec![name_key(name)])
    }

    pub(crate) fn add(&mut self, name: &str) {
        let k = name_key(name);
        if !self.0.contains(&k) {
            self.0.push(k);
        }
    }

    fn holds(&self, name: &str) -> bool {
        self.0.is_empty() || self.0.contains(&name_key(name))
    }
}

/// The hash of a name's [`plain_name`], without building it.
fn name_key(name: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    for c in plain_chars(name) {
        c.hash(&mut h);
    }
    h.finish()
}

pub(crate) struct Chunk<'a> {
    pub(crate) ctx: &'a WriteCtx<'a>,
    pub(crate) has_records: bool,
    pub(crate) summary: &'a mut BatchSummary,
    pub(crate) refused: &'a mut Refused,
    /// Subjects resolved or created so far in the batch.
    pub(crate) subjects: &'a mut HashMap<(Scheme, String), i64>,
    /// The names of those subjects, as far as looked up or created.
    pub(crate) names: &'a mut HashMap<i64, HeldNames>,
    /// A 登记注册 batch's renames so far ([`BatchWriter::rename_subjects`]).
    pub(crate) renames: Option<&'a mut HashMap<i64, Vec<Rename>>>,
}

/// Supersedes version `$1` (`= ANY($1)` on PostgreSQL), saying whether it was under objection
/// (核查中) or repaired: those pass to the decision's new current version ([`CARRY_FLAGS`]).
pub(crate) const SUPERSEDE: &str = "UPDATE records SET current = 0 WHERE id = $1 \
    RETURNING (under_verification = 1 OR repaired_on IS NOT NULL)";
const SUPERSEDE_PG: &str = "UPDATE records SET current = 0 WHERE id = ANY($1) \
    RETURNING id, (under_verification = 1 OR repaired_on IS NOT NULL)";

/// The versions of the decision that record `$1` is a version of (department, item, document
/// number): where 核查中 and a repair apply.
macro_rules! same_decision {
    () => {
        "department = (SELECT department FROM records WHERE id = $1) \
         AND item = (SELECT item FROM records WHERE id = $1) \
         AND doc_no = (SELECT doc_no FROM records WHERE id = $1)"
    };
}
pub(crate) use same_decision;

/// A new current version inherits its superseded version's (`$1`) objection and repair: 核查中
/// and a repair belong to the decision, not to one version (国发〔2016〕33号 (二十二);
/// 国家发展改革委令第36号 第三条), so a department's correction sent meanwhile does not put a
/// decision under objection, or repaired, back on show unmarked.
pub(crate) const CARRY_FLAGS: &str = concat!(
    "UPDATE records SET \
     under_verification = (SELECT under_verification FROM records WHERE id = $1), \
     repaired_on = (SELECT repaired_on FROM records WHERE id = $1) \
     WHERE current = 1 AND ",
    same_decision!()
);

/// A held record's current version, for classifying an incoming row.
pub(crate) struct Held {
    pub(crate) id: i64,
    pub(crate) version: i64,
    pub(crate) hash: String,
    /// The party the held version names, as its row named it (code and name).
    pub(crate) subject_code: String,
    pub(crate) subject_name: String,
    pub(crate) status: String,
}

/// Classifies rows against what is held for their document numbers: an equal hash is
/// `unchanged`, a different one a new version superseding the held one, none a first version.
/// Returns the rows to write with their version numbers, and the ids they supersede.
///
/// A different row that names another party ([`same_party`]) while the held decision is in
/// force is refused (rule `party_changed`, in
/// `refused`): the same decision (department + document number) cannot change whom it is about,
/// and taking the row would silently move a penalty from one subject's page to another's. A
/// department that got the party wrong withdraws the decision first (the row with status 撤销)
/// and then sends it naming the right party. chengxin's rule, from issue #4 §4 ("the same
/// decision (department + document number) is one record"), 国办发〔2015〕51号 (二十三)
/// 「依法及时、准确、规范、完整地记录和采集相关信息」 and 国发〔2016〕33号 (二十二)
/// 「经核实有误的信息应及时更正或撤销」: a wrong party is corrected by withdrawing, visibly.
///
/// A different row identical to an earlier, superseded version of the decision (`earlier`:
/// document number → that version and its batch, found for the row's hash by
/// [`stale_candidates`]' lookup; a document number is in a chunk once) is refused
/// too (rule `earlier_version`): it comes from an older file sent again — a common habit — and
/// taking it would undo the correction or put a revoked decision back on the portal
/// (33号 (二十二) 「经核实有误的信息应及时更正或撤销」; issue #4 §4: a revocation withdraws the
/// record from publicity). A decision is restored only by a row that says something new.
pub(crate) fn classify(
    rows: Vec<RecordInput>,
    held: &HashMap<String, Held>,
    earlier: &HashMap<String, (i64, i64)>,
    summary: &mut BatchSummary,
    refused: &mut Refused,
) -> (Vec<(RecordInput, i64)>, Vec<i64>) {
    let mut to_write: Vec<(RecordInput, i64)> = Vec::with_capacity(rows.len());
    let mut superseded: Vec<i64> = Vec::new();
    for r in rows {
        match held.get(&r.doc_no) {
            Some(h) if h.hash == r.hash => summary.unchanged += 1,
            Some(h) if let Some(&(version, batch)) = earlier.get(&r.doc_no) => {
                summary.rejected += 1;
                let now = if h.status == "valid" {
                    "已被更正"
                } else {
                    "已被撤回（撤销或无效）"
                };
                refused.rows.push(Rejection {
                    row_no: r.row_no,
                    line: r.line,
                    field: refused.field.clone(),
                    rule: "earlier_version".into(),
                    message: format!(
                        "本行与文书号 {doc} 的第 {version} 版（第 {batch} 批报送）相同，该决定{now}，现为\
                         第 {current} 版：本行可能来自重新报送的旧文件，未采用。如该决定确有变化，请\
                         报送变化后的内容 / this row is identical to version {version} of decision \
                         {doc} (batch {batch}), which has since been {now_en} (version {current} is \
                         held): it probably comes from an older file sent again and is not taken",
                        doc = r.doc_no,
                        current = h.version,
                        now_en = if h.status == "valid" { "corrected" } else { "withdrawn" },
                    ),
                });
            }
            Some(h) if h.status == "valid" && !same_party(h, &r.subject) => {
                summary.rejected += 1;
                let shown = |name: &str, code: &str| {
                    chengxin_codes::mask::redact(&format!("{name} ({code})"))
                };
                refused.rows.push(Rejection {
                    row_no: r.row_no,
                    line: r.line,
                    field: refused.field.clone(),
                    rule: "party_changed".into(),
                    message: format!(
                        "文书号 {doc} 已是关于 {held} 的决定，本行却是 {now}。决定不改换当事人：如是\
                         另一决定，请核对文书号；如当事人有误，请先报送状态为撤销的原行，再报送本行 / \
                         document number {doc} is already the decision about {held}; this row names \
                         {now}. A decision does not change whom it is about: if this is another \
                         decision, check its document number; if the party was wrong, first send \
                         the held row with status 撤销 to withdraw it, then this row",
                        doc = r.doc_no,
                        held = shown(&h.subject_name, &h.subject_code),
                        now = shown(&r.subject.name, &r.subject.code),
                    ),
                });
            }
            Some(h) => {
                superseded.push(h.id);
                summary.changed += 1;
                summary.accepted += 1;
                let v = h.version + 1;
                to_write.push((r, v));
            }
            None => {
                summary.accepted += 1;
                to_write.push((r, 1));
            }
        }
    }
    (to_write, superseded)
}

/// The rows to look up among earlier versions before [`classify`]: those whose document number
/// is held with another hash (document number, hash).
pub(crate) fn stale_candidates<'r>(
    rows: &'r [RecordInput],
    held: &HashMap<String, Held>,
) -> Vec<(&'r str, &'r str)> {
    rows.iter()
        .filter(|r| {
            held.get(&r.doc_no)
                .is_some_and(|h| h.version > 1 && h.hash != r.hash)
        })
        .map(|r| (r.doc_no.as_str(), r.hash.as_str()))
        .collect()
}

/// The subjects of `rows` whose names are not known yet, to read before [`check_names`]; none
/// when the batch does not check names.
pub(crate) fn names_wanted(chunk: &Chunk<'_>, rows: &[(RecordInput, i64)]) -> Vec<i64> {
    if !chunk.refused.checks_names() {
        return Vec::new();
    }
    let mut ids: Vec<i64> = rows
        .iter()
        .filter_map(|(r, _)| {
            chunk
                .subjects
                .get(&(r.subject.scheme, r.subject.code.clone()))
        })
        .filter(|id| !chunk.names.contains_key(id))
        .copied()
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// A row held back by [`check_names`], with its subject's id and the version it would have been.
pub(crate) type HeldBack = (RecordInput, i64, i64);

/// Holds back a new decision whose party's name is none the subject found by its code has
/// held: the code or the name is wrong, and published as it is the decision would stand on
/// another company's or person's page (国办发〔2015〕51号 (二十三): 「准确、规范、完整地记录和
/// 采集」). A former name is a name held: a decision made before a renaming keeps the name of
/// its day. A changed row is checked too (a correction must not move a decision under a name
/// its code never had); the caller keeps its held version current. Only when the batch checks
/// names at all ([`BatchWriter::check_party_names`]; not for 登记注册, whose rows are where
/// names change). Returns the rows to write and those held back, which [`hold_for_review`]
/// refuses once the subject's name is read.
pub(crate) fn check_names(
    rows: Vec<(RecordInput, i64)>,
    subjects: &HashMap<(Scheme, String), i64>,
    names: &HashMap<i64, HeldNames>,
    summary: &mut BatchSummary,
    checked: bool,
) -> (Vec<(RecordInput, i64)>, Vec<HeldBack>) {
    if !checked {
        return (rows, Vec::new());
    }
    let mut kept = Vec::with_capacity(rows.len());
    let mut held_back = Vec::new();
    for (r, v) in rows {
        let mismatch = subjects
            .get(&(r.subject.scheme, r.subject.code.clone()))
            .filter(|id| names.get(id).is_some_and(|h| !h.holds(&r.subject.name)))
            .copied();
        match mismatch {
            Some(id) => {
                summary.accepted = summary.accepted.saturating_sub(1);
                if v > 1 {
                    summary.changed = summary.changed.saturating_sub(1);
                }
                summary.rejected += 1;
                summary.review += 1;
                held_back.push((r, id, v));
            }
            None => kept.push((r, v)),
        }
    }
    (kept, held_back)
}

/// [`check_names`] for a chunk, keeping current the held versions of the changed rows it holds
/// back (they are not superseded). Returns the rows to write and those held back.
pub(crate) fn hold_back_names(
    chunk: &mut Chunk<'_>,
    to_write: Vec<(RecordInput, i64)>,
    superseded: &mut Vec<i64>,
    held: &HashMap<String, Held>,
) -> (Vec<(RecordInput, i64)>, Vec<HeldBack>) {
    let (to_write, held_back) = check_names(
        to_write,
        chunk.subjects,
        chunk.names,
        chunk.summary,
        chunk.refused.checks_names(),
    );
    let kept: Vec<i64> = held_back
        .iter()
        .filter(|(_, _, v)| *v > 1)
        .filter_map(|(r, _, _)| held.get(&r.doc_no).map(|h| h.id))
        .collect();
    superseded.retain(|id| !kept.contains(id));
    if let Some(renames) = chunk.renames.as_deref_mut() {
        note_renames(renames, chunk.subjects, &to_write);
    }
    (to_write, held_back)
}

/// A name a 登记注册 row gives its subject, to apply at commit ([`plan_rename`]).
#[derive(Debug, Clone)]
pub(crate) struct Rename {
    /// The approval date (核准日期): when the name took effect.
    date: NaiveDate,
    name: String,
    row_no: u64,
    doc_no: String,
}

/// Keeps, per subject, the names of the batch's in-force rows with their approval dates.
fn note_renames(
    renames: &mut HashMap<i64, Vec<Rename>>,
    subjects: &HashMap<(Scheme, String), i64>,
    rows: &[(RecordInput, i64)],
) {
    for (r, _) in rows {
        if r.status != "valid" {
            continue;
        }
        let Some(&id) = subjects.get(&(r.subject.scheme, r.subject.code.clone())) else {
            continue;
        };
        renames.entry(id).or_default().push(Rename {
            date: r.decision_date,
            name: r.subject.name.trim().to_string(),
            row_no: r.row_no,
            doc_no: r.doc_no.clone(),
        });
    }
}

/// A subject's current name and version as [`plan_rename`] weighs them: its highest version
/// number, name, effective date and status, and the latest approval date of the in-force
/// registration records (item `$2`) other batches than `$3` hold about it.
const RENAME_CURRENT: &str = "SELECT (SELECT max(version) FROM subject_versions v \
    WHERE v.subject_id = s.id), s.name, s.valid_from, s.status, \
    (SELECT max(r.decision_date) FROM records r WHERE r.subject_id = s.id AND r.item = $2 \
    AND r.batch_id <> $3 AND r.current = 1 AND r.status = 'valid') \
    FROM subjects s WHERE s.id = $1";
/// A new version of subject `$1` numbered `$2` with name `$3` from `$4`, everything else as the
/// current one; recorded at `$5` by `$6` for reason `$7` from source `$8`.
const RENAME_VERSION: &str = "INSERT INTO subject_versions (subject_id, version, kind, status, \
    name, uscc, org_code, reg_no, tax_no, citizen_id, legal_rep_name, legal_rep_id, region_code, \
    registration_authority, established, valid_from, recorded_at, recorded_by, reason, source, \
    person_doc) SELECT id, $2, kind, status, $3, uscc, org_code, reg_no, tax_no, citizen_id, \
    legal_rep_name, legal_rep_id, region_code, registration_authority, established, $4, $5, $6, \
    $7, $8, person_doc FROM subjects WHERE id = $1";
/// What [`RENAME_CURRENT`] reads.
type RenameCurrent = (i64, String, NaiveDate, String, Option<NaiveDate>);

/// A version of subject `$1` under an earlier name `$2` from `$3` (before its current one),
/// everything else as the current one; recorded at `$4` by `$5` for reason `$6` from `$7`. Its
/// number is the next: versions are ordered by date, numbered in the order they were learnt.
const EARLIER_NAME_VERSION: &str = "INSERT INTO subject_versions (subject_id, version, kind, \
    status, name, uscc, org_code, reg_no, tax_no, citizen_id, legal_rep_name, legal_rep_id, \
    region_code, registration_authority, established, valid_from, recorded_at, recorded_by, \
    reason, source, person_doc) SELECT id, (SELECT max(version) + 1 FROM subject_versions v \
    WHERE v.subject_id = subjects.id), kind, status, $2, uscc, org_code, reg_no, tax_no, \
    citizen_id, legal_rep_name, legal_rep_id, region_code, registration_authority, established, \
    $3, $4, $5, $6, $7, person_doc FROM subjects WHERE id = $1";

/// Makes that version the subject's current one (binds as [`RENAME_VERSION`]).
const RENAME_CURRENT_SET: &str = "UPDATE subjects SET version = $2, name = $3, valid_from = $4, \
    recorded_at = $5, recorded_by = $6, reason = $7, source = $8 WHERE id = $1";

/// The version a 登记注册 row's name makes of its subject, if any: a new version with the row's
/// name from its approval date, everything else as it was, so the former name stays a name the
/// subject has held (decisions made under it keep finding it). A name that is the current one
/// but for spaces, width, case or the kind of middle dot changes nothing, nor does a row
/// approved before another registration record held about the subject, or before the
/// subject's registry version took effect (an old 设立登记 sent again does not undo a later
/// renaming). A 待核实 subject's first version dates from the receipt of the row that first
/// named it, not from a registration: only the registration records count for it, and its new
/// version starts on that receipt day at the earliest. Returns (version, name, effective date,
/// reason).
fn plan_rename(
    k: &Rename,
    current: RenameCurrent,
    batch: i64,
) -> Option<(i64, String, NaiveDate, String)> {
    let (version, name, valid_from, status, registered) = current;
    let pending = status == SubjectStatus::Pending.as_str();
    if k.name.is_empty()
        || name_key(&k.name) == name_key(&name)
        || registered.is_some_and(|d| k.date < d)
        || (!pending && k.date < valid_from)
    {
        return None;
    }
    let from = if pending {
        k.date.max(valid_from)
    } else {
        k.date
    };
    let reason = format!(
        "名称变更：第 {batch} 批登记注册信息第 {} 行（文书号 {}），原名称「{name}」",
        k.row_no, k.doc_no
    );
    Some((version + 1, k.name.clone(), from, reason))
}

/// The department, item and document number of the decision a 名称与代码不符 case holds, from
/// its payload ([`hold_for_review`]); an older payload has only the row's fields, whose
/// `doc_field` is the document number (department and item then `None`: the batch's own).
fn held_decision(
    payload: &str,
    doc_field: &str,
) -> Option<(Option<String>, Option<String>, String)> {
    let v: serde_json::Value = serde_json::from_str(payload).ok()?;
    let text = |k: &str| {
        v.get(k)
            .and_then(serde_json::Value::as_str)
            .map(str::to_string)
    };
    let doc_no = text("doc_no").or_else(|| {
        v.get("fields")?
            .get(doc_field)?
            .as_str()
            .map(|d| d.trim().to_string())
    })?;
    (!doc_no.is_empty()).then(|| (text("department"), text("item"), doc_no))
}

/// Refuses a row [`check_names`] held back (rule `name_mismatch`); returns the 名称与代码不符
/// case to open, holding it. `registered` is the subject's current name and kind: a natural
/// person's name is not said (a sender who only has the ID number must not learn it).
pub(crate) fn hold_for_review(
    r: &RecordInput,
    subject_id: i64,
    registered: Option<(String, String)>,
    refused: &mut Refused,
    batch: &NewBatch,
) -> NameCase {
    let registered = registered
        .filter(|(_, kind)| kind != SubjectKind::NaturalPerson.as_str())
        .map(|(name, _)| name);
    let code = chengxin_codes::mask::redact(&r.subject.code);
    let name = &r.subject.name;
    let message = chengxin_codes::mask::redact(&match registered {
        Some(registered) => format!(
            "代码 {code} 在主体库中登记的名称是「{registered}」，与本行的「{name}」不符：请核对代码\
             和名称（主体如已更名，其名称变更登记须先报送登记注册信息） / the subject holding {code} is \
             registered as 「{registered}」, not 「{name}」 as this row says: check the code and \
             the name (a renaming is sent first, as a 登记注册 row)"
        ),
        None => format!(
            "证件号码 {code} 在主体库中登记的姓名与本行的「{name}」不符：请核对证件号码和姓名 / \
             the person holding {code} is registered under another name than 「{name}」: check \
             the number and the name"
        ),
    });
    // The department, item and document number let the case close itself once the sender's
    // corrected row is accepted ([`BatchWriter::close_corrected_name_cases`]).
    let payload = serde_json::json!({
        "row": r.row_no,
        "line": r.line,
        "name": r.subject.name,
        "department": batch.department,
        "item": batch.item,
        "doc_no": r.doc_no,
        "fields": fields_in_layout(&r.fields_json, batch.field_layout.as_deref())
            .map_or(serde_json::Value::Null, serde_json::Value::Object),
    })
    .to_string();
    refused.rows.push(Rejection {
        row_no: r.row_no,
        line: r.line,
        field: refused.name_field.clone(),
        rule: "name_mismatch".into(),
        message: message.clone(),
    });
    NameCase {
        scheme: r.subject.scheme,
        code: r.subject.code.clone(),
        subject_id,
        detail: message,
        payload,
    }
}

/// Whether a changed row names the held version's party: the same code; a USCC and the
/// organisation code inside it; or the same name under a code of another kind (a 工商注册号 or
/// organisation code replaced by the USCC). Two different codes of one kind (two USCCs, two ID
/// numbers) are two parties whatever the names say: two people share a name, and a code pasted
/// from the wrong row keeps the row's name.
fn same_party(h: &Held, s: &SubjectInput) -> bool {
    let (a, b) = (h.subject_code.as_str(), s.code.as_str());
    if a == b {
        return true;
    }
    // GB 32100: characters 9–17 of a USCC are its holder's organisation code.
    let inside = |uscc: &str, org: &str| {
        chengxin_codes::validate_uscc(uscc).is_ok_and(|u| u.org_code() == org)
    };
    if inside(a, b) || inside(b, a) {
        return true;
    }
    code_kind(a) != code_kind(b) && plain_name(&h.subject_name) == plain_name(&s.name)
}

/// The kind of code a record names its party by, from its shape.
fn code_kind(code: &str) -> u8 {
    if code.contains(':') {
        return 0; // another identity document (passport:…)
    }
    match code.len() {
        18 if chengxin_codes::validate_uscc(code).is_ok() => 1,
        18 => 2, // a citizen ID number
        15 => 3,
        9 => 4,
        _ => 5,
    }
}

/// A name compared without white space and with full-width letters, digits and brackets made
/// half-width (`（集团）` is `(集团)`).
fn plain_name(name: &str) -> String {
    plain_chars(name).collect()
}

/// [`plain_name`]'s characters: full-width ASCII made half-width, Latin letters in lower case,
/// and the dots that separate the parts of a transcribed name (阿依古丽·买买提, written with
/// •, ・, ‧ or ･ as often as with ·) made one.
fn plain_chars(name: &str) -> impl Iterator<Item = char> + '_ {
    name.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .map(|c| match c {
            '\u{2022}' | '\u{2027}' | '\u{30FB}' | '\u{FF65}' | '\u{2219}' | '\u{22C5}' => {
                '\u{00B7}'
            }
            c => c.to_ascii_lowercase(),
        })
}

/// A subject as a row names it, with every identifier it implies.
pub(crate) type Wanted<'r> = (&'r SubjectInput, Vec<(Scheme, String)>);

/// A row's subject (scheme, code) and the index of the pending subject created for it.
pub(crate) type Later = ((Scheme, String), usize);

/// The subjects of `rows` not resolved earlier in the batch, once each, with every identifier
/// each one implies.
pub(crate) fn wanted_subjects<'r>(
    rows: &'r [(RecordInput, i64)],
    resolved: &HashMap<(Scheme, String), i64>,
) -> Vec<Wanted<'r>> {
    let mut wanted = Vec::new();
    let mut seen: std::collections::HashSet<(Scheme, &str)> = std::collections::HashSet::new();
    for (r, _) in rows {
        let s = &r.subject;
        if !seen.insert((s.scheme, s.code.as_str()))
            || resolved.contains_key(&(s.scheme, s.code.clone()))
        {
            continue;
        }
        wanted.push((s, identifiers_of(s)));
    }
    wanted
}

/// The identifier values to look up for `wanted`, sorted and once each.
pub(crate) fn lookup_values(wanted: &[Wanted<'_>]) -> Vec<String> {
    let mut v: Vec<String> = wanted
        .iter()
        .flat_map(|(s, ids)| ids.iter().chain(s.also.iter()).map(|(_, c)| c.clone()))
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Subjects to create as pending, and for every wanted subject the index of the created one
/// it resolves to. Those found in `held` (by the row's own code first, then the codes it
/// implies) go straight into `resolved`; two rows naming one new subject by different codes
/// (a USCC and the organisation code inside it) share one creation.
pub(crate) fn plan_creation<'r>(
    wanted: &[Wanted<'r>],
    held: &HashMap<(Scheme, String), i64>,
    resolved: &mut HashMap<(Scheme, String), i64>,
) -> (Vec<Wanted<'r>>, Vec<Later>) {
    let mut create: Vec<Wanted<'r>> = Vec::new();
    let mut claimed: HashMap<(Scheme, String), usize> = HashMap::new();
    let mut later: Vec<Later> = Vec::new();
    for (subject, ids) in wanted {
        let key = (subject.scheme, subject.code.clone());
        if let Some(id) = held
            .get(&key)
            .or_else(|| ids.iter().find_map(|k| held.get(k)))
        {
            resolved.insert(key, *id);
            continue;
        }
        if let Some(i) = ids.iter().find_map(|k| claimed.get(k)) {
            later.push((key, *i));
            continue;
        }
        let i = create.len();
        for k in ids {
            claimed.insert(k.clone(), i);
        }
        // The row's other codes, where no subject holds them and no earlier one of this batch
        // took them.
        let mut keep = ids.clone();
        for k in &subject.also {
            if !held.contains_key(k) && !claimed.contains_key(k) && !keep.contains(k) {
                claimed.insert(k.clone(), i);
                keep.push(k.clone());
            }
        }
        later.push((key, i));
        create.push((*subject, keep));
    }
    (create, later)
}

/// The key of a pending subject: its USCC, or a new opaque key.
pub(crate) fn pending_key(s: &SubjectInput) -> String {
    match s.scheme {
        Scheme::Uscc => s.code.clone(),
        _ => crate::subjects::new_key(),
    }
}

/// Why a pending subject was created, and by what (its version 1's reason and source).
pub(crate) fn pending_reason(batch_id: i64) -> (String, String) {
    (
        format!("待核实：第 {batch_id} 批归集信息所载主体，尚未在主体库登记"),
        format!("batch:{batch_id}"),
    )
}

/// One chunk on PostgreSQL: lookups with `IN` lists, the records with `COPY … FROM STDIN`.
async fn flush_pg(
    t: &mut sqlx::Transaction<'static, sqlx::Postgres>,
    mut chunk: Chunk<'_>,
    rows: Vec<RecordInput>,
) -> Result<(), StoreError> {
    let ctx = chunk.ctx;
    // 1. What is held for these document numbers.
    let mut held: HashMap<String, Held> = HashMap::new();
    if chunk.has_records {
        let docs: Vec<&str> = rows.iter().map(|r| r.doc_no.as_str()).collect();
        type Found = (String, i64, i64, String, String, String, String);
        let found: Vec<Found> = sqlx::query_as(
            // One index probe per document number, whatever the planner believes of the
            // table's size (its statistics lag behind a batch that is filling it).
            "SELECT d.doc_no, r.id, r.version, r.hash, r.subject_code, r.subject_name, r.status \
             FROM unnest($3::text[]) AS d(doc_no) \
             CROSS JOIN LATERAL (SELECT id, version, hash, subject_code, subject_name, status FROM records \
             WHERE department = $1 AND item = $2 AND doc_no = d.doc_no AND current = 1 LIMIT 1) r",
        )
        .bind(&ctx.batch.department)
        .bind(&ctx.batch.item)
        .bind(&docs)
        .fetch_all(&mut **t)
        .await?;
        for (doc, id, version, hash, subject_code, subject_name, status) in found {
            held.insert(
                doc,
                Held {
                    id,
                    version,
                    hash,
                    subject_code,
                    subject_name,
                    status,
                },
            );
        }
    }
    // 1b. Earlier versions these rows repeat.
    let mut earlier: HashMap<String, (i64, i64)> = HashMap::new();
    let wanted = stale_candidates(&rows, &held);
    if !wanted.is_empty() {
        let (docs, hashes): (Vec<&str>, Vec<&str>) = wanted.into_iter().unzip();
        let found: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT d.doc_no, r.version, r.batch_id \
             FROM unnest($3::text[], $4::text[]) AS d(doc_no, hash) \
             CROSS JOIN LATERAL (SELECT version, batch_id FROM records \
             WHERE department = $1 AND item = $2 AND doc_no = d.doc_no AND hash = d.hash \
             AND current = 0 ORDER BY version DESC LIMIT 1) r",
        )
        .bind(&ctx.batch.department)
        .bind(&ctx.batch.item)
        .bind(&docs)
        .bind(&hashes)
        .fetch_all(&mut **t)
        .await?;
        for (doc, version, batch) in found {
            earlier.insert(doc, (version, batch));
        }
    }
    // 2. Classify.
    let (to_write, superseded) = classify(rows, &held, &earlier, chunk.summary, chunk.refused);
    if to_write.is_empty() {
        return Ok(());
    }
    // 3. Subjects.
    resolve_subjects_pg(
        t,
        &to_write,
        ctx,
        chunk.summary,
        chunk.subjects,
        chunk.names,
    )
    .await?;
    // The names the subjects of new decisions have held (see `check_names`): one index probe
    // per subject, whatever the planner believes of the tables' sizes.
    let wanted = names_wanted(&chunk, &to_write);
    if !wanted.is_empty() {
        let found: Vec<(i64, String)> = sqlx::query_as(
            "SELECT w.id, n.name FROM unnest($1::bigint[]) AS w(id) \
             CROSS JOIN LATERAL (SELECT name FROM subject_versions WHERE subject_id = w.id \
             UNION ALL SELECT name FROM subject_accepted_names WHERE subject_id = w.id \
             OFFSET 0) n",
        )
        .bind(&wanted)
        .fetch_all(&mut **t)
        .await?;
        for id in &wanted {
            chunk.names.entry(*id).or_default();
        }
        for (id, name) in found {
            if let Some(n) = chunk.names.get_mut(&id) {
                n.add(&name);
            }
        }
    }
    let mut superseded = superseded;
    let (to_write, held_back) = hold_back_names(&mut chunk, to_write, &mut superseded, &held);
    for (r, id, _) in &held_back {
        let registered: Option<(String, String)> =
            sqlx::query_as("SELECT name, kind FROM subjects WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut **t)
                .await?;
        let case = hold_for_review(r, *id, registered, chunk.refused, chunk.ctx.batch);
        sqlx::query(OPEN_NAME_CASE_ONCE)
            .bind(CaseKind::NameMismatch.as_str())
            .bind(case.scheme.as_str())
            .bind(&case.code)
            .bind(case.subject_id)
            .bind(&case.detail)
            .bind(&case.payload)
            .bind(ctx.recorded_at)
            .bind(&ctx.batch.submitted_by)
            .execute(&mut **t)
            .await?;
    }
    if to_write.is_empty() && superseded.is_empty() {
        return Ok(());
    }
    let subject_ids = &*chunk.subjects;
    // 4. Supersede changed records, then write the new versions.
    let mut flagged: Vec<i64> = Vec::new();
    if !superseded.is_empty() {
        let done: Vec<(i64, bool)> = sqlx::query_as(SUPERSEDE_PG)
            .bind(&superseded)
            .fetch_all(&mut **t)
            .await?;
        flagged = done
            .into_iter()
            .filter(|(_, f)| *f)
            .map(|(id, _)| id)
            .collect();
    }
    // The rows as one array per column, inserted by one statement (see `PG_INSERT_RECORDS`).
    let n = to_write.len();
    let mut doc_no = Vec::with_capacity(n);
    let mut version = Vec::with_capacity(n);
    let mut row_no = Vec::with_capacity(n);
    let mut subject_id = Vec::with_capacity(n);
    let mut subject_name = Vec::with_capacity(n);
    let mut subject_code = Vec::with_capacity(n);
    let mut decision_date = Vec::with_capacity(n);
    let mut status = Vec::with_capacity(n);
    let mut severity = Vec::with_capacity(n);
    let mut publish_from = Vec::with_capacity(n);
    let mut min_until = Vec::with_capacity(n);
    let mut publish_until = Vec::with_capacity(n);
    let mut on_time = Vec::with_capacity(n);
    let mut filled_optional = Vec::with_capacity(n);
    let mut applicable_optional = Vec::with_capacity(n);
    let mut fields = Vec::with_capacity(n);
    let mut hash = Vec::with_capacity(n);
    for (r, v) in to_write {
        subject_id.push(
            subject_ids
                .get(&(r.subject.scheme, r.subject.code.clone()))
                .copied()
                .unwrap_or_default(),
        );
        doc_no.push(r.doc_no);
        version.push(v);
        row_no.push(i64::try_from(r.row_no).unwrap_or(i64::MAX));
        subject_name.push(r.subject.name);
        subject_code.push(r.subject.code);
        decision_date.push(r.decision_date);
        status.push(r.status);
        severity.push(r.severity);
        publish_from.push(r.publish_from);
        min_until.push(r.min_until);
        publish_until.push(r.publish_until);
        on_time.push(r.on_time.map(i64::from));
        filled_optional.push(i64::from(r.filled_optional));
        applicable_optional.push(i64::from(r.applicable_optional));
        fields.push(r.fields_json);
        hash.push(r.hash);
    }
    sqlx::query(PG_INSERT_RECORDS)
        .bind(&ctx.batch.item)
        .bind(&ctx.batch.department)
        .bind(ctx.id)
        .bind(ctx.batch.catalog_version)
        .bind(ctx.batch.received_on)
        .bind(ctx.recorded_at)
        .bind(doc_no)
        .bind(version)
        .bind(row_no)
        .bind(subject_id)
        .bind(subject_name)
        .bind(subject_code)
        .bind(decision_date)
        .bind(status)
        .bind(severity)
        .bind(publish_from)
        .bind(min_until)
        .bind(publish_until)
        .bind(on_time)
        .bind(filled_optional)
        .bind(applicable_optional)
        .bind(fields)
        .bind(hash)
        .execute(&mut **t)
        .await?;
    for id in flagged {
        sqlx::query(CARRY_FLAGS).bind(id).execute(&mut **t).await?;
    }
    Ok(())
}

/// A chunk of records on PostgreSQL in one statement: the batch's constants as scalars, the
/// rows as one array per column, zipped back into rows by `unnest`.
///
/// Not `COPY`: sqlx 0.9.0 leaves Nagle's algorithm on (sqlx issue #4335), and `COPY` sends its
/// data and its end as two writes, so the end waited for the server's delayed ACK — about
/// 40 ms on every `COPY`, which made up half the time of a large batch. One statement is one
/// write.
const PG_INSERT_RECORDS: &str = "INSERT INTO records (item, department, doc_no, version, \
    current, batch_id, row_no, catalog_version, subject_id, subject_name, subject_code, \
    decision_date, status, severity, publish_from, min_until, publish_until, received_on, \
    on_time, filled_optional, applicable_optional, fields, hash, recorded_at) \
    SELECT $1, $2, u.doc_no, u.version, 1, $3, u.row_no, $4, u.subject_id, u.subject_name, \
    u.subject_code, u.decision_date, u.status, u.severity, u.publish_from, u.min_until, \
    u.publish_until, $5, u.on_time, u.filled_optional, u.applicable_optional, u.fields, u.hash, $6 \
    FROM unnest($7::text[], $8::bigint[], $9::bigint[], $10::bigint[], $11::text[], $12::text[], \
    $13::date[], $14::text[], $15::text[], $16::date[], $17::date[], $18::date[], $19::bigint[], \
    $20::bigint[], $21::bigint[], $22::text[], $23::text[]) AS u(doc_no, version, row_no, \
    subject_id, subject_name, subject_code, decision_date, status, severity, publish_from, \
    min_until, publish_until, on_time, filled_optional, applicable_optional, fields, hash)";

/// Finds the subject of every row to write by any of its codes, creating pending subjects for
/// codes nobody holds, on PostgreSQL. Adds (scheme, code) → subject id to `out`.
///
/// Batches of different departments run side by side on PostgreSQL, so two of them can name the
/// same unregistered subject at once: both miss it, both create it, and the second one's insert
/// waits for the first and then violates the unique key. The creation therefore runs under a
/// savepoint; on that conflict (or a deadlock between two such batches) it is undone, the codes
/// are looked up again — now finding the other batch's subject — and only what is still missing
/// is created. A batch is never refused for a race it did not cause.
async fn resolve_subjects_pg(
    t: &mut sqlx::Transaction<'static, sqlx::Postgres>,
    rows: &[(RecordInput, i64)],
    ctx: &WriteCtx<'_>,
    summary: &mut BatchSummary,
    out: &mut HashMap<(Scheme, String), i64>,
    names: &mut HashMap<i64, HeldNames>,
) -> Result<(), StoreError> {
    const ATTEMPTS: usize = 5;
    for attempt in 1..=ATTEMPTS {
        let wanted = wanted_subjects(rows, out);
        if wanted.is_empty() {
            return Ok(());
        }
        let held = lookup_subjects_pg(t, &wanted).await?;
        let (create, later) = plan_creation(&wanted, &held, out);
        if create.is_empty() {
            return Ok(());
        }
        sqlx::query("SAVEPOINT pending_subjects")
            .execute(&mut **t)
            .await?;
        match create_pending_pg(t, &create, ctx).await {
            Ok(new_ids) => {
                sqlx::query("RELEASE SAVEPOINT pending_subjects")
                    .execute(&mut **t)
                    .await?;
                summary.pending_subjects += new_ids.len() as u64;
                for ((s, _), id) in create.iter().zip(&new_ids) {
                    names.insert(*id, HeldNames::new(&s.name));
                }
                for (key, i) in later {
                    if let Some(id) = new_ids.get(i) {
                        out.insert(key, *id);
                    }
                }
                return Ok(());
            }
            Err(StoreError::Database(e)) if attempt < ATTEMPTS && raced(&e) => {
                tracing::info!(attempt, error = %e, "pending subjects created meanwhile by another batch; looking them up again");
                sqlx::query("ROLLBACK TO SAVEPOINT pending_subjects")
                    .execute(&mut **t)
                    .await?;
            }
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::Conflict(
        "other batches kept creating the same subjects; send this batch again".into(),
    ))
}

/// A unique-key violation or a deadlock: what two batches creating the same subject meet.
fn raced(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|c| c == "23505" || c == "40P01")
}

/// The subjects already holding any of the identifiers of `wanted`.
async fn lookup_subjects_pg(
    t: &mut sqlx::Transaction<'static, sqlx::Postgres>,
    wanted: &[Wanted<'_>],
) -> Result<HashMap<(Scheme, String), i64>, StoreError> {
    let values = lookup_values(wanted);
    let found: Vec<(String, String, i64)> = sqlx::query_as(
        // One index probe per value, as for the records above.
        // (`OFFSET 0` keeps the planner from turning the probes into a join that reads the
        // whole index.)
        "SELECT i.scheme, v.value, i.subject_id FROM unnest($1::text[]) AS v(value) \
         CROSS JOIN LATERAL (SELECT scheme, subject_id FROM subject_identifiers \
         WHERE value = v.value OFFSET 0) i",
    )
    .bind(&values)
    .fetch_all(&mut **t)
    .await?;
    let mut held: HashMap<(Scheme, String), i64> = HashMap::new();
    for (scheme, value, id) in found {
        if let Some(s) = Scheme::parse(&scheme) {
            held.insert((s, value), id);
        }
    }
    Ok(held)
}

/// Creates `create` as pending subjects (version 1, identifiers); returns their ids in order.
async fn create_pending_pg(
    t: &mut sqlx::Transaction<'static, sqlx::Postgres>,
    create: &[Wanted<'_>],
    ctx: &WriteCtx<'_>,
) -> Result<Vec<i64>, StoreError> {
    // Ids from the subjects' own identity sequence; then the subjects as arrays (see
    // `PG_INSERT_RECORDS` for why not COPY), their history rows copied from them inside the
    // server, and their identifiers.
    let new_ids: Vec<i64> = sqlx::query_scalar(
        "SELECT nextval(pg_get_serial_sequence('subjects', 'id')) FROM generate_series(1, $1)",
    )
    .bind(i64::try_from(create.len()).unwrap_or(i64::MAX))
    .fetch_all(&mut **t)
    .await?;
    if new_ids.len() != create.len() {
        return Err(StoreError::Corrupt(format!(
            "asked for {} subject ids, got {}",
            create.len(),
            new_ids.len()
        )));
    }
    let (reason, source) = pending_reason(ctx.id);
    let code_of = |sc: Scheme| -> Vec<Option<&str>> {
        create
            .iter()
            .map(|(s, ids)| s.code_under(sc, ids))
            .collect()
    };
    let keys: Vec<String> = create.iter().map(|(s, _)| pending_key(s)).collect();
    let kinds: Vec<&str> = create.iter().map(|(s, _)| s.kind.as_str()).collect();
    let names: Vec<&str> = create.iter().map(|(s, _)| s.name.as_str()).collect();
    let cols = "version, kind, status, name, uscc, org_code, reg_no, tax_no, citizen_id, \
        person_doc, valid_from, recorded_at, recorded_by, reason, source";
    // `cols` is a constant: nothing of the input reaches the SQL text.
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO subjects (id, key, {cols}) \
         SELECT u.id, u.key, 1, u.kind, $1, u.name, u.uscc, u.org_code, u.reg_no, u.tax_no, \
         u.citizen_id, u.person_doc, $2, $3, $4, $5, $6 \
         FROM unnest($7::bigint[], $8::text[], $9::text[], $10::text[], $11::text[], \
         $12::text[], $13::text[], $14::text[], $15::text[], $16::text[]) \
         AS u(id, key, kind, name, uscc, org_code, reg_no, tax_no, citizen_id, person_doc)"
    )))
    .bind(SubjectStatus::Pending.as_str())
    .bind(ctx.batch.received_on)
    .bind(ctx.recorded_at)
    .bind(&ctx.batch.submitted_by)
    .bind(&reason)
    .bind(&source)
    .bind(&new_ids)
    .bind(&keys)
    .bind(&kinds)
    .bind(&names)
    .bind(code_of(Scheme::Uscc))
    .bind(code_of(Scheme::Org))
    .bind(code_of(Scheme::Regno))
    .bind(code_of(Scheme::TaxNo))
    .bind(code_of(Scheme::CitizenId))
    .bind(code_of(Scheme::PersonDoc))
    .execute(&mut **t)
    .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO subject_versions (subject_id, {cols}) \
         SELECT id, {cols} FROM subjects WHERE id = ANY($1)"
    )))
    .bind(&new_ids)
    .execute(&mut **t)
    .await?;
    let mut ident_ids: Vec<i64> = Vec::new();
    let mut ident_schemes: Vec<&str> = Vec::new();
    let mut ident_values: Vec<&str> = Vec::new();
    for (id, (_, ids)) in new_ids.iter().zip(create.iter()) {
        for (scheme, value) in ids {
            ident_ids.push(*id);
            ident_schemes.push(scheme.as_str());
            ident_values.push(value.as_str());
        }
    }
    sqlx::query(
        "INSERT INTO subject_identifiers (subject_id, scheme, value) \
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[])",
    )
    .bind(&ident_ids)
    .bind(&ident_schemes)
    .bind(&ident_values)
    .execute(&mut **t)
    .await?;
    Ok(new_ids)
}

/// The identifiers a row's subject is found by, and a pending subject created from it holds:
/// its code, and for a USCC the organisation code inside it (as the registry derives it). The
/// row's other codes (`also`) are kept too when nobody holds them ([`plan_creation`]), but do
/// not find a subject: a file giving one company's registration number beside another's USCC
/// must not merge the two.
pub(crate) fn identifiers_of(s: &SubjectInput) -> Vec<(Scheme, String)> {
    let mut out = vec![(s.scheme, s.code.clone())];
    if s.scheme == Scheme::Uscc
        && let Some(org) = s.code.get(8..17)
    {
        out.push((Scheme::Org, org.to_string()));
    }
    out
}

/// Baselines for `chengxin bench` (not used by the platform).
impl Store {
    /// (Re)creates `bench_raw` with `columns` text columns `c1..cN`; returns their names.
    async fn bench_raw_table(&self, columns: usize) -> Result<Vec<String>, StoreError> {
        let cols: Vec<String> = (1..=columns).map(|i| format!("c{i}")).collect();
        let defs: Vec<String> = cols.iter().map(|c| format!("{c} TEXT")).collect();
        self.execute_raw_for_tests(&format!(
            "DROP TABLE IF EXISTS bench_raw; CREATE TABLE bench_raw ({})",
            defs.join(", ")
        ))
        .await?;
        Ok(cols)
    }

    /// SQLite only: `bench_raw` (no keys, no indexes) filled from `rx` in one transaction on the
    /// writer connection with the batch's settings, through the bulk path a batch writes with
    /// (prepared single-row `INSERT`s) — the raw baseline of the collection benchmark.
    pub async fn bench_raw_insert(
        &self,
        columns: usize,
        mut rx: tokio::sync::mpsc::Receiver<Vec<Vec<String>>>,
    ) -> Result<u64, StoreError> {
        let cols = self.bench_raw_table(columns).await?;
        let crate::Pool::Sqlite(p) = &self.pool else {
            return Err(StoreError::Conflict(
                "the raw-insert baseline is for SQLite; PostgreSQL's is COPY".into(),
            ));
        };
        let mut tx = self.begin_sqlite_bulk(p).await?;
        let n = crate::bulk::raw_insert(&mut tx, &cols, &mut rx).await?;
        sqlx::query(SQLITE_CACHE_RESET).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// PostgreSQL only: `COPY bench_raw FROM STDIN (FORMAT csv, HEADER)` of a whole CSV file —
    /// the fastest load PostgreSQL offers, the baseline for ingest on PostgreSQL.
    pub async fn bench_copy_csv(
        &self,
        columns: usize,
        path: &std::path::Path,
    ) -> Result<u64, StoreError> {
        let crate::Pool::Postgres(p) = &self.pool else {
            return Err(StoreError::Conflict("COPY is PostgreSQL only".into()));
        };
        self.bench_raw_table(columns).await?;
        let mut tx = p.begin().await?;
        let mut copy = tx
            .copy_in_raw("COPY bench_raw FROM STDIN (FORMAT csv, HEADER true)")
            .await?;
        let file = tokio::fs::File::open(path)
            .await
            .map_err(|e| StoreError::Conflict(format!("{}: {e}", path.display())))?;
        copy.read_from(file).await?;
        let n = copy.finish().await?;
        tx.commit().await?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stored fields that cannot be read are named as such, not read as fewer fields.
    #[test]
    fn unreadable_fields_are_reported() {
        let layout = r#"["A","B"]"#;
        assert!(
            fields_object(r#"["1","2","3"]"#, Some(layout))
                .expect_err("unreadable")
                .contains("3 values for a layout of 2")
        );
        assert!(
            fields_object(r#"["1"]"#, None)
                .expect_err("unreadable")
                .contains("no field layout")
        );
        assert!(fields_object("7", Some(layout)).is_err());
        assert!(fields_object(r#"["1"]"#, Some("{}")).is_err());
        assert!(
            fields_object("{", None)
                .expect_err("unreadable")
                .contains("not JSON")
        );
        let trailing = fields_array(
            &["A".into(), "B".into(), "C".into()],
            &[("A".into(), "x".into())],
        );
        assert_eq!(trailing.as_deref(), Some(r#"["x"]"#));
        let unknown = fields_array(&["A".into()], &[("Z".into(), "x".into())]);
        assert_eq!(unknown, None);
    }

    /// The records' reading of "shown as a person" is the registry's rule, word for word.
    #[test]
    fn records_read_the_registrys_person_rule() {
        let rule = chengxin_registry::shown_as_person_sql("p");
        let squeezed = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            squeezed(RECORD_SELECT).contains(&format!("CASE WHEN {} THEN", squeezed(&rule))),
            "{rule}"
        );
    }

    fn subject(scheme: Scheme, code: &str) -> SubjectInput {
        SubjectInput {
            name: format!("{code} 名称"),
            kind: SubjectKind::LegalPerson,
            scheme,
            code: code.into(),
            also: Vec::new(),
        }
    }

    fn row(s: SubjectInput) -> (RecordInput, i64) {
        let d = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap_or_default();
        (
            RecordInput {
                row_no: 1,
                line: 2,
                doc_no: "文号".into(),
                subject: s,
                decision_date: d,
                status: "valid".into(),
                severity: None,
                publish_from: None,
                min_until: None,
                publish_until: None,
                on_time: None,
                filled_optional: 0,
                applicable_optional: 0,
                fields_json: "{}".into(),
                hash: String::new(),
            },
            1,
        )
    }

    const USCC: &str = "91350100M000100Y4J";
    const ORG: &str = "M000100Y4";

    /// A new company named first by its organisation code, then by the USCC holding it: one
    /// creation, which both rows resolve to (the reverse order of the store test).
    #[test]
    fn org_code_then_uscc_is_one_new_subject() {
        let rows = vec![
            row(subject(Scheme::Org, ORG)),
            row(subject(Scheme::Uscc, USCC)),
            row(subject(Scheme::Org, ORG)),
        ];
        let mut resolved = HashMap::new();
        let wanted = wanted_subjects(&rows, &resolved);
        assert_eq!(wanted.len(), 2, "the repeated org code is wanted once");
        assert_eq!(
            lookup_values(&wanted),
            vec![USCC.to_string(), ORG.to_string()]
        );
        let (create, later) = plan_creation(&wanted, &HashMap::new(), &mut resolved);
        assert_eq!(create.len(), 1);
        assert_eq!(create[0].0.scheme, Scheme::Org);
        assert_eq!(
            later,
            vec![
                ((Scheme::Org, ORG.to_string()), 0),
                ((Scheme::Uscc, USCC.to_string()), 0)
            ]
        );
        assert!(resolved.is_empty());
    }

    /// A subject already held under the organisation code is found from a row naming only its
    /// USCC, and nothing is created; subjects resolved earlier in the batch are not wanted again.
    #[test]
    fn a_held_implied_code_resolves_without_creating() {
        let rows = vec![row(subject(Scheme::Uscc, USCC))];
        let held = HashMap::from([((Scheme::Org, ORG.to_string()), 42)]);
        let mut resolved = HashMap::new();
        let wanted = wanted_subjects(&rows, &resolved);
        let (create, later) = plan_creation(&wanted, &held, &mut resolved);
        assert!(create.is_empty() && later.is_empty());
        assert_eq!(resolved.get(&(Scheme::Uscc, USCC.to_string())), Some(&42));
        assert!(wanted_subjects(&rows, &resolved).is_empty());
    }

    const REGNO: &str = "350100000000018";

    fn with_regno(uscc: &str) -> SubjectInput {
        SubjectInput {
            also: vec![(Scheme::Regno, REGNO.to_string())],
            ..subject(Scheme::Uscc, uscc)
        }
    }

    /// A registration number given beside a new company's USCC is kept as its identifier (and a
    /// row naming only that number in the same batch finds it); one already held by another
    /// subject, or taken by an earlier company of the batch, is not kept and finds nothing: a
    /// file's wrong number must not merge two companies.
    #[test]
    fn names_compare_without_width_case_spaces_or_the_kind_of_dot() {
        let held = HeldNames::new("阿依古丽·买买提");
        for same in ["阿依古丽•买买提", "阿依古丽・买买提", " 阿依古丽･买买提 "]
        {
            assert!(held.holds(same), "{same}");
        }
        let latin = HeldNames::new("ZHANG SAN Trading (Fuzhou)");
        for same in [
            "zhang san trading (fuzhou)",
            "ＺＨＡＮＧ　ＳＡＮ Ｔｒａｄｉｎｇ（Ｆｕｚｈｏｕ）",
        ] {
            assert!(latin.holds(same), "{same}");
        }
        assert!(!latin.holds("LI SI Trading (Fuzhou)"));
        assert!(!held.holds("阿依古丽买买提江"));
        // Nothing known: nothing to hold against.
        assert!(HeldNames::default().holds("任何名称"));
    }

    #[test]
    fn other_codes_of_a_row_are_kept_only_when_free() {
        let other = "91350100MA2XYZ0K0Q";
        let rows = vec![
            row(with_regno(USCC)),
            row(subject(Scheme::Regno, REGNO)),
            row(with_regno(other)),
        ];
        let mut resolved = HashMap::new();
        let wanted = wanted_subjects(&rows, &resolved);
        assert!(lookup_values(&wanted).contains(&REGNO.to_string()));
        let (create, later) = plan_creation(&wanted, &HashMap::new(), &mut resolved);
        assert_eq!(create.len(), 2, "{create:?}");
        assert!(create[0].1.contains(&(Scheme::Regno, REGNO.to_string())));
        assert_eq!(
            create[0].0.code_under(Scheme::Regno, &create[0].1),
            Some(REGNO)
        );
        assert!(!create[1].1.contains(&(Scheme::Regno, REGNO.to_string())));
        assert_eq!(create[1].0.code_under(Scheme::Regno, &create[1].1), None);
        assert_eq!(
            later,
            vec![
                ((Scheme::Uscc, USCC.to_string()), 0),
                ((Scheme::Regno, REGNO.to_string()), 0),
                ((Scheme::Uscc, other.to_string()), 1),
            ]
        );
        // Held by a subject already: the new company is created without it, not merged into it.
        let rows = vec![row(with_regno(USCC))];
        let held = HashMap::from([((Scheme::Regno, REGNO.to_string()), 7)]);
        let mut resolved = HashMap::new();
        let wanted = wanted_subjects(&rows, &resolved);
        let (create, _) = plan_creation(&wanted, &held, &mut resolved);
        assert_eq!(create.len(), 1);
        assert!(!create[0].1.iter().any(|(s, _)| *s == Scheme::Regno));
        assert!(resolved.is_empty());
    }
}
