//! Lists (issue 5) on both backends: the list standards (认定标准), each subject's book (its list
//! entries with every step, objections, repair applications, corrections), the entries, cases and
//! announcements derived from the books for questions across subjects, and the outbox.
//!
//! Every operation is one transaction: read the standards and the subject's book, run the pure
//! rule of `chengxin-lists` on it, then write the book, its derived rows, what the effects ask for
//! and the audit entry — or, when the rule refuses, only the audit entry of the refusal. The
//! rules live in `chengxin-lists`; this module only keeps what they decide.

use crate::{Store, StoreError, with_pool, with_write_pool};
use chengxin_audit::Outcome;
use chengxin_lists::{
    Book, Disclosure, Effect, EntryState, IdSource, Names, Refusal, Standard, Standards,
    StandardsError, Target, effective_disclosure,
};
use chengxin_registry::SubjectKind;
use chrono::NaiveDate;
use serde::Serialize;
use std::sync::{Arc, Mutex};

/// The versions of the decision record `$1` is a version of (the condition `CARRY_FLAGS` uses).
const SAME_DECISION: &str = crate::records::same_decision!();

/// Ids for entries, objections, repairs and corrections: the prefix and 16 random hex digits
/// (64 bits from a v4 UUID). An objection's or application's id is also the applicant's receipt,
/// so it must not be guessable.
pub struct RandomIds;

impl IdSource for RandomIds {
    fn next_id(&mut self, prefix: &str) -> String {
        let u = uuid::Uuid::new_v4().simple().to_string();
        format!("{prefix}-{}", &u[..16])
    }
}

/// Why a list operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The rules refused it (the refusal is audited).
    #[error("{0}")]
    Refused(Refusal),
    #[error("没有代码为 {0} 的主体 / no subject {0}")]
    NoSubject(String),
    #[error("认定标准文件无效 / invalid list standards: {0}")]
    Standards(#[from] StandardsError),
}

impl From<sqlx::Error> for ListError {
    fn from(e: sqlx::Error) -> Self {
        ListError::Store(StoreError::Database(e))
    }
}

/// What an operation did: the book as saved and the effects, as JSON (the API shows them).
#[derive(Clone, Debug, Serialize)]
pub struct ListOutcome {
    pub subject_key: String,
    pub book: Book,
    pub effects: Vec<serde_json::Value>,
}

/// A listed entry for the portal's list column (public disclosure only).
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct PublicListEntry {
    pub entry_id: String,
    pub subject_key: String,
    pub subject_name: String,
    pub subject_kind: String,
    /// The subject is shown to the public as a person
    /// ([`chengxin_registry::SubjectData::shown_as_person`]).
    pub subject_shown_as_person: bool,
    pub kind: String,
    pub domain: String,
    pub standard_code: String,
    pub department: String,
    pub listed_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    /// An objection to it is open: 核查中, its measures suspended (国发〔2016〕33号 (二十二)).
    pub under_verification: bool,
}

/// A publication or exit announcement (1798号 (二十)).
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Announcement {
    pub entry_id: String,
    pub subject_key: String,
    pub kind: String,
    pub on_date: NaiveDate,
    pub text: String,
    /// The subject's current name and kind (a natural person's name is masked in public).
    pub subject_name: String,
    pub subject_kind: String,
    /// The subject is shown to the public as a person (its name masked).
    pub subject_shown_as_person: bool,
}

/// An event waiting in the outbox.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub kind: String,
    pub subject_key: String,
    pub target: String,
    pub payload: String,
}

fn target_str(t: &Target) -> String {
    match t {
        Target::Entry(e) => format!("entry:{e}"),
        Target::Record(r) => format!("record:{r}"),
    }
}

/// See `Store::standards_cache`.
pub(crate) type StandardsCache = Arc<Mutex<Option<(i64, Arc<Standards>)>>>;

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

impl Store {
    /// Imports list standards (a `chengxin-lists` TOML file). Versions already stored are left
    /// as they are (a version is never rewritten; a change is a new version). Returns how many
    /// versions were new.
    pub async fn import_list_standards(
        &self,
        toml_text: &str,
        actor: &str,
    ) -> Result<usize, ListError> {
        let standards = Standards::from_toml(toml_text)?;
        standards.check_complete()?;
        let now = crate::now();
        let is_pg = self.is_postgres();
        let mut added = Vec::new();
        with_write_pool!(self, p => {
            let mut tx = if is_pg { p.begin().await? } else { p.begin_with(crate::audit::SQLITE_BEGIN_WRITE).await? };
            for s in standards.iter() {
                let body = serde_json::to_string(s).map_err(|e| corrupt("standard", e))?;
                let n = sqlx::query(
                    "INSERT INTO list_standards (code, version, kind, domain, title, published_on, body, \
                     imported_at, imported_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                     ON CONFLICT (code, version) DO NOTHING",
                )
                .bind(&s.code)
                .bind(i64::from(s.version))
                .bind(s.kind.as_str())
                .bind(&s.domain)
                .bind(&s.title)
                .bind(s.published_on)
                .bind(&body)
                .bind(now)
                .bind(actor)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n > 0 {
                    added.push(format!("{} v{}", s.code, s.version));
                    continue;
                }
                // Already stored: the same standard, or a changed one under an old number. Entries
                // name the version they were identified under (国办发〔2020〕49号 (七)), so a
                // change is a new version, never an edit of a published one.
                let held: String = sqlx::query_scalar(
                    "SELECT body FROM list_standards WHERE code = $1 AND version = $2",
                )
                .bind(&s.code)
                .bind(i64::from(s.version))
                .fetch_one(&mut *tx)
                .await?;
                let held: chengxin_lists::Standard =
                    serde_json::from_str(&held).map_err(|e| corrupt("standard", e))?;
                if &held != s {
                    return Err(ListError::Store(StoreError::Conflict(format!(
                        "standard {} v{} is already stored with other content: a changed standard \
                         is a new version (raise its version), since entries keep the version \
                         they were identified under; nothing was imported",
                        s.code, s.version
                    ))));
                }
            }
            let detail = if added.is_empty() { "no new versions".to_string() } else { added.join(", ") };
            let entry = self.write_entry(actor, "lists.standards.import", None, Outcome::Allowed, Some(detail), "import");
            crate::audit::audit_in_tx!(self, tx, &entry)?;
            tx.commit().await?;
        });
        Ok(added.len())
    }

    /// Every stored standard version. Parsed once per process and re-read only when a version
    /// was added (by this process or another): a status answer does not pay for parsing them.
    pub async fn list_standards(&self) -> Result<Arc<Standards>, StoreError> {
        let count: i64 = with_pool!(self, p => {
            sqlx::query_scalar("SELECT COUNT(*) FROM list_standards").fetch_one(p).await?
        });
        self.standards_counted(count).await
    }

    /// The standards, given how many versions are stored now: the cached set if that is what it
    /// was parsed from, else read and parsed again.
    async fn standards_counted(&self, count: i64) -> Result<Arc<Standards>, StoreError> {
        if let Ok(guard) = self.standards_cache.lock()
            && let Some((n, cached)) = guard.as_ref()
            && *n == count
        {
            return Ok(cached.clone());
        }
        let bodies: Vec<String> = with_pool!(self, p => {
            sqlx::query_scalar("SELECT body FROM list_standards ORDER BY code, version")
                .fetch_all(p)
                .await?
        });
        let parsed = Arc::new(parse_standards(&bodies)?);
        if let Ok(mut guard) = self.standards_cache.lock() {
            *guard = Some((bodies.len() as i64, parsed.clone()));
        }
        Ok(parsed)
    }

    /// What a list status answer needs, in one round trip for a subject named by its key (a USCC
    /// or an opaque key): the subject's key, its book if it has one, and the standards. Other
    /// codes (organisation code, registration number, citizen ID) are resolved through
    /// [`Store::find`] first. `None` if no subject has the code.
    pub async fn list_status_source(
        &self,
        code: &str,
    ) -> Result<Option<(String, Option<Book>, Arc<Standards>)>, StoreError> {
        const BY_KEY: &str = "SELECT s.key, b.body, (SELECT COUNT(*) FROM list_standards) \
             FROM subjects s LEFT JOIN list_books b ON b.subject_id = s.id WHERE s.key = $1";
        const BY_ID: &str = "SELECT s.key, b.body, (SELECT COUNT(*) FROM list_standards) \
             FROM subjects s LEFT JOIN list_books b ON b.subject_id = s.id WHERE s.id = $1";
        let normal = chengxin_codes::normalize(code);
        let mut row: Option<(String, Option<String>, i64)> = with_pool!(self, p => {
            sqlx::query_as(BY_KEY).bind(normal.as_ref()).fetch_optional(p).await?
        });
        if row.is_none() {
            let Some(subject) = self.find(code).await? else {
                return Ok(None);
            };
            row = with_pool!(self, p => {
                sqlx::query_as(BY_ID).bind(subject.id).fetch_optional(p).await?
            });
        }
        let Some((key, body, count)) = row else {
            return Ok(None);
        };
        let book = body
            .map(|b| serde_json::from_str(&b).map_err(|e| corrupt("list book", e)))
            .transpose()?;
        Ok(Some((key, book, self.standards_counted(count).await?)))
    }

    /// Benchmark set-up only (`chengxin bench --only lists`): writes books made by the rules in
    /// memory straight into `list_books` and `list_entries`, without audit entries,
    /// announcements or outbox events, so that 100,000 entries can be set up in seconds. Every
    /// real change goes through [`Store::list_operation`]. Nothing else calls it.
    #[doc(hidden)]
    pub async fn bench_put_books(
        &self,
        books: &[(i64, Book)],
        standards: &Standards,
    ) -> Result<(), StoreError> {
        let now = crate::now();
        for chunk in books.chunks(500) {
            with_write_pool!(self, p => {
                let mut tx = p.begin().await?;
                let mut qb = sqlx::QueryBuilder::new("INSERT INTO list_books (subject_id, subject_key, rev, body, updated_at) ");
                let mut bodies = Vec::with_capacity(chunk.len());
                for (_, b) in chunk {
                    bodies.push(serde_json::to_string(b).map_err(|e| corrupt("list book", e))?);
                }
                qb.push_values(chunk.iter().zip(&bodies), |mut row, ((id, b), body)| {
                    row.push_bind(*id).push_bind(b.subject.clone()).push_bind(1_i64).push_bind(body.clone()).push_bind(now);
                });
                qb.build().execute(&mut *tx).await?;
                let entries: Vec<(i64, &chengxin_lists::Entry)> = chunk
                    .iter()
                    .flat_map(|(id, b)| b.entries.iter().map(move |e| (*id, e)))
                    .collect();
                for part in entries.chunks(500) {
                    let mut qb = sqlx::QueryBuilder::new(
                        "INSERT INTO list_entries (id, subject_id, kind, domain, standard_code, standard_version, \
                         department, state, listed_on, expires_on, exit_on, exit_reason, public) ",
                    );
                    qb.push_values(part, |mut row, (id, e)| {
                        let public = effective_disclosure(e, standards.get(&e.standard_code, e.standard_version)) == Disclosure::Public;
                        row.push_bind(e.id.clone()).push_bind(*id).push_bind(e.kind.as_str())
                            .push_bind(e.domain.clone()).push_bind(e.standard_code.clone())
                            .push_bind(i64::from(e.standard_version)).push_bind(e.department.clone())
                            .push_bind(e.state.as_str()).push_bind(e.listed_on).push_bind(e.expires_on)
                            .push_bind(e.exit.as_ref().map(|x| x.on))
                            .push_bind(e.exit.as_ref().map(|x| x.reason.as_str()))
                            .push_bind(i64::from(public));
                    });
                    qb.build().execute(&mut *tx).await?;
                }
                tx.commit().await?;
            });
        }
        Ok(())
    }

    /// The book of a subject (by its id), if it has any list activity.
    pub async fn list_book(&self, subject_id: i64) -> Result<Option<Book>, StoreError> {
        let body: Option<String> = with_pool!(self, p => {
            sqlx::query_scalar("SELECT body FROM list_books WHERE subject_id = $1")
                .bind(subject_id)
                .fetch_optional(p)
                .await?
        });
        body.map(|b| serde_json::from_str(&b).map_err(|e| corrupt("list book", e)))
            .transpose()
    }

    /// Runs one list operation on the book of the subject with code `subject_code` (USCC, other
    /// code or opaque key): `op` gets the book (empty if the subject has none yet), every stored
    /// standard and an id source, and either changes the book and reports effects or refuses and
    /// leaves it unchanged. Both outcomes are audited as `action` by `actor`; a refusal comes
    /// back as [`ListError::Refused`].
    pub async fn list_operation<F>(
        &self,
        subject_code: &str,
        action: &str,
        actor: &str,
        op: F,
    ) -> Result<ListOutcome, ListError>
    where
        F: FnOnce(&mut Book, &Standards, &mut dyn IdSource) -> Result<Vec<Effect>, Refusal>,
    {
        let subject = self
            .find(subject_code)
            .await?
            .ok_or_else(|| ListError::NoSubject(subject_code.to_string()))?;
        let is_person = subject.data().kind == SubjectKind::NaturalPerson;
        let is_pg = self.is_postgres();
        let now = crate::now();
        let book_sql = if is_pg {
            "SELECT rev, body FROM list_books WHERE subject_id = $1 FOR UPDATE"
        } else {
            "SELECT rev, body FROM list_books WHERE subject_id = $1"
        };
        with_write_pool!(self, p => {
            let mut tx = if is_pg { p.begin().await? } else { p.begin_with(crate::audit::SQLITE_BEGIN_WRITE).await? };
            if is_pg {
                // A subject's first book: serialise its creation too.
                sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
                    .bind(format!("list_book:{}", subject.id))
                    .execute(&mut *tx)
                    .await?;
            }
            let bodies: Vec<String> = sqlx::query_scalar("SELECT body FROM list_standards ORDER BY code, version")
                .fetch_all(&mut *tx)
                .await?;
            let standards = parse_standards(&bodies)?;
            let row: Option<(i64, String)> = sqlx::query_as(book_sql)
                .bind(subject.id)
                .fetch_optional(&mut *tx)
                .await?;
            let (rev, mut book) = match row {
                Some((rev, body)) => (rev, serde_json::from_str::<Book>(&body).map_err(|e| corrupt("list book", e))?),
                None => (0, Book::new(subject.key.clone(), is_person)),
            };
            // Announcements name the subject and the departments (1798号 (九)(十一)): the names
            // as the public reads them now, stored with the text as published.
            let departments: Vec<(String, String)> = sqlx::query_as("SELECT code, name FROM departments")
                .fetch_all(&mut *tx)
                .await?;
            book.names = Names {
                subject: Some(chengxin_codes::mask::public_name(&subject.data().name, subject.data().shown_as_person())),
                departments: departments.into_iter().collect(),
            };
            let result = op(&mut book, &standards, &mut RandomIds);
            let effects = match result {
                Err(refusal) => {
                    let entry = self.write_entry(actor, action, Some(&subject.key), Outcome::Refused, Some(format!("{}: {refusal}", refusal.code())), "lists");
                    crate::audit::audit_in_tx!(self, tx, &entry)?;
                    tx.commit().await?;
                    return Err(ListError::Refused(refusal));
                }
                Ok(effects) => effects,
            };
            let body = serde_json::to_string(&book).map_err(|e| corrupt("list book", e))?;
            if rev == 0 {
                sqlx::query("INSERT INTO list_books (subject_id, subject_key, rev, body, updated_at) VALUES ($1, $2, 1, $3, $4)")
                    .bind(subject.id).bind(&subject.key).bind(&body).bind(now)
                    .execute(&mut *tx).await?;
            } else {
                sqlx::query("UPDATE list_books SET rev = $1, body = $2, updated_at = $3 WHERE subject_id = $4")
                    .bind(rev + 1).bind(&body).bind(now).bind(subject.id)
                    .execute(&mut *tx).await?;
            }
            // The derived rows: rewritten whole from the book.
            sqlx::query("DELETE FROM list_entries WHERE subject_id = $1").bind(subject.id).execute(&mut *tx).await?;
            for e in book.entries.iter().filter(|e| e.state != EntryState::Erased) {
                let public = effective_disclosure(e, standards.get(&e.standard_code, e.standard_version)) == Disclosure::Public;
                sqlx::query(
                    "INSERT INTO list_entries (id, subject_id, kind, domain, standard_code, standard_version, \
                     department, state, listed_on, expires_on, exit_on, exit_reason, public) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                )
                .bind(&e.id).bind(subject.id).bind(e.kind.as_str()).bind(&e.domain)
                .bind(&e.standard_code).bind(i64::from(e.standard_version)).bind(&e.department)
                .bind(e.state.as_str()).bind(e.listed_on).bind(e.expires_on)
                .bind(e.exit.as_ref().map(|x| x.on)).bind(e.exit.as_ref().map(|x| x.reason.as_str()))
                .bind(i64::from(public))
                .execute(&mut *tx).await?;
            }
            sqlx::query("DELETE FROM list_cases WHERE subject_id = $1").bind(subject.id).execute(&mut *tx).await?;
            for o in &book.objections {
                sqlx::query("INSERT INTO list_cases (id, subject_id, kind, state, target, submitted_on) VALUES ($1, $2, 'objection', $3, $4, $5)")
                    .bind(&o.id).bind(subject.id).bind(o.state.as_str()).bind(target_str(&o.target)).bind(o.submitted_on)
                    .execute(&mut *tx).await?;
            }
            for r in &book.repairs {
                sqlx::query("INSERT INTO list_cases (id, subject_id, kind, state, target, submitted_on) VALUES ($1, $2, 'repair', $3, $4, $5)")
                    .bind(&r.id).bind(subject.id).bind(r.state.as_str()).bind(target_str(&r.target)).bind(r.submitted_on)
                    .execute(&mut *tx).await?;
            }
            let today = book.last_date().unwrap_or_else(|| now.date_naive());
            let mut effect_json = Vec::with_capacity(effects.len());
            for effect in &effects {
                match effect {
                    Effect::Announcement { entry, kind, text } => {
                        let public = book.entry(entry).is_some_and(|e| {
                            effective_disclosure(e, standards.get(&e.standard_code, e.standard_version)) == Disclosure::Public
                        });
                        sqlx::query("INSERT INTO list_announcements (subject_id, entry_id, kind, on_date, text, public) VALUES ($1, $2, $3, $4, $5, $6)")
                            .bind(subject.id).bind(entry).bind(kind.as_str()).bind(today).bind(text).bind(i64::from(public))
                            .execute(&mut *tx).await?;
                    }
                    Effect::Exited { entry, .. } => {
                        // 1798号 (十一): 「名单信息的发布时限与名单的有效期保持一致」 — an entry that
                        // left its list (repaired, expired, withdrawn during publicity …) is no
                        // longer announced as listed or proposed; its exit announcement, if any,
                        // follows this effect.
                        sqlx::query("UPDATE list_announcements SET public = 0 WHERE entry_id = $1 AND kind IN ('listing', 'publicity')").bind(entry).execute(&mut *tx).await?;
                    }
                    Effect::Erased { entry, .. } => {
                        // 1798号 (二十): 「相关信息不予保存」 — nothing of the entry stays public.
                        sqlx::query("DELETE FROM list_announcements WHERE entry_id = $1 AND kind <> 'correction'").bind(entry).execute(&mut *tx).await?;
                    }
                    Effect::Outbox(ev) => {
                        let payload = serde_json::to_string(ev).map_err(|e| corrupt("outbox event", e))?;
                        sqlx::query("INSERT INTO outbox (created_at, kind, subject_key, target, payload) VALUES ($1, $2, $3, $4, $5)")
                            .bind(now).bind(ev.kind).bind(&subject.key).bind(target_str(&ev.entry_or_record)).bind(payload)
                            .execute(&mut *tx).await?;
                    }
                    // 核查中 and a repair belong to the decision, not to the version the applicant
                    // saw: they are set on that version and the decision's current one (a
                    // department may have sent a change meanwhile; later versions inherit them,
                    // see `records::CARRY_FLAGS`), and cleared on every version.
                    Effect::Suspended { target: Target::Record(r), .. } => {
                        let sql = format!("UPDATE records SET under_verification = 1 WHERE id = $1 OR (current = 1 AND {SAME_DECISION})");
                        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(r).execute(&mut *tx).await?;
                    }
                    Effect::Resumed { target: Target::Record(r), .. } => {
                        let sql = format!("UPDATE records SET under_verification = 0 WHERE {SAME_DECISION}");
                        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(r).execute(&mut *tx).await?;
                    }
                    Effect::RecordCorrected { record, withdraw } => {
                        let sql = format!("UPDATE records SET under_verification = 0 WHERE {SAME_DECISION}");
                        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(record).execute(&mut *tx).await?;
                        if *withdraw {
                            let sql = format!("UPDATE records SET status = 'revoked' WHERE id = $1 OR (current = 1 AND {SAME_DECISION})");
                            sqlx::query(sqlx::AssertSqlSafe(sql)).bind(record).execute(&mut *tx).await?;
                        }
                    }
                    Effect::RecordRepaired { record } => {
                        // 36号令 第三条: publication ends; the record itself stays.
                        let sql = format!("UPDATE records SET repaired_on = $2 WHERE id = $1 OR (current = 1 AND {SAME_DECISION})");
                        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(record).bind(today).execute(&mut *tx).await?;
                    }
                    _ => {}
                }
                effect_json.push(serde_json::to_value(effect).map_err(|e| corrupt("effect", e))?);
            }
            let summary: Vec<&str> = effect_json
                .iter()
                .filter_map(|v| v.get("effect").and_then(|k| k.as_str()))
                .collect();
            let entry = self.write_entry(actor, action, Some(&subject.key), Outcome::Allowed, Some(summary.join(", ")), "lists");
            crate::audit::audit_in_tx!(self, tx, &entry)?;
            tx.commit().await?;
            Ok(ListOutcome { subject_key: subject.key.clone(), book, effects: effect_json })
        })
    }

    /// Subjects whose books hold a listed entry that has expired by `on`: the daily sweep runs
    /// `expire_due` on each.
    pub async fn subjects_with_expired_entries(
        &self,
        on: NaiveDate,
    ) -> Result<Vec<String>, StoreError> {
        Ok(with_pool!(self, p => {
            sqlx::query_scalar(
                "SELECT DISTINCT b.subject_key FROM list_entries e JOIN list_books b ON b.subject_id = e.subject_id \
                 WHERE e.state = 'listed' AND e.expires_on IS NOT NULL AND e.expires_on <= $1 ORDER BY 1",
            )
            .bind(on)
            .fetch_all(p)
            .await?
        }))
    }

    /// Listed entries with public disclosure, newest first (the portal's list column).
    pub async fn public_list_entries(
        &self,
        kind: Option<&str>,
        on: NaiveDate,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<PublicListEntry>, StoreError> {
        Ok(with_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT e.id AS entry_id, s.key AS subject_key, s.name AS subject_name, s.kind AS subject_kind, \
                 {person} AS subject_shown_as_person, e.kind, e.domain, e.standard_code, e.department, e.listed_on, e.expires_on, \
                 EXISTS (SELECT 1 FROM list_cases c WHERE c.subject_id = e.subject_id \
                   AND c.kind = 'objection' AND c.state IN ('submitted', 'accepted') \
                   AND c.target = 'entry:' || e.id) AS under_verification \
                 FROM list_entries e JOIN subjects s ON s.id = e.subject_id \
                 WHERE e.state = 'listed' AND e.public = 1 AND ($1 IS NULL OR e.kind = $1) \
                 AND e.listed_on <= $2 AND (e.expires_on IS NULL OR e.expires_on > $2) \
                 ORDER BY e.listed_on DESC, e.id LIMIT $3 OFFSET $4",
                person = chengxin_registry::shown_as_person_sql("s"),
            )))
            .bind(kind)
            .bind(on)
            .bind(limit)
            .bind(offset)
            .fetch_all(p)
            .await?
        }))
    }

    /// Public announcements, newest first.
    pub async fn list_announcements(&self, limit: i64) -> Result<Vec<Announcement>, StoreError> {
        Ok(with_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT a.entry_id, b.subject_key, a.kind, a.on_date, a.text, s.name AS subject_name, \
                 s.kind AS subject_kind, {} AS subject_shown_as_person FROM list_announcements a \
                 JOIN list_books b ON b.subject_id = a.subject_id \
                 JOIN subjects s ON s.id = a.subject_id WHERE a.public = 1 \
                 ORDER BY a.on_date DESC, a.id DESC LIMIT $1",
                chengxin_registry::shown_as_person_sql("s")
            )))
            .bind(limit)
            .fetch_all(p)
            .await?
        }))
    }

    /// Events not yet delivered, oldest first.
    pub async fn pending_outbox(&self, limit: i64) -> Result<Vec<OutboxRow>, StoreError> {
        Ok(with_pool!(self, p => {
            sqlx::query_as(
                "SELECT id, kind, subject_key, target, payload FROM outbox WHERE delivered_at IS NULL ORDER BY id LIMIT $1",
            )
            .bind(limit)
            .fetch_all(p)
            .await?
        }))
    }

    /// The subject key holding a list entry, objection or repair application (for routes that
    /// name only the id).
    pub async fn list_case_subject(&self, id: &str) -> Result<Option<String>, StoreError> {
        Ok(with_pool!(self, p => {
            sqlx::query_scalar(
                "SELECT b.subject_key FROM list_books b WHERE b.subject_id IN \
                 (SELECT subject_id FROM list_entries WHERE id = $1 UNION ALL SELECT subject_id FROM list_cases WHERE id = $1)",
            )
            .bind(id)
            .fetch_optional(p)
            .await?
        }))
    }
}

fn parse_standards(bodies: &[String]) -> Result<Standards, StoreError> {
    let mut standards = Standards::new();
    for b in bodies {
        let s: Standard = serde_json::from_str(b).map_err(|e| corrupt("list standard", e))?;
        standards
            .insert(s)
            .map_err(|e| corrupt("list standard", e))?;
    }
    Ok(standards)
}
