//! The audit log (issue 3 §3) on SQLite and on PostgreSQL: appending, searching, and detecting
//! every kind of tampering done directly in the database.

mod common;

use chengxin_store::{
    AuditFilter, BreakReason, ChainBreak, Entry, Hash, Head, NewEntry, Outcome, Store, entry_hash,
};
use chrono::{DateTime, TimeDelta, Utc};
use common::on_both;

fn base() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T08:00:00+00:00")
        .expect("time")
        .with_timezone(&Utc)
}

/// Entry `i`: three actors, two actions, ten targets, a minute apart; every fifth refused.
fn entry(i: i64) -> NewEntry {
    NewEntry {
        at: base() + TimeDelta::minutes(i) + TimeDelta::nanoseconds(123_456_789),
        actor: format!("user{}", i % 3),
        role: "reviewer".into(),
        department: (i % 2 == 0).then(|| "市信用办".into()),
        action: if i % 2 == 0 {
            "subject.read_private".into()
        } else {
            "subject.update".into()
        },
        target: Some(format!("T{}", i % 10)),
        purpose: Some("行政许可审查".into()),
        request_id: format!("req-{i}"),
        outcome: if i % 5 == 0 {
            Outcome::Refused
        } else {
            Outcome::Allowed
        },
        detail: (i % 5 == 0).then(|| "no permission for personal data".into()),
    }
}

async fn append_n(s: &Store, n: i64) -> Vec<Entry> {
    let mut out = Vec::new();
    for i in 1..=n {
        out.push(s.append_audit(&entry(i)).await.expect("append"));
    }
    out
}

async fn broken(s: &Store) -> ChainBreak {
    s.verify_audit()
        .await
        .expect("readable")
        .expect_err("tampering must be detected")
}

async fn raw(s: &Store, sql: &str) {
    s.execute_raw_for_tests(sql).await.expect(sql);
}

#[tokio::test]
async fn appended_chain_verifies() {
    on_both("audit_ok", |s| async move {
        assert_eq!(s.verify_audit().await.expect("q"), Ok(0), "empty log");
        assert_eq!(s.audit_head().await.expect("head"), Head::EMPTY);
        let entries = append_n(&s, 50).await;
        for (i, e) in entries.iter().enumerate() {
            assert_eq!(e.seq, i as i64 + 1);
            let prev = if i == 0 {
                Hash::GENESIS
            } else {
                entries[i - 1].hash
            };
            assert_eq!(e.prev_hash, prev);
            assert_eq!(e.hash, entry_hash(&prev, e.seq, &e.entry));
            assert_eq!(
                e.entry.at.timestamp_subsec_nanos() % 1000,
                0,
                "cut to microseconds"
            );
        }
        assert_eq!(s.verify_audit().await.expect("q"), Ok(50));
        assert_eq!(
            s.audit_head().await.expect("head"),
            Head::after(&entries[49])
        );
        // What is read back is exactly what was sealed.
        let all = s
            .audit_entries(&AuditFilter {
                limit: 100,
                ..AuditFilter::default()
            })
            .await
            .expect("search");
        assert_eq!(all, entries);
        // A batch continues the same chain.
        let head = s
            .append_audit_batch(&(51..=60).map(entry).collect::<Vec<_>>())
            .await
            .expect("batch");
        assert_eq!(head.seq, 60);
        assert_eq!(s.verify_audit().await.expect("q"), Ok(60));
    })
    .await;
}

/// A deleted chain head is a break that says so, not a database error (found by QA: "no rows
/// returned by a query that expected to return at least one row").
#[tokio::test]
async fn a_deleted_head_is_named() {
    on_both("audit_head_deleted", |s| async move {
        append_n(&s, 5).await;
        raw(&s, "DELETE FROM audit_head").await;
        let b = broken(&s).await;
        assert_eq!(b.reason, BreakReason::HeadMissing, "{b}");
        assert!(b.to_string().contains("audit_head"), "{b}");
    })
    .await;
}

#[tokio::test]
async fn changed_entry_is_named() {
    on_both("audit_changed", |s| async move {
        append_n(&s, 50).await;
        raw(
            &s,
            "UPDATE audit_entries SET actor = 'mallory' WHERE seq = 17",
        )
        .await;
        let b = broken(&s).await;
        assert_eq!(b.seq, 17, "{b}");
        assert!(matches!(b.reason, BreakReason::HashMismatch { .. }), "{b}");
        assert!(b.to_string().starts_with("audit entry 17: "), "{b}");
    })
    .await;
    on_both("audit_refusal_hidden", |s| async move {
        append_n(&s, 50).await;
        // Turning a refusal into an allowed access is a change like any other.
        raw(
            &s,
            "UPDATE audit_entries SET outcome = 'allowed', detail = NULL WHERE seq = 25",
        )
        .await;
        let b = broken(&s).await;
        assert_eq!(b.seq, 25, "{b}");
        assert!(matches!(b.reason, BreakReason::HashMismatch { .. }), "{b}");
    })
    .await;
    on_both("audit_malformed", |s| async move {
        append_n(&s, 50).await;
        raw(
            &s,
            "UPDATE audit_entries SET hash = 'not a hash' WHERE seq = 8",
        )
        .await;
        let b = broken(&s).await;
        assert_eq!(b.seq, 8, "{b}");
        assert!(
            matches!(b.reason, BreakReason::Malformed { column: "hash", .. }),
            "{b}"
        );
    })
    .await;
}

/// Moves entries `from..` one place up, leaving `from` free (two steps: keys stay unique).
const SHIFT_FROM_21: &str = "UPDATE audit_entries SET seq = -(seq + 1) WHERE seq >= 21; \
     UPDATE audit_entries SET seq = -seq WHERE seq < 0";

fn forged() -> NewEntry {
    NewEntry {
        at: base(),
        actor: "mallory".into(),
        role: "admin".into(),
        department: None,
        action: "subject.read_private".into(),
        target: Some("T1".into()),
        purpose: None,
        request_id: "forged".into(),
        outcome: Outcome::Allowed,
        detail: None,
    }
}

fn insert_forged_sql(seq: i64, prev: &Hash, hash: &Hash) -> String {
    format!(
        "INSERT INTO audit_entries (seq, at, actor, role, department, action, target, purpose, \
         request_id, outcome, detail, prev_hash, hash) VALUES ({seq}, '2026-11-23T08:00:00+00:00', \
         'mallory', 'admin', NULL, 'subject.read_private', 'T1', NULL, 'forged', 'allowed', NULL, \
         '{prev}', '{hash}')"
    )
}

#[tokio::test]
async fn inserted_entry_is_named() {
    // A forged entry with a correct hash of its own, linked to its predecessor, later entries
    // renumbered: the next entry no longer links to it.
    on_both("audit_insert", |s| async move {
        let entries = append_n(&s, 50).await;
        raw(&s, SHIFT_FROM_21).await;
        let prev = entries[19].hash;
        let hash = entry_hash(&prev, 21, &forged());
        raw(&s, &insert_forged_sql(21, &prev, &hash)).await;
        let b = broken(&s).await;
        assert_eq!(b.seq, 22, "{b}");
        assert!(
            matches!(b.reason, BreakReason::PrevHashMismatch { .. }),
            "{b}"
        );
    })
    .await;
    // A forged entry whose hash was not (or wrongly) recomputed: named itself.
    on_both("audit_insert_bad_hash", |s| async move {
        let entries = append_n(&s, 50).await;
        raw(&s, SHIFT_FROM_21).await;
        let wrong = entries[20].hash;
        raw(&s, &insert_forged_sql(21, &entries[19].hash, &wrong)).await;
        let b = broken(&s).await;
        assert_eq!(b.seq, 21, "{b}");
        assert!(matches!(b.reason, BreakReason::HashMismatch { .. }), "{b}");
    })
    .await;
    // A well-formed entry added after the last one without going through the store.
    on_both("audit_insert_tail", |s| async move {
        let entries = append_n(&s, 50).await;
        let prev = entries[49].hash;
        let hash = entry_hash(&prev, 51, &forged());
        raw(&s, &insert_forged_sql(51, &prev, &hash)).await;
        let b = broken(&s).await;
        assert_eq!(
            (b.seq, b.reason),
            (51, BreakReason::BeyondHead { head_seq: 50 })
        );
    })
    .await;
}

#[tokio::test]
async fn deleted_entry_is_named() {
    on_both("audit_delete", |s| async move {
        append_n(&s, 50).await;
        raw(&s, "DELETE FROM audit_entries WHERE seq = 30").await;
        let b = broken(&s).await;
        assert_eq!(
            (b.seq, b.reason),
            (
                31,
                BreakReason::SeqGap {
                    expected: 30,
                    found: 31
                }
            )
        );
    })
    .await;
    // Deleted and the rest renumbered to hide the gap: the link gives it away.
    on_both("audit_delete_renumber", |s| async move {
        append_n(&s, 50).await;
        raw(
            &s,
            "DELETE FROM audit_entries WHERE seq = 30; \
             UPDATE audit_entries SET seq = -(seq - 1) WHERE seq > 30; \
             UPDATE audit_entries SET seq = -seq WHERE seq < 0",
        )
        .await;
        let b = broken(&s).await;
        assert_eq!(b.seq, 30, "{b}");
        assert!(
            matches!(b.reason, BreakReason::PrevHashMismatch { .. }),
            "{b}"
        );
    })
    .await;
    // The first entry.
    on_both("audit_delete_first", |s| async move {
        append_n(&s, 50).await;
        raw(&s, "DELETE FROM audit_entries WHERE seq = 1").await;
        let b = broken(&s).await;
        assert_eq!(
            (b.seq, b.reason),
            (
                2,
                BreakReason::SeqGap {
                    expected: 1,
                    found: 2
                }
            )
        );
    })
    .await;
}

#[tokio::test]
async fn deleted_tail_is_found_through_the_head() {
    on_both("audit_tail", |s| async move {
        append_n(&s, 50).await;
        raw(&s, "DELETE FROM audit_entries WHERE seq = 50").await;
        let b = broken(&s).await;
        assert_eq!(
            (b.seq, b.reason),
            (
                50,
                BreakReason::Truncated {
                    head_seq: 50,
                    last_seq: 49
                }
            )
        );
        raw(&s, "DELETE FROM audit_entries").await;
        let b = broken(&s).await;
        assert_eq!(b.seq, 1, "{b}");
    })
    .await;
}

#[tokio::test]
async fn reordered_entries_are_named() {
    on_both("audit_reorder", |s| async move {
        append_n(&s, 50).await;
        raw(
            &s,
            "UPDATE audit_entries SET seq = -1 WHERE seq = 10; \
             UPDATE audit_entries SET seq = 10 WHERE seq = 11; \
             UPDATE audit_entries SET seq = 11 WHERE seq = -1",
        )
        .await;
        let b = broken(&s).await;
        assert_eq!(b.seq, 10, "{b}");
        assert!(
            matches!(b.reason, BreakReason::PrevHashMismatch { .. }),
            "{b}"
        );
    })
    .await;
}

#[tokio::test]
async fn auditors_search_by_subject_actor_action_and_period() {
    on_both("audit_search", |s| async move {
        let entries = append_n(&s, 50).await;
        let f = |f: AuditFilter| AuditFilter { limit: 100, ..f };
        let seqs = |v: Vec<Entry>| v.into_iter().map(|e| e.seq).collect::<Vec<_>>();
        let expect = |p: &dyn Fn(&Entry) -> bool| {
            entries
                .iter()
                .filter(|e| p(e))
                .map(|e| e.seq)
                .collect::<Vec<_>>()
        };

        let by_target = s
            .audit_entries(&f(AuditFilter {
                target: Some("T3".into()),
                ..AuditFilter::default()
            }))
            .await
            .expect("q");
        assert_eq!(seqs(by_target), vec![3, 13, 23, 33, 43]);

        let by_actor = s
            .audit_entries(&f(AuditFilter {
                actor: Some("user1".into()),
                ..AuditFilter::default()
            }))
            .await
            .expect("q");
        assert_eq!(
            seqs(by_actor),
            expect(&|e: &Entry| e.entry.actor == "user1")
        );

        let by_action = s
            .audit_entries(&f(AuditFilter {
                action: Some("subject.read_private".into()),
                ..AuditFilter::default()
            }))
            .await
            .expect("q");
        assert_eq!(seqs(by_action), (1..=25).map(|i| 2 * i).collect::<Vec<_>>());

        // Entry i is at base + i minutes (+0.123456 s): [base+10min, base+20min) holds 10..=19.
        let period = s
            .audit_entries(&f(AuditFilter {
                from: Some(base() + TimeDelta::minutes(10)),
                to: Some(base() + TimeDelta::minutes(20)),
                ..AuditFilter::default()
            }))
            .await
            .expect("q");
        assert_eq!(seqs(period), (10..=19).collect::<Vec<_>>());
        // Bounds are exact to the microsecond: `from` inclusive, `to` exclusive.
        let exact = s
            .audit_entries(&f(AuditFilter {
                from: Some(entries[9].entry.at),
                to: Some(entries[11].entry.at),
                ..AuditFilter::default()
            }))
            .await
            .expect("q");
        assert_eq!(seqs(exact), vec![10, 11]);

        let combined = s
            .audit_entries(&f(AuditFilter {
                target: Some("T4".into()),
                actor: Some("user2".into()),
                action: Some("subject.read_private".into()),
                from: Some(base() + TimeDelta::minutes(10)),
                ..AuditFilter::default()
            }))
            .await
            .expect("q");
        assert_eq!(
            seqs(combined),
            expect(&|e: &Entry| e.seq >= 10
                && e.entry.target.as_deref() == Some("T4")
                && e.entry.actor == "user2"
                && e.entry.action == "subject.read_private")
        );

        // Keyset pages.
        let page1 = s
            .audit_entries(&AuditFilter {
                actor: Some("user0".into()),
                limit: 5,
                ..AuditFilter::default()
            })
            .await
            .expect("q");
        let last = page1.last().map(|e| e.seq);
        let page2 = s
            .audit_entries(&AuditFilter {
                actor: Some("user0".into()),
                after_seq: last,
                limit: 5,
                ..AuditFilter::default()
            })
            .await
            .expect("q");
        assert_eq!(seqs(page1), vec![3, 6, 9, 12, 15]);
        assert_eq!(seqs(page2), vec![18, 21, 24, 27, 30]);

        let none = s
            .audit_entries(&f(AuditFilter {
                target: Some("nobody".into()),
                ..AuditFilter::default()
            }))
            .await
            .expect("q");
        assert!(none.is_empty());
    })
    .await;
}

#[tokio::test]
async fn refusals_and_empty_checks_are_entries_like_any_other() {
    on_both("audit_refusal", |s| async move {
        let refused = NewEntry {
            outcome: Outcome::Refused,
            purpose: None,
            detail: Some("purpose required for personal data".into()),
            ..entry(1)
        };
        // A check that found nothing: recorded with the same fields as one with a hit.
        let no_hit = NewEntry {
            target: Some("91350100M000100Y43".into()),
            detail: Some("0 hits".into()),
            ..entry(2)
        };
        let hit = NewEntry {
            target: Some("91110000600037341L".into()),
            detail: Some("1 hit".into()),
            ..entry(3)
        };
        let failed = NewEntry {
            outcome: Outcome::Failed,
            ..entry(4)
        };
        for e in [&refused, &no_hit, &hit, &failed] {
            s.append_audit(e).await.expect("append");
        }
        let all = s
            .audit_entries(&AuditFilter {
                limit: 10,
                ..AuditFilter::default()
            })
            .await
            .expect("q");
        let outcomes: Vec<Outcome> = all.iter().map(|e| e.entry.outcome).collect();
        assert_eq!(
            outcomes,
            vec![
                Outcome::Refused,
                Outcome::Allowed,
                Outcome::Allowed,
                Outcome::Failed
            ]
        );
        assert_eq!(all[0].entry.purpose, None);
        assert_eq!(all[1].entry.detail.as_deref(), Some("0 hits"));
        assert_eq!(s.verify_audit().await.expect("q"), Ok(4));
        let refusals = s
            .audit_entries(&AuditFilter {
                target: Some("T1".into()),
                limit: 10,
                ..AuditFilter::default()
            })
            .await
            .expect("q");
        assert_eq!(refusals.len(), 1);
        assert_eq!(refusals[0].entry.outcome, Outcome::Refused);
    })
    .await;
}

/// A write and the entry recording it commit together, or neither does.
#[tokio::test]
async fn audited_write_is_atomic_with_its_entry() {
    on_both("audit_atomic", |s| async move {
        s.bench_plain_write_table(true)
            .await
            .expect("scratch table");
        let count = |s: Store| async move {
            s.audit_entries(&AuditFilter {
                limit: 100,
                ..AuditFilter::default()
            })
            .await
            .expect("q")
            .len()
        };
        s.bench_plain_write(&entry(1), true).await.expect("write");
        s.bench_plain_write(&entry(2), false).await.expect("write");
        assert_eq!(count(s.clone()).await, 1);
        assert_eq!(s.verify_audit().await.expect("q"), Ok(1));
        // The audit append fails (its head is unreadable): the write is rolled back with it.
        raw(&s, "UPDATE audit_head SET hash = 'x' WHERE id = 1").await;
        assert!(s.bench_plain_write(&entry(3), true).await.is_err());
        let head = s.audit_head().await;
        assert!(head.is_err(), "head still corrupt: {head:?}");
        let rows = s
            .execute_raw_for_tests("DELETE FROM bench_plain_write WHERE request_id = 'req-3'")
            .await
            .expect("q");
        assert_eq!(rows, 0, "the write was rolled back with its audit entry");
        s.bench_plain_write_table(false).await.expect("drop");
    })
    .await;
}

#[tokio::test]
async fn concurrent_appends_form_one_chain() {
    on_both("audit_concurrent", |s| async move {
        concurrent(&s).await;
    })
    .await;
    // SQLite with a file and several connections: BEGIN IMMEDIATE serialises the appenders.
    let dir = std::env::temp_dir().join(format!("chengxin-audit-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let url = format!("sqlite://{}", dir.join("audit.db").display());
    let s = Store::connect(&url).await.expect("sqlite file");
    concurrent(&s).await;
    s.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

async fn concurrent(s: &Store) {
    let tasks: Vec<_> = (0..4)
        .map(|t| {
            let s = s.clone();
            tokio::spawn(async move {
                for i in 0..25 {
                    s.append_audit(&entry(t * 100 + i)).await.expect("append");
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("task");
    }
    assert_eq!(s.verify_audit().await.expect("q"), Ok(100));
    assert_eq!(s.audit_head().await.expect("head").seq, 100);
}

/// Long logs are read in chunks of entries; a break in a later chunk is still named exactly,
/// and stored text holding the chunk separators is checked too (row by row).
#[tokio::test]
async fn long_logs_verify_in_chunks() {
    on_both("audit_long", |s| async move {
        let entries: Vec<NewEntry> = (1..=5000)
            .map(|i| {
                let mut e = entry(i);
                if i == 3001 {
                    e.detail = Some("unit\u{1f}separator and record\u{1e}separator".into());
                }
                if i == 3002 {
                    e.department = Some(String::new());
                }
                e
            })
            .collect();
        let head = s.append_audit_batch(&entries).await.expect("batch");
        assert_eq!(head.seq, 5000);
        assert_eq!(s.verify_audit().await.expect("q"), Ok(5000));
        assert_eq!(s.read_audit_unverified().await.expect("q"), 5000);
        let back = s
            .audit_entries(&AuditFilter {
                after_seq: Some(3000),
                limit: 2,
                ..AuditFilter::default()
            })
            .await
            .expect("q");
        assert_eq!(back[0].entry.detail, entries[3000].detail);
        assert_eq!(back[1].entry.department.as_deref(), Some(""));

        raw(
            &s,
            "UPDATE audit_entries SET role = 'admin' WHERE seq = 4500",
        )
        .await;
        let b = broken(&s).await;
        assert_eq!(b.seq, 4500, "{b}");
        assert!(matches!(b.reason, BreakReason::HashMismatch { .. }), "{b}");
        // In the chunk holding the separators (checked row by row): an empty text made NULL.
        raw(
            &s,
            "UPDATE audit_entries SET department = NULL WHERE seq = 3002",
        )
        .await;
        let b = broken(&s).await;
        assert_eq!(b.seq, 3002, "{b}");
        assert!(matches!(b.reason, BreakReason::HashMismatch { .. }), "{b}");
        // An earlier change is named first.
        raw(
            &s,
            "UPDATE audit_entries SET purpose = NULL WHERE seq = 1500",
        )
        .await;
        let b = broken(&s).await;
        assert_eq!(b.seq, 1500, "{b}");
    })
    .await;
}
