//! The collection benchmark (issue 4): `chengxin ingest` of an N-row penalty CSV, run as the
//! user runs it (a child process), against a raw bulk load of the same file into the same kind
//! of store in the same run — on SQLite the rows through the batch's own bulk path (prepared
//! single-row INSERTs on the writer connection, same settings) into a plain table, on PostgreSQL
//! `COPY … CSV`. The child's peak memory is read from /proc while it runs. Three runs per store:
//! the first load into an empty store, the same file again (every row `unchanged`), and a later
//! day's batch of a tenth of the size into the loaded store (new decisions about known subjects,
//! one row in ten a correction that becomes a new version), each against the same baseline of
//! its own rows.

use anyhow::{Context, Result, bail};
use chengxin_codes::generate;
use chengxin_collect::{Format, Limits, Reader, Row as ReadRow};
use chengxin_store::{ConnectOptions, Store};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const DEPT: &str = "11350100MB0000019U";

/// Full 双公示 penalty header (行政处罚, CF_*), Chinese names.
const HEADER: [&str; 20] = [
    "行政相对人名称",
    "行政相对人类别",
    "统一社会信用代码",
    "组织机构代码",
    "法定代表人",
    "证件类型",
    "证件号码",
    "行政处罚决定书文号",
    "违法行为类型",
    "违法事实",
    "处罚依据",
    "处罚类别",
    "处罚内容",
    "罚款金额（万元）",
    "处罚决定日期",
    "处罚机关",
    "处罚机关统一社会信用代码",
    "数据来源单位",
    "数据来源单位统一社会信用代码",
    "备注",
];

/// A penalty CSV of the benchmark. Its companies and people are fixed by `seed` and
/// `pool_rows` (the first load's size: `pool_rows / 5` companies, each with about five decisions,
/// and `pool_rows / 50` natural persons named in every 20th row); decision `i` is the same
/// every time it is written (its own generator), so a later file can correct it.
pub struct PenaltyFile {
    pub seed: u64,
    pub pool_rows: usize,
    /// The decisions in the file, in order, each with whether it is written corrected (a
    /// changed 违法事实, which the store must keep as a new version).
    pub decisions: Vec<(usize, bool)>,
}

impl PenaltyFile {
    /// Decisions `0..rows`: the first load.
    pub fn first_load(rows: usize, seed: u64) -> Self {
        PenaltyFile {
            seed,
            pool_rows: rows,
            decisions: (0..rows).map(|i| (i, false)).collect(),
        }
    }

    /// A later day's batch of `rows` rows after a first load of `pool_rows`: new decisions
    /// numbered from `pool_rows` on, about the same companies and people, with every tenth row
    /// a correction of a decision of the first load.
    pub fn daily(pool_rows: usize, rows: usize, seed: u64) -> Self {
        PenaltyFile {
            seed,
            pool_rows,
            decisions: (0..rows)
                .map(|k| {
                    if k % 10 == 9 && k < pool_rows {
                        (k, true)
                    } else {
                        (pool_rows + k, false)
                    }
                })
                .collect(),
        }
    }

    /// Rows written as corrections.
    pub fn corrections(&self) -> usize {
        self.decisions.iter().filter(|(_, c)| *c).count()
    }

    /// Writes the file; returns its size in bytes.
    pub fn write(&self, path: &Path) -> Result<u64> {
        let today = chengxin_server::china_today();
        let mut rng = generate::Rng::new(self.seed);
        let n = self.pool_rows;
        let pool: Vec<(String, String)> = (0..(n / 5).max(1))
            .map(|i| (generate::uscc(&mut rng), format!("福州测试{i}贸易有限公司")))
            .collect();
        // A person keeps one name across decisions (a name the ID's holder never had is held
        // for review, not stored).
        let people: Vec<(String, String)> = (0..(n / 50).max(1))
            .map(|k| {
                (
                    generate::citizen_id(&mut rng, today),
                    format!("个体经营者{k}"),
                )
            })
            .collect();
        let kinds = [
            "罚款",
            "警告",
            "罚款",
            "没收违法所得",
            "罚款",
            "吊销许可证件",
        ];
        let file =
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
        let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
        writeln!(w, "{}", HEADER.join(","))?;
        for &(i, corrected) in &self.decisions {
            let mut rng = generate::Rng::new(self.seed ^ (i as u64).wrapping_mul(0x2545_F491));
            let date = today - chrono::Duration::days(7 + rng.below(300) as i64);
            let year = date.format("%Y");
            let kind = kinds[rng.index(kinds.len())];
            let fine = if kind == "罚款" {
                format!("{}.{}", rng.below(50), rng.below(10))
            } else {
                String::new()
            };
            let fix = if corrected { "（更正）" } else { "" };
            if i % 20 == 19 {
                let (id, person) = &people[rng.index(people.len())];
                writeln!(
                    w,
                    "{person},自然人,,,,身份证,{id},榕市监罚〔{year}〕{i}号,无照经营,在市场内无照经营食品第{i}次{fix},《无证无照经营查处办法》第十三条,{kind},{kind}处理,{fine},{date},福州市市场监督管理局,{DEPT},福州市市场监督管理局,{DEPT},",
                )?;
            } else {
                let (uscc, name) = &pool[rng.index(pool.len())];
                writeln!(
                    w,
                    "{name},法人及非法人组织,{uscc},{},王经理,身份证,,榕市监罚〔{year}〕{i}号,虚假宣传,在网店发布虚假广告第{i}次{fix},《中华人民共和国广告法》第五十五条,{kind},{kind}处理,{fine},{date},福州市市场监督管理局,{DEPT},福州市市场监督管理局,{DEPT},",
                    &uscc[8..17],
                )?;
            }
        }
        w.flush()?;
        Ok(std::fs::metadata(path)?.len())
    }
}

/// Peak resident memory (VmHWM, bytes) of a running process, if readable.
fn peak_rss(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Registers the benchmark's department in `db` (creating the database).
fn add_department(db: &str) -> Result<()> {
    let exe = std::env::current_exe().context("locating the chengxin binary")?;
    let added = Command::new(&exe)
        .args([
            "departments",
            "add",
            "--db",
            db,
            DEPT,
            "福州市市场监督管理局",
        ])
        .output()?;
    if !added.status.success() {
        bail!(
            "departments add: {}",
            String::from_utf8_lossy(&added.stderr)
        );
    }
    Ok(())
}

/// One measured run: wall time, peak RSS, the CLI's JSON summary.
type Run = (Duration, u64, serde_json::Value);

/// Runs `chengxin ingest` on `file` as a child process.
fn run_ingest(db: &str, file: &Path) -> Result<Run> {
    let exe = std::env::current_exe().context("locating the chengxin binary")?;
    let t = Instant::now();
    let mut child = Command::new(&exe)
        .args(["ingest", "--db", db])
        .arg(file)
        .args(["--item", "penalty", "--dept", DEPT])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let pid = child.id();
    let mut peak = 0;
    loop {
        if let Some(p) = peak_rss(pid) {
            peak = peak.max(p);
        }
        if child.try_wait()?.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let elapsed = t.elapsed();
    let out = child.wait_with_output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text.lines().last().unwrap_or("");
    let summary: serde_json::Value =
        serde_json::from_str(last).with_context(|| format!("ingest summary: {last:?}"))?;
    if !out.status.success() {
        bail!("ingest failed: {summary}");
    }
    Ok((elapsed, peak, summary))
}

/// The SQLite baseline: the same file read by the same reader on another thread, every cell
/// inserted as text into a plain table in one transaction, the way a batch writes its records.
async fn raw_insert(store: &Store, file: &Path, rows: usize) -> Result<Duration> {
    let reader = Reader::open_path(file, Some(Format::Csv), Limits::default())?;
    let columns = reader.headers().len();
    let (tx, rx) = tokio::sync::mpsc::channel::<Vec<Vec<String>>>(8);
    let t = Instant::now();
    let producer = tokio::task::spawn_blocking(move || -> Result<()> {
        let mut reader = reader;
        let mut row = ReadRow::default();
        let mut chunk = Vec::with_capacity(2_000);
        while reader.read_row(&mut row)? {
            chunk.push(std::mem::take(&mut row.cells));
            if chunk.len() == 2_000 && tx.blocking_send(std::mem::take(&mut chunk)).is_err() {
                break;
            }
        }
        if !chunk.is_empty() {
            let _ = tx.blocking_send(chunk);
        }
        Ok(())
    });
    let n = store.bench_raw_insert(columns, rx).await?;
    producer.await??;
    let took = t.elapsed();
    if n != rows as u64 {
        bail!(
            "the baseline inserted {n} rows of {}, expected {rows}",
            file.display()
        );
    }
    Ok(took)
}

pub struct IngestResult {
    pub backend: &'static str,
    pub rows: usize,
    pub file_bytes: u64,
    pub ingest: Duration,
    pub peak_rss: u64,
    pub summary: serde_json::Value,
    /// The same file sent again: every row must come back `unchanged` (idempotency).
    pub resend: Duration,
    pub baseline_name: &'static str,
    pub baseline: Duration,
    /// A later day's batch into the loaded store (new decisions and corrections).
    pub daily: Daily,
    /// SQLite: the database file's size after the three batches (each `chengxin ingest` closes
    /// its store, which folds the write-ahead log into the file).
    pub store_bytes: Option<u64>,
}

/// The daily batch: its size, its run, and the baseline of the same rows.
pub struct Daily {
    pub rows: usize,
    pub corrections: usize,
    pub ingest: Duration,
    pub summary: serde_json::Value,
    pub baseline: Duration,
}

/// The files of one run: the first load, and the daily batch after it.
struct Files {
    first: PathBuf,
    rows: usize,
    daily: PathBuf,
    daily_rows: usize,
    corrections: usize,
}

/// Into `db`: the first load, the same file again (which must change nothing), then the daily
/// batch (which must add its new decisions and keep its corrections as new versions).
fn ingest_all(db: &str, f: &Files) -> Result<(Run, Duration, Run)> {
    add_department(db)?;
    let first = run_ingest(db, &f.first)?;
    let (again, _, summary) = run_ingest(db, &f.first)?;
    if summary["unchanged"].as_u64() != Some(f.rows as u64) {
        bail!("sending the same file again changed something: {summary}");
    }
    let daily = run_ingest(db, &f.daily)?;
    let s = &daily.2;
    if s["accepted"].as_u64() != Some(f.daily_rows as u64)
        || s["changed"].as_u64() != Some(f.corrections as u64)
    {
        bail!(
            "the daily batch of {} rows with {} corrections gave {s}",
            f.daily_rows,
            f.corrections
        );
    }
    Ok((first, again, daily))
}

pub async fn run(rows: usize, pg: Option<&str>, dir: &Path) -> Result<Vec<IngestResult>> {
    const SEED: u64 = 2026;
    let csv = dir.join("penalties.csv");
    eprintln!("bench: writing a {rows}-row penalty CSV and a daily batch after it …");
    let bytes = PenaltyFile::first_load(rows, SEED).write(&csv)?;
    let daily_rows = (rows / 10).max(1);
    let daily_file = PenaltyFile::daily(rows, daily_rows, SEED);
    let daily_csv = dir.join("daily.csv");
    daily_file.write(&daily_csv)?;
    let files = Files {
        first: csv.clone(),
        rows,
        daily: daily_csv.clone(),
        daily_rows,
        corrections: daily_file.corrections(),
    };
    let mut out = Vec::new();

    eprintln!("bench: SQLite ingest of {rows} rows, again, then {daily_rows} more …");
    let db_file: PathBuf = dir.join("ingest.db");
    let runs = ingest_all(&format!("sqlite://{}", db_file.display()), &files)?;
    let store_bytes = ["", "-wal"]
        .iter()
        .filter_map(|suffix| std::fs::metadata(format!("{}{suffix}", db_file.display())).ok())
        .map(|m| m.len())
        .sum::<u64>();
    eprintln!("bench: SQLite raw bulk insert of the same rows …");
    let raw_file = dir.join("raw.db");
    let raw = Store::connect(&format!("sqlite://{}", raw_file.display())).await?;
    let baseline = raw_insert(&raw, &csv, rows).await;
    let daily_baseline = raw_insert(&raw, &daily_csv, daily_rows).await;
    raw.close().await;
    out.push(IngestResult {
        store_bytes: Some(store_bytes),
        ..result(
            "SQLite",
            "raw INSERT of the same rows into a plain table (the batch's bulk path)",
            &files,
            bytes,
            runs,
            (baseline?, daily_baseline?),
        )
    });

    if let Some(url) = pg {
        let schema = format!("bench_ingest_{}", std::process::id());
        let mut opts = ConnectOptions::new(url);
        opts.schema = Some(schema.clone());
        let store = Store::connect_with(opts).await?;
        let sep = if url.contains('?') { '&' } else { '?' };
        let child_url = format!("{url}{sep}options=-csearch_path%3D{schema}");
        eprintln!("bench: PostgreSQL ingest of {rows} rows, again, then {daily_rows} more …");
        let r = ingest_all(&child_url, &files);
        eprintln!("bench: PostgreSQL COPY of the same files …");
        let baseline = copy(&store, &csv, rows).await;
        let daily_baseline = copy(&store, &daily_csv, daily_rows).await;
        store.drop_schema(&schema).await?;
        store.close().await;
        out.push(result(
            "PostgreSQL",
            "COPY … (FORMAT csv) of the same file",
            &files,
            bytes,
            r?,
            (baseline?, daily_baseline?),
        ));
    }
    Ok(out)
}

/// One store's result: its three runs against the baselines of the first load and the daily
/// batch.
fn result(
    backend: &'static str,
    baseline_name: &'static str,
    files: &Files,
    file_bytes: u64,
    ((ingest, peak_rss, summary), resend, (daily, _, daily_summary)): (Run, Duration, Run),
    (baseline, daily_baseline): (Duration, Duration),
) -> IngestResult {
    IngestResult {
        backend,
        rows: files.rows,
        file_bytes,
        ingest,
        peak_rss,
        summary,
        resend,
        baseline_name,
        baseline,
        daily: Daily {
            rows: files.daily_rows,
            corrections: files.corrections,
            ingest: daily,
            summary: daily_summary,
            baseline: daily_baseline,
        },
        store_bytes: None,
    }
}

/// PostgreSQL's baseline: `COPY` of `file` into a plain table, timed.
async fn copy(store: &Store, file: &Path, rows: usize) -> Result<Duration> {
    let t = Instant::now();
    let copied = store.bench_copy_csv(HEADER.len(), file).await?;
    let took = t.elapsed();
    if copied != rows as u64 {
        bail!(
            "COPY loaded {copied} rows of {}, expected {rows}",
            file.display()
        );
    }
    Ok(took)
}
