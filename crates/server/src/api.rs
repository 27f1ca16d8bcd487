//! The JSON API, `/api/v1/…`. Handlers contain no SQL: they parse, call the store, and shape.

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use chengxin_codes::{self as codes, CodeKind};
use chengxin_registry::{PublicSubject, Subject, SubjectKind, SubjectStatus, former_names};
use chengxin_store::{SearchQuery, is_opaque_key};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "chengxin public credit information platform API",
        description = "JSON API of chengxin (诚信), a public credit information platform. \
            Every error body is `{\"error\": {\"code\", \"message\", …}}` with a stable code.",
        license(name = "Apache-2.0")
    ),
    paths(
        healthz,
        get_subject,
        search_subjects,
        openapi_json,
        crate::accounts_api::login,
        crate::accounts_api::logout,
        crate::accounts_api::me,
        crate::accounts_api::own_record,
        crate::accounts_api::departments,
        crate::accounts_api::add_department,
        crate::accounts_api::add_grant,
        crate::accounts_api::revoke_grant,
        crate::accounts_api::personal,
        crate::records_api::subject_records,
        crate::accounts_api::audit_search,
        crate::collect_api::post_batch,
        crate::collect_api::get_job,
        crate::collect_api::get_job_rejections,
        crate::collect_api::list_batches,
        crate::collect_api::get_batch,
        crate::collect_api::get_rejections,
        crate::collect_api::quality,
        crate::collect_api::get_catalog,
        crate::collect_api::post_catalog,
        crate::collect_api::publicity,
        crate::lists_api::get_standards,
        crate::lists_api::post_standards,
        crate::lists_api::propose,
        crate::lists_api::entry_step,
        crate::lists_api::post_objection,
        crate::lists_api::post_repair,
        crate::lists_api::get_application,
        crate::lists_api::application_step,
        crate::lists_api::subject_lists,
        crate::lists_api::expire
    ),
    components(schemas(
        ErrorBody,
        PublicSubject,
        SubjectSummary,
        SearchResponse,
        Health,
        crate::collect_api::JobView,
        crate::collect_api::PublicRecord,
        crate::records_api::RecordVersion,
        crate::records_api::SubjectHistory,
        crate::lists_api::ProposeBody,
        crate::lists_api::StepBody,
        crate::lists_api::ApplicationBody,
        crate::lists_api::DecisionBody
    ))
)]
pub struct ApiDoc;

/// Liveness and store reachability.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok` when the store answers.
    pub status: &'static str,
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
}

#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, body = Health), (status = 503, body = ErrorBody)))]
pub async fn healthz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    state
        .store
        .ping()
        .await
        .map_err(|_| ApiError::Unavailable)?;
    Ok(Json(Health {
        status: "ok",
        backend: state.store.backend().as_str(),
    }))
}

#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "operations",
    responses((status = 200, description = "This OpenAPI document", content_type = "application/json")))]
pub async fn openapi_json(
    State(state): State<AppState>,
) -> Result<([(axum::http::HeaderName, &'static str); 1], String), ApiError> {
    let doc = openapi_document(&crate::api_routes(state))?;
    let text = serde_json::to_string_pretty(&doc).map_err(|_| ApiError::Internal)?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        text,
    ))
}

/// The OpenAPI document, with each operation's security requirement taken from the route's
/// declared policy: `security: []` for public operations, the session cookie or an API key
/// otherwise, and `x-chengxin-roles` listing the roles allowed.
pub fn openapi_document(routes: &[crate::RouteInfo]) -> Result<serde_json::Value, ApiError> {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).map_err(|_| ApiError::Internal)?;
    doc["components"]["securitySchemes"] = serde_json::json!({
        "session": {"type": "apiKey", "in": "cookie", "name": crate::auth::SESSION_COOKIE,
                    "description": "portal session; unsafe methods also need the x-csrf-token header"},
        "apiKey": {"type": "http", "scheme": "bearer",
                   "description": "an API key (cxk_…) issued to a system account"}
    });
    // utoipa leaves out the description of a response declared by status and body alone;
    // OpenAPI requires one. The status's reason phrase says what such a response is.
    let operations = doc["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(|path| path.as_object_mut())
        .flat_map(|path| path.values_mut());
    for op in operations {
        let responses = op["responses"].as_object_mut().into_iter().flatten();
        for (status, response) in responses {
            if response["description"].as_str().is_none_or(str::is_empty) {
                let reason = status
                    .parse::<u16>()
                    .ok()
                    .and_then(|s| axum::http::StatusCode::from_u16(s).ok())
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or("response");
                response["description"] = reason.into();
            }
        }
        // A raw upload is a byte string, not an array of numbers.
        if let Some(body) = op.pointer_mut("/requestBody/content/application~1octet-stream/schema")
        {
            *body = serde_json::json!({"type": "string", "format": "binary"});
        }
    }
    for r in routes {
        let op = &mut doc["paths"][r.path][r.method];
        if !op.is_object() {
            continue;
        }
        let public = r.policy == chengxin_access::Policy::Public;
        op["security"] = if public {
            serde_json::json!([])
        } else {
            serde_json::json!([{"session": []}, {"apiKey": []}])
        };
        let roles: Vec<&str> = r.policy.roles().iter().map(|r| r.as_str()).collect();
        op["x-chengxin-roles"] = serde_json::json!(roles);
        // What the route's policy answers before the handler runs.
        if !public && let Some(responses) = op["responses"].as_object_mut() {
            for (status, description) in [
                (
                    "401",
                    "not signed in, or the API key is unknown, expired or revoked",
                ),
                ("403", "the caller's role may not use this operation"),
            ] {
                responses.entry(status).or_insert_with(|| {
                    serde_json::json!({
                        "description": description,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
                    })
                });
            }
        }
    }
    Ok(doc)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOfQuery {
    /// Show the subject as it was on this date (YYYY-MM-DD).
    pub as_of: Option<String>,
}

/// Natural persons are not found by their citizen ID number outside staff work (DESIGN.md
/// principle 3): an answer that differs between a known and an unknown number would tell anyone
/// whether a person is in the registry, and then what is recorded about them. Every route that
/// takes a subject code from the public refuses a valid citizen ID number the same way, whether or
/// not the registry holds it.
pub(crate) async fn refuse_citizen_id(state: &AppState, raw: &str) -> Result<(), ApiError> {
    if names_a_person(state, raw).await? {
        return Err(ApiError::PersonalIdentifierNotPublic(
            "natural persons are not looked up by citizen ID number on the public API; \
             use the subject's key shown on its page, or a query with an authorised purpose"
                .into(),
        ));
    }
    Ok(())
}

/// Whether `raw` is to be taken for a person's citizen ID: it is a valid one, and no organisation
/// holds it as its USCC. About 1 in 340 citizen IDs also pass every USCC rule
/// (`131101198001011253`); read as a USCC they would open a person's page to the public. Such a
/// string is an organisation's only when the registry holds it as one; otherwise it is answered
/// as a citizen ID, the same whether a person holds it or nobody does.
pub(crate) async fn names_a_person(state: &AppState, raw: &str) -> Result<bool, ApiError> {
    if codes::validate_citizen_id(raw, state.today()).is_err() {
        return Ok(false);
    }
    if codes::validate_uscc(raw).is_err() {
        return Ok(true);
    }
    let held = state.store.find(&codes::normalize(raw)).await?;
    Ok(held.is_none_or(|s| s.current.data.kind.is_person()))
}

/// Resolves a code or key typed by a user to a subject, applying the public rules:
/// invalid codes are refused naming the rule; citizen IDs are not looked up publicly.
pub(crate) async fn lookup(state: &AppState, raw: &str) -> Result<Subject, ApiError> {
    let normalized = codes::normalize(raw);
    if is_opaque_key(&normalized) {
        return state
            .store
            .subject_by_key(&normalized)
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("no subject with key {normalized}")));
    }
    let outcome = codes::check(raw, None, state.today());
    let kind = match (outcome.valid, outcome.kind, outcome.error) {
        (true, Some(kind), _) => kind,
        // An old 15-character tax number: region code + organisation code.
        (false, _, _)
            if normalized.len() == 15
                && codes::org_code_of_tax_no(&normalized)
                    .is_some_and(|o| codes::validate_org_code(o).is_ok()) =>
        {
            CodeKind::Org
        }
        (_, _, Some(e)) => return Err(ApiError::InvalidCode(Box::new(e))),
        _ => {
            return Err(ApiError::parameter(
                "code",
                format!("{raw:?} is not a code"),
            ));
        }
    };
    if names_a_person(state, raw).await? {
        return Err(ApiError::PersonalIdentifierNotPublic(
            "natural persons are not looked up by citizen ID number on the public API; \
             such queries need an authorised purpose"
                .into(),
        ));
    }
    state.store.find(&outcome.normalized).await?.ok_or_else(|| {
        ApiError::NotFound(format!(
            "no subject with {} {}",
            kind.label_zh(),
            outcome.normalized
        ))
    })
}

/// Parses a `YYYY-MM-DD` query parameter.
pub(crate) fn parse_date(parameter: &'static str, s: &str) -> Result<NaiveDate, ApiError> {
    chengxin_calendar::parse_iso_date(s)
        .ok_or_else(|| ApiError::parameter(parameter, chengxin_calendar::iso_date_error(s)))
}

/// `as_of` is today or a day that has been: a subject's registration as of a day to come would
/// be answered with today's as if it were known to hold then.
pub(crate) fn not_to_come(state: &AppState, as_of: Option<NaiveDate>) -> Result<(), ApiError> {
    match as_of {
        Some(date) if date > state.today() => Err(ApiError::parameter(
            "as_of",
            format!(
                "查询日期 {date} 晚于今天：只能按今天或以前的日期查询 / as_of {date} is in the future"
            ),
        )),
        _ => Ok(()),
    }
}

/// An optional start of a period ([`chengxin_calendar::parse_time_bound`]): a date is the start
/// of that day in China, a time is RFC 3339.
pub(crate) fn time_from_opt<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, D::Error> {
    time_bound_opt(d, false)
}

/// An optional end of a period: a date means up to the end of that day in China.
pub(crate) fn time_to_opt<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, D::Error> {
    time_bound_opt(d, true)
}

fn time_bound_opt<'de, D: serde::Deserializer<'de>>(
    d: D,
    end_of_day: bool,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, D::Error> {
    let s: Option<String> = Option::deserialize(d)?;
    match s.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => chengxin_calendar::parse_time_bound(t, end_of_day)
            .map(Some)
            .map_err(serde::de::Error::custom),
    }
}

/// An optional date field of a query or a body, `YYYY-MM-DD` exactly
/// ([`chengxin_calendar::parse_iso_date`]); empty is none.
pub(crate) fn iso_date_opt<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<NaiveDate>, D::Error> {
    let s: Option<String> = Option::deserialize(d)?;
    match s.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => chengxin_calendar::parse_iso_date(t)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(chengxin_calendar::iso_date_error(t))),
    }
}

/// The public view of a subject, now or as of a date, with its former names up to then.
pub(crate) async fn public_view(
    state: &AppState,
    subject: Subject,
    as_of: Option<NaiveDate>,
) -> Result<PublicSubject, ApiError> {
    // The registry answers for days that have been: a day to come would be shown today's
    // registration as if it were known to hold then (found by a QA pass).
    not_to_come(state, as_of)?;
    let shown = match as_of {
        None => subject,
        Some(date) => state
            .store
            .subject_as_of(subject.id, date)
            .await?
            .ok_or_else(|| {
                ApiError::NotFound(format!(
                    "the registry has no record of {} on {date}",
                    subject.key
                ))
            })?,
    };
    let history = state.store.history(shown.id).await?;
    let until = shown.current.valid_from;
    let earlier = history.iter().filter(|v| v.valid_from <= until);
    let former = former_names(earlier, &shown.current.data.name);
    Ok(PublicSubject::from_subject(&shown, former))
}

/// One subject, public view.
#[utoipa::path(get, path = "/api/v1/subjects/{code}", tag = "subjects",
    params(("code" = String, Path, description = "USCC, organisation code, registration number, old tax number, or the subject's key"), AsOfQuery),
    responses(
        (status = 200, body = PublicSubject),
        (status = 400, body = ErrorBody, description = "invalid_code naming the rule, or invalid_parameter"),
        (status = 403, body = ErrorBody, description = "personal_identifier_not_public"),
        (status = 404, body = ErrorBody, description = "not_found")))]
pub async fn get_subject(
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<AsOfQuery>,
) -> Result<Json<PublicSubject>, ApiError> {
    let as_of = q
        .as_of
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| parse_date("as_of", s))
        .transpose()?;
    let subject = lookup(&state, &code).await?;
    Ok(Json(public_view(&state, subject, as_of).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// A name fragment (current or former name) or a code.
    pub q: Option<String>,
    /// Page number, from 1.
    pub page: Option<i64>,
    /// Results per page, 1 to 100 (default 20).
    pub per_page: Option<i64>,
}

/// A search hit.
#[derive(Serialize, ToSchema)]
pub struct SubjectSummary {
    pub key: String,
    pub name: String,
    pub kind: SubjectKind,
    pub kind_label: String,
    pub status: SubjectStatus,
    pub status_label: String,
    pub uscc: Option<String>,
    pub legal_rep_name: Option<String>,
    pub region_name: Option<String>,
}

impl SubjectSummary {
    pub fn of(s: &Subject) -> Self {
        let p = PublicSubject::from_subject(s, Vec::new());
        SubjectSummary {
            key: p.key,
            name: p.name,
            kind: p.kind,
            kind_label: p.kind_label,
            status: p.status,
            status_label: p.status_label,
            uscc: p.uscc,
            legal_rep_name: p.legal_rep_name,
            region_name: p.region_name,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SearchResponse {
    pub items: Vec<SubjectSummary>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// Runs a public search: an exact code lookup when `q` is a code, else a name search.
pub(crate) async fn search(
    state: &AppState,
    q: &str,
    page: i64,
    per_page: i64,
) -> Result<SearchResponse, ApiError> {
    if page < 1 {
        return Err(ApiError::parameter("page", "pages are numbered from 1"));
    }
    if !(1..=100).contains(&per_page) {
        return Err(ApiError::parameter("per_page", "per_page is 1 to 100"));
    }
    let q = q.trim();
    if q.chars().count() > 100 {
        return Err(ApiError::parameter(
            "q",
            "a query has at most 100 characters",
        ));
    }
    let outcome = codes::check(q, None, state.today());
    // Something typed as a code (only letters and digits, of a code's length) that fails its
    // check is answered with the rule it breaks, not searched as a name.
    let normalized = codes::normalize(q);
    let code_like = matches!(normalized.len(), 9 | 15 | 18)
        && normalized.bytes().all(|b| b.is_ascii_alphanumeric());
    if !outcome.valid
        && code_like
        && let Some(e) = outcome.error
    {
        return Err(ApiError::InvalidCode(Box::new(e)));
    }
    if outcome.valid {
        // A code: exact lookup (never by citizen ID on the public side).
        let items = if names_a_person(state, q).await? {
            Vec::new()
        } else {
            state
                .store
                .find(&outcome.normalized)
                .await?
                .into_iter()
                .collect()
        };
        let total = items.len() as i64;
        return Ok(SearchResponse {
            items: items.iter().map(SubjectSummary::of).collect(),
            total,
            page,
            per_page,
        });
    }
    let found = state
        .store
        .search(&SearchQuery {
            text: q.to_string(),
            include_persons: false,
            limit: per_page,
            offset: (page - 1).saturating_mul(per_page),
        })
        .await?;
    Ok(SearchResponse {
        items: found.items.iter().map(SubjectSummary::of).collect(),
        total: found.total,
        page,
        per_page,
    })
}

/// Search subjects by name fragment or code. Natural persons are not found by name here.
#[utoipa::path(get, path = "/api/v1/subjects", tag = "subjects", params(SearchParams),
    responses((status = 200, body = SearchResponse), (status = 400, body = ErrorBody)))]
pub async fn search_subjects(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> Result<Json<SearchResponse>, ApiError> {
    let r = search(
        &state,
        p.q.as_deref().unwrap_or(""),
        p.page.unwrap_or(1),
        p.per_page.unwrap_or(20),
    )
    .await?;
    Ok(Json(r))
}

/// Unknown API paths answer with the JSON error catalogue too.
pub fn api_not_found() -> (StatusCode, Json<ErrorBody>) {
    let e = ApiError::NotFound("no such API route".into());
    (e.status(), Json(e.body()))
}

/// `Query`, with malformed parameters answered from the JSON error catalogue.
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|e| {
                let raw = e.inner().to_string();
                // A missing parameter is reported at the root, named in serde's message.
                let parameter = match e.path().to_string() {
                    p if p != "." => p,
                    _ => raw
                        .split('`')
                        .nth(1)
                        .map_or_else(|| "query".to_string(), str::to_string),
                };
                ApiError::parameter(parameter, chengxin_catalog::plain_serde_message(&raw))
            })
    }
}

/// `Path`, with a malformed path parameter answered from the JSON error catalogue, naming it.
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::RawPathParams;
        use axum::extract::path::ErrorKind;
        use axum::extract::rejection::PathRejection;
        // A route with one parameter reports a parse error without its name: take it from here.
        let only = RawPathParams::from_request_parts(parts, state)
            .await
            .ok()
            .and_then(|p| {
                let mut names = p.iter().map(|(k, _)| k.to_string());
                names.next().filter(|_| names.next().is_none())
            });
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| ApiPath(v))
            .map_err(|e| match e {
                PathRejection::FailedToDeserializePathParams(e) => {
                    let parameter = match e.kind() {
                        ErrorKind::ParseErrorAtKey { key, .. }
                        | ErrorKind::InvalidUtf8InPathParam { key }
                        | ErrorKind::DeserializeError { key, .. } => key.clone(),
                        _ => only.unwrap_or_else(|| "path".to_string()),
                    };
                    // axum names the Rust type ("Cannot parse `x` to a `i64`"); say what a
                    // caller must send instead.
                    let message = match e.kind() {
                        ErrorKind::ParseErrorAtKey {
                            value,
                            expected_type,
                            ..
                        }
                        | ErrorKind::ParseErrorAtIndex {
                            value,
                            expected_type,
                            ..
                        }
                        | ErrorKind::ParseError {
                            value,
                            expected_type,
                        } => format!(
                            "{parameter} must be {}, not {value:?}",
                            expected_in_words(expected_type)
                        ),
                        _ => e.body_text(),
                    };
                    ApiError::parameter(parameter, message)
                }
                other => ApiError::parameter("path", other.body_text()),
            })
    }
}

/// A path parameter's Rust type in the words an API caller reads.
fn expected_in_words(rust_type: &str) -> &'static str {
    chengxin_catalog::rust_type_in_words(rust_type).unwrap_or("a valid value")
}

/// A JSON body, with malformed bodies answered from the JSON error catalogue: the parameter is
/// the path of the value at fault (`body` for the whole), and the message names JSON types, not
/// the server's Rust types. A body without a Content-Type is read as JSON; another type is refused.
pub struct ApiJson<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = json_bytes(req, state).await?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Whether a JSON text holds the escape `\u0000` (after an even number of backslashes: `\\u0000`
/// is a backslash and the text `u0000`).
fn has_escaped_nul(bytes: &[u8]) -> bool {
    let mut backslashes = 0usize;
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'\\' {
            backslashes += 1;
            continue;
        }
        if backslashes % 2 == 1 && *b == b'u' && bytes.get(i + 1..i + 5) == Some(b"0000") {
            return true;
        }
        backslashes = 0;
    }
    false
}

/// Whether a URL-encoded text (a query, a form body) holds `%00`.
pub(crate) fn has_encoded_nul(text: &[u8]) -> bool {
    text.windows(3).any(|w| w == b"%00")
}

/// [`ApiJson`] for a body that may be left out: an empty body is `T::default()`; a body that is
/// there must be valid (a malformed one is not taken for an empty one).
pub struct OptionalJson<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for OptionalJson<T>
where
    T: serde::de::DeserializeOwned + Default,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = json_bytes(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(T::default()));
        }
        parse_json(&bytes).map(OptionalJson)
    }
}

async fn json_bytes<S: Send + Sync>(
    req: axum::extract::Request,
    state: &S,
) -> Result<axum::body::Bytes, ApiError> {
    let json = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_none_or(|v| {
            v.to_str().is_ok_and(|t| {
                let t = t.trim().to_ascii_lowercase();
                t.starts_with("application/json") || t.contains("+json")
            })
        });
    if !json {
        return Err(ApiError::parameter(
            "body",
            "send the body as JSON (Content-Type: application/json)",
        ));
    }
    <axum::body::Bytes as axum::extract::FromRequest<S>>::from_request(req, state)
        .await
        .map_err(|e| ApiError::parameter("body", e.body_text()))
}

fn parse_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if has_escaped_nul(bytes) {
        // PostgreSQL stores no NUL in text, SQLite would; neither is a character anyone means.
        return Err(ApiError::parameter(
            "body",
            "a text may not contain the NUL character (\\u0000)",
        ));
    }
    // Every body is an object: serde would also take an array for a struct, by position.
    let text = bytes.trim_ascii();
    // By the first character, and the words by their whole spelling (`not json` is no null).
    let found = match text.first() {
        Some(b'{') => None,
        Some(b'[') => Some("a list (JSON array)"),
        Some(b'"') => Some("a string"),
        Some(b'-' | b'0'..=b'9') => Some("a number"),
        _ if text == b"true" || text == b"false" => Some("true or false"),
        _ if text == b"null" => Some("null"),
        Some(_) => Some("text that is not JSON"),
        None => Some("nothing"),
    };
    if let Some(found) = found {
        return Err(ApiError::parameter(
            "body",
            format!("the body must be a JSON object ({{\"…\": …}}); found {found}"),
        ));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let path = e.path().to_string();
        let raw = e.inner().to_string();
        let message = chengxin_catalog::plain_serde_message(&raw);
        // A missing field is named by the field; the whole body by `body`.
        let whole = path == "." || path == "?";
        let parameter = match raw
            .strip_prefix("missing field `")
            .and_then(|m| m.split('`').next())
        {
            Some(field) if whole => field.to_string(),
            Some(field) => format!("{path}.{field}"),
            None if whole => "body".to_string(),
            None => path,
        };
        ApiError::parameter(parameter, message)
    })?;
    // One JSON value and nothing after it: a body with more is malformed, not half-read.
    de.end().map_err(|e| {
        ApiError::parameter(
            "body",
            format!("text after the JSON value: {}", json_message(&e)),
        )
    })?;
    Ok(value)
}

/// serde's message for a JSON body, with Rust type names put in JSON's words
/// ("expected struct LoginRequest" → "expected a JSON object", "expected i64" → "expected a
/// whole number").
fn json_message(e: &serde_json::Error) -> String {
    chengxin_catalog::plain_serde_message(&e.to_string())
}
