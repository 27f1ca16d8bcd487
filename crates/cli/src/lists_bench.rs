//! `chengxin bench --only lists`: a subject's list status as of a date, in-process, on a store
//! with 1,000,000 subjects and 100,000 list entries (issue 5: < 1 ms p99).
//!
//! The books are made by the rules themselves (propose, notice, delivery, publicity, list and
//! some repairs, which start watch entries), in memory, then written in bulk: going through the
//! audited write path for 100,000 entries would time the set-up, not the answer.

use crate::demo;
use anyhow::{Context, Result};
use chengxin_codes::generate::Rng;
use chengxin_lists::{
    Book, Calendar, DEMO_DEPARTMENT, ExitEntry, ExitReason, ListEntry, Propose, RecordDelivery,
    SendNotice, SequentialIds, Standards, StartPublicity,
};
use chengxin_store::Store;
use chrono::{Days, NaiveDate};
use indicatif::{ProgressBar, ProgressStyle};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// What one run measured.
pub struct StatusFigures {
    pub subjects: u64,
    pub entries: usize,
    pub queries: usize,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
    pub total: Duration,
    pub baseline_p99: Duration,
    pub baseline_total: Duration,
}

fn bar(len: u64, what: &str) -> ProgressBar {
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template("{msg:>24} [{bar:30}] {pos}/{len} ({per_sec}, {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    pb.set_message(what.to_string());
    pb
}

/// One subject's book, made by the rules. `i` picks the list and how far the entry got.
fn make_book(
    key: &str,
    i: usize,
    rng: &mut Rng,
    standards: &Standards,
    ids: &mut SequentialIds,
) -> Result<Book> {
    let cal = Calendar::china();
    let actor = "bench";
    let dept = DEMO_DEPARTMENT;
    let mut book = Book::new(key, false);
    let start = NaiveDate::from_ymd_opt(2026, 1, 5).context("date")? + Days::new(rng.below(240));
    let (code, red) = match i % 10 {
        0..=3 => ("tax-major-violation", false),
        4..=5 => ("court-judgment-defaulter", false),
        6..=8 => ("tax-a-grade", true),
        _ => (
            ["env-watch", "market-watch", "safety-watch"][rng.index(3)],
            false,
        ),
    };
    let propose = Propose {
        on: start,
        actor: actor.into(),
        department: dept.into(),
        standard_code: code.into(),
        standard_version: None,
        document: format!("闽信认〔2026〕{i}号"),
        reason: "基准测试".into(),
        watch_months: Some(12),
        repeat_offender: false,
    };
    let refused = |r: chengxin_lists::Refusal| anyhow::anyhow!("{key}: {r}");
    chengxin_lists::propose(&mut book, standards, ids, cal, &propose).map_err(refused)?;
    let entry = book.entries.last().map(|e| e.id.clone()).context("entry")?;
    // 5 % stay proposed.
    if rng.below(100) < 5 {
        return Ok(book);
    }
    if red {
        let p = StartPublicity {
            on: start,
            actor: actor.into(),
            department: dept.into(),
            entry: entry.clone(),
        };
        chengxin_lists::start_publicity(&mut book, standards, ids, cal, &p).map_err(refused)?;
    } else {
        let n = SendNotice {
            on: start,
            actor: actor.into(),
            department: dept.into(),
            entry: entry.clone(),
            document: format!("闽信告〔2026〕{i}号"),
        };
        chengxin_lists::send_notice(&mut book, standards, ids, cal, &n).map_err(refused)?;
        let d = RecordDelivery {
            on: start + Days::new(1),
            actor: actor.into(),
            department: dept.into(),
            entry: entry.clone(),
            delivered_on: start + Days::new(1),
        };
        chengxin_lists::record_delivery(&mut book, standards, ids, cal, &d).map_err(refused)?;
    }
    let listed_on = start + Days::new(20);
    let l = ListEntry {
        on: listed_on,
        actor: actor.into(),
        department: dept.into(),
        entry: entry.clone(),
        document: None,
    };
    chengxin_lists::list(&mut book, standards, ids, cal, &l).map_err(refused)?;
    // A tenth of the serious entries are withdrawn (撤销) after a few months: the exit starts a
    // watch entry (1798号 (十八)), so those subjects answer with two entries on some dates.
    if !red && i % 10 < 6 && rng.below(10) == 0 {
        let x = ExitEntry {
            on: listed_on + Days::new(60 + rng.below(60)),
            actor: actor.into(),
            department: dept.into(),
            entry,
            reason: ExitReason::Withdrawn,
            document: Some(format!("闽信撤〔2026〕{i}号")),
            note: "基准测试".into(),
        };
        let _ = chengxin_lists::exit(&mut book, standards, ids, cal, &x);
    }
    Ok(book)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

/// Sets up `subjects` subjects and about `entries` list entries in `store`, then times
/// `queries` status answers (half for subjects with a book) against as many raw primary-key
/// fetches.
pub async fn run(
    store: &Store,
    subjects: usize,
    entries: usize,
    queries: usize,
) -> Result<StatusFigures> {
    let today = chengxin_server::china_today();
    store
        .import_list_standards(chengxin_lists::DEFAULT_STANDARDS_TOML, "bench")
        .await?;
    let standards = store.list_standards().await?;
    eprintln!("bench: registering {subjects} subjects …");
    let data = demo::subjects(subjects, 17, today);
    let keys: Vec<String> = data.iter().filter_map(|(d, _)| d.uscc.clone()).collect();
    store.bulk_register(data, today).await?;
    let total = store.count_subjects().await?;
    anyhow::ensure!(
        keys.len() > entries,
        "{} organisations cannot hold {entries} entries: raise --subjects",
        keys.len()
    );
    let mut rng = Rng::new(5);
    let mut ids = SequentialIds::default();
    let pb = bar(entries as u64, "making books");
    let mut books = Vec::with_capacity(entries);
    let mut n_entries = 0;
    for (i, key) in keys.iter().enumerate() {
        if n_entries >= entries {
            break;
        }
        let subject = store.find(key).await?.context("registered subject")?;
        let book = make_book(key, i, &mut rng, &standards, &mut ids)?;
        n_entries += book.entries.len();
        books.push((subject.id, book));
        pb.inc(1);
    }
    pb.finish_and_clear();
    eprintln!(
        "bench: writing {} books with {n_entries} entries …",
        books.len()
    );
    store.bench_put_books(&books, &standards).await?;
    let with_book = books.len();
    drop(books);

    // Half the questions name a subject with a book, half one without; dates across 2026.
    let first = NaiveDate::from_ymd_opt(2026, 1, 1).context("date")?;
    let span = (today - first).num_days().max(1) as u64;
    let asks: Vec<(&String, NaiveDate)> = (0..queries)
        .map(|q| {
            let k = if q % 2 == 0 {
                rng.index(with_book)
            } else {
                with_book + rng.index(keys.len() - with_book)
            };
            (&keys[k], first + Days::new(rng.below(span + 1)))
        })
        .collect();
    let raw_ids: Vec<i64> = (0..queries)
        .map(|_| 1 + rng.below(total.max(1) as u64) as i64)
        .collect();
    // Warm up (and check the answers have the shape the API sends).
    for (key, on) in asks.iter().take(1000) {
        let v = chengxin_server::lists_api::subject_status(store, key, *on, false)
            .await
            .map_err(|e| anyhow::anyhow!("{key}: {e}"))?;
        anyhow::ensure!(v["lists"].is_array(), "{key}: no lists in {v}");
    }
    let mut best: Option<(Vec<Duration>, Duration)> = None;
    let mut raw_best: Option<(Vec<Duration>, Duration)> = None;
    for _ in 0..3 {
        let mut lat = Vec::with_capacity(queries);
        let t = Instant::now();
        for (key, on) in &asks {
            let q = Instant::now();
            let code = chengxin_codes::validate_uscc(key).context("valid code")?;
            let v = chengxin_server::lists_api::subject_status(store, code.as_str(), *on, false)
                .await
                .map_err(|e| anyhow::anyhow!("{key}: {e}"))?;
            black_box(serde_json::to_vec(&v)?);
            lat.push(q.elapsed());
        }
        let elapsed = t.elapsed();
        if best.as_ref().is_none_or(|(_, d)| elapsed < *d) {
            best = Some((lat, elapsed));
        }
        let mut lat = Vec::with_capacity(queries);
        let t = Instant::now();
        for id in &raw_ids {
            let q = Instant::now();
            black_box(store.raw_fetch_by_id(*id).await?.context("id exists")?);
            lat.push(q.elapsed());
        }
        let elapsed = t.elapsed();
        if raw_best.as_ref().is_none_or(|(_, d)| elapsed < *d) {
            raw_best = Some((lat, elapsed));
        }
    }
    let (mut lat, total_time) = best.context("runs")?;
    let (mut raw, raw_time) = raw_best.context("runs")?;
    lat.sort_unstable();
    raw.sort_unstable();
    Ok(StatusFigures {
        subjects: total as u64,
        entries: n_entries,
        queries,
        p50: percentile(&lat, 0.50),
        p99: percentile(&lat, 0.99),
        max: lat.last().copied().unwrap_or_default(),
        total: total_time,
        baseline_p99: percentile(&raw, 0.99),
        baseline_total: raw_time,
    })
}
