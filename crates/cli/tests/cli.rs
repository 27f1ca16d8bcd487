//! The `chengxin` binary as a user runs it.

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_chengxin"));
    c.env_remove("CHENGXIN_DB").env("RUST_LOG", "warn");
    c
}

fn lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn codes_check_prints_one_json_object_per_input_in_order() {
    let out = bin()
        .args([
            "codes",
            "check",
            "91350100M000100Y43",
            "91350100M000100Y4Z",
            " 11010519491231002x ",
        ])
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(1),
        "an invalid input makes the exit status 1"
    );
    let v = lines(&out.stdout);
    assert_eq!(v.len(), 3);
    assert_eq!(v[0]["input"], "91350100M000100Y43");
    assert_eq!(
        (v[0]["kind"].as_str(), v[0]["valid"].as_bool()),
        (Some("uscc"), Some(true))
    );
    assert_eq!(v[0]["error"], Value::Null);
    assert_eq!(v[1]["valid"], false);
    assert_eq!(v[1]["error"]["rule"], "charset");
    assert_eq!(v[1]["error"]["position"], 18);
    assert_eq!(v[2]["kind"], "citizen-id");
    assert_eq!(v[2]["normalized"], "11010519491231002X");
    let first = String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap_or("")
        .to_string();
    let at = |k: &str| first.find(&format!("\"{k}\":")).unwrap_or(usize::MAX);
    let order = ["input", "kind", "valid", "normalized", "error"].map(at);
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "fields in the documented order: {first}"
    );

    let ok = bin()
        .args(["codes", "check", "--kind", "org", "M000100Y-4"])
        .output()
        .expect("run");
    assert_eq!(ok.status.code(), Some(0));
}

#[test]
fn codes_check_reads_stdin_and_survives_any_bytes() {
    let mut child = bin()
        .args(["codes", "check"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut input: Vec<u8> = b"110108000000016\r\n\xff\xfe\x00garbage\n".to_vec();
    input.extend_from_slice("９１３５０１００Ｍ０００１００Ｙ４３\n\n💥🧨\n".as_bytes());
    input.extend_from_slice(&[b'9'; 100_000]);
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&input)
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(1));
    let v = lines(&out.stdout);
    assert_eq!(
        v.len(),
        6,
        "one line per input line, the last one unterminated"
    );
    assert_eq!(v[0]["valid"], true);
    assert_eq!(v[0]["kind"], "regno");
    assert_eq!(v[1]["valid"], false);
    assert_eq!(v[2]["normalized"], "91350100M000100Y43");
    assert_eq!(v[2]["valid"], true);
    assert_eq!(v[3]["error"]["rule"], "empty");
    assert_eq!(v[5]["error"]["rule"], "length");
}

#[test]
fn generated_codes_all_check_valid() {
    for kind in ["uscc", "org", "regno", "citizen-id"] {
        let gen_out = bin()
            .args([
                "codes", "gen", "--kind", kind, "--count", "200", "--seed", "9",
            ])
            .output()
            .expect("gen");
        assert!(gen_out.status.success());
        let mut child = bin()
            .args(["codes", "check", "--kind", kind])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(&gen_out.stdout)
            .expect("write");
        let out = child.wait_with_output().expect("wait");
        assert!(
            out.status.success(),
            "{kind}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert_eq!(lines(&out.stdout).len(), 200);
    }
}

/// Every command in `chengxin --help` says what it is for, under its own name.
#[test]
fn help_describes_every_command() {
    let out = bin().arg("--help").output().expect("help");
    let text = String::from_utf8_lossy(&out.stdout);
    let commands: Vec<(&str, &str)> = text
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.trim().split_once(' ').or(Some((l.trim(), ""))))
        .map(|(c, d)| (c, d.trim()))
        .collect();
    assert!(commands.len() > 10, "{text}");
    for (c, d) in &commands {
        assert!(!d.is_empty(), "{c} has no description: {text}");
    }
    let about = |c: &str| commands.iter().find(|x| x.0 == c).map_or("", |x| x.1);
    assert!(about("catalog").contains("catalog"), "{text}");
    assert!(
        about("lists").contains("红名单") && !about("lists").contains("catalog"),
        "{text}"
    );
}

/// `chengxin … | head -1`: when the reader of the output goes away, the command stops quietly
/// with the status a shell gives a command ended by SIGPIPE, not with a panic and a backtrace.
#[test]
fn a_closed_output_pipe_ends_the_command_quietly() {
    let mut child = bin()
        .args(["codes", "gen", "--kind", "uscc", "--count", "1000000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("first line");
    assert_eq!(first.trim().len(), 18, "{first}");
    // The reader is dropped here: the pipe is closed with most of the output unwritten.
    let out = child.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(141), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn calendar_counts_working_days() {
    let out = bin()
        .args(["calendar", "add", "2026-09-25", "7"])
        .output()
        .expect("run");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "2026-10-12");
    let out = bin()
        .args(["calendar", "add", "2027-01-04", "1"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("2027"),
        "names the uncovered year"
    );
    // A year announced after the build, added from a file named in CHENGXIN_CALENDAR.
    let dir = std::env::temp_dir().join(format!("chengxin-cal-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("2027.csv");
    // A whole year, made up for the test (every holiday named).
    std::fs::write(
        &file,
        "date,kind,name\n2027-01-01,off,元旦\n2027-02-08,off,春节\n2027-04-05,off,清明\n\
         2027-05-03,off,劳动节\n2027-06-09,off,端午\n2027-10-01,off,国庆节\n",
    )
    .expect("write");
    let out = bin()
        .env("CHENGXIN_CALENDAR", &file)
        .args(["calendar", "add", "2026-12-28", "5"])
        .output()
        .expect("run");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "2027-01-05");
    std::fs::write(&file, "date,kind,name\n2027-02-30,off,春节\n").expect("write");
    let out = bin()
        .env("CHENGXIN_CALENDAR", &file)
        .args(["calendar", "add", "2026-12-28", "5"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("CHENGXIN_CALENDAR") && err.contains("line 2"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
    let out = bin()
        .args(["calendar", "day", "2026-10-01"])
        .output()
        .expect("run");
    let v = lines(&out.stdout);
    assert_eq!(
        (
            v[0]["kind"].as_str(),
            v[0]["working_day"].as_bool(),
            v[0]["holiday"].as_str()
        ),
        (Some("holiday"), Some(false), Some("国庆节"))
    );
    // What went wrong, said as it is: an end before the start, a day no calendar has, a year
    // before the data (which no file can add).
    for (args, said) in [
        (
            &["calendar", "between", "2026-05-10", "2026-05-01"][..],
            "is before START",
        ),
        (
            &["calendar", "day", "2026-02-29"][..],
            "is no day of the calendar",
        ),
        (
            &["calendar", "day", "2014-05-01"][..],
            "years before 2015 are not covered",
        ),
    ] {
        let out = bin().args(args).output().expect("run");
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(said), "{args:?}: {err}");
        assert!(!err.contains("CHENGXIN_CALENDAR"), "{args:?}: {err}");
    }
}

fn http_get(addr: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut buf = String::new();
    s.read_to_string(&mut buf).expect("read");
    let status = buf
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, buf)
}

#[test]
fn demo_then_serve_then_migrate_and_cases() {
    let dir = std::env::temp_dir().join(format!("chengxin-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("demo.db");
    // A database URL is not a demo file: refused, nothing created (found by QA).
    let out = bin()
        .current_dir(&dir)
        .args([
            "demo",
            "--no-serve",
            "--file",
            "postgres://postgres@127.0.0.1:5432/x",
        ])
        .output()
        .expect("demo");
    assert!(!out.status.success(), "{out:?}");
    assert!(!dir.join("postgres:").exists());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a database URL"));
    let out = bin()
        .current_dir(&dir)
        .args(["demo", "--subjects", "3000", "--no-serve", "--file"])
        .arg(&file)
        .output()
        .expect("demo");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("demo: 3000 subjects"));
    // The command closed the store: its write-ahead log is folded into the file, which alone
    // is the whole database (found by QA: a copy of the .db file was an empty store).
    let wal = std::fs::metadata(dir.join("demo.db-wal")).map_or(0, |m| m.len());
    assert_eq!(wal, 0, "the -wal file is gone or empty");
    let db = format!("sqlite://{}", file.display());

    let out = bin()
        .args(["migrate", "--db", &db])
        .output()
        .expect("migrate");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("at migration 15 (15 applied)"),
        "{out:?}"
    );
    let out = bin()
        .args(["cases", "stats", "--db", &db])
        .output()
        .expect("stats");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["total"], 0);

    let mut child = bin()
        .args(["serve", "--db", &db, "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut reader = BufReader::new(stdout);
    let started = Instant::now();
    let mut addr = None;
    let mut line = String::new();
    while started.elapsed() < Duration::from_secs(30) {
        line.clear();
        if reader.read_line(&mut line).expect("read") == 0 {
            break;
        }
        if let Some(rest) = line.strip_prefix("Open http://") {
            addr = rest.split('/').next().map(str::to_string);
            break;
        }
    }
    let addr = addr.expect("serve printed its address");
    let (status, body) = http_get(&addr, "/healthz");
    let (home_status, home) = http_get(&addr, "/");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"status\":\"ok\""));
    assert_eq!(home_status, 200);
    assert!(
        home.contains("3,001"),
        "the home page counts the demo subjects and the demo department"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_database_url_is_a_clear_error() {
    let out = bin()
        .args(["migrate", "--db", "mysql://nowhere"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("sqlite://") && err.contains("mysql://nowhere"),
        "{err}"
    );
    // A database that cannot be created (its "directory" is a file): the cause is said once,
    // not once per wrapping error.
    let blocker = std::env::temp_dir().join(format!("chengxin-blocker-{}", std::process::id()));
    std::fs::write(&blocker, "a file, not a directory").expect("write");
    let url = format!("sqlite://{}/x.db", blocker.display());
    let out = bin().args(["migrate", "--db", &url]).output().expect("run");
    let _ = std::fs::remove_file(&blocker);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.matches("cannot create the directory").count(),
        1,
        "{err}"
    );
    assert!(err.contains(&url), "{err}");
    // A database in a directory that does not exist yet is created with it.
    let dir = std::env::temp_dir().join(format!("chengxin-newdir-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let url = format!("sqlite://{}/x.db", dir.join("sub").display());
    let out = bin().args(["migrate", "--db", &url]).output().expect("run");
    assert!(out.status.success(), "{out:?}");
    assert!(dir.join("sub").join("x.db").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue 3 §4: crawl a served demo's public pages and public API responses — home, searches,
/// enterprise pages with legal representatives, natural persons' pages — and fail on any
/// unmasked citizen ID or mobile number.
#[test]
fn demo_public_output_never_shows_personal_identifiers() {
    let dir = std::env::temp_dir().join(format!("chengxin-crawl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("demo.db");
    let out = bin()
        .args(["demo", "--subjects", "2000", "--no-serve", "--file"])
        .arg(&file)
        .output()
        .expect("demo");
    assert!(out.status.success());
    let db = format!("sqlite://{}", file.display());

    // The natural persons' keys and IDs, read straight from the store (the public side cannot list them).
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let persons: Vec<(String, String)> = rt.block_on(async {
        let store = chengxin_store::Store::connect(&db).await.expect("store");
        let page = store
            .search(&chengxin_store::SearchQuery {
                text: String::new(),
                include_persons: true,
                limit: 100,
                offset: 0,
            })
            .await
            .expect("search");
        let mut persons = Vec::new();
        let mut offset = 0;
        while persons.len() < 40 && offset < page.total {
            let batch = store
                .search(&chengxin_store::SearchQuery {
                    text: String::new(),
                    include_persons: true,
                    limit: 100,
                    offset,
                })
                .await
                .expect("search");
            for s in batch.items {
                if let Some(id) = &s.current.data.citizen_id {
                    persons.push((s.key.clone(), id.clone()));
                }
            }
            offset += 100;
        }
        persons
    });
    assert!(persons.len() >= 10, "the demo has natural persons");

    let mut child = bin()
        .args([
            "serve",
            "--db",
            &db,
            "--addr",
            "127.0.0.1:0",
            "--anonymous-per-minute",
            "100000",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .expect("serve");
    let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    let mut addr = None;
    while reader.read_line(&mut line).unwrap_or(0) > 0 {
        if let Some(rest) = line.strip_prefix("Open http://") {
            addr = rest.split('/').next().map(str::to_string);
            break;
        }
        line.clear();
    }
    let addr = addr.expect("address");
    let mut pages = vec!["/".to_string()];
    for q in [
        "%E5%85%AC%E5%8F%B8",
        "%E5%BA%97",
        "%E7%A6%8F%E5%B7%9E",
        "%E7%A7%91%E6%8A%80",
    ] {
        pages.push(format!("/search?q={q}"));
        pages.push(format!("/search?q={q}&page=2"));
        pages.push(format!("/api/v1/subjects?q={q}&per_page=100"));
    }
    // 双公示 columns and their API (issue 4), penalties of natural persons among them.
    for item in ["penalty", "license"] {
        pages.push(format!("/publicity/{item}"));
        pages.push(format!("/publicity/{item}?page=2"));
        pages.push(format!("/api/v1/publicity/{item}?per_page=100"));
        pages.push(format!("/api/v1/publicity/{item}?per_page=100&page=2"));
    }
    let mut checked = 0;
    let mut crawl = |path: &str, secrets: &[&str]| -> String {
        let (status, raw) = http_get(&addr, path);
        assert!(
            status == 200 || status == 404 || status == 403,
            "{path}: {status}"
        );
        // The body only: headers carry random request ids.
        let body = raw
            .split_once("\r\n\r\n")
            .map_or("", |(_, b)| b)
            .to_string();
        if let Some(found) = chengxin_codes::mask::find_unmasked(&body) {
            panic!("{path} shows an unmasked personal identifier {found}");
        }
        for s in secrets {
            assert!(!body.contains(s), "{path} shows {s}");
        }
        checked += 1;
        body
    };
    let mut keys = Vec::new();
    let ids: Vec<&str> = persons.iter().map(|(_, id)| id.as_str()).collect();
    for p in &pages {
        let body = crawl(p, &ids);
        if p.starts_with("/api/") {
            // The body may come chunked: take the JSON object inside.
            let json = match (body.find('{'), body.rfind('}')) {
                (Some(a), Some(b)) if a < b => &body[a..=b],
                _ => "",
            };
            let v: Value =
                serde_json::from_str(json).unwrap_or_else(|e| panic!("{p}: {e}: {body}"));
            for item in v["items"].as_array().into_iter().flatten() {
                if let Some(k) = item["key"].as_str() {
                    keys.push(k.to_string());
                }
            }
        }
    }
    keys.sort();
    keys.dedup();
    assert!(keys.len() > 50, "enterprise pages to crawl");
    for k in keys.iter().take(150) {
        crawl(&format!("/subjects/{k}"), &[]);
        crawl(&format!("/api/v1/subjects/{k}"), &[]);
    }
    for (key, id) in &persons {
        crawl(&format!("/subjects/{key}"), &[id]);
        crawl(&format!("/api/v1/subjects/{key}"), &[id]);
        crawl(&format!("/search?q={id}"), &[id]);
        crawl(&format!("/api/v1/subjects/{id}"), &[id]);
    }
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(checked > 400, "crawled {checked} responses");
}

/// `chengxin bench ARGS` on SQLite only; its standard output (it must succeed).
fn bench(args: &[&str]) -> String {
    let out = bin()
        .arg("bench")
        .args(args)
        .env_remove("CHENGXIN_BENCH_PG")
        .output()
        .expect("run bench");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The list-status benchmark runs end to end on a small store: its table row names the data it
/// used and its note gives the percentiles the target is about.
#[test]
fn bench_lists_reports_status_percentiles() {
    let text = bench(&[
        "--only",
        "lists",
        "--list-subjects",
        "2000",
        "--list-entries",
        "200",
        "--lookups",
        "200",
    ]);
    assert!(
        text.contains("| SQLite: list status as of a date") && text.contains("2000 subjects"),
        "{text}"
    );
    let note = text
        .lines()
        .find(|l| l.starts_with("SQLite list status: p50"))
        .unwrap_or_else(|| panic!("no percentile note in {text}"));
    assert!(note.contains("p99") && note.contains("µs"), "{note}");
}

/// The collection benchmark runs end to end on a small file: the first ingest accepts every row,
/// sending the file again changes nothing (the benchmark itself fails otherwise), a later day's
/// batch adds its decisions and keeps its corrections as new versions, and every row names its
/// baseline.
#[test]
fn bench_ingest_reports_first_load_and_resend() {
    let text = bench(&["--only", "ingest", "--ingest-rows", "2000"]);
    assert!(
        text.contains("| SQLite: `chengxin ingest` penalty CSV") && text.contains("2000 rows"),
        "{text}"
    );
    assert!(
        text.contains("| SQLite: the same file sent again (every row `unchanged`)"),
        "{text}"
    );
    let note = text
        .lines()
        .find(|l| l.starts_with("SQLite ingest:"))
        .unwrap_or_else(|| panic!("no ingest note in {text}"));
    assert!(note.contains("\"accepted\":2000"), "{note}");
    // A later day's 200 rows: 20 corrections of the first load's decisions become new versions,
    // the other 180 are new decisions.
    assert!(
        text.contains("| SQLite: a later day's batch into the loaded store (20 corrections")
            && text.contains("200 rows into 2000 records"),
        "{text}"
    );
    let daily = text
        .lines()
        .find(|l| l.starts_with("SQLite daily batch:"))
        .unwrap_or_else(|| panic!("no daily-batch note in {text}"));
    assert!(
        daily.contains("\"accepted\":200") && daily.contains("\"changed\":20"),
        "{daily}"
    );
}

/// Processes starting at once on a new SQLite file all succeed and store one default catalog
/// (the second meets the first's migrations and tries again; the default is stored only into a
/// store without a catalog, decided in the locking transaction).
#[test]
fn processes_starting_together_on_a_new_database_store_one_catalog() {
    let dir = std::env::temp_dir().join(format!("chengxin-together-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    for round in 0..4 {
        let db = format!("sqlite://{}/t{round}.db", dir.display());
        let children: Vec<_> = (0..3)
            .map(|_| {
                bin()
                    .args(["catalog", "list", "--db", &db])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("spawn")
            })
            .collect();
        for c in children {
            let out = c.wait_with_output().expect("wait");
            assert!(
                out.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let out = bin()
            .args(["catalog", "list", "--db", &db])
            .output()
            .expect("run");
        let versions = lines(&out.stdout);
        assert_eq!(versions.len(), 1, "round {round}: {versions:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The expiry sweep may catch up on a missed day but never run ahead of today: entries whose
/// validity has not ended stay listed (1798号 (十八)).
#[test]
fn lists_expire_refuses_a_day_after_today() {
    let dir = std::env::temp_dir().join(format!("chengxin-expire-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let url = format!("sqlite://{}/x.db", dir.display());
    let out = bin()
        .args(["lists", "expire", "--on", "2999-01-01", "--db", &url])
        .output()
        .expect("run");
    assert!(!out.status.success(), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("2999-01-01 is after today"), "{err}");
    let out = bin()
        .args(["lists", "expire", "--on", "2026-01-05", "--db", &url])
        .output()
        .expect("run");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        lines(&out.stdout),
        vec![serde_json::json!({"on": "2026-01-05", "subjects": 0})]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A department asked for by code must be a registered one: an unknown code is an error, not an
/// empty answer that reads as "sent nothing"; an enterprise's code cannot be registered.
#[test]
fn unknown_and_non_government_departments_are_errors() {
    let dir = std::env::temp_dir().join(format!("chengxin-dept-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let url = format!("sqlite://{}/x.db", dir.display());
    for args in [
        &["quality", "--dept", "11350100MB0000027N"][..],
        &["batches", "list", "--dept", "11350100MB0000027N"][..],
    ] {
        let out = bin().args(args).args(["--db", &url]).output().expect("run");
        assert!(!out.status.success(), "{args:?}: {out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("no department 11350100MB0000027N is registered"),
            "{err}"
        );
    }
    let out = bin()
        .args([
            "departments",
            "add",
            "91131182EGDQQW7M14",
            "某公司",
            "--db",
            &url,
        ])
        .output()
        .expect("run");
    assert!(!out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("机构编制"));
    // A limit of nothing or less is an error, not one row.
    for args in [
        &["cases", "list", "--limit", "0"][..],
        &["batches", "list", "--limit=-1"][..],
    ] {
        let out = bin().args(args).args(["--db", &url]).output().expect("run");
        assert!(!out.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("is not in 1..=10000"),
            "{args:?}"
        );
    }
    let out = bin()
        .args([
            "departments",
            "add",
            "11350100MB0000027N",
            "福州市税务局",
            "--db",
            &url,
        ])
        .output()
        .expect("run");
    assert!(out.status.success(), "{out:?}");
    let out = bin()
        .args(["quality", "--dept", "11350100MB0000027N", "--db", &url])
        .output()
        .expect("run");
    assert!(out.status.success(), "{out:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `audit search` prints the log's entries as JSON lines, filtered, and records the search
/// itself; the chain stays intact.
#[test]
fn audit_search_exports_entries_and_is_itself_recorded() {
    let dir = std::env::temp_dir().join(format!("chengxin-audit-search-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let url = format!("sqlite://{}/x.db", dir.display());
    for (code, name) in [
        ("11350100MB0000027N", "福州市税务局"),
        ("11350100MB0000035H", "福州市生态环境局"),
    ] {
        let out = bin()
            .args(["departments", "add", code, name, "--db", &url])
            .output()
            .expect("run");
        assert!(out.status.success(), "{out:?}");
    }
    let out = bin()
        .args([
            "audit",
            "search",
            "--action",
            "departments.add",
            "--db",
            &url,
        ])
        .env("USER", "auditor1")
        .output()
        .expect("run");
    assert!(out.status.success(), "{out:?}");
    let found = lines(&out.stdout);
    let targets: Vec<&str> = found.iter().filter_map(|e| e["target"].as_str()).collect();
    assert_eq!(targets, ["11350100MB0000027N", "11350100MB0000035H"]);
    let out = bin()
        .args([
            "audit",
            "search",
            "--action",
            "audit.search",
            "--from",
            "2020-01-01",
            "--db",
            &url,
        ])
        .output()
        .expect("run");
    let searches = lines(&out.stdout);
    assert_eq!(searches.len(), 1, "{searches:?}");
    assert_eq!(searches[0]["actor"], "cli:auditor1");
    // What was asked, as written (found by QA: Rust's `Some("…")` and `None`).
    let asked = searches[0]["detail"].as_str().unwrap_or_default();
    assert!(
        asked.starts_with("action=departments.add -> 2 entries"),
        "{asked}"
    );
    let out = bin()
        .args(["audit", "search", "--to", "2020-01-01", "--db", &url])
        .output()
        .expect("run");
    assert!(lines(&out.stdout).is_empty(), "nothing before 2020");
    let out = bin()
        .args(["audit", "verify", "--db", &url])
        .output()
        .expect("run");
    assert!(out.status.success(), "{out:?}");
    // Verifying a database that is not there fails and creates nothing (found by QA: a
    // mistyped name was created, then reported as a missing table).
    let missing = dir.join("typo.db");
    let out = bin()
        .args([
            "audit",
            "verify",
            "--db",
            &format!("sqlite://{}", missing.display()),
        ])
        .output()
        .expect("run");
    assert!(!out.status.success(), "{out:?}");
    assert!(!missing.exists(), "no database created");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains('\u{1b}'),
        "no colour codes off a terminal: {err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `lists default` and `catalog default` print the built-in defaults and touch no database:
/// no `./chengxin.db` is created or migrated (found by QA).
#[test]
fn printing_the_defaults_opens_no_database() {
    let dir = std::env::temp_dir().join(format!("chengxin-defaults-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    for (what, marker) in [("lists", "[[standard]]"), ("catalog", "[[items]]")] {
        let out = bin()
            .current_dir(&dir)
            .args([what, "default"])
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(marker), "{what}: {text}");
    }
    let left: Vec<_> = std::fs::read_dir(&dir)
        .expect("read dir")
        .filter_map(|e| e.ok().map(|e| e.file_name()))
        .collect();
    assert!(left.is_empty(), "files created: {left:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
