//! Writing audit entries from the HTTP edge: refusals, non-public reads, writes.
//! 1798号 (二十四) "建立完善个人信息查询使用登记和审查制度"; 49号 (十三) "建立完善信息查询使用登记和审查制度".

use crate::AppState;
use crate::auth::Principal;
use chengxin_audit::{NewEntry, Outcome};
use chrono::Utc;

/// What to record about one action.
pub struct Record<'a> {
    pub action: &'a str,
    pub target: Option<&'a str>,
    pub purpose: Option<&'a str>,
    pub outcome: Outcome,
    pub detail: Option<String>,
}

/// Appends an entry for `principal`. A failure to audit is logged and reported to the caller as
/// an error by [`record`]'s callers where the action must not proceed unaudited.
pub async fn record(
    state: &AppState,
    principal: &Principal,
    r: Record<'_>,
) -> Result<(), crate::error::ApiError> {
    if r.outcome == Outcome::Refused {
        principal
            .refusal_audited
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }
    let entry = NewEntry {
        at: Utc::now(),
        actor: principal.actor(),
        role: principal.role.as_str().to_string(),
        department: principal.department(),
        action: r.action.to_string(),
        target: r.target.map(str::to_string),
        purpose: r.purpose.map(str::to_string),
        request_id: principal.request_id.clone(),
        outcome: r.outcome,
        detail: r.detail,
    };
    state
        .store
        .append_audit(&entry)
        .await
        .map(|_| ())
        .map_err(|e| {
            tracing::error!(error = %e, "audit append failed");
            crate::error::ApiError::Internal
        })
}

/// The action name of a request for the audit log: `METHOD /path`.
pub fn request_action(req: &axum::extract::Request) -> String {
    format!("{} {}", req.method(), req.uri().path())
}

/// Records a refused request (policy, credentials or CSRF). Best effort: a refusal is returned
/// to the caller even if the audit store is down, and the failure is logged.
pub async fn refusal(state: &AppState, principal: &Principal, action: &str, why: &str) {
    let _ = record(
        state,
        principal,
        Record {
            action,
            target: None,
            purpose: None,
            outcome: Outcome::Refused,
            detail: Some(why.to_string()),
        },
    )
    .await;
}

/// The store handle whose writes are audited as made by `principal` in this request.
pub fn acting(state: &AppState, principal: &Principal) -> chengxin_store::Store {
    state.store.acting_as(chengxin_store::Acting {
        role: principal.role.as_str().to_string(),
        department: principal.department(),
        request_id: principal.request_id.clone(),
    })
}
