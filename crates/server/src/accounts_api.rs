//! Sessions, departments, grants, purpose-bound personal reads, self-service and the audit log.

use crate::AppState;
use crate::api::{ApiJson, ApiPath, ApiQuery, lookup, public_view};
use crate::audit::{self, Record};
use crate::auth::{Principal, SESSION_COOKIE, Via};
use crate::error::{ApiError, ErrorBody};
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chengxin_access::{PersonalField, authorise_personal_read};
use chengxin_audit::Outcome;
use chengxin_registry::PublicSubject;
use chengxin_store::{AuditFilter, LoginError, SESSION_HOURS};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// Who is signed in.
#[derive(Serialize, ToSchema)]
pub struct Me {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub role_label: String,
    pub department_code: Option<String>,
    pub subject_key: Option<String>,
    /// Send this in the `x-csrf-token` header on unsafe API calls made with the session cookie.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csrf_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
}

pub fn session_cookie(token: &str, max_age_secs: i64) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age={max_age_secs}"
    ))
    .ok()
}

/// Signs in with a password; sets the session cookie.
#[utoipa::path(post, path = "/api/v1/session", tag = "accounts", request_body = LoginRequest,
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    let session = do_login(&state, &principal, &req.username, &req.password).await?;
    let me = Me {
        username: session.account.username.clone(),
        display_name: session.account.display_name.clone(),
        role: session.account.role.as_str().into(),
        role_label: session.account.role.label_zh().into(),
        department_code: session.account.department_code.clone(),
        subject_key: session.account.subject_key.clone(),
        csrf_token: Some(session.csrf_token.clone()),
        expires_at: Some(session.expires_at),
    };
    let mut res = Json(me).into_response();
    if let Some(c) = session_cookie(&session.token, SESSION_HOURS * 3600) {
        res.headers_mut().insert(header::SET_COOKIE, c);
    }
    Ok(res)
}

/// Shared by the API and the portal form: checks the password, audits the attempt either way.
pub async fn do_login(
    state: &AppState,
    principal: &Principal,
    username: &str,
    password: &str,
) -> Result<chengxin_store::Session, ApiError> {
    let result = state.store.login(username, password).await;
    let (outcome, detail) = match &result {
        Ok(_) => (Outcome::Allowed, None),
        Err(e) => (Outcome::Refused, Some(e.to_string())),
    };
    let as_user = Principal {
        account: None,
        ..principal.clone()
    };
    audit::record(
        state,
        &as_user,
        Record {
            action: "session.login",
            target: Some(username),
            purpose: None,
            outcome,
            detail,
        },
    )
    .await?;
    match result {
        Ok(s) => Ok(s),
        Err(LoginError::Store(e)) => Err(e.into()),
        Err(e) => Err(ApiError::Unauthenticated(e.to_string())),
    }
}

/// Signs out: ends the session.
#[utoipa::path(delete, path = "/api/v1/session", tag = "accounts",
    responses((status = 200, description = "signed out"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn logout(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<Response, ApiError> {
    if let Via::Session { token, .. } = &principal.via {
        state.store.logout(token).await?;
    }
    audit::record(
        &state,
        &principal,
        Record {
            action: "session.logout",
            target: None,
            purpose: None,
            outcome: Outcome::Allowed,
            detail: None,
        },
    )
    .await?;
    let mut res = Json(serde_json::json!({"signed_out": true})).into_response();
    if let Some(c) = session_cookie("", 0) {
        res.headers_mut().insert(header::SET_COOKIE, c);
    }
    Ok(res)
}

/// The caller's account.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(Extension(principal): Extension<Principal>) -> Result<Json<Me>, ApiError> {
    let a = principal.account.as_ref().ok_or(ApiError::Internal)?;
    Ok(Json(Me {
        username: a.username.clone(),
        display_name: a.display_name.clone(),
        role: a.role.as_str().into(),
        role_label: a.role.label_zh().into(),
        department_code: a.department_code.clone(),
        subject_key: a.subject_key.clone(),
        csrf_token: match &principal.via {
            Via::Session { csrf, .. } => Some(csrf.clone()),
            _ => None,
        },
        expires_at: None,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct DepartmentView {
    pub code: String,
    pub name: String,
}

/// Departments registered on the platform (public information).
#[utoipa::path(get, path = "/api/v1/departments", tag = "accounts",
    responses((status = 200, body = [DepartmentView])))]
pub async fn departments(
    State(state): State<AppState>,
) -> Result<Json<Vec<DepartmentView>>, ApiError> {
    Ok(Json(
        state
            .store
            .departments()
            .await?
            .into_iter()
            .map(|d| DepartmentView {
                code: d.code,
                name: d.name,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NewDepartment {
    /// The department's USCC.
    pub code: String,
    pub name: String,
}

/// Registers a department (a government body with its own USCC).
#[utoipa::path(post, path = "/api/v1/departments", tag = "accounts", request_body = NewDepartment,
    responses((status = 200, body = DepartmentView), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn add_department(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiJson(req): ApiJson<NewDepartment>,
) -> Result<Json<DepartmentView>, ApiError> {
    let result = audit::acting(&state, &principal)
        .add_department(&req.code, &req.name, &principal.actor(), state.today())
        .await;
    let d = result.map_err(store_write_error)?;
    Ok(Json(DepartmentView {
        code: d.code,
        name: d.name,
    }))
}

/// Maps store errors of writes, where validation failures are the caller's fault.
fn store_write_error(e: chengxin_store::StoreError) -> ApiError {
    match e {
        chengxin_store::StoreError::Invalid(err) => {
            ApiError::parameter(err.field_name(), err.detail())
        }
        other => other.into(),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewGrant {
    /// The account that may read.
    pub username: String,
    /// The subject's key.
    pub subject: String,
    /// `citizen_id`, `legal_rep_id`.
    pub fields: Vec<String>,
    pub purpose: String,
    /// At most 90 days ahead: no lifetime authorisation.
    pub expires_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct GrantView {
    pub id: i64,
    pub username: String,
    pub subject: String,
    pub fields: Vec<String>,
    pub purpose: String,
    pub expires_at: DateTime<Utc>,
}

impl From<chengxin_access::Grant> for GrantView {
    fn from(g: chengxin_access::Grant) -> GrantView {
        GrantView {
            id: g.id,
            username: g.account,
            subject: g.subject_key,
            fields: g.fields.iter().map(|f| f.as_str().to_string()).collect(),
            purpose: g.purpose,
            expires_at: g.expires_at,
        }
    }
}

/// Authorises an account to read personal fields of one subject for a stated purpose until a time.
#[utoipa::path(post, path = "/api/v1/grants", tag = "accounts", request_body = NewGrant,
    responses((status = 200, body = GrantView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn add_grant(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiJson(req): ApiJson<NewGrant>,
) -> Result<Json<GrantView>, ApiError> {
    let fields = req
        .fields
        .iter()
        .map(|f| {
            PersonalField::parse(f).ok_or_else(|| {
                ApiError::parameter(
                    "fields",
                    format!("unknown personal field {f:?}: citizen_id or legal_rep_id"),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let result = audit::acting(&state, &principal)
        .grant(
            &req.username,
            &req.subject,
            &fields,
            &req.purpose,
            req.expires_at,
            &principal.actor(),
        )
        .await;
    let g = result.map_err(|e| match e {
        chengxin_store::StoreError::Conflict(m) => ApiError::parameter("grant", m),
        other => other.into(),
    })?;
    Ok(Json(GrantView::from(g)))
}

/// Revokes a grant from now on; it stays on record. `409` when it was already revoked or has
/// expired.
#[utoipa::path(delete, path = "/api/v1/grants/{id}", tag = "accounts",
    params(("id" = i64, Path, description = "the grant's number")),
    responses((status = 200, body = GrantView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn revoke_grant(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<GrantView>, ApiError> {
    let result = audit::acting(&state, &principal)
        .revoke_grant(id, &principal.actor())
        .await;
    let g = result?;
    Ok(Json(GrantView::from(g)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PersonalParams {
    /// Why the data is read (recorded in the audit log).
    pub purpose: Option<String>,
    /// Comma-separated: `citizen_id`, `legal_rep_id` (default both).
    pub fields: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PersonalData {
    pub key: String,
    pub citizen_id: Option<String>,
    /// A natural person's other identity document (`KIND:NUMBER`), read under the same grant
    /// field as the citizen ID (the person's identity number).
    pub person_doc: Option<String>,
    pub legal_rep_id: Option<String>,
    /// The grants that authorised this read.
    pub grants: Vec<i64>,
}

/// Unmasked personal fields of a subject, for a stated purpose under a live grant. Audited.
#[utoipa::path(get, path = "/api/v1/subjects/{code}/personal", tag = "subjects",
    params(("code" = String, Path, description = "the subject's key or code"), PersonalParams),
    responses((status = 200, body = PersonalData), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn personal(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(p): ApiQuery<PersonalParams>,
) -> Result<Json<PersonalData>, ApiError> {
    let purpose = p.purpose.unwrap_or_default();
    // Without `fields`: those the subject holds (below), so that a grant of a person's
    // citizen_id alone is enough to read it (found by QA: the default asked for legal_rep_id
    // too, which a person has not, and was refused).
    let asked: Option<Vec<PersonalField>> = match p.fields.as_deref() {
        None | Some("") => None,
        Some(list) => Some(
            list.split(',')
                .map(|f| {
                    PersonalField::parse(f.trim()).ok_or_else(|| {
                        ApiError::parameter("fields", format!("unknown personal field {f:?}"))
                    })
                })
                .collect::<Result<_, _>>()?,
        ),
    };
    // Staff may look up by citizen ID here: that is what the grant is for. Without a grant the
    // answer must not tell whether the number is known, nor the person's key: a known number and
    // an unknown one get the same refusal.
    let by_identity_number = chengxin_codes::check(&code, None, state.today()).kind
        == Some(chengxin_codes::CodeKind::CitizenId)
        || crate::api::names_a_person(&state, &code).await?;
    let not_covered = |fields: &[PersonalField]| {
        ApiError::PersonalDataNotAuthorised(format!(
            "no authorisation covers {} of the person with this identity number for this account",
            fields
                .iter()
                .map(|f| f.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    };
    let subject = match state.store.find(&code).await? {
        Some(s) => s,
        None if by_identity_number => {
            // What a known person's default would be: an unknown number is refused alike.
            let fields = asked.unwrap_or_else(|| vec![PersonalField::CitizenId]);
            audit::record(
                &state,
                &principal,
                Record {
                    action: "subjects.personal.read",
                    target: None,
                    purpose: Some(purpose.as_str()).filter(|p| !p.trim().is_empty()),
                    outcome: Outcome::Refused,
                    detail: Some("no subject with the identity number asked for".to_string()),
                },
            )
            .await?;
            return Err(not_covered(&fields));
        }
        None => lookup(&state, &code).await?,
    };
    let account = principal.account.as_ref().ok_or(ApiError::Internal)?;
    let grants = state
        .store
        .grants_for(&account.username, &subject.key)
        .await?;
    let now = Utc::now();
    // By default: the fields the subject holds that a live grant for this purpose covers, or,
    // when none is covered, all it holds (and the answer says which is not covered).
    let fields = asked.unwrap_or_else(|| {
        let d = subject.data();
        let held: Vec<PersonalField> = PersonalField::ALL
            .into_iter()
            .filter(|f| match f {
                PersonalField::CitizenId => d.citizen_id.is_some() || d.person_doc.is_some(),
                PersonalField::LegalRepId => d.legal_rep_id.is_some(),
            })
            .collect();
        let covered: Vec<PersonalField> = held
            .iter()
            .copied()
            .filter(|f| {
                authorise_personal_read(&grants, &account.username, &subject.key, *f, &purpose, now)
                    .is_ok()
            })
            .collect();
        match (covered.is_empty(), held.is_empty()) {
            (false, _) => covered,
            (true, false) => held,
            (true, true) => PersonalField::ALL.to_vec(),
        }
    });
    let mut used = Vec::new();
    let mut refusal = None;
    for f in &fields {
        match authorise_personal_read(&grants, &account.username, &subject.key, *f, &purpose, now) {
            Ok(g) => used.push(g.id),
            Err(r) => {
                refusal = Some(r);
                break;
            }
        }
    }
    let field_names: Vec<&str> = fields.iter().map(|f| f.as_str()).collect();
    audit::record(
        &state,
        &principal,
        Record {
            action: "subjects.personal.read",
            target: Some(&subject.key),
            purpose: Some(purpose.as_str()).filter(|p| !p.trim().is_empty()),
            outcome: if refusal.is_some() {
                Outcome::Refused
            } else {
                Outcome::Allowed
            },
            detail: Some(match &refusal {
                Some(r) => format!("fields {}: {r}", field_names.join(",")),
                None => format!("fields {} under grants {used:?}", field_names.join(",")),
            }),
        },
    )
    .await?;
    match refusal {
        Some(chengxin_access::GrantRefusal::NotCovered { .. }) if by_identity_number => {
            return Err(not_covered(&fields));
        }
        Some(r) => return Err(ApiError::PersonalDataNotAuthorised(r.to_string())),
        None => {}
    }
    used.dedup();
    let d = subject.data();
    Ok(Json(PersonalData {
        key: subject.key.clone(),
        citizen_id: fields
            .contains(&PersonalField::CitizenId)
            .then(|| d.citizen_id.clone())
            .flatten(),
        person_doc: fields
            .contains(&PersonalField::CitizenId)
            .then(|| d.person_doc.clone())
            .flatten(),
        legal_rep_id: fields
            .contains(&PersonalField::LegalRepId)
            .then(|| d.legal_rep_id.clone())
            .flatten(),
        grants: used,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct VersionView {
    pub version: i64,
    pub valid_from: NaiveDate,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: String,
    pub reason: String,
    pub source: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct OwnRecord {
    pub subject: PublicSubject,
    /// Every version held, with who recorded it, when, why and from which source.
    pub versions: Vec<VersionView>,
    /// Duplicate/wrong-code cases about this subject's codes.
    pub code_cases: i64,
    /// Every version of every record held about the subject — on show, withdrawn, superseded or
    /// past its window — with its standing today (as `GET /api/v1/subjects/{code}/records`).
    pub records: Vec<crate::records_api::RecordVersion>,
}

/// Everything held on the enterprise account's own subject, free of charge (国办发〔2021〕52号 (九)).
/// Other people's personal identifiers (the representative's document number) stay masked. Audited.
#[utoipa::path(get, path = "/api/v1/self", tag = "accounts",
    responses((status = 200, body = OwnRecord), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn own_record(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<Json<OwnRecord>, ApiError> {
    let key = principal
        .account
        .as_ref()
        .and_then(|a| a.subject_key.clone())
        .ok_or(ApiError::Internal)?;
    let subject = state
        .store
        .subject_by_key(&key)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no subject {key}")))?;
    let history = state.store.history(subject.id).await?;
    let cases = state.store.code_case_count_for(subject.id).await?;
    let records = crate::records_api::subject_history(&state, subject.id, state.today()).await?;
    audit::record(
        &state,
        &principal,
        Record {
            action: "self.read",
            target: Some(&key),
            purpose: Some("信息主体查询本人信息"),
            outcome: Outcome::Allowed,
            detail: None,
        },
    )
    .await?;
    let view = public_view(&state, subject, None).await?;
    Ok(Json(OwnRecord {
        subject: view,
        versions: history
            .into_iter()
            .map(|v| VersionView {
                version: v.version,
                valid_from: v.valid_from,
                recorded_at: v.recorded_at,
                recorded_by: v.recorded_by,
                reason: v.reason,
                source: v.source,
                name: v.data.name,
            })
            .collect(),
        code_cases: cases,
        records,
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// A subject key, account or other target.
    pub target: Option<String>,
    pub actor: Option<String>,
    pub action: Option<String>,
    /// From this time (RFC 3339), or from the start of this day in China (`YYYY-MM-DD`).
    #[serde(default, deserialize_with = "crate::api::time_from_opt")]
    pub from: Option<DateTime<Utc>>,
    /// Until this time (RFC 3339), or to the end of this day in China (`YYYY-MM-DD`).
    #[serde(default, deserialize_with = "crate::api::time_to_opt")]
    pub to: Option<DateTime<Utc>>,
    /// Entries after this sequence number (paging).
    pub after: Option<i64>,
    /// 1 to 1000 (default 100).
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditEntryView {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub role: String,
    pub department: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub purpose: Option<String>,
    pub request_id: String,
    pub outcome: String,
    pub detail: Option<String>,
    pub hash: String,
}

/// Searches the audit log (auditors). The search itself is audited.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditParams),
    responses((status = 200, body = [AuditEntryView]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn audit_search(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiQuery(p): ApiQuery<AuditParams>,
) -> Result<Json<Vec<AuditEntryView>>, ApiError> {
    let limit = p.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::parameter("limit", "limit is 1 to 1000"));
    }
    let filter = AuditFilter {
        target: p.target.clone(),
        actor: p.actor.clone(),
        action: p.action.clone(),
        from: p.from,
        to: p.to,
        after_seq: p.after,
        limit,
    };
    let entries = state.store.audit_entries(&filter).await?;
    let detail = format!("{} -> {} entries", filter.describe(), entries.len());
    audit::record(
        &state,
        &principal,
        Record {
            action: "audit.search",
            target: p.target.as_deref(),
            purpose: None,
            outcome: Outcome::Allowed,
            detail: Some(detail),
        },
    )
    .await?;
    Ok(Json(
        entries
            .into_iter()
            .map(|e| AuditEntryView {
                seq: e.seq,
                at: e.entry.at,
                actor: e.entry.actor,
                role: e.entry.role,
                department: e.entry.department,
                action: e.entry.action,
                target: e.entry.target,
                purpose: e.entry.purpose,
                request_id: e.entry.request_id,
                outcome: e.entry.outcome.as_str().to_string(),
                detail: e.entry.detail,
                hash: e.hash.to_string(),
            })
            .collect(),
    ))
}
