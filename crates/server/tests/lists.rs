//! Lists over HTTP (issue 5), through the real router: standards, the lifecycle of a serious-list
//! entry by its identifying department, the refusals with their article, an objection that
//! suspends the entry, and the explainable status as of a date.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chengxin_access::Role;
use chengxin_registry::{Provenance, SubjectData, SubjectKind};
use chengxin_server::{AppState, app};
use chengxin_store::Store;
use chrono::{Days, NaiveDate};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tower::ServiceExt;

const DEPT: &str = "11350100MB0000019U";
const OTHER_DEPT: &str = "11350100MB0000027N";
const U1: &str = "91350100M000100Y43";
const U2: &str = "91511304D32C4APB95";

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
    common::departments(
        &store,
        &[
            (DEPT, "国家税务总局福州市税务局"),
            (OTHER_DEPT, "福州市生态环境局"),
        ],
        start(),
    )
    .await;
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
    store
        .register(data, prov.clone(), start())
        .await
        .expect("subject");
    let other = SubjectData {
        uscc: Some(U2.into()),
        ..SubjectData::new(SubjectKind::LegalPerson, "山西另一家贸易有限公司")
    };
    store.register(other, prov, start()).await.expect("subject");
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
        ("other-handler", Role::Handler, Some(OTHER_DEPT)),
    ] {
        let secret = common::account_with_key(&store, name, role, dept, None).await;
        keys.insert(name, secret);
    }
    // The company's own account, and another company's.
    for (name, subject) in [("enterprise", U1), ("other-enterprise", U2)] {
        let secret =
            common::account_with_key(&store, name, Role::Enterprise, None, Some(subject)).await;
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
    let id = proposed_entry(&f).await;

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
    // The public API carries the public part only; a handler sees it all, and so does the
    // company itself (国办发〔2021〕52号), not another company.
    assert_eq!(after["complete"], false);
    for (who, complete) in [
        ("handler", true),
        ("enterprise", true),
        ("other-enterprise", false),
    ] {
        let (st, v) = call(
            &f,
            "GET",
            &format!("/api/v1/subjects/{U1}/lists"),
            Some(who),
            Value::Null,
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{who}: {v}");
        assert_eq!(v["complete"], complete, "{who}: {v}");
    }
}

/// 谁认定、谁负责 over HTTP: a handler of another department can neither accept nor refuse an
/// objection to an entry (1798号 (二十二) 「由认定部门（单位）核实」); the identifying department
/// cannot take an entry off its list as "repaired" without the subject's repair application
/// (国家发展改革委令第36号), nor as "standard changed" while the standard has no newer version
/// (1798号 (十八) 四).
#[tokio::test]
async fn only_the_identifying_department_handles_and_exits_by_the_rules() {
    let f = fixture().await;
    let id = listed_entry(&f).await;
    f.days.store(15, Ordering::SeqCst);
    let (st, objection) = call(
        &f,
        "POST",
        "/api/v1/objections",
        None,
        json!({"subject": U1, "entry": id, "applicant": "福州某某科技有限公司", "grounds": "认定有误"}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{objection}");
    let oid = objection["id"].as_str().expect("receipt").to_string();
    for step in ["accept", "refuse"] {
        let (st, body) = call(
            &f,
            "POST",
            &format!("/api/v1/applications/{oid}/{step}"),
            Some("other-handler"),
            json!({"reasons": "不符合受理条件"}),
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{step}: {body}");
        assert_eq!(
            body["error"]["code"], "not_identifying_department",
            "{body}"
        );
    }
    let (_, seen) = call(
        &f,
        "GET",
        &format!("/api/v1/applications/{oid}"),
        Some("handler"),
        Value::Null,
    )
    .await;
    assert_eq!(seen["objection"]["state"]["state"], "submitted", "{seen}");
    let (st, body) = call(
        &f,
        "POST",
        &format!("/api/v1/applications/{oid}/refuse"),
        Some("handler"),
        json!({"reasons": "非本主体提出且无授权"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");

    for (reason, code) in [
        ("repaired", "exit_reason_not_manual"),
        ("standard_changed", "standard_unchanged"),
    ] {
        let (st, body) = call(
            &f,
            "POST",
            &format!("/api/v1/list-entries/{id}/exit"),
            Some("identifier"),
            json!({"exit_reason": reason, "document": "闽税〔2026〕9号", "reason": "已修复"}),
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{reason}: {body}");
        assert_eq!(body["error"]["code"], code, "{body}");
    }
    let (_, now) = call(
        &f,
        "GET",
        &format!("/api/v1/subjects/{U1}/lists"),
        None,
        Value::Null,
    )
    .await;
    assert_eq!(now["lists"][0]["kind"], "serious", "{now}");
}

/// Imports the standards and proposes the serious entry for U1 (as the identifying
/// department); its id.
async fn proposed_entry(f: &Fixture) -> String {
    import_standards(f).await;
    let (st, body) = call(
        f,
        "POST",
        "/api/v1/list-entries",
        Some("identifier"),
        proposal(),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    body["book"]["entries"][0]["id"]
        .as_str()
        .expect("entry id")
        .to_string()
}

/// Proposes, notifies, delivers and lists a serious entry for U1 (days 0, 1, 14); its id.
async fn listed_entry(f: &Fixture) -> String {
    let id = proposed_entry(f).await;
    let step = |s: &'static str, body: Value| {
        let uri = format!("/api/v1/list-entries/{id}/{s}");
        async move {
            let (st, b) = call(f, "POST", &uri, Some("identifier"), body).await;
            assert_eq!(st, StatusCode::OK, "{s}: {b}");
        }
    };
    step("notice", json!({"document": "闽税告〔2026〕8号"})).await;
    f.days.store(1, Ordering::SeqCst);
    step("delivery", Value::Null).await;
    f.days.store(14, Ordering::SeqCst);
    step("list", Value::Null).await;
    id
}

/// The part of the /lists page above its announcements (the entries on the lists).
fn listed_rows(html: &str) -> &str {
    html.split("<section class=\"announcements\"")
        .next()
        .unwrap_or(html)
}

/// A portal request: status, headers, body text.
async fn page(f: &Fixture, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
    let res = app(f.state.clone()).oneshot(req).await.expect("response");
    let (parts, body) = res.into_parts();
    let bytes = body.collect().await.expect("body").to_bytes();
    (
        parts.status,
        parts.headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

fn get(uri: &str) -> Request<Body> {
    Request::builder()
        .uri(uri)
        .body(Body::empty())
        .expect("request")
}

fn form_post(cookie: Option<&str>, fields: &[(&str, &str)]) -> Request<Body> {
    let body: String = fields
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut b = Request::builder()
        .method("POST")
        .uri("/objections")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::from(body)).expect("request")
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn art_1798_9_portal_publishes_the_listing_and_takes_objections_with_masked_receipts() {
    let f = fixture().await;
    let entry = listed_entry(&f).await;

    // 1798号 (九)(十一): the lists page and the subject page show the listing and why.
    let (st, _, html) = page(&f, get("/lists?kind=serious")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("福州某某科技有限公司"), "{html}");
    assert!(
        html.contains("国家税务总局福州市税务局"),
        "department by name"
    );
    assert!(html.contains("列入公告"), "listing announcement shown");
    assert!(
        !html.contains("/ by "),
        "a Chinese notice has no English deadline: {html}"
    );
    let (_, _, html) = page(&f, get("/lists?kind=red")).await;
    // The announcements below the rows name the subject now (1798号 (九)).
    assert!(
        !listed_rows(&html).contains("福州某某科技有限公司"),
        "not on a red list"
    );
    let (st, _, html) = page(&f, get("/lists?kind=grey")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("没有“grey”这种名单"), "{html}");
    let (_, _, html) = page(&f, get(&format!("/subjects/{U1}"))).await;
    assert!(html.contains("严重失信主体名单") && html.contains("闽税稽罚〔2026〕8号"));
    assert!(!html.contains("核查中"), "nothing under verification yet");

    // Pages say in Chinese what went wrong, without the API's parameter names or English.
    let (st, _, html) = page(&f, get(&format!("/objections/new?subject={U1}"))).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(
        html.contains("请从主体页面") && !html.contains("entry:"),
        "{html}"
    );
    let (st, _, html) = page(&f, get("/subjects/911402224J06X49E7P")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert!(
        html.contains("没有找到") && !html.contains("no subject"),
        "{html}"
    );

    // The form hands out a double-submit token; a post without it is refused.
    let form_uri = format!("/objections/new?subject={U1}&entry={entry}");
    let (st, headers, html) = page(&f, get(&form_uri)).await;
    assert_eq!(st, StatusCode::OK, "{html}");
    let cookie = headers
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.split(';').next())
        .expect("csrf cookie")
        .to_string();
    let token = cookie.split('=').nth(1).expect("token").to_string();
    assert!(html.contains(&token), "token in the form");
    let fields = |applicant: &'static str, grounds: &'static str| {
        vec![
            ("csrf", token.clone()),
            ("subject", U1.to_string()),
            ("entry", entry.clone()),
            ("record", String::new()),
            ("applicant", applicant.to_string()),
            ("grounds", grounds.to_string()),
            ("evidence", "立案回执\n证人 11010519491231002X".to_string()),
        ]
    };
    let post = |cookie: Option<&str>, v: Vec<(&'static str, String)>| {
        let pairs: Vec<(&str, &str)> = v.iter().map(|(k, s)| (*k, s.as_str())).collect();
        form_post(cookie, &pairs)
    };
    let good = fields("张三 13812345678", "发票系他人冒用本公司名义开具");
    let (st, _, html) = page(&f, post(None, good.clone())).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{html}");
    // A form without its fields is a Chinese page, not a parser's English.
    let (st, _, html) = page(&f, form_post(Some(&cookie), &[("applicant", "x")])).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{html}");
    assert!(
        html.contains("表单有误") && !html.contains("missing field"),
        "{html}"
    );

    // Empty grounds: the form comes back with the error and what was typed.
    let (st, _, html) = page(&f, post(Some(&cookie), fields("李四", "  "))).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{html}");
    assert!(html.contains("grounds") && html.contains("李四"), "{html}");

    // Filed: redirected to the receipt page, which masks what the applicant typed.
    let (st, headers, _) = page(&f, post(Some(&cookie), good)).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let receipt = headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .expect("location")
        .to_string();
    assert!(receipt.starts_with("/applications/objection-"), "{receipt}");
    let (st, _, html) = page(&f, get(&receipt)).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        html.contains("受理期限") && html.contains("办结期限"),
        "{html}"
    );
    assert!(html.contains("138****5678"), "{html}");
    assert_eq!(chengxin_codes::mask::find_unmasked(&html), None, "{html}");
    let oid = receipt.trim_start_matches("/applications/");
    let (_, public) = call(
        &f,
        "GET",
        &format!("/api/v1/applications/{oid}"),
        None,
        Value::Null,
    )
    .await;
    assert_eq!(
        chengxin_codes::mask::find_unmasked(&public.to_string()),
        None,
        "{public}"
    );
    let (_, staff) = call(
        &f,
        "GET",
        &format!("/api/v1/applications/{oid}"),
        Some("handler"),
        Value::Null,
    )
    .await;
    assert_eq!(staff["objection"]["applicant"], "张三 13812345678");

    // 33号 (二十二): the subject page now marks the entry under verification.
    let (_, _, html) = page(&f, get(&format!("/subjects/{U1}"))).await;
    assert!(html.contains("核查中"), "{html}");
    // And so does the public lists page, beside the entry.
    let (_, _, html) = page(&f, get("/lists?kind=serious")).await;
    assert!(
        html.contains("<span class=\"tag verifying\">核查中</span>"),
        "{html}"
    );
}

#[tokio::test]
async fn art_1798_18_the_server_exits_expired_entries_once_a_day() {
    let f = fixture().await;
    listed_entry(&f).await;
    let mut last = None;
    // Listed on day 14 for 36 months: nothing is due yet, and a second call the same day is a
    // no-op.
    assert_eq!(
        chengxin_server::expiry_tick(&f.state, &mut last).await,
        Some(0)
    );
    assert_eq!(
        chengxin_server::expiry_tick(&f.state, &mut last).await,
        None
    );
    let (_, _, html) = page(&f, get("/lists")).await;
    assert!(html.contains("福州某某科技有限公司"));
    // 2029-11-16, the first day off the list.
    f.days.store(14 + 1096, Ordering::SeqCst);
    assert_eq!(
        chengxin_server::expiry_tick(&f.state, &mut last).await,
        Some(1)
    );
    let (_, _, html) = page(&f, get("/lists")).await;
    assert!(
        !listed_rows(&html).contains("福州某某科技有限公司"),
        "expired entry still listed"
    );
    assert!(html.contains("退出公告"), "exit announcement shown");
    let (_, body) = call(
        &f,
        "GET",
        &format!("/api/v1/subjects/{U1}/lists"),
        None,
        Value::Null,
    )
    .await;
    assert_eq!(body["lists"].as_array().map(Vec::len), Some(0), "{body}");
    // The day before, it was still on the list.
    let (_, body) = call(
        &f,
        "GET",
        &format!("/api/v1/subjects/{U1}/lists?as_of=2029-11-15"),
        None,
        Value::Null,
    )
    .await;
    assert_eq!(body["lists"][0]["kind"], "serious", "{body}");
}

/// The objection form names the entry by its document as the public may see it: a personal
/// number written into the document's text is masked there too.
#[tokio::test]
async fn the_objection_form_masks_personal_numbers_in_the_document() {
    let f = fixture().await;
    import_standards(&f).await;
    let mut body = proposal();
    body["document"] = "闽税稽罚〔2026〕9号（当事人11010519491231002X）".into();
    let (st, book) = call(&f, "POST", "/api/v1/list-entries", Some("identifier"), body).await;
    assert_eq!(st, StatusCode::CREATED, "{book}");
    let entry = book["book"]["entries"][0]["id"]
        .as_str()
        .expect("entry id")
        .to_string();
    let (st, _, html) = page(
        &f,
        get(&format!("/objections/new?subject={U1}&entry={entry}")),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{html}");
    assert!(html.contains("闽税稽罚〔2026〕9号"), "{html}");
    assert!(!html.contains("11010519491231002X"), "{html}");
    assert_eq!(chengxin_codes::mask::find_unmasked(&html), None);
}

/// Nobody outside staff work finds out whether a citizen ID number is in the registry: the list
/// status and the objection routes (API and portal form) answer a known and an unknown number the
/// same way, and the subject's key still works.
#[tokio::test]
async fn citizen_id_numbers_are_not_a_public_way_in() {
    let f = fixture().await;
    let known = "440524188001010014";
    let unknown = "11010519491231002X";
    let person = register_wang(&f, known).await;
    for id in [known, unknown, "44052418800101001 4"] {
        let (status, v) = call(
            &f,
            "GET",
            &format!("/api/v1/subjects/{}/lists", id.replace(' ', "%20")),
            None,
            Value::Null,
        )
        .await;
        assert_eq!(
            (status, v["error"]["code"].as_str()),
            (
                StatusCode::FORBIDDEN,
                Some("personal_identifier_not_public")
            ),
            "{id}: {v}"
        );
        let (status, v) = call(
            &f,
            "POST",
            "/api/v1/objections",
            None,
            json!({"subject": id, "record": 1, "applicant": "x", "grounds": "y"}),
        )
        .await;
        assert_eq!(
            (status, v["error"]["code"].as_str()),
            (
                StatusCode::FORBIDDEN,
                Some("personal_identifier_not_public")
            ),
            "{id}: {v}"
        );
        let (status, _, body) = page(
            &f,
            Request::get(format!(
                "/objections/new?subject={}&record=1",
                id.replace(' ', "%20")
            ))
            .body(Body::empty())
            .expect("request"),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{id}: {body}");
        assert!(!body.contains("王"), "{body}");
    }
    let (status, v) = call(
        &f,
        "GET",
        &format!("/api/v1/subjects/{}/lists", person.key),
        None,
        Value::Null,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let (status, v) = call(
        &f,
        "GET",
        &format!("/api/v1/subjects/{known}/lists"),
        Some("operator"),
        Value::Null,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "staff still look people up: {v}");
}

/// A natural person's full name and ID number written into a listing's reason are masked
/// wherever the public reads it: the lists page's announcements, the subject page and the
/// public list-status answer.
#[tokio::test]
async fn a_persons_name_in_a_listing_reason_is_masked_for_the_public() {
    let f = fixture().await;
    let person = register_wang(&f, "440524188001010014").await;
    import_standards(&f).await;
    let mut body = proposal();
    body["subject"] = json!(person.key);
    body["reason"] = json!("纳税人王小明（身份证 440524 18800101 0014）虚开增值税专用发票");
    let (st, b) = call(&f, "POST", "/api/v1/list-entries", Some("identifier"), body).await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let id = b["book"]["entries"][0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    for (s, body, day) in [
        ("notice", json!({"document": "闽税告〔2026〕9号"}), 0),
        ("delivery", Value::Null, 1),
        ("list", Value::Null, 14),
    ] {
        f.days.store(day, Ordering::SeqCst);
        let (st, b) = call(
            &f,
            "POST",
            &format!("/api/v1/list-entries/{id}/{s}"),
            Some("identifier"),
            body,
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{s}: {b}");
    }
    let (_, _, lists) = page(&f, get("/lists?kind=serious")).await;
    let (_, _, subject) = page(&f, get(&format!("/subjects/{}", person.key))).await;
    let (_, answer) = call(
        &f,
        "GET",
        &format!("/api/v1/subjects/{}/lists", person.key),
        None,
        Value::Null,
    )
    .await;
    let answer = answer.to_string();
    assert!(lists.contains("虚开增值税专用发票"), "{lists}");
    assert!(answer.contains("纳税人王**"), "{answer}");
    for shown in [&lists, &subject, &answer] {
        assert!(
            !shown.contains("王小明") && !shown.contains("18800101"),
            "{shown}"
        );
    }
}

/// Registers the natural person 王小明 with citizen ID `id`.
async fn register_wang(f: &Fixture, id: &str) -> chengxin_registry::Subject {
    f.state
        .store
        .register(
            SubjectData {
                citizen_id: Some(id.into()),
                ..SubjectData::new(SubjectKind::NaturalPerson, "王小明")
            },
            Provenance {
                actor: "t".into(),
                reason: "t".into(),
                source: "t".into(),
                valid_from: start(),
            },
            start(),
        )
        .await
        .expect("person")
}

/// Lists U1 on the three default watch standards (env, market, safety) on day 0, which enters it
/// on the big-data warning list; the watch entries' ids and the response of the last listing.
async fn three_watch_entries(f: &Fixture) -> (Vec<String>, Value) {
    import_standards(f).await;
    let mut ids = Vec::new();
    let mut last = Value::Null;
    for (standard, document) in [
        ("env-watch", "榕环罚〔2026〕9号"),
        ("market-watch", "榕市监罚〔2026〕9号"),
        ("safety-watch", "榕应急罚〔2026〕9号"),
    ] {
        let body = json!({"subject": U1, "standard": standard, "document": document, "reason": "一年内两次违法"});
        let (st, b) = call(f, "POST", "/api/v1/list-entries", Some("identifier"), body).await;
        assert_eq!(st, StatusCode::CREATED, "{b}");
        let id = b["book"]["entries"]
            .as_array()
            .and_then(|a| a.last())
            .and_then(|e| e["id"].as_str())
            .expect("entry id")
            .to_string();
        let uri = format!("/api/v1/list-entries/{id}/list");
        let (st, b) = call(f, "POST", &uri, Some("identifier"), Value::Null).await;
        assert_eq!(st, StatusCode::OK, "{b}");
        ids.push(id);
        last = b;
    }
    (ids, last)
}

fn get_as(f: &Fixture, uri: &str, key: Option<&str>) -> Request<Body> {
    let mut b = Request::builder().uri(uri);
    if let Some(k) = key {
        b = b.header(header::AUTHORIZATION, format!("Bearer {}", f.keys[k]));
    }
    b.body(Body::empty()).expect("request")
}

/// 1798号 (十六): watch entries are shared, not published. Neither the public nor another
/// enterprise finds them named in the warning entry's origin or described on the objection form;
/// the subject's own account and staff do.
#[tokio::test]
async fn art_1798_16_unpublished_watch_entries_are_never_named_to_the_public() {
    let f = fixture().await;
    let (watches, _) = three_watch_entries(&f).await;
    let uri = format!("/api/v1/subjects/{U1}/lists");
    for reader in [None, Some("other-enterprise")] {
        let (st, b) = call(&f, "GET", &uri, reader, Value::Null).await;
        assert_eq!(st, StatusCode::OK, "{b}");
        let lists = b["lists"].as_array().expect("lists");
        assert_eq!(lists.len(), 1, "{b}");
        assert_eq!(lists[0]["kind"], "warning", "{b}");
        let text = b.to_string();
        for w in &watches {
            assert!(!text.contains(w.as_str()), "{reader:?}: {text}");
            let form = format!("/objections/new?subject={U1}&entry={w}");
            let (st, _, html) = page(&f, get_as(&f, &form, reader)).await;
            assert_eq!(st, StatusCode::NOT_FOUND, "{reader:?}: {html}");
            assert!(
                !html.contains("榕环罚") && !html.contains("重点关注名单（"),
                "{html}"
            );
        }
    }
    for reader in ["enterprise", "operator"] {
        let (_, b) = call(&f, "GET", &uri, Some(reader), Value::Null).await;
        assert!(b.to_string().contains(watches[0].as_str()), "{reader}: {b}");
        let form = format!("/objections/new?subject={U1}&entry={}", watches[0]);
        let (st, _, html) = page(&f, get_as(&f, &form, Some(reader))).await;
        assert_eq!(st, StatusCode::OK, "{reader}: {html}");
        assert!(html.contains("榕环罚〔2026〕9号"), "{html}");
    }
}

/// The lists routes answer in Chinese and English, like their 422 refusals (found by QA: a 403,
/// the 404s and the route policy's refusal were English only).
#[tokio::test]
async fn list_route_errors_are_bilingual() {
    let f = fixture().await;
    let entry = proposed_entry(&f).await;
    let repair =
        json!({"subject": U1, "entry": entry, "applicant": "另一家", "method": "履行义务"});
    let cases = [
        (
            "POST",
            "/api/v1/repairs".to_string(),
            Some("other-enterprise"),
            repair,
            StatusCode::FORBIDDEN,
        ),
        (
            "GET",
            "/api/v1/subjects/911402224J06X49E7P/lists".to_string(),
            None,
            Value::Null,
            StatusCode::NOT_FOUND,
        ),
        (
            "POST",
            "/api/v1/list-entries/entry-nope/list".to_string(),
            Some("identifier"),
            Value::Null,
            StatusCode::NOT_FOUND,
        ),
        (
            "POST",
            format!("/api/v1/list-entries/{entry}/foo"),
            Some("identifier"),
            Value::Null,
            StatusCode::NOT_FOUND,
        ),
        (
            "POST",
            "/api/v1/applications/objection-nope/accept".to_string(),
            Some("handler"),
            Value::Null,
            StatusCode::NOT_FOUND,
        ),
        (
            "POST",
            "/api/v1/list-standards".to_string(),
            Some("identifier"),
            Value::Null,
            StatusCode::FORBIDDEN,
        ),
        (
            "POST",
            "/api/v1/list-entries".to_string(),
            None,
            proposal(),
            StatusCode::UNAUTHORIZED,
        ),
    ];
    for (method, uri, key, body, status) in cases {
        let (st, b) = call(&f, method, &uri, key, body).await;
        assert_eq!(st, status, "{method} {uri}: {b}");
        let message = b["error"]["message"].as_str().expect("message");
        assert!(
            message
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
                && message.contains(" / "),
            "{method} {uri}: {message}"
        );
    }
}
