//! `chengxin audit verify` and the audit rows of `chengxin bench`.
//!
//! The audit log is the register of queries and uses (查询使用登记) that 发改财金规〔2017〕1798号
//! (二十四) and 国办发〔2020〕49号 (十三) require to be kept and reviewed (审查); `verify` is that
//! review's first step: it proves that no entry was changed, inserted, removed or reordered.

use anyhow::{Context, Result};
use chengxin_store::{AuditFilter, ConnectOptions, NewEntry, Outcome, Store};
use chrono::{DateTime, TimeDelta, Utc};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// `chengxin audit verify --db URL`: recomputes the whole chain and compares it with the stored
/// head. Prints one line; exit code 0 when intact, 1 when broken (naming the first broken entry
/// and what is wrong). A database that cannot be read is an `Err` (the caller reports it). The
/// database is opened without migrating: verifying never writes.
pub async fn verify(db_url: &str) -> Result<ExitCode> {
    let mut opts = ConnectOptions::new(db_url);
    opts.migrate = false;
    // Verifying a database that is not there is an error, not a new empty database.
    opts.create = false;
    opts.max_connections = 2;
    let store = Store::connect_with(opts)
        .await
        .with_context(|| format!("opening {db_url} (an existing chengxin database)"))?;
    let started = Instant::now();
    let result = match store.verify_audit().await {
        Ok(r) => r,
        Err(e) if no_audit_tables(&e) => {
            store.close().await;
            anyhow::bail!(
                "{db_url} holds no chengxin audit log (no audit tables): is it the platform's database? ({e})"
            );
        }
        Err(e) => return Err(e).context("reading the audit log"),
    };
    let took = started.elapsed();
    let code = match result {
        Ok(n) => {
            let head = match store.audit_head().await {
                Ok(h) if h.seq == i64::try_from(n).unwrap_or(-1) => {
                    format!(", head hash {}", h.hash)
                }
                _ => String::new(),
            };
            outln!(
                "audit log intact: {n} entries verified in {:.2} s ({:.0} entries/s){head}",
                took.as_secs_f64(),
                per_sec(n as usize, took)
            )?;
            ExitCode::SUCCESS
        }
        Err(b) if b.seq == 0 => {
            outln!("audit log BROKEN: {}", b.reason)?;
            ExitCode::from(1)
        }
        Err(b) => {
            outln!(
                "audit log BROKEN: first broken entry is seq {}: {}",
                b.seq,
                b.reason
            )?;
            ExitCode::from(1)
        }
    };
    store.close().await;
    Ok(code)
}

/// The database has no audit tables at all (SQLite: `no such table`; PostgreSQL: 42P01).
fn no_audit_tables(e: &chengxin_store::StoreError) -> bool {
    let text = e.to_string();
    text.contains("no such table") || (text.contains("relation") && text.contains("does not exist"))
}

/// `chengxin audit search`: the entries `filter` selects, oldest first, as JSON lines, read in
/// pages of 10,000 up to `filter.limit`; then the search itself is recorded (actor `by`).
pub async fn search(store: &Store, filter: AuditFilter, by: &str) -> Result<()> {
    let wanted = filter.limit;
    let mut page = filter.clone();
    let mut shown: i64 = 0;
    while shown < wanted {
        page.limit = (wanted - shown).min(10_000);
        let entries = store
            .audit_entries(&page)
            .await
            .context("reading the audit log")?;
        let Some(last) = entries.last().map(|e| e.seq) else {
            break;
        };
        for e in &entries {
            outln!("{}", serde_json::to_string(e)?)?;
        }
        shown += entries.len() as i64;
        page.after_seq = Some(last);
    }
    let detail = format!("{} -> {shown} entries", filter.describe());
    store
        .audit_note(by, "audit.search", filter.target.as_deref(), detail)
        .await
        .context("recording the search in the audit log")?;
    Ok(())
}

/// A time option: RFC 3339 (`2026-11-30T08:00:00Z`), or a date for its start in China time.
pub(crate) fn time_arg(s: &str) -> Result<DateTime<Utc>, String> {
    parse_time(s, false)
}

/// A time option for the end of a period: a date means up to the end of that day, China time.
pub(crate) fn time_arg_end(s: &str) -> Result<DateTime<Utc>, String> {
    parse_time(s, true)
}

fn parse_time(s: &str, end_of_day: bool) -> Result<DateTime<Utc>, String> {
    chengxin_calendar::parse_time_bound(s, end_of_day)
}

fn per_sec(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64().max(1e-9)
}

/// A typical entry: a reviewer's read of personal data with its stated purpose.
fn bench_entry(at: DateTime<Utc>, i: usize) -> NewEntry {
    NewEntry {
        at: at + TimeDelta::milliseconds(i as i64),
        actor: format!("user{:04}", i % 997),
        role: "reviewer".into(),
        department: Some("市社会信用体系建设领导小组办公室".into()),
        action: if i.is_multiple_of(3) {
            "subject.update".into()
        } else {
            "subject.read_private".into()
        },
        target: Some(format!("913501007{:08}X", i % 100_000_000)),
        purpose: Some("行政许可审查（信用承诺核查）".into()),
        request_id: format!("0195f7c2-{:04x}-7000-8000-{:012x}", i % 65536, i),
        outcome: if i.is_multiple_of(50) {
            Outcome::Refused
        } else {
            Outcome::Allowed
        },
        detail: i
            .is_multiple_of(50)
            .then(|| "purpose does not cover personal data".into()),
    }
}

/// One row of the benchmark table: (scenario, data, rate /s, baseline, baseline rate /s).
pub type BenchRow = (String, String, f64, String, f64);

/// Audit benchmarks on `store` (a scratch database: `n` entries are appended to its log, and a
/// scratch table `bench_plain_write` is created and dropped):
///
/// 1. `audit verify` over the whole log (≥ `n` entries) vs reading and decoding the same rows in
///    the same snapshot without hashing — the rate is the absolute verify rate (target ≥ 500 000/s);
/// 2. `append_audit` (its own transaction) vs a plain single-row insert of the same columns in
///    its own transaction;
/// 3. a write with its audit entry in the same transaction vs the same write unaudited — the
///    audit's cost relative to the write it records is `baseline_rate / rate − 1`
///    (target < 20 %).
pub async fn bench_rows(store: &Store, n: usize) -> Result<Vec<BenchRow>> {
    let backend = match store.backend() {
        chengxin_store::Backend::Sqlite => "SQLite",
        chengxin_store::Backend::Postgres => "PostgreSQL",
    };
    let at = DateTime::parse_from_rfc3339("2026-11-23T08:00:00+08:00")
        .context("bench time")?
        .with_timezone(&Utc);

    // Fill the log in batches (one chain, sealed exactly as single appends are).
    let mut done = 0;
    while done < n {
        let k = (n - done).min(50_000);
        let batch: Vec<NewEntry> = (done..done + k).map(|i| bench_entry(at, i)).collect();
        store.append_audit_batch(&batch).await?;
        done += k;
    }

    let mut verify_best = Duration::MAX;
    let mut read_best = Duration::MAX;
    let mut total = 0u64;
    for _ in 0..3 {
        let t = Instant::now();
        let read = store.read_audit_unverified().await?;
        read_best = read_best.min(t.elapsed());
        let t = Instant::now();
        total = match store.verify_audit().await? {
            Ok(count) => count,
            Err(b) => anyhow::bail!("the benchmark log does not verify: {b}"),
        };
        verify_best = verify_best.min(t.elapsed());
        anyhow::ensure!(read == total, "read {read} rows but verified {total}");
    }
    let mut rows = vec![(
        format!("audit verify (SHA-256 chain + head) — {backend}"),
        format!("{total} entries"),
        per_sec(total as usize, verify_best),
        "read + decode the same rows, no hashing".to_string(),
        per_sec(total as usize, read_best),
    )];

    // Appends: each scenario `m` times, best of 3 rounds, interleaved so drift hits all alike.
    let m = n.clamp(100, 2_000);
    store.bench_plain_write_table(true).await?;
    let result = async {
        let (mut append, mut plain, mut audited) = (Duration::MAX, Duration::MAX, Duration::MAX);
        for round in 0..3 {
            let base = n + round * 3 * m;
            let t = Instant::now();
            for i in 0..m {
                store
                    .bench_plain_write(&bench_entry(at, base + i), false)
                    .await?;
            }
            plain = plain.min(t.elapsed());
            let t = Instant::now();
            for i in 0..m {
                store
                    .bench_plain_write(&bench_entry(at, base + m + i), true)
                    .await?;
            }
            audited = audited.min(t.elapsed());
            let t = Instant::now();
            for i in 0..m {
                store
                    .append_audit(&bench_entry(at, base + 2 * m + i))
                    .await?;
            }
            append = append.min(t.elapsed());
        }
        anyhow::Ok((append, plain, audited))
    }
    .await;
    store.bench_plain_write_table(false).await?;
    let (append, plain, audited) = result?;
    rows.push((
        format!("audit append (append_audit, own transaction) — {backend}"),
        format!("{m} entries onto ≥ {total}"),
        per_sec(m, append),
        "plain single-row insert of the same columns, own transaction".to_string(),
        per_sec(m, plain),
    ));
    rows.push((
        format!("write + its audit entry in one transaction — {backend}"),
        format!("{m} writes onto ≥ {total}"),
        per_sec(m, audited),
        "the same write, unaudited".to_string(),
        per_sec(m, plain),
    ));

    // A real write of the platform: registering a subject (identifier look-up for conflicts, the
    // subject row, its first version, its identifiers, five indexes) with and without the entry
    // that records it, each subject fresh.
    let today = chengxin_server::china_today();
    let subjects = crate::demo::subjects(6 * m, 97, today);
    let mut subjects = subjects.into_iter();
    // Audited and unaudited registrations alternate one by one, each timed on its own, so that
    // background load and WAL checkpoints fall on both sides alike (a checkpoint is charged to
    // the write that triggers it: the audited side, writing more pages, triggers more of them).
    let (mut reg_plain, mut reg_audited) = (Duration::MAX, Duration::MAX);
    for _ in 0..3 {
        let batch: Vec<_> = subjects.by_ref().take(2 * m).collect();
        let (mut plain_sum, mut audited_sum) = (Duration::ZERO, Duration::ZERO);
        for pair in batch.chunks(2) {
            let [(d1, p1), (d2, p2)] = pair else { break };
            let t = Instant::now();
            store
                .bench_register_unaudited(d1.clone(), p1.clone(), today)
                .await?;
            plain_sum += t.elapsed();
            let t = Instant::now();
            store.register(d2.clone(), p2.clone(), today).await?;
            audited_sum += t.elapsed();
        }
        reg_plain = reg_plain.min(plain_sum);
        reg_audited = reg_audited.min(audited_sum);
    }
    rows.push((
        format!("subject registration + its audit entry — {backend}"),
        format!("{m} registrations onto ≥ {total} entries"),
        per_sec(m, reg_audited),
        "the same registration, unaudited".to_string(),
        per_sec(m, reg_plain),
    ));
    match store.verify_audit().await? {
        Ok(_) => Ok(rows),
        Err(b) => anyhow::bail!("the benchmark log does not verify after appending: {b}"),
    }
}
