//! The catalogue of API errors: one stable code per kind of failure, with its HTTP status.
//! Every error body is `{"error": {"code", "message", ...}}`; clients switch on `code`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chengxin_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code: `not_found`, `invalid_code`, `invalid_parameter`,
    /// `personal_identifier_not_public`, `unauthenticated` (401), `forbidden` (403: the route's
    /// policy refuses the caller's role, or a CSRF token is missing),
    /// `personal_data_not_authorised` (403: no live grant covers the read), `rate_limited` (429,
    /// with `Retry-After`), `conflict`, `method_not_allowed` (405),
    /// `unavailable`, `internal`.
    pub code: &'static str,
    /// What went wrong, for people.
    pub message: String,
    /// For `invalid_code`: the rule that failed (e.g. `check_character`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<&'static str>,
    /// For `invalid_code`: the 1-based position of the offending character.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<usize>,
    /// For `invalid_code`: the kind of code the input was read as.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    /// For `invalid_parameter`: the parameter at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
}

/// Errors a handler can answer with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    InvalidCode(Box<chengxin_codes::CodeError>),
    #[error("{parameter}: {message}")]
    InvalidParameter {
        parameter: std::borrow::Cow<'static, str>,
        message: String,
    },
    /// The path exists, but not for this method.
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("{0}")]
    PersonalIdentifierNotPublic(String),
    #[error("{0}")]
    Unauthenticated(String),
    #[error("{0}")]
    RateLimited(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    PersonalDataNotAuthorised(String),
    #[error("{0}")]
    Conflict(String),
    /// A rule refused the operation (lists: the refusal's stable code and the article it applies).
    #[error("{message}")]
    Refused { code: &'static str, message: String },
    #[error("the database is unavailable")]
    Unavailable,
    #[error("internal error")]
    Internal,
}

impl ApiError {
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::NotFound(_) => "not_found",
            ApiError::InvalidCode(_) => "invalid_code",
            ApiError::InvalidParameter { .. } => "invalid_parameter",
            ApiError::PersonalIdentifierNotPublic(_) => "personal_identifier_not_public",
            ApiError::Unauthenticated(_) => "unauthenticated",
            ApiError::RateLimited(_) => "rate_limited",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::PersonalDataNotAuthorised(_) => "personal_data_not_authorised",
            ApiError::Conflict(_) => "conflict",
            ApiError::Refused { code, .. } => code,
            ApiError::MethodNotAllowed(_) => "method_not_allowed",
            ApiError::Unavailable => "unavailable",
            ApiError::Internal => "internal",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::InvalidCode(_) | ApiError::InvalidParameter { .. } => StatusCode::BAD_REQUEST,
            ApiError::PersonalIdentifierNotPublic(_)
            | ApiError::Forbidden(_)
            | ApiError::PersonalDataNotAuthorised(_) => StatusCode::FORBIDDEN,
            ApiError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            ApiError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Refused { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn body(&self) -> ErrorBody {
        let (rule, position, kind) = match self {
            ApiError::InvalidCode(e) => (Some(e.rule.as_str()), e.position, Some(e.kind.as_str())),
            _ => (None, None, None),
        };
        ErrorBody {
            error: ErrorDetail {
                code: self.code(),
                // A message may say back what the caller sent (a code, a date, a name): masked,
                // like every public output (DESIGN.md principle 3).
                message: chengxin_codes::mask::redact(&self.to_string()),
                rule,
                position,
                kind,
                parameter: match self {
                    ApiError::InvalidParameter { parameter, .. } => Some(parameter.to_string()),
                    _ => None,
                },
            },
        }
    }

    pub fn parameter(
        parameter: impl Into<std::borrow::Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        ApiError::InvalidParameter {
            parameter: parameter.into(),
            message: message.into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => ApiError::NotFound(format!("no {what}")),
            StoreError::Conflict(m) => ApiError::Conflict(m),
            StoreError::Database(sqlx_error) => {
                tracing::error!(error = %sqlx_error, "database error");
                match sqlx_error {
                    chengxin_store::SqlxError::PoolTimedOut
                    | chengxin_store::SqlxError::PoolClosed
                    | chengxin_store::SqlxError::Io(_) => ApiError::Unavailable,
                    _ => ApiError::Internal,
                }
            }
            other => {
                tracing::error!(error = %other, "store error");
                ApiError::Internal
            }
        }
    }
}

impl ApiError {
    /// `res` (this error's answer, JSON or a page) carrying the refusal to audit when this is one
    /// (403), as `code: message`: the per-route middleware ([`crate::auth::enforce`]) records it
    /// unless the handler already did.
    pub(crate) fn marked_for_audit(&self, mut res: Response) -> Response {
        if self.status() == StatusCode::FORBIDDEN {
            res.extensions_mut()
                .insert(RefusalToAudit(format!("{}: {self}", self.code())));
        }
        res
    }
}

/// Carried by a refused response to the middleware that audits it (see
/// [`ApiError::marked_for_audit`]).
#[derive(Clone, Debug)]
pub(crate) struct RefusalToAudit(pub String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let res = (self.status(), Json(self.body())).into_response();
        self.marked_for_audit(res)
    }
}
