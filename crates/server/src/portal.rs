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
use axum::extract::{Form, OriginalUri, Path, Query, State};
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
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    title: String,
    message: String,
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
        error_page(self.0.status(), title, &self.0.to_string())
    }
}

fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    let page = ErrorPage {
        title: title.to_string(),
        message: message.to_string(),
    };
    match page.render() {
        Ok(html) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html,
        )
            .into_response(),
        Err(_) => (status, message.to_string()).into_response(),
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

pub(crate) async fn search(
    State(state): State<AppState>,
    Query(f): Query<SearchForm>,
) -> Result<SearchPage, PageError> {
    let q = f.q.unwrap_or_default().trim().to_string();
    let page = f
        .page
        .and_then(|p| p.trim().parse::<i64>().ok())
        .unwrap_or(1)
        .max(1);
    // The query is echoed on the page: never echo a personal identifier someone typed.
    let shown = if codes::mask::find_unmasked(&q).is_some() {
        codes::mask::citizen_id(&q)
    } else {
        q.clone()
    };
    let mut view = SearchPage {
        q_url: url_encode(&q),
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
        Err(e @ (ApiError::InvalidParameter { .. } | ApiError::InvalidCode(_))) => {
            view.error = Some(e.to_string());
        }
        Err(e) => return Err(e.into()),
    }
    Ok(view)
}

#[derive(Deserialize)]
pub(crate) struct AsOfForm {
    as_of: Option<String>,
}

pub(crate) async fn subject(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(f): Query<AsOfForm>,
) -> Result<SubjectPage, PageError> {
    let as_of = f
        .as_of
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| api::parse_date("as_of", s))
        .transpose()?;
    let subject = api::lookup(&state, &key).await?;
    let versions = state
        .store
        .history(subject.id)
        .await?
        .into_iter()
        .map(|v| (v.version, v.valid_from, v.reason))
        .collect();
    let s = api::public_view(&state, subject, as_of).await?;
    Ok(SubjectPage { s, as_of, versions })
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

/// Percent-encodes a query value for a link.
fn url_encode(s: &str) -> String {
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
}

#[derive(Template, WebTemplate)]
#[template(path = "account.html")]
pub(crate) struct AccountPage {
    username: String,
    display_name: String,
    role_label: String,
    department: Option<String>,
    subject_key: Option<String>,
    csrf: String,
}

fn login_page(status: StatusCode, username: &str, error: Option<String>) -> Response {
    let csrf = uuid::Uuid::new_v4().simple().to_string();
    let cookie = format!(
        "{}={csrf}; Path=/login; HttpOnly; Secure; SameSite=Strict; Max-Age=3600",
        auth::LOGIN_CSRF_COOKIE
    );
    let page = LoginPage {
        csrf,
        username: username.to_string(),
        error,
    };
    let mut res = (status, page).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

/// The sign-in form, with a fresh double-submit CSRF token.
pub(crate) async fn login_form() -> Response {
    login_page(StatusCode::OK, "", None)
}

#[derive(Deserialize)]
pub(crate) struct LoginForm {
    username: String,
    password: String,
    csrf: String,
}

pub(crate) async fn login_submit(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let expected = auth::cookie(&headers, auth::LOGIN_CSRF_COOKIE);
    if expected.as_deref() != Some(f.csrf.as_str()) || f.csrf.is_empty() {
        return login_page(
            StatusCode::FORBIDDEN,
            &f.username,
            Some("表单已过期或来源不明（CSRF 校验失败），请重新提交。".into()),
        );
    }
    match accounts_api::do_login(&state, &principal, f.username.trim(), &f.password).await {
        Ok(session) => {
            let mut res = Redirect::to("/account").into_response();
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
    Form(f): Form<CsrfForm>,
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
        csrf,
    }
    .into_response()
}
