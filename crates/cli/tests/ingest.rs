//! `chengxin ingest` as a department data officer runs it: formats, encodings, idempotency, and
//! batches that end whole or not at all (issue 4).

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const DEPT: &str = "11350100MB0000019U";

const HEADER_ZH: &str = "行政相对人名称,行政相对人类别,统一社会信用代码,行政处罚决定书文号,违法行为类型,违法事实,处罚依据,处罚类别,处罚内容,罚款金额（万元）,处罚决定日期,处罚机关,处罚机关统一社会信用代码";
const HEADER_CODES: [&str; 13] = [
    "CF_XDR_MC",
    "CF_XDR_LB",
    "CF_XDR_SHXYM",
    "CF_WSH",
    "CF_WFXW",
    "CF_SY",
    "CF_YJ",
    "CF_CFLB",
    "CF_NR",
    "CF_NR_FK",
    "CF_JDRQ",
    "CF_CFJG",
    "CF_CFJGDM",
];

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_chengxin"));
    c.env_remove("CHENGXIN_DB").env("RUST_LOG", "warn");
    c
}

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let p = std::env::temp_dir().join(format!(
            "chengxin-ingest-{name}-{}-{}",
            std::process::id(),
            uuid_like()
        ));
        std::fs::create_dir_all(&p).expect("temp dir");
        Dir(p)
    }
    fn db(&self) -> String {
        format!("sqlite://{}", self.0.join("t.db").display())
    }
    fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn uuid_like() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = bin().args(args).output().expect("run chengxin");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The JSON summary: the last line of stdout.
fn summary(stdout: &str) -> Value {
    let last = stdout.lines().last().unwrap_or("");
    serde_json::from_str(last).unwrap_or_else(|e| panic!("last line is not JSON ({e}): {last:?}"))
}

fn setup(d: &Dir) {
    let (code, _, err) = run(&[
        "departments",
        "add",
        "--db",
        &d.db(),
        DEPT,
        "福州市市场监督管理局",
    ]);
    assert_eq!(code, 0, "{err}");
}

fn ingest(d: &Dir, file: &Path, extra: &[&str]) -> (i32, Value, String) {
    let db = d.db();
    let path = file.display().to_string();
    let mut args = vec![
        "ingest",
        "--db",
        db.as_str(),
        path.as_str(),
        "--item",
        "penalty",
        "--dept",
        DEPT,
    ];
    args.extend(extra);
    let (code, out, err) = run(&args);
    (code, summary(&out), err)
}

/// Ingests `file` as penalties, which must succeed; the summary and the rejected-rows report.
fn ingest_reporting(d: &Dir, file: &Path) -> (Value, String) {
    let report = d.file("report.csv");
    let (code, s, err) = ingest(d, file, &["--rejections", &report.display().to_string()]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&report).expect("report");
    (s, text)
}

fn ingest_item(d: &Dir, file: &Path, item: &str) -> (i32, Value, String) {
    let db = d.db();
    let path = file.display().to_string();
    let (code, out, err) = run(&[
        "ingest",
        "--db",
        db.as_str(),
        path.as_str(),
        "--item",
        item,
        "--dept",
        DEPT,
    ]);
    (code, summary(&out), err)
}

fn uscc(seed: u64) -> String {
    let mut rng = chengxin_codes::generate::Rng::new(seed);
    chengxin_codes::generate::uscc(&mut rng)
}

/// One penalty row (13 columns in HEADER order). Cells never contain commas or quotes.
fn row(i: u64) -> Vec<String> {
    vec![
        format!("测试企业{i}有限公司"),
        "法人及非法人组织".into(),
        uscc(1_000 + i),
        format!("榕市监罚〔2026〕{i}号"),
        "虚假宣传".into(),
        format!("发布虚假广告第{i}次"),
        "《中华人民共和国广告法》第五十五条".into(),
        if i.is_multiple_of(3) {
            "警告"
        } else {
            "罚款"
        }
        .into(),
        format!("罚款{}元", 1000 + i),
        if i.is_multiple_of(3) {
            String::new()
        } else {
            "0.5".into()
        },
        "2026-11-16".into(),
        "福州市市场监督管理局".into(),
        DEPT.into(),
    ]
}

fn csv_text(rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut s = String::from(HEADER_ZH);
    s.push('\n');
    for r in rows {
        s.push_str(&r.join(","));
        s.push('\n');
    }
    s
}

#[test]
fn every_format_and_encoding_is_the_same_batch() {
    let d = Dir::new("formats");
    setup(&d);
    let rows: Vec<Vec<String>> = (1..=4).map(row).collect();
    let utf8 = d.file("penalty.csv");
    std::fs::write(&utf8, csv_text(rows.iter().cloned())).expect("write");
    let (code, s, err) = ingest(&d, &utf8, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        (&s["rows"], &s["accepted"], &s["unchanged"], &s["rejected"]),
        (&4.into(), &4.into(), &0.into(), &0.into()),
        "{s}"
    );
    assert!(s["batch"].as_i64().is_some());

    // The same decisions in GB18030: nothing new.
    let text = csv_text(rows.iter().cloned());
    let (gb, _, bad) = encoding_rs::GB18030.encode(&text);
    assert!(!bad);
    let gbk = d.file("penalty-gbk.csv");
    std::fs::write(&gbk, &gb).expect("write");
    let (code, s, err) = ingest(&d, &gbk, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        (&s["accepted"], &s["unchanged"]),
        (&0.into(), &4.into()),
        "{s}"
    );

    // As XLSX with the field codes as headers, columns in another order.
    let xlsx = d.file("penalty.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let order: Vec<usize> = (0..13).rev().collect();
    for (c, &src) in order.iter().enumerate() {
        ws.write_string(0, c as u16, HEADER_CODES[src])
            .expect("cell");
        for (r, cells) in rows.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, &cells[src])
                .expect("cell");
        }
    }
    wb.save(&xlsx).expect("save xlsx");
    let (code, s, err) = ingest(&d, &xlsx, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        (&s["accepted"], &s["unchanged"]),
        (&0.into(), &4.into()),
        "{s}"
    );

    // As JSON Lines, one row changed: one new version. Empty values are left out, as producers
    // do, and the first object is the one without a fine: a later object's CF_NR_FK is still a
    // column. The last object names its fields in Chinese, the others by code.
    let jsonl = d.file("penalty.jsonl");
    let mut text = String::new();
    let names: Vec<&str> = HEADER_ZH.split(',').collect();
    for i in [2, 0, 1, 3] {
        let mut obj = serde_json::Map::new();
        let keys: &[&str] = if i == 3 { &names } else { &HEADER_CODES };
        for (k, v) in keys.iter().zip(&rows[i]) {
            let v = if i == 0 && *k == "CF_NR" {
                "罚款一万元（复议后变更）".to_string()
            } else {
                v.clone()
            };
            if !v.is_empty() {
                obj.insert((*k).into(), Value::String(v));
            }
        }
        text.push_str(&Value::Object(obj).to_string());
        text.push('\n');
    }
    std::fs::write(&jsonl, text).expect("write");
    let (code, s, err) = ingest(&d, &jsonl, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        (&s["accepted"], &s["changed"], &s["unchanged"]),
        (&1.into(), &1.into(), &3.into()),
        "{s}"
    );
    // Four batches, four records (one with two versions).
    let (_, out, _) = run(&["batches", "list", "--db", &d.db()]);
    assert_eq!(out.lines().count(), 4);
}

#[test]
fn rejected_rows_are_reported_and_the_rest_kept() {
    let d = Dir::new("rejects");
    setup(&d);
    let mut rows: Vec<Vec<String>> = (1..=3).map(row).collect();
    rows[1][10] = "2099-01-01".into(); // decision in the future
    rows[2][2] = "91350100M000100Y4A".into(); // fails its check character
    let mut r4 = row(4);
    r4[3] = String::new(); // no document number
    rows.push(r4);
    let f = d.file("mixed.csv");
    std::fs::write(&f, csv_text(rows.into_iter())).expect("write");
    let report = d.file("report.csv");
    let report_arg = report.display().to_string();
    let (code, s, err) = ingest(&d, &f, &["--rejections", &report_arg]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        (&s["rows"], &s["accepted"], &s["rejected"], &s["review"]),
        (&4.into(), &1.into(), &3.into(), &1.into()),
        "{s}"
    );
    let text = std::fs::read_to_string(&report).expect("report");
    assert!(
        text.starts_with('\u{feff}'),
        "a BOM for spreadsheet programs"
    );
    for (row, field, rule) in [
        ("2,3,CF_JDRQ", "CF_JDRQ", "future_date"),
        ("3,4,CF_XDR_SHXYM", "CF_XDR_SHXYM", "uscc_check"),
        ("4,5,CF_WSH", "CF_WSH", "required"),
    ] {
        let line = text
            .lines()
            .find(|l| l.starts_with(row))
            .unwrap_or_else(|| panic!("no report line for {field}: {text}"));
        assert!(line.contains(rule), "{line}");
    }
    // The wrong code went to review, not away.
    let (_, out, _) = run(&["cases", "list", "--db", &d.db()]);
    assert!(out.contains("91350100M000100Y4A"), "{out}");
    assert!(out.contains("invalid_check"), "{out}");
    // The same report through `batches rejections`.
    let batch = s["batch"].as_i64().expect("batch").to_string();
    let (_, out, _) = run(&["batches", "rejections", "--db", &d.db(), &batch]);
    assert_eq!(out.lines().count(), 4, "{out}");
    // --strict refuses the whole batch instead.
    let d2 = Dir::new("strict");
    setup(&d2);
    let strict_report = d2.file("strict-report.csv");
    let (code, s, err) = ingest(
        &d2,
        &f,
        &[
            "--strict",
            "--rejections",
            &strict_report.display().to_string(),
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(s["refused"], "strict");
    assert_eq!(s["batch"], Value::Null);
    assert_eq!((&s["rows"], &s["rejected"]), (&4.into(), &3.into()), "{s}");
    let (_, out, _) = run(&["batches", "list", "--db", &d2.db()]);
    assert_eq!(out.trim(), "", "nothing kept");
    // ... but the officer still gets every refused row, to correct the file.
    let strict_text = std::fs::read_to_string(&strict_report).expect("strict report written");
    assert_eq!(
        strict_text, text,
        "the same report as the non-strict batch's"
    );
    assert!(err.contains("strict-report.csv"), "{err}");
    // Without --rejections the refused rows are listed on stderr.
    let (_, _, err) = ingest(&d2, &f, &["--strict"]);
    assert!(err.contains("row 4 (line 5), CF_WSH [required]"), "{err}");
    // A report path that cannot be written refuses the batch before anything is kept.
    let nowhere = d2.file("no-such-dir").join("report.csv");
    let (code, s, err) = ingest(&d2, &f, &["--rejections", &nowhere.display().to_string()]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(s["refused"], "rejections_path", "{s}");
    assert!(err.contains("no-such-dir"), "{err}");
    let (_, out, _) = run(&["batches", "list", "--db", &d2.db()]);
    assert_eq!(out.trim(), "", "nothing kept");
}

/// A row with fewer cells than the header reads its missing cells as empty; when a required one
/// is among them, the report says the row is short, which is what the sender has to fix.
#[test]
fn a_short_row_is_reported_as_short() {
    let d = Dir::new("short");
    setup(&d);
    let mut text = csv_text((1..=2).map(row));
    text.push_str(&row(3)[..5].join(","));
    text.push('\n');
    let f = d.file("short.csv");
    std::fs::write(&f, text).expect("write");
    let (s, text) = ingest_reporting(&d, &f);
    assert_eq!(
        (&s["accepted"], &s["rejected"]),
        (&2.into(), &1.into()),
        "{s}"
    );
    assert!(
        text.contains("the row has only 5 of the header's 13 cells"),
        "{text}"
    );
}

/// Each of these ends with the whole batch or nothing, and says why.
#[test]
fn broken_files_are_refused_whole() {
    let d = Dir::new("broken");
    setup(&d);
    let good = csv_text((1..=50).map(row));
    let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
        (
            "truncated.csv",
            {
                // Cut inside a quoted field of the last record.
                let mut t = good.clone();
                t.push_str("末行企业,法人及非法人组织,");
                t.push_str(&uscc(9));
                t.push_str(",榕市监罚〔2026〕999号,\"虚假");
                t.into_bytes()
            },
            "truncated",
            "",
        ),
        (
            "encoding.csv",
            {
                let mut b = good.clone().into_bytes();
                // Bytes that are neither UTF-8 nor GB18030, in the middle of the file.
                let at = b.len() / 2;
                let at = (at..b.len()).find(|&i| b[i] == b'\n').unwrap_or(at) + 1;
                b.splice(at..at, [0xFF, 0xFF, 0x30, b'\n']);
                b
            },
            "encoding",
            "",
        ),
        (
            "header.csv",
            good.replacen("违法事实", "违法经过", 1).into_bytes(),
            "header",
            "违法经过",
        ),
    ];
    for (name, bytes, refused, mentions) in cases {
        let f = d.file(name);
        std::fs::write(&f, bytes).expect("write");
        let (code, s, err) = ingest(&d, &f, &[]);
        assert_eq!(code, 1, "{name}: {s} {err}");
        assert_eq!(s["refused"], refused, "{name}: {s}");
        assert_eq!(s["batch"], Value::Null);
        // Every count of the README's summary is there, and nothing was kept.
        for count in [
            "rows",
            "accepted",
            "changed",
            "unchanged",
            "rejected",
            "review",
            "blank",
        ] {
            assert_eq!(s[count], 0, "{name}: {count} in {s}");
        }
        let msg = s["error"].as_str().unwrap_or("");
        assert!(msg.contains(mentions), "{name}: {msg}");
        assert!(err.contains("refused"), "{name}: {err}");
    }
    let (_, out, _) = run(&["batches", "list", "--db", &d.db()]);
    assert_eq!(out.trim(), "", "no batch was kept");
}

#[test]
fn a_ten_megabyte_cell_is_a_clear_row_error() {
    let d = Dir::new("bigcell");
    setup(&d);
    let mut rows: Vec<Vec<String>> = (1..=3).map(row).collect();
    rows[1][5] = "违".repeat(10 * 1024 * 1024 / 3);
    let f = d.file("big.csv");
    std::fs::write(&f, csv_text(rows.into_iter())).expect("write");
    let (code, s, err) = ingest(
        &d,
        &f,
        &["--rejections", &d.file("r.csv").display().to_string()],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        (&s["accepted"], &s["rejected"]),
        (&2.into(), &1.into()),
        "{s}"
    );
    let report = std::fs::read_to_string(d.file("r.csv")).expect("report");
    let line = report.lines().nth(1).expect("one rejection");
    assert!(line.starts_with("2,3,CF_SY,too_long"), "{line}");
}

#[test]
fn a_row_the_reader_cannot_take_is_reported_in_chinese_with_its_field() {
    let d = Dir::new("unknownkey");
    setup(&d);
    let mut text = String::new();
    for i in 1..=3 {
        let mut obj = serde_json::Map::new();
        for (k, v) in HEADER_CODES.iter().zip(row(i)) {
            if !v.is_empty() {
                obj.insert((*k).into(), Value::String(v));
            }
        }
        if i == 2 {
            obj.insert("CF_BEIZHU".into(), Value::String("多余的键".into()));
        }
        if i == 3 {
            obj.insert("CF_NR".into(), serde_json::json!({ "罚款": "五千元" }));
        }
        text.push_str(&Value::Object(obj).to_string());
        text.push('\n');
    }
    let f = d.file("keys.jsonl");
    std::fs::write(&f, text).expect("write");
    let (s, text) = ingest_reporting(&d, &f);
    assert_eq!(
        (&s["accepted"], &s["rejected"]),
        (&1.into(), &2.into()),
        "{s}"
    );
    let line = text.lines().nth(1).expect("one rejection");
    // The key is the field; the reason is Chinese first (the 数据报送 page shows that part).
    assert!(line.starts_with("2,2,CF_BEIZHU,unknown_key,"), "{line}");
    assert!(line.contains("键「CF_BEIZHU」不是列名"), "{line}");
    assert!(line.contains(" / line 2, data row 2: key"), "{line}");
    // A nested value is reported under the field its key names.
    let line = text.lines().nth(2).expect("two rejections");
    assert!(line.starts_with("3,3,CF_NR,malformed,"), "{line}");
    assert!(line.contains("键「CF_NR」的值是嵌套的对象"), "{line}");
}

#[test]
fn a_cell_excel_spoilt_is_reported_under_its_field() {
    let d = Dir::new("excelnumber");
    setup(&d);
    let xlsx = d.file("n.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in HEADER_CODES.iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("cell");
    }
    for r in 1..=2_u32 {
        for (c, v) in row(u64::from(r)).iter().enumerate() {
            ws.write_string(r, c as u16, v).expect("cell");
        }
    }
    // Row 2's USCC typed as a number: Excel kept 15 of its digits.
    ws.write_number(2, 2, 913501001234567890.0).expect("cell");
    wb.save(&xlsx).expect("save");
    let (s, text) = ingest_reporting(&d, &xlsx);
    assert_eq!(
        (&s["accepted"], &s["rejected"]),
        (&1.into(), &1.into()),
        "{s}"
    );
    let line = text.lines().nth(1).expect("one rejection");
    assert!(line.starts_with("2,3,CF_XDR_SHXYM,malformed,"), "{line}");
    assert!(
        line.contains("第 3 行第 3 列（单元格 C3）是以 Excel 数字格式保存的"),
        "{line}"
    );
}

/// 登记注册 rows are where names change: a 变更登记 under the same USCC and a new name is taken,
/// where a penalty naming that code under a name it never had is held for review.
#[test]
fn registration_rows_rename_and_penalties_are_checked_against_names() {
    let d = Dir::new("renames");
    setup(&d);
    let code = uscc(4_242);
    let reg = d.file("reg.csv");
    std::fs::write(
        &reg,
        format!(
            "DJ_ZTMC,DJ_TYSHXYDM,DJ_WSH,DJ_HZRQ,DJ_DJJG\n\
             福州旧名贸易有限公司,{code},榕市监登〔2020〕1号,2020-01-02,福州市市场监督管理局\n"
        ),
    )
    .expect("write");
    let (code1, s, err) = ingest_item(&d, &reg, "registration");
    assert_eq!(code1, 0, "{err}");
    assert_eq!(s["accepted"], 1, "{s}");
    let renamed = d.file("renamed.csv");
    std::fs::write(
        &renamed,
        format!(
            "DJ_ZTMC,DJ_TYSHXYDM,DJ_WSH,DJ_HZRQ,DJ_DJJG\n\
             福州新名贸易有限公司,{code},榕市监登〔2026〕9号,2026-11-02,福州市市场监督管理局\n"
        ),
    )
    .expect("write");
    let (code2, s, err) = ingest_item(&d, &renamed, "registration");
    assert_eq!(code2, 0, "{err}");
    // The 名称变更登记 renames the subject in the registry (found by a QA pass: it was stored as
    // a record and renamed nothing, so every decision under the new name was held).
    assert_eq!(
        (&s["accepted"], &s["review"], &s["renamed"]),
        (&1.into(), &0.into(), &1.into()),
        "{s}"
    );
    // The first registration sent again renames nothing back: the renaming is later.
    let (code2, s, err) = ingest_item(&d, &reg, "registration");
    assert_eq!(code2, 0, "{err}");
    assert_eq!(
        (&s["unchanged"], s.get("renamed")),
        (&1.into(), None),
        "{s}"
    );
    let penalty = |n: u64, name: &str| {
        let mut r = row(n);
        r[0] = name.into();
        r[2] = code.clone();
        let f = d.file(&format!("p{n}.csv"));
        std::fs::write(&f, csv_text(std::iter::once(r))).expect("write");
        let (status, s, err) = ingest(&d, &f, &[]);
        assert_eq!(status, 0, "{err}");
        (s["accepted"].clone(), s["review"].clone())
    };
    // Penalties under the new name and under the former one are taken.
    assert_eq!(penalty(1, "福州新名贸易有限公司"), (1.into(), 0.into()));
    assert_eq!(penalty(2, "福州旧名贸易有限公司"), (1.into(), 0.into()));
    // A penalty under a name the code never had: held.
    assert_eq!(penalty(3, "福州无关科技有限公司"), (0.into(), 1.into()));
}

#[test]
fn repeats_inside_one_batch() {
    let d = Dir::new("dups");
    setup(&d);
    let mut conflicting = row(1);
    conflicting[8] = "罚款九千元".into();
    let rows = vec![row(1), row(2), row(1), conflicting];
    let f = d.file("dups.csv");
    std::fs::write(&f, csv_text(rows.into_iter())).expect("write");
    let report = d.file("r.csv");
    let (code, s, err) = ingest(&d, &f, &["--rejections", &report.display().to_string()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        (&s["rows"], &s["accepted"], &s["unchanged"], &s["rejected"]),
        (&4.into(), &2.into(), &1.into(), &1.into()),
        "{s}"
    );
    let text = std::fs::read_to_string(&report).expect("report");
    assert!(text.contains("4,5,CF_WSH,duplicate_in_batch"), "{text}");
    assert!(text.contains("row 1"), "names the first row: {text}");
}

/// Operators change the catalog by importing a file: each import is the next version, whatever
/// version the file states (said on stderr), and a file that is not a catalog changes nothing.
#[test]
fn catalog_files_are_imported_as_new_versions() {
    let d = Dir::new("catalog");
    let db = d.db();
    let (code, toml, err) = run(&["catalog", "default"]);
    assert_eq!(code, 0, "{err}");
    let f = d.file("catalog.toml");
    // The default catalog as it stands is version 1 already: the same file changes nothing.
    std::fs::write(&f, &toml).expect("write");
    let path = f.display().to_string();
    let (code, out, err) = run(&["catalog", "import", "--db", &db, &path]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("the same as catalog version 1"), "{out}");
    let (_, out, _) = run(&["catalog", "list", "--db", &db]);
    assert_eq!(out.lines().count(), 1, "{out}");
    // A changed catalog is the next version.
    assert!(toml.contains("title = \""));
    std::fs::write(&f, toml.replacen("title = \"", "title = \"修订：", 1)).expect("write");
    let (code, out, err) = run(&["catalog", "import", "--db", &db, &path]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("as catalog version 2"), "{out}");
    assert!(
        err.contains("the file says version 1") && err.contains("this import is version 2"),
        "{err}"
    );
    let (_, out, _) = run(&["catalog", "list", "--db", &db]);
    assert_eq!(out.lines().count(), 2, "{out}");
    let bad = d.file("bad.toml");
    std::fs::write(&bad, "items = 3\n").expect("write");
    let (code, _, err) = run(&["catalog", "import", "--db", &db, &bad.display().to_string()]);
    assert_eq!(code, 1);
    assert!(err.contains("is not a valid catalog"), "{err}");
    let (_, out, _) = run(&["catalog", "list", "--db", &db]);
    assert_eq!(out.lines().count(), 2, "nothing imported: {out}");
}

#[test]
fn unknown_items_and_departments_are_refused() {
    let d = Dir::new("refuse");
    let f = d.file("p.csv");
    std::fs::write(&f, csv_text((1..=2).map(row))).expect("write");
    // The department is not registered yet.
    let (code, s, _) = ingest(&d, &f, &[]);
    assert_eq!(
        (code, s["refused"].as_str()),
        (1, Some("department")),
        "{s}"
    );
    setup(&d);
    let db = d.db();
    let path = f.display().to_string();
    // A department code with a wrong check character says so, not "not registered".
    let (code, out, err) = run(&[
        "ingest",
        "--db",
        &db,
        &path,
        "--item",
        "penalty",
        "--dept",
        "11350100MB0000019X",
    ]);
    let s = summary(&out);
    assert_eq!(
        (code, s["refused"].as_str()),
        (1, Some("department")),
        "{s}"
    );
    assert!(err.contains("check character"), "{err}");
    let (code, out, _) = run(&[
        "ingest", "--db", &db, &path, "--item", "gossip", "--dept", DEPT,
    ]);
    let s = summary(&out);
    assert_eq!(
        (code, s["refused"].as_str()),
        (1, Some("unknown_item")),
        "{s}"
    );
    assert!(s["error"].as_str().unwrap_or("").contains("penalty"));
    // In the audit log like any file refused whole (found by QA: this one was not).
    let (code, out, err) = run(&["audit", "search", "--db", &db, "--action", "batch.ingest"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.lines()
            .any(|l| l.contains("refused (unknown_item)")
                && l.contains(&format!("batch:{DEPT}:gossip"))),
        "{out}"
    );
}

/// The process killed in the middle of a large batch: nothing of it remains, and sending the
/// file again takes it whole.
#[test]
fn a_batch_killed_midway_leaves_nothing() {
    let d = Dir::new("sigkill");
    setup(&d);
    let n = 40_000;
    let f = d.file("large.csv");
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&f).expect("create"));
        writeln!(w, "{HEADER_ZH}").expect("write");
        for i in 1..=n {
            writeln!(w, "{}", row(i).join(",")).expect("write");
        }
    }
    let db = d.db();
    let path = f.display().to_string();
    let mut child = bin()
        .args([
            "ingest", "--db", &db, &path, "--item", "penalty", "--dept", DEPT,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    // Wait until the batch is writing (its transaction's pages reach the WAL), then SIGKILL.
    let wal = d.file("t.db-wal");
    let started = Instant::now();
    loop {
        let size = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        if size > 2 * 1024 * 1024 {
            break;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the ingest finished before it could be killed ({status}); use a larger file");
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the batch never started writing"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    let (_, out, err) = run(&["batches", "list", "--db", &db]);
    assert_eq!(out.trim(), "", "no batch survives the kill: {err}");
    let (_, out, err) = run(&["quality", "--db", &db]);
    assert_eq!(out.trim(), "", "no figures either");
    assert!(
        err.contains("no batches from"),
        "and the terminal says why: {err}"
    );
    let (code, _, err) = run(&[
        "quality",
        "--db",
        &db,
        "--from",
        "2026-12-01",
        "--to",
        "2026-11-01",
    ]);
    assert_eq!(code, 1, "a period that ends before it starts is an error");
    assert!(err.contains("starts after it ends"), "{err}");
    let (code, s, err) = ingest(&d, &f, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!((&s["rows"], &s["accepted"]), (&n.into(), &n.into()), "{s}");
}

/// A catalog item that names its providers (信息提供单位) takes batches from them only: another
/// registered department is refused whole, saying who reports the item.
#[test]
fn only_an_items_providers_may_report_it() {
    let d = Dir::new("providers");
    setup(&d);
    let db = d.db();
    let (_, toml, _) = run(&["catalog", "default"]);
    let other = "11350100MB0000027N";
    let marker = "code = \"penalty\"\n";
    assert!(toml.contains(marker));
    let restricted = toml.replacen(marker, &format!("{marker}providers = [\"{other}\"]\n"), 1);
    let f = d.file("catalog.toml");
    std::fs::write(&f, restricted).expect("write");
    let (code, _, err) = run(&["catalog", "import", "--db", &db, &f.display().to_string()]);
    assert_eq!(code, 0, "{err}");
    let p = d.file("p.csv");
    std::fs::write(&p, csv_text((1..=2).map(row))).expect("write");
    let (code, s, err) = ingest(&d, &p, &[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(s["refused"], "provider", "{s}");
    assert!(err.contains("信息提供单位") && err.contains(other), "{err}");
    let (_, out, _) = run(&["batches", "list", "--db", &db]);
    assert_eq!(out.trim(), "", "nothing kept");
    // A provider that is not a valid code is refused at import.
    let bad = toml.replacen(
        marker,
        &format!("{marker}providers = [\"11350100MB000002XX\"]\n"),
        1,
    );
    std::fs::write(&f, bad).expect("write");
    let (code, _, err) = run(&["catalog", "import", "--db", &db, &f.display().to_string()]);
    assert_eq!(code, 1);
    assert!(
        err.contains("provider") && err.contains("统一社会信用代码"),
        "{err}"
    );
}

/// Department codes typed in lower case (or full-width) are the same department on every
/// command, as over the API.
#[test]
fn department_codes_are_normalised_on_every_command() {
    let d = Dir::new("deptcase");
    setup(&d);
    let db = d.db();
    let lower = DEPT.to_lowercase();
    let f = d.file("p.csv");
    std::fs::write(&f, csv_text((1..=2).map(row))).expect("write");
    let path = f.display().to_string();
    let (code, out, err) = run(&[
        "ingest", "--db", &db, &path, "--item", "penalty", "--dept", &lower,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let (_, out, _) = run(&["quality", "--db", &db, "--dept", &lower]);
    assert_eq!(out.lines().count(), 1, "{out}");
    let (_, out, _) = run(&["batches", "list", "--db", &db, "--dept", &lower]);
    assert_eq!(out.lines().count(), 1, "{out}");
    // A worksheet named for a CSV file is a mistake, said as such.
    let (code, s, err) = ingest(&d, &f, &["--sheet", "Sheet1"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(s["refused"], "sheet", "{s}");
    // An unregistered department is said to be unregistered.
    let (code, _, err) = run(&[
        "ingest",
        "--db",
        &db,
        &path,
        "--item",
        "penalty",
        "--dept",
        "11350100MB0000027N",
    ]);
    assert_eq!(code, 1);
    assert!(
        err.contains("no registered department 11350100MB0000027N"),
        "{err}"
    );
}

/// Departments' sheets often carry a title (and a 「填报单位」 line) above the header: those
/// one-cell rows are skipped and named in the summary, the rows keep their physical line
/// numbers, and a header that still does not match is refused naming where it was read.
#[test]
fn a_title_above_the_header_is_skipped_and_said() {
    let d = Dir::new("titles");
    setup(&d);
    let mut text = String::from("行政处罚信息公示表,,,,\n\n填报单位：福州市市场监督管理局\n");
    text.push_str(&csv_text((1..=3).map(row)));
    // Line 8: a row refused for its date, reported at its physical line.
    let mut bad = row(4);
    bad[10] = "2026-13-01".into();
    text.push_str(&bad.join(","));
    text.push('\n');
    let f = d.file("titled.csv");
    std::fs::write(&f, &text).expect("write");
    let report = d.file("titled-rejections.csv");
    let report_arg = report.display().to_string();
    let (code, s, err) = ingest(&d, &f, &["--rejections", &report_arg]);
    assert_eq!(code, 0, "{s} {err}");
    assert_eq!(s["accepted"], 3, "{s}");
    assert_eq!(s["rejected"], 1, "{s}");
    assert_eq!(s["titles"][0]["line"], 1, "{s}");
    assert_eq!(s["titles"][0]["text"], "行政处罚信息公示表", "{s}");
    assert_eq!(s["titles"][1]["line"], 3, "{s}");
    assert!(err.contains("skipped as the sheet's title"), "{err}");
    let rejections = std::fs::read_to_string(&report).expect("report");
    assert!(rejections.contains("\n4,8,CF_JDRQ,"), "{rejections}");

    // The same title above a header that does not match: refused, saying both.
    let f = d.file("titled-bad-header.csv");
    std::fs::write(&f, text.replacen("违法事实", "违法经过", 1)).expect("write");
    let (code, s, _) = ingest(&d, &f, &[]);
    assert_eq!(code, 1, "{s}");
    assert_eq!(s["refused"], "header", "{s}");
    let msg = s["error"].as_str().unwrap_or("");
    assert!(msg.contains("违法经过"), "{msg}");
    assert!(msg.contains("read from line 4"), "{msg}");
    assert!(msg.contains("行政处罚信息公示表"), "{msg}");
    // Nothing was written, but the attempt is in the audit log, refused, with its reason (found
    // by a QA pass: only committed batches were).
    let (code, out, err) = run(&[
        "audit",
        "search",
        "--db",
        &d.db(),
        "--action",
        "batch.ingest",
    ]);
    assert_eq!(code, 0, "{err}");
    let refused: Vec<Value> = out
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["outcome"] == "refused")
        .collect();
    assert_eq!(refused.len(), 1, "{out}");
    let detail = refused[0]["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("titled-bad-header.csv: refused (header)") && detail.contains("违法经过"),
        "{detail}"
    );

    // Four one-cell rows: the fourth is taken as the header (and refused), not skipped.
    let f = d.file("four-titles.csv");
    std::fs::write(
        &f,
        format!("一\n二\n三\n四\n{}", csv_text((5..=6).map(row))),
    )
    .expect("write");
    let (code, s, _) = ingest(&d, &f, &[]);
    assert_eq!(code, 1, "{s}");
    assert_eq!(s["refused"], "header", "{s}");
    assert!(
        s["error"]
            .as_str()
            .unwrap_or("")
            .contains("read from line 4"),
        "{s}"
    );

    // A file separated by ';': its rows are one cell each; the one read for the header after
    // three is refused naming the separator.
    let f = d.file("semicolons.csv");
    let semicolons: Vec<String> = std::iter::once(HEADER_ZH.replace(',', ";"))
        .chain((1..=3).map(|i| row(i).join(";")))
        .collect();
    std::fs::write(&f, semicolons.join("\n")).expect("write");
    let (code, s, _) = ingest(&d, &f, &[]);
    assert_eq!((code, s["refused"].as_str()), (1, Some("header")), "{s}");
    let msg = s["error"].as_str().unwrap_or("");
    assert!(
        msg.contains("read from line 4") && msg.contains("separated by commas"),
        "{msg}"
    );
    // A title with ';' in it above a comma-separated header is a title.
    let f = d.file("semicolon-title.csv");
    let titled = format!(
        "填报单位：福州市市场监督管理局; 联系人：张三; 日期：2026-11-30\n{}",
        csv_text((8..=8).map(row))
    );
    std::fs::write(&f, titled).expect("write");
    let (code, s, err) = ingest(&d, &f, &[]);
    assert_eq!((code, &s["accepted"]), (0, &Value::from(1)), "{s} {err}");
    // Only a title: no header, said as such.
    let f = d.file("title-only.csv");
    std::fs::write(&f, "行政处罚信息公示表\n").expect("write");
    let (code, s, _) = ingest(&d, &f, &[]);
    assert_eq!((code, s["refused"].as_str()), (1, Some("no_header")), "{s}");
    assert!(
        s["error"].as_str().unwrap_or("").contains("single cell"),
        "{s}"
    );
    // A huge title is said back shortened, not echoed whole.
    let f = d.file("long-title.csv");
    std::fs::write(
        &f,
        format!("{}\n{}", "公示".repeat(100_000), csv_text((7..=7).map(row))),
    )
    .expect("write");
    let (code, s, err) = ingest(&d, &f, &[]);
    assert_eq!(code, 0, "{s}");
    assert_eq!(
        s["titles"][0]["text"].as_str().map(|t| t.chars().count()),
        Some(101),
        "{s}"
    );
    assert!(err.len() < 2_000, "stderr is {} bytes", err.len());
}

/// A document number copied with invisible characters (a zero-width space from a web page) is
/// the same decision, not a second one that looks identical.
#[test]
fn invisible_characters_do_not_make_a_second_decision() {
    let d = Dir::new("zerowidth");
    setup(&d);
    let f = d.file("plain.csv");
    std::fs::write(&f, csv_text((1..=2).map(row))).expect("write");
    let (code, s, _) = ingest(&d, &f, &[]);
    assert_eq!((code, &s["accepted"]), (0, &Value::from(2)), "{s}");
    let hidden = csv_text((1..=2).map(|i| {
        let mut r = row(i);
        r[3] = r[3].replace("号", "\u{200B}号\u{FEFF}");
        r
    }));
    let f = d.file("hidden.csv");
    std::fs::write(&f, hidden).expect("write");
    let (code, s, _) = ingest(&d, &f, &[]);
    assert_eq!(code, 0, "{s}");
    assert_eq!(
        (&s["accepted"], &s["unchanged"]),
        (&Value::from(0), &Value::from(2)),
        "{s}"
    );
}

/// A row whose 组织机构代码 contradicts its 统一社会信用代码 (which embeds the organisation
/// code) names two subjects: it is held as a wrong-code case (legacy_mismatch), not linked to
/// either and published; a matching one is accepted.
#[test]
fn contradicting_codes_are_held_for_review() {
    let d = Dir::new("conflict");
    setup(&d);
    let good = row(1);
    let own_org = good[2][8..17].to_string();
    let mut text = format!("{HEADER_ZH},组织机构代码\n");
    text.push_str(&format!("{},{own_org}\n", good.join(",")));
    text.push_str(&format!("{},70846113-6\n", row(2).join(",")));
    let f = d.file("conflict.csv");
    std::fs::write(&f, text).expect("write");
    let (code, s, err) = ingest(&d, &f, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        (&s["accepted"], &s["rejected"], &s["review"]),
        (&1.into(), &1.into(), &1.into()),
        "{s}"
    );
    let (_, out, _) = run(&["cases", "list", "--db", &d.db()]);
    assert!(
        out.contains("legacy_mismatch") && out.contains("708461136"),
        "{out}"
    );
}

/// `chengxin records CODE`: one JSON line per version of each decision, newest first, with its
/// standing on --as-of; the read is in the audit log.
#[test]
fn records_lists_every_version_with_its_standing() {
    let d = Dir::new("records");
    setup(&d);
    let first = d.file("first.csv");
    std::fs::write(&first, csv_text([row(1)].into_iter())).expect("write");
    let (code, s, err) = ingest(&d, &first, &[]);
    assert_eq!((code, s["accepted"].as_u64()), (0, Some(1)), "{err}");
    let mut changed = row(1);
    changed[8] = "罚款二千元".into();
    let fix = d.file("fix.csv");
    std::fs::write(&fix, csv_text([changed].into_iter())).expect("write");
    let (code, s, err) = ingest(&d, &fix, &[]);
    assert_eq!((code, s["changed"].as_u64()), (0, Some(1)), "{err}");
    let db = d.db();
    let subject = uscc(1_001);
    let standing = |as_of: &str| -> Vec<(i64, String, String)> {
        let (code, out, err) = run(&["records", "--db", &db, &subject, "--as-of", as_of]);
        assert_eq!(code, 0, "{err}");
        out.lines()
            .map(|l| {
                let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
                assert_eq!(v["doc_no"], "榕市监罚〔2026〕1号", "{l}");
                (
                    v["version"].as_i64().unwrap_or_default(),
                    v["showing"].as_str().unwrap_or_default().to_string(),
                    v["showing_zh"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    };
    let s = |v: i64, a: &str, b: &str| (v, a.to_string(), b.to_string());
    // Both versions were received today (in China).
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    assert_eq!(
        standing(&today.to_string()),
        [s(2, "on_show", "公示中"), s(1, "superseded", "已被更正")]
    );
    // As things stood the day before, nothing had been received.
    let yesterday = today - chrono::Duration::days(1);
    assert_eq!(standing(&yesterday.to_string()), []);
    // 一般 (the default class): one year, to 2027-11-16.
    assert_eq!(
        standing("2027-11-17"),
        [s(2, "expired", "公示期满"), s(1, "superseded", "已被更正")]
    );
    let (code, out, _) = run(&[
        "audit",
        "search",
        "--db",
        &db,
        "--action",
        "subjects.records.read",
        "--target",
        &subject,
    ]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 3, "{out}");
    // An unknown subject is an error naming it.
    let (code, _, err) = run(&["records", "--db", &db, &uscc(9_999)]);
    assert_ne!(code, 0);
    assert!(err.contains(&uscc(9_999)), "{err}");
}
