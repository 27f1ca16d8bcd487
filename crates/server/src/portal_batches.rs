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
    Upload, batch_target, save_upload, spawn_batch, upload_path, visible_batch,
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
    /// Of the refused rows, those held for review (a wrong code, a name the code never held).
    review: i64,
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
    /// Strict mode: the job whose refused rows can be downloaded as CSV.
    refused_job: Option<String>,
    /// What the sender chose, kept on a refused form.
    chosen: Chosen,
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
        review: b.review,
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
            // The page is Chinese: the message's Chinese part (the report keeps both).
            message: chengxin_catalog::message_zh(&r.message).to_owned(),
        })
        .collect()
}

/// What the sender chose on the form, kept when the form comes back refused: a sender who only
/// picks the corrected file again must not send it as another item, or not strictly.
#[derive(Clone, Debug, Default)]
pub(crate) struct Chosen {
    item: String,
    department: String,
    sheet: String,
    strict: bool,
}

/// A refusal of a whole file, as the form shows it.
#[derive(Default)]
struct Refusal {
    message: String,
    rows: Vec<Rejection>,
    item: Option<String>,
    /// Strict mode: the job whose refused rows can be downloaded.
    job: Option<String>,
}

async fn form_page(
    state: &AppState,
    principal: &Principal,
    chosen: Chosen,
    refusal: Option<Refusal>,
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
    let refusal = refusal.unwrap_or_default();
    let refused_item = refusal.item.as_deref().and_then(|c| catalog.item(c));
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
        refusal: (!refusal.message.is_empty()).then_some(refusal.message),
        refused_rows: refused_rows(&refusal.rows, refused_item),
        refused_total: refusal.rows.len(),
        refused_job: refusal.job,
        chosen,
    })
}

/// `GET /batches`: the sending form and the latest batches (a data officer: its department's).
pub(crate) async fn batches(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<BatchesPage, PageError> {
    form_page(&state, &principal, Chosen::default(), None).await
}

/// The form as it arrived: its fields, and its file streamed to a temporary file (removed when
/// this is dropped, whatever happens next).
#[derive(Default)]
struct Sent {
    csrf: Option<String>,
    chosen: Chosen,
    /// The file's name (without any folder) and where it was saved.
    file: Option<(String, std::path::PathBuf)>,
}

impl Drop for Sent {
    fn drop(&mut self) {
        if let Some((_, path)) = &self.file {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Why a form could not be read, in words for the sender.
fn unreadable(detail: impl std::fmt::Display) -> String {
    format!("表单无法读取（{detail}）：请返回重新选择文件后提交。")
}

/// Reads every field, in whatever order they come (a browser sends the file last; a script may
/// not). The file is streamed to disk as it arrives; when the CSRF token came before it and is
/// wrong, the file is not read at all.
async fn read_form(
    principal: &Principal,
    form: &mut Multipart,
    sent: &mut Sent,
) -> Result<(), Refused> {
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => return Ok(()),
            Err(e) => return Err(Refused::Form(unreadable(e))),
        };
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            if sent.csrf.as_deref().is_some_and(|c| !csrf_ok(principal, c)) {
                return Err(Refused::Csrf);
            }
            if sent.file.is_some() {
                return Err(Refused::Form("一次只能报送一个文件。".into()));
            }
            let file_name = field
                .file_name()
                .map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n).trim().to_string())
                .unwrap_or_default();
            if file_name.is_empty() {
                continue; // no file chosen: said once the whole form is read
            }
            let path = upload_path();
            // Kept in `sent` at once, so that the partial file is removed whatever happens.
            sent.file = Some((file_name, path.clone()));
            save_upload(field, &path)
                .await
                .map_err(|e| Refused::Form(unreadable(e)))?;
            continue;
        }
        let value = field
            .text()
            .await
            .map_err(|e| Refused::Form(unreadable(e)))?;
        let value = value.trim().chars().take(200).collect::<String>();
        match name.as_str() {
            "csrf" => sent.csrf = Some(value),
            "item" => sent.chosen.item = value,
            "department" => sent.chosen.department = value,
            "sheet" => sent.chosen.sheet = value,
            "strict" => sent.chosen.strict = !matches!(value.as_str(), "" | "0" | "false" | "off"),
            _ => {}
        }
    }
}

/// Why a form was not taken.
enum Refused {
    Csrf,
    /// Said on the form (in Chinese).
    Form(String),
}

/// `POST /batches`: sends the chosen file as one batch and waits for it.
pub(crate) async fn send(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    mut form: Multipart,
) -> Response {
    let mut sent = Sent::default();
    let read = read_form(&principal, &mut form, &mut sent).await;
    let csrf_good = sent.csrf.as_deref().is_some_and(|c| csrf_ok(&principal, c));
    let chosen = sent.chosen.clone();
    let refused = |message: String| Refusal {
        message,
        ..Refusal::default()
    };
    match read {
        Err(Refused::Csrf) => return csrf_refused(&state, &principal).await,
        _ if !csrf_good => return csrf_refused(&state, &principal).await,
        Err(Refused::Form(message)) => {
            return refused_form(&state, &principal, chosen, refused(message)).await;
        }
        Ok(()) => {}
    }
    let Some((file_name, path)) = sent.file.clone() else {
        return refused_form(
            &state,
            &principal,
            chosen,
            refused("请选择要报送的文件。".into()),
        )
        .await;
    };
    let Some(format) = Format::from_path(std::path::Path::new(&file_name)) else {
        return refused_form(
            &state,
            &principal,
            chosen,
            refused(format!(
                "无法识别文件“{}”的格式：请上传 .csv、.xlsx 或 .jsonl 文件。",
                chengxin_catalog::excerpt(&file_name, 60)
            )),
        )
        .await;
    };
    let department = Some(chosen.department.as_str()).filter(|d| !d.is_empty());
    let target = match batch_target(
        &state,
        &principal,
        "POST /batches",
        &chosen.item,
        department,
    )
    .await
    {
        Ok(t) => t,
        Err(e) => {
            let message = target_refusal_zh(&e);
            return refused_form(&state, &principal, chosen, refused(message)).await;
        }
    };
    // The batch owns the file from here (and removes it when it ends).
    sent.file = None;
    let item = target.item.code.clone();
    let (job, task) = spawn_batch(
        &state,
        &principal,
        target,
        Upload {
            path,
            format,
            file_name,
            sheet: Some(chosen.sheet.clone()).filter(|s| !s.is_empty()),
            strict: chosen.strict,
        },
    );
    let _ = task.await;
    let view = job.view();
    if let Some(s) = &view.summary {
        return Redirect::to(&format!("/batches/{}", s.batch)).into_response();
    }
    let code = view.refused.unwrap_or("error");
    let message_zh = view.message_zh.clone().unwrap_or_default();
    let rows = job.refused_rows();
    let refusal = Refusal {
        message: ingest_refusal_zh(code, &message_zh),
        job: (!rows.is_empty()).then(|| view.job.clone()),
        rows,
        item: Some(item),
    };
    refused_form(&state, &principal, chosen, refusal).await
}

/// A file refused whole, said in Chinese: that nothing was kept, then what is wrong, where
/// (which line, which column, which field) and what to do, from the refusal's own Chinese form.
fn ingest_refusal_zh(code: &str, message_zh: &str) -> String {
    let what = if message_zh.is_empty() {
        "文件无法读取"
    } else {
        message_zh
    };
    format!("文件未被接收，没有保存任何数据。{what}。（错误代码 {code}）")
}

/// Why a sender may not send what the form asks, in Chinese, with the API's detail.
fn target_refusal_zh(e: &ApiError) -> String {
    let what = match e {
        ApiError::InvalidParameter { parameter, .. } if parameter == "item" => {
            "请选择目录项（目录以外的信息不归集）"
        }
        ApiError::InvalidParameter { parameter, .. } if parameter == "department" => {
            "请选择报送部门（以统一社会信用代码登记的部门）"
        }
        ApiError::NotFound(_) => "报送部门尚未在平台登记",
        ApiError::Forbidden(_) => {
            "无权报送：数据报送人员只能报送本部门的信息；目录项指定了信息提供单位时，只有这些单位可以报送"
        }
        _ => "无法报送",
    };
    format!(
        "{what}。（{}）",
        chengxin_catalog::excerpt(&e.to_string(), 300)
    )
}

fn csrf_ok(principal: &Principal, given: &str) -> bool {
    let expected = session_csrf(principal);
    !expected.is_empty() && expected == given
}

async fn csrf_refused(state: &AppState, principal: &Principal) -> Response {
    crate::audit::refusal(
        state,
        principal,
        "POST /batches",
        "missing or wrong CSRF token",
    )
    .await;
    error_page(
        StatusCode::FORBIDDEN,
        "请求被拒绝",
        "表单已过期或来源不明（CSRF 校验失败），请重新打开数据报送页面后提交。",
    )
}

async fn refused_form(
    state: &AppState,
    principal: &Principal,
    chosen: Chosen,
    refusal: Refusal,
) -> Response {
    match form_page(state, principal, chosen, Some(refusal)).await {
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
    let b = visible_batch(&state, &principal, id, "GET /batches/{id}").await?;
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
