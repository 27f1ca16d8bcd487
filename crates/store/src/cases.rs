//! Duplicate / wrong-code cases (重错码): opened by the registry, closed by a reviewer.
//! Their counts feed the city credit monitoring indicators 重错码率 and 纠正率 (seed 001; the
//! 城市信用状况监测预警指标 2020 second-level item 统一社会信用代码情况).

use crate::{Store, StoreError, with_pool, with_write_pool};
use chengxin_registry::{CaseKind, Scheme};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Where a case stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Awaiting review.
    Open,
    /// The wrong or duplicate code was corrected (counts towards 纠正率).
    Corrected,
    /// Reviewed and found not to be an error.
    Dismissed,
}

impl CaseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Open => "open",
            CaseStatus::Corrected => "corrected",
            CaseStatus::Dismissed => "dismissed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            CaseStatus::Open,
            CaseStatus::Corrected,
            CaseStatus::Dismissed,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
    }
}

/// A case as stored.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CodeCase {
    pub id: i64,
    pub kind: CaseKind,
    pub scheme: Scheme,
    pub code: String,
    /// The subject the refused change was about (None for a refused new registration).
    pub subject_id: Option<i64>,
    /// The subject that already holds the code.
    pub other_subject_id: Option<i64>,
    pub detail: String,
    /// The refused change as JSON, so the reviewer can apply it once the codes are sorted out.
    pub payload: String,
    pub status: CaseStatus,
    pub resolution: Option<String>,
    pub opened_at: DateTime<Utc>,
    pub opened_by: String,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by: Option<String>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct CaseRow {
    id: i64,
    kind: String,
    scheme: String,
    code: String,
    subject_id: Option<i64>,
    other_subject_id: Option<i64>,
    detail: String,
    payload: String,
    status: String,
    resolution: Option<String>,
    opened_at: DateTime<Utc>,
    opened_by: String,
    closed_at: Option<DateTime<Utc>>,
    closed_by: Option<String>,
}

const CASE_COLS: &str = "id, kind, scheme, code, subject_id, other_subject_id, detail, payload, \
    status, resolution, opened_at, opened_by, closed_at, closed_by";

/// Inserts an open case: binds kind, scheme, code, subject_id, other_subject_id, detail,
/// payload, opened_at, opened_by.
pub(crate) fn insert_case_sql() -> &'static str {
    "INSERT INTO code_cases (kind, scheme, code, subject_id, other_subject_id, detail, payload, \
     status, opened_at, opened_by) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9) \
     RETURNING id, kind, scheme, code, subject_id, other_subject_id, detail, payload, status, \
     resolution, opened_at, opened_by, closed_at, closed_by"
}

impl CaseRow {
    pub(crate) fn into_case(self) -> Result<CodeCase, StoreError> {
        let corrupt = |what: &str, v: &str| {
            StoreError::Corrupt(format!("code case {}: {what} {v:?}", self.id))
        };
        Ok(CodeCase {
            kind: CaseKind::parse(&self.kind).ok_or_else(|| corrupt("kind", &self.kind))?,
            scheme: Scheme::parse(&self.scheme).ok_or_else(|| corrupt("scheme", &self.scheme))?,
            status: CaseStatus::parse(&self.status)
                .ok_or_else(|| corrupt("status", &self.status))?,
            id: self.id,
            code: self.code,
            subject_id: self.subject_id,
            other_subject_id: self.other_subject_id,
            detail: self.detail,
            payload: self.payload,
            resolution: self.resolution,
            opened_at: self.opened_at,
            opened_by: self.opened_by,
            closed_at: self.closed_at,
            closed_by: self.closed_by,
        })
    }
}

/// Closes case `$1` if it is still open: binds status, resolution, closed at, closed by.
pub(crate) const CLOSE_OPEN_CASE: &str = "UPDATE code_cases SET status = $2, resolution = $3, \
    closed_at = $4, closed_by = $5 WHERE id = $1 AND status = 'open'";

/// The `cases.close` audit entry's detail, masked whole: the resolution is free text, and the
/// log is kept for good.
pub(crate) fn closing_detail(
    kind: CaseKind,
    status: CaseStatus,
    code: &str,
    resolution: &str,
) -> String {
    chengxin_codes::mask::redact(&format!(
        "{} {} {code}: {resolution}",
        kind.as_str(),
        status.as_str()
    ))
}

/// The name a dismissed 名称与代码不符 case accepts as its subject's own: the reviewer found the
/// row's name to be the subject's (an abbreviation, 有限公司 for 有限责任公司), so a row sent
/// again under it is not held again. A case closed as corrected accepts nothing: the sender
/// corrects the row.
fn accepted_name(case: &CodeCase) -> Result<Option<(i64, String)>, StoreError> {
    if case.kind != CaseKind::NameMismatch || case.status != CaseStatus::Dismissed {
        return Ok(None);
    }
    let Some(subject_id) = case.subject_id else {
        return Ok(None);
    };
    let payload: serde_json::Value = serde_json::from_str(&case.payload)
        .map_err(|e| StoreError::Corrupt(format!("code case {}: payload: {e}", case.id)))?;
    match payload.get("name").and_then(serde_json::Value::as_str) {
        Some(name) => Ok(Some((subject_id, name.to_string()))),
        None => Err(StoreError::Corrupt(format!(
            "code case {}: a name_mismatch payload without the row's name",
            case.id
        ))),
    }
}

/// Case figures for monitoring.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CaseCounts {
    pub total: i64,
    pub open: i64,
    pub corrected: i64,
    pub dismissed: i64,
    pub by_kind: Vec<(CaseKind, i64)>,
}

impl CaseCounts {
    /// 纠正率: corrected cases over cases found to be real errors (corrected + still open).
    pub fn correction_rate(&self) -> Option<f64> {
        let real = self.corrected + self.open;
        (real > 0).then(|| self.corrected as f64 / real as f64)
    }
}

impl Store {
    /// Cases, newest first, optionally only those with `status`.
    pub async fn code_cases(
        &self,
        status: Option<CaseStatus>,
        limit: i64,
    ) -> Result<Vec<CodeCase>, StoreError> {
        let sql = format!(
            "SELECT {CASE_COLS} FROM code_cases WHERE ($1 IS NULL OR status = $1) ORDER BY id DESC LIMIT $2"
        );
        let rows: Vec<CaseRow> = with_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(status.map(CaseStatus::as_str))
                .bind(limit.max(1))
                .fetch_all(p)
                .await?
        });
        rows.into_iter().map(CaseRow::into_case).collect()
    }

    /// Closes an open case as corrected or dismissed, saying how.
    pub async fn close_case(
        &self,
        id: i64,
        status: CaseStatus,
        resolution: &str,
        actor: &str,
    ) -> Result<CodeCase, StoreError> {
        if status == CaseStatus::Open {
            return Err(StoreError::Conflict(
                "a case is closed as corrected or dismissed".into(),
            ));
        }
        if resolution.trim().is_empty() {
            return Err(StoreError::Conflict(
                "closing a case needs a resolution saying what was done".into(),
            ));
        }
        let sql = format!("{CLOSE_OPEN_CASE} RETURNING {CASE_COLS}");
        let is_pg = self.is_postgres();
        let case = with_write_pool!(self, p => {
            let mut tx = if is_pg { p.begin().await? } else { p.begin_with(crate::audit::SQLITE_BEGIN_WRITE).await? };
            let row: Option<CaseRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .bind(status.as_str())
                .bind(resolution.trim())
                .bind(crate::now())
                .bind(actor)
                .fetch_optional(&mut *tx)
                .await?;
            let case = match row {
                Some(r) => r.into_case()?,
                None => return Err(StoreError::NotFound(format!("open code case #{id}"))),
            };
            // Closing a case is a decision about the credit data (a dismissal can accept a name
            // as a subject's): written to the audit log in the same transaction.
            let accepted = accepted_name(&case)?;
            let mut detail = closing_detail(case.kind, case.status, &case.code, case.resolution.as_deref().unwrap_or_default());
            if let Some((_, name)) = &accepted {
                detail.push_str(&format!("; accepted name {}", chengxin_codes::mask::redact(name)));
            }
            let entry = self.write_entry(actor, "cases.close", Some(&format!("code_case:{}", case.id)), chengxin_audit::Outcome::Allowed, Some(detail), "cli");
            crate::audit::audit_in_tx!(self, tx, &entry)?;
            if let Some((subject_id, name)) = accepted {
                sqlx::query(
                    "INSERT INTO subject_accepted_names (subject_id, name, case_id) \
                     VALUES ($1, $2, $3) ON CONFLICT (subject_id, name) DO NOTHING",
                )
                .bind(subject_id)
                .bind(name)
                .bind(case.id)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            case
        });
        Ok(case)
    }

    /// How many cases concern a subject (as the subject changed or as the holder of the code).
    pub async fn code_case_count_for(&self, subject_id: i64) -> Result<i64, StoreError> {
        Ok(with_pool!(self, p => {
            sqlx::query_scalar(
                "SELECT count(*) FROM code_cases WHERE subject_id = $1 OR other_subject_id = $1",
            )
            .bind(subject_id)
            .fetch_one(p)
            .await?
        }))
    }

    /// Case counts by status and kind.
    pub async fn case_counts(&self) -> Result<CaseCounts, StoreError> {
        let rows: Vec<(String, String, i64)> = with_pool!(self, p => {
            sqlx::query_as("SELECT status, kind, count(*) FROM code_cases GROUP BY status, kind ORDER BY kind")
                .fetch_all(p)
                .await?
        });
        let mut c = CaseCounts::default();
        for (status, kind, n) in rows {
            c.total += n;
            match CaseStatus::parse(&status) {
                Some(CaseStatus::Open) => c.open += n,
                Some(CaseStatus::Corrected) => c.corrected += n,
                Some(CaseStatus::Dismissed) => c.dismissed += n,
                None => return Err(StoreError::Corrupt(format!("case status {status:?}"))),
            }
            let kind = CaseKind::parse(&kind)
                .ok_or_else(|| StoreError::Corrupt(format!("case kind {kind:?}")))?;
            match c.by_kind.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, total)) => *total += n,
                None => c.by_kind.push((kind, n)),
            }
        }
        Ok(c)
    }
}
