mod common;

use std::io::Cursor;

use chengxin_collect::{Format, Limits, Reader};
use common::{Trickle, drain};
use proptest::prelude::*;

/// Reads everything; the test is that this returns (no panic, no hang).
fn consume(bytes: Vec<u8>, format: Format, limits: Limits) {
    if let Ok(mut reader) = Reader::new(Cursor::new(bytes.clone()), format, limits) {
        let width = reader.headers().len();
        let mut rows = 0usize;
        while let Some(row) = reader.next_row() {
            if let Ok(row) = row {
                assert_eq!(row.cells.len(), width);
            }
            rows += 1;
            assert!(rows <= bytes.len() + 1, "more rows than bytes");
        }
        assert!(reader.bytes_read() <= bytes.len() as u64);
    }
}

fn tiny_limits() -> Limits {
    Limits {
        max_cell_bytes: 4,
        max_columns: 3,
        max_record_bytes: 9,
        title_rows: 1,
    }
}

/// Bytes biased towards what matters to the parsers.
fn structured_bytes() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop_oneof![
        Just(b",".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\t".to_vec()),
        Just(b"{".to_vec()),
        Just(b"}".to_vec()),
        Just(b":".to_vec()),
        Just(b"[1]".to_vec()),
        Just(b"null".to_vec()),
        Just(b"\"k\":".to_vec()),
        Just("证".as_bytes().to_vec()),
        Just(vec![0xD6, 0xA4]),
        Just(vec![0x81, 0x30, 0x81, 0x30]),
        Just(vec![0xFF]),
        Just(vec![0xEF, 0xBB, 0xBF]),
        Just(b"a".to_vec()),
        any::<u8>().prop_map(|b| vec![b]),
    ];
    proptest::collection::vec(pieces, 0..200).prop_map(|v| v.concat())
}

const COMMON_HANZI: &str =
    "统一社会信用代码行政处罚决定书文号企业有限公司福州市场监督管理局违法事实依据罚款警告许可证";

/// Cell text with what CSV must quote, Chinese, and spaces.
fn cell() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\"".to_owned()),
        Just(",".to_owned()),
        Just("\n".to_owned()),
        Just("\r\n".to_owned()),
        Just(" ".to_owned()),
        Just("\t".to_owned()),
        Just("，".to_owned()),
        "[a-z0-9]{1,4}",
        // Written Chinese: GB2312 characters (a file of mostly rare ones read as GB18030 is
        // refused as a likely Big5 file, see `big5_is_refused_not_read_as_gb18030`).
        proptest::collection::vec(
            proptest::sample::select(COMMON_HANZI.chars().collect::<Vec<_>>()),
            1..=4
        )
        .prop_map(String::from_iter),
        Just("龘".to_owned()),
        Just("统一社会信用代码".to_owned()),
        Just("𠀀".to_owned()),
    ];
    proptest::collection::vec(piece, 0..5).prop_map(|v| v.concat())
}

/// A header name: non-empty after trimming, no tab (a tab-only header line
/// would be read as tab-separated), no leading BOM.
fn header_name() -> impl Strategy<Value = String> {
    cell().prop_filter("a usable header name", |s| {
        !s.trim().is_empty() && !s.contains('\t')
    })
}

fn table() -> impl Strategy<Value = (Vec<String>, Vec<Vec<String>>)> {
    (1usize..6).prop_flat_map(|width| {
        (
            proptest::collection::vec(header_name(), width),
            proptest::collection::vec(proptest::collection::vec(cell(), width), 0..12),
        )
    })
}

fn write_csv(headers: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(headers).expect("write header");
    for row in rows {
        writer.write_record(row).expect("write row");
    }
    writer.into_inner().expect("flush")
}

fn read_back(bytes: Vec<u8>, step: usize) -> (Vec<String>, Vec<Vec<String>>) {
    let input = Trickle {
        data: Cursor::new(bytes),
        step,
    };
    let mut reader = Reader::new(input, Format::Csv, Limits::default()).expect("header");
    let headers = reader.headers().to_vec();
    let rows = drain(&mut reader)
        .into_iter()
        .map(|r| r.expect("no row error").cells)
        .collect();
    (headers, rows)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        consume(bytes.clone(), Format::Csv, Limits::default());
        consume(bytes.clone(), Format::JsonLines, Limits::default());
        consume(bytes.clone(), Format::Csv, tiny_limits());
        consume(bytes, Format::JsonLines, tiny_limits());
    }

    #[test]
    fn structured_bytes_never_panic(bytes in structured_bytes()) {
        consume(bytes.clone(), Format::Csv, Limits::default());
        consume(bytes.clone(), Format::JsonLines, Limits::default());
        consume(bytes.clone(), Format::Csv, tiny_limits());
        consume(bytes, Format::JsonLines, tiny_limits());
    }

    #[test]
    fn csv_round_trip_in_utf8_and_gb18030(
        (headers, rows) in table(),
        step in 1usize..64,
    ) {
        let utf8 = write_csv(&headers, &rows);
        let want_headers: Vec<String> = headers.iter().map(|h| h.trim().to_owned()).collect();
        // Rows whose cells are all empty or white space are skipped by design.
        let want_rows: Vec<Vec<String>> = rows
            .iter()
            .filter(|r| r.iter().any(|c| !c.trim().is_empty()))
            .cloned()
            .collect();

        let (got_headers, got_rows) = read_back(utf8.clone(), step);
        prop_assert_eq!(&got_headers, &want_headers);
        prop_assert_eq!(&got_rows, &want_rows);

        let text = String::from_utf8(utf8.clone()).expect("csv writes UTF-8");
        let (gb, _, unmappable) = encoding_rs::GB18030.encode(&text);
        prop_assert!(!unmappable);
        // Detection is a heuristic: GB18030 bytes that happen to be valid
        // UTF-8 (possible for a few short texts) are read as UTF-8.
        if gb.as_ref() == utf8.as_slice() || std::str::from_utf8(&gb).is_err() {
            let (got_headers, got_rows) = read_back(gb.into_owned(), step);
            prop_assert_eq!(&got_headers, &want_headers);
            prop_assert_eq!(&got_rows, &want_rows);
        }
    }

    /// Up to three one-cell title rows (padded with empty cells or not) above a header of several
    /// columns change nothing of what is read, and are handed back as written.
    #[test]
    fn titles_above_the_header_are_skipped(
        (headers, rows) in table().prop_filter("a header of several columns", |(h, _)| h.len() >= 2),
        titles in proptest::collection::vec((header_name(), any::<bool>()), 0..=3),
        step in 1usize..64,
    ) {
        let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
        for (title, padded) in &titles {
            let mut record = vec![title.clone()];
            if *padded {
                record.resize(headers.len(), String::new());
            }
            writer.write_record(&record).expect("write title");
        }
        let mut bytes = writer.into_inner().expect("flush");
        bytes.extend(write_csv(&headers, &rows));
        let input = Trickle { data: Cursor::new(bytes), step };
        let limits = Limits { title_rows: 3, ..Limits::default() };
        let mut reader = Reader::new(input, Format::Csv, limits).expect("header");
        let want_titles: Vec<String> = titles.iter().map(|(t, _)| t.trim().to_owned()).collect();
        let got_titles: Vec<String> = reader.titles().iter().map(|t| t.text.clone()).collect();
        prop_assert_eq!(got_titles, want_titles);
        let want_headers: Vec<String> = headers.iter().map(|h| h.trim().to_owned()).collect();
        prop_assert_eq!(reader.headers(), want_headers.as_slice());
        let want_rows: Vec<Vec<String>> = rows
            .iter()
            .filter(|r| r.iter().any(|c| !c.trim().is_empty()))
            .cloned()
            .collect();
        let got_rows: Vec<Vec<String>> = drain(&mut reader)
            .into_iter()
            .map(|r| r.expect("no row error").cells)
            .collect();
        prop_assert_eq!(got_rows, want_rows);
    }

    #[test]
    fn jsonl_round_trip(
        (headers, rows) in table(),
    ) {
        let mut unique = headers.clone();
        unique.sort_by(|a, b| a.trim().cmp(b.trim()));
        unique.dedup_by(|a, b| a.trim() == b.trim());
        prop_assume!(unique.len() == headers.len());
        let mut text = String::new();
        for row in std::iter::once(&headers).chain(rows.iter()) {
            let object: serde_json::Map<String, serde_json::Value> = headers
                .iter()
                .zip(row)
                .map(|(h, c)| (h.clone(), serde_json::Value::String(c.clone())))
                .collect();
            text.push_str(&serde_json::to_string(&object).expect("json"));
            text.push('\n');
        }
        let mut reader = Reader::new(Cursor::new(text.into_bytes()), Format::JsonLines, Limits::default())
            .expect("header");
        // serde_json's map sorts its keys, so that is the order in the file.
        let mut order: Vec<usize> = (0..headers.len()).collect();
        order.sort_by(|&a, &b| headers[a].cmp(&headers[b]));
        let want_headers: Vec<String> = order.iter().map(|&i| headers[i].trim().to_owned()).collect();
        prop_assert_eq!(reader.headers(), want_headers.as_slice());
        let got: Vec<Vec<String>> = drain(&mut reader)
            .into_iter()
            .map(|r| r.expect("no row error").cells)
            .collect();
        let want: Vec<Vec<String>> = std::iter::once(&headers)
            .chain(rows.iter())
            .map(|r| order.iter().map(|&i| r[i].clone()).collect::<Vec<String>>())
            .filter(|r| r.iter().any(|c| !c.trim().is_empty()))
            .collect();
        prop_assert_eq!(got, want);
    }
}

proptest! {
    /// A record's fields JSON is exactly what serializing a `serde_json::Map` of the same pairs
    /// gives (sorted keys, the same escapes), whatever the text: control characters, quotes,
    /// backslashes, Chinese, emoji.
    #[test]
    fn fields_json_is_serde_jsons_object(
        pairs in proptest::collection::btree_map("[A-Z_]{1,12}", any::<String>(), 0..20),
        tricky in proptest::collection::vec(prop_oneof![
            Just("\"".to_string()), Just("\\".to_string()), Just("\u{0}".to_string()),
            Just("\u{1f}".to_string()), Just("\u{7f}".to_string()), Just("\n\r\t\u{8}\u{c}".to_string()),
            Just("榕市监罚〔2026〕1号".to_string()), Just("😀".to_string()),
        ], 0..6),
    ) {
        let mut fields: Vec<(String, String)> = pairs.into_iter().collect();
        fields.push(("ZZ_TRICKY".into(), tricky.concat()));
        // The pipeline's order is the catalog's, not sorted: reverse it.
        fields.reverse();
        let mut map = serde_json::Map::new();
        for (k, v) in &fields {
            map.insert(k.clone(), serde_json::Value::String(v.clone()));
        }
        let expected = serde_json::Value::Object(map).to_string();
        prop_assert_eq!(chengxin_collect::ingest::fields_json(&fields), expected);
    }
}

proptest! {
    /// A record's fields written as an array against its batch's layout (the catalog item's
    /// codes in order) read back as the very object the object form stores, whichever of the
    /// layout's fields the row has and whatever the text; fields out of the layout's order are
    /// refused (the writer then keeps the object form).
    #[test]
    fn compact_fields_read_back_as_the_object(
        layout in proptest::collection::btree_set("[A-Z_]{1,12}", 1..25),
        present in proptest::collection::vec(any::<Option<String>>(), 25),
    ) {
        let layout: Vec<String> = layout.into_iter().collect();
        let fields: Vec<(String, String)> = layout
            .iter()
            .zip(&present)
            .filter_map(|(code, v)| v.clone().map(|v| (code.clone(), v)))
            .collect();
        let array = chengxin_store::fields_array(&layout, &fields).expect("in layout order");
        let layout_json = serde_json::to_string(&layout).expect("json");
        let back = chengxin_store::fields_object(&array, Some(&layout_json)).expect("decodes");
        let object = chengxin_collect::ingest::fields_json(&fields);
        let want = chengxin_store::fields_object(&object, None).expect("object");
        prop_assert_eq!(back, want);
        if fields.len() >= 2 {
            let mut swapped = fields.clone();
            swapped.swap(0, 1);
            prop_assert_eq!(chengxin_store::fields_array(&layout, &swapped), None);
        }
    }
}
