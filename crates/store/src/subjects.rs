//! The subject registry on both backends.

use crate::cases::{CaseRow, insert_case_sql};
use crate::{Store, StoreError, with_pool, with_write_pool};
use chengxin_codes as codes;
use chengxin_registry::{
    Holder, Provenance, Scheme, Subject, SubjectData, SubjectKind, SubjectStatus, Validated,
    Version, conflicts,
};
use chrono::{DateTime, NaiveDate, Utc};

/// Columns of a version, in the order [`bind_version!`] binds them.
const DATA_COLS: &str = "kind, status, name, uscc, org_code, reg_no, tax_no, citizen_id, \
    legal_rep_name, legal_rep_id, region_code, registration_authority, established, \
    valid_from, recorded_at, recorded_by, reason, source, person_doc";

const SUBJECT_SELECT: &str = "SELECT id, key, version, kind, status, name, uscc, org_code, reg_no, tax_no, \
    citizen_id, legal_rep_name, legal_rep_id, region_code, registration_authority, established, \
    valid_from, recorded_at, recorded_by, reason, source, person_doc FROM subjects";

const VERSION_SELECT: &str = "SELECT subject_id AS id, '' AS key, version, kind, status, name, uscc, org_code, \
    reg_no, tax_no, citizen_id, legal_rep_name, legal_rep_id, region_code, registration_authority, \
    established, valid_from, recorded_at, recorded_by, reason, source, person_doc \
    FROM subject_versions";

/// Binds the 19 [`DATA_COLS`] of a `Version` to a query, in order.
macro_rules! bind_version {
    ($q:expr, $v:expr) => {{
        let v: &Version = $v;
        let d = &v.data;
        $q.bind(d.kind.as_str())
            .bind(d.status.as_str())
            .bind(d.name.as_str())
            .bind(d.uscc.as_deref())
            .bind(d.org_code.as_deref())
            .bind(d.reg_no.as_deref())
            .bind(d.tax_no.as_deref())
            .bind(d.citizen_id.as_deref())
            .bind(d.legal_rep_name.as_deref())
            .bind(d.legal_rep_id.as_deref())
            .bind(d.region_code.as_deref())
            .bind(d.registration_authority.as_deref())
            .bind(d.established)
            .bind(v.valid_from)
            .bind(v.recorded_at)
            .bind(v.recorded_by.as_str())
            .bind(v.reason.as_str())
            .bind(v.source.as_str())
            .bind(d.person_doc.as_deref())
    }};
}

/// The subjects already holding any of `ids`, read inside the open transaction `$tx`.
macro_rules! find_holders {
    ($tx:expr, $ids:expr) => {{
        let mut holders = Vec::new();
        for (scheme, value) in $ids {
            let found: Vec<(i64, Option<String>)> = sqlx::query_as(
                "SELECT i.subject_id, s.uscc FROM subject_identifiers i \
                 JOIN subjects s ON s.id = i.subject_id WHERE i.value = $1 AND i.scheme = $2",
            )
            .bind(value)
            .bind(scheme.as_str())
            .fetch_all(&mut *$tx)
            .await?;
            holders.extend(found.into_iter().map(|(subject_id, subject_uscc)| Holder {
                scheme: *scheme,
                value: value.clone(),
                subject_id,
                subject_uscc,
            }));
        }
        holders
    }};
}

/// Opens a code case for each draft inside `$tx`; evaluates to the opened cases.
macro_rules! open_cases {
    ($tx:expr, $drafts:expr, $subject_id:expr, $payload:expr, $actor:expr) => {{
        let mut opened = Vec::new();
        for c in $drafts {
            let row: CaseRow = sqlx::query_as(insert_case_sql())
                .bind(c.kind.as_str())
                .bind(c.scheme.as_str())
                .bind(&c.code)
                .bind($subject_id)
                .bind(c.other_subject_id)
                .bind(&c.detail)
                .bind($payload)
                .bind(crate::now())
                .bind($actor)
                .fetch_one(&mut *$tx)
                .await?;
            opened.push(row.into_case()?);
        }
        opened
    }};
}

/// One row of `subjects` or `subject_versions` as stored.
#[derive(sqlx::FromRow, Debug)]
pub(crate) struct Row {
    id: i64,
    key: String,
    version: i64,
    kind: String,
    status: String,
    name: String,
    uscc: Option<String>,
    org_code: Option<String>,
    reg_no: Option<String>,
    tax_no: Option<String>,
    citizen_id: Option<String>,
    legal_rep_name: Option<String>,
    legal_rep_id: Option<String>,
    region_code: Option<String>,
    registration_authority: Option<String>,
    established: Option<NaiveDate>,
    valid_from: NaiveDate,
    recorded_at: DateTime<Utc>,
    recorded_by: String,
    reason: String,
    source: String,
    person_doc: Option<String>,
}

impl Row {
    fn into_version(self) -> Result<(i64, String, Version), StoreError> {
        let kind = SubjectKind::parse(&self.kind).ok_or_else(|| {
            StoreError::Corrupt(format!("subject {}: kind {:?}", self.id, self.kind))
        })?;
        let status = SubjectStatus::parse(&self.status).ok_or_else(|| {
            StoreError::Corrupt(format!("subject {}: status {:?}", self.id, self.status))
        })?;
        Ok((
            self.id,
            self.key,
            Version {
                version: self.version,
                data: SubjectData {
                    kind,
                    name: self.name,
                    status,
                    uscc: self.uscc,
                    org_code: self.org_code,
                    reg_no: self.reg_no,
                    tax_no: self.tax_no,
                    citizen_id: self.citizen_id,
                    person_doc: self.person_doc,
                    legal_rep_name: self.legal_rep_name,
                    legal_rep_id: self.legal_rep_id,
                    region_code: self.region_code,
                    registration_authority: self.registration_authority,
                    established: self.established,
                },
                valid_from: self.valid_from,
                recorded_at: self.recorded_at,
                recorded_by: self.recorded_by,
                reason: self.reason,
                source: self.source,
            },
        ))
    }

    pub(crate) fn into_subject(self) -> Result<Subject, StoreError> {
        let (id, key, current) = self.into_version()?;
        Ok(Subject { id, key, current })
    }
}

/// A page of results.
#[derive(Clone, Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
}

/// How many candidates a public search whose text could match masked characters looks at.
pub const PUBLIC_MATCH_CANDIDATES: i64 = 2000;

/// Whether a searched character stands for any one character: punctuation and spaces, half-
/// or full-width (but `%`, `_` and `\`, which are themselves), and the brackets of document
/// numbers (〔〕【】). Names and document numbers are
/// typed with either form — 「福州某某（分公司）」 searched as 「福州某某(分公司)」, 「闽市监罚〔2026〕」
/// as 「闽市监罚[2026]」 — and no index folds widths on both stores, so the search leaves such a
/// character open (the punctuation of a name is never what tells two names apart).
pub(crate) fn is_open_char(c: char) -> bool {
    c.is_ascii_punctuation() && !matches!(c, '%' | '_' | '\\')
        || c == ' '
        || c == '\u{3000}'
        || ('\u{FF01}'..='\u{FF5E}').contains(&c) && !c.is_alphanumeric()
        || matches!(
            c,
            '〔' | '〕' | '【' | '】' | '〖' | '〗' | '·' | '・' | '•'
        )
}

/// `%text%` for `LIKE … ESCAPE '\'`: each [`is_open_char`] as `_` (any one character); `%`,
/// `_` and `\` in the text are themselves.
pub(crate) fn like_pattern(text: &str) -> String {
    let pattern: String = text
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c if is_open_char(c) => vec!['_'],
            c => vec![c],
        })
        .collect();
    format!("%{pattern}%")
}

/// Whether a search text could match characters the public never sees: masking hides only
/// letters and digits (of ID, phone and passport numbers), half- or full-width.
pub(crate) fn may_touch_masked(text: &str) -> bool {
    text.chars().any(|c| {
        c.is_ascii_alphanumeric()
            || ('\u{FF10}'..='\u{FF19}').contains(&c)
            || ('\u{FF21}'..='\u{FF5A}').contains(&c)
    })
}

/// Whether `text` is in `name` as the public sees it (ID and phone numbers masked), ignoring
/// ASCII case as SQLite's `LIKE` does, each [`is_open_char`] of `text` matching any character
/// (as in [`like_pattern`]).
pub(crate) fn public_match(name: &str, text: &str) -> bool {
    let hay: Vec<char> = chengxin_codes::mask::redact(name)
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let needle: Vec<Option<char>> = text
        .chars()
        .map(|c| (!is_open_char(c)).then(|| c.to_ascii_lowercase()))
        .collect();
    needle.is_empty()
        || hay.windows(needle.len()).any(|w| {
            w.iter()
                .zip(&needle)
                .all(|(h, n)| n.is_none_or(|n| *h == n))
        })
}

/// One page of `items`, with their number as the total.
pub(crate) fn page_of<T>(items: Vec<T>, offset: i64, limit: i64) -> Page<T> {
    let total = i64::try_from(items.len()).unwrap_or(i64::MAX);
    let skip = usize::try_from(offset.max(0)).unwrap_or(usize::MAX);
    let take = usize::try_from(limit.max(1)).unwrap_or(1);
    Page {
        items: items.into_iter().skip(skip).take(take).collect(),
        total,
    }
}

/// A name search.
#[derive(Clone, Debug)]
pub struct SearchQuery {
    /// A fragment of the current or a former name.
    pub text: String,
    /// Natural persons are left out of public name searches (49号 (十四): minimal disclosure).
    pub include_persons: bool,
    pub limit: i64,
    pub offset: i64,
}

/// Letters of an opaque key: upper-case consonants only. With no digits at all a key can never
/// contain a run that reads as a mobile number or a citizen ID (an earlier hex form could, by
/// chance, and the demo's privacy crawl flagged `CX19123087127E45`), and without vowels it never
/// spells a word.
const KEY_ALPHABET: &[u8; 20] = b"BCDFGHJKLMNPQRSTVWXZ";

/// An opaque key for a subject without a USCC: `CX` + 14 consonants (20^14 ≈ 1.6 × 10^18 keys,
/// drawn from a v4 UUID's 122 random bits). It can never be a valid USCC (position 1 'C' is no
/// registration department) nor a citizen ID or phone number, so no personal number ever appears
/// in a URL.
pub fn new_key() -> String {
    let mut n = uuid::Uuid::new_v4().as_u128();
    let mut key = String::with_capacity(16);
    key.push_str("CX");
    for _ in 0..14 {
        key.push(char::from(KEY_ALPHABET[(n % 20) as usize]));
        n /= 20;
    }
    key
}

/// Does this (normalised) text have the shape of an opaque subject key?
pub fn is_opaque_key(s: &str) -> bool {
    s.len() == 16 && s.starts_with("CX") && s[2..].bytes().all(|b| KEY_ALPHABET.contains(&b))
}

fn check_valid_from(prov: &Provenance, today: NaiveDate) -> Result<(), StoreError> {
    if prov.valid_from > today {
        return Err(StoreError::Invalid(
            chengxin_registry::RegistryError::Field {
                field: "valid_from",
                rule: "future_date",
                message: format!(
                    "a version cannot hold from {} which is after today {today}",
                    prov.valid_from
                ),
            },
        ));
    }
    Ok(())
}

fn version_of(data: SubjectData, prov: &Provenance, number: i64) -> Version {
    Version {
        version: number,
        data,
        valid_from: prov.valid_from,
        recorded_at: crate::now(),
        recorded_by: prov.actor.clone(),
        reason: prov.reason.clone(),
        source: prov.source.clone(),
    }
}

impl Store {
    /// Registers a new subject. Refused with [`StoreError::CodeCases`] (and cases opened for
    /// review) when one of its codes is held by another subject or contradicts its own USCC.
    pub async fn register(
        &self,
        data: SubjectData,
        prov: Provenance,
        today: NaiveDate,
    ) -> Result<Subject, StoreError> {
        self.register_with(data, prov, today, true).await
    }

    /// Benchmark baseline only (`chengxin bench`, audit rows): [`Store::register`] without its
    /// audit entry, to measure what the entry adds to the write it records. Nothing else calls it.
    #[doc(hidden)]
    pub async fn bench_register_unaudited(
        &self,
        data: SubjectData,
        prov: Provenance,
        today: NaiveDate,
    ) -> Result<Subject, StoreError> {
        self.register_with(data, prov, today, false).await
    }

    async fn register_with(
        &self,
        data: SubjectData,
        prov: Provenance,
        today: NaiveDate,
        audited: bool,
    ) -> Result<Subject, StoreError> {
        check_valid_from(&prov, today)?;
        let Validated { data, mut cases } = data.validate(today)?;
        let ids = data.identifiers();
        let is_pg = self.is_postgres();
        let insert_subject = format!(
            "INSERT INTO subjects (key, version, {DATA_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
             $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) RETURNING id"
        );
        let insert_version = format!(
            "INSERT INTO subject_versions (subject_id, version, {DATA_COLS}) VALUES ($1, $2, $3, $4, \
             $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)"
        );
        with_write_pool!(self, p => {
            let mut tx = if is_pg { p.begin().await? } else { p.begin_with(crate::audit::SQLITE_BEGIN_WRITE).await? };
            let holders = find_holders!(tx, &ids);
            cases.extend(conflicts(&data, None, &holders));
            if !cases.is_empty() {
                let payload = serde_json::json!({ "data": &data, "provenance": &prov }).to_string();
                let opened = open_cases!(tx, cases, None::<i64>, &payload, &prov.actor);
                let ids: Vec<String> = opened.iter().map(|c| format!("#{}", c.id)).collect();
                let entry = self.write_entry(&prov.actor, "subjects.register", data.primary_identifier().map(|(_, v)| v), chengxin_audit::Outcome::Refused, Some(format!("opened code cases {}", ids.join(", "))), &prov.source);
                crate::audit::audit_in_tx!(self, tx, &entry)?;
                tx.commit().await?;
                return Err(StoreError::CodeCases(opened));
            }
            let key = data.uscc.clone().unwrap_or_else(new_key);
            let v = version_of(data, &prov, 1);
            let id: i64 = bind_version!(
                sqlx::query_scalar(sqlx::AssertSqlSafe(insert_subject)).bind(&key).bind(1_i64),
                &v
            )
            .fetch_one(&mut *tx)
            .await?;
            bind_version!(
                sqlx::query(sqlx::AssertSqlSafe(insert_version)).bind(id).bind(1_i64),
                &v
            )
            .execute(&mut *tx)
            .await?;
            for (scheme, value) in &ids {
                sqlx::query(
                    "INSERT INTO subject_identifiers (value, scheme, subject_id) VALUES ($1, $2, $3)",
                )
                .bind(value)
                .bind(scheme.as_str())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            if audited {
                let entry = self.write_entry(&prov.actor, "subjects.register", Some(&key), chengxin_audit::Outcome::Allowed, Some(prov.reason.clone()), &prov.source);
                crate::audit::audit_in_tx!(self, tx, &entry)?;
            }
            tx.commit().await?;
            Ok(Subject { id, key, current: v })
        })
    }

    /// Records a new version of the subject with `key`. The previous versions stay as they were.
    /// Returns the subject's current version afterwards (a back-dated correction may leave a
    /// later version current).
    pub async fn update(
        &self,
        key: &str,
        data: SubjectData,
        prov: Provenance,
        today: NaiveDate,
    ) -> Result<Subject, StoreError> {
        check_valid_from(&prov, today)?;
        let Validated { data, mut cases } = data.validate(today)?;
        let ids = data.identifiers();
        let is_pg = self.is_postgres();
        let insert_version = format!(
            "INSERT INTO subject_versions (subject_id, version, {DATA_COLS}) VALUES ($1, $2, $3, $4, \
             $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)"
        );
        let latest = format!(
            "{VERSION_SELECT} WHERE subject_id = $1 ORDER BY valid_from DESC, version DESC LIMIT 1"
        );
        let set_current = "UPDATE subjects SET version = $2, kind = $3, status = $4, name = $5, \
            uscc = $6, org_code = $7, reg_no = $8, tax_no = $9, citizen_id = $10, \
            legal_rep_name = $11, legal_rep_id = $12, region_code = $13, \
            registration_authority = $14, established = $15, valid_from = $16, recorded_at = $17, \
            recorded_by = $18, reason = $19, source = $20, person_doc = $21 WHERE id = $1";
        with_write_pool!(self, p => {
            let mut tx = if is_pg { p.begin().await? } else { p.begin_with(crate::audit::SQLITE_BEGIN_WRITE).await? };
            let found: Option<(i64, i64, String)> = sqlx::query_as(
                "SELECT s.id, (SELECT max(version) FROM subject_versions v WHERE v.subject_id = s.id), s.kind \
                 FROM subjects s WHERE s.key = $1",
            )
            .bind(key)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((id, max_version, kind)) = found else {
                return Err(StoreError::NotFound(format!("subject {key}")));
            };
            if kind != data.kind.as_str() {
                return Err(StoreError::Conflict(format!(
                    "subject {key} is a {kind}; a change cannot turn it into a {}",
                    data.kind.as_str()
                )));
            }
            let holders = find_holders!(tx, &ids);
            cases.extend(conflicts(&data, Some(id), &holders));
            if !cases.is_empty() {
                let payload = serde_json::json!({ "key": key, "data": &data, "provenance": &prov }).to_string();
                let opened = open_cases!(tx, cases, Some(id), &payload, &prov.actor);
                let ids: Vec<String> = opened.iter().map(|c| format!("#{}", c.id)).collect();
                let entry = self.write_entry(&prov.actor, "subjects.update", Some(key), chengxin_audit::Outcome::Refused, Some(format!("opened code cases {}", ids.join(", "))), &prov.source);
                crate::audit::audit_in_tx!(self, tx, &entry)?;
                tx.commit().await?;
                return Err(StoreError::CodeCases(opened));
            }
            let v = version_of(data, &prov, max_version + 1);
            bind_version!(
                sqlx::query(sqlx::AssertSqlSafe(insert_version)).bind(id).bind(v.version),
                &v
            )
            .execute(&mut *tx)
            .await?;
            for (scheme, value) in &ids {
                sqlx::query(
                    "INSERT INTO subject_identifiers (value, scheme, subject_id) VALUES ($1, $2, $3) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(value)
                .bind(scheme.as_str())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            let row: Row = sqlx::query_as(sqlx::AssertSqlSafe(latest))
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
            let (_, _, current) = row.into_version()?;
            bind_version!(sqlx::query(set_current).bind(id).bind(current.version), &current)
                .execute(&mut *tx)
                .await?;
            let entry = self.write_entry(&prov.actor, "subjects.update", Some(key), chengxin_audit::Outcome::Allowed, Some(format!("version {}: {}", v.version, prov.reason)), &prov.source);
            crate::audit::audit_in_tx!(self, tx, &entry)?;
            tx.commit().await?;
            Ok(Subject { id, key: key.to_string(), current })
        })
    }

    /// The subject whose key (its USCC, or its opaque key) is `key`.
    pub async fn subject_by_key(&self, key: &str) -> Result<Option<Subject>, StoreError> {
        let sql = format!("{SUBJECT_SELECT} WHERE key = $1");
        let row: Option<Row> = with_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(key).fetch_optional(p).await?
        });
        row.map(Row::into_subject).transpose()
    }

    pub async fn subject_by_id(&self, id: i64) -> Result<Option<Subject>, StoreError> {
        let sql = format!("{SUBJECT_SELECT} WHERE id = $1");
        let row: Option<Row> = with_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await?
        });
        row.map(Row::into_subject).transpose()
    }

    /// Finds a subject by any code it holds or held: USCC, organisation code, registration
    /// number, tax number, citizen ID, or its opaque key. The input is normalised first.
    pub async fn find(&self, code: &str) -> Result<Option<Subject>, StoreError> {
        let code = codes::normalize(code);
        if let Some(s) = self.subject_by_key(&code).await? {
            return Ok(Some(s));
        }
        let sql = format!(
            "{SUBJECT_SELECT} WHERE id IN (SELECT subject_id FROM subject_identifiers WHERE value = $1) \
             ORDER BY id LIMIT 2"
        );
        let mut rows: Vec<Row> = with_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(code.as_ref()).fetch_all(p).await?
        });
        match rows.len() {
            0 => {}
            1 => return rows.pop().map(Row::into_subject).transpose(),
            _ => {
                return Err(StoreError::Conflict(format!(
                    "code {code} is held by more than one subject; it is a duplicate-code case"
                )));
            }
        }
        // A USCC no subject holds yet names, in characters 9–17, its holder's organisation
        // code: a subject known only by that legacy code (and no other USCC) is the one a batch
        // files the USCC's decisions under, so it is the one the USCC finds.
        if code.len() == 18
            && let Ok(uscc) = codes::validate_uscc(&code)
            && let Some(s) = Box::pin(self.find(uscc.org_code())).await?
            && s.data().uscc.as_deref().is_none_or(|u| u == code.as_ref())
        {
            return Ok(Some(s));
        }
        Ok(None)
    }

    /// The subject as it was on `date`: the version with the latest `valid_from` not after it.
    /// `None` when the registry knew nothing of it on that date.
    pub async fn subject_as_of(
        &self,
        id: i64,
        date: NaiveDate,
    ) -> Result<Option<Subject>, StoreError> {
        let sql = format!(
            "{VERSION_SELECT} WHERE subject_id = $1 AND valid_from <= $2 \
             ORDER BY valid_from DESC, version DESC LIMIT 1"
        );
        let key_sql = "SELECT key FROM subjects WHERE id = $1";
        let (row, key): (Option<Row>, Option<String>) = with_pool!(self, p => {
            let row = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).bind(date).fetch_optional(p).await?;
            let key = sqlx::query_scalar(key_sql).bind(id).fetch_optional(p).await?;
            (row, key)
        });
        match (row, key) {
            (Some(row), Some(key)) => {
                let (id, _, current) = row.into_version()?;
                Ok(Some(Subject { id, key, current }))
            }
            _ => Ok(None),
        }
    }

    /// Every version of a subject, oldest first.
    pub async fn history(&self, id: i64) -> Result<Vec<Version>, StoreError> {
        let sql = format!("{VERSION_SELECT} WHERE subject_id = $1 ORDER BY version");
        let rows: Vec<Row> = with_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_all(p).await?
        });
        rows.into_iter()
            .map(|r| r.into_version().map(|(_, _, v)| v))
            .collect()
    }

    /// Subjects whose current or former name contains `q.text`, shortest names first.
    ///
    /// A public search whose text has letters or digits is matched against each current name as
    /// the public sees it (ID and phone numbers in it masked, see [`public_match`]): otherwise
    /// the masked digits of a name like `张三3408**********0485工作室` could be found one at a
    /// time, and masking would protect nothing (国办发〔2020〕49号 (十四): personal information
    /// under 「必要、最小化原则」). Such a search looks at the first [`PUBLIC_MATCH_CANDIDATES`] candidates, by current
    /// name only.
    pub async fn search(&self, q: &SearchQuery) -> Result<Page<Subject>, StoreError> {
        if !q.include_persons && may_touch_masked(&q.text) {
            return self.search_public_form(q).await;
        }
        let pattern = like_pattern(q.text.trim());
        let persons = if q.include_persons {
            String::new()
        } else {
            format!("NOT {} AND ", chengxin_registry::SHOWN_AS_PERSON_SQL)
        };
        let like = self.like_ascii_ci("name", "$1");
        let filter = format!(
            "WHERE {persons}({like} OR id IN \
             (SELECT subject_id FROM subject_versions WHERE {like}))"
        );
        let sql = format!("{SUBJECT_SELECT} {filter} ORDER BY length(name), id LIMIT $2 OFFSET $3");
        let count_sql = format!("SELECT count(*) FROM subjects {filter}");
        let (rows, total): (Vec<Row>, i64) = with_pool!(self, p => {
            let rows = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(&pattern)
                .bind(q.limit.clamp(1, 100))
                .bind(q.offset.max(0))
                .fetch_all(p)
                .await?;
            let total = sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql)).bind(&pattern).fetch_one(p).await?;
            (rows, total)
        });
        Ok(Page {
            items: rows
                .into_iter()
                .map(Row::into_subject)
                .collect::<Result<_, _>>()?,
            total,
        })
    }

    /// [`Store::search`] for a public text with letters or digits.
    async fn search_public_form(&self, q: &SearchQuery) -> Result<Page<Subject>, StoreError> {
        let text = q.text.trim();
        let like = self.like_ascii_ci("name", "$1");
        let sql = format!(
            "{SUBJECT_SELECT} WHERE NOT {} AND {like} ORDER BY length(name), id LIMIT $2",
            chengxin_registry::SHOWN_AS_PERSON_SQL
        );
        let rows: Vec<Row> = with_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(like_pattern(text))
                .bind(PUBLIC_MATCH_CANDIDATES)
                .fetch_all(p)
                .await?
        });
        let found: Vec<Subject> = rows
            .into_iter()
            .map(Row::into_subject)
            .filter(|s| {
                s.as_ref()
                    .map_or(true, |s| public_match(&s.data().name, text))
            })
            .collect::<Result<_, _>>()?;
        Ok(page_of(found, q.offset, q.limit.clamp(1, 100)))
    }

    /// Number of subjects per kind.
    pub async fn count_by_kind(&self) -> Result<Vec<(SubjectKind, i64)>, StoreError> {
        let rows: Vec<(String, i64)> = with_pool!(self, p => {
            sqlx::query_as("SELECT kind, count(*) FROM subjects GROUP BY kind ORDER BY kind")
                .fetch_all(p)
                .await?
        });
        rows.into_iter()
            .map(|(k, n)| {
                SubjectKind::parse(&k)
                    .map(|k| (k, n))
                    .ok_or_else(|| StoreError::Corrupt(format!("kind {k:?}")))
            })
            .collect()
    }

    /// Baseline for benchmarks: the raw primary-key fetch of a subject row, decoded the same way.
    pub async fn raw_fetch_by_id(&self, id: i64) -> Result<Option<Subject>, StoreError> {
        self.subject_by_id(id).await
    }

    /// Registers many new subjects in one transaction (initial loads and the demo).
    ///
    /// Every record is validated with the same rules as [`Store::register`]. Unlike `register`,
    /// a bulk load opens no cases: a record that needs review (a code already held, a legacy
    /// code contradicting the USCC, a code repeated inside the load) fails the whole load,
    /// naming the record, and nothing is written.
    pub async fn bulk_register(
        &self,
        items: Vec<(SubjectData, Provenance)>,
        today: NaiveDate,
    ) -> Result<u64, StoreError> {
        const CHUNK: usize = 800;
        const CLASH: &str = "a code in this load is already held by a registered subject; \
            register such subjects one by one so that a duplicate-code case is opened";
        let mut seen = std::collections::HashSet::new();
        let mut versions = Vec::with_capacity(items.len());
        for (i, (data, prov)) in items.into_iter().enumerate() {
            check_valid_from(&prov, today)?;
            let Validated { data, cases } = data
                .validate(today)
                .map_err(|e| StoreError::Conflict(format!("record {}: {e}", i + 1)))?;
            if let Some(c) = cases.first() {
                return Err(StoreError::Conflict(format!(
                    "record {}: {} needs review: {}",
                    i + 1,
                    c.kind.as_str(),
                    c.detail
                )));
            }
            for (scheme, value) in data.identifiers() {
                if !seen.insert((scheme, value.clone())) {
                    return Err(StoreError::Conflict(format!(
                        "record {}: {} {value} appears twice in this load",
                        i + 1,
                        scheme.as_str()
                    )));
                }
            }
            let key = data.uscc.clone().unwrap_or_else(new_key);
            versions.push((key, version_of(data, &prov, 1)));
        }
        let n = versions.len() as u64;
        let is_pg = self.is_postgres();
        let summary = self.write_entry(
            versions
                .first()
                .map_or("system", |(_, v)| v.recorded_by.as_str()),
            "subjects.bulk_register",
            None,
            chengxin_audit::Outcome::Allowed,
            Some(format!("{n} subjects")),
            versions
                .first()
                .map_or("bulk load", |(_, v)| v.source.as_str()),
        );
        with_write_pool!(self, p => {
            let mut tx = if is_pg { p.begin().await? } else { p.begin_with(crate::audit::SQLITE_BEGIN_WRITE).await? };
            if is_pg {
                sqlx::query("LOCK TABLE subjects IN EXCLUSIVE MODE").execute(&mut *tx).await?;
            }
            let max_id: Option<i64> = sqlx::query_scalar("SELECT max(id) FROM subjects")
                .fetch_one(&mut *tx)
                .await?;
            let first_id = max_id.unwrap_or(0) + 1;
            for (chunk_no, chunk) in versions.chunks(CHUNK).enumerate() {
                let base = first_id + (chunk_no * CHUNK) as i64;
                let mut qb = sqlx::QueryBuilder::new(format!("INSERT INTO subjects (id, key, version, {DATA_COLS}) "));
                qb.push_values(chunk.iter().enumerate(), |mut b, (i, (key, v))| {
                    b.push_bind(base + i as i64).push_bind(key.as_str()).push_bind(1_i64);
                    push_version(&mut b, v);
                });
                qb.build().execute(&mut *tx).await.map_err(|e| unique_to_conflict(e, CLASH))?;
                let mut qb = sqlx::QueryBuilder::new(format!("INSERT INTO subject_versions (subject_id, version, {DATA_COLS}) "));
                qb.push_values(chunk.iter().enumerate(), |mut b, (i, (_, v))| {
                    b.push_bind(base + i as i64).push_bind(1_i64);
                    push_version(&mut b, v);
                });
                qb.build().execute(&mut *tx).await?;
                let ids: Vec<(i64, Scheme, String)> = chunk
                    .iter()
                    .enumerate()
                    .flat_map(|(i, (_, v))| {
                        v.data.identifiers().into_iter().map(move |(s, val)| (base + i as i64, s, val))
                    })
                    .collect();
                for part in ids.chunks(CHUNK * 2) {
                    let mut qb = sqlx::QueryBuilder::new("INSERT INTO subject_identifiers (subject_id, scheme, value) ");
                    qb.push_values(part, |mut b, (id, s, val)| {
                        b.push_bind(*id).push_bind(s.as_str()).push_bind(val.as_str());
                    });
                    qb.build().execute(&mut *tx).await.map_err(|e| unique_to_conflict(e, CLASH))?;
                }
            }
            if matches!(self.pool, crate::Pool::Postgres(_)) {
                sqlx::query("SELECT setval(pg_get_serial_sequence('subjects', 'id'), (SELECT max(id) FROM subjects))")
                    .execute(&mut *tx)
                    .await?;
            }
            crate::audit::audit_in_tx!(self, tx, &summary)?;
            tx.commit().await?;
        });
        Ok(n)
    }

    /// The number of subjects.
    pub async fn count_subjects(&self) -> Result<i64, StoreError> {
        Ok(
            with_pool!(self, p => sqlx::query_scalar("SELECT count(*) FROM subjects").fetch_one(p).await?),
        )
    }
}

/// Pushes the 19 data columns of a version into a multi-row insert, in [`DATA_COLS`] order.
fn push_version<'a, DB>(
    b: &mut sqlx::query_builder::Separated<'_, DB, &'static str>,
    v: &'a Version,
) where
    DB: sqlx::Database,
    &'a str: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    Option<&'a str>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    Option<NaiveDate>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    NaiveDate: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    DateTime<Utc>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    let d = &v.data;
    b.push_bind(d.kind.as_str())
        .push_bind(d.status.as_str())
        .push_bind(d.name.as_str())
        .push_bind(d.uscc.as_deref())
        .push_bind(d.org_code.as_deref())
        .push_bind(d.reg_no.as_deref())
        .push_bind(d.tax_no.as_deref())
        .push_bind(d.citizen_id.as_deref())
        .push_bind(d.legal_rep_name.as_deref())
        .push_bind(d.legal_rep_id.as_deref())
        .push_bind(d.region_code.as_deref())
        .push_bind(d.registration_authority.as_deref())
        .push_bind(d.established)
        .push_bind(v.valid_from)
        .push_bind(v.recorded_at)
        .push_bind(v.recorded_by.as_str())
        .push_bind(v.reason.as_str())
        .push_bind(v.source.as_str())
        .push_bind(d.person_doc.as_deref());
}

fn unique_to_conflict(e: sqlx::Error, message: &str) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(format!("{message}: {}", db.message()))
        }
        _ => StoreError::Database(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn punctuation_of_either_width_matches_the_other() {
        assert!(public_match("福州某某（分公司）", "某某(分公司)"));
        assert!(public_match("闽市监罚〔2026〕81号", "监罚[2026]81"));
        assert!(public_match("Abc GmbH", "abc　gmbh"));
        assert!(!public_match("福州某某分公司", "某某(分公司)"));
        assert!(!public_match("100％达标", "100%"));
        assert!(public_match("100%达标", "100%"));
        assert_eq!(like_pattern("某(分)"), "%某_分_%");
        assert_eq!(like_pattern("a%_\\b"), "%a\\%\\_\\\\b%");
    }
}
