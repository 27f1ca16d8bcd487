//! `chengxin`: run the platform, load demo data, check codes, review code cases, benchmark.

/// mimalloc instead of glibc's allocator: a batch allocates and frees millions of short strings
/// (cells, bound arguments), and glibc's malloc, free and fastbin consolidation took about a
/// quarter of an ingest's CPU time (perf, 200,000 rows).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `println!` that returns the write error instead of panicking: when the reader of the
/// output goes away (`chengxin … | head`), the command ends quietly (see [`main`]).
macro_rules! outln {
    () => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock())
    }};
    ($($arg:tt)+) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)+)
    }};
}

/// `print!` with the same error handling as [`outln!`].
macro_rules! out {
    ($($arg:tt)+) => {{
        use std::io::Write as _;
        let mut o = std::io::stdout().lock();
        write!(o, $($arg)+).and_then(|()| o.flush())
    }};
}

/// Exit status after the output's reader went away: what a shell reports for a command ended
/// by SIGPIPE (128 + 13).
const BROKEN_PIPE_EXIT: u8 = 141;

mod admin;
mod audit_cmd;
mod bench;
mod collect_cmd;
mod demo;
mod ingest_bench;
mod lists_bench;
mod lists_cmd;

use anyhow::{Context, Result, bail};
use chengxin_calendar::{Calendar, DayKind};
use chengxin_codes::{self as codes, CodeKind};
use chengxin_server::{AppState, china_today};
use chengxin_store::{CaseStatus, Store};
use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{BufRead, Write};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Parser)]
#[command(
    name = "chengxin",
    version,
    about = "诚信 chengxin — public credit information platform"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct DbArg {
    /// Database URL: sqlite://FILE (embedded, created if missing) or postgres://USER@HOST/DB.
    #[arg(
        long,
        env = "CHENGXIN_DB",
        default_value = "sqlite://chengxin.db",
        global = true
    )]
    db: String,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the portal and the API.
    Serve {
        #[command(flatten)]
        db: DbArg,
        /// Address to listen on.
        #[arg(long, env = "CHENGXIN_ADDR", default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Requests per minute allowed to one client IP that is not signed in (burst: a quarter).
        #[arg(long, default_value_t = 1200)]
        anonymous_per_minute: u32,
    },
    /// Create a fresh demo database (chengxin-demo.db in this directory) and serve it.
    Demo {
        /// Number of synthetic subjects.
        #[arg(long, default_value_t = 100_000)]
        subjects: usize,
        #[arg(long, env = "CHENGXIN_ADDR", default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// The demo database file (replaced).
        #[arg(long, default_value = "chengxin-demo.db")]
        file: String,
        /// Seed of the generator (same seed, same data).
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Build the database and exit without serving.
        #[arg(long)]
        no_serve: bool,
    },
    /// Create the database if needed and apply pending migrations.
    Migrate {
        #[command(flatten)]
        db: DbArg,
    },
    /// Identifier codes: check and generate.
    Codes {
        #[command(subcommand)]
        command: CodesCommand,
    },
    /// Duplicate and wrong-code cases (重错码) awaiting review.
    Cases {
        #[command(subcommand)]
        command: CasesCommand,
    },
    /// Departments (a department is a government body with its own USCC).
    Departments {
        #[command(flatten)]
        db: DbArg,
        #[command(subcommand)]
        command: admin::DepartmentsCommand,
    },
    /// Accounts of people and systems.
    Users {
        #[command(flatten)]
        db: DbArg,
        #[command(subcommand)]
        command: admin::UsersCommand,
    },
    /// API keys of system accounts.
    Keys {
        #[command(flatten)]
        db: DbArg,
        #[command(subcommand)]
        command: admin::KeysCommand,
    },
    /// Purpose-bound, expiring authorisations to read personal information.
    Grants {
        #[command(flatten)]
        db: DbArg,
        #[command(subcommand)]
        command: admin::GrantsCommand,
    },
    /// The tamper-evident audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Send a file of catalogued information (CSV, XLSX, JSON Lines) as one batch. The last
    /// line of output is a JSON summary: batch, rows, accepted, changed, unchanged, rejected, ….
    Ingest {
        #[command(flatten)]
        db: DbArg,
        #[command(flatten)]
        args: collect_cmd::IngestArgs,
    },
    /// Lists (红名单, 严重失信主体名单, 重点关注名单, 大数据警示名单): standards, status, expiry.
    Lists {
        #[command(flatten)]
        db: DbArg,
        #[command(subcommand)]
        command: lists_cmd::ListsCommand,
    },
    /// Every record version of a subject — current and superseded, any status, any window —
    /// as JSON lines, newest decision first, each with why it is or is not on show on --as-of
    /// ("showing": on_show, expired, revoked, superseded, …; "showing_zh": 公示中, 公示期满, 已撤销,
    /// 已被更正, …). Fields masked as on the portal; the read is recorded in the audit log.
    Records {
        #[command(flatten)]
        db: DbArg,
        /// USCC, other code or the subject's key.
        code: String,
        /// The day to give each version's standing for (default today).
        #[arg(long, value_parser = iso_date)]
        as_of: Option<NaiveDate>,
    },
    /// The public credit information catalog (目录): versions, import, show.
    Catalog {
        #[command(flatten)]
        db: DbArg,
        #[command(subcommand)]
        command: collect_cmd::CatalogCommand,
    },
    /// Collection batches and their rejected-rows reports.
    Batches {
        #[command(flatten)]
        db: DbArg,
        #[command(subcommand)]
        command: collect_cmd::BatchesCommand,
    },
    /// Collection quality per department and item (JSON lines): received, accepted, rejected by
    /// rule, on-time rate, completeness, wrong-code rate.
    Quality {
        #[command(flatten)]
        db: DbArg,
        /// One department's USCC.
        #[arg(long = "dept", value_parser = code_arg)]
        department: Option<String>,
        /// First day (default: a year before --to).
        #[arg(long, value_parser = iso_date)]
        from: Option<NaiveDate>,
        /// Last day (default: today).
        #[arg(long, value_parser = iso_date)]
        to: Option<NaiveDate>,
    },
    /// Working-day arithmetic with the statutory holiday calendar.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// Measure throughput against baselines run in the same process; prints a Markdown table.
    Bench {
        #[command(flatten)]
        sizes: bench::Sizes,
        /// Run one group of scenarios only: `ingest`, `audit` or `lists`.
        #[arg(long)]
        only: Option<String>,
        /// PostgreSQL URL for the PostgreSQL rows (skipped when absent).
        #[arg(long, env = "CHENGXIN_BENCH_PG")]
        pg: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum KindArg {
    Auto,
    Uscc,
    Org,
    Regno,
    CitizenId,
}

impl KindArg {
    fn kind(self) -> Option<CodeKind> {
        match self {
            KindArg::Auto => None,
            KindArg::Uscc => Some(CodeKind::Uscc),
            KindArg::Org => Some(CodeKind::Org),
            KindArg::Regno => Some(CodeKind::Regno),
            KindArg::CitizenId => Some(CodeKind::CitizenId),
        }
    }
}

#[derive(Subcommand)]
enum CodesCommand {
    /// Check codes given as arguments, or one per line on stdin. Prints one JSON object per input:
    /// {"input","kind","valid","normalized","error"}. Exit status 1 if any input is invalid.
    Check {
        #[arg(long, value_enum, default_value = "auto")]
        kind: KindArg,
        codes: Vec<String>,
    },
    /// Generate valid codes for test data (never real subjects' codes by intent).
    Gen {
        #[arg(long, value_enum)]
        kind: KindArg,
        #[arg(long, default_value_t = 10)]
        count: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Subcommand)]
enum CasesCommand {
    /// List cases (JSON lines), newest first.
    List {
        #[command(flatten)]
        db: DbArg,
        /// open, corrected or dismissed
        #[arg(long)]
        status: Option<String>,
        /// How many at most (1–10000).
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(i64).range(1..=10_000))]
        limit: i64,
    },
    /// Close an open case. Dismissing a name_mismatch case (名称与代码不符) accepts the row's
    /// name as its subject's: the row sent again is published.
    Close {
        #[command(flatten)]
        db: DbArg,
        id: i64,
        /// corrected or dismissed
        #[arg(long)]
        status: String,
        /// What was done.
        #[arg(long)]
        resolution: String,
        /// Who closes it.
        #[arg(long, env = "USER", default_value = "operator")]
        actor: String,
    },
    /// Counts by status and kind, with the correction rate (纠正率).
    Stats {
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain; exit 0 when intact, 1 naming the first broken entry.
    Verify {
        #[command(flatten)]
        db: DbArg,
    },
    /// Entries of the log as JSON lines, oldest first, for review or export (审查); the search is
    /// itself recorded.
    Search {
        #[command(flatten)]
        db: DbArg,
        /// Who acted (exact).
        #[arg(long)]
        actor: Option<String>,
        /// The action code (exact), e.g. subject.read_private.
        #[arg(long)]
        action: Option<String>,
        /// The subject or record acted upon (exact).
        #[arg(long)]
        target: Option<String>,
        /// From this time on: RFC 3339, or a date (from 00:00 China time).
        #[arg(long, value_parser = audit_cmd::time_arg)]
        from: Option<chrono::DateTime<chrono::Utc>>,
        /// Before this time: RFC 3339, or a date (up to its end, China time).
        #[arg(long, value_parser = audit_cmd::time_arg_end)]
        to: Option<chrono::DateTime<chrono::Utc>>,
        /// How many entries at most.
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(i64).range(1..=10_000_000))]
        limit: i64,
    },
}

/// A date option: `YYYY-MM-DD` exactly (no sign, no five-digit year).
pub(crate) fn iso_date(s: &str) -> Result<NaiveDate, String> {
    chengxin_calendar::parse_iso_date(s).ok_or_else(|| chengxin_calendar::iso_date_error(s))
}

#[derive(Subcommand)]
enum CalendarCommand {
    /// The date N working days after DATE (counting starts the day after).
    Add {
        #[arg(value_parser = iso_date)]
        date: NaiveDate,
        days: u32,
    },
    /// Working days after START up to and including END.
    Between {
        #[arg(value_parser = iso_date)]
        start: NaiveDate,
        #[arg(value_parser = iso_date)]
        end: NaiveDate,
    },
    /// What kind of day DATE is.
    Day {
        #[arg(value_parser = iso_date)]
        date: NaiveDate,
    },
}

/// A code given on the command line, as codes are stored: upper case, half-width, no spaces
/// (the API normalises the same way).
pub(crate) fn code_arg(s: &str) -> Result<String, std::convert::Infallible> {
    Ok(chengxin_codes::normalize(s).into_owned())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    if let Err(e) = added_calendar() {
        eprintln!("error: {}", describe(&e));
        return ExitCode::FAILURE;
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let result = run(cli).await;
        close_opened().await;
        result
    });
    match result {
        Ok(code) => code,
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::from(BROKEN_PIPE_EXIT)
        }
        Err(e) => {
            eprintln!("error: {}", describe(&e));
            ExitCode::FAILURE
        }
    }
}

/// `CHENGXIN_CALENDAR`: a file of working-day rows (`date,kind,name`) for years announced
/// after this build, added to the built-in calendar for every command of this process.
fn added_calendar() -> anyhow::Result<()> {
    let Some(path) = std::env::var_os("CHENGXIN_CALENDAR").filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let path = std::path::PathBuf::from(path);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("reading CHENGXIN_CALENDAR {}", path.display()))?;
    let cal = Calendar::china_with(&text)
        .with_context(|| format!("CHENGXIN_CALENDAR {}", path.display()))?;
    let years = cal.covered_years();
    Calendar::install_china(cal)?;
    tracing::info!(
        file = %path.display(),
        "working-day calendar {}–{}",
        years.start(),
        years.end()
    );
    Ok(())
}

/// An error and its causes on one line, each said once: a cause whose text its parent already
/// includes (sqlx's database errors repeat their source) is left out.
fn describe(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

/// `chengxin records CODE`: one JSON line per record version of the subject (the items of
/// `GET /api/v1/subjects/{code}/records`), after recording the read (a read of non-public data,
/// 49号 (十三)).
async fn records(store: &Store, code: &str, as_of: Option<NaiveDate>) -> Result<()> {
    if code.trim().is_empty() {
        anyhow::bail!("give the subject's USCC, other code or key");
    }
    let subject = store
        .find(&codes::normalize(code))
        .await?
        .with_context(|| format!("no subject {code}"))?;
    let as_of = as_of.unwrap_or_else(china_today);
    let state = AppState::new(store.clone());
    let versions = chengxin_server::records_api::subject_history(&state, subject.id, as_of).await?;
    store
        .audit_note(
            &admin::actor(),
            "subjects.records.read",
            Some(&subject.key),
            format!("{} record versions as of {as_of}", versions.len()),
        )
        .await
        .context("recording the read in the audit log")?;
    for v in &versions {
        outln!("{}", serde_json::to_string(v)?)?;
    }
    Ok(())
}

async fn open(db: &DbArg) -> Result<Store> {
    let store = Store::connect(&db.db)
        .await
        .with_context(|| format!("opening database {}", db.db))?;
    Ok(opened(store))
}

/// Stores a command opened, closed before the process ends ([`close_opened`]).
static OPENED: std::sync::Mutex<Vec<Store>> = std::sync::Mutex::new(Vec::new());

/// `store`, to be closed when the command is done.
fn opened(store: Store) -> Store {
    if let Ok(mut v) = OPENED.lock() {
        v.push(store.clone());
    }
    store
}

/// Closes every store the command opened. An SQLite store closed by its last connection folds
/// its write-ahead log into the database file and removes it, so the `.db` file alone is the
/// whole database (found by QA: after `chengxin demo --no-serve` the data was all in the
/// `-wal` file, and a copy of the `.db` file was an empty store).
async fn close_opened() {
    let stores = OPENED
        .lock()
        .map(|mut v| std::mem::take(&mut *v))
        .unwrap_or_default();
    for s in stores {
        s.close().await;
    }
}

async fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Serve {
            db,
            addr,
            anonymous_per_minute,
        } => {
            let store = open(&db).await?;
            let n = store.count_subjects().await?;
            let state =
                AppState::new(store).with_rate_limits(chengxin_server::ratelimit::RateConfig {
                    anonymous_per_minute,
                    anonymous_burst: (anonymous_per_minute / 4).max(1),
                    ..Default::default()
                });
            serve(state, addr, &format!("{} ({n} subjects)", db.db)).await?;
        }
        Command::Demo {
            subjects,
            addr,
            file,
            seed,
            no_serve,
        } => {
            // The demo is an SQLite file it replaces; a database URL is not one (found by QA: it
            // made a directory named `postgres:`).
            if file.contains("://") || file.starts_with("sqlite:") || file.starts_with("postgres") {
                anyhow::bail!(
                    "--file is the name of the SQLite file the demo creates (chengxin-demo.db), not a database URL: {file}"
                );
            }
            let store = build_demo(subjects, &file, seed).await?;
            if !no_serve {
                serve(AppState::new(store), addr, &format!("demo database {file}")).await?;
            }
        }
        Command::Migrate { db } => {
            let store = open(&db).await?;
            let applied = store.applied_migrations().await?;
            outln!(
                "{} is at migration {} ({} applied)",
                db.db,
                applied.last().copied().unwrap_or(0),
                applied.len()
            )?;
        }
        Command::Codes { command } => return codes_command(command),
        Command::Cases { command } => cases_command(command).await?,
        Command::Calendar { command } => calendar_command(command)?,
        Command::Ingest { db, args } => {
            return collect_cmd::run_ingest(&open(&db).await?, args).await;
        }
        // Printing the built-in defaults needs no database: none is opened, created or migrated.
        Command::Catalog {
            command: collect_cmd::CatalogCommand::Default,
            ..
        } => out!("{}", chengxin_catalog::DEFAULT_CATALOG_TOML)?,
        Command::Lists {
            command: lists_cmd::ListsCommand::Default,
            ..
        } => out!("{}", chengxin_lists::DEFAULT_STANDARDS_TOML)?,
        Command::Catalog { db, command } => {
            collect_cmd::catalog(&open(&db).await?, command).await?
        }
        Command::Lists { db, command } => lists_cmd::run(&open(&db).await?, command).await?,
        Command::Records { db, code, as_of } => records(&open(&db).await?, &code, as_of).await?,
        Command::Batches { db, command } => {
            collect_cmd::batches(&open(&db).await?, command).await?
        }
        Command::Quality {
            db,
            department,
            from,
            to,
        } => collect_cmd::quality(&open(&db).await?, department, from, to).await?,
        Command::Departments { db, command } => {
            admin::departments(&open(&db).await?, command).await?
        }
        Command::Users { db, command } => admin::users(&open(&db).await?, command).await?,
        Command::Keys { db, command } => admin::keys(&open(&db).await?, command).await?,
        Command::Grants { db, command } => admin::grants(&open(&db).await?, command).await?,
        Command::Audit {
            command: AuditCommand::Verify { db },
        } => return audit_cmd::verify(&db.db).await,
        Command::Audit {
            command:
                AuditCommand::Search {
                    db,
                    actor,
                    action,
                    target,
                    from,
                    to,
                    limit,
                },
        } => {
            let filter = chengxin_store::AuditFilter {
                target,
                actor,
                action,
                from,
                to,
                after_seq: None,
                limit,
            };
            audit_cmd::search(&open(&db).await?, filter, &admin::actor()).await?
        }
        Command::Bench { sizes, only, pg } => {
            bench::run(sizes, only.as_deref(), pg.as_deref()).await?
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn serve(state: AppState, addr: SocketAddr, what: &str) -> Result<()> {
    let what = what.to_string();
    chengxin_server::serve(state, addr, move |bound| {
        let _ = outln!("chengxin is serving {what}");
        let _ = outln!(
            "Open http://{bound}/   (API: http://{bound}/api/v1/openapi.json; Ctrl-C stops)"
        );
        let _ = std::io::stdout().flush();
    })
    .await
    .with_context(|| {
        format!("serving on {addr} (is the port already in use? try --addr 127.0.0.1:8081)")
    })
}

async fn build_demo(n: usize, file: &str, seed: u64) -> Result<Store> {
    let started = Instant::now();
    for suffix in ["", "-wal", "-shm"] {
        let path = format!("{file}{suffix}");
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("removing old demo file {path}")),
        }
    }
    let today = china_today();
    let store = opened(
        Store::connect(&format!("sqlite://{file}"))
            .await
            .with_context(|| format!("creating {file}"))?,
    );
    let bar = ProgressBar::new(n as u64).with_style(
        ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ({per_sec})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message("generating");
    let data = demo::subjects(n, seed, today);
    bar.set_position(0);
    bar.set_message("loading");
    let renames = demo::renames(&data, 300, seed, today);
    let (licences_csv, penalties_csv) = demo::decisions_csv(&data, 20, seed, today);
    // Two companies for the demo's list entries (one serious, one red).
    let listed: Vec<String> = data
        .iter()
        .filter(|(d, _)| d.kind == chengxin_registry::SubjectKind::LegalPerson)
        .filter_map(|(d, _)| d.uscc.clone())
        .skip(5)
        .take(2)
        .collect();
    // Load in slices so the bar moves; each slice is one transaction.
    let slice = 10_000;
    let mut loaded = 0u64;
    let mut rest = data;
    while !rest.is_empty() {
        let tail = rest.split_off(rest.len().min(slice));
        let part = std::mem::replace(&mut rest, tail);
        loaded += store.bulk_register(part, today).await?;
        bar.set_position(loaded);
    }
    bar.finish_and_clear();
    let enterprise_key = renames.first().map(|(k, _, _)| k.clone());
    let mut renamed = 0;
    for (key, data, prov) in renames {
        store
            .update(&key, data, prov, today)
            .await
            .with_context(|| format!("renaming demo subject {key}"))?;
        renamed += 1;
    }
    let accounts = match enterprise_key {
        Some(key) => admin::demo_accounts(&store, &key, demo::DEPARTMENT_USCC).await?,
        None => Vec::new(),
    };
    // 双公示 decisions of the demo department, sent as two batches like a data officer would.
    let mut decisions = Vec::new();
    let (catalog, version) = chengxin_collect::ingest::active_catalog(&store).await?;
    for (item, text) in [("license", licences_csv), ("penalty", penalties_csv)] {
        let path =
            std::env::temp_dir().join(format!("chengxin-demo-{item}-{}.csv", std::process::id()));
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        let req = chengxin_collect::ingest::IngestRequest {
            path: path.clone(),
            format: Some(chengxin_collect::Format::Csv),
            file_name: format!("demo-{item}.csv"),
            item: catalog
                .item(item)
                .cloned()
                .with_context(|| format!("the default catalog has no {item}"))?,
            catalog_version: version,
            department: demo::DEPARTMENT_USCC.to_string(),
            submitted_by: "demo-data_officer".into(),
            received_at: chrono::Utc::now(),
            today,
            limits: chengxin_collect::Limits::default(),
            sheet: None,
            strict: false,
        };
        let outcome = chengxin_collect::ingest::ingest(
            &store,
            req,
            std::sync::Arc::new(chengxin_collect::ingest::Progress::default()),
        )
        .await;
        let _ = std::fs::remove_file(&path);
        let s = outcome.with_context(|| format!("loading demo {item} decisions"))?;
        decisions.push(format!("{} {item}", s.accepted));
    }
    let mut lists_note = String::new();
    if let [serious, red] = listed.as_slice() {
        lists_cmd::demo(&store, serious, red, today)
            .await
            .context("creating the demo's list entries")?;
        lists_note = format!(
            ", list entries for {serious} (serious) and {red} (red): see /lists and /subjects/{serious}#lists"
        );
    }
    outln!(
        "demo: {loaded} subjects ({renamed} with a name change), {} decisions{lists_note} in {file}, built in {:.1} s",
        decisions.join(" + "),
        started.elapsed().as_secs_f64()
    )?;
    if !accounts.is_empty() {
        outln!(
            "demo accounts (sign in at /login, password {}):",
            admin::DEMO_PASSWORD
        )?;
        for line in accounts {
            outln!("{line}")?;
        }
    }
    Ok(store)
}

fn codes_command(command: CodesCommand) -> Result<ExitCode> {
    let today = china_today();
    match command {
        CodesCommand::Check { kind, codes: args } => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            let mut all_valid = true;
            let mut check = |line: &str, out: &mut dyn Write| -> Result<()> {
                let outcome = codes::check(line, kind.kind(), today);
                all_valid &= outcome.valid;
                serde_json::to_writer(&mut *out, &outcome)?;
                out.write_all(b"\n")?;
                Ok(())
            };
            if args.is_empty() {
                let stdin = std::io::stdin();
                let mut buf = Vec::new();
                let mut reader = stdin.lock();
                loop {
                    buf.clear();
                    if reader.read_until(b'\n', &mut buf)? == 0 {
                        break;
                    }
                    // Invalid UTF-8 is checked as text with replacement characters: it is
                    // reported as invalid, never a crash.
                    let line = String::from_utf8_lossy(&buf);
                    let line = line.trim_end_matches(['\n', '\r']);
                    check(line, &mut out)?;
                }
            } else {
                for a in &args {
                    check(a, &mut out)?;
                }
            }
            out.flush()?;
            Ok(if all_valid {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        CodesCommand::Gen { kind, count, seed } => {
            let mut rng = codes::generate::Rng::new(seed);
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            for _ in 0..count {
                let code = match kind {
                    KindArg::Uscc | KindArg::Auto => codes::generate::uscc(&mut rng),
                    KindArg::Org => codes::generate::org_code(&mut rng),
                    KindArg::Regno => codes::generate::reg_no(&mut rng),
                    KindArg::CitizenId => codes::generate::citizen_id(&mut rng, today),
                };
                writeln!(out, "{code}")?;
            }
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn cases_command(command: CasesCommand) -> Result<()> {
    match command {
        CasesCommand::List { db, status, limit } => {
            let status = status
                .as_deref()
                .map(|s| {
                    CaseStatus::parse(s).with_context(|| {
                        format!("unknown status {s:?}: use open, corrected or dismissed")
                    })
                })
                .transpose()?;
            let store = open(&db).await?;
            for c in store.code_cases(status, limit).await? {
                outln!("{}", serde_json::to_string(&c)?)?;
            }
        }
        CasesCommand::Close {
            db,
            id,
            status,
            resolution,
            actor,
        } => {
            let status = match CaseStatus::parse(&status) {
                Some(s @ (CaseStatus::Corrected | CaseStatus::Dismissed)) => s,
                _ => bail!("--status is corrected or dismissed, not {status:?}"),
            };
            let store = open(&db).await?;
            let c = store.close_case(id, status, &resolution, &actor).await?;
            outln!("{}", serde_json::to_string(&c)?)?;
        }
        CasesCommand::Stats { db } => {
            let store = open(&db).await?;
            let c = store.case_counts().await?;
            let mut v = serde_json::to_value(&c)?;
            v["correction_rate"] = serde_json::json!(c.correction_rate());
            outln!("{v}")?;
        }
    }
    Ok(())
}

fn calendar_command(command: CalendarCommand) -> Result<()> {
    let cal = Calendar::china();
    match command {
        CalendarCommand::Add { date, days } => outln!("{}", cal.add_working_days(date, days)?)?,
        CalendarCommand::Between { start, end } => {
            if end < start {
                anyhow::bail!("END {end} is before START {start}: give the earlier day first");
            }
            outln!("{}", cal.working_days_between(start, end)?)?
        }
        CalendarCommand::Day { date } => {
            // One JSON line: the kind, whether people work, and the holiday it belongs to.
            let kind = cal.day_kind(date)?;
            let working = kind.is_working_day();
            let (label, holiday) = match &kind {
                DayKind::Workday => ("workday", None),
                DayKind::Weekend => ("weekend", None),
                DayKind::Holiday { name } => ("holiday", Some(name.as_str())),
                DayKind::AdjustedWorkday { name } => ("adjusted_workday", Some(name.as_str())),
            };
            let line = serde_json::json!({
                "date": date, "kind": label, "working_day": working, "holiday": holiday,
            });
            outln!("{line}")?
        }
    }
    Ok(())
}
