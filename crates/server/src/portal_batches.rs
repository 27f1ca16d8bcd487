//! 数据报送 on the portal: a department's data officer (or an operator, for any registered
//! department) sends a file from the browser, sees at once what was kept and which rows were
//! refused and why, and finds the department's earlier batches with their reports.
//!
//! The form posts `multipart/form-data` (no script needed). The fields come before the file,
//! so who may send what is checked before the file is read; the file is streamed to a temporary
//! file and ingested exactly as `POST /api/v1/batches` does (one batch, whole or nothing). A
//! committed batch is answered with a redirect to its page (POST-redirect-GET); a file refused
//! whole is answered with the form again, saying why.

use crate::AppState;
use crate::auth::{Principal, Via};
use crate::collect_api::{
    BatchTarget, Upload, batch_target, may_see_department, save_upload, spawn_batch, upload_path,
};
use crate::error::ApiError;
use crate::portal::{PageError, PagePath, error_page};
use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chengxin_access::Role;
use chengxin_catalog::Catalog;
use chengxin_collect::Format;
use chengxin_collect::ingest::active_catalog;
use chengxin_store::{BatchInfo, Rejection};

/// Refused rows shown on a batch's page; the whole report is the CSV download.
const SHOWN_REJECTIONS: usize = 200;
/// Batches listed under the form.
const LISTED_BATCHES: i64 = 30;

pub(crate) struct Choice {
    code: String,
    name: String,
}

pub(crate) struct BatchLine {
    id: i64,
    received_at: String,
    department: String,
    item: String,
    file_name: String,
    rows: i64,
    accepted: i64,
    changed: i64,
    unchanged: i64,
    rejected: i64,
}

/// A refused row as an officer reads it: the field by its Chinese name, the rule by its label.
pub(crate) struct RefusedRow {
    row_no: u64,
    line: u64,
    field: String,
    rule: String,
    message: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "batches.html")]
pub(crate) struct BatchesPage {
    csrf: String,
    items: Vec<Choice>,
    /// Operators choose the department; a data officer sends for its own.
    departments: Vec<Choice>,
    own_department: Option<String>,
    batches: Vec<BatchLine>,
    /// A file refused whole: what to tell the sender.
    refusal: Option<String>,
    /// Strict mode: the refused rows of a file refused whole.
    refused_rows: Vec<RefusedRow>,
    refused_total: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "batch.html")]
pub(crate) struct BatchPage {
    batch: BatchLine,
    format: String,
    encoding: String,
    submitted_by: String,
    review: i64,
    blank: i64,
    sha256: String,
    rows: Vec<RefusedRow>,
    total_refused: usize,
    /// Rows above the header skipped as the sheet's title: (line, text).
    titles: Vec<(u64, String)>,
}

fn session_csrf(principal: &Principal) -> String {
    match &principal.via {
        Via::Session { csrf, .. } => csrf.clone(),
        _ => String::new(),
    }
}

/// Names of departments by code, and the catalog in force.
async fn names(state: &AppState) -> Result<(Vec<Choice>, Catalog), PageError> {
    let departments = state
        .store
        .departments()
        .await?
        .into_iter()
        .map(|d| Choice {
            code: d.code,
            name: d.name,
        })
        .collect();
    let (catalog, _) = active_catalog(&state.store)
        .await
        .map_err(|e| PageError::from(crate::collect_api::internal(&e)))?;
    Ok((departments, catalog))
}

fn name_of<'a>(choices: &'a [Choice], code: &'a str) -> &'a str {
    choices
        .iter()
        .find(|c| c.code == code)
        .map_or(code, |c| c.name.as_str())
}

fn line(b: &BatchInfo, departments: &[Choice], catalog: &Catalog) -> BatchLine {
    BatchLine {
        id: b.id,
        received_at: crate::china_time(b.received_at)
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        department: name_of(departments, &b.department).to_string(),
        item: catalog
            .item(&b.item)
            .map_or(b.item.clone(), |i| i.name.clone()),
        file_name: b.file_name.clone(),
        rows: b.rows,
        accepted: b.accepted,
        changed: b.changed,
        unchanged: b.unchanged,
        rejected: b.rejected,
    }
}

fn refused_rows(
    rows: &[Rejection],
    item: Option<&chengxin_catalog::CatalogItem>,
) -> Vec<RefusedRow> {
    rows.iter()
        .take(SHOWN_REJECTIONS)
        .map(|r| RefusedRow {
            row_no: r.row_no,
            line: r.line,
            field: match item.and_then(|i| i.field(&r.field)) {
                Some(f) => format!("{}（{}）", f.name, f.code),
                None => r.field.clone(),
            },
            rule: match chengxin_catalog::rule_label_zh(&r.rule) {
                Some(label) => format!("{label}（{}）", r.rule),
                None => r.rule.clone(),
            },
            message: r.message.clone(),
        })
        .collect()
}

async fn form_page(
    state: &AppState,
    principal: &Principal,
    refusal: Option<String>,
    refused: &[Rejection],
    refused_item: Option<&str>,
) -> Result<BatchesPage, PageError> {
    let (departments, catalog) = names(state).await?;
    let own = (principal.role == Role::DataOfficer)
        .then(|| principal.department())
        .flatten();
    let batches = state
        .store
        .batches(own.as_deref(), LISTED_BATCHES)
        .await?
        .iter()
        .map(|b| line(b, &departments, &catalog))
        .collect();
    let items = catalog
        .items
        .iter()
        .map(|i| Choice {
            code: i.code.clone(),
            name: i.name.clone(),
        })
        .collect();
    Ok(BatchesPage {
        csrf: session_csrf(principal),
        items,
        own_department: own.map(|d| format!("{}（{d}）", name_of(&departments, &d))),
        departments: if principal.role == Role::DataOfficer {
            Vec::new()
        } else {
            departments
        },
        batches,
        refusal,
        refused_rows: refused_rows(refused, refused_item.and_then(|c| catalog.item(c))),
        refused_total: refused.len(),
    })
}

/// `GET /batches`: the sending form and the latest batches (a data officer: its department's).
pub(crate) async fn batches(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<BatchesPage, PageError> {
    form_page(&state, &principal, None, &[], None).await
}

/// What the form says before its file.
#[derive(Default)]
struct Fields {
    csrf: String,
    item: String,
    department: String,
    sheet: String,
    strict: bool,
}

/// Why a form could not be read, in words for the sender.
fn unreadable(detail: impl std::fmt::Display) -> String {
    format!("表单无法读取（{detail}）：请返回重新选择文件后提交。")
}

/// `POST /batches`: sends the chosen file as one batch and waits for it.
pub(crate) async fn send(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    mut form: Multipart,
) -> Response {
    let mut fields = Fields::default();
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return refused_form(&state, &principal, unreadable(e), &[], None).await,
        };
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            return send_file(&state, &principal, fields, field).await;
        }
        let value = match field.text().await {
            Ok(v) => v,
            Err(e) => return refused_form(&state, &principal, unreadable(e), &[], None).await,
        };
        match name.as_str() {
            "csrf" => fields.csrf = value,
            "item" => fields.item = value.trim().to_string(),
            "department" => fields.department = value.trim().to_string(),
            "sheet" => fields.sheet = value.trim().to_string(),
            "strict" => fields.strict = !value.is_empty(),
            _ => {}
        }
    }
    if !csrf_ok(&principal, &fields.csrf) {
        return csrf_refused();
    }
    refused_form(&state, &principal, "请选择要报送的文件。".into(), &[], None).await
}

fn csrf_ok(principal: &Principal, given: &str) -> bool {
    let expected = session_csrf(principal);
    !expected.is_empty() && expected == given
}

fn csrf_refused() -> Response {
    error_page(
        StatusCode::FORBIDDEN,
        "请求被拒绝",
        "表单已过期或来源不明（CSRF 校验失败），请重新打开数据报送页面后提交。",
    )
}

async fn send_file(
    state: &AppState,
    principal: &Principal,
    fields: Fields,
    file: axum::extract::multipart::Field<'_>,
) -> Response {
    if !csrf_ok(principal, &fields.csrf) {
        return csrf_refused();
    }
    let file_name = file
        .file_name()
        .map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n).to_string())
        .unwrap_or_default();
    if file_name.is_empty() {
        return refused_form(state, principal, "请选择要报送的文件。".into(), &[], None).await;
    }
    let Some(format) = Format::from_path(std::path::Path::new(&file_name)) else {
        return refused_form(
            state,
            principal,
            format!("无法识别文件 {file_name} 的格式：请上传 .csv、.xlsx 或 .jsonl 文件。"),
            &[],
            None,
        )
        .await;
    };
    let department = Some(fields.department.as_str()).filter(|d| !d.is_empty());
    let target: BatchTarget = match batch_target(state, principal, &fields.item, department).await {
        Ok(t) => t,
        Err(e) => return refused_form(state, principal, e.to_string(), &[], None).await,
    };
    let path = upload_path();
    if let Err(e) = save_upload(file, &path).await {
        return refused_form(state, principal, e.to_string(), &[], None).await;
    }
    let item = target.item.code.clone();
    let (job, task) = spawn_batch(
        state,
        principal,
        target,
        Upload {
            path,
            format,
            file_name,
            sheet: Some(fields.sheet).filter(|s| !s.is_empty()),
            strict: fields.strict,
        },
    );
    let _ = task.await;
    let view = job.view();
    match (&view.summary, &view.message) {
        (Some(s), _) => Redirect::to(&format!("/batches/{}", s.batch)).into_response(),
        (None, message) => {
            let message = format!(
                "文件未被接收，没有保存任何数据（{}）：{}",
                view.refused.unwrap_or("error"),
                message.as_deref().unwrap_or("")
            );
            let rows = view.rejections.unwrap_or_default();
            refused_form(state, principal, message, &rows, Some(&item)).await
        }
    }
}

async fn refused_form(
    state: &AppState,
    principal: &Principal,
    message: String,
    rows: &[Rejection],
    item: Option<&str>,
) -> Response {
    match form_page(state, principal, Some(message), rows, item).await {
        Ok(page) => (StatusCode::UNPROCESSABLE_ENTITY, page).into_response(),
        Err(e) => e.into_response(),
    }
}

/// `GET /batches/{id}`: one batch, its counts and its refused rows.
pub(crate) async fn batch(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    PagePath(id): PagePath<i64>,
) -> Result<BatchPage, PageError> {
    let b = match state.store.batch(id).await? {
        Some(b) if may_see_department(&principal, &b.department) => b,
        _ => return Err(ApiError::NotFound(format!("no batch {id}")).into()),
    };
    let (departments, catalog) = names(&state).await?;
    let rejections = state.store.batch_rejections(id).await?;
    Ok(BatchPage {
        batch: line(&b, &departments, &catalog),
        format: b.format.clone(),
        encoding: b.encoding.clone().unwrap_or_default(),
        submitted_by: b.submitted_by.clone(),
        review: b.review,
        blank: b.blank,
        sha256: b.file_sha256.clone(),
        rows: refused_rows(&rejections, catalog.item(&b.item)),
        total_refused: rejections.len(),
        titles: b
            .titles
            .0
            .iter()
            .map(|t| (t.line, t.text.clone()))
            .collect(),
    })
}
