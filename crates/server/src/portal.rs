//! The portal (信用门户): server-rendered Chinese pages, no client scripts.

use crate::AppState;
use crate::accounts_api;
use crate::api::{self, SubjectSummary};
use crate::audit;
use crate::auth::{self, Principal, Via};
use crate::error::ApiError;
use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chengxin_codes as codes;
use chengxin_registry::{PublicSubject, SubjectKind};
use chengxin_store::SearchQuery;
use chrono::NaiveDate;
use serde::Deserialize;

const PER_PAGE: i64 = 20;

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub(crate) struct HomePage {
    total: String,
    counts: Vec<(String, String)>,
    examples: Vec<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "search.html")]
pub(crate) struct SearchPage {
    q: String,
    q_url: String,
    error: Option<String>,
    items: Vec<SubjectSummary>,
    total: i64,
    page: i64,
    pages: i64,
    first_rank: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "subject.html")]
pub(crate) struct SubjectPage {
    s: PublicSubject,
    as_of: Option<NaiveDate>,
    versions: Vec<(i64, NaiveDate, String)>,
    /// Decisions on public show today, per catalog item, a page of each.
    publicity: Vec<SubjectSection>,
    /// The lists the subject is on today, as far as they are public.
    lists: Vec<crate::portal_lists::ListLine>,
    /// Some line is under verification (the page explains what that means).
    lists_suspended: bool,
    /// Every record version with its standing today: only for staff and for the subject's own
    /// enterprise account (`records_api::may_read_history`); `None` on the public page.
    history: Option<Vec<HistoryRow>>,
}

/// One line of a subject page's 全部记录 section (masked like the public columns).
pub(crate) struct HistoryRow {
    showing: String,
    showing_zh: String,
    item_name: String,
    doc_no: String,
    version: i64,
    department: String,
    decision_date: NaiveDate,
    /// 公示期 as stored: `from 至 until`, `from 起`, or 不公示.
    window: String,
    under_verification: bool,
}

fn history_row(r: crate::records_api::RecordVersion) -> HistoryRow {
    HistoryRow {
        window: match (r.publish_from, r.publish_until) {
            (Some(a), Some(b)) => format!("{a} 至 {b}"),
            (Some(a), None) => format!("{a} 起"),
            (None, _) => "不公示".into(),
        },
        showing: r.showing,
        showing_zh: r.showing_zh,
        item_name: r.item_name,
        doc_no: r.doc_no,
        version: r.version,
        department: r.department_name.unwrap_or(r.department),
        decision_date: r.decision_date,
        under_verification: r.under_verification,
    }
}

/// A subject page's section of one item's decisions on public show: one page of them, newest
/// first (a subject with thousands of licences gets a page, not a 3 MB document).
pub(crate) struct SubjectSection {
    code: String,
    name: String,
    rows: Vec<PublicityRow>,
    total: usize,
    page: usize,
    pages: usize,
}

/// Rows per section of a subject page.
const SECTION_ROWS: usize = 20;

/// One row of a publicity column or a subject-page section (already masked).
pub(crate) struct PublicityRow {
    id: i64,
    under_verification: bool,
    doc_no: String,
    subject_name: String,
    subject_code: String,
    subject_link: Option<String>,
    /// For a party shown masked (a natural person), who has no subject page to object from:
    /// the objection form for this decision.
    objection_link: Option<String>,
    decision_date: NaiveDate,
    kind: String,
    content: String,
    authority: String,
    /// 有效期 (from, to) as the decision gives it.
    validity: String,
    /// On a subject page: the name the decision gives its subject, when it is not the subject's
    /// name (brackets and letters compared half-width).
    issued_to: Option<String>,
    severity: String,
    publish_until: String,
}

fn publicity_row(r: &crate::collect_api::PublicRecord) -> PublicityRow {
    let masked_code = r.subject_code.contains('*');
    PublicityRow {
        id: r.id,
        under_verification: r.under_verification,
        doc_no: r.doc_no.clone(),
        subject_name: r.subject_name.clone(),
        subject_code: r.subject_code.clone(),
        subject_link: (!masked_code).then(|| format!("/subjects/{}", url_encode(&r.subject_code))),
        objection_link: masked_code.then(|| format!("/objections/new?record={}", r.id)),
        decision_date: r.decision_date,
        validity: match (&r.valid_from, &r.valid_to) {
            (Some(a), Some(b)) => format!("{a} 至 {b}"),
            (None, Some(b)) => format!("至 {b}"),
            (Some(a), None) => format!("{a} 起"),
            (None, None) => "—".into(),
        },
        issued_to: None,
        kind: r.category.clone(),
        content: r.content.clone(),
        authority: r.authority.clone(),
        severity: r
            .severity
            .as_deref()
            .map(|s| {
                s.parse::<chengxin_catalog::Severity>()
                    .map_or_else(|_| s.to_string(), |v| v.label_zh().to_string())
            })
            .unwrap_or_default(),
        publish_until: r
            .publish_until
            .map(|d| d.to_string())
            .unwrap_or_else(|| "—".into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "publicity.html")]
pub(crate) struct PublicityPage {
    item: String,
    title: String,
    penalty: bool,
    q: String,
    department: String,
    /// Registered departments (code, name) for the 决定机关 choice, by name.
    departments: Vec<(String, String)>,
    from: String,
    to: String,
    query_url: String,
    rows: Vec<PublicityRow>,
    total: i64,
    page: i64,
    pages: i64,
    error: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct PublicityForm {
    q: Option<String>,
    department: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<String>,
}

/// 双公示 columns: licensing (`/publicity/license`) and penalty (`/publicity/penalty`) decisions
/// on show today, searchable by name, code, department and date.
/// A 双公示 column. A form that cannot be searched is shown again with what was wrong beside it,
/// answered 400 as the API answers it (found by QA: 200).
pub(crate) async fn publicity(
    state: State<AppState>,
    item: PagePath<String>,
    f: Query<PublicityForm>,
) -> Result<Response, PageError> {
    let view = publicity_view(state, item, f).await?;
    Ok(form_answer(view.error.is_some(), view))
}

/// `page` with 400 when its form was refused (`refused`), 200 otherwise.
fn form_answer(refused: bool, page: impl IntoResponse) -> Response {
    let status = if refused {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    (status, page).into_response()
}

async fn publicity_view(
    State(state): State<AppState>,
    PagePath(item): PagePath<String>,
    Query(f): Query<PublicityForm>,
) -> Result<PublicityPage, PageError> {
    let clean = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or("").to_string();
    let (q, department, from_s, to_s) = (
        clean(&f.q),
        codes::normalize(&clean(&f.department)).into_owned(),
        clean(&f.from),
        clean(&f.to),
    );
    // Visitors choose a department by name; the code is what the filter uses.
    let mut departments: Vec<(String, String)> = state
        .store
        .departments()
        .await?
        .into_iter()
        .map(|d| (d.code, d.name))
        .collect();
    departments.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    let page = page_number(f.page.as_deref());
    let title = match item.as_str() {
        "license" => "行政许可公示",
        "penalty" => "行政处罚公示",
        _ => "信用信息公示",
    };
    let shown_q = if codes::mask::find_unmasked(&q).is_some() {
        codes::mask::citizen_id(&q)
    } else {
        q.clone()
    };
    // What was typed is kept in the form and the paging links, masked like every public output
    // (a date or a department is left as it is: it holds nothing to mask).
    let (shown_department, shown_from, shown_to) = (
        codes::mask::redact(&department),
        codes::mask::redact(&from_s),
        codes::mask::redact(&to_s),
    );
    let mut view = PublicityPage {
        item: item.clone(),
        title: title.to_string(),
        penalty: item == "penalty",
        q: shown_q,
        query_url: format!(
            "q={}&amp;department={}&amp;from={}&amp;to={}",
            url_encode(&codes::mask::redact(&q)),
            url_encode(&shown_department),
            url_encode(&shown_from),
            url_encode(&shown_to)
        ),
        department: shown_department,
        departments,
        from: shown_from,
        to: shown_to,
        rows: Vec::new(),
        total: 0,
        page,
        pages: 1,
        error: None,
    };
    // The form's own mistakes are said on the form, in Chinese, with the form kept.
    let (from, to) = match (form_date("起始日期", &from_s), form_date("截止日期", &to_s)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            view.error = Some(e);
            return Ok(view);
        }
    };
    if let (Some(a), Some(b)) = (from, to)
        && a > b
    {
        view.error = Some("起始日期晚于截止日期。".into());
        return Ok(view);
    }
    if crate::collect_api::department_param(&department).is_err() {
        view.error = Some("报送部门代码有误：请从列表中选择部门。".into());
        return Ok(view);
    }
    // A citizen ID typed in the box is not searched publicly.
    if codes::mask::find_unmasked(&q).is_some() {
        view.error = Some("不提供按身份证件号码或电话号码的公开查询。".into());
        return Ok(view);
    }
    let params = crate::collect_api::PublicityParams {
        q: (!q.is_empty()).then(|| q.clone()),
        department: (!department.is_empty()).then(|| department.clone()),
        from,
        to,
        page: Some(page),
        per_page: Some(PER_PAGE),
    };
    let (records, total, _, per_page) =
        crate::collect_api::publicity_page(&state, &item, &params).await?;
    view.total = total;
    view.pages = ((total + per_page - 1) / per_page).max(1);
    view.rows = records.iter().map(publicity_row).collect();
    Ok(view)
}

/// A date typed into a portal form (empty: none); a bad one is said in Chinese, naming the
/// field, for the page to show beside its form.
fn form_date(label: &str, s: &str) -> Result<Option<NaiveDate>, String> {
    if s.is_empty() {
        Ok(None)
    } else {
        api::parse_date("date", s).map(Some).map_err(|_| {
            // What was typed is said back masked, like every public output.
            let typed = chengxin_codes::mask::redact(s);
            format!("{label}“{typed}”不是有效日期，请按 YYYY-MM-DD 填写。")
        })
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "quality.html")]
pub(crate) struct QualityPage {
    from: String,
    to: String,
    rows: Vec<QualityRow>,
    chart: String,
    /// A mistake in the form, said beside it (the form keeps what was typed).
    error: Option<String>,
    /// Registered departments that sent nothing in the period (operators' view).
    silent: Vec<String>,
    /// 覆盖率: departments that sent something / registered departments.
    coverage: Option<String>,
    /// The department filter's choices: (code, name, chosen); empty string = all.
    departments: Vec<(String, String, bool)>,
}

pub(crate) struct QualityRow {
    department: String,
    item: String,
    batches: i64,
    received: i64,
    accepted: i64,
    unchanged: i64,
    rejected: i64,
    acceptance: String,
    on_time: String,
    completeness: String,
    wrong_code: String,
    rules: String,
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |v| format!("{:.1}%", v * 100.0))
}

#[derive(Deserialize)]
pub(crate) struct QualityForm {
    from: Option<String>,
    to: Option<String>,
    department: Option<String>,
}

/// Data quality per department and item, with a bar chart of the rates (inline SVG, no script).
pub(crate) async fn quality(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Query(f): Query<QualityForm>,
) -> Result<Response, PageError> {
    let typed = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or("").to_string();
    let (from_s, to_s, dept_s) = (typed(&f.from), typed(&f.to), typed(&f.department));
    // The filter's choices: every registered department, by name.
    let registered = state.store.departments().await?;
    let choices: Vec<(String, String, bool)> = registered
        .iter()
        .map(|d| {
            let chosen = chengxin_codes::normalize(&dept_s) == d.code;
            (d.code.clone(), d.name.clone(), chosen)
        })
        .collect();
    // The form with what was wrong beside it, answered with the status the API gives the same
    // question (400 for what was typed, 403 for another department's figures).
    let refused_as = |status: StatusCode, error: String| {
        let page = QualityPage {
            from: from_s.clone(),
            to: to_s.clone(),
            rows: Vec::new(),
            chart: String::new(),
            error: Some(error),
            silent: Vec::new(),
            coverage: None,
            departments: choices.clone(),
        };
        (status, page).into_response()
    };
    let refused = |error: String| refused_as(StatusCode::BAD_REQUEST, error);
    let (from, to) = match (form_date("起始日期", &from_s), form_date("截止日期", &to_s)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return Ok(refused(e)),
    };
    // The same defaults as the API: up to today, over a year.
    let end = to.unwrap_or_else(|| state.today());
    if let Some(start) = from
        && start > end
    {
        return Ok(refused(if to.is_some() {
            "起始日期晚于截止日期。".to_string()
        } else {
            format!("起始日期晚于截止日期（未填写时为今天 {end}）。")
        }));
    }
    let department = (!dept_s.is_empty()).then(|| dept_s.clone());
    let report =
        match crate::collect_api::quality_figures(&state, &principal, department, from, to).await {
            Ok(r) => r,
            // Another department's figures: refused beside the form, and recorded like the API's
            // refusal (found by QA: the page's refusal was not in the audit log).
            Err(e @ ApiError::Forbidden(_)) => {
                crate::audit::refusal(
                    &state,
                    &principal,
                    "GET /quality",
                    &format!("{}: {e}", e.code()),
                )
                .await;
                return Ok(refused_as(StatusCode::FORBIDDEN, public_message(&e)));
            }
            // A department that is no code or is not registered: said beside the form.
            Err(
                e @ (ApiError::InvalidParameter { .. }
                | ApiError::InvalidCode(_)
                | ApiError::NotFound(_)),
            ) => return Ok(refused_as(e.status(), public_message(&e))),
            Err(e) => return Err(e.into()),
        };
    let (from, to, figures) = (report.from, report.to, &report.figures);
    // People read names: the department's registered name and the catalog item's name, each
    // with its code.
    let departments: std::collections::HashMap<String, String> =
        registered.into_iter().map(|d| (d.code, d.name)).collect();
    let (catalog, _) = chengxin_collect::ingest::active_catalog(&state.store)
        .await
        .map_err(|e| PageError(crate::collect_api::internal(&e)))?;
    // Each figure's department and item by name (their codes where there is none).
    let names: Vec<(&str, &str)> = figures
        .iter()
        .map(|q| {
            (
                departments
                    .get(&q.counts.department)
                    .map_or(q.counts.department.as_str(), String::as_str),
                catalog
                    .item(&q.counts.item)
                    .map_or(q.counts.item.as_str(), |i| i.name.as_str()),
            )
        })
        .collect();
    // The chart's captions: names only, to fit; the table: names with their codes.
    let labels: Vec<String> = names.iter().map(|(d, i)| format!("{d} · {i}")).collect();
    let with_code = |name: &str, code: &str| {
        if name == code {
            code.to_string()
        } else {
            format!("{name}（{code}）")
        }
    };
    let rows: Vec<QualityRow> = figures
        .iter()
        .zip(&names)
        .map(|(q, (d, i))| QualityRow {
            department: with_code(d, &q.counts.department),
            item: with_code(i, &q.counts.item),
            batches: q.counts.batches,
            received: q.counts.received,
            accepted: q.counts.accepted,
            unchanged: q.counts.unchanged,
            rejected: q.counts.rejected,
            acceptance: pct(q.acceptance_rate),
            on_time: pct(q.on_time_rate),
            completeness: pct(q.completeness),
            wrong_code: pct(q.wrong_code_rate),
            rules: q
                .counts
                .rejected_by_rule
                .iter()
                .map(|(r, n)| match chengxin_catalog::rule_label_zh(r) {
                    Some(label) => format!("{label}（{r}）{n}"),
                    None => format!("{r} {n}"),
                })
                .collect::<Vec<_>>()
                .join("，"),
        })
        .collect();
    let silent: Vec<String> = report
        .silent
        .iter()
        .map(|c| departments.get(c).map_or(c.clone(), |n| with_code(n, c)))
        .collect();
    Ok(QualityPage {
        from: from.to_string(),
        to: to.to_string(),
        chart: quality_chart(figures, &labels),
        rows,
        error: None,
        silent,
        coverage: report.coverage.map(|c| pct(Some(c))),
        departments: choices,
    }
    .into_response())
}

/// Grouped horizontal bars (入库率, 及时率, 完整率) per department and item, as inline SVG.
fn quality_chart(
    figures: &[chengxin_collect::ingest::QualityFigures],
    labels: &[String],
) -> String {
    const BAR: f64 = 14.0;
    const LABEL: f64 = 260.0;
    const WIDTH: f64 = 400.0;
    let series = [
        ("入库率", "#2f6f4f"),
        ("及时率", "#c8102e"),
        ("完整率", "#d4a017"),
    ];
    let group = BAR * 3.0 + 16.0;
    let height = 30.0 + group * figures.len() as f64;
    let mut svg = format!(
        "<svg class=\"chart\" role=\"img\" aria-label=\"数据质量图\" viewBox=\"0 0 {} {height}\" width=\"100%\" xmlns=\"http://www.w3.org/2000/svg\">",
        LABEL + WIDTH + 70.0
    );
    for (i, (name, colour)) in series.iter().enumerate() {
        let x = LABEL + i as f64 * 90.0;
        svg.push_str(&format!(
            "<rect x=\"{x}\" y=\"4\" width=\"12\" height=\"12\" fill=\"{colour}\"/><text x=\"{}\" y=\"15\" font-size=\"12\">{name}</text>",
            x + 16.0
        ));
    }
    for (g, q) in figures.iter().enumerate() {
        let y0 = 30.0 + g as f64 * group;
        let label = labels
            .get(g)
            .cloned()
            .unwrap_or_else(|| format!("{} · {}", q.counts.department, q.counts.item));
        svg.push_str(&format!(
            "<text x=\"0\" y=\"{}\" font-size=\"12\">{}</text>",
            y0 + BAR * 1.8,
            askama::filters::escape(&label, askama::filters::Html)
                .map_or_else(|_| String::new(), |e| e.to_string())
        ));
        let values = [q.acceptance_rate, q.on_time_rate, q.completeness];
        for (i, v) in values.iter().enumerate() {
            let y = y0 + i as f64 * BAR;
            let w = v.unwrap_or(0.0).clamp(0.0, 1.0) * WIDTH;
            svg.push_str(&format!(
                "<rect x=\"{LABEL}\" y=\"{y}\" width=\"{w:.1}\" height=\"{}\" fill=\"{}\"><title>{} {}</title></rect><text x=\"{:.1}\" y=\"{}\" font-size=\"11\">{}</text>",
                BAR - 2.0,
                series[i].1,
                series[i].0,
                pct(*v),
                LABEL + w + 4.0,
                y + BAR - 4.0,
                pct(*v)
            ));
        }
    }
    svg.push_str("</svg>");
    svg
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    title: String,
    message: String,
}

/// A portal page's path parameter; one that cannot be read (bytes that are not UTF-8) is a
/// Chinese error page, not axum's English plain text.
pub(crate) struct PagePath<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for PagePath<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| PagePath(v))
            .map_err(|_| {
                error_page(
                    StatusCode::BAD_REQUEST,
                    "地址有误",
                    "这个网址无法识别：请从首页或搜索结果重新进入。",
                )
            })
    }
}

/// A portal form's body; one that cannot be read (a field missing, a value of the wrong kind)
/// is a Chinese error page, not axum's English plain text.
pub(crate) struct PageForm<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for PageForm<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let bad = || {
            error_page(
                StatusCode::BAD_REQUEST,
                "表单有误",
                "提交的表单不完整或已损坏：请返回上一页重新填写。",
            )
        };
        let form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
        if !form {
            return Err(bad());
        }
        let bytes = <axum::body::Bytes as axum::extract::FromRequest<S>>::from_request(req, state)
            .await
            .map_err(|_| bad())?;
        if api::has_encoded_nul(&bytes) {
            return Err(error_page(
                StatusCode::BAD_REQUEST,
                "表单有误",
                "提交的内容含有空字符（NUL），请删除后重新填写。",
            ));
        }
        serde_urlencoded::from_bytes::<T>(&bytes)
            .map(PageForm)
            .map_err(|_| bad())
    }
}

/// An error shown as a page, with the API error's status.
pub(crate) struct PageError(ApiError);

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        PageError(e)
    }
}

impl From<chengxin_store::StoreError> for PageError {
    fn from(e: chengxin_store::StoreError) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let title = match self.0.status() {
            StatusCode::NOT_FOUND => "未找到",
            StatusCode::BAD_REQUEST => "查询条件有误",
            StatusCode::FORBIDDEN => "不提供公开查询",
            _ => "服务暂时不可用",
        };
        let res = error_page(self.0.status(), title, &public_message(&self.0));
        self.0.marked_for_audit(res)
    }
}

/// What a portal visitor reads for an error: Chinese, saying what to do. The API's messages are
/// English for developers; a message written in Chinese (the list procedures') is kept as is.
fn public_message(e: &ApiError) -> String {
    // A message written in Chinese is shown as written: its Chinese part, without the name of
    // the parameter in front (an English message that only quotes a Chinese word is not one).
    let text = match e {
        ApiError::InvalidParameter { message, .. } => message.clone(),
        other => other.to_string(),
    };
    if text.chars().next().is_some_and(|c| {
        ('\u{4e00}'..='\u{9fff}').contains(&c)
            || ('\u{3000}'..='\u{303f}').contains(&c)
            || ('\u{ff00}'..='\u{ffef}').contains(&c)
    }) {
        return chengxin_catalog::message_zh(&text).to_owned();
    }
    match e {
        ApiError::NotFound(_) => "没有找到要查看的内容：链接可能有误，或该内容已不再公开。".into(),
        ApiError::InvalidCode(_) => "地址中的代码无法识别：请核对统一社会信用代码（18 位）、\
                                     组织机构代码（9 位）或工商注册号（15 位）。"
            .into(),
        ApiError::InvalidParameter { parameter, .. } => {
            let label = match parameter.as_ref() {
                "page" => "页码",
                "from" => "起始日期",
                "to" => "截止日期",
                "as_of" => "查询日期",
                "q" | "text" => "查询内容",
                "department" => "部门",
                "item" => "信息类别",
                "kind" => "名单类别",
                _ => "查询条件",
            };
            let hint = match parameter.as_ref() {
                "from" | "to" | "as_of" => "日期请写成 2026-01-31 的形式。",
                "page" => "页码应为正整数。",
                _ => "请修改后重新查询。",
            };
            format!("{label}有误：{hint}")
        }
        ApiError::PersonalIdentifierNotPublic(_) | ApiError::PersonalDataNotAuthorised(_) => {
            "自然人的身份证件号码和联系方式不提供公开查询。".into()
        }
        ApiError::Unauthenticated(_) => "请先登录。".into(),
        ApiError::Forbidden(_) => "当前账号无权查看此内容。".into(),
        ApiError::RateLimited(_) => "查询过于频繁，请稍后再试。".into(),
        ApiError::MethodNotAllowed(_) => "不支持这种访问方式。".into(),
        ApiError::Conflict(_) | ApiError::Refused { .. } => "操作未能完成：与现有信息冲突。".into(),
        ApiError::Unavailable | ApiError::Internal => "服务暂时不可用，请稍后再试。".into(),
    }
}

pub(crate) fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    // An error may say back what was asked for: masked, like every public output.
    let message = chengxin_codes::mask::redact(message);
    let page = ErrorPage {
        title: title.to_string(),
        message: message.clone(),
    };
    match page.render() {
        Ok(html) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html,
        )
            .into_response(),
        Err(_) => (status, message).into_response(),
    }
}

pub(crate) async fn home(State(state): State<AppState>) -> Result<HomePage, PageError> {
    let mut counts = state.store.count_by_kind().await?;
    counts.sort_by_key(|(k, _)| SubjectKind::ALL.iter().position(|x| x == k));
    let total: i64 = counts.iter().map(|(_, n)| n).sum();
    let examples = state
        .store
        .search(&SearchQuery {
            text: "有限公司".into(),
            include_persons: false,
            limit: 6,
            offset: 0,
        })
        .await?
        .items
        .into_iter()
        .map(|s| (s.key, s.current.data.name))
        .collect();
    Ok(HomePage {
        total: thousands(total),
        counts: counts
            .into_iter()
            .map(|(k, n)| (k.label_zh().to_string(), thousands(n)))
            .collect(),
        examples,
    })
}

#[derive(Deserialize)]
pub(crate) struct SearchForm {
    q: Option<String>,
    /// Kept as text: a mangled page number in a URL shows page 1, not an error.
    page: Option<String>,
}

/// The subject search. A query that cannot be searched (a code failing its check, too long) is
/// shown again with what was wrong, answered 400 as the API answers it.
pub(crate) async fn search(
    state: State<AppState>,
    f: Query<SearchForm>,
) -> Result<Response, PageError> {
    let view = search_view(state, f).await?;
    // An empty box (the page opened from a link) is a prompt, not a mistake.
    Ok(form_answer(
        view.error.is_some() && !view.q.is_empty(),
        view,
    ))
}

async fn search_view(
    State(state): State<AppState>,
    Query(f): Query<SearchForm>,
) -> Result<SearchPage, PageError> {
    let q = f.q.unwrap_or_default().trim().to_string();
    let page = page_number(f.page.as_deref());
    // The query is echoed on the page: never echo a personal identifier someone typed.
    let shown = if codes::mask::find_unmasked(&q).is_some() {
        codes::mask::citizen_id(&q)
    } else {
        q.clone()
    };
    let mut view = SearchPage {
        // Paging links carry the query as shown: never a personal identifier either.
        q_url: url_encode(&shown),
        q: shown,
        error: None,
        items: Vec::new(),
        total: 0,
        page,
        pages: 1,
        first_rank: (page - 1) * PER_PAGE + 1,
    };
    if view.q.is_empty() {
        view.error = Some("请输入名称或代码。".into());
        return Ok(view);
    }
    match api::search(&state, &q, page, PER_PAGE).await {
        Ok(r) => {
            view.total = r.total;
            view.pages = ((r.total + PER_PAGE - 1) / PER_PAGE).max(1);
            view.items = r.items;
        }
        // A code that fails its check is answered with the rule and position it breaks.
        Err(ApiError::InvalidCode(e)) => {
            view.error = Some(format!("代码有误：{}，请核对后重新输入。", e.message_zh()));
        }
        Err(ApiError::InvalidParameter { parameter, .. }) if parameter == "q" => {
            view.error = Some("查询内容过长或无法识别：名称片段或代码最多 100 个字符。".into());
        }
        Err(e @ ApiError::InvalidParameter { .. }) => view.error = Some(public_message(&e)),
        Err(e) => return Err(e.into()),
    }
    Ok(view)
}

#[derive(Deserialize)]
pub(crate) struct AsOfForm {
    as_of: Option<String>,
    /// The section to page (an item code) and its page; other sections show their first page.
    item: Option<String>,
    page: Option<String>,
}

pub(crate) async fn subject(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    PagePath(key): PagePath<String>,
    Query(f): Query<AsOfForm>,
) -> Result<SubjectPage, PageError> {
    let as_of = f
        .as_of
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| api::parse_date("as_of", s))
        .transpose()?;
    let subject = api::lookup(&state, &key).await?;
    let id = subject.id;
    let versions = state
        .store
        .history(id)
        .await?
        .into_iter()
        .map(|v| (v.version, v.valid_from, v.reason))
        .collect();
    let lists = crate::portal_lists::public_lines(&state, &subject.key).await?;
    // The whole history for staff and the subject's own account, never for the public
    // (国办发〔2020〕49号 (四): what the catalog does not disclose stays closed); audited.
    let history = if crate::records_api::may_read_history(&principal, &subject.key) {
        let rows = crate::records_api::subject_history(&state, id, state.today()).await?;
        crate::records_api::audit_history_read(
            &state,
            &principal,
            &subject.key,
            format!("subject page: {} record versions", rows.len()),
        )
        .await?;
        Some(rows.into_iter().map(history_row).collect())
    } else {
        None
    };
    let s = api::public_view(&state, subject, as_of).await?;
    // Full- and half-width brackets and letters are the same name.
    let same_name = |a: &str| {
        chengxin_catalog::normalize_doc_no(a) == chengxin_catalog::normalize_doc_no(&s.name)
    };
    let publicity = crate::collect_api::subject_publicity(&state, id)
        .await?
        .into_iter()
        .map(|(code, name, rows)| {
            let total = rows.len();
            let pages = total.div_ceil(SECTION_ROWS).max(1);
            let asked = if f.item.as_deref() == Some(code.as_str()) {
                usize::try_from(page_number(f.page.as_deref())).unwrap_or(usize::MAX)
            } else {
                1
            };
            let page = asked.min(pages);
            let rows = rows
                .iter()
                .skip((page - 1) * SECTION_ROWS)
                .take(SECTION_ROWS)
                .map(|r| PublicityRow {
                    issued_to: (!same_name(&r.subject_name)).then(|| r.subject_name.clone()),
                    ..publicity_row(r)
                })
                .collect();
            SubjectSection {
                code,
                name,
                rows,
                total,
                page,
                pages,
            }
        })
        .collect();
    Ok(SubjectPage {
        s,
        as_of,
        versions,
        publicity,
        lists_suspended: lists.iter().any(|l| l.suspended),
        lists,
        history,
    })
}

pub(crate) async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../templates/site.css"),
    )
}

/// Unknown paths: JSON under the API, a page elsewhere.
pub(crate) async fn fallback(OriginalUri(uri): OriginalUri) -> Response {
    if uri.path().starts_with("/api/") {
        return api::api_not_found().into_response();
    }
    error_page(StatusCode::NOT_FOUND, "未找到", "没有这个页面。")
}

/// A known path asked with a method it does not take: JSON under the API, a page elsewhere. The
/// router adds the `Allow` header.
pub(crate) async fn method_not_allowed(
    method: axum::http::Method,
    OriginalUri(uri): OriginalUri,
) -> Response {
    if uri.path().starts_with("/api/") {
        return ApiError::MethodNotAllowed(format!("{} does not take {method}", uri.path()))
            .into_response();
    }
    error_page(
        StatusCode::METHOD_NOT_ALLOWED,
        "不支持的请求方法",
        "这个页面不支持该请求方法。",
    )
}

/// A page number from a URL: a mangled one shows page 1, not an error.
pub(crate) fn page_number(p: Option<&str>) -> i64 {
    p.and_then(|p| p.trim().parse::<i64>().ok())
        .unwrap_or(1)
        .max(1)
}

/// Percent-encodes a query value for a link.
pub(crate) fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// 100000 → "100,000".
fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_groups_digits() {
        assert_eq!(super::thousands(100_000), "100,000");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(-1_234_567), "-1,234,567");
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
pub(crate) struct LoginPage {
    csrf: String,
    username: String,
    error: Option<String>,
    /// The page to return to once signed in (a checked local path), or empty.
    next: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "account.html")]
pub(crate) struct AccountPage {
    username: String,
    display_name: String,
    role_label: String,
    department: Option<String>,
    subject_key: Option<String>,
    /// Data officers and operators: links to the quality page.
    collector: bool,
    csrf: String,
}

/// The sign-in form's address that returns to `uri` once signed in.
pub(crate) fn login_url(uri: &axum::http::Uri) -> String {
    let here = uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or_else(|| uri.path());
    match local_path(here) {
        Some(p) if p != "/" => {
            let q: String = form_urlencoded::Serializer::new(String::new())
                .append_pair("next", p)
                .finish();
            format!("/login?{q}")
        }
        _ => "/login".to_string(),
    }
}

/// `next` when it is a path on this site: it starts with one `/`, names no other host
/// (`//host`, `/\host`) and holds no control characters. Anything else is ignored, so the
/// sign-in form cannot be used to send a person to another site (an open redirect).
pub(crate) fn local_path(next: &str) -> Option<&str> {
    let rest = next.strip_prefix('/')?;
    if rest.starts_with('/') || rest.starts_with('\\') || next.len() > 2048 {
        return None;
    }
    if next.chars().any(|c| c.is_control() || c == '\\') {
        return None;
    }
    // The form and the sign-out are not pages to come back to.
    if next == "/login" || next.starts_with("/login?") || next.starts_with("/logout") {
        return None;
    }
    Some(next)
}

fn login_page(status: StatusCode, username: &str, error: Option<String>, next: &str) -> Response {
    let csrf = chengxin_access::page_token(uuid::Uuid::new_v4().as_bytes());
    let cookie = format!(
        "{}={csrf}; Path=/login; HttpOnly; Secure; SameSite=Strict; Max-Age=3600",
        auth::LOGIN_CSRF_COOKIE
    );
    let page = LoginPage {
        csrf,
        username: username.to_string(),
        error,
        next: local_path(next).unwrap_or_default().to_string(),
    };
    let mut res = (status, page).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

/// The sign-in form, with a fresh double-submit CSRF token.
pub(crate) async fn login_form(Query(q): Query<LoginQuery>) -> Response {
    login_page(StatusCode::OK, "", None, q.next.as_deref().unwrap_or(""))
}

#[derive(Deserialize)]
pub(crate) struct LoginQuery {
    next: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct LoginForm {
    username: String,
    password: String,
    csrf: String,
    #[serde(default)]
    next: String,
}

pub(crate) async fn login_submit(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    headers: HeaderMap,
    PageForm(f): PageForm<LoginForm>,
) -> Response {
    let expected = auth::cookie(&headers, auth::LOGIN_CSRF_COOKIE);
    if expected.as_deref() != Some(f.csrf.as_str()) || f.csrf.is_empty() {
        return login_page(
            StatusCode::FORBIDDEN,
            &f.username,
            Some("表单已过期或来源不明（CSRF 校验失败），请重新提交。".into()),
            &f.next,
        );
    }
    match accounts_api::do_login(&state, &principal, f.username.trim(), &f.password).await {
        Ok(session) => {
            let mut res = Redirect::to(local_path(&f.next).unwrap_or("/account")).into_response();
            if let Some(c) =
                accounts_api::session_cookie(&session.token, chengxin_store::SESSION_HOURS * 3600)
            {
                res.headers_mut().insert(header::SET_COOKIE, c);
            }
            res
        }
        Err(ApiError::Unauthenticated(m)) => login_page(
            StatusCode::UNAUTHORIZED,
            &f.username,
            Some(if m.contains("locked") {
                "尝试次数过多，账户已临时锁定，请 15 分钟后再试。".to_string()
            } else {
                "用户名或密码错误。".to_string()
            }),
            &f.next,
        ),
        Err(e) => PageError(e).into_response(),
    }
}

#[derive(Deserialize)]
pub(crate) struct CsrfForm {
    csrf: String,
}

pub(crate) async fn logout(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    PageForm(f): PageForm<CsrfForm>,
) -> Response {
    let Via::Session { token, csrf } = &principal.via else {
        return Redirect::to("/").into_response();
    };
    if *csrf != f.csrf {
        return error_page(
            StatusCode::FORBIDDEN,
            "请求被拒绝",
            "表单来源不明（CSRF 校验失败）。",
        );
    }
    if let Err(e) = state.store.logout(token).await {
        return PageError(e.into()).into_response();
    }
    let _ = audit::record(
        &state,
        &principal,
        audit::Record {
            action: "session.logout",
            target: None,
            purpose: None,
            outcome: chengxin_audit::Outcome::Allowed,
            detail: None,
        },
    )
    .await;
    let mut res = Redirect::to("/").into_response();
    if let Some(c) = accounts_api::session_cookie("", 0) {
        res.headers_mut().insert(header::SET_COOKIE, c);
    }
    res
}

pub(crate) async fn account(Extension(principal): Extension<Principal>) -> Response {
    let Some(a) = &principal.account else {
        return Redirect::to("/login").into_response();
    };
    // An API key has no session and so no logout form.
    let csrf = match &principal.via {
        Via::Session { csrf, .. } => csrf.clone(),
        _ => String::new(),
    };
    AccountPage {
        username: a.username.clone(),
        display_name: a.display_name.clone(),
        role_label: a.role.label_zh().to_string(),
        department: a.department_code.clone(),
        subject_key: a.subject_key.clone(),
        collector: matches!(
            a.role,
            chengxin_access::Role::DataOfficer | chengxin_access::Role::Operator
        ),
        csrf,
    }
    .into_response()
}
