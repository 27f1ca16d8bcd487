//! The collection benchmark (issue 4): `chengxin ingest` of an N-row penalty CSV, run as the
//! user runs it (a child process), against a raw bulk load of the same file into the same kind
//! of store in the same run — on SQLite the rows through the batch's own bulk path (prepared
//! single-row INSERTs on the writer connection, same settings) into a plain table, on PostgreSQL
//! `COPY … CSV`. The child's peak memory is read from /proc while it runs.

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

/// Writes an `n`-row penalty CSV: subjects drawn from a pool of `n / 5` companies (each with
/// about five decisions) and 5% natural persons, decisions over the last 300 days.
pub fn write_penalty_csv(path: &Path, n: usize, seed: u64) -> Result<u64> {
    let today = chengxin_server::china_today();
    let mut rng = generate::Rng::new(seed);
    let pool: Vec<(String, String)> = (0..(n / 5).max(1))
        .map(|i| (generate::uscc(&mut rng), format!("福州测试{i}贸易有限公司")))
        .collect();
    let people: Vec<String> = (0..(n / 50).max(1))
        .map(|_| generate::citizen_id(&mut rng, today))
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
    for i in 0..n {
        let date = today - chrono::Duration::days(7 + rng.below(300) as i64);
        let kind = kinds[rng.index(kinds.len())];
        let fine = if kind == "罚款" {
            format!("{}.{}", rng.below(50), rng.below(10))
        } else {
            String::new()
        };
        if i % 20 == 19 {
            let id = &people[rng.index(people.len())];
            writeln!(
                w,
                "个体经营者{i},自然人,,,,身份证,{id},榕市监罚〔{}〕{i}号,无照经营,在市场内无照经营食品第{i}次,《无证无照经营查处办法》第十三条,{kind},{kind}处理,{fine},{date},福州市市场监督管理局,{DEPT},福州市市场监督管理局,{DEPT},",
                date.format("%Y")
            )?;
        } else {
            let (uscc, name) = &pool[rng.index(pool.len())];
            writeln!(
                w,
                "{name},法人及非法人组织,{uscc},{},王经理,身份证,,榕市监罚〔{}〕{i}号,虚假宣传,在网店发布虚假广告第{i}次,《中华人民共和国广告法》第五十五条,{kind},{kind}处理,{fine},{date},福州市市场监督管理局,{DEPT},福州市市场监督管理局,{DEPT},",
                &uscc[8..17],
                date.format("%Y")
            )?;
        }
    }
    w.flush()?;
    Ok(std::fs::metadata(path)?.len())
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
async fn raw_insert(store: &Store, file: &Path) -> Result<(Duration, u64)> {
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
    Ok((t.elapsed(), n))
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
}

/// The first ingest of `file` into `db`, then the same file again, which must change nothing.
fn ingest_twice(db: &str, file: &Path, rows: usize) -> Result<(Run, Duration)> {
    add_department(db)?;
    let first = run_ingest(db, file)?;
    let (again, _, summary) = run_ingest(db, file)?;
    if summary["unchanged"].as_u64() != Some(rows as u64) {
        bail!("sending the same file again changed something: {summary}");
    }
    Ok((first, again))
}

pub async fn run(rows: usize, pg: Option<&str>, dir: &Path) -> Result<Vec<IngestResult>> {
    let csv = dir.join("penalties.csv");
    eprintln!("bench: writing a {rows}-row penalty CSV …");
    let bytes = write_penalty_csv(&csv, rows, 2026)?;
    let mut out = Vec::new();

    eprintln!("bench: SQLite ingest of {rows} rows …");
    let db_file: PathBuf = dir.join("ingest.db");
    let ((ingest, peak, summary), resend) =
        ingest_twice(&format!("sqlite://{}", db_file.display()), &csv, rows)?;
    eprintln!("bench: SQLite raw bulk insert of the same rows …");
    let raw_file = dir.join("raw.db");
    let raw = Store::connect(&format!("sqlite://{}", raw_file.display())).await?;
    let (baseline, n) = raw_insert(&raw, &csv).await?;
    raw.close().await;
    if n != rows as u64 {
        bail!("baseline inserted {n} rows, expected {rows}");
    }
    out.push(IngestResult {
        backend: "SQLite",
        rows,
        file_bytes: bytes,
        ingest,
        peak_rss: peak,
        summary,
        resend,
        baseline_name: "raw INSERT of the same rows into a plain table (the batch's bulk path)",
        baseline,
    });

    if let Some(url) = pg {
        let schema = format!("bench_ingest_{}", std::process::id());
        let mut opts = ConnectOptions::new(url);
        opts.schema = Some(schema.clone());
        let store = Store::connect_with(opts).await?;
        let sep = if url.contains('?') { '&' } else { '?' };
        let child_url = format!("{url}{sep}options=-csearch_path%3D{schema}");
        eprintln!("bench: PostgreSQL ingest of {rows} rows …");
        let r = ingest_twice(&child_url, &csv, rows);
        eprintln!("bench: PostgreSQL COPY of the same file …");
        let t = Instant::now();
        let copied = store.bench_copy_csv(HEADER.len(), &csv).await;
        let baseline = t.elapsed();
        store.drop_schema(&schema).await?;
        store.close().await;
        let ((ingest, peak, summary), resend) = r?;
        let copied = copied?;
        if copied != rows as u64 {
            bail!("COPY loaded {copied} rows, expected {rows}");
        }
        out.push(IngestResult {
            backend: "PostgreSQL",
            rows,
            file_bytes: bytes,
            ingest,
            peak_rss: peak,
            summary,
            resend,
            baseline_name: "COPY … (FORMAT csv) of the same file",
            baseline,
        });
    }
    Ok(out)
}
