//! The lists API (issue 5): standards, the entry lifecycle for identifying departments,
//! objections and credit repair, and the explainable list status of a subject as of a date.
//!
//! Every operation is dated today (the server's clock): the rules refuse a step dated before the
//! book's last step, and nobody back-dates a legal act through this API. The rules themselves are
//! `chengxin-lists`; a refusal comes back as 422 with its stable code and the article it applies.

use crate::AppState;
use crate::api::{ApiJson, ApiPath, ApiQuery, OptionalJson};
use crate::audit;
use crate::auth::Principal;
use crate::error::{ApiError, ErrorBody};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chengxin_access::Role;
use chengxin_lists::{
    AcceptObjection, AcceptRepair, Calendar, DecideObjection, DecideRepair, ExitEntry, ExitReason,
    ExpireDue, ListEntry, Objection, ObjectionOutcome, ObjectionRules, Propose, RecordDelivery,
    RepairApplication, RepairMethod, RepairRules, SendNotice, StartPublicity, SubmitObjection,
    SubmitRepair, Target, public_status_as_of, status_as_of,
};
use chengxin_store::{ListError, ListOutcome, StoredRecord};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

fn list_error(e: ListError) -> ApiError {
    match e {
        ListError::Refused(r) => ApiError::Refused {
            code: r.code(),
            message: r.to_string(),
        },
        ListError::NoSubject(s) => no_subject(&s),
        ListError::Standards(e) => ApiError::parameter("body", e.to_string()),
        ListError::Store(e) => ApiError::from(e),
    }
}

/// 404 for a subject code no subject holds (Chinese / English, like the refusals).
fn no_subject(code: &str) -> ApiError {
    ApiError::NotFound(format!("没有代码为 {code} 的主体 / no subject {code}"))
}

fn created(out: ListOutcome) -> Response {
    (StatusCode::CREATED, Json(out)).into_response()
}

/// The caller's department (identifying officers act for theirs only).
fn department(p: &Principal) -> Result<String, ApiError> {
    p.department().ok_or_else(|| {
        ApiError::Forbidden(
            "该账户不属于任何部门，不能办理名单事项 / this account belongs to no department".into(),
        )
    })
}

/// Every stored list standard version (public: 49号 (六) 认定标准 are published).
#[utoipa::path(get, path = "/api/v1/list-standards", tag = "lists",
    responses((status = 200, description = "standards", body = Object)))]
pub async fn get_standards(State(state): State<AppState>) -> Result<Response, ApiError> {
    let standards = state.store.list_standards().await?;
    let all: Vec<_> = standards.iter().collect();
    Ok(Json(all).into_response())
}

/// Imports list standards (TOML body, the format printed by `chengxin lists default`).
#[utoipa::path(post, path = "/api/v1/list-standards", tag = "lists",
    request_body(content = String, description = "standards TOML"),
    responses((status = 200, description = "how many versions were new", body = Object), (status = 400, body = ErrorBody)))]
pub async fn post_standards(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    body: String,
) -> Result<Response, ApiError> {
    let store = audit::acting(&state, &principal);
    let added = store
        .import_list_standards(&body, &principal.actor())
        .await
        .map_err(list_error)?;
    Ok(Json(serde_json::json!({ "added": added })).into_response())
}

/// A proposal (初步名单) by the caller's department.
#[derive(Deserialize, ToSchema)]
pub struct ProposeBody {
    /// The subject's USCC or other code.
    pub subject: String,
    pub standard: String,
    pub standard_version: Option<u32>,
    /// 认定文书号.
    pub document: String,
    /// 事由.
    pub reason: String,
    pub watch_months: Option<u32>,
    #[serde(default)]
    pub repeat_offender: bool,
}

/// Proposes a subject for a list under a published standard that names the caller's department.
#[utoipa::path(post, path = "/api/v1/list-entries", tag = "lists", request_body = ProposeBody,
    responses((status = 201, description = "the subject's book and effects", body = Object),
        (status = 422, description = "refused by a rule", body = ErrorBody)))]
pub async fn propose(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiJson(b): ApiJson<ProposeBody>,
) -> Result<Response, ApiError> {
    let cmd = Propose {
        on: state.today(),
        actor: principal.actor(),
        department: department(&principal)?,
        standard_code: b.standard,
        standard_version: b.standard_version,
        document: b.document,
        reason: b.reason,
        watch_months: b.watch_months,
        repeat_offender: b.repeat_offender,
    };
    let store = audit::acting(&state, &principal);
    let out = store
        .list_operation(
            &b.subject,
            "lists.propose",
            &principal.actor(),
            |bk, st, ids| chengxin_lists::propose(bk, st, ids, Calendar::china(), &cmd),
        )
        .await
        .map_err(list_error)?;
    Ok(created(out))
}

/// A step of an entry's lifecycle.
#[derive(Deserialize, ToSchema, Default)]
pub struct StepBody {
    /// Notice / listing / exit document number.
    pub document: Option<String>,
    /// `delivery`: the day the notice was delivered (default today).
    #[serde(default, deserialize_with = "crate::api::iso_date_opt")]
    pub delivered_on: Option<NaiveDate>,
    /// `exit`: withdrawn | standard_changed | repaired.
    pub exit_reason: Option<String>,
    /// `exit` / `correct`: why.
    pub reason: Option<String>,
}

/// Moves an entry on: `notice` (事前告知), `delivery` (送达), `publicity` (red lists: 公示),
/// `list` (列入), `exit` (移出), `correct` (the department found its own error: erased).
#[utoipa::path(post, path = "/api/v1/list-entries/{id}/{step}", tag = "lists",
    params(("id" = String, Path), ("step" = String, Path)), request_body = StepBody,
    responses((status = 200, description = "the subject's book and effects", body = Object),
        (status = 404, body = ErrorBody), (status = 422, description = "refused by a rule", body = ErrorBody)))]
pub async fn entry_step(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiPath((id, step)): ApiPath<(String, String)>,
    OptionalJson(b): OptionalJson<StepBody>,
) -> Result<Response, ApiError> {
    let subject =
        state.store.list_case_subject(&id).await?.ok_or_else(|| {
            ApiError::NotFound(format!("名单条目 {id} 不存在 / no list entry {id}"))
        })?;
    let on = state.today();
    let actor = principal.actor();
    let dept = department(&principal)?;
    let cal = Calendar::china();
    let store = audit::acting(&state, &principal);
    let action = format!("lists.{step}");
    // Runs one rule of `chengxin-lists` on the subject's book with this request's command.
    macro_rules! run {
        ($op:path, $cmd:expr) => {{
            let cmd = $cmd;
            store
                .list_operation(&subject, &action, &actor, |bk, st, ids| {
                    $op(bk, st, ids, cal, &cmd)
                })
                .await
        }};
    }
    let out = match step.as_str() {
        "notice" => {
            run!(
                chengxin_lists::send_notice,
                SendNotice {
                    on,
                    actor: actor.clone(),
                    department: dept,
                    entry: id,
                    document: b.document.ok_or_else(|| {
                        ApiError::parameter(
                            "document",
                            "须填写告知书文号 / the notice's document number is required",
                        )
                    })?,
                }
            )
        }
        "delivery" => {
            run!(
                chengxin_lists::record_delivery,
                RecordDelivery {
                    on,
                    actor: actor.clone(),
                    department: dept,
                    entry: id,
                    delivered_on: b.delivered_on.unwrap_or(on),
                }
            )
        }
        "publicity" => {
            run!(
                chengxin_lists::start_publicity,
                StartPublicity {
                    on,
                    actor: actor.clone(),
                    department: dept,
                    entry: id,
                }
            )
        }
        "list" => {
            run!(
                chengxin_lists::list,
                ListEntry {
                    on,
                    actor: actor.clone(),
                    department: dept,
                    entry: id,
                    document: b.document,
                }
            )
        }
        "exit" => {
            let reason = match b.exit_reason.as_deref() {
                Some("withdrawn") => ExitReason::Withdrawn,
                Some("standard_changed") => ExitReason::StandardChanged,
                Some("repaired") => ExitReason::Repaired,
                _ => {
                    return Err(ApiError::parameter(
                        "exit_reason",
                        "退出原因须为 withdrawn（认定部门撤回）或 standard_changed（认定标准变更）；认定有误用 correct 更正，\
                         信用修复由主体申请（/api/v1/repairs），有效期届满自动退出 / one of withdrawn, standard_changed \
                         (an error is corrected with `correct`; a repair is the subject's application, \
                         /api/v1/repairs; expiry is automatic)",
                    ));
                }
            };
            run!(
                chengxin_lists::exit,
                ExitEntry {
                    on,
                    actor: actor.clone(),
                    department: dept,
                    entry: id,
                    reason,
                    document: b.document,
                    note: b.reason.unwrap_or_default(),
                }
            )
        }
        "correct" => {
            run!(
                chengxin_lists::correct_error,
                chengxin_lists::CorrectError {
                    on,
                    actor: actor.clone(),
                    department: dept,
                    entry: id,
                    document: b.document,
                    reason: b.reason.ok_or_else(|| {
                        ApiError::parameter("reason", "请说明认定有误之处 / say what was wrong")
                    })?,
                }
            )
        }
        _ => {
            return Err(ApiError::NotFound(format!(
                "没有“{step}”这一步骤：可用 notice（事前告知）、delivery（送达）、publicity（公示）、\
                 list（列入）、exit（退出）、correct（更正） / no step {step}: notice, delivery, \
                 publicity, list, exit or correct"
            )));
        }
    };
    Ok(Json(out.map_err(list_error)?).into_response())
}

/// An objection or repair application: about a list entry or a record of the subject.
#[derive(Deserialize, ToSchema)]
pub struct ApplicationBody {
    /// The subject's USCC or other code.
    pub subject: String,
    /// A list entry id …
    pub entry: Option<String>,
    /// … or a record id (e.g. a penalty under publicity).
    pub record: Option<i64>,
    /// Who applies (name and contact).
    pub applicant: String,
    /// Objection: the grounds.
    pub grounds: Option<String>,
    /// Repair: 履行义务 | 信用承诺 | 整改报告 | 培训 | 公益 (or fulfil_obligation, commitment, …).
    pub method: Option<String>,
    #[serde(default)]
    pub evidence: Vec<String>,
}

fn target_of(b: &ApplicationBody) -> Result<Target, ApiError> {
    match (&b.entry, b.record) {
        (Some(e), None) => Ok(Target::Entry(e.clone())),
        (None, Some(r)) => Ok(Target::Record(r)),
        _ => Err(ApiError::parameter(
            "entry",
            "请在 entry（名单条目编号）和 record（信用记录编号）中指明且只指明一项 / name exactly one of \
             `entry` (a list entry id) or `record` (a record id)",
        )),
    }
}

/// An application naming a record must name one the caller may see (see
/// `collect_api::record_open_to`); otherwise it is answered as if there were no such record.
async fn check_record_target(
    state: &AppState,
    principal: &Principal,
    b: &ApplicationBody,
) -> Result<Option<StoredRecord>, ApiError> {
    let Some(id) = b.record else {
        return Ok(None);
    };
    let subject = state
        .store
        .find(&b.subject)
        .await?
        .ok_or_else(|| no_subject(&b.subject))?;
    crate::collect_api::record_open_to(state, principal, subject.id, &subject.key, id)
        .await?
        .map(Some)
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "该主体没有正在公示的信用记录 {id} / no record {id} of this subject on show"
            ))
        })
}

/// Files an objection (异议; 33号 (二十二), 1798号 (二十)). Anyone concerned may object, free of
/// charge. The answer carries the objection's id — the applicant's receipt for following it —
/// and its deadlines. While it is under review the entry or record is 核查中 and measures
/// resting on it are suspended.
#[utoipa::path(post, path = "/api/v1/objections", tag = "lists", request_body = ApplicationBody,
    responses((status = 201, description = "the objection with its deadlines", body = Object),
        (status = 422, description = "refused by a rule", body = ErrorBody)))]
pub async fn post_objection(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiJson(b): ApiJson<ApplicationBody>,
) -> Result<Response, ApiError> {
    let o = file_objection(&state, &principal, &b).await?;
    Ok((StatusCode::CREATED, Json(redacted_objection(o))).into_response())
}

/// The sizes the portal's form allows, held for the API too: an application is read by people.
fn check_application_lengths(b: &ApplicationBody, grounds: &str) -> Result<(), ApiError> {
    let too_long = |parameter: &'static str, zh: &str, max: usize| {
        ApiError::parameter(
            parameter,
            format!("{zh}最多 {max} 个字 / {parameter} has at most {max} characters"),
        )
    };
    if b.applicant.trim().chars().count() > 200 {
        return Err(too_long("applicant", "申请人", 200));
    }
    if grounds.chars().count() > 4000 {
        return Err(too_long("grounds", "异议理由", 4000));
    }
    if b.evidence.len() > 50 || b.evidence.iter().map(|e| e.chars().count()).sum::<usize>() > 4000 {
        return Err(ApiError::parameter(
            "evidence",
            "证明材料最多 50 项、共 4000 字 / evidence has at most 50 items of 4000 characters in all",
        ));
    }
    Ok(())
}

/// Files an objection for the API and the portal's form; returns it as stored.
pub(crate) async fn file_objection(
    state: &AppState,
    principal: &Principal,
    b: &ApplicationBody,
) -> Result<Objection, ApiError> {
    let grounds = b
        .grounds
        .as_deref()
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .ok_or_else(|| {
            ApiError::parameter(
                "grounds",
                "请说明哪项信息有误、应当是什么 / say why the information is wrong",
            )
        })?;
    if b.applicant.trim().is_empty() {
        return Err(ApiError::parameter(
            "applicant",
            "请填写申请人姓名或名称及联系方式 / say who objects (a name and a contact)",
        ));
    }
    check_application_lengths(b, grounds)?;
    if !is_staff(principal) {
        crate::api::refuse_citizen_id(state, &b.subject).await?;
    }
    let record = check_record_target(state, principal, b).await?;
    let cmd = SubmitObjection {
        on: state.today(),
        applicant: b.applicant.trim().to_string(),
        target: target_of(b)?,
        grounds: grounds.to_string(),
        evidence: b.evidence.clone(),
        // 谁认定、谁负责: the department that sent the record handles the objection.
        record_department: record.map(|r| r.department),
    };
    let store = audit::acting(state, principal);
    let out = store
        .list_operation(
            &b.subject,
            "lists.objection.submit",
            &principal.actor(),
            |bk, st, ids| {
                chengxin_lists::submit_objection(
                    bk,
                    st,
                    ids,
                    Calendar::china(),
                    &ObjectionRules::default(),
                    &cmd,
                )
            },
        )
        .await
        .map_err(list_error)?;
    out.book
        .objections
        .last()
        .cloned()
        .ok_or(ApiError::Internal)
}

/// An objection as its applicant (or anyone holding its id) sees it: identifiers the applicant
/// typed — their own ID number or mobile — masked like every other public output.
pub(crate) fn redacted_objection(mut o: Objection) -> Objection {
    let r = chengxin_codes::mask::redact;
    o.applicant = r(&o.applicant);
    o.grounds = r(&o.grounds);
    o.evidence = o.evidence.iter().map(|e| r(e)).collect();
    for s in &mut o.history {
        redact_step(s);
    }
    o
}

/// A repair application as the public sees it (see [`redacted_objection`]).
pub(crate) fn redacted_repair(mut a: RepairApplication) -> RepairApplication {
    let r = chengxin_codes::mask::redact;
    a.applicant = r(&a.applicant);
    a.evidence = a.evidence.iter().map(|e| r(e)).collect();
    for s in &mut a.history {
        redact_step(s);
    }
    a
}

/// Masks a text about `subject` for the public (a list entry's reason or document, an
/// announcement): identifiers by [`chengxin_codes::mask::redact`], and for a natural person
/// their full name, written anywhere in it (纳税人李四…), as the registry shows it (李*).
/// 国办发〔2020〕49号 (十四): personal information disclosed only as far as necessary.
pub(crate) fn public_text(text: &str, person_name: Option<&str>) -> String {
    let shown = chengxin_codes::mask::redact(text);
    match person_name
        .map(str::trim)
        .filter(|n| n.chars().count() >= 2)
    {
        Some(full) => shown.replace(full, &chengxin_codes::mask::person_name(full)),
        None => shown,
    }
}

/// The full name of the subject with `key` when it is a natural person (for [`public_text`]).
pub(crate) async fn person_name_of(
    store: &chengxin_store::Store,
    key: &str,
) -> Result<Option<String>, ApiError> {
    Ok(store
        .subject_by_key(key)
        .await?
        .filter(|s| s.data().shown_as_person())
        .map(|s| s.data().name.clone()))
}

fn redact_step(s: &mut chengxin_lists::Step) {
    let r = chengxin_codes::mask::redact;
    // Who handled a step is a member of staff of the handling department, not a name the public
    // needs (their account name says nothing more); the applicant's own step keeps its name.
    s.actor = if s.action == "submit" {
        r(&s.actor)
    } else {
        "经办人员".to_owned()
    };
    s.reason = r(&s.reason);
}

/// An objection or a repair application, found by its id.
pub(crate) enum Application {
    Objection(Objection),
    Repair(RepairApplication),
}

/// Finds an objection or repair application by its id (the applicant's receipt).
pub(crate) async fn find_application(
    state: &AppState,
    id: &str,
) -> Result<(String, Application), ApiError> {
    let (key, application, _) = find_application_handled(state, id).await?;
    Ok((key, application))
}

/// [`find_application`], with the department that handles it: an entry's identifying
/// department, or the department that sent the record (`None` for an application filed before
/// that was kept).
async fn find_application_handled(
    state: &AppState,
    id: &str,
) -> Result<(String, Application, Option<String>), ApiError> {
    let not_found = || {
        ApiError::NotFound(format!(
            "异议或信用修复申请 {id} 不存在 / no objection or application {id}"
        ))
    };
    let key = state
        .store
        .list_case_subject(id)
        .await?
        .ok_or_else(not_found)?;
    let subject = state.store.find(&key).await?.ok_or_else(not_found)?;
    let book = state
        .store
        .list_book(subject.id)
        .await?
        .ok_or_else(not_found)?;
    let handling = |target: &Target, handled_by: &Option<String>| match target {
        Target::Entry(e) => book.entry(e).map(|e| e.department.clone()),
        Target::Record(_) => handled_by.clone(),
    };
    if let Some(o) = book.objections.iter().find(|o| o.id == id) {
        let dept = handling(&o.target, &o.handled_by);
        return Ok((subject.key, Application::Objection(o.clone()), dept));
    }
    if let Some(r) = book.repairs.iter().find(|r| r.id == id) {
        let dept = handling(&r.target, &r.handled_by);
        return Ok((subject.key, Application::Repair(r.clone()), dept));
    }
    Err(not_found())
}

/// Applies for credit repair (信用修复; 国家发展改革委令第36号). Free of charge.
#[utoipa::path(post, path = "/api/v1/repairs", tag = "lists", request_body = ApplicationBody,
    responses((status = 201, description = "the application with its deadlines", body = Object),
        (status = 422, description = "refused by a rule", body = ErrorBody)))]
pub async fn post_repair(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiJson(b): ApiJson<ApplicationBody>,
) -> Result<Response, ApiError> {
    if principal.role == Role::Enterprise {
        let own = principal
            .account
            .as_ref()
            .and_then(|a| a.subject_key.clone());
        let subject = state.store.find(&b.subject).await?;
        if subject.map(|s| s.key) != own || own.is_none() {
            return Err(ApiError::Forbidden(
                "企业账户只能为本企业申请信用修复 / an enterprise account applies for its own \
                 subject only"
                    .into(),
            ));
        }
    }
    // A repair application has no grounds: only the applicant and evidence are held to size.
    check_application_lengths(&b, "")?;
    let record = check_record_target(&state, &principal, &b).await?;
    let method: RepairMethod = b
        .method
        .as_deref()
        .unwrap_or_default()
        .parse()
        .map_err(|e| ApiError::parameter("method", format!("{e}")))?;
    let cmd = SubmitRepair {
        on: state.today(),
        applicant: b.applicant.clone(),
        target: target_of(&b)?,
        method,
        evidence: b.evidence.clone(),
        // A penalty's minimum publication period ends at `min_until`; one whose severity has no
        // minimum (轻微: 36号令 allows repair as soon as the obligation is fulfilled) may be
        // repaired from its decision date. A record outside any publication window (no severity)
        // has no minimum to reach and is refused by the rule.
        record_minimum_until: record.as_ref().and_then(|r| {
            r.min_until
                .or_else(|| r.severity.as_ref().map(|_| r.decision_date))
        }),
        // 谁认定、谁修复 (国办发〔2025〕22号): the department that sent the record decides.
        record_department: record.map(|r| r.department),
    };
    let store = audit::acting(&state, &principal);
    let out = store
        .list_operation(
            &b.subject,
            "lists.repair.submit",
            &principal.actor(),
            |bk, st, ids| {
                chengxin_lists::submit_repair(
                    bk,
                    st,
                    ids,
                    Calendar::china(),
                    &RepairRules::default(),
                    &cmd,
                )
            },
        )
        .await
        .map_err(list_error)?;
    let r = out.book.repairs.last().cloned().ok_or(ApiError::Internal)?;
    Ok((StatusCode::CREATED, Json(redacted_repair(r))).into_response())
}

/// An objection or application as its applicant follows it (by its id, the receipt): every step
/// and deadline.
#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "lists", params(("id" = String, Path)),
    responses((status = 200, description = "the objection or repair application", body = Object), (status = 404, body = ErrorBody)))]
pub async fn get_application(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let (key, application, handling) = find_application_handled(&state, &id).await?;
    // The applicant's details as given (a phone number, an ID number) are for the handlers of
    // the department that handles the application, who must contact the applicant; everyone
    // else, staff included, reads them masked (国办发〔2020〕49号 (十四): personal information
    // only as far as necessary). The unmasked read is recorded.
    let handles =
        principal.role == Role::Handler && handling.is_some() && principal.department() == handling;
    let body = match application {
        Application::Objection(o) if handles => serde_json::json!({ "objection": o }),
        Application::Objection(o) => serde_json::json!({ "objection": redacted_objection(o) }),
        Application::Repair(r) if handles => serde_json::json!({ "repair": r }),
        Application::Repair(r) => serde_json::json!({ "repair": redacted_repair(r) }),
    };
    if handles {
        audit::record(
            &state,
            &principal,
            audit::Record {
                action: "applications.read_private",
                target: Some(&key),
                purpose: Some("异议、信用修复办理"),
                outcome: chengxin_store::Outcome::Allowed,
                detail: Some(id.clone()),
            },
        )
        .await?;
    }
    Ok(Json(body).into_response())
}

/// Staff roles see every list entry and the applicant's details as given.
pub(crate) fn is_staff(p: &Principal) -> bool {
    matches!(
        p.role,
        Role::Operator | Role::IdentifyingOfficer | Role::Checker | Role::Handler | Role::Auditor
    )
}

/// Whether `p` reads every entry of the subject with `key`, published or not: staff, and the
/// subject's own enterprise account (国办发〔2021〕52号: a subject reads its own credit
/// information). Everyone else reads the published entries only.
pub(crate) fn reads_whole_book(p: &Principal, key: &str) -> bool {
    is_staff(p)
        || (p.role == Role::Enterprise
            && p.account
                .as_ref()
                .and_then(|a| a.subject_key.as_deref())
                .is_some_and(|own| own == key))
}

/// A handler's decision on an objection or repair application.
#[derive(Deserialize, ToSchema, Default)]
pub struct DecisionBody {
    /// Objections: upheld | partly_upheld | dismissed.
    pub outcome: Option<String>,
    pub reasons: Option<String>,
    /// Objections: what was corrected.
    pub action: Option<String>,
    /// Objections on records, when upheld: withdraw (撤销) rather than correct.
    #[serde(default)]
    pub withdraw_record: bool,
    pub document: Option<String>,
    /// Repairs on list entries: the identifying department that consents.
    pub consenting_department: Option<String>,
}

/// Handles an objection or repair application: `accept`, `refuse` (not accepted), `decide`
/// (objections), `approve` / `reject` (repairs).
#[utoipa::path(post, path = "/api/v1/applications/{id}/{step}", tag = "lists",
    params(("id" = String, Path), ("step" = String, Path)), request_body = DecisionBody,
    responses((status = 200, description = "the subject's book and effects", body = Object),
        (status = 404, body = ErrorBody), (status = 422, description = "refused by a rule", body = ErrorBody)))]
pub async fn application_step(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiPath((id, step)): ApiPath<(String, String)>,
    OptionalJson(b): OptionalJson<DecisionBody>,
) -> Result<Response, ApiError> {
    let subject = state.store.list_case_subject(&id).await?.ok_or_else(|| {
        ApiError::NotFound(format!(
            "异议或信用修复申请 {id} 不存在 / no objection or application {id}"
        ))
    })?;
    let on = state.today();
    let actor = principal.actor();
    let cal = Calendar::china();
    let is_objection = id.starts_with("objection-");
    let store = audit::acting(&state, &principal);
    let reasons = b.reasons.clone().unwrap_or_default();
    let kind = if is_objection { "objection" } else { "repair" };
    // The acting handler's department: the rules check it against the entry's.
    let department = principal.department().unwrap_or_default();
    let action = format!("lists.{kind}.{step}");
    // Runs one rule of `chengxin-lists` on the subject's book with this request's command.
    macro_rules! run {
        ($op:path, $cmd:expr) => {{
            let cmd = $cmd;
            store
                .list_operation(&subject, &action, &actor, |bk, st, ids| {
                    $op(bk, st, ids, cal, &cmd)
                })
                .await
        }};
    }
    let out = match (is_objection, step.as_str()) {
        (true, "accept" | "refuse") => {
            run!(
                chengxin_lists::accept_objection,
                AcceptObjection {
                    on,
                    actor: actor.clone(),
                    department: department.clone(),
                    objection: id,
                    accept: step == "accept",
                    reason: reasons,
                }
            )
        }
        (true, "decide") => {
            let outcome = match b.outcome.as_deref() {
                Some("upheld") => ObjectionOutcome::Upheld,
                Some("partly_upheld") => ObjectionOutcome::PartlyUpheld,
                Some("dismissed") => ObjectionOutcome::Dismissed,
                _ => {
                    return Err(ApiError::parameter(
                        "outcome",
                        "核查结果须为 upheld（异议成立）、partly_upheld（部分成立）或 dismissed（不成立）/ \
                         one of upheld, partly_upheld, dismissed",
                    ));
                }
            };
            run!(
                chengxin_lists::decide_objection,
                DecideObjection {
                    on,
                    actor: actor.clone(),
                    department: department.clone(),
                    objection: id,
                    outcome,
                    reasons,
                    action: b.action.unwrap_or_default(),
                    withdraw_record: b.withdraw_record,
                    document: b.document,
                }
            )
        }
        (false, "accept" | "refuse") => {
            run!(
                chengxin_lists::accept_repair,
                AcceptRepair {
                    on,
                    actor: actor.clone(),
                    department: department.clone(),
                    application: id,
                    accept: step == "accept",
                    reason: reasons,
                }
            )
        }
        (false, "approve" | "reject") => {
            run!(
                chengxin_lists::decide_repair,
                DecideRepair {
                    on,
                    actor: actor.clone(),
                    department: department.clone(),
                    application: id,
                    approve: step == "approve",
                    reason: reasons,
                    // The acting handler is of the identifying department (checked by the rule): its
                    // decision is that department's consent unless another is named.
                    consenting_department: b
                        .consenting_department
                        .or_else(|| Some(department.clone())),
                    document: b.document,
                }
            )
        }
        _ => {
            let (kind_zh, steps) = if is_objection {
                (
                    "异议",
                    "accept（受理）、refuse（不予受理）、decide（核查决定）",
                )
            } else {
                (
                    "信用修复申请",
                    "accept（受理）、refuse（不予受理）、approve（准予修复）、reject（不予修复）",
                )
            };
            return Err(ApiError::NotFound(format!(
                "{kind_zh}没有“{step}”这一步骤：可用 {steps} / no step {step} for this {kind}"
            )));
        }
    };
    Ok(Json(out.map_err(list_error)?).into_response())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOf {
    /// The date asked about (default today).
    #[serde(default, deserialize_with = "crate::api::iso_date_opt")]
    pub as_of: Option<NaiveDate>,
}

/// Every list the subject was on at `as_of`, and why: standard, legal basis, document,
/// department, dates, suspension. The public sees the entries whose disclosure is public; staff
/// roles, and an enterprise account for its own subject (国办发〔2021〕52号: a subject reads its
/// own credit information, free), see all.
#[utoipa::path(get, path = "/api/v1/subjects/{code}/lists", tag = "lists",
    params(("code" = String, Path), AsOf),
    responses((status = 200, description = "list status", body = Object), (status = 404, body = ErrorBody)))]
pub async fn subject_lists(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<AsOf>,
) -> Result<Response, ApiError> {
    let as_of = q.as_of.unwrap_or_else(|| state.today());
    let staff = is_staff(&principal);
    if !staff {
        crate::api::refuse_citizen_id(&state, &code).await?;
    }
    let own = match principal.role {
        Role::Enterprise => state
            .store
            .find(&code)
            .await?
            .is_some_and(|s| reads_whole_book(&principal, &s.key)),
        _ => false,
    };
    let answer = subject_status(&state.store, &code, as_of, staff || own).await?;
    Ok(Json(answer).into_response())
}

/// The list status answer of `GET /api/v1/subjects/{code}/lists`, without HTTP (also what
/// `chengxin bench --only lists` times): every list the subject was on at `as_of` and why; the
/// public part only unless `staff`.
pub async fn subject_status(
    store: &chengxin_store::Store,
    code: &str,
    as_of: NaiveDate,
    staff: bool,
) -> Result<serde_json::Value, ApiError> {
    let (key, book, standards) = store
        .list_status_source(code)
        .await?
        .ok_or_else(|| no_subject(code))?;
    let lines = match &book {
        Some(b) => {
            // The public reads the published entries only, and of their origins only what names
            // no entry it may not see (a watch entry behind a warning entry, 1798号 (十六)).
            let lines = if staff {
                status_as_of(b, &standards, as_of)
            } else {
                public_status_as_of(b, &standards, as_of)
            };
            let mut v = serde_json::to_value(lines).map_err(|_| ApiError::Internal)?;
            if !staff {
                // The public answer's texts, masked like every public output.
                let person = person_name_of(store, &key).await?;
                for line in v.as_array_mut().into_iter().flatten() {
                    for field in ["reason", "document"] {
                        if let Some(serde_json::Value::String(t)) = line.get_mut(field) {
                            *t = public_text(t, person.as_deref());
                        }
                    }
                }
            }
            v
        }
        None => serde_json::Value::Array(Vec::new()),
    };
    Ok(serde_json::json!({
        "subject": key,
        "as_of": as_of,
        "lists": lines,
        "complete": staff,
    }))
}

/// Exits every entry whose validity has ended (also run by `chengxin lists expire`).
#[utoipa::path(post, path = "/api/v1/lists/expire", tag = "lists",
    responses((status = 200, description = "subjects swept", body = Object)))]
pub async fn expire(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<Response, ApiError> {
    let on = state.today();
    let store = audit::acting(&state, &principal);
    let n = expire_due(&store, on, &principal.actor())
        .await
        .map_err(list_error)?;
    Ok(Json(serde_json::json!({ "on": on, "subjects": n })).into_response())
}

/// Runs the expiry rule on every subject with an entry due by `on`; returns how many.
pub async fn expire_due(
    store: &chengxin_store::Store,
    on: NaiveDate,
    actor: &str,
) -> Result<usize, ListError> {
    let due = store.subjects_with_expired_entries(on).await?;
    for key in &due {
        store
            .list_operation(key, "lists.expire", actor, |bk, st, ids| {
                chengxin_lists::expire_due(bk, st, ids, Calendar::china(), &ExpireDue { on })
            })
            .await?;
    }
    Ok(due.len())
}
