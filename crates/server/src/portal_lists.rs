//! Portal pages of the lists (issue 5): the lists and announcements the public may see
//! (发改财金规〔2017〕1798号 (九)(十一)(二十)), a subject's current lists on its page, the objection
//! form (国发〔2016〕33号 (二十二)) and the page where an applicant follows an objection or a repair
//! application by its receipt number.

use crate::AppState;
use crate::auth::{self, Principal, Via};
use crate::error::ApiError;
use crate::lists_api::{self, Application, ApplicationBody};
use crate::portal::{PageError, error_page, page_number, url_encode};
use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chengxin_lists::{
    AnnouncementKind, Deadline, ListKind, ObjectionOutcome, ObjectionState, RepairState, Step,
    Target, is_public_entry, public_status_as_of,
};
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::HashMap;

const PER_PAGE: i64 = 20;
/// Double-submit token of the anonymous objection form (like the sign-in form's).
const FORM_CSRF_COOKIE: &str = "cx_form_csrf";

/// One line of a subject's list status, as the portal shows it.
pub(crate) struct ListLine {
    pub entry: String,
    pub kind: &'static str,
    pub kind_zh: &'static str,
    pub standard: String,
    pub legal_basis: String,
    pub document: String,
    pub department: String,
    pub reason: String,
    pub listed_on: NaiveDate,
    pub expires_on: String,
    pub suspended: bool,
}

/// The first day off the list, or when it ends without a date.
fn valid_until(expires_on: Option<NaiveDate>) -> String {
    expires_on.map_or_else(|| "满足移出条件时".to_string(), |d| d.to_string())
}

pub(crate) async fn department_names(
    state: &AppState,
) -> Result<HashMap<String, String>, ApiError> {
    Ok(state
        .store
        .departments()
        .await?
        .into_iter()
        .map(|d| (d.code, d.name))
        .collect())
}

/// The public part of a subject's list status today (1798号 (九): published with reason, basis
/// document, identifying department, dates and validity, unless the disclosure scope says not).
pub(crate) async fn public_lines(state: &AppState, key: &str) -> Result<Vec<ListLine>, ApiError> {
    let Some((_, Some(book), standards)) = state.store.list_status_source(key).await? else {
        return Ok(Vec::new());
    };
    let names = department_names(state).await?;
    let person = lists_api::person_name_of(&state.store, key).await?;
    let shown = |t: &str| lists_api::public_text(t, person.as_deref());
    Ok(public_status_as_of(&book, &standards, state.today())
        .into_iter()
        .map(|l| ListLine {
            entry: l.entry.to_string(),
            kind: l.kind.as_str(),
            kind_zh: l.kind_zh,
            standard: l.standard_title.unwrap_or(l.standard_code).to_string(),
            legal_basis: l.legal_basis.join("；"),
            document: shown(l.document),
            department: names
                .get(l.department)
                .cloned()
                .unwrap_or_else(|| l.department.to_string()),
            reason: shown(l.reason),
            listed_on: l.listed_on,
            expires_on: valid_until(l.expires_on),
            suspended: l.suspended,
        })
        .collect())
}

/// A row of the public lists page.
pub(crate) struct ListedRow {
    subject_name: String,
    subject_link: String,
    kind_zh: &'static str,
    domain: String,
    standard: String,
    department: String,
    listed_on: NaiveDate,
    expires_on: String,
    under_verification: bool,
}

/// A row of the announcements.
pub(crate) struct AnnouncementRow {
    on: NaiveDate,
    heading: &'static str,
    subject_link: String,
    text: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "lists.html")]
pub(crate) struct ListsPage {
    kind: String,
    tabs: Vec<(&'static str, &'static str)>,
    rows: Vec<ListedRow>,
    page: i64,
    has_next: bool,
    announcements: Vec<AnnouncementRow>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct ListsForm {
    kind: Option<String>,
    page: Option<String>,
}

/// `/lists`: the entries on public lists today, by kind, and the latest publicity, listing,
/// exit and correction announcements (1798号 (八)(十一)(二十)).
pub(crate) async fn lists(
    State(state): State<AppState>,
    Query(f): Query<ListsForm>,
) -> Result<ListsPage, PageError> {
    let kind = f.kind.as_deref().map(str::trim).unwrap_or("").to_string();
    let page = page_number(f.page.as_deref());
    let mut view = ListsPage {
        kind: kind.clone(),
        tabs: ListKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label_zh()))
            .collect(),
        rows: Vec::new(),
        page,
        has_next: false,
        announcements: Vec::new(),
        error: None,
    };
    if !kind.is_empty() && kind.parse::<ListKind>().is_err() {
        let kind = chengxin_codes::mask::redact(&kind);
        view.error = Some(format!(
            "没有“{kind}”这种名单：可选 red（红名单）、serious（严重失信主体名单）、watch（重点关注名单）、warning（大数据警示名单）。"
        ));
        return Ok(view);
    }
    let standards = state.store.list_standards().await?;
    let names = department_names(&state).await?;
    let mut entries = state
        .store
        .public_list_entries(
            (!kind.is_empty()).then_some(kind.as_str()),
            state.today(),
            PER_PAGE + 1,
            (page - 1) * PER_PAGE,
        )
        .await?;
    view.has_next = entries.len() as i64 > PER_PAGE;
    entries.truncate(PER_PAGE as usize);
    view.rows = entries
        .into_iter()
        .map(|e| {
            let person = e.subject_shown_as_person;
            ListedRow {
                // 国办发〔2020〕49号 (十四): a natural person is shown as the registry shows them.
                subject_name: chengxin_codes::mask::public_name(&e.subject_name, person),
                subject_link: format!("/subjects/{}#lists", url_encode(&e.subject_key)),
                kind_zh: e
                    .kind
                    .parse::<ListKind>()
                    .map_or("名单", ListKind::label_zh),
                standard: standards
                    .latest(&e.standard_code)
                    .map_or_else(|| e.standard_code.clone(), |s| s.title.clone()),
                department: names.get(&e.department).cloned().unwrap_or(e.department),
                domain: e.domain,
                listed_on: e.listed_on,
                expires_on: valid_until(e.expires_on),
                under_verification: e.under_verification,
            }
        })
        .collect();
    view.announcements = state
        .store
        .list_announcements(PER_PAGE)
        .await?
        .into_iter()
        .map(|a| {
            let person = a.subject_shown_as_person.then_some(a.subject_name.as_str());
            AnnouncementRow {
                on: a.on_date,
                heading: AnnouncementKind::parse(&a.kind)
                    .map_or("公告", AnnouncementKind::label_zh),
                subject_link: format!("/subjects/{}", url_encode(&a.subject_key)),
                text: lists_api::public_text(&a.text, person),
            }
        })
        .collect();
    Ok(view)
}

#[derive(Template, WebTemplate)]
#[template(path = "objection.html")]
pub(crate) struct ObjectionPage {
    csrf: String,
    subject: String,
    subject_name: String,
    entry: String,
    record: String,
    target_label: String,
    applicant: String,
    grounds: String,
    evidence: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub(crate) struct ObjectionQuery {
    subject: Option<String>,
    entry: Option<String>,
    record: Option<String>,
}

/// What the form objects to, in words, or why it cannot be filed.
async fn describe_target(
    state: &AppState,
    principal: &Principal,
    subject: &str,
    entry: &str,
    record: &str,
) -> Result<(String, String, String), ApiError> {
    let s = if subject.is_empty() && !record.is_empty() {
        // A decision on show about a natural person links here by the record alone (its row
        // on the 双公示 columns names the person masked, with no subject page to start from):
        // the record says whose it is, and `record_open_to` below that it is on show.
        let id: i64 = record.parse().map_err(|_| {
            ApiError::parameter("record", "信用记录编号是数字 / a record id is a number")
        })?;
        let missing = || ApiError::NotFound(format!("没有正在公示的信用记录 {id}。"));
        let r = state.store.record_by_id(id).await?.ok_or_else(missing)?;
        state
            .store
            .subject_by_id(r.subject_id)
            .await?
            .ok_or_else(missing)?
    } else {
        if !lists_api::is_staff(principal) {
            crate::api::refuse_citizen_id(state, subject).await?;
        }
        state
            .store
            .find(subject)
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("没有代码为 {subject} 的主体。")))?
    };
    let name = chengxin_codes::mask::public_name(&s.data().name, s.data().shown_as_person());
    // A list entry's id is random (not enumerable) and is what the prior notice (事前告知) hands
    // the subject so it can 陈述、申辩或提出异议 before any listing is public (国办发〔2020〕49号
    // (八)); whoever holds it may object, as a natural person without an account must be able to.
    // A record's id is a sequence number, so a record is open only to those who may see it.
    let label = if !entry.is_empty() {
        let book = state.store.list_book(s.id).await?;
        let standards = state.store.list_standards().await?;
        // An entry the reader may not see (not published: a watch entry, 1798号 (十六)) is
        // answered as if it did not exist, unless the reader is staff or the subject itself.
        let reads_all = lists_api::reads_whole_book(principal, &s.key);
        let e = book
            .as_ref()
            .filter(|b| reads_all || is_public_entry(b, &standards, entry))
            .and_then(|b| b.entry(entry))
            .ok_or_else(|| ApiError::NotFound(format!("该主体没有名单记录 {entry}。")))?;
        let title = standards
            .get(&e.standard_code, e.standard_version)
            .map_or(e.standard_code.as_str(), |st| st.title.as_str());
        format!(
            "{}（{}，认定文书 {}）",
            e.kind.label_zh(),
            title,
            chengxin_codes::mask::redact(&e.document)
        )
    } else if !record.is_empty() {
        let id: i64 = record.parse().map_err(|_| {
            ApiError::parameter("record", "信用记录编号是数字 / a record id is a number")
        })?;
        let r = crate::collect_api::record_open_to(state, principal, s.id, &s.key, id)
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("该主体没有正在公示的信用记录 {id}。")))?;
        format!(
            "信用记录（决定文书号 {}，决定日期 {}）",
            chengxin_codes::mask::redact(&r.doc_no),
            r.decision_date
        )
    } else {
        return Err(ApiError::parameter(
            "entry",
            "请从主体页面的名单或公示记录旁的“提出异议”进入。",
        ));
    };
    Ok((s.key, name, label))
}

/// The form's CSRF token: the session's for a signed-in person, otherwise a fresh double-submit
/// token set as a cookie scoped to `/objections`.
fn form_csrf(principal: &Principal) -> (String, Option<HeaderValue>) {
    match &principal.via {
        Via::Session { csrf, .. } => (csrf.clone(), None),
        _ => {
            let token = chengxin_access::page_token(uuid::Uuid::new_v4().as_bytes());
            let cookie = format!(
                "{FORM_CSRF_COOKIE}={token}; Path=/objections; HttpOnly; Secure; SameSite=Strict; Max-Age=3600"
            );
            (token, HeaderValue::from_str(&cookie).ok())
        }
    }
}

fn with_cookie(mut res: Response, cookie: Option<HeaderValue>) -> Response {
    if let Some(c) = cookie {
        res.headers_mut().insert(header::SET_COOKIE, c);
    }
    res
}

/// `GET /objections/new?subject=…&entry=…` (or `&record=…`): the objection form.
pub(crate) async fn objection_form(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Query(q): Query<ObjectionQuery>,
) -> Result<Response, PageError> {
    let clean = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or("").to_string();
    let (subject, entry, record) = (clean(&q.subject), clean(&q.entry), clean(&q.record));
    let (_, subject_name, target_label) =
        describe_target(&state, &principal, &subject, &entry, &record).await?;
    let (csrf, cookie) = form_csrf(&principal);
    let page = ObjectionPage {
        csrf,
        subject,
        subject_name,
        entry,
        record,
        target_label,
        applicant: String::new(),
        grounds: String::new(),
        evidence: String::new(),
        error: None,
    };
    Ok(with_cookie(page.into_response(), cookie))
}

#[derive(Deserialize)]
pub(crate) struct ObjectionFormBody {
    csrf: String,
    subject: String,
    #[serde(default)]
    entry: String,
    #[serde(default)]
    record: String,
    #[serde(default)]
    applicant: String,
    #[serde(default)]
    grounds: String,
    /// One piece of evidence per line (a document number, a link, a description).
    #[serde(default)]
    evidence: String,
}

/// `POST /objections`: files the objection and sends the applicant to its receipt page.
pub(crate) async fn objection_submit(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    headers: HeaderMap,
    crate::portal::PageForm(f): crate::portal::PageForm<ObjectionFormBody>,
) -> Response {
    let expected = match &principal.via {
        Via::Session { csrf, .. } => Some(csrf.clone()),
        _ => auth::cookie(&headers, FORM_CSRF_COOKIE),
    };
    if f.csrf.is_empty() || expected.as_deref() != Some(f.csrf.as_str()) {
        return error_page(
            StatusCode::FORBIDDEN,
            "请求被拒绝",
            "表单已过期或来源不明（CSRF 校验失败），请从主体页面重新打开异议表单。",
        );
    }
    let (subject_key, subject_name, target_label) =
        match describe_target(&state, &principal, &f.subject, &f.entry, &f.record).await {
            Ok(d) => d,
            Err(e) => return PageError::from(e).into_response(),
        };
    let body = ApplicationBody {
        // The form names the subject, or (a person's decision on show) only the record.
        subject: if f.subject.is_empty() {
            subject_key
        } else {
            f.subject.clone()
        },
        entry: (!f.entry.is_empty()).then(|| f.entry.clone()),
        record: f.record.parse().ok(),
        applicant: f.applicant.clone(),
        grounds: Some(f.grounds.clone()),
        method: None,
        evidence: f
            .evidence
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
    };
    match lists_api::file_objection(&state, &principal, &body).await {
        Ok(o) => Redirect::to(&format!("/applications/{}", url_encode(&o.id))).into_response(),
        Err(e @ (ApiError::Refused { .. } | ApiError::InvalidParameter { .. })) => {
            let status = e.status();
            let page = ObjectionPage {
                csrf: f.csrf,
                subject: f.subject,
                subject_name,
                entry: f.entry,
                record: f.record,
                target_label,
                applicant: f.applicant,
                grounds: f.grounds,
                evidence: f.evidence,
                error: Some(e.to_string()),
            };
            (status, page).into_response()
        }
        Err(e) => PageError::from(e).into_response(),
    }
}

/// A step of an application, for the page.
pub(crate) struct StepRow {
    on: NaiveDate,
    action: &'static str,
    reason: String,
    document: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "application.html")]
pub(crate) struct ApplicationPage {
    id: String,
    title: &'static str,
    subject_key: String,
    target: String,
    applicant: String,
    submitted_on: NaiveDate,
    state: String,
    open: bool,
    accept_by: String,
    decide_by: String,
    detail: Vec<(&'static str, String)>,
    steps: Vec<StepRow>,
}

fn deadline_zh(d: &Deadline) -> String {
    match d {
        Deadline::Date(d) => format!("{d} 前（含当日）"),
        Deadline::Pending {
            from, working_days, ..
        } => format!("自 {from} 起 {working_days} 个工作日（该年度节假日安排公布后确定具体日期）"),
        Deadline::NotStarted { working_days, .. } => {
            format!("{working_days} 个工作日（尚未起算）")
        }
    }
}

fn step_label(action: &str) -> &'static str {
    match action {
        "submit" => "提交申请",
        "accept" => "受理",
        "not_accept" => "不予受理",
        "decide" => "作出核查决定",
        "approve" => "准予修复",
        "refuse" => "不予修复",
        "close" => "办结",
        _ => "办理",
    }
}

fn steps(history: &[Step]) -> Vec<StepRow> {
    history
        .iter()
        .map(|s| StepRow {
            on: s.on,
            action: step_label(&s.action),
            // The page is Chinese: the Chinese part of a bilingual reason.
            reason: chengxin_catalog::message_zh(&s.reason).to_owned(),
            document: s.document.clone().unwrap_or_default(),
        })
        .collect()
}

fn target_zh(t: &Target) -> String {
    match t {
        Target::Entry(e) => format!("名单记录 {e}"),
        Target::Record(r) => format!("信用记录 {r}"),
    }
}

/// `/applications/{id}`: an objection or repair application as its applicant follows it: state,
/// every deadline and every step. Identifiers typed into it are masked.
pub(crate) async fn application(
    State(state): State<AppState>,
    crate::portal::PagePath(id): crate::portal::PagePath<String>,
) -> Result<ApplicationPage, PageError> {
    let (subject_key, found) = lists_api::find_application(&state, &id).await?;
    Ok(match found {
        Application::Objection(o) => {
            let o = lists_api::redacted_objection(o);
            let open = o.state.is_open();
            let state = match &o.state {
                ObjectionState::Submitted => {
                    "已提交，待受理（核查期间相关信息标注“核查中”，相关措施暂停）".to_string()
                }
                ObjectionState::Accepted => {
                    "已受理，核查中（相关信息标注“核查中”，相关措施暂停）".to_string()
                }
                ObjectionState::NotAccepted { reason } => {
                    format!("不予受理：{}", chengxin_catalog::message_zh(reason))
                }
                ObjectionState::Decided {
                    outcome, reasons, ..
                } => format!(
                    "{}：{reasons}",
                    match outcome {
                        ObjectionOutcome::Upheld => "异议成立",
                        ObjectionOutcome::PartlyUpheld => "异议部分成立",
                        ObjectionOutcome::Dismissed => "异议不成立",
                    }
                ),
                ObjectionState::Closed { reason } => {
                    format!("已办结：{}", chengxin_catalog::message_zh(reason))
                }
            };
            ApplicationPage {
                title: "异议申请",
                id: o.id.clone(),
                subject_key,
                target: target_zh(&o.target),
                applicant: o.applicant.clone(),
                submitted_on: o.submitted_on,
                state,
                open,
                accept_by: deadline_zh(&o.accept_by),
                decide_by: deadline_zh(&o.decide_by),
                detail: vec![
                    ("异议理由", o.grounds.clone()),
                    ("证明材料", o.evidence.join("；")),
                ],
                steps: steps(&o.history),
            }
        }
        Application::Repair(r) => {
            let r = lists_api::redacted_repair(r);
            let open = r.state.is_open();
            ApplicationPage {
                title: "信用修复申请",
                id: r.id.clone(),
                subject_key,
                target: target_zh(&r.target),
                applicant: r.applicant.clone(),
                submitted_on: r.submitted_on,
                state: repair_state_zh(&r.state),
                open,
                accept_by: deadline_zh(&r.accept_by),
                decide_by: deadline_zh(&r.decide_by),
                detail: vec![
                    ("修复方式", r.method.label_zh().to_string()),
                    ("证明材料", r.evidence.join("；")),
                ],
                steps: steps(&r.history),
            }
        }
    })
}

fn repair_state_zh(s: &RepairState) -> String {
    match s {
        RepairState::Submitted => "已提交，待受理".into(),
        RepairState::Accepted => "已受理，审核中".into(),
        RepairState::NotAccepted { reason } => {
            format!("不予受理：{}", chengxin_catalog::message_zh(reason))
        }
        RepairState::Approved => {
            "准予修复：停止公示、停止共享并解除相关措施（国家发展改革委令第36号）".into()
        }
        RepairState::Refused { reason } => format!("不予修复：{reason}"),
        RepairState::Closed { reason } => {
            format!("已办结：{}", chengxin_catalog::message_zh(reason))
        }
    }
}
