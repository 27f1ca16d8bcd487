mod common;

use std::io::Cursor;
use std::path::Path;

use chengxin_collect::{Encoding, Error, Format, Limits, Misfiled, Reader};
use common::{Trickle, cells, drain, read_all, read_all_with, strs, temp_path, titles};

const TEXT: &str = "行政相对人名称,统一社会信用代码,许可内容,决定日期\n\
    深圳市腾讯计算机系统有限公司,91440300708461136T,\"食品经营许可，含\"\"网络销售\"\"\",2024-03-15\n\
    小米科技有限责任公司,91110108551385082Q,\"第一行\n第二行\",2024-04-01\n\
    个体户张三,,零售,2024-05-20\n";

fn expected_rows() -> Vec<Vec<String>> {
    strs(&[
        &[
            "深圳市腾讯计算机系统有限公司",
            "91440300708461136T",
            "食品经营许可，含\"网络销售\"",
            "2024-03-15",
        ],
        &[
            "小米科技有限责任公司",
            "91110108551385082Q",
            "第一行\n第二行",
            "2024-04-01",
        ],
        &["个体户张三", "", "零售", "2024-05-20"],
    ])
}

fn expected_headers() -> Vec<String> {
    ["行政相对人名称", "统一社会信用代码", "许可内容", "决定日期"]
        .map(str::to_owned)
        .to_vec()
}

#[test]
fn utf8_with_and_without_bom_and_gb18030_read_the_same() {
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend_from_slice(TEXT.as_bytes());
    let (gb, _, unmappable) = encoding_rs::GB18030.encode(TEXT);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&gb).is_err());

    for (bytes, encoding) in [
        (TEXT.as_bytes().to_vec(), Encoding::Utf8),
        (with_bom, Encoding::Utf8),
        (gb.into_owned(), Encoding::Gb18030),
    ] {
        let (reader, rows) = read_all(&bytes, Format::Csv);
        assert_eq!(reader.encoding(), Some(encoding));
        assert_eq!(reader.headers(), expected_headers().as_slice());
        assert_eq!(cells(&rows), expected_rows());
        let lines: Vec<u64> = rows.iter().map(|r| r.as_ref().expect("row").line).collect();
        assert_eq!(lines, [2, 3, 5]);
        let numbers: Vec<u64> = rows
            .iter()
            .map(|r| r.as_ref().expect("row").number)
            .collect();
        assert_eq!(numbers, [1, 2, 3]);
    }
}

#[test]
fn gbk_file_is_read_as_gb18030() {
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(TEXT);
    assert!(!unmappable);
    let (reader, rows) = read_all(&gbk, Format::Csv);
    assert_eq!(reader.encoding(), Some(Encoding::Gb18030));
    assert_eq!(reader.headers(), expected_headers().as_slice());
    assert_eq!(cells(&rows), expected_rows());
}

#[test]
fn gb18030_read_through_tiny_chunks() {
    let (gb, _, _) = encoding_rs::GB18030.encode(TEXT);
    for step in [1, 2, 3, 5, 7] {
        let input = Trickle {
            data: Cursor::new(gb.to_vec()),
            step,
        };
        let mut reader = Reader::new(input, Format::Csv, Limits::default()).expect("header");
        assert_eq!(reader.encoding(), Some(Encoding::Gb18030));
        assert_eq!(cells(&drain(&mut reader)), expected_rows(), "step {step}");
    }
}

/// A file whose first 64 KiB are plain ASCII (field-code headers, codes and numbers) and whose
/// Chinese comes later is read in the encoding that Chinese is written in, in any chunking.
#[test]
fn an_ascii_start_then_gb18030_or_utf8_reads_right() {
    let mut text = String::from("CF_WSH,CF_NR_FK\n");
    let mut n = 0;
    while text.len() < 100 * 1024 {
        text.push_str(&format!("DOC-{n},{n}.5\n"));
        n += 1;
    }
    text.push_str("榕市监罚〔2026〕1号,某某有限公司罚款\n");
    let (gb, _, unmappable) = encoding_rs::GB18030.encode(&text);
    assert!(!unmappable);
    for (bytes, encoding) in [
        (gb.to_vec(), Encoding::Gb18030),
        (text.clone().into_bytes(), Encoding::Utf8),
    ] {
        for step in [usize::MAX, 4096, 7] {
            let input = Trickle {
                data: Cursor::new(bytes.clone()),
                step,
            };
            let mut reader = Reader::new(input, Format::Csv, Limits::default()).expect("header");
            let rows = cells(&drain(&mut reader));
            assert_eq!(rows.len(), n + 1, "{encoding:?} step {step}");
            assert_eq!(
                rows[n],
                ["榕市监罚〔2026〕1号", "某某有限公司罚款"],
                "step {step}"
            );
            assert_eq!(reader.encoding(), Some(encoding), "step {step}");
        }
    }
}

#[test]
fn stray_byte_after_100_kb_of_utf8_names_line_and_offset() {
    let mut text = String::from("名称,代码\n");
    let mut line = 1;
    while text.len() < 100 * 1024 {
        text.push_str("某某市某某区某某有限公司,91440300708461136T\n");
        line += 1;
    }
    let good_rows = line - 1;
    let mut bytes = text.into_bytes();
    let bad_line = line + 1;
    bytes.extend_from_slice("坏公司".as_bytes());
    let offset = bytes.len() as u64;
    bytes.extend_from_slice(b"\xFF,123\n");
    bytes.extend_from_slice("好公司,456\n".as_bytes());

    let (reader, rows) = read_all(&bytes, Format::Csv);
    assert_eq!(reader.encoding(), Some(Encoding::Utf8));
    assert_eq!(rows.len(), good_rows + 1);
    assert!(rows[..good_rows].iter().all(Result::is_ok));
    match &rows[good_rows] {
        Err(Error::Encoding {
            encoding,
            byte_offset,
            line,
        }) => {
            assert_eq!(*encoding, "UTF-8");
            assert_eq!(*byte_offset, offset);
            assert_eq!(*line, bad_line as u64);
            let message = rows[good_rows].as_ref().expect_err("error").to_string();
            assert!(message.contains(&format!("line {bad_line}")), "{message}");
        }
        other => panic!("expected an encoding error, got {other:?}"),
    }
}

#[test]
fn character_cut_at_the_end_of_the_64_kib_sample_is_still_utf8() {
    let mut text = String::from("名称,备注\n");
    let filler = 65_535 - 1 - text.len();
    text.push_str(&"x".repeat(filler));
    text.push_str(",证书\n");
    // "证" (3 bytes) starts at byte 65,535, across the end of the sample.
    assert_eq!(text.find('证'), Some(65_535));
    text.push_str("甲,乙\n");
    let (reader, rows) = read_all(text.as_bytes(), Format::Csv);
    assert_eq!(reader.encoding(), Some(Encoding::Utf8));
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].as_ref().expect("row").cells[1], "证书");
    assert_eq!(rows[1].as_ref().expect("row").cells, ["甲", "乙"]);
}

/// A small UTF-8 file (all of it inside the 64 KiB sample) with one damaged byte on its last
/// line: reported as invalid UTF-8 at that line, not as GB18030 failing on line 1.
#[test]
fn a_small_utf8_file_with_one_bad_byte_is_reported_at_that_line() {
    let mut bytes = "行政相对人名称,处罚决定日期\n".as_bytes().to_vec();
    for i in 0..19 {
        bytes.extend_from_slice(format!("福州第{i}贸易有限公司,2026-11-02\n").as_bytes());
    }
    bytes.extend_from_slice(b"\x80\x81,2026-11-02\n");
    let (reader, rows) = read_all(&bytes, Format::Csv);
    assert_eq!(reader.encoding(), Some(Encoding::Utf8));
    assert_eq!(rows.len(), 20);
    match &rows[19] {
        Err(Error::Encoding { encoding, line, .. }) => {
            assert_eq!((*encoding, *line), ("UTF-8", 21))
        }
        other => panic!("expected an encoding error, got {other:?}"),
    }
}

/// A UTF-8 file with one row pasted in from a GBK file: GB18030 reads the whole sample without
/// error (as nonsense), but the file is UTF-8 with a damaged line, and that line is named; it
/// used to be refused whole as probably Big5, without a line (found by a QA pass).
#[test]
fn a_utf8_file_with_one_gbk_line_is_reported_at_that_line() {
    let mut bytes = "行政相对人名称,处罚决定日期\n".as_bytes().to_vec();
    for i in 0..5 {
        bytes.extend_from_slice(format!("福州第{i}贸易有限公司,2026-11-02\n").as_bytes());
    }
    let (gbk, _, _) = encoding_rs::GBK.encode("厦门市某某商贸有限公司,2026-11-03\n");
    bytes.extend_from_slice(&gbk);
    bytes.extend_from_slice("泉州第九贸易有限公司,2026-11-04\n".as_bytes());
    let (reader, rows) = read_all(&bytes, Format::Csv);
    assert_eq!(reader.encoding(), Some(Encoding::Utf8));
    assert_eq!(rows.len(), 6);
    match &rows[5] {
        Err(e @ Error::Encoding { encoding, line, .. }) => {
            assert_eq!((*encoding, *line), ("UTF-8", 7));
            assert!(e.message_zh().contains("第 7 行"), "{}", e.message_zh());
        }
        other => panic!("expected an encoding error at line 7, got {other:?}"),
    }
    // A GBK file stays GBK (its text is no run of UTF-8 characters).
    let (gbk, _, _) = encoding_rs::GBK.encode(TEXT);
    let (reader, _) = read_all(&gbk, Format::Csv);
    assert_eq!(reader.encoding(), Some(Encoding::Gb18030));
}

#[test]
fn bytes_invalid_in_both_encodings() {
    let bytes = b"a,b\n1,2\n3,\xFF\xFF\n";
    let (reader, rows) = read_all(bytes, Format::Csv);
    assert_eq!(reader.encoding(), Some(Encoding::Gb18030));
    assert_eq!(cells(&rows[..1]), strs(&[&["1", "2"]]));
    match &rows[1] {
        Err(Error::Encoding {
            encoding,
            byte_offset,
            line,
        }) => {
            assert_eq!((*encoding, *byte_offset, *line), ("GB18030", 10, 3));
        }
        other => panic!("expected an encoding error, got {other:?}"),
    }
    assert_eq!(rows.len(), 2, "an encoding error ends the reading");
}

#[test]
fn encoding_error_inside_a_multiline_quoted_cell_names_its_physical_line() {
    let bytes = b"a,b\n\"x\ny\nz\xFF\",1\n";
    let (_, rows) = read_all(bytes, Format::Csv);
    match &rows[0] {
        Err(Error::Encoding { line, .. }) => assert_eq!(*line, 4),
        other => panic!("expected an encoding error, got {other:?}"),
    }
}

#[test]
fn file_cut_inside_a_quoted_field_is_truncated() {
    let bytes = "名称,说明\n甲,\"完整\"\n乙,\"说明被截".as_bytes();
    let (_, rows) = read_all(bytes, Format::Csv);
    assert_eq!(cells(&rows[..1]), strs(&[&["甲", "完整"]]));
    match &rows[1] {
        Err(Error::Truncated { line, detail, .. }) => {
            assert_eq!(*line, 3);
            assert!(detail.contains("quoted"), "{detail}");
        }
        other => panic!("expected truncated, got {other:?}"),
    }
    assert_eq!(rows.len(), 2);
}

#[test]
fn unclosed_quote_spanning_lines_is_truncated_at_its_record() {
    let bytes = b"a,b\n1,\"open\n2,3\n4,5\n";
    let (_, rows) = read_all(bytes, Format::Csv);
    assert!(
        matches!(&rows[..], [Err(Error::Truncated { line: 2, .. })]),
        "{rows:?}"
    );
}

#[test]
fn last_record_cut_short_without_newline_is_truncated() {
    let (_, rows) = read_all(b"a,b,c\n1,2,3\n4,5", Format::Csv);
    assert_eq!(cells(&rows[..1]), strs(&[&["1", "2", "3"]]));
    assert!(
        matches!(&rows[1], Err(Error::Truncated { line: 3, detail, detail_zh }) if detail.contains("2 of 3") && detail_zh.contains("只有 2 个单元格（表头有 3 列）")),
        "{rows:?}"
    );

    // A complete last record without a newline is fine.
    let (_, rows) = read_all(b"a,b,c\n1,2,3\n4,5,6", Format::Csv);
    assert_eq!(cells(&rows), strs(&[&["1", "2", "3"], &["4", "5", "6"]]));

    // So is a short record that is not the last one: its missing cells are empty.
    let (_, rows) = read_all(b"a,b,c\n1\n4,5,6\n7,8\n", Format::Csv);
    assert_eq!(
        cells(&rows),
        strs(&[&["1", "", ""], &["4", "5", "6"], &["7", "8", ""]])
    );
}

#[test]
fn more_cells_than_headers_is_malformed_and_reading_goes_on() {
    let (_, rows) = read_all(b"a,b\n1,2\n3,4,5,6\n7,8\n", Format::Csv);
    match &rows[1] {
        Err(e @ Error::Malformed { line, detail }) => {
            assert_eq!(*line, 3);
            assert!(detail.contains("4 cells"), "{detail}");
            assert!(detail.contains("2 columns"), "{detail}");
            assert!(!e.stops_reading());
        }
        other => panic!("expected malformed, got {other:?}"),
    }
    assert_eq!(rows.len(), 3);
    let last = rows[2].as_ref().expect("the next row is read");
    assert_eq!(last.cells, ["7", "8"]);
    assert_eq!((last.number, last.line), (3, 4));

    // Trailing empty cells (Excel's used range) are not an error.
    let (_, rows) = read_all(b"a,b\n1,2,,\n", Format::Csv);
    assert_eq!(cells(&rows), strs(&[&["1", "2"]]));
}

#[test]
fn embedded_newlines_keep_physical_line_numbers() {
    let bytes = b"a,b\r\n\"x\r\ny\",1\r\n\"p\nq\nr\",2\r\n\r\nlast,3\r\n";
    let (_, rows) = read_all(bytes, Format::Csv);
    let got: Vec<(u64, u64, Vec<String>)> = rows
        .into_iter()
        .map(|r| {
            let r = r.expect("row");
            (r.number, r.line, r.cells)
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (1, 2, vec!["x\r\ny".to_owned(), "1".to_owned()]),
            (2, 4, vec!["p\nq\nr".to_owned(), "2".to_owned()]),
            (3, 8, vec!["last".to_owned(), "3".to_owned()]),
        ]
    );
}

#[test]
fn blank_rows_are_skipped_and_counted() {
    let bytes = b"\n a , b \n\n1,2\n,\n\r\n , \n3,4\n";
    let (reader, rows) = read_all(bytes, Format::Csv);
    assert_eq!(reader.headers(), ["a", "b"]);
    assert_eq!(reader.header_line(), 2);
    let got: Vec<(u64, u64)> = rows
        .iter()
        .map(|r| {
            let r = r.as_ref().expect("row");
            (r.number, r.line)
        })
        .collect();
    // " , " is blank too: a row of spaces carries nothing, and refusing it for every required
    // field would only puzzle its sender.
    assert_eq!(got, [(1, 4), (2, 8)]);
    // The empty line before the header, the empty lines 3 and 6, "," and " , ".
    assert_eq!(reader.skipped_blank(), 5);
}

/// With `title_rows`, one-cell rows above the header are titles, kept with their lines; without
/// it (the default) the first non-blank row is the header, one cell or not.
#[test]
fn title_rows_above_the_header() {
    let bytes =
        "行政许可信息公示表,,\n\n填报单位：某局\n名称,代码,备注\n甲公司,123,无\n".as_bytes();
    let limits = Limits {
        title_rows: 3,
        ..Limits::default()
    };
    let (reader, rows) = read_all_with(bytes, Format::Csv, limits);
    assert_eq!(reader.headers(), ["名称", "代码", "备注"]);
    assert_eq!(reader.header_line(), 4);
    assert_eq!(
        titles(&reader),
        [(1, "行政许可信息公示表"), (3, "填报单位：某局")]
    );
    assert_eq!(cells(&rows), strs(&[&["甲公司", "123", "无"]]));
    assert_eq!(rows[0].as_ref().map(|r| r.line).ok(), Some(5));

    // A tab-separated file under a title line with neither commas nor tabs stays tab-separated.
    let tsv = "许可公示\n名称\t代码\n甲公司\t123\n".as_bytes();
    let (reader, rows) = read_all_with(tsv, Format::Csv, limits);
    assert_eq!(reader.headers(), ["名称", "代码"]);
    assert_eq!(cells(&rows), strs(&[&["甲公司", "123"]]));

    // Only so many: the row after the last title allowed is the header whatever it holds.
    let many = b"a\nb\nc\nd\nx,y\n";
    let (reader, _) = read_all_with(many, Format::Csv, limits);
    assert_eq!(reader.headers(), ["d"]);
    assert_eq!(reader.titles().len(), 3);

    // By default a one-cell first row is the header.
    let (reader, rows) = read_all(b"name\nalpha\nbeta\n", Format::Csv);
    assert_eq!(reader.headers(), ["name"]);
    assert!(reader.titles().is_empty());
    assert_eq!(cells(&rows), strs(&[&["alpha"], &["beta"]]));
}

/// A Big5 (Traditional Chinese) file is valid GB18030 but reads as nonsense: it is refused,
/// saying so, at the start or after an ASCII start; Traditional text saved as GBK is read.
#[test]
fn big5_is_refused_not_read_as_gb18030() {
    let text = "行政相對人名稱,統一社會信用代碼,行政處罰決定書文號,違法事實\n\
                臺北市測試企業有限公司,91350100M000100Y43,北市罰〔2026〕1號,發布虛假廣告\n\
                臺中市測試貿易有限公司,91350100M000100Y43,北市罰〔2026〕2號,未經許可經營\n";
    let (big5, _, unmappable) = encoding_rs::BIG5.encode(text);
    assert!(!unmappable);
    match Reader::new(Cursor::new(big5.to_vec()), Format::Csv, Limits::default()) {
        Err(e @ Error::NotGb18030 { .. }) => {
            assert_eq!(e.code(), "encoding");
            assert!(e.to_string().contains("Big5"), "{e}");
            let zh = e.message_zh();
            assert!(
                zh.contains("Big5（繁体中文）") && zh.contains("另存为 UTF-8"),
                "{zh}"
            );
        }
        Err(e) => panic!("refused for another reason: {e}"),
        Ok(r) => panic!("read as {:?}: {:?}", r.encoding(), r.headers()),
    }
    // After 70 KB of ASCII, the first Big5 bytes stop the reading with the same error.
    let mut late = b"a,b\n".to_vec();
    while late.len() < 70_000 {
        late.extend_from_slice(b"x,y\n");
    }
    late.extend_from_slice(&big5);
    let (_, rows) = read_all(&late, Format::Csv);
    assert!(
        rows.iter()
            .any(|r| matches!(r, Err(Error::NotGb18030 { .. }))),
        "the Big5 part is refused"
    );
    // A one-row Big5 file is refused too.
    for row in [
        "CF_XDR_MC,CF_WSH,CF_CFJG\n中華電信股份有限公司,TP-2026-201,臺北市政府\n",
        "CF_XDR_MC,CF_WSH,CF_CFJG\n大同公司,TP-1,臺北市政府\n",
        // From a QA pass: a third of it reads as usual GB2312 hanzi (龟, 沮, 初, 菏, 服, 恨…).
        "CF_XDR_MC,CF_XDR_SHXYM,CF_WSH,CF_SY,CF_YJ,CF_CFLB,CF_NR,CF_JDRQ,CF_CFJG\n甲公司,91511802F3PBUMG95K,BIG5-1,事實,依據,罰款,內容,2026-11-20,市市場監督管理局\n",
    ] {
        let (b, _, _) = encoding_rs::BIG5.encode(row);
        assert!(
            matches!(
                Reader::new(Cursor::new(b.to_vec()), Format::Csv, Limits::default()),
                Err(Error::NotGb18030 { .. })
            ),
            "{row}"
        );
    }
    // A mainland row naming a company in Traditional characters is GBK, and is read.
    let mainland =
        "名称,文号,机关\n臺灣積體電路製造股份有限公司,榕市监罚〔2026〕1号,福州市市场监督管理局\n";
    let (gbk_row, _, _) = encoding_rs::GBK.encode(mainland);
    let (_, rows) = read_all(&gbk_row, Format::Csv);
    assert_eq!(cells(&rows)[0][0], "臺灣積體電路製造股份有限公司");
    // The same Traditional text saved as GBK is GBK, and is read as written.
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    let (reader, rows) = read_all(&gbk, Format::Csv);
    assert_eq!(reader.encoding(), Some(Encoding::Gb18030));
    assert_eq!(reader.headers()[0], "行政相對人名稱");
    assert_eq!(cells(&rows)[1][0], "臺中市測試貿易有限公司");
}

#[test]
fn tab_separated_file() {
    let bytes = "名称\t代码\t备注\n甲公司\t123\t含,逗号\n乙公司\t456\t\"引号\t内\"\n".as_bytes();
    let (reader, rows) = read_all(bytes, Format::Csv);
    assert_eq!(reader.headers(), ["名称", "代码", "备注"]);
    assert_eq!(
        cells(&rows),
        strs(&[
            &["甲公司", "123", "含,逗号"],
            &["乙公司", "456", "引号\t内"]
        ])
    );

    // A header with both tabs and commas stays comma-separated.
    let (reader, _) = read_all(b"a\tb,c\n1,2\n", Format::Csv);
    assert_eq!(reader.headers(), ["a\tb", "c"]);
}

#[test]
fn excel_unicode_text_utf16le_with_bom() {
    let text = "名称\t代码\r\n甲公司\t123\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    let (reader, rows) = read_all(&bytes, Format::Csv);
    assert_eq!(reader.encoding(), Some(Encoding::Utf16Le));
    assert_eq!(reader.headers(), ["名称", "代码"]);
    assert_eq!(cells(&rows), strs(&[&["甲公司", "123"]]));
}

#[test]
fn ten_megabyte_cell_is_read_with_default_limits() {
    let big = "证".repeat(10 * 1024 * 1024 / 3 + 1);
    let text = format!("a,b,c\n1,\"{big}\",3\nx,y,z\n");
    let (_, rows) = read_all(text.as_bytes(), Format::Csv);
    assert_eq!(rows.len(), 2);
    let row = rows[0].as_ref().expect("the big row is read");
    assert_eq!(row.cells[1].len(), big.len());
    assert!(row.cells[1] == big);
}

#[test]
fn cell_over_the_limit_names_line_and_column_and_reading_goes_on() {
    let big = "x".repeat(5000);
    let text = format!("a,b,c\n1,2,3\n4,\"{big}\",6\n7,8,9\n");
    let limits = Limits {
        max_cell_bytes: 1000,
        ..Limits::default()
    };
    let (_, rows) = read_all_with(text.as_bytes(), Format::Csv, limits);
    assert_eq!(rows.len(), 3);
    match &rows[1] {
        Err(
            e @ Error::CellTooLarge {
                line,
                column,
                bytes,
                limit,
            },
        ) => {
            assert_eq!((*line, *column, *bytes, *limit), (3, 2, 5000, 1000));
            assert!(e.to_string().contains("line 3, column 2"), "{e}");
            // The sender reads the same place in Chinese.
            let zh = e.message_zh();
            assert!(zh.contains("第 3 行第 2 列"), "{zh}");
            assert!(zh.contains("5000 字节") && zh.contains("1000 字节"), "{zh}");
        }
        other => panic!("expected cell too large, got {other:?}"),
    }
    assert_eq!(cells(&rows[2..]), strs(&[&["7", "8", "9"]]));
}

#[test]
fn record_over_the_limit_is_an_error() {
    let text = format!("a,b,c\n{0},{0},{0}\n1,2,3\n", "y".repeat(400));
    let limits = Limits {
        max_record_bytes: 1000,
        ..Limits::default()
    };
    let (_, rows) = read_all_with(text.as_bytes(), Format::Csv, limits);
    assert!(
        matches!(&rows[0], Err(Error::RecordTooLarge { line: 2, .. })),
        "{rows:?}"
    );
    assert_eq!(cells(&rows[1..]), strs(&[&["1", "2", "3"]]));
}

#[test]
fn header_problems() {
    for bytes in [&b""[..], b"\n\n\r\n", b",,\n,\n"] {
        assert!(
            matches!(
                Reader::new(Cursor::new(bytes.to_vec()), Format::Csv, Limits::default()),
                Err(Error::NoHeader)
            ),
            "{bytes:?}"
        );
    }
    let wide = (0..600)
        .map(|i| format!("c{i}"))
        .collect::<Vec<_>>()
        .join(",");
    match Reader::new(
        Cursor::new(wide.into_bytes()),
        Format::Csv,
        Limits::default(),
    ) {
        Err(Error::TooManyColumns { count, limit }) => assert_eq!((count, limit), (600, 512)),
        other => panic!("expected too many columns, got {other:?}"),
    }
    // Header only, no newline: no rows.
    let (reader, rows) = read_all("\u{feff} 名称 ,代码,,".as_bytes(), Format::Csv);
    assert_eq!(reader.headers(), ["名称", "代码"]);
    assert!(rows.is_empty());
}

#[test]
fn lenient_quotes_outside_rfc_4180() {
    // A quote inside an unquoted field is a character; text after a closing
    // quote is kept.
    let (_, rows) = read_all(b"a,b\n5\" pipe,\"x\"y\n", Format::Csv);
    assert_eq!(cells(&rows), strs(&[&["5\" pipe", "xy"]]));
}

#[test]
fn old_mac_line_breaks() {
    let (_, rows) = read_all(b"a,b\r1,2\r3,4\r", Format::Csv);
    assert_eq!(cells(&rows), strs(&[&["1", "2"], &["3", "4"]]));
}

#[test]
fn zip_or_xls_uploaded_as_csv() {
    for (bytes, what, zh) in [
        (
            &b"PK\x03\x04rest"[..],
            Misfiled::ZipAsText,
            "请以 .xlsx 格式报送",
        ),
        (
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest",
            Misfiled::LegacyXls,
            "旧版 Excel 97-2003 工作簿（.xls）",
        ),
    ] {
        match Reader::new(Cursor::new(bytes.to_vec()), Format::Csv, Limits::default()) {
            Err(e @ Error::WrongFormat(found)) => {
                assert_eq!(found, what);
                assert!(e.message_zh().contains(zh), "{}", e.message_zh());
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn xlsx_needs_a_file() {
    let result = Reader::new(Cursor::new(Vec::new()), Format::Xlsx, Limits::default());
    assert!(matches!(result, Err(Error::NeedsFile)));
}

#[test]
fn formats_from_names() {
    assert_eq!(
        Format::from_path(Path::new("x/决定.CSV")),
        Some(Format::Csv)
    );
    assert_eq!(Format::from_path(Path::new("a.txt")), Some(Format::Csv));
    assert_eq!(Format::from_path(Path::new("a.xlsx")), Some(Format::Xlsx));
    assert_eq!(
        Format::from_path(Path::new("a.jsonl")),
        Some(Format::JsonLines)
    );
    assert_eq!(
        Format::from_path(Path::new("a.ndjson")),
        Some(Format::JsonLines)
    );
    assert_eq!(
        Format::from_path(Path::new("a.json")),
        Some(Format::JsonLines)
    );
    // Read as a workbook, to be told by its signature that it is a legacy one.
    assert_eq!(Format::from_path(Path::new("a.xls")), Some(Format::Xlsx));
    assert_eq!(Format::from_path(Path::new("noext")), None);
    assert_eq!("csv".parse::<Format>().ok(), Some(Format::Csv));
    assert_eq!("XLSX".parse::<Format>().ok(), Some(Format::Xlsx));
    assert_eq!("jsonl".parse::<Format>().ok(), Some(Format::JsonLines));
    assert!("xls".parse::<Format>().is_err());
}

#[test]
fn open_path_reports_progress_and_size() {
    let path = temp_path("progress.csv");
    let mut text = String::from("a,b\n");
    for i in 0..50_000 {
        text.push_str(&format!("{i},值{i}\n"));
    }
    std::fs::write(&path, &text).expect("write");
    let mut reader = Reader::open_path(&path, None, Limits::default()).expect("open");
    assert_eq!(reader.format(), Format::Csv);
    assert_eq!(reader.total_bytes(), Some(text.len() as u64));
    let first = reader.next_row().expect("a row").expect("ok");
    assert_eq!(first.cells, ["0", "值0"]);
    assert!(reader.bytes_read() < text.len() as u64);
    let rest = drain(&mut reader);
    assert_eq!(rest.len(), 49_999);
    assert_eq!(reader.bytes_read(), text.len() as u64);
    std::fs::remove_file(&path).expect("remove");

    let missing = Reader::open_path(Path::new("/nonexistent/x.csv"), None, Limits::default());
    assert!(matches!(missing, Err(Error::Io(_))));
    let unknown = Reader::open_path(Path::new("x.doc"), None, Limits::default());
    assert!(matches!(unknown, Err(Error::UnknownFormat(_))));
}

#[test]
fn read_row_reuses_the_row() {
    let mut reader = Reader::new(
        Cursor::new(b"a,b,c\n1,2,3\n4\n\n5,6,7\n".to_vec()),
        Format::Csv,
        Limits::default(),
    )
    .expect("header");
    let mut row = chengxin_collect::Row::default();
    let mut seen = Vec::new();
    while reader.read_row(&mut row).expect("no error") {
        seen.push((row.number, row.line, row.cells.clone()));
    }
    assert_eq!(
        seen,
        vec![
            (1, 2, strs(&[&["1", "2", "3"]]).remove(0)),
            (2, 3, strs(&[&["4", "", ""]]).remove(0)),
            (3, 5, strs(&[&["5", "6", "7"]]).remove(0)),
        ]
    );
    assert!(!reader.read_row(&mut row).expect("still the end"));
}

#[test]
fn reader_is_send() {
    fn assert_send<T: Send>() {}
    assert_send::<Reader>();
    assert_send::<Error>();
}

/// A file that ends inside a character was cut short, and says so (not "save it as UTF-8").
#[test]
fn a_file_cut_inside_a_character_is_truncated_not_wrongly_encoded() {
    let whole = "名称,说明\n甲公司,完整的一行\n乙公司,被截断的说明\n".as_bytes();
    // Cut one byte into the last 明 (three bytes in UTF-8), with some rows of ASCII first so the
    // cut is not in the sniffed head only.
    for prefix in [&b""[..], &b"x,y\n".repeat(20_000)[..]] {
        let mut bytes = prefix.to_vec();
        if !prefix.is_empty() {
            bytes.splice(0..0, "名称,说明\n".as_bytes().iter().copied());
        }
        let start = bytes.len();
        bytes.extend_from_slice(whole);
        let cut = start + whole.len() - "明\n".len() + 1;
        let (_, rows) = read_all(&bytes[..cut], Format::Csv);
        match rows.last() {
            Some(Err(Error::Truncated { detail, .. })) => {
                assert!(detail.contains("middle of a character"), "{detail}");
            }
            other => panic!("expected truncated, got {other:?}"),
        }
    }
    // The same in GB18030 (two bytes a character): cut after the first byte of the last one.
    let (gbk, _, _) =
        encoding_rs::GB18030.encode("名称,说明\n甲公司,完整的一行\n乙公司,被截断的说明\n");
    let (_, rows) = read_all(&gbk[..gbk.len() - 2], Format::Csv);
    assert!(
        matches!(rows.last(), Some(Err(Error::Truncated { detail, .. })) if detail.contains("middle of a character")),
        "{rows:?}"
    );
}
