//! chengxin's HTTP edge: the JSON API under `/api/v1`, its OpenAPI document, and the
//! server-rendered portal (信用门户).
//!
//! Architecture invariants:
//! - handlers contain no SQL; they call `chengxin-store` and the pure rule crates;
//! - every API route is registered through [`routes`], which records it so a test can check that
//!   the OpenAPI document describes every route;
//! - public output passes through `chengxin_registry::PublicSubject`, which masks personal data.

mod accounts_api;
pub mod api;
pub mod audit;
pub mod auth;
pub mod collect_api;
pub mod error;
pub mod lists_api;
mod portal;
mod portal_batches;
mod portal_lists;
pub mod ratelimit;
pub mod records_api;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::from_fn_with_state;
use axum::routing::{MethodRouter, delete, get, post};
use chengxin_access::{Policy, Role};
use chengxin_store::Store;
use chrono::{FixedOffset, NaiveDate, Utc};
use std::net::SocketAddr;
use std::sync::Arc;
use tower_http::set_header::SetResponseHeaderLayer;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    clock: Arc<dyn Fn() -> NaiveDate + Send + Sync>,
    limits: Arc<ratelimit::Limits>,
    /// Batches being ingested (the progress resources of API uploads).
    pub(crate) jobs: Arc<collect_api::Jobs>,
    /// Per item, the catalog versions under which it was disclosed publicly, as of the latest
    /// version (the first number); rebuilt when a new catalog version is imported.
    pub(crate) disclosed: Arc<std::sync::Mutex<Option<Arc<collect_api::Disclosed>>>>,
}

impl AppState {
    pub fn new(store: Store) -> Self {
        AppState {
            store,
            clock: Arc::new(china_today),
            limits: Arc::new(ratelimit::Limits::new(ratelimit::RateConfig::default())),
            jobs: Arc::default(),
            disclosed: Arc::default(),
        }
    }

    /// A state whose "today" is fixed (tests).
    pub fn with_today(store: Store, today: NaiveDate) -> Self {
        AppState {
            store,
            clock: Arc::new(move || today),
            limits: Arc::new(ratelimit::Limits::new(ratelimit::RateConfig {
                anonymous_per_minute: 60_000,
                anonymous_burst: 60_000,
                signed_in_per_minute: 60_000,
                signed_in_burst: 60_000,
            })),
            jobs: Arc::default(),
            disclosed: Arc::default(),
        }
    }

    /// A state whose "today" is whatever `clock` says (tests that let time pass).
    pub fn with_clock(store: Store, clock: Arc<dyn Fn() -> NaiveDate + Send + Sync>) -> Self {
        let mut s = AppState::with_today(store, NaiveDate::MIN);
        s.clock = clock;
        s
    }

    /// The same state with other rate limits.
    pub fn with_rate_limits(mut self, c: ratelimit::RateConfig) -> Self {
        self.limits = Arc::new(ratelimit::Limits::new(c));
        self
    }

    /// Today's date in China (UTC+8), which bounds birth dates and version dates.
    pub fn today(&self) -> NaiveDate {
        (self.clock)()
    }
}

/// China Standard Time: UTC+8, no daylight saving.
pub fn china_time(t: chrono::DateTime<Utc>) -> chrono::DateTime<FixedOffset> {
    let cst = FixedOffset::east_opt(8 * 3600).unwrap_or(FixedOffset::east_opt(0).expect("UTC"));
    t.with_timezone(&cst)
}

/// Today's date in China Standard Time.
pub fn china_today() -> NaiveDate {
    china_time(Utc::now()).date_naive()
}

/// One registered route: method, path (as axum and OpenAPI both spell them) and who may call it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RouteInfo {
    pub method: &'static str,
    pub path: &'static str,
    pub policy: Policy,
    /// A JSON API route (documented in OpenAPI) rather than a portal page.
    pub api: bool,
}

/// Records routes as they are added to the router; every route must declare its policy.
struct Routes {
    state: AppState,
    router: Router<AppState>,
    all: Vec<RouteInfo>,
}

/// Who sends data and watches its quality: department data officers (their own department) and
/// platform operators.
const COLLECTORS: &[Role] = &[Role::DataOfficer, Role::Operator];

/// Staff roles that may read personal information under a grant (the roles a grant may be
/// given to).
const STAFF_PERSONAL: &[Role] = chengxin_access::PERSONAL_READERS;

impl Routes {
    fn add(
        mut self,
        api: bool,
        method: &'static str,
        path: &'static str,
        policy: Policy,
        handler: MethodRouter<AppState>,
    ) -> Self {
        self.all.push(RouteInfo {
            method,
            path,
            policy,
            api,
        });
        let guarded = handler.route_layer(from_fn_with_state(
            (self.state.clone(), policy),
            auth::enforce,
        ));
        self.router = self.router.route(path, guarded);
        self
    }

    /// A JSON API route: required to be in the OpenAPI document.
    fn api(
        self,
        method: &'static str,
        path: &'static str,
        policy: Policy,
        handler: MethodRouter<AppState>,
    ) -> Self {
        self.add(true, method, path, policy, handler)
    }

    /// A portal (HTML) route.
    fn page(
        self,
        method: &'static str,
        path: &'static str,
        policy: Policy,
        handler: MethodRouter<AppState>,
    ) -> Self {
        self.add(false, method, path, policy, handler)
    }
}

fn routes(state: AppState) -> Routes {
    use Policy::{Public, Roles, SignedIn};
    use accounts_api as acc;
    Routes {
        state,
        router: Router::new(),
        all: Vec::new(),
    }
    .api("get", "/healthz", Public, get(api::healthz))
    .api(
        "get",
        "/api/v1/openapi.json",
        Public,
        get(api::openapi_json),
    )
    .api("get", "/api/v1/subjects", Public, get(api::search_subjects))
    .api(
        "get",
        "/api/v1/subjects/{code}",
        Public,
        get(api::get_subject),
    )
    .api(
        "get",
        "/api/v1/subjects/{code}/personal",
        Roles(STAFF_PERSONAL),
        get(acc::personal),
    )
    .api(
        "get",
        "/api/v1/subjects/{code}/records",
        Roles(records_api::HISTORY_READERS),
        get(records_api::subject_records),
    )
    .api("post", "/api/v1/session", Public, post(acc::login))
    .api("delete", "/api/v1/session", SignedIn, delete(acc::logout))
    .api("get", "/api/v1/me", SignedIn, get(acc::me))
    .api(
        "get",
        "/api/v1/self",
        Roles(&[Role::Enterprise]),
        get(acc::own_record),
    )
    .api("get", "/api/v1/departments", Public, get(acc::departments))
    .api(
        "post",
        "/api/v1/departments",
        Roles(&[Role::Operator]),
        post(acc::add_department),
    )
    .api(
        "post",
        "/api/v1/grants",
        Roles(&[Role::Operator]),
        post(acc::add_grant),
    )
    .api(
        "delete",
        "/api/v1/grants/{id}",
        Roles(&[Role::Operator]),
        delete(acc::revoke_grant),
    )
    .api(
        "get",
        "/api/v1/audit",
        Roles(&[Role::Auditor]),
        get(acc::audit_search),
    )
    .api(
        "post",
        "/api/v1/batches",
        Roles(COLLECTORS),
        post(collect_api::post_batch).layer(DefaultBodyLimit::max(collect_api::MAX_UPLOAD_BYTES)),
    )
    .api(
        "get",
        "/api/v1/batches",
        Roles(COLLECTORS),
        get(collect_api::list_batches),
    )
    .api(
        "get",
        "/api/v1/batches/{id}",
        Roles(COLLECTORS),
        get(collect_api::get_batch),
    )
    .api(
        "get",
        "/api/v1/batches/{id}/rejections",
        Roles(COLLECTORS),
        get(collect_api::get_rejections),
    )
    .api(
        "get",
        "/api/v1/batch-jobs/{job}",
        Roles(COLLECTORS),
        get(collect_api::get_job),
    )
    .api(
        "get",
        "/api/v1/batch-jobs/{job}/rejections",
        Roles(COLLECTORS),
        get(collect_api::get_job_rejections),
    )
    .api(
        "get",
        "/api/v1/quality",
        Roles(COLLECTORS),
        get(collect_api::quality),
    )
    .api(
        "get",
        "/api/v1/catalog",
        Public,
        get(collect_api::get_catalog),
    )
    .api(
        "post",
        "/api/v1/catalog",
        Roles(&[Role::Operator]),
        post(collect_api::post_catalog),
    )
    .api(
        "get",
        "/api/v1/publicity/{item}",
        Public,
        get(collect_api::publicity),
    )
    .api(
        "get",
        "/api/v1/list-standards",
        Public,
        get(lists_api::get_standards),
    )
    .api(
        "post",
        "/api/v1/list-standards",
        Roles(&[Role::Operator]),
        post(lists_api::post_standards),
    )
    .api(
        "post",
        "/api/v1/list-entries",
        Roles(&[Role::IdentifyingOfficer]),
        post(lists_api::propose),
    )
    .api(
        "post",
        "/api/v1/list-entries/{id}/{step}",
        Roles(&[Role::IdentifyingOfficer]),
        post(lists_api::entry_step),
    )
    .api(
        "post",
        "/api/v1/objections",
        Public,
        post(lists_api::post_objection),
    )
    .api(
        "post",
        "/api/v1/repairs",
        Roles(&[Role::Enterprise, Role::Operator, Role::Handler]),
        post(lists_api::post_repair),
    )
    .api(
        "get",
        "/api/v1/applications/{id}",
        Public,
        get(lists_api::get_application),
    )
    .api(
        "post",
        "/api/v1/applications/{id}/{step}",
        Roles(&[Role::Handler]),
        post(lists_api::application_step),
    )
    .api(
        "get",
        "/api/v1/subjects/{code}/lists",
        Public,
        get(lists_api::subject_lists),
    )
    .api(
        "post",
        "/api/v1/lists/expire",
        Roles(&[Role::Operator]),
        post(lists_api::expire),
    )
    .page("get", "/publicity/{item}", Public, get(portal::publicity))
    .page("get", "/quality", Roles(COLLECTORS), get(portal::quality))
    .page(
        "get",
        "/batches",
        Roles(COLLECTORS),
        get(portal_batches::batches),
    )
    .page(
        "post",
        "/batches",
        Roles(COLLECTORS),
        // The upload is streamed to a file; the size cap is the API's, with room for the form.
        post(portal_batches::send).layer(axum::extract::DefaultBodyLimit::max(
            collect_api::MAX_UPLOAD_BYTES + (1 << 16),
        )),
    )
    .page(
        "get",
        "/batches/{id}",
        Roles(COLLECTORS),
        get(portal_batches::batch),
    )
    .page("get", "/", Public, get(portal::home))
    .page("get", "/search", Public, get(portal::search))
    .page("get", "/subjects/{key}", Public, get(portal::subject))
    .page("get", "/static/site.css", Public, get(portal::stylesheet))
    .page("get", "/login", Public, get(portal::login_form))
    .page("post", "/login", Public, post(portal::login_submit))
    .page("post", "/logout", SignedIn, post(portal::logout))
    .page("get", "/account", SignedIn, get(portal::account))
    .page("get", "/lists", Public, get(portal_lists::lists))
    .page(
        "get",
        "/objections/new",
        Public,
        get(portal_lists::objection_form),
    )
    .page(
        "post",
        "/objections",
        Public,
        post(portal_lists::objection_submit),
    )
    .page(
        "get",
        "/applications/{id}",
        Public,
        get(portal_lists::application),
    )
}

/// Every route the server serves, with its policy (for the authorisation-matrix and OpenAPI
/// tests). The state only wires the router; nothing is called.
pub fn all_routes(state: AppState) -> Vec<RouteInfo> {
    routes(state).all
}

/// The JSON API routes (for the OpenAPI completeness test).
pub fn api_routes(state: AppState) -> Vec<RouteInfo> {
    all_routes(state).into_iter().filter(|r| r.api).collect()
}

/// A NUL character (`%00`) in a request's address is refused before anything reads it: no
/// search, code or name holds one, PostgreSQL cannot store one and SQLite would match it
/// differently (both stores must answer alike).
async fn refuse_nul(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let uri = req.uri();
    let raw = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    if api::has_encoded_nul(raw.as_bytes()) {
        return if uri.path().starts_with("/api/") {
            error::ApiError::parameter("query", "the address may not contain a NUL character (%00)")
                .into_response()
        } else {
            portal::error_page(
                axum::http::StatusCode::BAD_REQUEST,
                "请求有误",
                "地址中含有空字符（%00），无法处理。",
            )
        };
    }
    next.run(req).await
}

/// The whole application.
pub fn app(state: AppState) -> Router {
    let r = routes(state.clone());
    r.router
        .fallback(portal::fallback)
        .method_not_allowed_fallback(portal::method_not_allowed)
        .layer(from_fn_with_state(state.clone(), ratelimit::limit))
        .layer(from_fn_with_state(state.clone(), auth::identify))
        .layer(axum::middleware::from_fn(refuse_nul))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("content-security-policy"),
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; form-action 'self'",
            ),
        ))
        .with_state(state)
}

/// Serves the application on `addr` until Ctrl-C. `on_ready` receives the bound address.
pub async fn serve(
    state: AppState,
    addr: SocketAddr,
    on_ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    on_ready(listener.local_addr()?);
    let daily = state.clone();
    let expiry = tokio::spawn(async move {
        let mut last = None;
        loop {
            expiry_tick(&daily, &mut last).await;
            let removed = collect_api::sweep_uploads(collect_api::STALE_UPLOAD);
            if removed > 0 {
                tracing::info!(removed, "stale uploads removed (left by a stopped server)");
            }
            tokio::time::sleep(std::time::Duration::from_secs(600)).await;
        }
    });
    let served = axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await;
    expiry.abort();
    served
}

/// The daily expiry of list entries while the server runs (1798号 (十八) 三、(十九) 三: an entry
/// leaves its list on the day its validity ends, with its exit announcement and outbox events).
/// Runs the sweep once per calendar day of the server's clock, the first time it is called on
/// that day; returns how many subjects it swept, or `None` if the day was already done. A failed
/// sweep is logged and retried at the next call.
pub async fn expiry_tick(state: &AppState, last: &mut Option<chrono::NaiveDate>) -> Option<usize> {
    let today = state.today();
    if *last == Some(today) {
        return None;
    }
    match lists_api::expire_due(&state.store, today, chengxin_lists::SYSTEM_ACTOR).await {
        Ok(n) => {
            *last = Some(today);
            if n > 0 {
                tracing::info!(subjects = n, %today, "list entries expired");
            }
            Some(n)
        }
        Err(e) => {
            tracing::warn!(error = %e, %today, "list expiry sweep failed; retrying later");
            None
        }
    }
}
