//! Collection (归集) and double publicity (双公示) over HTTP: batches, their progress and
//! rejected-rows reports, quality figures, the catalog, and the public columns of licensing and
//! penalty decisions.
//!
//! A department data officer sends a file as the body of `POST /api/v1/batches` for its own
//! department; an operator may send for any registered department. The body is streamed to a
//! temporary file (never held whole in memory), then ingested in the background; the answer is
//! `202` with a progress resource (`/api/v1/batch-jobs/{job}`), or with `wait=true` the finished
//! batch. A batch commits whole or not at all.

use crate::AppState;
use crate::api::{ApiPath, ApiQuery};
use crate::audit;
use crate::auth::Principal;
use crate::error::{ApiError, ErrorBody};
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chengxin_access::Role;
use chengxin_catalog::{Catalog, CatalogItem, Mask};
use chengxin_collect::Format;
use chengxin_collect::ingest::{
    IngestError, IngestRequest, Progress, QualityFigures, active_catalog,
    import_catalog_if_changed, ingest, rejections_csv,
};
use chengxin_store::{BatchSummary, PublicityQuery, StoredRecord};
use chrono::{NaiveDate, Utc};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use tokio::io::AsyncWriteExt;
use utoipa::{IntoParams, ToSchema};

/// Largest upload accepted (a 1,000,000-row penalty file is about 400 MB).
pub const MAX_UPLOAD_BYTES: usize = 1 << 30;

/// Batches being ingested, by job id. Finished jobs stay for an hour.
#[derive(Default)]
pub struct Jobs {
    jobs: Mutex<HashMap<String, Arc<Job>>>,
}

pub struct Job {
    id: String,
    /// The catalog item sent, as in force when the batch was sent (the refused rows' report
    /// names its fields).
    item: CatalogItem,
    department: String,
    file_name: String,
    submitted_by: String,
    started: chrono::DateTime<Utc>,
    progress: Arc<Progress>,
    state: Mutex<JobState>,
}

#[derive(Clone)]
enum JobState {
    Running,
    Committed(BatchSummary),
    Refused {
        code: &'static str,
        message: String,
        message_zh: String,
        /// Strict mode: the refused rows (the batch was refused whole, so no report is stored).
        rejections: Option<Arc<Vec<chengxin_store::Rejection>>>,
    },
}

impl Jobs {
    fn insert(&self, job: Arc<Job>) {
        if let Ok(mut jobs) = self.jobs.lock() {
            let cutoff = Utc::now() - chrono::Duration::hours(1);
            jobs.retain(|_, j| {
                j.started > cutoff
                    || matches!(j.state.lock().map(|s| s.clone()), Ok(JobState::Running))
            });
            jobs.insert(job.id.clone(), job);
        }
    }

    fn get(&self, id: &str) -> Option<Arc<Job>> {
        self.jobs.lock().ok().and_then(|j| j.get(id).cloned())
    }
}

/// A batch job's progress, and its outcome once finished.
#[derive(Serialize, ToSchema)]
pub struct JobView {
    pub job: String,
    /// `running`, `committed` or `refused` (nothing of a refused batch was kept).
    pub status: &'static str,
    pub item: String,
    pub department: String,
    pub file_name: String,
    pub submitted_by: String,
    pub bytes_read: u64,
    pub total_bytes: u64,
    pub rows_read: u64,
    /// When committed: batch, rows, accepted, changed, unchanged, rejected, review, blank,
    /// pending_subjects.
    #[schema(value_type = Option<Object>)]
    pub summary: Option<BatchSummary>,
    /// When refused: a stable code (`encoding`, `truncated`, `header`, `cell_too_large`,
    /// `malformed`, `strict`, …).
    pub refused: Option<&'static str>,
    pub message: Option<String>,
    /// When refused: the same, in Chinese (which line, which column, which field, and what to
    /// do), as the 数据报送 page shows it.
    pub message_zh: Option<String>,
    /// The rejected-rows report of the committed batch.
    pub rejections_url: Option<String>,
    /// Refused in strict mode: the refused rows themselves (row, line, field, rule, message;
    /// the first 10,000), since a batch refused whole stores no report.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub rejections: Option<Vec<serde_json::Value>>,
}

impl Job {
    /// The rows refused in strict mode (empty otherwise).
    pub(crate) fn refused_rows(&self) -> Vec<chengxin_store::Rejection> {
        match self.state.lock().map(|s| s.clone()) {
            Ok(JobState::Refused {
                rejections: Some(r),
                ..
            }) => r.as_ref().clone(),
            _ => Vec::new(),
        }
    }

    pub(crate) fn view(&self) -> JobView {
        let state = self
            .state
            .lock()
            .map(|s| s.clone())
            .unwrap_or(JobState::Running);
        let (status, summary, refused, message, message_zh, rejections) = match state {
            JobState::Running => ("running", None, None, None, None, None),
            JobState::Committed(s) => ("committed", Some(s), None, None, None, None),
            JobState::Refused {
                code,
                message,
                message_zh,
                rejections,
            } => (
                "refused",
                None,
                Some(code),
                Some(message),
                Some(message_zh),
                // With the same columns as the report a batch keeps.
                rejections.map(|r| {
                    chengxin_collect::ingest::report_rows(&r, Some(&self.item))
                        .filter_map(|row| serde_json::to_value(row).ok())
                        .collect::<Vec<_>>()
                }),
            ),
        };
        JobView {
            job: self.id.clone(),
            status,
            item: self.item.code.clone(),
            department: self.department.clone(),
            file_name: self.file_name.clone(),
            submitted_by: self.submitted_by.clone(),
            bytes_read: self.progress.bytes_read.load(Ordering::Relaxed),
            total_bytes: self.progress.total_bytes.load(Ordering::Relaxed),
            rows_read: self.progress.rows_read.load(Ordering::Relaxed),
            rejections_url: match (&summary, &rejections) {
                (Some(s), _) => Some(format!("/api/v1/batches/{}/rejections", s.batch)),
                // Refused whole in strict mode: the report is the job's, kept with it.
                (None, Some(_)) => Some(format!("/api/v1/batch-jobs/{}/rejections", self.id)),
                (None, None) => None,
            },
            summary,
            refused,
            message,
            message_zh,
            rejections,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BatchParams {
    /// Catalog item code, e.g. `license` or `penalty`.
    pub item: String,
    /// The reporting department's USCC. Data officers may omit it (their own department).
    pub department: Option<String>,
    /// `csv`, `xlsx` or `jsonl` (default: from `file_name`, then from Content-Type).
    pub format: Option<String>,
    /// The file's name, recorded with the batch.
    pub file_name: Option<String>,
    /// Answer when the batch is finished instead of at once with a progress resource.
    pub wait: Option<bool>,
    /// Refuse the whole batch when any row is refused.
    pub strict: Option<bool>,
    /// XLSX: the worksheet to read (default: the only visible worksheet with data).
    pub sheet: Option<String>,
}

/// The department a caller may send data for.
fn sending_department(principal: &Principal, asked: Option<&str>) -> Result<String, ApiError> {
    match principal.role {
        Role::DataOfficer => {
            let own = principal.department().ok_or_else(|| {
                ApiError::Forbidden("this data officer account has no department".into())
            })?;
            match asked {
                Some(d) if chengxin_codes::normalize(d) != own => Err(ApiError::Forbidden(
                    "a data officer sends data for its own department only".into(),
                )),
                _ => Ok(own),
            }
        }
        _ => asked
            .map(|d| chengxin_codes::normalize(d).into_owned())
            .ok_or_else(|| {
                ApiError::parameter("department", "name the department (its USCC) to send for")
            }),
    }
}

fn format_of(p: &BatchParams, headers: &HeaderMap) -> Result<Format, ApiError> {
    if let Some(f) = &p.format {
        return f
            .parse()
            .map_err(|_| ApiError::parameter("format", "use csv, xlsx or jsonl"));
    }
    if let Some(f) = p
        .file_name
        .as_deref()
        .and_then(|n| Format::from_path(std::path::Path::new(n)))
    {
        return Ok(f);
    }
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ct.starts_with("text/csv") {
        Ok(Format::Csv)
    } else if ct.contains("spreadsheetml") {
        Ok(Format::Xlsx)
    } else if ct.contains("ndjson") || ct.contains("jsonl") || ct.contains("json-seq") {
        Ok(Format::JsonLines)
    } else {
        Err(ApiError::parameter(
            "format",
            "cannot tell the file format: pass format=csv|xlsx|jsonl or a file_name with its extension",
        ))
    }
}

async fn catalog_item(state: &AppState, item: &str) -> Result<(CatalogItem, i64), ApiError> {
    let (catalog, version) = active_catalog(&state.store)
        .await
        .map_err(|e| internal(&e))?;
    match catalog.item(item) {
        Some(i) => Ok((i.clone(), version)),
        None => {
            let known: Vec<&str> = catalog.items.iter().map(|i| i.code.as_str()).collect();
            Err(ApiError::parameter(
                "item",
                format!(
                    "{item:?} is not in catalog version {version}; information outside the catalog is not collected (国办发〔2020〕49号 (一)). Items: {}",
                    known.join(", ")
                ),
            ))
        }
    }
}

pub(crate) fn internal(e: &dyn std::fmt::Display) -> ApiError {
    tracing::error!(error = %e, "collection error");
    ApiError::Internal
}

/// Sends a batch file (the request body: CSV in UTF-8 or GB18030, XLSX, or JSON Lines).
#[utoipa::path(post, path = "/api/v1/batches", tag = "collection", params(BatchParams),
    request_body(content = Vec<u8>, description = "the file", content_type = "application/octet-stream"),
    responses((status = 202, body = JobView, description = "accepted; poll the progress resource"),
              (status = 200, body = JobView, description = "with wait=true: committed"),
              (status = 422, body = JobView, description = "with wait=true: refused whole, nothing kept"),
              (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn post_batch(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiQuery(p): ApiQuery<BatchParams>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    // Who may send what is settled before the body is read, and before how it is written.
    let target = batch_target(
        &state,
        &principal,
        "POST /api/v1/batches",
        &p.item,
        p.department.as_deref(),
    )
    .await?;
    let format = format_of(&p, &headers)?;
    let file_name = p
        .file_name
        .clone()
        .unwrap_or_else(|| format!("upload.{}", format.as_str()));
    let path = upload_path();
    save_upload(body.into_data_stream(), &path).await?;
    let (job, task) = spawn_batch(
        &state,
        &principal,
        target,
        Upload {
            path,
            format,
            file_name,
            sheet: p.sheet.clone(),
            strict: p.strict.unwrap_or(false),
        },
    );
    let location = format!("/api/v1/batch-jobs/{}", job.id);
    if p.wait.unwrap_or(false) {
        let _ = task.await;
        let view = job.view();
        let status = if view.status == "committed" {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return Ok((status, Json(view)).into_response());
    }
    let mut res = (StatusCode::ACCEPTED, Json(job.view())).into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

/// What a batch is sent as and for whom, once the sender may send it.
pub(crate) struct BatchTarget {
    pub(crate) department: String,
    pub(crate) item: CatalogItem,
    pub(crate) version: i64,
}

/// Checks that `principal` may send `item` for `department` (a data officer: its own, which
/// may be left out): the item is in the catalog in force, the department's code is valid and
/// registered, and it is one of the item's providers. A refusal is audited under `action` (the
/// route), for the API and the portal's form alike.
pub(crate) async fn batch_target(
    state: &AppState,
    principal: &Principal,
    action: &str,
    item: &str,
    department: Option<&str>,
) -> Result<BatchTarget, ApiError> {
    let checked = check_target(state, principal, item, department).await;
    if let Err(e) = &checked {
        audit::refusal(state, principal, action, &e.to_string()).await;
    }
    checked
}

async fn check_target(
    state: &AppState,
    principal: &Principal,
    item: &str,
    department: Option<&str>,
) -> Result<BatchTarget, ApiError> {
    let department = sending_department(principal, department)?;
    let (item, version) = catalog_item(state, item).await?;
    // A department is named by its USCC: a code failing its own rules says which, as the CLI does.
    if let Err(e) = chengxin_codes::validate_uscc(&department) {
        return Err(ApiError::parameter(
            "department",
            format!("{department:?} is not a valid 统一社会信用代码: {e}"),
        ));
    }
    if state.store.department(&department).await?.is_none() {
        return Err(ApiError::NotFound(format!(
            "department {department} is not registered"
        )));
    }
    if !item.accepts_provider(&department) {
        return Err(ApiError::Forbidden(
            IngestError::NotProvider {
                department: department.clone(),
                item: item.code.clone(),
                providers: item.providers.clone(),
            }
            .to_string(),
        ));
    }
    Ok(BatchTarget {
        department,
        item,
        version,
    })
}

/// An uploaded file saved at `path` (removed once its batch ends).
pub(crate) struct Upload {
    pub(crate) path: std::path::PathBuf,
    pub(crate) format: Format,
    pub(crate) file_name: String,
    pub(crate) sheet: Option<String>,
    pub(crate) strict: bool,
}

/// Where uploads wait for their batch: a directory of the server's user only (mode 0700),
/// each file readable by that user only (0600), since a department's file holds citizen IDs
/// and phone numbers.
pub(crate) fn upload_dir() -> std::path::PathBuf {
    std::env::temp_dir().join("chengxin-uploads")
}

/// A fresh temporary path for an upload, in [`upload_dir`] (created private if missing).
pub(crate) fn upload_path() -> std::path::PathBuf {
    let dir = upload_dir();
    if std::fs::create_dir_all(&dir).is_ok() {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700));
        }
    }
    dir.join(format!("chengxin-upload-{}", uuid::Uuid::new_v4()))
}

/// How long an upload may sit in [`upload_dir`] before a sweep removes it: a batch is read
/// within minutes, so an older file was left by a server that was killed mid-batch.
pub const STALE_UPLOAD: std::time::Duration = std::time::Duration::from_secs(3600);

/// Removes uploads older than `age` (left by a killed server); returns how many. Run when the
/// server starts and every ten minutes after.
pub fn sweep_uploads(age: std::time::Duration) -> usize {
    let Ok(entries) = std::fs::read_dir(upload_dir()) else {
        return 0;
    };
    let now = std::time::SystemTime::now();
    let mut removed = 0;
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|d| d >= age);
        if old
            && entry
                .file_name()
                .to_string_lossy()
                .starts_with("chengxin-upload-")
            && std::fs::remove_file(entry.path()).is_ok()
        {
            removed += 1;
        }
    }
    removed
}

/// Ingests `upload` as one batch in the background, as a job whose progress and outcome
/// `GET /api/v1/batch-jobs/{job}` shows; the handle ends with the batch.
pub(crate) fn spawn_batch(
    state: &AppState,
    principal: &Principal,
    target: BatchTarget,
    upload: Upload,
) -> (Arc<Job>, tokio::task::JoinHandle<()>) {
    // A file's name is recorded as sent, up to 200 characters.
    let mut upload = upload;
    // Masked as every shown text: a file name can carry a person's number.
    upload.file_name =
        chengxin_codes::mask::redact(&chengxin_catalog::excerpt(&upload.file_name, 200));
    let job = Arc::new(Job {
        id: uuid::Uuid::new_v4().simple().to_string(),
        item: target.item.clone(),
        department: target.department.clone(),
        file_name: upload.file_name.clone(),
        submitted_by: principal.actor(),
        started: Utc::now(),
        progress: Arc::new(Progress::default()),
        state: Mutex::new(JobState::Running),
    });
    // The upload is whole on disk: its size is known before reading starts.
    if let Ok(meta) = std::fs::metadata(&upload.path) {
        job.progress
            .total_bytes
            .store(meta.len(), Ordering::Relaxed);
    }
    state.jobs.insert(job.clone());
    let path = upload.path;
    let req = IngestRequest {
        path: path.clone(),
        format: Some(upload.format),
        file_name: upload.file_name,
        item: target.item,
        catalog_version: target.version,
        department: target.department,
        submitted_by: principal.actor(),
        received_at: Utc::now(),
        today: state.today(),
        limits: chengxin_collect::Limits::default(),
        sheet: upload.sheet,
        strict: upload.strict,
    };
    let store = audit::acting(state, principal);
    let task_job = job.clone();
    let task = tokio::spawn(async move {
        let outcome = ingest(&store, req, task_job.progress.clone()).await;
        let _ = tokio::fs::remove_file(&path).await;
        let new_state = match outcome {
            Ok(s) => JobState::Committed(s),
            Err(e) => {
                // `ingest` has put the refusal in the audit log, masked, for the API and the
                // command line alike (this entry used to be a second one, unmasked: found by
                // a QA pass).
                let message = e.to_string();
                let message_zh = e.message_zh();
                let code = e.code();
                let rejections = match e {
                    IngestError::Strict { report, .. } => Some(Arc::new(report)),
                    _ => None,
                };
                JobState::Refused {
                    code,
                    message,
                    message_zh,
                    rejections,
                }
            }
        };
        if let Ok(mut s) = task_job.state.lock() {
            *s = new_state;
        }
    });
    (job, task)
}

/// Streams an upload to `path`, refusing one over [`MAX_UPLOAD_BYTES`]; on any error the
/// partial file is removed.
pub(crate) async fn save_upload<S, E>(stream: S, path: &std::path::Path) -> Result<(), ApiError>
where
    S: futures_util::Stream<Item = Result<axum::body::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let saved = save_chunks(stream, path).await;
    if saved.is_err() {
        let _ = tokio::fs::remove_file(path).await;
    }
    saved
}

async fn save_chunks<S, E>(mut stream: S, path: &std::path::Path) -> Result<(), ApiError>
where
    S: futures_util::Stream<Item = Result<axum::body::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options.open(path).await.map_err(|e| internal(&e))?;
    let mut total = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk
            .map_err(|e| ApiError::parameter("body", format!("the upload was interrupted: {e}")))?;
        total += chunk.len();
        if total > MAX_UPLOAD_BYTES {
            return Err(ApiError::parameter(
                "body",
                format!(
                    "the file is larger than {MAX_UPLOAD_BYTES} bytes; split it into several batches"
                ),
            ));
        }
        file.write_all(&chunk).await.map_err(|e| internal(&e))?;
    }
    file.flush().await.map_err(|e| internal(&e))?;
    Ok(())
}

/// A batch the caller may see; another department's is answered as missing (and the refusal
/// audited), so that batch numbers say nothing of other departments.
pub(crate) async fn visible_batch(
    state: &AppState,
    principal: &Principal,
    id: i64,
    route: &str,
) -> Result<chengxin_store::BatchInfo, ApiError> {
    match state.store.batch(id).await? {
        Some(b) if may_see_department(principal, &b.department) => Ok(b),
        found => {
            if found.is_some() {
                let action = route.replace("{id}", &id.to_string());
                audit::refusal(state, principal, &action, "another department's batch").await;
            }
            Err(ApiError::NotFound(format!("no batch {id}")))
        }
    }
}

/// May this caller see batches of `department`?
pub(crate) fn may_see_department(principal: &Principal, department: &str) -> bool {
    match principal.role {
        Role::DataOfficer => principal.department().as_deref() == Some(department),
        _ => true,
    }
}

/// A batch job's progress and outcome.
#[utoipa::path(get, path = "/api/v1/batch-jobs/{job}", tag = "collection",
    params(("job" = String, Path, description = "job id from POST /api/v1/batches")),
    responses((status = 200, body = JobView), (status = 404, body = ErrorBody)))]
pub async fn get_job(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<JobView>, ApiError> {
    match state.jobs.get(&id) {
        Some(job) if may_see_department(&principal, &job.department) => Ok(Json(job.view())),
        _ => Err(ApiError::NotFound(format!(
            "no batch job {id}: jobs are kept in memory for an hour after they end, and a server \
             restart forgets them; a batch either committed whole (GET /api/v1/batches lists it) \
             or kept nothing"
        ))),
    }
}

/// The refused rows of a job refused whole in strict mode (a batch refused whole stores no
/// report, so this is where its report is, while the job is kept: an hour).
#[utoipa::path(get, path = "/api/v1/batch-jobs/{job}/rejections", tag = "collection",
    params(("job" = String, Path, description = "job id from POST /api/v1/batches"), RejectionParams),
    responses((status = 200, description = "JSON, or CSV with format=csv", body = Object), (status = 404, body = ErrorBody)))]
pub async fn get_job_rejections(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(p): ApiQuery<RejectionParams>,
) -> Result<Response, ApiError> {
    let csv = report_as_csv(p.format.as_deref())?;
    let (item, rows) = match state.jobs.get(&id) {
        Some(job) if may_see_department(&principal, &job.department) => {
            (job.item.code.clone(), job.refused_rows())
        }
        _ => {
            return Err(ApiError::NotFound(format!(
                "no batch job {id} refused in strict mode"
            )));
        }
    };
    Ok(report_response(&state, &format!("job-{id}"), &item, &rows, csv).await)
}

/// `format=csv` for the downloadable report; JSON otherwise.
fn report_as_csv(format: Option<&str>) -> Result<bool, ApiError> {
    match format {
        None | Some("json") => Ok(false),
        Some("csv") => Ok(true),
        Some(other) => Err(ApiError::parameter(
            "format",
            format!("{other:?} is not a report format: use json or csv"),
        )),
    }
}

/// A rejected-rows report: CSV (UTF-8 with BOM, as a download, with the fields' Chinese names
/// from `item` of the catalog in force) or JSON.
/// The report as CSV, or as JSON (`{"rejections": [...]}`, with the same columns).
async fn report_response(
    state: &AppState,
    name: &str,
    item: &str,
    rows: &[chengxin_store::Rejection],
    csv: bool,
) -> Response {
    let catalog = active_catalog(&state.store).await.ok().map(|(c, _)| c);
    let item = catalog.as_ref().and_then(|c| c.item(item));
    if csv {
        return (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}-rejections.csv\""),
                ),
            ],
            rejections_csv(rows, item),
        )
            .into_response();
    }
    let rows: Vec<_> = chengxin_collect::ingest::report_rows(rows, item).collect();
    Json(serde_json::json!({ "rejections": rows })).into_response()
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BatchListParams {
    pub department: Option<String>,
    pub limit: Option<i64>,
}

/// A `department` filter: matched as stored (upper case, half-width, without spaces); a code
/// that cannot be a department's (a USCC failing its own rules) is refused naming the rule,
/// rather than answered with nothing. Empty means no filter.
pub(crate) fn department_param(d: &str) -> Result<Option<String>, ApiError> {
    let code = chengxin_codes::normalize(d).into_owned();
    if code.is_empty() {
        return Ok(None);
    }
    chengxin_codes::validate_uscc(&code).map_err(|e| {
        ApiError::parameter(
            "department",
            format!("{d:?} is not a department's 统一社会信用代码: {e}"),
        )
    })?;
    Ok(Some(code))
}

/// The department a listing covers: a data officer's own (asking for another is refused, not
/// silently answered with their own), anyone else's choice among the registered departments (an
/// unregistered code is 404, not an empty answer that reads as "sent nothing").
async fn scoped_department(
    state: &AppState,
    principal: &Principal,
    asked: Option<String>,
) -> Result<Option<String>, ApiError> {
    let asked = asked
        .as_deref()
        .map(department_param)
        .transpose()?
        .flatten();
    if let Some(d) = &asked
        && state.store.department(d).await?.is_none()
    {
        return Err(ApiError::NotFound(format!(
            "no department {d} is registered"
        )));
    }
    if principal.role != Role::DataOfficer {
        return Ok(asked);
    }
    let own = principal.department();
    match asked {
        Some(d) if Some(&d) != own.as_ref() => Err(ApiError::Forbidden(format!(
            "a data officer sees only their own department's figures and batches ({}), not {d}",
            own.as_deref().unwrap_or("none")
        ))),
        _ => Ok(own),
    }
}

/// Committed batches, newest first (data officers: their own department's).
#[utoipa::path(get, path = "/api/v1/batches", tag = "collection", params(BatchListParams),
    responses((status = 200, description = "batches", body = Object)))]
pub async fn list_batches(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiQuery(p): ApiQuery<BatchListParams>,
) -> Result<Response, ApiError> {
    let department = scoped_department(&state, &principal, p.department).await?;
    let list = state
        .store
        .batches(department.as_deref(), p.limit.unwrap_or(50).clamp(1, 500))
        .await?;
    Ok(Json(serde_json::json!({ "batches": list })).into_response())
}

/// One committed batch.
#[utoipa::path(get, path = "/api/v1/batches/{id}", tag = "collection",
    params(("id" = i64, Path, description = "batch number")),
    responses((status = 200, description = "the batch", body = Object), (status = 404, body = ErrorBody)))]
pub async fn get_batch(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    let b = visible_batch(&state, &principal, id, "GET /api/v1/batches/{id}").await?;
    Ok(Json(serde_json::to_value(&b).map_err(|e| internal(&e))?).into_response())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RejectionParams {
    /// `csv` for the downloadable report (UTF-8 with BOM); JSON otherwise.
    pub format: Option<String>,
}

/// The rejected-rows report of a batch: row, line, field, rule, message.
#[utoipa::path(get, path = "/api/v1/batches/{id}/rejections", tag = "collection",
    params(("id" = i64, Path, description = "batch number"), RejectionParams),
    responses((status = 200, description = "JSON, or CSV with format=csv", body = Object), (status = 404, body = ErrorBody)))]
pub async fn get_rejections(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<RejectionParams>,
) -> Result<Response, ApiError> {
    let csv = report_as_csv(p.format.as_deref())?;
    let b = visible_batch(
        &state,
        &principal,
        id,
        "GET /api/v1/batches/{id}/rejections",
    )
    .await?;
    let rows = state.store.batch_rejections(id).await?;
    Ok(report_response(&state, &format!("batch-{id}"), &b.item, &rows, csv).await)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QualityParams {
    pub department: Option<String>,
    /// First day of the period (default: a year before `to`).
    #[serde(default, deserialize_with = "crate::api::iso_date_opt")]
    pub from: Option<NaiveDate>,
    /// Last day of the period (default: today).
    #[serde(default, deserialize_with = "crate::api::iso_date_opt")]
    pub to: Option<NaiveDate>,
}

/// Quality figures per department and catalog item: received, accepted, rejected by rule,
/// on-time rate (7 working days), completeness of optional fields, wrong-code rate.
#[utoipa::path(get, path = "/api/v1/quality", tag = "collection", params(QualityParams),
    responses((status = 200, description = "figures per department and item", body = Object)))]
pub async fn quality(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiQuery(p): ApiQuery<QualityParams>,
) -> Result<Response, ApiError> {
    let r = quality_figures(&state, &principal, p.department, p.from, p.to).await?;
    Ok(Json(serde_json::json!({
        "from": r.from,
        "to": r.to,
        "figures": r.figures,
        "silent_departments": r.silent,
        "coverage": r.coverage,
    }))
    .into_response())
}

/// Quality figures over a period, and who sent nothing in it.
pub(crate) struct QualityReport {
    pub(crate) from: NaiveDate,
    pub(crate) to: NaiveDate,
    pub(crate) figures: Vec<QualityFigures>,
    /// Over all departments (no department asked): the registered departments that sent no
    /// batch in the period, by code. A department that never reports is the first thing a
    /// credit centre monitoring collection needs to see (覆盖率: seed 001 §6 「提高数据归集的入库率、
    /// 时效率、覆盖率、完整率」).
    pub(crate) silent: Vec<String>,
    /// Departments that sent at least one batch / registered departments (over all departments).
    pub(crate) coverage: Option<f64>,
}

pub(crate) async fn quality_figures(
    state: &AppState,
    principal: &Principal,
    department: Option<String>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<QualityReport, ApiError> {
    let department = scoped_department(state, principal, department).await?;
    let to = to.unwrap_or_else(|| state.today());
    let from = from.unwrap_or_else(|| to - chrono::Duration::days(365));
    if from > to {
        return Err(ApiError::parameter(
            "from",
            "the period starts after it ends",
        ));
    }
    let (catalog, _) = active_catalog(&state.store)
        .await
        .map_err(|e| internal(&e))?;
    let rows = state.store.quality(department.as_deref(), from, to).await?;
    let (silent, coverage) = if department.is_none() {
        let registered: Vec<String> = state
            .store
            .departments()
            .await?
            .into_iter()
            .map(|d| d.code)
            .collect();
        let silent: Vec<String> = registered
            .iter()
            .filter(|d| !rows.iter().any(|q| &q.department == *d))
            .cloned()
            .collect();
        let coverage = (!registered.is_empty())
            .then(|| (registered.len() - silent.len()) as f64 / registered.len() as f64);
        (silent, coverage)
    } else {
        (Vec::new(), None)
    };
    Ok(QualityReport {
        from,
        to,
        figures: rows
            .iter()
            .map(|q| QualityFigures::of(q, &catalog))
            .collect(),
        silent,
        coverage,
    })
}

/// The catalog in force (public: the catalog decides what is collected and disclosed).
#[utoipa::path(get, path = "/api/v1/catalog", tag = "collection",
    responses((status = 200, description = "the catalog", body = Object)))]
pub async fn get_catalog(State(state): State<AppState>) -> Result<Response, ApiError> {
    let (catalog, _) = active_catalog(&state.store)
        .await
        .map_err(|e| internal(&e))?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        catalog.to_json(),
    )
        .into_response())
}

/// Imports a catalog as the next version: JSON (the form of GET /api/v1/catalog) or TOML (the
/// form of the shipped default catalog). A catalog identical to the newest version is not
/// stored again (`"unchanged": true`).
#[utoipa::path(post, path = "/api/v1/catalog", tag = "collection",
    request_body(content = Object, description = "a catalog in the JSON form of GET /api/v1/catalog, or as TOML (Content-Type application/toml, or any body not starting with {)"),
    responses((status = 200, description = "the version in force, and whether it is new", body = Object), (status = 400, body = ErrorBody)))]
pub async fn post_catalog(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let text = std::str::from_utf8(&body).map_err(|e| {
        ApiError::parameter(
            "body",
            format!("a catalog is UTF-8 text; byte {} is not", e.valid_up_to()),
        )
    })?;
    let toml = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.contains("toml"))
        || !text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with('{');
    let catalog = if toml {
        Catalog::from_toml(text)
    } else {
        Catalog::from_json(text)
    }
    .map_err(|e| ApiError::parameter("body", e.to_string()))?;
    active_catalog(&state.store)
        .await
        .map_err(|e| internal(&e))?;
    let store = audit::acting(&state, &principal);
    let (v, new) = import_catalog_if_changed(&store, catalog, &principal.actor(), "api")
        .await
        .map_err(|e| internal(&e))?;
    Ok(Json(serde_json::json!({ "version": v, "unchanged": !new })).into_response())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicityParams {
    /// Subject name fragment or code.
    pub q: Option<String>,
    /// Department USCC.
    pub department: Option<String>,
    #[serde(default, deserialize_with = "crate::api::iso_date_opt")]
    pub from: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::api::iso_date_opt")]
    pub to: Option<NaiveDate>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// One publicised decision as the public sees it: personal fields masked per the catalog.
#[derive(Serialize, ToSchema)]
pub struct PublicRecord {
    /// The record's id: what an objection or a repair application names (`record`).
    pub id: i64,
    pub item: String,
    pub doc_no: String,
    pub department: String,
    pub subject_name: String,
    pub subject_code: String,
    pub decision_date: NaiveDate,
    pub severity: Option<String>,
    pub publish_until: Option<NaiveDate>,
    /// An objection against it is under review (核查中; 国发〔2016〕33号 (二十二)).
    pub under_verification: bool,
    /// Field code → value (masked).
    #[schema(value_type = Object)]
    pub fields: serde_json::Map<String, serde_json::Value>,
    /// For lists of decisions of any item: the deciding authority (the field with role
    /// `authority`), the category (`penalty_kind`, else a field named …类别) and the content
    /// (a field named …内容, else the item's longest free-text field), masked like `fields`.
    pub authority: String,
    pub category: String,
    pub content: String,
    /// The validity the decision gives, from the fields with roles `valid_from` and `valid_to`
    /// (licences: 有效期自, 有效期至), when given.
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
}

/// The field codes [`PublicRecord`]'s `authority`, `category`, `content`, `valid_from` and
/// `valid_to` are read from.
fn display_fields(item: &CatalogItem) -> [Option<&str>; 5] {
    use chengxin_catalog::Role;
    let by_role = |r: Role| item.role_field(r);
    let named = |suffix: &str| {
        item.fields
            .iter()
            .find(|f| f.role.is_none() && f.name.ends_with(suffix))
    };
    // The first of the longest (a trailing 备注 is as long as the content before it).
    let longest_text = || {
        item.fields
            .iter()
            .rev()
            .filter(|f| f.role.is_none() && f.ty == chengxin_catalog::FieldType::Text)
            .max_by_key(|f| f.max_chars)
    };
    [
        by_role(Role::Authority),
        by_role(Role::PenaltyKind).or_else(|| named("类别")),
        named("内容").or_else(longest_text),
        by_role(Role::ValidFrom),
        by_role(Role::ValidTo),
    ]
    .map(|f| f.map(|f| f.code.as_str()))
}

/// A record as the public may see it: every field through its catalog mask; for a natural
/// person the name is shown as the registry shows it (surname only) and the citizen ID or other
/// document masked —
/// 国办发〔2020〕49号 (十四): disclosure limited to what is necessary.
pub fn public_record(item: &CatalogItem, r: &StoredRecord) -> PublicRecord {
    // As the subject page shows the party (`SubjectData::shown_as_person`), or a person's
    // document as the row's code, whatever the registry holds.
    let person = r.party_shown_as_person
        || chengxin_registry::is_person_doc_code(&r.subject_code)
        || (r.subject_code.len() == 18
            && chengxin_codes::validate_citizen_id(
                &r.subject_code,
                r.decision_date.max(r.received_on),
            )
            .is_ok());
    let masked_name = chengxin_codes::mask::person_name(&r.subject_name);
    let full_name = r.subject_name.trim();
    let person_name =
        (person && full_name.chars().count() >= 2).then_some((full_name, masked_name.as_str()));
    // An individual business shown as a person is its operator: the 法定代表人/经营者 field names
    // that person and is masked like the party's name, in its field and in free text (found by
    // QA: the business's name was masked and the operator's shown in full beside it).
    let operator: Option<(String, String)> = if person {
        item.role_field(chengxin_catalog::Role::LegalRep)
            .and_then(|f| r.fields.get(&f.code))
            .and_then(|v| v.as_str())
            .map(str::trim)
            .filter(|n| n.chars().count() >= 2)
            .map(|n| (n.to_string(), chengxin_codes::mask::person_name(n)))
    } else {
        None
    };
    let own_number = person.then(|| chengxin_registry::person_number(&r.subject_code));
    let mut fields = serde_json::Map::new();
    for f in &item.fields {
        let Some(v) = r.fields.get(&f.code).and_then(|v| v.as_str()) else {
            continue;
        };
        let mask = if person
            && matches!(
                f.role,
                Some(chengxin_catalog::Role::SubjectName | chengxin_catalog::Role::LegalRep)
            ) {
            Mask::PersonName
        } else {
            f.mask
        };
        // Belt and braces: free text may carry a number the catalog did not expect. Values
        // checked on the way in as something else are shown as they are: an organisation's
        // code is public (a 15-digit 工商注册号 can look like a first-generation citizen ID), and
        // an amount, a date or a listed value is not a phone number.
        use chengxin_catalog::{CodeField, FieldType};
        // A 证件号码 field is masked as the document it holds (Mask::CitizenId), the same way
        // everywhere the number is shown.
        let masked = mask.apply(v);
        let shown = match f.ty {
            FieldType::Code(CodeField::Uscc | CodeField::OrgCode | CodeField::RegNo)
            | FieldType::Decimal
            | FieldType::Date
            | FieldType::Enum { .. } => masked,
            _ => chengxin_codes::mask::redact(&masked),
        };
        // A natural person's full name is shown nowhere, free text included (当事人李四…), nor
        // their own number, however it is written there (spaced, hyphenated, full-width).
        let shown = match person_name {
            Some((full, masked)) => shown.replace(full, masked),
            None => shown,
        };
        let shown = match &operator {
            Some((full, masked)) => shown.replace(full.as_str(), masked),
            None => shown,
        };
        let shown = match &own_number {
            Some((number, masked)) => chengxin_codes::mask::replace_number(&shown, number, masked),
            None => shown,
        };
        fields.insert(f.code.clone(), serde_json::Value::String(shown));
    }
    let [authority, category, content, valid_from, valid_to] = display_fields(item);
    let shown = |code: Option<&str>| {
        code.and_then(|c| fields.get(c))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    PublicRecord {
        id: r.id,
        item: r.item.clone(),
        doc_no: chengxin_codes::mask::redact(&r.doc_no),
        department: r.department.clone(),
        subject_name: chengxin_codes::mask::public_name(&r.subject_name, person),
        subject_code: if person {
            chengxin_registry::masked_person_identifier(&r.subject_code)
        } else {
            r.subject_code.clone()
        },
        decision_date: r.decision_date,
        severity: r.severity.clone(),
        publish_until: r.publish_until,
        under_verification: r.under_verification,
        authority: shown(authority).unwrap_or_default(),
        category: shown(category).unwrap_or_default(),
        content: shown(content).unwrap_or_default(),
        valid_from: shown(valid_from),
        valid_to: shown(valid_to),
        fields,
    }
}

/// Decisions of an item on public show today (双公示), newest first.
#[utoipa::path(get, path = "/api/v1/publicity/{item}", tag = "publicity",
    params(("item" = String, Path, description = "license or penalty (any item disclosed publicly)"), PublicityParams),
    responses((status = 200, description = "a page of records and the total", body = Object), (status = 404, body = ErrorBody)))]
pub async fn publicity(
    State(state): State<AppState>,
    ApiPath(item): ApiPath<String>,
    ApiQuery(p): ApiQuery<PublicityParams>,
) -> Result<Response, ApiError> {
    let (records, total, page, per_page) = publicity_page(&state, &item, &p).await?;
    Ok(Json(serde_json::json!({
        "item": item, "total": total, "page": page, "per_page": per_page, "records": records,
    }))
    .into_response())
}

/// Per item code, the catalog versions under which the item was disclosed publicly, as of the
/// latest version `latest`.
pub(crate) struct Disclosed {
    latest: i64,
    by_item: HashMap<String, Vec<i64>>,
}

impl Disclosed {
    /// The versions under which `item` was public, if it is public in the catalog in force.
    pub(crate) fn versions(&self, item: &str) -> Option<&[i64]> {
        self.by_item
            .get(item)
            .filter(|v| v.contains(&self.latest))
            .map(Vec::as_slice)
    }

    /// Whether a record of `item` that entered under catalog `version` may be public: its item
    /// is public now and was public then.
    pub(crate) fn shows(&self, item: &str, version: i64) -> bool {
        self.versions(item).is_some_and(|v| v.contains(&version))
    }
}

/// The catalog versions under which each item was public. A record is shown only when its item
/// is public in the current catalog *and* was public in the version the record entered under:
/// "every record keeps the version it entered under" (issue #4), and information collected as
/// not for disclosure is never published by a later catalog (国办发〔2020〕49号 (四):
/// 「公共信用信息是否可公开应当根据合法、必要原则确定，并在编制公共信用信息目录时一并明确」);
/// a later catalog that stops disclosing an item withdraws it, as the narrower scope.
pub(crate) async fn disclosed_versions(
    state: &AppState,
    latest: i64,
) -> Result<Arc<Disclosed>, ApiError> {
    if let Ok(cache) = state.disclosed.lock()
        && let Some(d) = cache.as_ref()
        && d.latest == latest
    {
        return Ok(d.clone());
    }
    let mut map: HashMap<String, Vec<i64>> = HashMap::new();
    for v in state.store.catalog_versions().await? {
        let catalog = Catalog::from_json(&v.body).map_err(|e| internal(&e))?;
        for item in catalog
            .items
            .iter()
            .filter(|i| i.disclosure == chengxin_catalog::Disclosure::Public)
        {
            map.entry(item.code.clone()).or_default().push(v.version);
        }
    }
    let disclosed = Arc::new(Disclosed {
        latest,
        by_item: map,
    });
    if let Ok(mut cache) = state.disclosed.lock() {
        *cache = Some(disclosed.clone());
    }
    Ok(disclosed)
}

/// Whether a record is on public show today: inside its window and not withdrawn, with its item
/// public in the catalog in force and in the version the record entered under — the rule of the
/// publicity columns and subject pages.
pub(crate) async fn publicly_shown(state: &AppState, r: &StoredRecord) -> Result<bool, ApiError> {
    if !r.on_show(state.today()) {
        return Ok(false);
    }
    let (_, latest) = active_catalog(&state.store)
        .await
        .map_err(|e| internal(&e))?;
    Ok(disclosed_versions(state, latest)
        .await?
        .shows(&r.item, r.catalog_version))
}

/// A record named by an objection or a repair application, if `principal` may see it: staff
/// see every record, an enterprise account its own subject's, everyone else only what is on
/// public show. Otherwise `None`, as if there were no such record (an id is a sequence number:
/// saying "not public" would confirm what the public may not know). The same disclosure rule as
/// the columns: what the catalog does not open to the public stays closed however it is
/// reached (国办发〔2020〕49号 (四)).
pub(crate) async fn record_open_to(
    state: &AppState,
    principal: &Principal,
    subject_id: i64,
    subject_key: &str,
    record: i64,
) -> Result<Option<StoredRecord>, ApiError> {
    let Some(r) = state
        .store
        .record_by_id(record)
        .await?
        .filter(|r| r.subject_id == subject_id)
    else {
        return Ok(None);
    };
    // The same readers as a subject's whole history (`records_api`).
    let open = crate::records_api::may_read_history(principal, subject_key)
        || publicly_shown(state, &r).await?;
    Ok(open.then_some(r))
}

pub(crate) async fn publicity_page(
    state: &AppState,
    item: &str,
    p: &PublicityParams,
) -> Result<(Vec<PublicRecord>, i64, i64, i64), ApiError> {
    let (catalog, latest) = active_catalog(&state.store)
        .await
        .map_err(|e| internal(&e))?;
    let it = catalog
        .item(item)
        .filter(|i| i.disclosure == chengxin_catalog::Disclosure::Public)
        .ok_or_else(|| ApiError::NotFound(format!("no public catalog item {item}")))?;
    let versions = disclosed_versions(state, latest)
        .await?
        .versions(item)
        .map(<[i64]>::to_vec)
        .unwrap_or_default();
    if let (Some(from), Some(to)) = (p.from, p.to)
        && from > to
    {
        return Err(ApiError::parameter(
            "from",
            "the period starts after it ends",
        ));
    }
    // The same bounds as the subject search (`GET /api/v1/subjects`).
    let per_page = p.per_page.unwrap_or(20);
    if !(1..=100).contains(&per_page) {
        return Err(ApiError::parameter("per_page", "per_page is 1 to 100"));
    }
    let page = p.page.unwrap_or(1);
    if page < 1 {
        return Err(ApiError::parameter("page", "pages are numbered from 1"));
    }
    if p.q
        .as_deref()
        .is_some_and(|q| q.trim().chars().count() > 100)
    {
        return Err(ApiError::parameter(
            "q",
            "a query has at most 100 characters",
        ));
    }
    // A citizen ID number finds nothing, wherever it was written (a 文书号 that is one): the
    // public cannot probe which numbers are on record (DESIGN.md principle 3).
    if let Some(q) = p.q.as_deref()
        && crate::api::names_a_person(state, q.trim()).await?
    {
        return Ok((Vec::new(), 0, page, per_page));
    }
    let (rows, total) = state
        .store
        .publicity(
            &PublicityQuery {
                item: item.to_string(),
                text: p.q.clone(),
                doc_no: p.q.as_deref().map(chengxin_catalog::normalize_doc_no),
                department: p
                    .department
                    .as_deref()
                    .map(department_param)
                    .transpose()?
                    .flatten(),
                from: p.from,
                to: p.to,
                limit: per_page,
                // A page past the end is empty, however far past (no overflow to page 1).
                offset: (page - 1).saturating_mul(per_page),
                catalog_versions: Some(versions),
            },
            state.today(),
        )
        .await?;
    Ok((
        rows.iter().map(|r| public_record(it, r)).collect(),
        total,
        page,
        per_page,
    ))
}

/// Records of a subject on public show today, grouped by item (for the subject page).
pub(crate) async fn subject_publicity(
    state: &AppState,
    subject_id: i64,
) -> Result<Vec<(String, String, Vec<PublicRecord>)>, ApiError> {
    let (catalog, latest) = active_catalog(&state.store)
        .await
        .map_err(|e| internal(&e))?;
    let disclosed = disclosed_versions(state, latest).await?;
    let today = state.today();
    let records = state.store.subject_records(subject_id, None).await?;
    let mut out: Vec<(String, String, Vec<PublicRecord>)> = Vec::new();
    for item in catalog
        .items
        .iter()
        .filter(|i| i.disclosure == chengxin_catalog::Disclosure::Public)
    {
        let shown: Vec<PublicRecord> = records
            .iter()
            .filter(|r| {
                r.item == item.code
                    && r.on_show(today)
                    && disclosed.shows(&item.code, r.catalog_version)
            })
            .map(|r| public_record(item, r))
            .collect();
        if !shown.is_empty() {
            out.push((item.code.clone(), item.name.clone(), shown));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn penalty_of(name: &str, operator: &str, facts: &str, as_person: bool) -> StoredRecord {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap_or_default();
        let fields = serde_json::json!({
            "CF_XDR_MC": name, "CF_FRDB": operator, "CF_SY": facts,
        });
        StoredRecord {
            id: 1,
            item: "penalty".into(),
            department: "11350100MB0000019U".into(),
            doc_no: "榕市监罚〔2026〕1号".into(),
            version: 1,
            current: true,
            batch_id: 1,
            row_no: 1,
            catalog_version: 1,
            subject_id: 1,
            subject_name: name.into(),
            subject_code: "92350102MA2Y0000XX".into(),
            decision_date: d(11, 10),
            status: "valid".into(),
            severity: Some("general".into()),
            publish_from: Some(d(11, 10)),
            min_until: None,
            publish_until: None,
            received_on: d(11, 12),
            on_time: Some(true),
            filled_optional: 0,
            fields: fields.as_object().cloned().unwrap_or_default(),
            hash: String::new(),
            recorded_at: Utc::now(),
            repaired_on: None,
            under_verification: false,
            party_shown_as_person: as_person,
        }
    }

    /// An individual business shown as a person is its operator: the operator's name is masked
    /// in its field and in free text, like the party's (found by QA: shown in full beside the
    /// masked business name); a company's legal representative is shown as published.
    #[test]
    fn an_operator_shown_as_a_person_is_masked_everywhere() {
        let catalog = chengxin_catalog::Catalog::default_catalog();
        let item = catalog.item("penalty").expect("penalty item");
        let p = public_record(
            item,
            &penalty_of(
                "鼓楼区王小明茶叶店",
                "王小明",
                "经营者王小明销售过期茶叶",
                true,
            ),
        );
        let text = serde_json::to_string(&p).unwrap_or_default();
        assert!(!text.contains("王小明"), "{text}");
        assert!(text.contains("王**"), "{text}");
        let p = public_record(
            item,
            &penalty_of("福州恒信科技有限公司", "王小明", "销售过期茶叶", false),
        );
        let text = serde_json::to_string(&p).unwrap_or_default();
        assert!(text.contains("\"王小明\""), "{text}");
    }

    #[tokio::test]
    async fn uploads_are_private_and_stale_ones_are_swept() {
        let path = upload_path();
        let body = futures_util::stream::iter([Ok::<_, std::io::Error>(
            axum::body::Bytes::from_static("名称,证件号码\n张三,11010519491231002X\n".as_bytes()),
        )]);
        save_upload(body, &path).await.expect("saved");
        let mode = |p: &std::path::Path| {
            std::fs::metadata(p)
                .map(|m| m.permissions().mode() & 0o777)
                .ok()
        };
        // A department's file holds personal numbers: only the server's user reads it.
        assert_eq!(mode(&path), Some(0o600));
        assert_eq!(mode(&upload_dir()), Some(0o700));
        // A file left by a killed server goes at the next sweep; a fresh one stays.
        let fresh = upload_path();
        std::fs::write(&fresh, "a").expect("written");
        let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
        std::fs::File::options()
            .write(true)
            .open(&path)
            .and_then(|f| f.set_modified(two_hours_ago))
            .expect("aged");
        assert!(sweep_uploads(STALE_UPLOAD) >= 1);
        assert!(!path.exists(), "the stale upload is removed");
        assert!(fresh.exists(), "an upload being read is kept");
        let _ = std::fs::remove_file(&fresh);
    }
}
