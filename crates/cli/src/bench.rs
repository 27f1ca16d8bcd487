//! `chengxin bench`: each scenario beside a baseline measured in the same run, so the ratio
//! means something on any machine. Prints a Markdown table for docs/BENCHMARKS.md.

use crate::demo;
use anyhow::{Context, Result};
use chengxin_codes::{self as codes, generate};
use chengxin_server::china_today;
use chengxin_store::{ConnectOptions, Store};
use std::hint::black_box;
use std::time::{Duration, Instant};

struct Row {
    scenario: String,
    size: String,
    rate: f64,
    baseline: String,
    baseline_rate: f64,
}

fn best_of<F: FnMut() -> Duration>(runs: usize, mut f: F) -> Duration {
    (0..runs).map(|_| f()).min().unwrap_or_default()
}

fn per_sec(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64().max(1e-9)
}

/// How much data each scenario uses (`chengxin bench --help`).
#[derive(clap::Args, Debug)]
pub struct Sizes {
    /// Subjects in each store for the lookup benchmark.
    #[arg(long, default_value_t = 100_000)]
    pub subjects: usize,
    /// Lookups per measurement.
    #[arg(long, default_value_t = 20_000)]
    pub lookups: usize,
    /// USCC codes per validation pass.
    #[arg(long, default_value_t = 1_000_000)]
    pub codes: usize,
    /// Audit entries for the audit-log benchmarks.
    #[arg(long, default_value_t = 500_000)]
    pub audit_entries: usize,
    /// Rows of the penalty CSV for the ingest benchmark (0 skips it).
    #[arg(long, default_value_t = 1_000_000)]
    pub ingest_rows: usize,
    /// Subjects in each store for the list-status benchmark.
    #[arg(long, default_value_t = 1_000_000)]
    pub list_subjects: usize,
    /// List entries among them.
    #[arg(long, default_value_t = 100_000)]
    pub list_entries: usize,
}

pub async fn run(sizes: Sizes, only: Option<&str>, pg: Option<&str>) -> Result<()> {
    let Sizes {
        subjects,
        lookups,
        codes: n_codes,
        audit_entries,
        ingest_rows,
        list_subjects,
        list_entries,
    } = sizes;
    let lists = (list_subjects, list_entries);
    let mut rows = Vec::new();
    let dir = std::env::temp_dir().join(format!("chengxin-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut notes = Vec::new();
    if ingest_rows > 0 && only.is_none_or(|o| o == "ingest") {
        let results = crate::ingest_bench::run(ingest_rows, pg, &dir).await;
        for r in results? {
            rows.push(Row {
                scenario: format!("{}: `chengxin ingest` penalty CSV (parse, validate, resolve subjects, store, audit)", r.backend),
                size: format!(
                    "{} rows, {:.0} MB file, 1 batch",
                    r.rows,
                    r.file_bytes as f64 / 1e6
                ),
                rate: per_sec(r.rows, r.ingest),
                baseline: r.baseline_name.into(),
                baseline_rate: per_sec(r.rows, r.baseline),
            });
            rows.push(Row {
                scenario: format!(
                    "{}: the same file sent again (every row `unchanged`)",
                    r.backend
                ),
                size: format!("{} rows", r.rows),
                rate: per_sec(r.rows, r.resend),
                baseline: r.baseline_name.into(),
                baseline_rate: per_sec(r.rows, r.baseline),
            });
            let d = &r.daily;
            rows.push(Row {
                scenario: format!(
                    "{}: a later day's batch into the loaded store ({} corrections as new versions, the rest new decisions)",
                    r.backend, d.corrections
                ),
                size: format!("{} rows into {} records", d.rows, r.rows),
                rate: per_sec(d.rows, d.ingest),
                baseline: r.baseline_name.into(),
                baseline_rate: per_sec(d.rows, d.baseline),
            });
            notes.push(format!(
                "{} ingest: {:.1} s, peak memory {:.0} MB; summary {}",
                r.backend,
                r.ingest.as_secs_f64(),
                r.peak_rss as f64 / 1048576.0,
                r.summary
            ));
            notes.push(format!(
                "{} daily batch: {:.2} s; summary {}",
                r.backend,
                d.ingest.as_secs_f64(),
                d.summary
            ));
            if let Some(b) = r.store_bytes {
                notes.push(format!(
                    "{} store after the three batches ({} records): {:.0} MB",
                    r.backend,
                    r.rows + d.rows,
                    b as f64 / 1048576.0
                ));
            }
        }
    }
    if only == Some("ingest") {
        print_rows(&rows, &notes)?;
        let _ = std::fs::remove_dir_all(&dir);
        return Ok(());
    }
    if only == Some("lists") {
        list_rows(&dir, lists, lookups, pg, &mut rows, &mut notes).await?;
        print_rows(&rows, &notes)?;
        let _ = std::fs::remove_dir_all(&dir);
        return Ok(());
    }
    let audit_only = only == Some("audit");
    if !audit_only {
        eprintln!("bench: USCC validation over {n_codes} codes …");
        rows.extend(uscc_rows(n_codes));
    }
    let file = dir.join("bench.db");
    let sqlite = Store::connect(&format!("sqlite://{}", file.display())).await?;
    let r = if audit_only {
        Ok(Vec::new())
    } else {
        eprintln!("bench: SQLite lookups with {subjects} subjects …");
        lookup_rows(&sqlite, "SQLite", subjects, lookups).await
    };
    let a = audit_rows(&sqlite, audit_entries).await;
    sqlite.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    rows.extend(r?);
    rows.extend(a?);

    if let Some(url) = pg {
        let (store, schema) = pg_store(url, "bench").await?;
        let r = if audit_only {
            Ok(Vec::new())
        } else {
            eprintln!("bench: PostgreSQL lookups with {subjects} subjects …");
            lookup_rows(&store, "PostgreSQL", subjects, lookups).await
        };
        eprintln!("bench: PostgreSQL audit log with {audit_entries} entries …");
        let a = audit_rows(&store, audit_entries).await;
        store.drop_schema(&schema).await?;
        store.close().await;
        rows.extend(r?);
        rows.extend(a?);
    } else {
        eprintln!("bench: no --pg URL (or CHENGXIN_BENCH_PG): PostgreSQL rows skipped");
    }
    if only.is_none() {
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        list_rows(&dir, lists, lookups, pg, &mut rows, &mut notes).await?;
        let _ = std::fs::remove_dir_all(&dir);
    }

    print_rows(&rows, &notes)?;
    Ok(())
}

/// A PostgreSQL store in a schema of its own (`{prefix}_{pid}`), for the caller to drop.
async fn pg_store(url: &str, prefix: &str) -> Result<(Store, String)> {
    let schema = format!("{prefix}_{}", std::process::id());
    let mut opts = ConnectOptions::new(url);
    opts.schema = Some(schema.clone());
    let store = Store::connect_with(opts)
        .await
        .context("connecting to PostgreSQL")?;
    Ok((store, schema))
}

/// List status as of a date on each store (`--list-subjects`, `--list-entries`).
async fn list_rows(
    dir: &std::path::Path,
    (subjects, entries): (usize, usize),
    queries: usize,
    pg: Option<&str>,
    rows: &mut Vec<Row>,
    notes: &mut Vec<String>,
) -> Result<()> {
    let mut add = |backend: &str, f: crate::lists_bench::StatusFigures| {
        rows.push(Row {
            scenario: format!(
                "{backend}: list status as of a date, in-process (resolve code, book, standards, rules, JSON)"
            ),
            size: format!(
                "{} subjects, {} entries, {} questions, 1 client",
                f.subjects, f.entries, f.queries
            ),
            rate: per_sec(f.queries, f.total),
            baseline: "raw primary-key fetch".into(),
            baseline_rate: per_sec(f.queries, f.baseline_total),
        });
        let us = |d: Duration| d.as_secs_f64() * 1e6;
        notes.push(format!(
            "{backend} list status: p50 {:.0} µs, p99 {:.0} µs (target < 1000 µs), max {:.0} µs; raw fetch p99 {:.0} µs",
            us(f.p50),
            us(f.p99),
            us(f.max),
            us(f.baseline_p99)
        ));
    };
    let file = dir.join("lists.db");
    let sqlite = Store::connect(&format!("sqlite://{}", file.display())).await?;
    let r = crate::lists_bench::run(&sqlite, subjects, entries, queries).await;
    sqlite.close().await;
    let _ = std::fs::remove_file(&file);
    add("SQLite", r?);
    if let Some(url) = pg {
        let (store, schema) = pg_store(url, "bench_lists").await?;
        eprintln!("bench: PostgreSQL list status …");
        let r = crate::lists_bench::run(&store, subjects, entries, queries).await;
        store.drop_schema(&schema).await?;
        store.close().await;
        add("PostgreSQL", r?);
    }
    Ok(())
}

fn print_rows(rows: &[Row], notes: &[String]) -> Result<()> {
    outln!("| scenario | data | rate (/s) | baseline | baseline rate (/s) | ratio |")?;
    outln!("|---|---|---:|---|---:|---:|")?;
    for r in rows {
        outln!(
            "| {} | {} | {:.0} | {} | {:.0} | {:.2} |",
            r.scenario,
            r.size,
            r.rate,
            r.baseline,
            r.baseline_rate,
            r.rate / r.baseline_rate
        )?;
    }
    for n in notes {
        outln!()?;
        outln!("{n}")?;
    }
    Ok(())
}

fn uscc_rows(n: usize) -> Vec<Row> {
    let mut rng = generate::Rng::new(7);
    let mut buf = Vec::with_capacity(n * 18);
    for _ in 0..n {
        buf.extend_from_slice(generate::uscc(&mut rng).as_bytes());
    }
    let strs: Vec<&str> = buf
        .chunks_exact(18)
        .filter_map(|c| std::str::from_utf8(c).ok())
        .collect();
    // Baseline: read every byte of every code once (a checksum without any rule).
    let baseline = best_of(5, || {
        let t = Instant::now();
        let mut acc = 0u64;
        for c in buf.chunks_exact(18) {
            for &b in black_box(c) {
                acc = acc.wrapping_mul(31).wrapping_add(u64::from(b));
            }
        }
        black_box(acc);
        t.elapsed()
    });
    let fast = best_of(5, || {
        let t = Instant::now();
        let mut ok = 0usize;
        for c in buf.chunks_exact(18) {
            ok += usize::from(codes::is_valid_uscc(black_box(c)));
        }
        assert_eq!(ok, n, "every generated code is valid");
        t.elapsed()
    });
    let full = best_of(5, || {
        let t = Instant::now();
        let mut ok = 0usize;
        for s in &strs {
            ok += usize::from(codes::validate_uscc(black_box(s)).is_ok());
        }
        assert_eq!(ok, n, "every generated code is valid");
        t.elapsed()
    });
    let size = format!("{n} valid codes, 1 core");
    vec![
        Row {
            scenario: "USCC `is_valid_uscc`".into(),
            size: size.clone(),
            rate: per_sec(n, fast),
            baseline: "read the same bytes".into(),
            baseline_rate: per_sec(n, baseline),
        },
        Row {
            scenario: "USCC `validate_uscc` (normalise + parse)".into(),
            size,
            rate: per_sec(n, full),
            baseline: "read the same bytes".into(),
            baseline_rate: per_sec(n, baseline),
        },
    ]
}

async fn lookup_rows(
    store: &Store,
    name: &str,
    subjects: usize,
    lookups: usize,
) -> Result<Vec<Row>> {
    let today = china_today();
    let data = demo::subjects(subjects, 11, today);
    let keys: Vec<String> = data.iter().filter_map(|(d, _)| d.uscc.clone()).collect();
    store.bulk_register(data, today).await?;
    let total = store.count_subjects().await?;
    let mut rng = generate::Rng::new(3);
    let sample_keys: Vec<&String> = (0..lookups)
        .filter_map(|_| keys.get(rng.index(keys.len())))
        .collect();
    let sample_ids: Vec<i64> = (0..lookups)
        .map(|_| 1 + rng.below(total.max(1) as u64) as i64)
        .collect();
    // Warm the caches once.
    for id in sample_ids.iter().take(1000) {
        store.raw_fetch_by_id(*id).await?;
    }
    let mut raw_best = Duration::MAX;
    let mut reg_best = Duration::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        for id in &sample_ids {
            black_box(store.raw_fetch_by_id(*id).await?.context("id exists")?);
        }
        raw_best = raw_best.min(t.elapsed());
        let t = Instant::now();
        for key in &sample_keys {
            // What the API does with a code: validate, normalise, resolve.
            let code = codes::validate_uscc(key).context("valid code")?;
            black_box(store.find(code.as_str()).await?.context("code exists")?);
        }
        reg_best = reg_best.min(t.elapsed());
    }
    Ok(vec![Row {
        scenario: format!("{name}: subject lookup by USCC through the registry"),
        size: format!("{total} subjects, {} lookups, 1 client", sample_keys.len()),
        rate: per_sec(sample_keys.len(), reg_best),
        baseline: "raw primary-key fetch".into(),
        baseline_rate: per_sec(sample_ids.len(), raw_best),
    }])
}

async fn audit_rows(store: &Store, n: usize) -> Result<Vec<Row>> {
    Ok(crate::audit_cmd::bench_rows(store, n)
        .await?
        .into_iter()
        .map(|(scenario, size, rate, baseline, baseline_rate)| Row {
            scenario,
            size,
            rate,
            baseline,
            baseline_rate,
        })
        .collect())
}
