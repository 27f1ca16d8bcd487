mod common;

use std::io::Cursor;

use chengxin_collect::{Error, Format, Limits, Reader};
use common::{cells, read_all, read_all_with, strs};

#[test]
fn values_and_key_order_of_the_first_object() {
    let text = concat!(
        "{\"名称\": \"甲公司\", \"金额\": 1.50, \"数量\": 3, \"注销\": false, \"备注\": null, \"大\": 1e3}\n",
        "{\"数量\": -0, \"名称\": \"乙\\\"公司\\n二\", \"注销\": true}\n",
        "\n",
        "   \n",
        "{\"名称\": null, \"金额\": null}\n",
        "{\"备注\": \"\\u4e2d\"}\r\n",
    );
    let (reader, rows) = read_all(text.as_bytes(), Format::JsonLines);
    assert_eq!(
        reader.headers(),
        ["名称", "金额", "数量", "注销", "备注", "大"]
    );
    assert_eq!(reader.header_line(), 1);
    assert_eq!(reader.encoding(), None);
    assert_eq!(
        cells(&rows),
        strs(&[
            &["甲公司", "1.50", "3", "false", "", "1e3"],
            &["乙\"公司\n二", "", "-0", "true", "", ""],
            &["", "", "", "", "中", ""],
        ])
    );
    let place: Vec<(u64, u64)> = rows
        .iter()
        .map(|r| {
            let r = r.as_ref().expect("row");
            (r.number, r.line)
        })
        .collect();
    assert_eq!(place, [(1, 1), (2, 2), (3, 6)]);
    // Two whitespace lines and the all-null object.
    assert_eq!(reader.skipped_blank(), 3);
}

#[test]
fn unknown_key_is_a_row_error() {
    // Blank lines before the second object: its error names its physical line, 4.
    let text = "{\"a\": 1, \"b\": 2}\n\n  \n{\"a\": 3, \"c\": 4}\n{\"b\": 5}\n";
    let (_, rows) = read_all(text.as_bytes(), Format::JsonLines);
    assert_eq!(rows.len(), 3);
    match &rows[1] {
        Err(e @ Error::UnknownKey { row, line, key }) => {
            assert_eq!((*row, *line, key.as_str()), (2, 4, "c"));
            assert_eq!(e.line(), 4);
            assert!(!e.stops_reading());
        }
        other => panic!("expected unknown key, got {other:?}"),
    }
    let last = rows[2].as_ref().expect("reading goes on");
    assert_eq!((last.number, last.line), (3, 5));
    assert_eq!(last.cells, ["", "5"]);
}

/// Keys added after opening are columns of every row, the first object's included (with an
/// empty cell); keys already known are not added twice; CSV headers do not change.
#[test]
fn added_keys_are_columns_of_every_row() {
    let text = "{\"a\": 1}\n{\"a\": 2, \"c\": \"x\"}\n{\"b\": 3}\n";
    let mut reader = common::open(text.as_bytes(), Format::JsonLines);
    reader.add_keys(&["a", "c", " ", "d"]);
    assert_eq!(reader.headers(), ["a", "c", "d"]);
    let rows = common::drain(&mut reader);
    assert_eq!(cells(&rows[..2]), [["1", "", ""], ["2", "x", ""]]);
    assert!(matches!(&rows[2], Err(Error::UnknownKey { key, .. }) if key == "b"));
    // Aliases name an existing column; a key and its alias in one object are one key twice.
    let text = "{\"a\": 1}\n{\"甲\": 2}\n{\"a\": 3, \"甲\": 4}\n";
    let mut reader = common::open(text.as_bytes(), Format::JsonLines);
    reader.alias_keys("a", &["甲", "a"]);
    reader.alias_keys("missing", &["乙"]);
    assert_eq!(reader.headers(), ["a"]);
    let rows = common::drain(&mut reader);
    assert_eq!(cells(&rows[..2]), [["1"], ["2"]]);
    assert!(
        matches!(&rows[2], Err(Error::Malformed { .. })),
        "{:?}",
        rows[2]
    );
    let mut csv = common::open(b"a,b\n1,2\n", Format::Csv);
    csv.add_keys(&["c"]);
    assert_eq!(csv.headers(), ["a", "b"]);
}

#[test]
fn nested_value_names_row_and_key() {
    let text = "{\"a\": 1, \"b\": 2}\n{\"a\": [1, 2]}\n{\"b\": {\"x\": 1}}\n";
    let (_, rows) = read_all(text.as_bytes(), Format::JsonLines);
    for (i, (line, key, kind)) in [(2, "a", "array"), (3, "b", "object")]
        .into_iter()
        .enumerate()
    {
        match &rows[i + 1] {
            Err(
                e @ Error::NestedValue {
                    line: l, column, ..
                },
            ) => {
                let detail = e.to_string();
                assert_eq!(*l, line);
                assert_eq!(*column, i + 1, "the key's column");
                assert_eq!(e.code(), "malformed");
                assert!(detail.contains(&format!("data row {}", i + 2)), "{detail}");
                assert!(detail.contains(&format!("{key:?}")), "{detail}");
                assert!(detail.contains(kind), "{detail}");
                let zh = e.message_zh();
                assert!(zh.contains(&format!("键「{key}」的值是嵌套的")), "{zh}");
            }
            other => panic!("expected a nested value refused, got {other:?}"),
        }
    }
}

#[test]
fn nested_value_in_the_first_object_still_gives_headers() {
    let text = "{\"a\": {\"x\": 1}, \"b\": 2}\n{\"a\": \"ok\", \"b\": 3}\n";
    let (reader, rows) = read_all(text.as_bytes(), Format::JsonLines);
    assert_eq!(reader.headers(), ["a", "b"]);
    assert!(matches!(&rows[0], Err(Error::NestedValue { line: 1, .. })));
    assert_eq!(cells(&rows[1..]), strs(&[&["ok", "3"]]));
}

#[test]
fn cut_off_last_line_is_truncated_and_bad_middle_line_is_malformed() {
    let text = "{\"a\": 1}\n{\"a\": 2,,}\n{\"a\": 3}\n{\"a\": \"被截";
    let (_, rows) = read_all(text.as_bytes(), Format::JsonLines);
    assert_eq!(rows.len(), 4);
    assert!(
        matches!(&rows[1], Err(Error::Malformed { line: 2, .. })),
        "{rows:?}"
    );
    assert_eq!(cells(&rows[2..3]), strs(&[&["3"]]));
    match &rows[3] {
        Err(e @ Error::Truncated { line, .. }) => {
            assert_eq!(*line, 4);
            assert!(e.stops_reading());
        }
        other => panic!("expected truncated, got {other:?}"),
    }

    // The same object on a line that does end is malformed, not truncated.
    let (_, rows) = read_all(b"{\"a\": 1}\n{\"a\": 2\n", Format::JsonLines);
    assert!(matches!(&rows[1], Err(Error::Malformed { line: 2, .. })));

    // A complete last line without a newline is fine.
    let (_, rows) = read_all(b"{\"a\": 1}\n{\"a\": 2}", Format::JsonLines);
    assert_eq!(cells(&rows), strs(&[&["1"], &["2"]]));
}

#[test]
fn not_an_object() {
    let result = Reader::new(
        Cursor::new(b"[{\"a\": 1}, {\"a\": 2}]\n".to_vec()),
        Format::JsonLines,
        Limits::default(),
    );
    match result {
        Err(Error::Malformed { line: 1, detail }) => {
            assert!(detail.contains("JSON Lines"), "{detail}");
        }
        other => panic!("expected malformed, got {other:?}"),
    }
    let (_, rows) = read_all(b"{\"a\": 1}\n42\n\"x\"\n", Format::JsonLines);
    assert!(matches!(&rows[1], Err(Error::Malformed { line: 2, .. })));
    assert!(matches!(&rows[2], Err(Error::Malformed { line: 3, .. })));
}

#[test]
fn header_problems() {
    for text in [&b""[..], b"\n  \n", b"{}\n{\"a\": 1}\n"] {
        let result = Reader::new(
            Cursor::new(text.to_vec()),
            Format::JsonLines,
            Limits::default(),
        );
        assert!(
            matches!(result, Err(Error::NoHeader)),
            "{text:?}: {result:?}"
        );
    }
    let result = Reader::new(
        Cursor::new(b"{\"a\": 1, \"a\": 2}\n".to_vec()),
        Format::JsonLines,
        Limits::default(),
    );
    assert!(matches!(result, Err(Error::Malformed { line: 1, .. })));
    let result = Reader::new(
        Cursor::new(b"{\"a\": 1".to_vec()),
        Format::JsonLines,
        Limits::default(),
    );
    assert!(matches!(result, Err(Error::Truncated { line: 1, .. })));
}

#[test]
fn bom_and_invalid_utf8() {
    let mut bytes = b"\xEF\xBB\xBF{\"a\": 1}\n".to_vec();
    bytes.extend_from_slice(b"{\"a\": \"\xC4\xE3\"}\n");
    let (reader, rows) = read_all(&bytes, Format::JsonLines);
    assert_eq!(reader.headers(), ["a"]);
    assert_eq!(rows.len(), 2);
    match &rows[1] {
        Err(Error::Encoding {
            encoding,
            byte_offset,
            line,
        }) => assert_eq!((*encoding, *byte_offset, *line), ("UTF-8", 19, 2)),
        other => panic!("expected an encoding error, got {other:?}"),
    }
}

#[test]
fn limits() {
    let text = format!(
        "{{\"a\": 1, \"b\": 2}}\n{{\"a\": \"{}\"}}\n{{\"b\": 3}}\n",
        "x".repeat(50)
    );
    let small = Limits {
        max_cell_bytes: 10,
        ..Limits::default()
    };
    let (_, rows) = read_all_with(text.as_bytes(), Format::JsonLines, small);
    assert!(matches!(
        &rows[1],
        Err(Error::CellTooLarge {
            line: 2,
            column: 1,
            bytes: 50,
            limit: 10
        })
    ));
    assert_eq!(cells(&rows[2..]), strs(&[&["", "3"]]));

    let short_lines = Limits {
        max_record_bytes: 30,
        ..Limits::default()
    };
    let (_, rows) = read_all_with(text.as_bytes(), Format::JsonLines, short_lines);
    assert!(matches!(
        &rows[1],
        Err(Error::RecordTooLarge { line: 2, .. })
    ));
    assert_eq!(cells(&rows[2..]), strs(&[&["", "3"]]));
}
