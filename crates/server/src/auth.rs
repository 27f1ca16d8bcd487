//! Who is calling: a session cookie, an API key, or the public. Every route declares a
//! `chengxin_access::Policy`; [`enforce`] applies it before the handler runs, so a refused caller
//! learns nothing about whether a record exists.

use crate::AppState;
use crate::error::ApiError;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chengxin_access::{Decision, Policy, Role};
use chengxin_store::Account;

/// The session cookie. HttpOnly, SameSite=Strict, Secure.
pub const SESSION_COOKIE: &str = "cx_session";
/// The pre-login CSRF cookie for the login form (double submit).
pub const LOGIN_CSRF_COOKIE: &str = "cx_login_csrf";
/// Header carrying the session's CSRF token on unsafe API calls made with a session cookie.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How the caller proved who it is.
#[derive(Clone, Debug)]
pub enum Via {
    Anonymous,
    Session { token: String, csrf: String },
    ApiKey { id: i64 },
}

/// The caller of a request, put into the request's extensions by [`identify`].
#[derive(Clone, Debug)]
pub struct Principal {
    pub role: Role,
    pub account: Option<Account>,
    pub via: Via,
    pub request_id: String,
    /// Set once a refusal of this request is in the audit log ([`crate::audit::record`]), so
    /// that [`enforce`] does not record it twice.
    pub refusal_audited: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Principal {
    /// The public: no account, not signed in.
    fn anonymous(request_id: &str) -> Principal {
        Principal {
            role: Role::Public,
            account: None,
            via: Via::Anonymous,
            request_id: request_id.to_string(),
            refusal_audited: Default::default(),
        }
    }

    pub fn actor(&self) -> String {
        self.account
            .as_ref()
            .map_or_else(|| "anonymous".to_string(), |a| a.username.clone())
    }

    pub fn department(&self) -> Option<String> {
        self.account
            .as_ref()
            .and_then(|a| a.department_code.clone())
    }
}

/// Reads one cookie from the request headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn new_request_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Global middleware: works out the [`Principal`] and tags the response with `x-request-id`.
/// A presented but invalid API key is refused outright (401); an invalid or expired session
/// cookie just means the public.
pub async fn identify(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let request_id = new_request_id();
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
        .map(str::to_string);
    let principal = if let Some(key) = bearer {
        match state.store.account_for_api_key(&key).await {
            Ok(Some((account, id))) => Principal {
                role: account.role,
                account: Some(account),
                via: Via::ApiKey { id },
                request_id: request_id.clone(),
                refusal_audited: Default::default(),
            },
            Ok(None) => {
                let anonymous = Principal::anonymous(&request_id);
                let action = crate::audit::request_action(&req);
                crate::audit::refusal(&state, &anonymous, &action, "invalid or expired API key")
                    .await;
                return with_request_id(
                    ApiError::Unauthenticated("the API key is invalid, expired or revoked".into())
                        .into_response(),
                    &request_id,
                );
            }
            Err(e) => return with_request_id(ApiError::from(e).into_response(), &request_id),
        }
    } else if let Some(token) = cookie(req.headers(), SESSION_COOKIE) {
        match state.store.session(&token).await {
            Ok(Some(s)) => Principal {
                role: s.account.role,
                account: Some(s.account),
                via: Via::Session {
                    token,
                    csrf: s.csrf_token,
                },
                request_id: request_id.clone(),
                refusal_audited: Default::default(),
            },
            Ok(None) => Principal::anonymous(&request_id),
            Err(e) => return with_request_id(ApiError::from(e).into_response(), &request_id),
        }
    } else {
        Principal::anonymous(&request_id)
    };
    req.extensions_mut().insert(principal);
    with_request_id(next.run(req).await, &request_id)
}

fn with_request_id(mut res: Response, id: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(id) {
        res.headers_mut().insert("x-request-id", v);
    }
    res
}

/// Per-route middleware: applies the route's policy, and the CSRF rule for unsafe API calls made
/// with a session cookie. Refusals are audited.
pub async fn enforce(
    State((state, policy)): State<(AppState, Policy)>,
    req: Request,
    next: Next,
) -> Response {
    let Some(principal) = req.extensions().get::<Principal>().cloned() else {
        return ApiError::Internal.into_response();
    };
    let action = crate::audit::request_action(&req);
    // A portal page is refused with a page, an API route with the JSON error catalogue.
    let page = !req.uri().path().starts_with("/api/");
    match policy.decide(principal.role) {
        Decision::Allow => {}
        Decision::Unauthenticated => {
            crate::audit::refusal(&state, &principal, &action, "not signed in").await;
            if page {
                // Send the person to the sign-in form, and back to this page once signed in
                // (only a page that can be fetched again: a refused form post is not replayed).
                let to = if req.method() == axum::http::Method::GET {
                    crate::portal::login_url(req.uri())
                } else {
                    "/login".to_string()
                };
                return axum::response::Redirect::to(&to).into_response();
            }
            return ApiError::Unauthenticated(
                "请先登录或出示 API 密钥 / sign in or present an API key".into(),
            )
            .into_response();
        }
        Decision::Forbidden => {
            crate::audit::refusal(&state, &principal, &action, "role not allowed").await;
            if page {
                // A Chinese page, like every other portal error.
                return crate::portal::error_page(
                    axum::http::StatusCode::FORBIDDEN,
                    "无权访问",
                    &format!(
                        "当前账户的角色（{}）不能使用这个页面。如需使用，请联系平台运营人员调整账户角色。",
                        principal.role.label_zh()
                    ),
                );
            }
            return ApiError::Forbidden(format!(
                "当前账户的角色（{}）不能使用这个接口 / the {} role may not use this route ({})",
                principal.role.label_zh(),
                principal.role,
                policy.describe()
            ))
            .into_response();
        }
    }
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method
        && !page
        && let Via::Session { csrf, .. } = &principal.via
    {
        let sent = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok());
        if sent != Some(csrf.as_str()) {
            crate::audit::refusal(&state, &principal, &action, "missing or wrong CSRF token").await;
            return ApiError::Forbidden(format!(
                "a session-authenticated {} needs the {CSRF_HEADER} header from the session",
                req.method()
            ))
            .into_response();
        }
    }
    let res = next.run(req).await;
    // A refusal the handler made (another department's data, a personal identifier asked of
    // the public …) and did not record itself (49号 (十三): 查询使用登记).
    if let Some(r) = res.extensions().get::<crate::error::RefusalToAudit>()
        && !principal
            .refusal_audited
            .load(std::sync::atomic::Ordering::Relaxed)
    {
        crate::audit::refusal(&state, &principal, &action, &r.0).await;
    }
    res
}

/// The credentials of an `Authorization: Bearer …` header; the scheme name is case-insensitive
/// (RFC 9110 §11.1), so `bearer` and `BEARER` are read too.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod bearer_tests {
    use super::bearer_token;

    #[test]
    fn the_scheme_name_is_case_insensitive() {
        for h in [
            "Bearer cxk_1",
            "bearer cxk_1",
            "BEARER  cxk_1 ",
            " Bearer cxk_1",
        ] {
            assert_eq!(bearer_token(h), Some("cxk_1"), "{h:?}");
        }
        for h in ["Basic cxk_1", "Bearer", "Bearer  ", "Bearercxk_1"] {
            assert_eq!(bearer_token(h), None, "{h:?}");
        }
    }
}
