//! A subject's whole record history: every version of every decision — on show, revoked, invalid,
//! superseded by a correction, repaired, past its window — with why each is or is not on the
//! portal. Withdrawal from the portal is a status or the end of a window applied when the portal
//! reads, never a deletion (a repair too ends publication without deleting: 国家发展改革委令第36号),
//! so the history is all there; this is how it is read.
//!
//! Who reads it: the staff who see every record elsewhere ([`sees_every_record`], the rule of
//! `collect_api::record_open_to`), and an enterprise account about its own subject, free of
//! charge (国办发〔2021〕52号 (九); DESIGN.md principle 3: a subject can see all its own
//! information). Every read is a read of non-public data and is audited (49号 (十三)). Fields
//! go through the public masks for every reader: personal identifiers are shown unmasked only
//! for a stated purpose under a grant (`GET /api/v1/subjects/{code}/personal`; 国办发〔2020〕49号
//! (十四): personal information only as far as necessary).

use crate::AppState;
use crate::api::{ApiPath, ApiQuery};
use crate::audit::{self, Record};
use crate::auth::Principal;
use crate::collect_api::{disclosed_versions, internal, public_record};
use crate::error::{ApiError, ErrorBody};
use axum::extract::State;
use axum::{Extension, Json};
use chengxin_access::Role;
use chengxin_audit::Outcome;
use chengxin_catalog::Catalog;
use chengxin_collect::ingest::active_catalog;
use chengxin_registry::Subject;
use chengxin_store::{Showing, StoredRecord};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};

/// Staff roles that see every record of every subject, whatever its standing: those who run
/// collection (operators, data officers), lists (identifying officers), objections and repairs
/// (handlers) and the audit (auditors). Credit checkers and access institutions are not among
/// them: a withdrawn or superseded record grounds no check (国发〔2016〕33号).
pub(crate) const RECORD_STAFF: &[Role] = &[
    Role::Operator,
    Role::DataOfficer,
    Role::IdentifyingOfficer,
    Role::Handler,
    Role::Auditor,
];

/// Who may call `GET /api/v1/subjects/{code}/records`: [`RECORD_STAFF`] and enterprise accounts
/// (their own subject only, checked by the handler).
pub(crate) const HISTORY_READERS: &[Role] = &[
    Role::Operator,
    Role::DataOfficer,
    Role::IdentifyingOfficer,
    Role::Handler,
    Role::Auditor,
    Role::Enterprise,
];

/// Whether `principal` sees every record of every subject.
pub(crate) fn sees_every_record(principal: &Principal) -> bool {
    RECORD_STAFF.contains(&principal.role)
}

/// Whether `principal` is the enterprise account of the subject with key `key`.
pub(crate) fn is_own_subject(principal: &Principal, key: &str) -> bool {
    principal.role == Role::Enterprise
        && principal
            .account
            .as_ref()
            .and_then(|a| a.subject_key.as_deref())
            == Some(key)
}

/// Whether `principal` may read the whole history of the subject with key `key`.
pub(crate) fn may_read_history(principal: &Principal, key: &str) -> bool {
    sees_every_record(principal) || is_own_subject(principal, key)
}

/// One version of a record, with its standing on the day asked about. Text fields are masked
/// as on the public columns.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RecordVersion {
    /// The version's id (what an objection or repair application names as `record`).
    pub id: i64,
    pub item: String,
    /// The item's name in the catalog (行政处罚, 行政许可, …).
    pub item_name: String,
    /// The sending department's USCC (数据来源单位).
    pub department: String,
    pub department_name: Option<String>,
    pub doc_no: String,
    pub version: i64,
    /// The decision's latest version (a superseded one is `false`).
    pub current: bool,
    /// 当前状态 as sent: `valid`, `revoked` or `invalid`.
    pub status: String,
    /// Why it is or is not on public show on `as_of`: `on_show`, `not_public`, `not_yet`,
    /// `expired`, `revoked`, `invalid`, `superseded` or `repaired`.
    pub showing: String,
    /// The same in Chinese: 公示中, 不公示, 未到公示期, 公示期满, 已撤销, 无效, 已被更正, 已信用修复.
    pub showing_zh: String,
    pub decision_date: NaiveDate,
    pub severity: Option<String>,
    /// First day on the portal (`null`: never published).
    pub publish_from: Option<NaiveDate>,
    /// Last day of the minimum period (the earliest a repair may end publication).
    pub min_until: Option<NaiveDate>,
    /// Last day on the portal (`null`: no end).
    pub publish_until: Option<NaiveDate>,
    /// The day an approved repair ended its publication.
    pub repaired_on: Option<NaiveDate>,
    /// An objection about it is under verification (核查中).
    pub under_verification: bool,
    /// The batch that wrote this version.
    pub batch_id: i64,
    /// The catalog version the record entered under.
    pub catalog_version: i64,
    pub recorded_at: DateTime<Utc>,
    pub authority: String,
    pub category: String,
    pub content: String,
    /// Field code → value (masked as on the public columns).
    #[schema(value_type = Object)]
    pub fields: serde_json::Map<String, serde_json::Value>,
}

/// The answer of `GET /api/v1/subjects/{code}/records`.
#[derive(Serialize, ToSchema)]
pub struct SubjectHistory {
    /// The subject's key.
    pub subject: String,
    /// The day the standings are given for.
    pub as_of: NaiveDate,
    /// Newest decision first, each decision's latest version first.
    pub records: Vec<RecordVersion>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryParams {
    /// The day to give each version's standing for (default today).
    #[serde(default, deserialize_with = "crate::api::iso_date_opt")]
    pub as_of: Option<NaiveDate>,
}

/// Every record version of a subject with its standing on `as_of`, masked as on the public
/// columns. No access check and no audit: callers do both (also `chengxin records`).
pub async fn subject_history(
    state: &AppState,
    subject_id: i64,
    as_of: NaiveDate,
) -> Result<Vec<RecordVersion>, ApiError> {
    let records = state.store.subject_record_versions(subject_id).await?;
    if records.is_empty() {
        return Ok(Vec::new());
    }
    let (catalog, latest) = active_catalog(&state.store)
        .await
        .map_err(|e| internal(&e))?;
    let disclosed = disclosed_versions(state, latest).await?;
    let departments = crate::portal_lists::department_names(state).await?;
    // An item no longer in the catalog in force is read with the version it entered under.
    let mut older: HashMap<i64, Catalog> = HashMap::new();
    // As things stood on the day asked about: what was received after it is not there yet.
    let standings = chengxin_store::standings_on(&records, as_of, |r| {
        disclosed.shows(&r.item, r.catalog_version)
    });
    let mut out = Vec::with_capacity(records.len());
    for (r, standing) in records.iter().zip(standings) {
        let Some(showing) = standing else { continue };
        if catalog.item(&r.item).is_none() && !older.contains_key(&r.catalog_version) {
            let body = state
                .store
                .catalog_version(Some(r.catalog_version))
                .await?
                .ok_or_else(|| {
                    internal(&format!(
                        "record {} names catalog version {}, which is not stored",
                        r.id, r.catalog_version
                    ))
                })?
                .body;
            let c = Catalog::from_json(&body).map_err(|e| internal(&e))?;
            older.insert(r.catalog_version, c);
        }
        let item = catalog
            .item(&r.item)
            .or_else(|| older.get(&r.catalog_version).and_then(|c| c.item(&r.item)))
            .ok_or_else(|| {
                internal(&format!(
                    "record {}: item {} is in no catalog version",
                    r.id, r.item
                ))
            })?;
        out.push(version_view(
            r,
            item,
            showing,
            departments.get(&r.department).cloned(),
        ));
    }
    Ok(out)
}

fn version_view(
    r: &StoredRecord,
    item: &chengxin_catalog::CatalogItem,
    showing: Showing,
    department_name: Option<String>,
) -> RecordVersion {
    let p = public_record(item, r);
    RecordVersion {
        id: r.id,
        item: r.item.clone(),
        item_name: item.name.clone(),
        department: r.department.clone(),
        department_name,
        doc_no: p.doc_no,
        version: r.version,
        current: r.current,
        status: r.status.clone(),
        showing: showing.as_str().to_string(),
        showing_zh: showing.label_zh().to_string(),
        decision_date: r.decision_date,
        severity: r.severity.clone(),
        publish_from: r.publish_from,
        min_until: r.min_until,
        publish_until: r.publish_until,
        repaired_on: r.repaired_on,
        under_verification: r.under_verification,
        batch_id: r.batch_id,
        catalog_version: r.catalog_version,
        recorded_at: r.recorded_at,
        authority: p.authority,
        category: p.category,
        content: p.content,
        fields: p.fields,
    }
}

/// Records a read of a subject's history (non-public data; 49号 (十三) 查询使用登记).
pub(crate) async fn audit_history_read(
    state: &AppState,
    principal: &Principal,
    key: &str,
    detail: String,
) -> Result<(), ApiError> {
    let own = is_own_subject(principal, key);
    audit::record(
        state,
        principal,
        Record {
            action: "subjects.records.read",
            target: Some(key),
            purpose: own.then_some("信息主体查询本人信息"),
            outcome: Outcome::Allowed,
            detail: Some(detail),
        },
    )
    .await
}

/// The subject `code` names, if `principal` may read its history; otherwise the same 404 as
/// for a subject that does not exist (an enterprise account learns nothing of other subjects).
async fn readable_subject(
    state: &AppState,
    principal: &Principal,
    code: &str,
) -> Result<Subject, ApiError> {
    let not_found = || ApiError::NotFound(format!("no subject {code}"));
    match crate::api::lookup(state, code).await {
        Ok(s) if may_read_history(principal, &s.key) => Ok(s),
        Ok(s) => {
            // Answered as absent, but on the record: an account asking for another subject's
            // history (found by a QA pass).
            audit::record(
                state,
                principal,
                Record {
                    action: "subjects.records.read",
                    target: Some(&s.key),
                    purpose: None,
                    outcome: Outcome::Refused,
                    detail: Some("not the account's own subject".into()),
                },
            )
            .await?;
            Err(not_found())
        }
        Err(ApiError::NotFound(_)) if !sees_every_record(principal) => Err(not_found()),
        Err(e) => Err(e),
    }
}

/// Every record version of a subject — current and superseded, any status, any window — with
/// its standing on `as_of` (公示中, 公示期满, 已撤销, 已被更正, …). Staff roles for any subject; an
/// enterprise account for its own subject only (another subject is `404`, as if absent). Fields
/// masked as on the public columns. Audited.
#[utoipa::path(get, path = "/api/v1/subjects/{code}/records", tag = "subjects",
    params(("code" = String, Path, description = "the subject's key or code"), HistoryParams),
    responses((status = 200, body = SubjectHistory), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn subject_records(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<HistoryParams>,
) -> Result<Json<SubjectHistory>, ApiError> {
    // A day to come is answered with what is known today (when a decision leaves the portal),
    // unlike a subject's registration as of a day, which only days that have been can answer.
    let as_of = q.as_of.unwrap_or_else(|| state.today());
    let subject = readable_subject(&state, &principal, &code).await?;
    let records = subject_history(&state, subject.id, as_of).await?;
    audit_history_read(
        &state,
        &principal,
        &subject.key,
        format!("{} record versions as of {as_of}", records.len()),
    )
    .await?;
    Ok(Json(SubjectHistory {
        subject: subject.key,
        as_of,
        records,
    }))
}
