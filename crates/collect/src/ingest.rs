//! The collection pipeline (归集): a file → rows → catalog validation → one batch in the store.
//!
//! Reading and validating run on a blocking thread and hand chunks of outcomes to the async
//! writer through a bounded channel, so parsing and database writes overlap (2 cores) and memory
//! stays bounded whatever the file size. Any file-level failure — a truncated file, an encoding
//! error, a header that does not match the item's schema, a cell over the limit — rolls the whole
//! batch back: a batch commits whole or not at all.
//!
//! Row-level failures refuse only that row, with every field and rule it broke, into the
//! batch's rejected-rows report. A USCC failing its check character also opens a wrong-code case
//! (错码) holding the row, for review: it is not silently dropped.
//!
//! Duplicates inside one batch: the first row with a document number is taken; an identical
//! repeat is counted `unchanged`; a repeat with different content is refused (rule
//! `duplicate_in_batch`, naming the first row). Taking the later row instead (a 撤销 appended
//! below the decision) would make a re-sent file churn versions — row 1 changes what row 2
//! stored, then row 2 changes it back — where sending the same file again must change nothing;
//! a correction goes in a later batch.

use crate::{Error as ReadError, Format, Limits, Reader};
use chengxin_calendar::Calendar;
use chengxin_catalog::{Catalog, CatalogItem, Draft, HeaderError, RowError, Window};
use chengxin_registry::{CaseKind, Scheme};
use chengxin_store::{
    BatchSummary, CatalogImport, NewBatch, RecordInput, Rejection, Store, StoreError, SubjectInput,
    TitleRow,
};
use chrono::{DateTime, NaiveDate, Utc};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Decisions must be published within 7 working days: 国办发〔2015〕51号 (十八)
/// 「自作出行政决定之日起7个工作日内上网公开」, restated in 国发〔2016〕33号 (十七).
pub const ON_TIME_WORKING_DAYS: u32 = 7;

/// Rows per message from the reader thread to the writer.
const MSG_ROWS: usize = 512;

/// What to ingest and on whose behalf.
#[derive(Clone, Debug)]
pub struct IngestRequest {
    pub path: PathBuf,
    /// `None`: from the file name's extension.
    pub format: Option<Format>,
    /// The file name to record (the uploaded name for API batches).
    pub file_name: String,
    pub item: CatalogItem,
    pub catalog_version: i64,
    /// USCC of the reporting department.
    pub department: String,
    pub submitted_by: String,
    pub received_at: DateTime<Utc>,
    /// The day decisions are checked against (no decision date after it), which is also the
    /// day of receipt for the 7-working-day rule: today in China.
    pub today: NaiveDate,
    pub limits: Limits,
    /// XLSX: the worksheet to read (`None`: the only visible one with data).
    pub sheet: Option<String>,
    /// Refuse the whole batch when any row is refused.
    pub strict: bool,
}

/// Live counters a progress bar or the API's progress resource reads.
#[derive(Debug, Default)]
pub struct Progress {
    pub bytes_read: AtomicU64,
    pub total_bytes: AtomicU64,
    pub rows_read: AtomicU64,
}

/// Why a batch was refused as a whole (nothing of it was written).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{0}")]
    Read(#[from] ReadError),
    #[error("header does not match catalog item {item}: {}{}", if *.keys { error.for_keys() } else { error.to_string() }, header_place(*.line, .titles, *.separator))]
    Header {
        item: String,
        error: HeaderError,
        /// The "header" is the keys of a JSON Lines file's first object: said as keys, not as
        /// columns (a JSON object has no columns to count).
        keys: bool,
        /// The line the header was read from.
        line: u64,
        /// One-cell rows above it skipped as titles.
        titles: Vec<TitleRow>,
        /// The header is one cell holding `;` or `|`: the file is not separated by commas.
        separator: Option<char>,
    },
    #[error("cannot open {path}: {error}")]
    Open { path: String, error: std::io::Error },
    #[error("unknown file format for {0}: use .csv, .xlsx or .jsonl, or name the format")]
    UnknownFormat(String),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("the reader stopped unexpectedly: {0}")]
    Internal(String),
    #[error("{}", describe_strict(*.rejected, .report))]
    Strict {
        /// Rows read.
        rows: u64,
        rejected: u64,
        /// The refused rows' reasons in order, the first [`STRICT_REPORT`] of them: the batch
        /// is refused whole, so this is its only rejected-rows report.
        report: Vec<Rejection>,
    },
    #[error("catalog: {0}")]
    Catalog(#[from] chengxin_catalog::CatalogError),
    /// A worksheet was named for a file that is not a workbook.
    #[error(
        "a worksheet ({sheet:?}) was named, but the file is {format}: only XLSX workbooks have worksheets"
    )]
    SheetNotXlsx { sheet: String, format: &'static str },
    /// The catalog item names its providers (信息提供单位) and this department is not one.
    #[error(
        "{department} is not a provider (信息提供单位) of {item} in the catalog in force; the item \
         is reported by {}",
        providers.join(", ")
    )]
    NotProvider {
        department: String,
        item: String,
        providers: Vec<String>,
    },
    /// A department is named by its USCC; this one fails the code's own rules.
    #[error("the department code {code:?} is not a valid 统一社会信用代码: {error}")]
    Department {
        code: String,
        error: chengxin_codes::CodeError,
    },
}

/// Where the header was read, which rows above it were skipped as titles, and a separator
/// that is not a comma.
fn header_place(line: u64, titles: &[TitleRow], separator: Option<char>) -> String {
    let hint = match separator {
        Some(c) => format!(
            "; the header is a single cell holding {c:?}: columns must be separated by commas \
             (save the file as CSV)"
        ),
        None => String::new(),
    };
    if titles.is_empty() {
        return format!(" (the header was read from line {line}{hint})");
    }
    let skipped: Vec<String> = titles
        .iter()
        .map(|t| {
            let text: String = t.text.chars().take(40).collect();
            format!("line {} ({text:?})", t.line)
        })
        .collect();
    format!(
        " (the header was read from line {line}; above it {} taken as the sheet's title{hint})",
        if skipped.len() == 1 {
            format!("{} was", skipped[0])
        } else {
            format!("{} were", skipped.join(", "))
        }
    )
}

/// How many refusals a batch refused whole in strict mode reports (its total is always said).
pub const STRICT_REPORT: usize = 10_000;

fn describe_strict(rejected: u64, report: &[Rejection]) -> String {
    let mut s = format!(
        "{rejected} row(s) refused, and strict mode keeps a batch only if every row is accepted: \
         nothing was stored"
    );
    if let Some(first) = report.first() {
        s.push_str(&format!(
            "; first: row {} (line {}), {} [{}]: {}",
            first.row_no, first.line, first.field, first.rule, first.message
        ));
    }
    s
}

/// [`header_place`] in Chinese.
fn header_place_zh(line: u64, titles: &[TitleRow], separator: Option<char>) -> String {
    let mut s = format!("表头读自第 {line} 行");
    if !titles.is_empty() {
        let skipped: Vec<String> = titles
            .iter()
            .map(|t| {
                let text: String = t.text.chars().take(40).collect();
                format!("第 {} 行「{text}」", t.line)
            })
            .collect();
        s.push_str(&format!("；其上的{}被当作表格标题", skipped.join("、")));
    }
    if let Some(c) = separator {
        s.push_str(&format!(
            "；表头只有一个单元格，其中含有「{c}」：各列须以逗号分隔（另存为 CSV）"
        ));
    }
    s
}

impl IngestError {
    /// The refusal in Chinese, as specific as the English one (which line, which column, which
    /// field), for the 数据报送 page and the API's `message_zh`. The English stays the
    /// [`std::fmt::Display`] form (logs, the audit trail, the CLI).
    pub fn message_zh(&self) -> String {
        match self {
            IngestError::Read(e) => e.message_zh(),
            IngestError::Header {
                item,
                error,
                keys: true,
                line,
                ..
            } => format!(
                "第 {line} 行的键与目录项 {item} 的字段不符：{}",
                error.keys_message_zh()
            ),
            IngestError::Header {
                item,
                error,
                line,
                titles,
                separator,
                ..
            } => format!(
                "表头与目录项 {item} 的字段不符：{}（{}）",
                error.message_zh(),
                header_place_zh(*line, titles, *separator)
            ),
            IngestError::Open { path, error } => format!("无法打开文件 {path}（{error}）"),
            IngestError::UnknownFormat(path) => format!(
                "无法判断 {path} 的文件格式：请使用 .csv、.xlsx 或 .jsonl 扩展名，或指明格式"
            ),
            IngestError::Store(StoreError::NotFound(what)) => {
                format!("没有找到：{what}（报送部门须先在平台登记）")
            }
            IngestError::Store(e) => format!("数据库暂时无法写入，请稍后再试（{e}）"),
            IngestError::Internal(e) => format!("读取过程意外中止，请重新报送（{e}）"),
            IngestError::Strict {
                rejected, report, ..
            } => {
                let mut s = format!(
                    "有 {rejected} 行被拒收；严格模式下只有全部行都被接收才保存，因此没有保存任何数据"
                );
                if let Some(first) = report.first() {
                    s.push_str(&format!(
                        "；第一处：第 {} 条数据（第 {} 行），字段 {}，{}：{}",
                        first.row_no,
                        first.line,
                        first.field,
                        chengxin_catalog::rule_label_zh(&first.rule).unwrap_or(&first.rule),
                        chengxin_catalog::message_zh(&first.message)
                    ));
                }
                s
            }
            IngestError::Catalog(e) => format!("目录有误（{e}）"),
            IngestError::SheetNotXlsx { sheet, format } => {
                format!("指定了工作表「{sheet}」，但文件是 {format}：只有 XLSX 工作簿才有工作表")
            }
            IngestError::NotProvider {
                department,
                item,
                providers,
            } => format!(
                "{department} 不是现行目录中 {item} 的信息提供单位；该项由 {} 报送",
                providers.join("、")
            ),
            IngestError::Department { code, error } => format!(
                "部门代码「{code}」不是有效的统一社会信用代码：{}",
                error.message_zh()
            ),
        }
    }

    /// A stable identifier of the refusal, for the API and the CLI's JSON summary.
    pub fn code(&self) -> &'static str {
        match self {
            IngestError::Read(e) => e.code(),
            IngestError::Header { .. } => "header",
            IngestError::Open { .. } => "open",
            IngestError::UnknownFormat(_) => "format",
            IngestError::Store(StoreError::NotFound(_)) | IngestError::Department { .. } => {
                "department"
            }
            IngestError::Store(_) => "store",
            IngestError::Internal(_) => "internal",
            IngestError::Strict { .. } => "strict",
            IngestError::NotProvider { .. } => "provider",
            IngestError::SheetNotXlsx { .. } => "sheet",
            IngestError::Catalog(_) => "catalog",
        }
    }
}

enum Msg {
    Record(Box<RecordInput>),
    Repeat,
    Blank,
    Reject(Vec<Rejection>),
    Review {
        reasons: Vec<Rejection>,
        /// The case to open: its kind and the scheme of `code`.
        case: (CaseKind, Scheme),
        code: String,
        detail: String,
        payload: String,
    },
}

/// SHA-256 of a file, hex.
pub fn file_sha256(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(chengxin_catalog::hex(&h.finalize()))
}

/// Reads, validates and stores one file as one batch. On any file-level error nothing is kept.
pub async fn ingest(
    store: &Store,
    req: IngestRequest,
    progress: Arc<Progress>,
) -> Result<BatchSummary, IngestError> {
    let actor = req.submitted_by.clone();
    let target = format!("batch:{}:{}", req.department, req.item.code);
    let file = chengxin_codes::mask::redact(&req.file_name);
    let result = ingest_batch(store, req, progress).await;
    // A file refused whole writes nothing, but the attempt is on the record (who sent what, and
    // why it was refused), as a committed batch is. A store that cannot take the entry either is
    // the refusal's own story: it is logged, and the refusal returned.
    if let Err(e) = &result {
        let why: String = chengxin_codes::mask::redact(&e.to_string())
            .chars()
            .take(600)
            .collect();
        let detail = format!("{file}: refused ({}): {why}", e.code());
        if let Err(audit) = store
            .audit_refusal(&actor, "batch.ingest", Some(&target), detail)
            .await
        {
            tracing::warn!(error = %audit, "the refused batch could not be written to the audit log");
        }
    }
    result
}

async fn ingest_batch(
    store: &Store,
    req: IngestRequest,
    progress: Arc<Progress>,
) -> Result<BatchSummary, IngestError> {
    if let Err(error) = chengxin_codes::validate_uscc(&req.department) {
        return Err(IngestError::Department {
            code: req.department.clone(),
            error,
        });
    }
    if !req.item.accepts_provider(&req.department) {
        return Err(IngestError::NotProvider {
            department: req.department.clone(),
            item: req.item.code.clone(),
            providers: req.item.providers.clone(),
        });
    }
    let format = match req.format {
        Some(f) => f,
        None => Format::from_path(&req.path)
            .ok_or_else(|| IngestError::UnknownFormat(req.path.display().to_string()))?,
    };
    if let (Some(sheet), false) = (&req.sheet, format == Format::Xlsx) {
        return Err(IngestError::SheetNotXlsx {
            sheet: sheet.clone(),
            format: format.as_str(),
        });
    }
    let open_error = |error| IngestError::Open {
        path: req.path.display().to_string(),
        error,
    };
    std::fs::File::open(&req.path).map_err(open_error)?;
    // The file's digest is taken alongside reading and writing (it reads the whole file once
    // more) and recorded on the batch at commit.
    let sha_task = {
        let path = req.path.clone();
        tokio::task::spawn_blocking(move || file_sha256(&path))
    };
    // Open and match the header before the batch begins: a refused header writes nothing.
    // A sheet's title above the header is skipped when the item's header has several columns
    // (one required field would make a one-cell row a possible header).
    let mut limits = req.limits;
    if req.item.fields.iter().filter(|f| f.required).count() >= 2 {
        limits.title_rows = limits.title_rows.max(crate::MAX_TITLE_ROWS);
    }
    let mut reader =
        Reader::open_path_sheet(&req.path, Some(format), limits, req.sheet.as_deref())?;
    if format == Format::JsonLines {
        accept_every_field_key(&mut reader, &req.item);
    }
    let headers: Vec<&str> = reader.headers().iter().map(String::as_str).collect();
    let columns = req
        .item
        .columns(&headers)
        .map_err(|error| IngestError::Header {
            item: req.item.code.clone(),
            error,
            keys: format == Format::JsonLines,
            line: reader.header_line(),
            titles: reader.titles().to_vec(),
            separator: match headers.as_slice() {
                [one] => one.chars().find(|c| matches!(c, ';' | '|' | '；')),
                _ => None,
            },
        })?;
    let titles = reader.titles().to_vec();
    let received_on = req.today;
    let mut writer = store
        .begin_batch(NewBatch {
            item: req.item.code.clone(),
            catalog_version: req.catalog_version,
            department: req.department.clone(),
            // A file name can carry a person's number (「张三_110105….xlsx」): it is shown on
            // batch pages and listings, so it is kept masked like any free text.
            file_name: chengxin_codes::mask::redact(&req.file_name),
            format: format.as_str().to_string(),
            encoding: reader.encoding().map(|e| e.name().to_string()),
            file_sha256: String::new(),
            submitted_by: req.submitted_by.clone(),
            received_at: req.received_at,
            received_on,
            field_layout: Some(field_layout(&req.item)),
        })
        .await?;
    if req.strict {
        writer.keep_rejections(STRICT_REPORT);
    }
    if let Some(f) = req.item.role_field(chengxin_catalog::Role::DocNo) {
        writer.set_doc_field(&f.code);
    }
    if let Some(f) = req.item.checked_name_field() {
        writer.check_party_names(&f.code);
    } else if req.item.renames_subjects() {
        writer.rename_subjects();
    }

    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Vec<Msg>, IngestError>>(8);
    let item = req.item.clone();
    let today = req.today;
    let prog = progress.clone();
    let producer = tokio::task::spawn_blocking(move || {
        let mut reader = reader;
        produce(&mut reader, &item, &columns, today, received_on, &prog, &tx);
        // Known for certain only now (an all-ASCII start may turn out GB18030).
        reader.encoding()
    });
    let mut failure: Option<IngestError> = None;
    while let Some(msg) = rx.recv().await {
        let msgs = match msg {
            Ok(m) => m,
            Err(e) => {
                failure = Some(e);
                break;
            }
        };
        let step: Result<(), StoreError> = async {
            for m in msgs {
                match m {
                    Msg::Record(r) => writer.push(*r).await?,
                    Msg::Repeat => writer.unchanged_in_batch(),
                    Msg::Blank => writer.blank(),
                    Msg::Reject(r) => writer.reject(r).await?,
                    Msg::Review {
                        reasons,
                        case,
                        code,
                        detail,
                        payload,
                    } => {
                        writer
                            .review(reasons, (case.0, case.1, &code), &detail, &payload)
                            .await?
                    }
                }
            }
            Ok(())
        }
        .await;
        if let Err(e) = step {
            failure = Some(e.into());
            break;
        }
    }
    drop(rx);
    let joined = producer.await;
    if let Some(e) = failure {
        writer.rollback().await?;
        return Err(e);
    }
    let encoding = match joined {
        Ok(encoding) => encoding,
        Err(e) => {
            writer.rollback().await?;
            return Err(IngestError::Internal(e.to_string()));
        }
    };
    writer.set_encoding(encoding.map(|e| e.name().to_string()));
    // Rows meet what the store holds when they are written: write the last ones before strict
    // mode looks at the refusals.
    if req.strict
        && let Err(e) = writer.write_pending().await
    {
        writer.rollback().await?;
        return Err(e.into());
    }
    if req.strict && writer.summary().rejected > 0 {
        let (rows, rejected) = (writer.summary().rows, writer.summary().rejected);
        let report = writer.kept_rejections().to_vec();
        writer.rollback().await?;
        return Err(IngestError::Strict {
            rows,
            rejected,
            report,
        });
    }
    let sha = match sha_task.await {
        Ok(Ok(sha)) => sha,
        Ok(Err(error)) => {
            writer.rollback().await?;
            return Err(open_error(error));
        }
        Err(e) => {
            writer.rollback().await?;
            return Err(IngestError::Internal(e.to_string()));
        }
    };
    writer.set_file_sha256(sha);
    writer.set_titles(titles);
    Ok(writer.commit().await?)
}

/// JSON Lines: the first object's keys are the header, but objects may leave out empty keys and
/// name fields differently. A later object may use any field's code, and any name of a field,
/// whichever the first object used for it.
fn accept_every_field_key(reader: &mut Reader, item: &CatalogItem) {
    let first: Vec<String> = reader.headers().to_vec();
    let keys: Vec<&str> = first.iter().map(String::as_str).collect();
    let Ok(mapped) = item.columns(&keys) else {
        return; // refused with its reason by the caller's own match
    };
    for (fi, f) in item.fields.iter().enumerate() {
        let key = match mapped.column_of(fi).and_then(|c| keys.get(c)) {
            Some(&k) => k,
            None => {
                reader.add_keys(&[&f.code]);
                f.code.as_str()
            }
        };
        reader.alias_keys(key, &f.names().collect::<Vec<_>>());
    }
}

/// The reader thread: rows → validated messages, in chunks.
fn produce(
    reader: &mut Reader,
    item: &CatalogItem,
    columns: &chengxin_catalog::Columns,
    today: NaiveDate,
    received_on: NaiveDate,
    progress: &Progress,
    tx: &tokio::sync::mpsc::Sender<Result<Vec<Msg>, IngestError>>,
) {
    let calendar = Calendar::china();
    let layout = field_layout(item);
    // Document number → (first row, its hash, a digest of its party's code).
    let mut seen: HashMap<String, (u64, [u8; 32], u64)> = HashMap::new();
    let mut out: Vec<Msg> = Vec::with_capacity(MSG_ROWS);
    if let Some(total) = reader.total_bytes() {
        progress.total_bytes.store(total, Ordering::Relaxed);
    }
    let mut blank_seen = 0;
    let mut row = crate::Row::default();
    loop {
        match reader.read_row(&mut row) {
            Ok(true) => {}
            Ok(false) => break,
            // A row the reader could not split (more cells than headers, a cell or record over
            // the limit, an unknown JSON key): that row is refused, reading goes on.
            Err(e) if !e.stops_reading() => {
                let rows = progress.rows_read.fetch_add(1, Ordering::Relaxed) + 1;
                out.push(Msg::Reject(vec![Rejection {
                    row_no: rows,
                    line: e.line(),
                    field: match &e {
                        crate::Error::UnknownKey { key, .. } => key.clone(),
                        // The field under the column, when the column is one.
                        crate::Error::CellTooLarge { column, .. }
                        | crate::Error::Cell { column, .. }
                        | crate::Error::NestedValue { column, .. } => column
                            .checked_sub(1)
                            .and_then(|c| columns.field_of(c))
                            .and_then(|f| item.fields.get(f))
                            .map(|f| f.code.clone())
                            .unwrap_or_default(),
                        _ => String::new(),
                    },
                    rule: e.code().into(),
                    // Chinese first, then the English, as every refused row's reason.
                    message: report_message(&format!("{} / {e}", e.message_zh())),
                }]));
                continue;
            }
            Err(e) => {
                let _ = tx.blocking_send(Err(e.into()));
                return;
            }
        }
        let blanks = reader.skipped_blank();
        while blank_seen < blanks {
            out.push(Msg::Blank);
            blank_seen += 1;
        }
        progress.rows_read.fetch_add(1, Ordering::Relaxed);
        let cells: Vec<&str> = row.cells.iter().map(String::as_str).collect();
        let msg = match item.validate(columns, &cells, today) {
            Ok(draft) => match seen.get(&draft.doc_no) {
                Some((_, h, _)) if *h == draft.hash => Msg::Repeat,
                Some((first, _, party)) => {
                    let same_party = *party == party_digest(&draft.subject.code);
                    let why_zh = if same_party {
                        "但内容不同：同一文件中一个决定只能报送一次（如需更正或撤销，只保留正确的一行，\
                         或在之后的批次中报送变更）"
                    } else {
                        "但当事人不同：一个文书号对应一个当事人的一个决定，一案多人不能在同一文书号下\
                         分行报送，请向信用中心咨询报送方式；如需更换当事人，请先报送该决定的撤销\
                         （状态 撤销），再在下一批次报送更正后的行"
                    };
                    let why = if same_party {
                        "with different content: one file states a decision once (to correct or \
                         revoke it, keep only the row that is right, or send the change in a later \
                         batch)"
                    } else {
                        "naming another party: one document number is one decision about one \
                         party here, so a decision naming several parties (一案多人) cannot be \
                         sent as several rows under one number; ask the credit centre how to \
                         report it. To move a decision to another party, send its withdrawal \
                         (状态 撤销) and the corrected row in two batches, one after the other"
                    };
                    Msg::Reject(vec![Rejection {
                        row_no: row.number,
                        line: row.line,
                        field: item
                            .role_field(chengxin_catalog::Role::DocNo)
                            .map(|f| f.code.clone())
                            .unwrap_or_default(),
                        rule: "duplicate_in_batch".into(),
                        message: format!(
                            "文书号 {doc} 已出现在本批次第 {first} 行，{why_zh} / document number \
                             {doc} already appears in row {first} of this batch {why}",
                            doc = draft.doc_no
                        ),
                    }])
                }
                None => {
                    let party = party_digest(&draft.subject.code);
                    seen.insert(draft.doc_no.clone(), (row.number, draft.hash, party));
                    Msg::Record(Box::new(record_input(
                        item,
                        &layout,
                        draft,
                        (row.number, row.line),
                        received_on,
                        calendar,
                    )))
                }
            },
            Err(errors) => rejection(item, columns, &row, &cells, errors, reader.short_row()),
        };
        out.push(msg);
        if out.len() >= MSG_ROWS {
            progress
                .bytes_read
                .store(reader.bytes_read(), Ordering::Relaxed);
            if tx.blocking_send(Ok(std::mem::take(&mut out))).is_err() {
                return; // the writer gave up
            }
            out.reserve(MSG_ROWS);
        }
    }
    let blanks = reader.skipped_blank();
    while blank_seen < blanks {
        out.push(Msg::Blank);
        blank_seen += 1;
    }
    progress
        .bytes_read
        .store(reader.bytes_read(), Ordering::Relaxed);
    if !out.is_empty() {
        let _ = tx.blocking_send(Ok(out));
    }
}

fn rejection(
    item: &CatalogItem,
    columns: &chengxin_catalog::Columns,
    row: &crate::Row,
    cells: &[&str],
    errors: Vec<RowError>,
    short_row: Option<usize>,
) -> Msg {
    let review = errors.iter().find(|e| e.review).map(|e| {
        // The offending value, as sent, for the case's code column.
        let code = item
            .fields
            .iter()
            .position(|f| f.code == e.field)
            .and_then(|fi| columns.column_of(fi))
            .and_then(|c| cells.get(c))
            .map(|c| c.trim().to_string())
            .unwrap_or_default();
        // An organisation code contradicting the row's USCC is a legacy code that does not
        // match; anything else held for review is a USCC failing its check.
        let case = if e.rule == "code_conflict" {
            (CaseKind::LegacyMismatch, Scheme::Org)
        } else {
            (CaseKind::InvalidCheck, Scheme::Uscc)
        };
        (case, code, e.message.clone())
    });
    // A required cell past the end of a short row: say that the row is short, which is what the
    // sender has to fix (a lost separator or cell), not the field.
    let past_end = |field: &str| {
        short_row.is_some_and(|given| {
            item.fields
                .iter()
                .position(|f| f.code == field)
                .and_then(|fi| columns.column_of(fi))
                .is_some_and(|c| c >= given)
        })
    };
    let reasons: Vec<Rejection> = errors
        .into_iter()
        .map(|e| {
            let message = match short_row {
                Some(given) if e.rule == "required" && past_end(&e.field) => format!(
                    "{} (the row has only {given} of the header's {} cells: a cell or a separator \
                     is missing before it)",
                    e.message,
                    cells.len()
                ),
                _ => e.message,
            };
            Rejection {
                row_no: row.number,
                line: row.line,
                field: e.field,
                rule: e.rule.to_string(),
                message: report_message(&message),
            }
        })
        .collect();
    match review {
        Some((case, code, detail)) => {
            let payload = serde_json::json!({
                "item": item.code,
                "row": row.number,
                "line": row.line,
                "cells": row.cells,
            })
            .to_string();
            Msg::Review {
                reasons,
                case,
                code,
                detail,
                payload,
            }
        }
        None => Msg::Reject(reasons),
    }
}

/// A digest of a party's code, to tell a repeated document number naming another party.
fn party_digest(code: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    code.hash(&mut h);
    h.finish()
}

/// A validated draft as the store writes it: publication window from the catalog item, the
/// 7-working-day timeliness from the calendar.
fn record_input(
    item: &CatalogItem,
    layout: &[String],
    draft: Draft,
    (row_no, line): (u64, u64),
    received_on: NaiveDate,
    calendar: &Calendar,
) -> RecordInput {
    let window = item.window_of(&draft);
    let (publish_from, min_until, publish_until) = match window {
        Window::NotPublished => (None, None, None),
        Window::Published {
            from,
            min_until,
            until,
        } => (Some(from), min_until, until),
    };
    let on_time = calendar
        .within_working_days(draft.decision_date, received_on, ON_TIME_WORKING_DAYS)
        .ok();
    let hash = draft.hash_hex();
    RecordInput {
        row_no,
        line,
        doc_no: draft.doc_no,
        subject: SubjectInput {
            name: draft.subject.name,
            kind: draft.subject.kind,
            scheme: draft.subject.scheme,
            code: draft.subject.code,
            also: draft.subject.also,
        },
        decision_date: draft.decision_date,
        status: draft.status.as_str().to_string(),
        severity: draft.severity.map(|s| s.as_str().to_string()),
        publish_from,
        min_until,
        publish_until,
        on_time,
        filled_optional: draft.filled_optional,
        applicable_optional: draft.applicable_optional,
        fields_json: chengxin_store::fields_array(layout, &draft.fields)
            .unwrap_or_else(|| fields_json(&draft.fields)),
        hash,
    }
}

/// The field codes a batch of `item` stores its records' fields against
/// ([`chengxin_store::fields_array`]): the item's fields in schema order, as a checked row has them.
pub fn field_layout(item: &CatalogItem) -> Vec<String> {
    item.fields.iter().map(|f| f.code.clone()).collect()
}

/// A row's fields as the JSON object a record stores: keys in sorted order, compact — the same
/// bytes as serializing a `serde_json::Map` of them, serialized from borrowed pairs without
/// building `Value`s (for a million rows the map of owned values and its `Display` were a sixth
/// of the reading thread's time). Field codes are unique within a row.
pub fn fields_json(fields: &[(String, String)]) -> String {
    let sorted: std::collections::BTreeMap<&str, &str> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    serde_json::to_string(&sorted).unwrap_or_default()
}

/// The catalog in force: the newest stored version, or the built-in default catalog, stored as
/// version 1 the first time it is needed (so every record can name the version it entered under).
pub async fn active_catalog(store: &Store) -> Result<(Catalog, i64), IngestError> {
    let mut latest = store.latest_catalog().await?;
    if latest.is_none() {
        // Two processes may get here at once on a new store: the default is stored only if no
        // catalog is stored by then, and the one in force is read back.
        store_catalog(
            store,
            Catalog::default_catalog(),
            "system",
            "built-in default catalog",
            CatalogImport::IfNone,
        )
        .await?;
        latest = store.latest_catalog().await?;
    }
    let c = latest
        .ok_or_else(|| IngestError::Internal("no catalog after storing the default".into()))?;
    let mut catalog = Catalog::from_json(&c.body)?;
    catalog.version = to_u32(c.version);
    Ok((catalog, c.version))
}

fn to_u32(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// Stores `catalog` as the next version; its own `version` field is set to the number the
/// store assigns.
pub async fn import_catalog(
    store: &Store,
    catalog: Catalog,
    actor: &str,
    source: &str,
) -> Result<i64, IngestError> {
    Ok(
        store_catalog(store, catalog, actor, source, CatalogImport::Always)
            .await?
            .0,
    )
}

async fn store_catalog(
    store: &Store,
    catalog: Catalog,
    actor: &str,
    source: &str,
    when: CatalogImport,
) -> Result<(i64, bool), IngestError> {
    let title = catalog.title.clone();
    let render = move |v: i64| {
        Catalog {
            version: to_u32(v),
            ..catalog.clone()
        }
        .to_json()
    };
    Ok(store
        .import_catalog(&title, render, actor, source, when)
        .await?)
}

/// [`import_catalog`], unless `catalog` is the newest version again (same items, fields and
/// rules; its own `version` number aside): then nothing is stored. Returns the version that is
/// now in force and whether it is new.
pub async fn import_catalog_if_changed(
    store: &Store,
    catalog: Catalog,
    actor: &str,
    source: &str,
) -> Result<(i64, bool), IngestError> {
    store_catalog(store, catalog, actor, source, CatalogImport::IfChanged).await
}

/// The rejected-rows report as CSV: UTF-8 with a BOM (spreadsheet programs then read the Chinese
/// messages), columns 行号 row, 物理行 line, 字段 field, 规则 rule, 说明 message, then for people
/// reading it the field's Chinese name (`field_name`, from `item`) and the rule's
/// (`rule_label`).
pub fn rejections_csv(rows: &[Rejection], item: Option<&CatalogItem>) -> String {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    for r in report_rows(rows, item) {
        let _ = w.serialize(r);
    }
    let body = w.into_inner().unwrap_or_default();
    let mut s = String::from("\u{feff}");
    s.push_str(&String::from_utf8_lossy(&body));
    s
}

/// A refusal's message as the report keeps it: a citizen ID or phone number it quotes from the
/// row (typed into a date or amount, say) masked. The report is kept with the batch and read by
/// operators and auditors as well as the sender, who finds the value by its row and line.
fn report_message(message: &str) -> String {
    chengxin_codes::mask::redact(message)
}

/// One line of the rejected-rows report, the same in its JSON and CSV forms: the row, the line
/// of the file, the field's code and catalog name, the rule's id and Chinese label, the message.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ReportRow<'a> {
    pub row: u64,
    pub line: u64,
    pub field: &'a str,
    pub rule: &'a str,
    pub message: &'a str,
    pub field_name: &'a str,
    pub rule_label: &'a str,
}

/// The report lines of `rows`, with the field names of `item` (the batch's catalog item).
pub fn report_rows<'a>(
    rows: &'a [Rejection],
    item: Option<&'a CatalogItem>,
) -> impl Iterator<Item = ReportRow<'a>> {
    rows.iter().map(move |r| ReportRow {
        row: r.row_no,
        line: r.line,
        field: &r.field,
        rule: &r.rule,
        message: &r.message,
        field_name: item
            .and_then(|i| i.field(&r.field))
            .map_or("", |f| f.name.as_str()),
        rule_label: chengxin_catalog::rule_label_zh(&r.rule).unwrap_or(""),
    })
}

/// Quality figures with their rates (seed 001 §5–6, seed 004 (二)(三): 入库率, 时效率, 完整率, 错码率).
#[derive(Clone, Debug, serde::Serialize)]
pub struct QualityFigures {
    #[serde(flatten)]
    pub counts: chengxin_store::Quality,
    /// (accepted + unchanged) / received.
    pub acceptance_rate: Option<f64>,
    /// Reported within 7 working days of the decision / first versions whose dates the calendar covers.
    pub on_time_rate: Option<f64>,
    /// Optional fields filled / optional fields that apply to the first versions' subjects
    /// (a record stored before migration 0009 counts all the item's optional fields).
    pub completeness: Option<f64>,
    /// Rows held for wrong-code review / received.
    pub wrong_code_rate: Option<f64>,
}

impl QualityFigures {
    pub fn of(q: &chengxin_store::Quality, catalog: &Catalog) -> QualityFigures {
        let ratio = |a: i64, b: i64| (b > 0).then(|| a as f64 / b as f64);
        let optional = catalog
            .item(&q.item)
            .map_or(0, |i| i.optional_field_count() as i64);
        QualityFigures {
            counts: q.clone(),
            acceptance_rate: ratio(q.accepted + q.unchanged, q.received),
            on_time_rate: ratio(q.on_time, q.timed),
            completeness: ratio(
                q.optional_filled,
                q.optional_applicable + q.optional_unrecorded * optional,
            ),
            wrong_code_rate: ratio(q.wrong_code, q.received),
        }
    }
}
