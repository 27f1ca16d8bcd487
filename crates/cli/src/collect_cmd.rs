//! `chengxin ingest`, `chengxin catalog …`, `chengxin batches …`, `chengxin quality`.

use anyhow::{Context, Result, bail};
use chengxin_catalog::Catalog;
use chengxin_collect::ingest::{IngestRequest, Progress, active_catalog, ingest};
use chengxin_collect::{Format, Limits};
use chengxin_server::china_today;
use chengxin_store::Store;
use chrono::{NaiveDate, Utc};
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

#[derive(clap::Args)]
pub struct IngestArgs {
    /// The file: CSV (UTF-8 or GB18030, detected), XLSX or JSON Lines.
    pub file: PathBuf,
    /// The catalog item (default catalog: license, penalty, registration, judgment_defaulter,
    /// serious_dishonesty, commitment, honour).
    #[arg(long)]
    pub item: String,
    /// The reporting department's USCC (registered with `chengxin departments add`).
    #[arg(long = "dept", value_parser = crate::code_arg)]
    pub department: String,
    /// csv, xlsx or jsonl (default: from the file name).
    #[arg(long)]
    pub format: Option<String>,
    /// Who sends it (recorded with the batch and in the audit log).
    #[arg(long = "as", env = "USER", default_value = "cli")]
    pub submitted_by: String,
    /// XLSX: the worksheet to read (default: the only visible worksheet with data; a
    /// workbook with data on several is refused until one is named).
    #[arg(long)]
    pub sheet: Option<String>,
    /// Refuse the whole batch when any row is refused.
    #[arg(long)]
    pub strict: bool,
    /// Also write the rejected-rows report to this CSV file.
    #[arg(long)]
    pub rejections: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum CatalogCommand {
    /// Import a catalog file (TOML or JSON) as the next catalog version.
    Import {
        file: PathBuf,
        #[arg(long = "as", env = "USER", default_value = "cli")]
        actor: String,
    },
    /// Print the active catalog (JSON), or one version.
    Show {
        #[arg(long)]
        version: Option<i64>,
    },
    /// List catalog versions.
    List,
    /// Print the built-in default catalog (TOML source), e.g. to edit and import.
    Default,
}

#[derive(Subcommand)]
pub enum BatchesCommand {
    /// Committed batches (JSON lines), newest first.
    List {
        #[arg(long = "dept", value_parser = crate::code_arg)]
        department: Option<String>,
        /// How many at most (1–10000).
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(i64).range(1..=10_000))]
        limit: i64,
    },
    /// One batch (JSON).
    Show { id: i64 },
    /// The rejected-rows report of a batch as CSV: row, line, field, rule, message.
    Rejections { id: i64 },
}

/// Runs `chengxin ingest`. The last line on stdout is always a JSON summary.
pub async fn run_ingest(store: &Store, args: IngestArgs) -> Result<ExitCode> {
    let format = args
        .format
        .as_deref()
        .map(|f| {
            f.parse::<Format>()
                .map_err(|_| anyhow::anyhow!("unknown --format {f:?}: use csv, xlsx or jsonl"))
        })
        .transpose()?;
    let (catalog, version) = active_catalog(store).await?;
    let Some(item) = catalog.item(&args.item).cloned() else {
        let known: Vec<&str> = catalog.items.iter().map(|i| i.code.as_str()).collect();
        let why = format!(
            "{:?} is not in the catalog (version {version}); information outside the catalog is not collected (国办发〔2020〕49号 (一)). Items: {}",
            args.item,
            known.join(", ")
        );
        // Recorded like every file refused whole (`chengxin_collect::ingest`).
        let file = args.file.display();
        store
            .audit_refusal(
                &args.submitted_by,
                "batch.ingest",
                Some(&format!("batch:{}:{}", args.department, args.item)),
                format!("{file}: refused (unknown_item): {why}"),
            )
            .await?;
        return refused("unknown_item", &why);
    };
    // The report's file is created before the batch starts: a path that cannot be written
    // refuses the batch while nothing is kept, instead of failing after the commit.
    let mut report_file = match &args.rejections {
        Some(path) => match std::fs::File::create(path) {
            Ok(f) => Some((path, f)),
            Err(e) => {
                return refused(
                    "rejections_path",
                    &format!("cannot write the report to {}: {e}", path.display()),
                );
            }
        },
        None => None,
    };
    let file_name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let progress = Arc::new(Progress::default());
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template(
            "{spinner} {msg} [{bar:40}] {binary_bytes}/{binary_total_bytes} ({elapsed}, eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(format!("{file_name} → {}", item.code));
    let ticker = {
        let bar = bar.clone();
        let progress = progress.clone();
        tokio::spawn(async move {
            loop {
                bar.set_length(progress.total_bytes.load(Ordering::Relaxed));
                bar.set_position(progress.bytes_read.load(Ordering::Relaxed));
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
    };
    let req = IngestRequest {
        path: args.file.clone(),
        format,
        file_name,
        item: item.clone(),
        catalog_version: version,
        department: args.department.clone(),
        submitted_by: args.submitted_by.clone(),
        received_at: Utc::now(),
        today: china_today(),
        limits: Limits::default(),
        sheet: args.sheet.clone(),
        strict: args.strict,
    };
    let outcome = ingest(store, req, progress.clone()).await;
    ticker.abort();
    bar.finish_and_clear();
    match outcome {
        Ok(s) => {
            if let Some((path, file)) = &mut report_file {
                let report = store.batch_rejections(s.batch).await?;
                if let Err(e) = file
                    .write_all(
                        chengxin_collect::ingest::rejections_csv(&report, Some(&item)).as_bytes(),
                    )
                    .and_then(|()| file.flush())
                {
                    eprintln!(
                        "warning: batch {} is committed, but writing its report to {} failed: {e}; \
                         get it with: chengxin batches rejections {}",
                        s.batch,
                        path.display(),
                        s.batch
                    );
                }
            }
            for t in &s.titles {
                eprintln!(
                    "line {} ({:?}) is above the header and holds one cell: skipped as the sheet's title",
                    t.line, t.text
                );
            }
            if s.rejected > 0 {
                eprintln!(
                    "{} row(s) refused; the report: chengxin batches rejections {}",
                    s.rejected, s.batch
                );
            }
            outln!("{}", serde_json::to_string(&s)?)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            let message = e.to_string();
            if let chengxin_collect::ingest::IngestError::Strict {
                rows,
                rejected,
                report,
            } = &e
            {
                // Refused whole in strict mode: the refused rows are the report the officer
                // needs to correct the file; nothing was stored, so it exists only here.
                if let Some((path, file)) = &mut report_file {
                    file.write_all(
                        chengxin_collect::ingest::rejections_csv(report, Some(&item)).as_bytes(),
                    )
                    .and_then(|()| file.flush())
                    .with_context(|| format!("writing the report to {}", path.display()))?;
                    eprintln!(
                        "the refused rows' report ({} of {rejected}): {}",
                        report.len(),
                        path.display()
                    );
                } else {
                    for r in report.iter().take(20) {
                        eprintln!(
                            "  row {} (line {}), {} [{}]: {}",
                            r.row_no, r.line, r.field, r.rule, r.message
                        );
                    }
                    if *rejected > 20 {
                        eprintln!(
                            "  … {} more; write them all with --rejections FILE",
                            rejected - 20
                        );
                    }
                }
                return refused_counting(e.code(), &message, *rows, *rejected);
            }
            if let Some((path, file)) = report_file {
                // Refused whole: no rows to report, and no empty file left behind.
                drop(file);
                let _ = std::fs::remove_file(path);
            }
            refused(e.code(), &message)
        }
    }
}

fn refused(code: &str, message: &str) -> Result<ExitCode> {
    refused_counting(code, message, 0, 0)
}

/// A refused batch's summary line; `rows` and `rejected` are those read before the refusal
/// (strict mode), nothing was kept.
fn refused_counting(code: &str, message: &str, rows: u64, rejected: u64) -> Result<ExitCode> {
    eprintln!("refused: {message}");
    // Every count a committed batch's summary has (zero but those read), no batch, and why.
    let mut summary = serde_json::to_value(chengxin_store::BatchSummary {
        rows,
        rejected,
        ..Default::default()
    })?;
    if let Some(fields) = summary.as_object_mut() {
        fields.insert("batch".into(), serde_json::Value::Null);
        fields.insert("refused".into(), code.into());
        fields.insert("error".into(), message.into());
    }
    outln!("{summary}")?;
    Ok(ExitCode::from(1))
}

pub async fn catalog(store: &Store, command: CatalogCommand) -> Result<()> {
    match command {
        CatalogCommand::Import { file, actor } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let is_json = file
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"));
            let catalog = if is_json {
                Catalog::from_json(&text)
            } else {
                Catalog::from_toml(&text)
            }
            .with_context(|| format!("{} is not a valid catalog", file.display()))?;
            // Make sure the default is version 1 before the first import.
            active_catalog(store).await?;
            let stated = catalog.version;
            let (v, new) = chengxin_collect::ingest::import_catalog_if_changed(
                store,
                catalog,
                &actor,
                &file.display().to_string(),
            )
            .await?;
            if !new {
                outln!(
                    "{} is the same as catalog version {v}, which stays in force; nothing imported",
                    file.display()
                )?;
                return Ok(());
            }
            if stated != 0 && i64::from(stated) != v {
                eprintln!(
                    "note: the file says version {stated}; the store numbers catalog versions \
                     itself, one after another, so this import is version {v}"
                );
            }
            outln!("imported {} as catalog version {v}", file.display())?;
        }
        CatalogCommand::Show { version } => {
            let text = match version {
                None => active_catalog(store).await?.0.to_json(),
                Some(v) => match store.catalog_version(Some(v)).await? {
                    Some(c) => c.body,
                    None => bail!("no catalog version {v}"),
                },
            };
            outln!("{text}")?;
        }
        CatalogCommand::List => {
            active_catalog(store).await?;
            for c in store.catalog_versions().await? {
                outln!(
                    "{}",
                    serde_json::json!({"version": c.version, "title": c.title, "imported_at": c.imported_at, "imported_by": c.imported_by, "source": c.source})
                )?;
            }
        }
        CatalogCommand::Default => out!("{}", chengxin_catalog::DEFAULT_CATALOG_TOML)?,
    }
    Ok(())
}

pub async fn batches(store: &Store, command: BatchesCommand) -> Result<()> {
    match command {
        BatchesCommand::List { department, limit } => {
            let department = match department {
                Some(d) => Some(registered_department(store, &d).await?),
                None => None,
            };
            for b in store.batches(department.as_deref(), limit).await? {
                outln!("{}", serde_json::to_string(&b)?)?;
            }
        }
        BatchesCommand::Show { id } => match store.batch(id).await? {
            Some(b) => outln!("{}", serde_json::to_string_pretty(&b)?)?,
            None => bail!("no batch {id}"),
        },
        BatchesCommand::Rejections { id } => {
            let Some(batch) = store.batch(id).await? else {
                bail!("no batch {id}");
            };
            let rows = store.batch_rejections(id).await?;
            let (catalog, _) = active_catalog(store).await?;
            let mut out = std::io::stdout().lock();
            out.write_all(
                chengxin_collect::ingest::rejections_csv(&rows, catalog.item(&batch.item))
                    .as_bytes(),
            )?;
        }
    }
    Ok(())
}

/// A department code as asked on the command line, normalised, once it is known to be a
/// registered department's (an unknown one would otherwise print nothing, as if it sent nothing).
async fn registered_department(store: &Store, asked: &str) -> Result<String> {
    let code = chengxin_codes::normalize(asked).into_owned();
    chengxin_codes::validate_uscc(&code)
        .with_context(|| format!("--dept {asked:?} is not a department's 统一社会信用代码"))?;
    if store.department(&code).await?.is_none() {
        bail!("no department {code} is registered (see chengxin departments list)");
    }
    Ok(code)
}

pub async fn quality(
    store: &Store,
    department: Option<String>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<()> {
    let today = china_today();
    let to = to.unwrap_or(today);
    let from = from.unwrap_or_else(|| to - chrono::Duration::days(365));
    if from > to {
        bail!("--from {from} is after --to {to}: the period starts after it ends");
    }
    let department = match department {
        Some(d) => Some(registered_department(store, &d).await?),
        None => None,
    };
    let (catalog, _) = active_catalog(store).await?;
    let figures = store.quality(department.as_deref(), from, to).await?;
    if figures.is_empty() {
        // stdout stays JSON lines (none); the person at the terminal is told why.
        eprintln!(
            "no batches {}from {from} to {to}: nothing to measure",
            department
                .as_deref()
                .map(|d| format!("of {d} "))
                .unwrap_or_default()
        );
    }
    for q in figures {
        let figures = chengxin_collect::ingest::QualityFigures::of(&q, &catalog);
        outln!("{}", serde_json::to_string(&figures)?)?;
    }
    Ok(())
}
