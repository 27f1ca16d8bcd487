mod common;

use std::path::Path;

use chengxin_collect::{CellProblem, Error, Format, Limits, Misfiled, Reader};
use common::{cells, drain, strs, temp_path, titles};
use rust_xlsxwriter::{ExcelDateTime, Format as CellFormat, Formula, Workbook};

/// A workbook with two empty rows, the header on Excel row 3, then
/// data with text, integer, float, date, date-time, boolean and blank cells.
fn write_sample(path: &Path) {
    let mut workbook = Workbook::new();
    let date = CellFormat::new().set_num_format("yyyy-mm-dd");
    let datetime = CellFormat::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let sheet = workbook.add_worksheet();
    sheet.set_name("决定").expect("name");
    let headers = [
        "  行政相对人名称 ",
        "数量",
        "金额",
        "决定日期",
        "生效时间",
        "已公示",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(2, c as u16, *h).expect("write");
    }
    sheet
        .write_string(3, 0, "深圳市腾讯计算机系统有限公司")
        .expect("write");
    sheet.write_number(3, 1, 42).expect("write");
    sheet.write_number(3, 2, 1234.5).expect("write");
    let d = ExcelDateTime::from_ymd(2024, 3, 15).expect("date");
    sheet
        .write_datetime_with_format(3, 3, &d, &date)
        .expect("write");
    let dt = ExcelDateTime::from_ymd(2024, 3, 15)
        .expect("date")
        .and_hms(9, 30, 5)
        .expect("time");
    sheet
        .write_datetime_with_format(3, 4, &dt, &datetime)
        .expect("write");
    sheet.write_boolean(3, 5, true).expect("write");
    // Row 5 (index 4) is left empty. Row 6 has gaps.
    sheet
        .write_string(5, 0, "小米科技有限责任公司")
        .expect("write");
    sheet.write_number(5, 2, 0.1 + 0.2).expect("write");
    sheet.write_number(5, 1, -7.0).expect("write");
    // Row 7: a value right of the header.
    sheet.write_string(6, 0, "越界").expect("write");
    sheet.write_string(6, 8, "stray").expect("write");
    // Row 8: an Excel error.
    sheet.write_string(7, 0, "错误").expect("write");
    sheet
        .write_formula(7, 2, Formula::new("=1/0").set_result("#DIV/0!"))
        .expect("write");
    // Row 9: ordinary again.
    sheet.write_string(8, 0, "个体户张三").expect("write");
    sheet.write_number(8, 1, 1e14).expect("write");
    // A hidden sheet (a template's drop-down values) that must be ignored.
    let other = workbook.add_worksheet();
    other.write_string(0, 0, "ignored").expect("write");
    other.set_hidden(true);
    workbook.save(path).expect("save");
}

#[test]
fn the_data_sheet_cells_as_text() {
    let path = temp_path("sample.xlsx");
    write_sample(&path);
    let mut reader = Reader::open_path(&path, None, Limits::default()).expect("open");
    assert_eq!(reader.format(), Format::Xlsx);
    assert_eq!(reader.encoding(), None);
    assert_eq!(
        reader.headers(),
        [
            "行政相对人名称",
            "数量",
            "金额",
            "决定日期",
            "生效时间",
            "已公示"
        ]
    );
    assert_eq!(reader.header_line(), 3);
    let size = std::fs::metadata(&path).expect("metadata").len();
    assert_eq!(reader.total_bytes(), Some(size));
    let rows = drain(&mut reader);
    assert_eq!(rows.len(), 5, "{rows:?}");
    assert_eq!(
        cells(&rows[..2]),
        strs(&[
            &[
                "深圳市腾讯计算机系统有限公司",
                "42",
                "1234.5",
                "2024-03-15",
                "2024-03-15 09:30:05",
                "true"
            ],
            &["小米科技有限责任公司", "-7", "0.3", "", "", ""],
        ])
    );
    let first = rows[0].as_ref().expect("row");
    assert_eq!((first.number, first.line), (1, 4));
    let second = rows[1].as_ref().expect("row");
    assert_eq!((second.number, second.line), (2, 6));
    match &rows[2] {
        Err(Error::Malformed { line, detail }) => {
            assert_eq!(*line, 7);
            assert!(detail.contains("I7"), "{detail}");
        }
        other => panic!("expected malformed, got {other:?}"),
    }
    match &rows[3] {
        Err(
            e @ Error::Cell {
                line,
                column,
                cell,
                problem: CellProblem::ExcelError { value },
            },
        ) => {
            assert_eq!((*line, *column, cell.as_str()), (8, 3, "C8"));
            assert_eq!(value, "#DIV/0!");
            assert!(
                e.to_string()
                    .contains("cell C8 holds the Excel error #DIV/0!"),
                "{e}"
            );
            assert_eq!(
                e.message_zh(),
                "第 8 行第 3 列（单元格 C8）是 Excel 错误值 #DIV/0!"
            );
        }
        other => panic!("expected malformed, got {other:?}"),
    }
    let last = rows[4].as_ref().expect("row");
    assert_eq!((last.number, last.line), (5, 9));
    assert_eq!(last.cells[..2], ["个体户张三", "100000000000000"]);
    // Rows 1, 2 and 5 of the sheet are empty.
    assert_eq!(reader.skipped_blank(), 3);
    assert!(reader.bytes_read() > 0);
    std::fs::remove_file(&path).expect("remove");
}

/// An ID number typed into a number cell has lost its last digits (Excel keeps 15): the row is
/// refused naming the cell and saying what to do, whether the stored value still passes the ID
/// check (`430903198405145000` does) or not. A 15-digit number is exact and read as it is.
#[test]
fn numbers_longer_than_excel_keeps_are_refused() {
    let path = temp_path("long_numbers.xlsx");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "名称").expect("write");
    sheet.write_string(0, 1, "证件号码").expect("write");
    sheet.write_string(1, 0, "张三").expect("write");
    sheet
        .write_number(1, 1, 430903198405145203.0)
        .expect("write");
    sheet.write_string(2, 0, "李四").expect("write");
    sheet
        .write_number(2, 1, 4.30903198405145e17)
        .expect("write");
    sheet.write_string(3, 0, "王五").expect("write");
    sheet.write_number(3, 1, 430903840514520.0).expect("write");
    workbook.save(&path).expect("save");
    let mut reader = Reader::open_path(&path, None, Limits::default()).expect("open");
    let rows = drain(&mut reader);
    assert_eq!(rows.len(), 3, "{rows:?}");
    for (row, cell) in rows[..2].iter().zip(["B2", "B3"]) {
        match row {
            Err(
                e @ Error::Cell {
                    cell: at,
                    problem: CellProblem::LongNumber { shown },
                    ..
                },
            ) => {
                assert_eq!((at.as_str(), shown.as_str()), (cell, "430903198405145000"));
                assert!(e.to_string().contains("文本"), "{e}");
                assert!(e.message_zh().contains("Excel 只保留 15 位有效数字"), "{e}");
            }
            other => panic!("expected a refused cell, got {other:?}"),
        }
    }
    let exact = rows[2].as_ref().expect("row");
    assert_eq!(exact.cells, ["王五", "430903840514520"]);
    std::fs::remove_file(&path).expect("remove");
}

#[test]
fn truncated_workbook_is_an_error_not_a_panic() {
    let path = temp_path("whole.xlsx");
    write_sample(&path);
    let bytes = std::fs::read(&path).expect("read");
    for (name, cut) in [
        ("half.xlsx", bytes.len() / 2),
        ("most.xlsx", bytes.len() - 30),
        ("tiny.xlsx", 10),
        ("empty.xlsx", 0),
    ] {
        let cut_path = temp_path(name);
        std::fs::write(&cut_path, &bytes[..cut]).expect("write");
        let result = Reader::open_path(&cut_path, None, Limits::default());
        match result {
            Err(Error::Truncated { .. } | Error::Xlsx(_)) => {}
            other => panic!("{name}: expected truncated or xlsx error, got {other:?}"),
        }
        std::fs::remove_file(&cut_path).expect("remove");
    }
    // Damaged in the middle (the ZIP directory intact): an error or odd
    // rows, never a panic or a hang.
    for start in [bytes.len() / 4, bytes.len() / 3, bytes.len() / 2] {
        let mut damaged = bytes.clone();
        for b in damaged.iter_mut().skip(start).take(200) {
            *b ^= 0x5A;
        }
        let damaged_path = temp_path("damaged.xlsx");
        std::fs::write(&damaged_path, &damaged).expect("write");
        if let Ok(mut reader) = Reader::open_path(&damaged_path, None, Limits::default()) {
            let rows = drain(&mut reader);
            assert!(rows.len() < 100);
        }
        std::fs::remove_file(&damaged_path).expect("remove");
    }
    // Not a workbook at all.
    let text = temp_path("text.xlsx");
    for (content, what) in [
        (&b"a,b\n1,2\n"[..], Misfiled::NotZip),
        (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", Misfiled::LegacyXls),
    ] {
        std::fs::write(&text, content).expect("write");
        match Reader::open_path(&text, None, Limits::default()) {
            Err(e @ Error::WrongFormat(found)) => {
                assert_eq!(found, what);
                // A CSV file named .xlsx is told to be named .csv, not about .xls.
                let zh = e.message_zh();
                assert_eq!(zh.contains(".xls）"), what == Misfiled::LegacyXls, "{zh}");
                assert_eq!(
                    zh.contains("以 .csv 命名"),
                    what == Misfiled::NotZip,
                    "{zh}"
                );
            }
            other => panic!("{other:?}"),
        }
    }
    std::fs::remove_file(&text).expect("remove");
    std::fs::remove_file(&path).expect("remove");
    // A legacy workbook under its own name is told what it is, not refused as an unknown
    // format (found by a QA pass).
    let xls = temp_path("legacy.XLS");
    std::fs::write(&xls, b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest").expect("write");
    assert_eq!(Format::from_path(&xls), Some(Format::Xlsx));
    match Reader::open_path(&xls, None, Limits::default()) {
        Err(e @ Error::WrongFormat(Misfiled::LegacyXls)) => {
            assert!(
                e.message_zh().contains("另存为 .xlsx"),
                "{}",
                e.message_zh()
            )
        }
        other => panic!("{other:?}"),
    }
    std::fs::remove_file(&xls).expect("remove");
}

#[test]
fn empty_sheet_has_no_header() {
    let path = temp_path("empty-sheet.xlsx");
    let mut workbook = Workbook::new();
    workbook.add_worksheet();
    workbook.save(&path).expect("save");
    let result = Reader::open_path(&path, Some(Format::Xlsx), Limits::default());
    assert!(matches!(result, Err(Error::NoHeader)), "{result:?}");
    std::fs::remove_file(&path).expect("remove");
}

#[test]
fn too_many_columns() {
    let path = temp_path("wide.xlsx");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for c in 0..20u16 {
        sheet.write_string(0, c, format!("c{c}")).expect("write");
    }
    workbook.save(&path).expect("save");
    let limits = Limits {
        max_columns: 10,
        ..Limits::default()
    };
    let result = Reader::open_path(&path, None, limits);
    assert!(
        matches!(result, Err(Error::TooManyColumns { limit: 10, .. })),
        "{result:?}"
    );
    std::fs::remove_file(&path).expect("remove");
}

#[test]
fn dropping_the_reader_early_stops_the_helper_thread() {
    let path = temp_path("many.xlsx");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "n").expect("write");
    for r in 1..5000u32 {
        sheet.write_number(r, 0, f64::from(r)).expect("write");
    }
    workbook.save(&path).expect("save");
    for _ in 0..20 {
        let mut reader = Reader::open_path(&path, None, Limits::default()).expect("open");
        let row = reader.next_row().expect("a row").expect("ok");
        assert_eq!(row.cells, ["1"]);
        drop(reader);
    }
    let reader = Reader::open_path(&path, None, Limits::default()).expect("open");
    assert_eq!(reader.count(), 4999);
    std::fs::remove_file(&path).expect("remove");
}

/// A workbook of `(name, hidden, first cell)` sheets; `None` leaves a sheet empty.
fn write_sheets(path: &Path, sheets: &[(&str, bool, Option<&str>)]) {
    let mut workbook = Workbook::new();
    for (name, hidden, header) in sheets {
        let sheet = workbook.add_worksheet();
        sheet.set_name(*name).expect("name");
        if let Some(h) = header {
            sheet.write_string(0, 0, *h).expect("write");
            sheet
                .write_string(1, 0, format!("{name} 的数据"))
                .expect("write");
        }
        if *hidden {
            sheet.set_hidden(true);
        } else {
            // The active sheet cannot be hidden: make the last visible one active.
            sheet.set_active(true);
        }
    }
    workbook.save(path).expect("save");
}

fn first_column(path: &Path, sheet: Option<&str>) -> Result<Vec<Vec<String>>, Error> {
    let mut reader = Reader::open_path_sheet(path, None, Limits::default(), sheet)?;
    Ok(cells(&drain(&mut reader)))
}

/// Rows on a worksheet nobody named are never dropped silently: the one sheet with data is
/// read wherever it is, two are refused naming both, and a named sheet is read whatever else
/// the workbook holds.
#[test]
fn which_worksheet_is_read() {
    let path = temp_path("sheets.xlsx");
    // An empty first sheet, the data on the second.
    write_sheets(
        &path,
        &[("Sheet1", false, None), ("处罚", false, Some("名称"))],
    );
    assert_eq!(
        first_column(&path, None).expect("read"),
        strs(&[&["处罚 的数据"]])
    );
    // Two visible sheets with data: refused, naming them and saying how to choose.
    write_sheets(
        &path,
        &[
            ("填报说明", false, Some("说明")),
            ("处罚", false, Some("名称")),
        ],
    );
    let e = first_column(&path, None).expect_err("ambiguous");
    let msg = e.to_string();
    assert!(matches!(e, Error::Sheet { .. }), "{e:?}");
    assert_eq!(e.code(), "sheet");
    assert!(
        msg.contains("\"填报说明\"") && msg.contains("\"处罚\"") && msg.contains("--sheet"),
        "{msg}"
    );
    // The sender reads it in Chinese, with what to do.
    let zh = e.message_zh();
    assert!(
        zh.contains("有 2 个工作表含有数据（「填报说明」、「处罚」）")
            && zh.contains("「工作表」栏"),
        "{zh}"
    );
    // Named: read, with or without spaces around the name.
    assert_eq!(
        first_column(&path, Some(" 处罚 ")).expect("named"),
        strs(&[&["处罚 的数据"]])
    );
    assert_eq!(
        first_column(&path, Some("填报说明")).expect("named"),
        strs(&[&["填报说明 的数据"]])
    );
    // A name the workbook does not have: the error lists the ones it has.
    let msg = first_column(&path, Some("许可"))
        .expect_err("no such sheet")
        .to_string();
    assert!(
        msg.contains("\"许可\"") && msg.contains("\"填报说明\", \"处罚\""),
        "{msg}"
    );
    // Data only on a hidden sheet: said so, not "empty".
    write_sheets(
        &path,
        &[("字典", true, Some("法人")), ("Sheet1", false, None)],
    );
    let e = first_column(&path, None).expect_err("hidden");
    let msg = e.to_string();
    assert!(msg.contains("hidden worksheet(s) \"字典\""), "{msg}");
    assert!(
        e.message_zh().contains("隐藏的工作表「字典」"),
        "{}",
        e.message_zh()
    );
    // A hidden sheet is not a second data sheet.
    write_sheets(
        &path,
        &[("字典", true, Some("法人")), ("处罚", false, Some("名称"))],
    );
    assert_eq!(
        first_column(&path, None).expect("read"),
        strs(&[&["处罚 的数据"]])
    );
}

/// A department's sheet with a merged title row and a 填报单位 line above the header: with
/// `title_rows` they are skipped and kept with their Excel rows; by default the title is the
/// header.
#[test]
fn title_rows_above_the_header() {
    let path = temp_path("titled.xlsx");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet
        .merge_range(0, 0, 0, 2, "行政处罚信息公示表", &CellFormat::new())
        .expect("merge");
    sheet.write_string(1, 0, "填报单位：某局").expect("write");
    for (c, h) in ["名称", "代码", "日期"].iter().enumerate() {
        sheet.write_string(3, c as u16, *h).expect("write");
    }
    sheet.write_string(4, 0, "甲公司").expect("write");
    sheet.write_number(4, 1, 123).expect("write");
    sheet.write_string(4, 2, "2026-11-01").expect("write");
    workbook.save(&path).expect("save");

    let limits = Limits {
        title_rows: 3,
        ..Limits::default()
    };
    let mut reader = Reader::open_path(&path, None, limits).expect("open");
    assert_eq!(reader.headers(), ["名称", "代码", "日期"]);
    assert_eq!(reader.header_line(), 4);
    assert_eq!(
        titles(&reader),
        [(1, "行政处罚信息公示表"), (2, "填报单位：某局")]
    );
    let rows = drain(&mut reader);
    assert_eq!(cells(&rows), strs(&[&["甲公司", "123", "2026-11-01"]]));
    assert_eq!(rows[0].as_ref().map(|r| r.line).ok(), Some(5));

    let reader = Reader::open_path(&path, None, Limits::default()).expect("open");
    assert_eq!(reader.headers(), ["行政处罚信息公示表"]);
    assert!(reader.titles().is_empty());
    let _ = std::fs::remove_file(&path);
}

/// Cells merged down a run of data rows (one 处罚机关 written for several decisions) are read on
/// every row of the run; a region merged across columns leaves its value in its first column;
/// a region starting in the header gives nothing to the rows below; a blank row inside a run
/// stays blank; a region whose first cell is empty fills nothing.
#[test]
fn cells_merged_down_data_rows_are_read_on_every_row() {
    let path = temp_path("merged.xlsx");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let plain = CellFormat::new();
    for (c, h) in ["名称", "文号", "机关", "备注"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).expect("write");
    }
    // 备注 header merged down into the first data row: the header is not a value.
    sheet
        .merge_range(0, 3, 1, 3, "备注", &plain)
        .expect("merge");
    for (r, (name, no)) in [("甲", "1号"), ("乙", "2号"), ("丙", "3号"), ("丁", "4号")]
        .iter()
        .enumerate()
    {
        sheet.write_string(r as u32 + 1, 0, *name).expect("write");
        sheet.write_string(r as u32 + 1, 1, *no).expect("write");
    }
    // 机关 written once for rows 2-4 (Excel rows), then again for row 5 across two columns.
    sheet
        .merge_range(1, 2, 3, 2, "某局", &plain)
        .expect("merge");
    sheet
        .merge_range(4, 2, 4, 3, "另一局", &plain)
        .expect("merge");
    // Rows 7-8: a run whose first row is blank, then a row inside a run over an empty cell.
    sheet.write_string(6, 0, "戊").expect("write");
    sheet.write_string(6, 1, "5号").expect("write");
    sheet.merge_range(5, 2, 6, 2, "", &plain).expect("merge");
    workbook.save(&path).expect("save");

    let mut reader = Reader::open_path(&path, None, Limits::default()).expect("open");
    assert_eq!(reader.headers(), ["名称", "文号", "机关", "备注"]);
    let rows = drain(&mut reader);
    assert_eq!(
        cells(&rows),
        strs(&[
            &["甲", "1号", "某局", ""],
            &["乙", "2号", "某局", ""],
            &["丙", "3号", "某局", ""],
            &["丁", "4号", "另一局", ""],
            &["戊", "5号", "", ""],
        ])
    );
    assert_eq!(
        rows.iter()
            .map(|r| r.as_ref().map(|r| r.line).unwrap_or(0))
            .collect::<Vec<_>>(),
        [2, 3, 4, 5, 7]
    );
    let _ = std::fs::remove_file(&path);
}

/// A small workbook that would inflate into a cell far over the limit (a text of one repeated
/// character compresses a thousandfold) is refused from its ZIP directory, before calamine
/// builds the cell in memory; the same texts within the limits are read.
#[test]
fn a_workbook_that_inflates_far_beyond_its_size_is_refused_unread() {
    let path = temp_path("bomb.xlsx");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "名称").expect("write");
    sheet.write_string(0, 1, "备注").expect("write");
    // 200 distinct texts of 32,000 characters (Excel's cap is 32,767): 6.4 MB of text.
    for r in 1..=200u32 {
        sheet.write_string(r, 0, format!("企业{r}")).expect("write");
        sheet
            .write_string(r, 1, format!("{r:05}{}", "a".repeat(31_995)))
            .expect("write");
    }
    workbook.save(&path).expect("save");
    let stored = std::fs::metadata(&path).expect("size").len();
    assert!(
        stored < 200_000,
        "the workbook is small on disk: {stored} bytes"
    );
    let small_cells = Limits {
        max_cell_bytes: 1 << 20,
        ..Limits::default()
    };
    match Reader::open_path(&path, None, small_cells) {
        Err(Error::Xlsx(m)) => assert!(m.contains("expands from"), "{m}"),
        Err(e) => panic!("refused for another reason: {e}"),
        Ok(_) => panic!("a workbook inflating 6.4 MB past a 4 MB bound was opened"),
    }
    // With the default limits (a 64 MiB bound) the same workbook is read.
    let mut reader = Reader::open_path(&path, None, Limits::default()).expect("open");
    assert_eq!(drain(&mut reader).len(), 200);
    let _ = std::fs::remove_file(&path);
}

/// A formula the workbook carries no computed value for (as openpyxl and other writers that do
/// not calculate save them) is refused naming the cell; it used to read as an empty cell, so a
/// fine disappeared and a USCC given by a formula became "no code" (found by a QA pass).
#[test]
fn a_formula_without_a_computed_value_is_refused_not_read_as_empty() {
    let path = temp_path("formula.xlsx");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "名称").expect("write");
    sheet.write_string(0, 1, "金额").expect("write");
    sheet.write_string(1, 0, "甲公司").expect("write");
    sheet
        .write_formula(1, 1, Formula::new("=0.2+0.3").set_result("0.5"))
        .expect("write");
    sheet.write_string(2, 0, "乙公司").expect("write");
    sheet
        .write_formula(2, 1, Formula::new("=0.2+0.3").set_result("NO_VALUE"))
        .expect("write");
    workbook.save(&path).expect("save");
    // rust_xlsxwriter always writes a result: take it out, as openpyxl leaves it.
    without_result(
        &path,
        r#" t="str"><f>0.2+0.3</f><v>NO_VALUE</v>"#,
        "><f>0.2+0.3</f><v></v>",
    );
    let mut reader = Reader::open_path(&path, None, Limits::default()).expect("open");
    let rows = drain(&mut reader);
    assert_eq!(rows.len(), 2, "{rows:?}");
    // With its computed value: read as that value.
    assert_eq!(cells(&rows[..1]), strs(&[&["甲公司", "0.5"]]));
    match &rows[1] {
        Err(
            e @ Error::Cell {
                line,
                problem: CellProblem::FormulaWithoutValue,
                ..
            },
        ) => {
            assert_eq!(*line, 3);
            assert!(
                e.to_string()
                    .contains("cell B3 holds a formula but no computed value"),
                "{e}"
            );
            assert!(
                e.message_zh()
                    .starts_with("第 3 行第 2 列（单元格 B3）含有公式但没有计算结果"),
                "{}",
                e.message_zh()
            );
        }
        other => panic!("expected the formula cell refused, got {other:?}"),
    }
    std::fs::remove_file(&path).expect("remove");
}

/// Rewrites the workbook at `path` with `from` replaced by `to` in its first worksheet's XML.
fn without_result(path: &Path, from: &str, to: &str) {
    use std::io::{Read, Write};
    let bytes = std::fs::read(path).expect("read");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut replaced = false;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).expect("entry");
        let name = entry.name().expect("entry name").into_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).expect("inflate");
        if name == "xl/worksheets/sheet1.xml" {
            let text = String::from_utf8(data).expect("utf-8");
            replaced = text.contains(from);
            data = text.replace(from, to).into_bytes();
        }
        out.start_file(name, stored).expect("start");
        out.write_all(&data).expect("write");
    }
    assert!(replaced, "the formula's result was found");
    let bytes = out.finish().expect("finish").into_inner();
    std::fs::write(path, bytes).expect("write");
}
