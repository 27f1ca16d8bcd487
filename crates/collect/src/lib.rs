//! Streaming readers for the batch files that department data officers upload
//! (administrative licensing and penalty decisions): CSV in UTF-8 or GB18030,
//! XLSX workbooks and JSON Lines.
//!
//! A [`Reader`] turns one file into a header row ([`Reader::headers`]) and a
//! stream of [`Row`]s of strings, with errors precise enough to show to the
//! person who uploaded the file (a physical line number, a byte offset, a
//! column). It knows nothing of the catalog schema: mapping headers to fields
//! and validating values is the job of the layer above.
//!
//! # Rows
//!
//! * Every [`Row`] has exactly `headers().len()` cells, in header order. Cells
//!   that a record lacks (a short CSV record, a JSON object without some key)
//!   are empty strings; whether that is acceptable is for the schema layer.
//! * Rows whose cells are all empty or white space are skipped and counted in
//!   [`Reader::skipped_blank`]; so are empty lines.
//! * [`Row::number`] counts the rows returned (and rows that produced a row
//!   error), from 1; the header is row 0. [`Row::line`] is where the user finds
//!   the row: the physical line (1-based) where a CSV record or JSON line
//!   starts, or the Excel row number of an XLSX row.
//! * Header names are trimmed and a byte-order mark is removed. Trailing empty
//!   header cells (left over from Excel's used range) are dropped.
//! * CSV and XLSX, when [`Limits::title_rows`] allows: rows above the header that hold a
//!   single non-empty cell (a sheet's title 「行政处罚信息公示表」, a line 「填报单位：…」)
//!   are skipped and kept in [`Reader::titles`]; after that many, the next non-blank row is
//!   the header whatever it holds.
//!
//! # Errors and recovery
//!
//! [`Reader::next_row`] returns row errors and stream errors.
//! After a row error ([`Error::Malformed`], [`Error::UnknownKey`],
//! [`Error::CellTooLarge`], [`Error::RecordTooLarge`]) reading goes on with
//! the next row, so a caller can collect every problem of a file in one pass.
//! After any other error, see [`Error::stops_reading`], the reader is finished
//! and `next_row` returns `None`.
//!
//! # Speed
//!
//! On the 2-core development machine a 1,000,000-row, 30-column UTF-8 CSV
//! (380 MB) is read in about 0.7–1.0 s with [`Reader::read_row`], which
//! reuses one [`Row`]'s strings, and in about 1.5–2 s with
//! [`Reader::next_row`], which allocates some 20 million strings for it and is
//! bound by the allocator. GB18030 decoding adds about 0.5 s. XLSX is bound
//! by calamine's XML parsing: about 70,000 rows of 30 columns per second.
//! `examples/read_speed.rs` measures this.
//!
//! # Memory
//!
//! CSV and JSON Lines are read in 128 KiB chunks and decoded chunk by chunk;
//! only the current record is held, so memory stays at a few hundred KiB plus
//! the current row whatever the file size. A single cell is capped at
//! [`Limits::max_cell_bytes`] and a whole row at [`Limits::max_record_bytes`]:
//! past a cap the rest of the cell is skipped unread into memory and the row
//! is reported as an error.
//!
//! XLSX is streamed row by row from the worksheet XML with calamine's
//! `worksheet_cells_reader`, but calamine loads the workbook's shared-string
//! table (every distinct text of the workbook), the styles and the ZIP
//! directory into memory when the workbook is opened. A 1,000,000-row sheet of
//! mostly distinct texts therefore needs memory in the order of the total size
//! of those texts (hundreds of MB), which the CSV path avoids. Excel's own cap
//! of 1,048,576 rows and 32,767 characters per cell applies to such files.

mod csv;
mod decode;
pub mod ingest;
mod jsonl;
mod xlsx;

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::str::FromStr;

pub use chengxin_store::TitleRow;

/// The [`Limits::title_rows`] a batch uses: a title, a subtitle and a line such as
/// 「填报单位：…  填报日期：…」 written in one cell.
pub const MAX_TITLE_ROWS: usize = 3;

/// A title's text is kept (and said back) up to this many characters.
const TITLE_CHARS: usize = 100;

/// `cells` (a candidate header, trimmed) as a title row: exactly one non-empty cell, and fewer
/// than `limit` titles `seen` before it. (A header separated by `;` or `|` is one cell too: it
/// is skipped like a title, and the row taken for the header after the titles is refused with
/// the separator named, or the file as having only titles.)
pub(crate) fn title_row(
    cells: &[String],
    line: u64,
    seen: usize,
    limit: usize,
) -> Option<TitleRow> {
    if seen >= limit {
        return None;
    }
    let mut filled = cells.iter().filter(|c| !c.trim().is_empty());
    let text = filled.next()?.trim();
    if filled.next().is_some() {
        return None;
    }
    // Kept with the batch and shown to its department: personal numbers masked, like any text
    // a batch keeps beside its records.
    Some(TitleRow {
        line,
        text: chengxin_codes::mask::redact(&chengxin_catalog::excerpt(text, TITLE_CHARS)),
    })
}

/// The kind of an uploaded file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Comma-separated values (RFC 4180); a tab-separated file is accepted as
    /// well, see [`Reader::new`].
    Csv,
    /// An Office Open XML workbook; one worksheet is read (see [`Reader::open_path_sheet`]).
    Xlsx,
    /// One JSON object per line.
    JsonLines,
}

impl Format {
    /// The format named by a file's extension (case-insensitive): `.csv`,
    /// `.tsv`, `.txt` → CSV; `.xlsx`, `.xlsm` (and a legacy `.xls`, to be told so) → XLSX;
    /// `.jsonl`, `.ndjson`,
    /// `.json` → JSON Lines.
    pub fn from_path(p: &Path) -> Option<Format> {
        let ext = p.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" | "tsv" | "txt" => Some(Format::Csv),
            // A legacy .xls is read as a workbook so that its signature names it
            // (`Misfiled::LegacyXls`: save it as .xlsx), not refused as an unknown format.
            "xlsx" | "xlsm" | "xls" => Some(Format::Xlsx),
            "jsonl" | "ndjson" | "json" => Some(Format::JsonLines),
            _ => None,
        }
    }

    /// The short name accepted by [`Format::from_str`].
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::JsonLines => "jsonl",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = Error;

    /// `"csv"`, `"xlsx"` or `"jsonl"` (case-insensitive).
    fn from_str(s: &str) -> Result<Format, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(Format::Csv),
            "xlsx" => Ok(Format::Xlsx),
            "jsonl" => Ok(Format::JsonLines),
            _ => Err(Error::UnknownFormat(format!(
                "unknown file format {s:?}: expected csv, xlsx or jsonl"
            ))),
        }
    }
}

/// The text encoding a CSV file was read in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// UTF-8, with or without a byte-order mark.
    Utf8,
    /// GB18030, which includes GBK and GB2312 (what Excel on Chinese Windows
    /// writes for "CSV").
    Gb18030,
    /// UTF-16 little-endian; recognised by its byte-order mark only (Excel's
    /// "Unicode text", which is tab-separated).
    Utf16Le,
    /// UTF-16 big-endian; recognised by its byte-order mark only.
    Utf16Be,
}

impl Encoding {
    /// The encoding's usual name, as used in error messages.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Gb18030 => "GB18030",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
        }
    }

    pub(crate) fn codec(self) -> &'static encoding_rs::Encoding {
        match self {
            Encoding::Utf8 => encoding_rs::UTF_8,
            Encoding::Gb18030 => encoding_rs::GB18030,
            Encoding::Utf16Le => encoding_rs::UTF_16LE,
            Encoding::Utf16Be => encoding_rs::UTF_16BE,
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One data row.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Row {
    /// 1-based data row number; the header is row 0. Skipped blank rows take
    /// no number.
    pub number: u64,
    /// Where the user finds the row: the physical line (1-based) where a CSV
    /// record or JSON line starts, or the Excel row number for XLSX.
    pub line: u64,
    /// Exactly one cell per header, in header order; missing cells are empty.
    pub cells: Vec<String>,
}

/// Caps that keep memory bounded on hostile or broken files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest cell, in UTF-8 bytes (default 16 MiB).
    pub max_cell_bytes: usize,
    /// Most header columns (default 512).
    pub max_columns: usize,
    /// Largest row, all cells together in UTF-8 bytes, and largest JSON line
    /// (default 64 MiB).
    pub max_record_bytes: usize,
    /// CSV and XLSX: how many rows holding a single non-empty cell above the header are
    /// skipped as titles (default 0: the first non-blank row is the header). A batch sets
    /// [`MAX_TITLE_ROWS`] when its catalog item's header has several columns, so a one-cell row
    /// cannot be it. The skipped rows are in [`Reader::titles`].
    pub title_rows: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_cell_bytes: 16 * 1024 * 1024,
            max_columns: 512,
            max_record_bytes: 64 * 1024 * 1024,
            title_rows: 0,
        }
    }
}

/// What can go wrong reading an uploaded file. Every message names the place
/// in the file (a line, a byte offset, a column) where that makes sense.
#[derive(thiserror::Error, Debug)]
pub enum Error {
    #[error("could not read the file: {0}")]
    Io(#[from] std::io::Error),
    #[error(
        "line {line} is not valid {encoding} text (byte offset {byte_offset}); the file was read as {encoding}: save it as UTF-8 and upload it again"
    )]
    Encoding {
        encoding: &'static str,
        byte_offset: u64,
        line: u64,
    },
    #[error("the file seems cut off{}: {detail}", at_line(*.line))]
    Truncated {
        line: u64,
        detail: String,
        /// The same detail in Chinese.
        detail_zh: String,
    },
    #[error("line {line}: {detail}")]
    Malformed { line: u64, detail: String },
    #[error(
        "line {line}, column {column}: the cell has {bytes} bytes, more than the limit of {limit} bytes"
    )]
    CellTooLarge {
        line: u64,
        column: usize,
        bytes: usize,
        limit: usize,
    },
    #[error("the header has {count} columns, more than the limit of {limit}")]
    TooManyColumns { count: usize, limit: usize },
    #[error("the file has no header row: it is empty or has only blank lines")]
    NoHeader,
    /// Only one-cell rows, all taken as titles.
    #[error(
        "the file has no header row: its {titles} non-blank row(s) each hold a single cell, \
         taken as titles; the header names the fields in separate columns (a file separated by \
         ';' or '|' must be saved as CSV, separated by commas)"
    )]
    OnlyTitles { titles: usize },
    /// Valid GB18030 that reads as mostly unusual characters: most likely Big5.
    #[error(
        "the file is not UTF-8, and read as GB18030 (GBK) it gives mostly unusual characters \
         (「{sample}…」): it may be Big5 (Traditional Chinese) or another encoding. Nothing was \
         read; save it as UTF-8 and upload it again"
    )]
    NotGb18030 { sample: String },
    #[error("an XLSX workbook must be read from a file (Reader::open_path), not from a stream")]
    NeedsFile,
    #[error(
        "line {line}, data row {row}: key {key:?} is not a column (the columns are the keys of the first object and, in a batch, the catalog item's field codes)"
    )]
    UnknownKey { row: u64, line: u64, key: String },
    #[error("the XLSX workbook could not be read: {0}")]
    Xlsx(String),
    /// A worksheet cell whose value cannot be taken as written (`column` is 1-based).
    #[error("line {line}: cell {cell} {problem}")]
    Cell {
        line: u64,
        column: usize,
        cell: String,
        problem: CellProblem,
    },
    /// A JSON Lines value that is an array or an object (`column` is the key's, 1-based).
    #[error(
        "line {line}: data row {row}, key {key:?}: the value is a nested {}, but only strings, \
         numbers, booleans and null are accepted",
        if *.array { "array" } else { "object" }
    )]
    NestedValue {
        row: u64,
        line: u64,
        column: usize,
        key: String,
        array: bool,
    },
    /// Which worksheet to read is not clear: the one named is missing, several have data, or
    /// only hidden ones do (`hidden`). `sheets` names the candidates.
    #[error("{}", describe_sheets(.wanted.as_deref(), .sheets, *.hidden))]
    Sheet {
        wanted: Option<String>,
        sheets: Vec<String>,
        hidden: bool,
    },
    /// A row (all its cells together) or a JSON line is larger than
    /// [`Limits::max_record_bytes`].
    #[error(
        "line {line}: the row has at least {bytes} bytes, more than the limit of {limit} bytes"
    )]
    RecordTooLarge {
        line: u64,
        bytes: usize,
        limit: usize,
    },
    /// The format could not be told from a name or an extension.
    #[error("{0}")]
    UnknownFormat(String),
    /// The content is not of the declared format (a ZIP file uploaded as
    /// CSV, a legacy `.xls` workbook).
    #[error("{}", .0.message())]
    WrongFormat(Misfiled),
}

/// What a file turned out to be when it is not of the format it was sent as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Misfiled {
    /// A ZIP archive (an XLSX workbook) sent as a text file (CSV, JSON Lines).
    ZipAsText,
    /// A legacy Excel 97-2003 workbook, whatever it was sent as.
    LegacyXls,
    /// Sent as XLSX, but not a ZIP archive (a CSV file named .xlsx, say).
    NotZip,
}

impl Misfiled {
    fn message(self) -> &'static str {
        match self {
            Misfiled::ZipAsText => {
                "the file is a ZIP archive (an XLSX workbook?), not a text file: upload it as .xlsx"
            }
            Misfiled::LegacyXls => {
                "the file is a legacy Excel 97-2003 workbook (.xls): save it as .xlsx or CSV"
            }
            Misfiled::NotZip => {
                "the file is not an XLSX workbook (an XLSX file is a ZIP archive); if it is CSV, name it .csv"
            }
        }
    }

    fn message_zh(self) -> &'static str {
        match self {
            Misfiled::ZipAsText => {
                "文件是 ZIP 压缩包（可能是 .xlsx 工作簿），不是文本文件：请以 .xlsx 格式报送"
            }
            Misfiled::LegacyXls => {
                "文件是旧版 Excel 97-2003 工作簿（.xls）：请另存为 .xlsx 或 CSV 后报送"
            }
            Misfiled::NotZip => {
                "文件不是 .xlsx 工作簿（.xlsx 文件是 ZIP 压缩包）：如果是 CSV 文件，请以 .csv 命名或报送"
            }
        }
    }
}

/// Why a worksheet cell's value cannot be taken as written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CellProblem {
    /// A number of 16 or more digits stored as an Excel number: Excel keeps 15 significant
    /// digits, so an ID or code typed into a number cell has lost its last ones.
    #[error(
        "holds the number {shown} as an Excel number: Excel keeps only 15 digits of a number, so \
         a longer one (an ID or code number) has lost its last digits. Format the column as text \
         (设置单元格格式 → 文本) and enter the numbers again"
    )]
    LongNumber { shown: String },
    /// An Excel error value (`#DIV/0!`, `#N/A`, …).
    #[error("holds the Excel error {value}")]
    ExcelError { value: String },
    /// A formula the file carries no computed value for.
    #[error(
        "holds a formula but no computed value (the workbook was written by a program that does \
         not calculate): open it in Excel or WPS and save it again, or paste the values in place \
         of the formulas"
    )]
    FormulaWithoutValue,
}

impl CellProblem {
    /// The problem in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            CellProblem::LongNumber { shown } => format!(
                "是以 Excel 数字格式保存的 {shown}：Excel 只保留 15 位有效数字，更长的数字（证件号码、\
                 代码）末几位已经丢失。请把该列设置为文本格式（设置单元格格式 → 文本）后重新录入"
            ),
            CellProblem::ExcelError { value } => format!("是 Excel 错误值 {value}"),
            CellProblem::FormulaWithoutValue => "含有公式但没有计算结果（工作簿由不计算公式的程序\
                 生成）：请用 Excel 或 WPS 打开后重新保存，或把公式粘贴为数值"
                .to_owned(),
        }
    }
}

/// Names in 「」, separated by 、.
fn quoted_zh(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("「{n}」"))
        .collect::<Vec<_>>()
        .join("、")
}

/// `" (line N)"`, or nothing for line 0 (no line applies).
impl Error {
    /// The file's last bytes start a character that the end of the file cuts short.
    pub(crate) fn cut_in_a_character(line: u64, byte_offset: u64) -> Error {
        Error::Truncated {
            line,
            detail: format!(
                "it ends in the middle of a character (byte offset {byte_offset}), as a file cut short in copying or upload does; send the whole file again"
            ),
            detail_zh: format!("文件在一个字符的中间结束（字节位置 {byte_offset}）"),
        }
    }
}

/// Names in quotes, comma-separated.
fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn describe_sheets(wanted: Option<&str>, sheets: &[String], hidden: bool) -> String {
    match wanted {
        Some(w) => format!(
            "the XLSX workbook has no worksheet {w:?}; its worksheets are {}",
            quoted(sheets)
        ),
        None if hidden => format!(
            "the XLSX workbook's visible worksheets are empty; there is data on hidden \
             worksheet(s) {}: unhide the one to send, or name it (chengxin ingest --sheet NAME; \
             API: sheet=NAME)",
            quoted(sheets)
        ),
        None => format!(
            "the XLSX workbook has data on {} worksheets ({}): say which one to read (chengxin \
             ingest --sheet NAME; API: sheet=NAME), or send each as its own file",
            sheets.len(),
            quoted(sheets)
        ),
    }
}

fn at_line(line: u64) -> String {
    if line == 0 {
        String::new()
    } else {
        format!(" (line {line})")
    }
}

impl Error {
    /// A stable identifier of the error, used both for a batch refused whole and for a row the
    /// reader could not split (the rule in the rejected-rows report).
    pub fn code(&self) -> &'static str {
        match self {
            Error::Encoding { .. } => "encoding",
            Error::Truncated { .. } => "truncated",
            Error::CellTooLarge { .. } => "cell_too_large",
            Error::RecordTooLarge { .. } => "record_too_large",
            Error::TooManyColumns { .. } => "too_many_columns",
            Error::NoHeader | Error::OnlyTitles { .. } => "no_header",
            Error::NotGb18030 { .. } => "encoding",
            Error::UnknownKey { .. } => "unknown_key",
            Error::UnknownFormat(_) | Error::WrongFormat(_) => "format",
            Error::Sheet { .. } => "sheet",
            Error::Io(_)
            | Error::Malformed { .. }
            | Error::Cell { .. }
            | Error::NestedValue { .. }
            | Error::NeedsFile
            | Error::Xlsx(_) => "malformed",
        }
    }

    /// The physical line the error names; 0 when none applies.
    pub fn line(&self) -> u64 {
        match self {
            Error::Encoding { line, .. }
            | Error::Truncated { line, .. }
            | Error::Malformed { line, .. }
            | Error::Cell { line, .. }
            | Error::NestedValue { line, .. }
            | Error::CellTooLarge { line, .. }
            | Error::RecordTooLarge { line, .. }
            | Error::UnknownKey { line, .. } => *line,
            _ => 0,
        }
    }

    /// The error in Chinese, for the department officers who send the files (数据报送): what is
    /// wrong, where, and what to do. Details the reader wrote in English (a JSON parser's words,
    /// a workbook's part names) follow in parentheses; [`std::fmt::Display`] stays English.
    pub fn message_zh(&self) -> String {
        let at = |line: u64| {
            if line == 0 {
                String::new()
            } else {
                format!("第 {line} 行：")
            }
        };
        match self {
            Error::Io(e) => format!("无法读取文件（{e}）"),
            Error::Encoding {
                encoding,
                byte_offset,
                line,
            } => format!(
                "第 {line} 行不是有效的 {encoding} 文字（字节位置 {byte_offset}）；文件是按 {encoding} 读取的：请另存为 UTF-8 编码后重新报送"
            ),
            Error::Truncated {
                line, detail_zh, ..
            } => format!(
                "{}文件不完整，像是在复制、保存或上传时被截断：{detail_zh}。请重新导出完整的文件后报送",
                at(*line)
            ),
            Error::Malformed { line, detail } => {
                format!("{}这一行无法按文件格式拆分为单元格（{detail}）", at(*line))
            }
            Error::CellTooLarge {
                line,
                column,
                bytes,
                limit,
            } => format!(
                "第 {line} 行第 {column} 列的单元格有 {bytes} 字节，超过每个单元格 {limit} 字节的上限"
            ),
            Error::TooManyColumns { count, limit } => {
                format!("表头有 {count} 列，超过 {limit} 列的上限")
            }
            Error::NoHeader => "文件中没有表头行：文件为空，或只有空行".to_owned(),
            Error::OnlyTitles { titles } => format!(
                "文件中没有表头行：{titles} 个非空行都只有一个单元格，都被当作标题。表头应把各字段名称写在不同的列中（以「;」或「|」分隔的文件须另存为以逗号分隔的 CSV）"
            ),
            Error::NotGb18030 { sample } => format!(
                "文件不是 UTF-8 编码，按 GB18030（GBK）读取得到的大多是不常用的字符（「{sample}…」）：可能是 Big5（繁体中文）或其他编码。没有读取任何数据：请另存为 UTF-8 后重新报送"
            ),
            Error::NeedsFile => "XLSX 工作簿须作为文件读取".to_owned(),
            Error::UnknownKey { row, line, key } => format!(
                "第 {line} 行（第 {row} 条数据）：键「{key}」不是列名（列名是第一个对象的键，以及目录项的字段代码）"
            ),
            Error::Xlsx(detail) => format!("无法读取 XLSX 工作簿（{detail}）"),
            Error::Cell {
                line,
                column,
                cell,
                problem,
            } => format!(
                "第 {line} 行第 {column} 列（单元格 {cell}）{}",
                problem.message_zh()
            ),
            Error::NestedValue {
                row,
                line,
                key,
                array,
                ..
            } => format!(
                "第 {line} 行（第 {row} 条数据）：键「{key}」的值是嵌套的{}，只接受字符串、数字、\
                 布尔值和 null",
                if *array { "数组" } else { "对象" }
            ),
            Error::Sheet {
                wanted: Some(w),
                sheets,
                ..
            } => format!(
                "XLSX 工作簿中没有名为「{w}」的工作表；其中的工作表为：{}",
                quoted_zh(sheets)
            ),
            Error::Sheet {
                wanted: None,
                sheets,
                hidden: true,
            } => format!(
                "XLSX 工作簿中可见的工作表都是空的，数据在隐藏的工作表{}中：请取消隐藏要报送的\
                 工作表，或在「工作表」栏（API：sheet=名称）写明其名称",
                quoted_zh(sheets)
            ),
            Error::Sheet {
                wanted: None,
                sheets,
                hidden: false,
            } => format!(
                "XLSX 工作簿中有 {} 个工作表含有数据（{}）：请在「工作表」栏（API：sheet=名称）\
                 写明要读取的一个，或把每个工作表分别作为一个文件报送",
                sheets.len(),
                quoted_zh(sheets)
            ),
            Error::RecordTooLarge { line, bytes, limit } => {
                format!("第 {line} 行至少有 {bytes} 字节，超过每行 {limit} 字节的上限")
            }
            Error::UnknownFormat(detail) => format!(
                "无法判断文件格式：请使用 .csv、.xlsx 或 .jsonl 扩展名，或指明格式（{detail}）"
            ),
            Error::WrongFormat(what) => format!("文件内容与所报的格式不符：{}", what.message_zh()),
        }
    }

    /// Whether this error ends the reading: true for everything except the
    /// row errors [`Error::Malformed`], [`Error::UnknownKey`],
    /// [`Error::CellTooLarge`] and [`Error::RecordTooLarge`], after which
    /// [`Reader::next_row`] goes on with the next row.
    pub fn stops_reading(&self) -> bool {
        !matches!(
            self,
            Error::Malformed { .. }
                | Error::Cell { .. }
                | Error::NestedValue { .. }
                | Error::UnknownKey { .. }
                | Error::CellTooLarge { .. }
                | Error::RecordTooLarge { .. }
        )
    }
}

/// What a source hands to [`Reader`] for each record.
pub(crate) enum Step {
    /// A record was read into the cells; it starts at this line.
    Record(u64),
    /// The input is exhausted.
    End,
}

enum Source {
    Csv(csv::CsvSource),
    Jsonl(jsonl::JsonlSource),
    Xlsx(xlsx::XlsxSource),
}

struct Inner {
    source: Source,
    headers: Vec<String>,
    header_line: u64,
    titles: Vec<TitleRow>,
    format: Format,
    total_bytes: Option<u64>,
    number: u64,
    skipped_blank: u64,
    done: bool,
}

/// Reads one uploaded file as a header row plus a stream of rows.
pub struct Reader {
    inner: Box<Inner>,
}

impl Reader {
    /// Reads CSV or JSON Lines from any `Read` (a file, an HTTP body, a
    /// `Cursor`). XLSX needs random access: use [`Reader::open_path`]; here it
    /// gives [`Error::NeedsFile`].
    ///
    /// CSV: the encoding is UTF-8 (with or without BOM) if the first 64 KiB
    /// are valid UTF-8 (a character cut at the end of those 64 KiB is
    /// allowed), otherwise GB18030. A byte-order mark decides by itself: a
    /// UTF-8 one means UTF-8 even if invalid bytes follow, and UTF-16 (Excel's
    /// "Unicode text") and GB18030 ones are honoured too. So a file whose first
    /// 64 KiB are plain ASCII is read as UTF-8, and GBK text after that is an
    /// encoding error. The file is decoded chunk by chunk; a byte sequence
    /// invalid in that encoding anywhere later gives [`Error::Encoding`] with
    /// its byte offset and line. Fields are separated by `,`, except that a
    /// file whose first non-blank line contains a tab and no comma is read as
    /// tab-separated. Quoting follows RFC 4180 (`"` around fields, `""`
    /// inside them, line breaks inside quotes); text after a closing quote is
    /// kept as it is and a quote inside an unquoted field is an ordinary
    /// character. Records end at `\n`, `\r\n` or `\r`; line numbers count `\n`.
    ///
    /// JSON Lines: UTF-8, one object per line. The header is the keys of the
    /// first object in their order (and any added by [`Reader::add_keys`]);
    /// that object is also row 1. A later object with a key that is neither a
    /// header nor an alias of one ([`Reader::alias_keys`]) is
    /// [`Error::UnknownKey`]; a missing key is an empty cell. Strings are taken as they are, numbers as their JSON
    /// text, `null` as an empty cell, booleans as `true`/`false`; a nested
    /// array or object is [`Error::Malformed`] naming the row and the key.
    pub fn new(
        input: impl Read + Send + 'static,
        format: Format,
        limits: Limits,
    ) -> Result<Reader, Error> {
        Reader::from_boxed(Box::new(input), format, limits, None)
    }

    /// Opens a file; `format` `None` takes it from the extension (see
    /// [`Format::from_path`]).
    ///
    /// XLSX: the only visible worksheet with data is read (see
    /// [`Reader::open_path_sheet`]); its first non-blank row is the header. Cells are rendered as text: integers without `.0`, other
    /// numbers as the shortest text of the value rounded to 15 significant
    /// digits (as Excel shows them), dates as `YYYY-MM-DD` (with ` HH:MM:SS`
    /// when there is a time of day), times as `HH:MM:SS`, booleans as
    /// `true`/`false`. A cell holding an Excel error (`#N/A`…) and a value
    /// right of the last header column are row errors ([`Error::Malformed`]).
    /// The workbook is parsed on a helper thread that hands rows over through
    /// a small bounded queue.
    pub fn open_path(path: &Path, format: Option<Format>, limits: Limits) -> Result<Reader, Error> {
        Reader::open_path_sheet(path, format, limits, None)
    }

    /// [`Reader::open_path`], reading the XLSX worksheet named `sheet` (ignored for other
    /// formats). Without a name, the only visible worksheet with data is read, and a workbook
    /// with data on several visible worksheets is [`Error::Xlsx`] naming them.
    pub fn open_path_sheet(
        path: &Path,
        format: Option<Format>,
        limits: Limits,
        sheet: Option<&str>,
    ) -> Result<Reader, Error> {
        let format = match format {
            Some(f) => f,
            None => Format::from_path(path).ok_or_else(|| {
                Error::UnknownFormat(format!(
                    "cannot tell the format of {}: the name should end in .csv, .xlsx or .jsonl",
                    path.display()
                ))
            })?,
        };
        let file = File::open(path)?;
        let total = file.metadata().ok().map(|m| m.len());
        match format {
            Format::Xlsx => {
                drop(file);
                let (source, headers, header_line, titles) =
                    xlsx::XlsxSource::open(path, limits, sheet.map(str::to_owned))?;
                let mut reader =
                    Reader::assemble(Source::Xlsx(source), headers, header_line, format, total, 0);
                reader.inner.titles = titles;
                Ok(reader)
            }
            _ => Reader::from_boxed(Box::new(file), format, limits, total),
        }
    }

    fn from_boxed(
        input: Box<dyn Read + Send>,
        format: Format,
        limits: Limits,
        total_bytes: Option<u64>,
    ) -> Result<Reader, Error> {
        match format {
            Format::Xlsx => Err(Error::NeedsFile),
            Format::Csv => {
                let opened = csv::CsvSource::open(input, limits)?;
                let mut reader = Reader::assemble(
                    Source::Csv(opened.source),
                    opened.headers,
                    opened.header_line,
                    format,
                    total_bytes,
                    opened.skipped_blank,
                );
                reader.inner.titles = opened.titles;
                Ok(reader)
            }
            Format::JsonLines => {
                let opened = jsonl::JsonlSource::open(input, limits)?;
                Ok(Reader::assemble(
                    Source::Jsonl(opened.source),
                    opened.headers,
                    opened.header_line,
                    format,
                    total_bytes,
                    0,
                ))
            }
        }
    }

    fn assemble(
        source: Source,
        headers: Vec<String>,
        header_line: u64,
        format: Format,
        total_bytes: Option<u64>,
        skipped_blank: u64,
    ) -> Reader {
        Reader {
            inner: Box::new(Inner {
                source,
                headers,
                header_line,
                titles: Vec::new(),
                format,
                total_bytes,
                number: 0,
                skipped_blank,
                done: false,
            }),
        }
    }

    /// The header names: trimmed, byte-order mark removed, trailing empty
    /// names dropped.
    pub fn headers(&self) -> &[String] {
        &self.inner.headers
    }

    /// JSON Lines: accepts `names` as keys of later objects too, after the first object's keys
    /// (a producer that leaves out a key whose value is empty has a first object without it).
    /// Each name not yet a header becomes one, at the end of [`Reader::headers`]; rows read from
    /// then on have a cell for it. Other formats have a fixed header row: nothing changes.
    pub fn add_keys(&mut self, names: &[&str]) {
        if let Source::Jsonl(s) = &mut self.inner.source {
            let added = s.add_columns(names);
            self.inner.headers.extend(added);
        }
    }

    /// JSON Lines: lets later objects name the column of header `of` by any of `aliases` too
    /// (a catalog field's Chinese name where the first object used its code). Other formats:
    /// nothing changes.
    pub fn alias_keys(&mut self, of: &str, aliases: &[&str]) {
        if let Source::Jsonl(s) = &mut self.inner.source {
            s.alias_columns(of, aliases);
        }
    }

    /// The one-cell rows above the header that were skipped as titles (CSV and XLSX), in order.
    pub fn titles(&self) -> &[TitleRow] {
        &self.inner.titles
    }

    /// The line (Excel row for XLSX) the header was read from.
    pub fn header_line(&self) -> u64 {
        self.inner.header_line
    }

    /// The format being read.
    pub fn format(&self) -> Format {
        self.inner.format
    }

    /// The detected text encoding; CSV only. It can change once while reading: a file whose
    /// first 64 KiB are plain ASCII reads as UTF-8 until a byte shows it is GB18030.
    pub fn encoding(&self) -> Option<Encoding> {
        match &self.inner.source {
            Source::Csv(s) => Some(s.encoding()),
            _ => None,
        }
    }

    /// CSV: how many cells the row last read had, when fewer than the header (the row's
    /// missing cells read as empty). `None` for a full row and for other formats.
    pub fn short_row(&self) -> Option<usize> {
        match &self.inner.source {
            Source::Csv(s) => Some(s.last_cells()).filter(|n| *n < self.inner.headers.len()),
            _ => None,
        }
    }

    /// The next non-blank row, a row error (reading may go on, see
    /// [`Error::stops_reading`]) or `None` at the end.
    pub fn next_row(&mut self) -> Option<Result<Row, Error>> {
        let mut row = Row::default();
        match self.read_row(&mut row) {
            Ok(true) => Some(Ok(row)),
            Ok(false) => None,
            Err(e) => Some(Err(e)),
        }
    }

    /// Like [`Reader::next_row`], but fills `row` in place, reusing its
    /// strings' memory: the fast path for large files. Returns `Ok(false)` at
    /// the end. After an error `row` holds no meaningful data.
    pub fn read_row(&mut self, row: &mut Row) -> Result<bool, Error> {
        let inner = &mut *self.inner;
        if inner.done {
            return Ok(false);
        }
        let width = inner.headers.len();
        // The CSV parser fills a short or empty vector itself, which saves
        // writing empty strings first.
        if row.cells.len() != width && !matches!(inner.source, Source::Csv(_)) {
            row.cells.resize(width, String::new());
        }
        loop {
            let next = inner.number.saturating_add(1);
            let step = match &mut inner.source {
                Source::Csv(s) => s.read(&mut row.cells, width),
                Source::Jsonl(s) => s.read(&mut row.cells, next),
                Source::Xlsx(s) => s.read(&mut row.cells),
            };
            match step {
                Ok(Step::Record(line)) => {
                    if row.cells.iter().all(|c| c.trim().is_empty()) {
                        inner.skipped_blank += 1;
                        continue;
                    }
                    inner.number = next;
                    row.number = next;
                    row.line = line;
                    return Ok(true);
                }
                Ok(Step::End) => {
                    inner.done = true;
                    return Ok(false);
                }
                Err(e) => {
                    if e.stops_reading() {
                        inner.done = true;
                    } else {
                        inner.number = next;
                    }
                    return Err(e);
                }
            }
        }
    }

    /// How many blank rows (all cells empty or white space) and empty lines were skipped so
    /// far.
    pub fn skipped_blank(&self) -> u64 {
        let inner = &self.inner;
        let source = match &inner.source {
            Source::Csv(s) => s.skipped_blank(),
            Source::Jsonl(s) => s.skipped_blank(),
            Source::Xlsx(s) => s.skipped_blank(),
        };
        inner.skipped_blank + source
    }

    /// Bytes of the input read so far, for progress bars (for XLSX the bytes
    /// of the ZIP file read, which may run ahead of the rows returned).
    pub fn bytes_read(&self) -> u64 {
        let inner = &self.inner;
        let n = match &inner.source {
            Source::Csv(s) => s.bytes_read(),
            Source::Jsonl(s) => s.bytes_read(),
            Source::Xlsx(s) => s.bytes_read(),
        };
        match inner.total_bytes {
            Some(total) => n.min(total),
            None => n,
        }
    }

    /// The input's size, when known (files opened with
    /// [`Reader::open_path`]).
    pub fn total_bytes(&self) -> Option<u64> {
        self.inner.total_bytes
    }
}

impl Iterator for Reader {
    type Item = Result<Row, Error>;

    fn next(&mut self) -> Option<Result<Row, Error>> {
        self.next_row()
    }
}

impl fmt::Debug for Reader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reader")
            .field("format", &self.inner.format)
            .field("encoding", &self.encoding())
            .field("headers", &self.inner.headers)
            .field("rows", &self.inner.number)
            .finish_non_exhaustive()
    }
}
