//! Lists over HTTP (issue 5), through the real router: standards, the lifecycle of a serious-list
//! entry by its identifying department, the refusals with their article, an objection that
//! suspends the entry, and the explainable status as of a date.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chengxin_access::Role;
use chengxin_registry::{Provenance, SubjectData, SubjectKind};
use chengxin_server::{AppState, app};
use chengxin_store::{NewAccount, Store};
use chrono::{Days, Duration, NaiveDate, Utc};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tower::ServiceExt;

const DEPT: &str = "11350100MB0000019U";
const OTHER_DEPT: &str = "11350100MB0000027N";
const U1: &str = "91350100M000100Y43";

fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 2).expect("date")
}

struct Fixture {
    state: AppState,
    keys: HashMap<&'static str, String>,
    /// Days after `start()` that the server's clock shows.
    days: Arc<AtomicU64>,
}

async fn fixture() -> Fixture {
    let store = Store::connect("sqlite::memory:").await.expect("store");
    for (code, name) in [
        (DEPT, "国家税务总局福州市税务局"),
        (OTHER_DEPT, "福州市生态环境局"),
    ] {
        store
            .add_department(code, name, "t", start())
            .await
            .expect("department");
    }
    let data = SubjectData {
        uscc: Some(U1.into()),
        ..SubjectData::new(SubjectKind::LegalPerson, "福州某某科技有限公司")
    };
    let prov = Provenance {
        actor: "t".into(),
        reason: "设立登记".into(),
        source: "t".into(),
        valid_from: NaiveDate::from_ymd_opt(2020, 1, 1).expect("date"),
    };
    store.register(data, prov, start()).await.expect("subject");
    let mut keys = HashMap::new();
    for (name, role, dept) in [
        ("operator", Role::Operator, None),
        ("identifier", Role::IdentifyingOfficer, Some(DEPT)),
        (
            "other-identifier",
            Role::IdentifyingOfficer,
            Some(OTHER_DEPT),
        ),
        ("handler", Role::Handler, Some(DEPT)),
    ] {
        store
            .create_account(
                NewAccount {
                    username: name.into(),
                    display_name: name.into(),
                    role,
                    department_code: dept.map(str::to_string),
                    subject_key: None,
                    password: None,
                },
                "t",
            )
            .await
            .expect("account");
        let (secret, _) = store
            .create_api_key(name, "test", Utc::now() + Duration::days(1), "t")
            .await
            .expect("key");
        keys.insert(name, secret);
    }
    let days = Arc::new(AtomicU64::new(0));
    let d = days.clone();
    let clock = Arc::new(move || start() + Days::new(d.load(Ordering::SeqCst)));
    Fixture {
        state: AppState::with_clock(store, clock),
        keys,
        days,
    }
}

async fn call(
    f: &Fixture,
    method: &str,
    uri: &str,
    key: Option<&str>,
    body: Value,
) -> (StatusCode, Value) {
    let mut b = Request::builder().method(method).uri(uri);
    if !body.is_null() {
        b = b.header(header::CONTENT_TYPE, "application/json");
    }
    if let Some(k) = key {
        b = b.header(header::AUTHORIZATION, format!("Bearer {}", f.keys[k]));
    }
    let payload = if body.is_null() {
        Vec::new()
    } else {
        body.to_string().into_bytes()
    };
    let res = app(f.state.clone())
        .oneshot(b.body(Body::from(payload)).expect("request"))
        .await
        .expect("response");
    let status = res.status();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    let v = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    (status, v)
}

async fn import_standards(f: &Fixture) {
    let mut b = Request::builder()
        .method("POST")
        .uri("/api/v1/list-standards")
        .header(
            header::AUTHORIZATION,
            format!("Bearer {}", f.keys["operator"]),
        );
    b = b.header(header::CONTENT_TYPE, "text/plain");
    let res = app(f.state.clone())
        .oneshot(
            b.body(Body::from(chengxin_lists::DEFAULT_STANDARDS_TOML))
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(res.status(), StatusCode::OK);
}

fn proposal() -> Value {
    json!({
        "subject": U1,
        "standard": "tax-major-violation",
        "document": "闽税稽罚〔2026〕8号",
        "reason": "虚开增值税专用发票",
        "watch_months": 12
    })
}

#[tokio::test]
async fn art_49_7_only_a_named_department_identifies_over_http() {
    let f = fixture().await;
    import_standards(&f).await;
    let (st, body) = call(
        &f,
        "POST",
        "/api/v1/list-entries",
        Some("other-identifier"),
        proposal(),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "department_not_named");
    // The public cannot propose at all.
    let (st, _) = call(&f, "POST", "/api/v1/list-entries", None, proposal()).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn art_1798_7_serious_entry_notified_listed_explained_and_suspended_by_objection() {
    let f = fixture().await;
    import_standards(&f).await;
    let (st, body) = call(
        &f,
        "POST",
        "/api/v1/list-entries",
        Some("identifier"),
        proposal(),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let id = body["book"]["entries"][0]["id"]
        .as_str()
        .expect("entry id")
        .to_string();

    // Listing before any notice is refused (1798号 (七)).
    let (st, body) = call(
        &f,
        "POST",
        &format!("/api/v1/list-entries/{id}/list"),
        Some("identifier"),
        Value::Null,
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "notice_required");

    let (st, body) = call(
        &f,
        "POST",
        &format!("/api/v1/list-entries/{id}/notice"),
        Some("identifier"),
        json!({"document": "闽税告〔2026〕8号"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    f.days.store(1, Ordering::SeqCst);
    let (st, body) = call(
        &f,
        "POST",
        &format!("/api/v1/list-entries/{id}/delivery"),
        Some("identifier"),
        Value::Null,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    // Still inside the response period.
    let (st, _) = call(
        &f,
        "POST",
        &format!("/api/v1/list-entries/{id}/list"),
        Some("identifier"),
        Value::Null,
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    f.days.store(14, Ordering::SeqCst); // 2026-11-16
    let (st, body) = call(
        &f,
        "POST",
        &format!("/api/v1/list-entries/{id}/list"),
        Some("identifier"),
        Value::Null,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");

    // The status says why, as of any date; nothing before the listing.
    let (st, body) = call(
        &f,
        "GET",
        &format!("/api/v1/subjects/{U1}/lists?as_of=2026-11-20"),
        None,
        Value::Null,
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    let line = &body["lists"][0];
    assert_eq!(line["kind"], "serious");
    assert_eq!(line["document"], "闽税稽罚〔2026〕8号");
    assert_eq!(line["department"], DEPT);
    assert!(
        line["legal_basis"]
            .as_array()
            .is_some_and(|a| !a.is_empty()),
        "{line}"
    );
    assert_eq!(line["suspended"], false);
    let (_, before) = call(
        &f,
        "GET",
        &format!("/api/v1/subjects/{U1}/lists?as_of=2026-11-10"),
        None,
        Value::Null,
    )
    .await;
    assert_eq!(before["lists"].as_array().map(Vec::len), Some(0));

    // Anyone concerned objects; the entry is under verification at once (33号 (二十二)).
    f.days.store(15, Ordering::SeqCst);
    let (st, objection) = call(
        &f,
        "POST",
        "/api/v1/objections",
        None,
        json!({
            "subject": U1, "entry": id, "applicant": "福州某某科技有限公司 0591-0000",
            "grounds": "发票系他人冒用本公司名义开具", "evidence": ["立案回执"]
        }),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{objection}");
    let oid = objection["id"].as_str().expect("receipt").to_string();
    assert!(
        objection["accept_by"].is_object() || objection["accept_by"].is_string(),
        "deadlines shown: {objection}"
    );
    let (_, now) = call(
        &f,
        "GET",
        &format!("/api/v1/subjects/{U1}/lists"),
        None,
        Value::Null,
    )
    .await;
    assert_eq!(now["lists"][0]["suspended"], true, "{now}");
    // The applicant follows it with the receipt.
    let (st, seen) = call(
        &f,
        "GET",
        &format!("/api/v1/applications/{oid}"),
        None,
        Value::Null,
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(seen["objection"]["id"], oid.as_str());

    // The handler accepts and dismisses it: measures resume.
    let (st, body) = call(
        &f,
        "POST",
        &format!("/api/v1/applications/{oid}/accept"),
        Some("handler"),
        json!({"reasons": "材料齐全"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    f.days.store(17, Ordering::SeqCst);
    let (st, body) = call(
        &f,
        "POST",
        &format!("/api/v1/applications/{oid}/decide"),
        Some("handler"),
        json!({"outcome": "dismissed", "reasons": "经核查，发票由该公司开具"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let (_, after) = call(
        &f,
        "GET",
        &format!("/api/v1/subjects/{U1}/lists"),
        None,
        Value::Null,
    )
    .await;
    assert_eq!(after["lists"][0]["suspended"], false, "{after}");
    // The public API carries the public part only; a handler sees it all.
    assert_eq!(after["complete"], false);
}
