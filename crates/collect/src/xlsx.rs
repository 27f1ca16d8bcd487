//! XLSX: one worksheet, streamed with calamine's cell reader.
//!
//! Which worksheet: the one named by the caller; otherwise the only visible worksheet that has
//! any value. Hidden sheets (a template's drop-down lists) are never chosen on their own, and a
//! workbook with data on two visible sheets is refused rather than half read: rows left on a
//! sheet nobody looked at would be lost without a word.
//!
//! calamine's `XlsxCellReader` borrows the workbook it reads from, so the two
//! cannot live side by side in one struct without `unsafe`. The workbook is
//! therefore opened and read on a helper thread, which sends finished rows
//! through a bounded channel; dropping the [`XlsxSource`] closes the channel
//! and the thread stops at its next row.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use calamine::{DataRef, Reader as _, SheetType, SheetVisible, Xlsx, XlsxError};

use crate::{CellProblem, Error, Limits, Misfiled, Step, TitleRow, title_row};

/// Messages are sent in batches of this many, to save thread wake-ups.
const BATCH: usize = 128;
/// Batches waiting in the channel between the helper thread and the reader.
const QUEUE: usize = 4;

enum Msg {
    Header { line: u64, cells: Vec<String> },
    Title(TitleRow),
    Row { line: u64, cells: Vec<String> },
    Blank(u64),
    Err(Error),
    End,
}

/// The sending end on the helper thread: collects messages into batches.
struct Batcher {
    tx: SyncSender<Vec<Msg>>,
    batch: Vec<Msg>,
}

impl Batcher {
    /// Queues a message; rows and blanks wait for a full batch, anything
    /// else is sent at once. `false` when the reader is gone.
    fn send(&mut self, msg: Msg) -> bool {
        let urgent = !matches!(msg, Msg::Row { .. } | Msg::Blank(_));
        self.batch.push(msg);
        if urgent || self.batch.len() >= BATCH {
            let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
            self.tx.send(batch).is_ok()
        } else {
            true
        }
    }
}

pub(crate) struct XlsxSource {
    rx: Receiver<Vec<Msg>>,
    pending: std::vec::IntoIter<Msg>,
    bytes: Arc<AtomicU64>,
    blank: u64,
    ended: bool,
}

impl XlsxSource {
    /// Opens the workbook on a helper thread and waits for the header.
    pub(crate) fn open(
        path: &Path,
        limits: Limits,
        sheet: Option<String>,
    ) -> Result<(XlsxSource, Vec<String>, u64, Vec<TitleRow>), Error> {
        check_signature(path)?;
        check_expansion(path, limits)?;
        let (tx, rx) = sync_channel(QUEUE);
        let bytes = Arc::new(AtomicU64::new(0));
        let path = path.to_path_buf();
        let counter = Arc::clone(&bytes);
        std::thread::Builder::new()
            .name("chengxin-collect-xlsx".to_owned())
            .spawn(move || {
                let mut out = Batcher {
                    tx,
                    batch: Vec::with_capacity(BATCH),
                };
                if let Err(e) = stream(&path, limits, sheet.as_deref(), counter, &mut out) {
                    out.send(Msg::Err(e));
                }
            })?;
        let mut source = XlsxSource {
            rx,
            pending: Vec::new().into_iter(),
            bytes,
            blank: 0,
            ended: false,
        };
        let mut titles = Vec::new();
        loop {
            match source.recv() {
                Msg::Header { line, cells } => return Ok((source, cells, line, titles)),
                Msg::Title(t) => titles.push(t),
                Msg::Blank(n) => source.blank += n,
                Msg::Row { .. } | Msg::End => return Err(Error::NoHeader),
                Msg::Err(e) => return Err(e),
            }
        }
    }

    fn recv(&mut self) -> Msg {
        loop {
            if let Some(msg) = self.pending.next() {
                return msg;
            }
            match self.rx.recv() {
                Ok(batch) => self.pending = batch.into_iter(),
                Err(_) => {
                    return Msg::Err(Error::Xlsx(
                        "the workbook reader stopped unexpectedly; the file may be damaged"
                            .to_owned(),
                    ));
                }
            }
        }
    }

    pub(crate) fn read(&mut self, cells: &mut Vec<String>) -> Result<Step, Error> {
        if self.ended {
            return Ok(Step::End);
        }
        loop {
            match self.recv() {
                Msg::Row {
                    line,
                    cells: mut row,
                } => {
                    std::mem::swap(cells, &mut row);
                    return Ok(Step::Record(line));
                }
                Msg::Blank(n) => self.blank += n,
                Msg::End => {
                    self.ended = true;
                    return Ok(Step::End);
                }
                Msg::Err(e) => {
                    if e.stops_reading() {
                        self.ended = true;
                    }
                    return Err(e);
                }
                Msg::Header { .. } | Msg::Title(_) => {
                    return Err(Error::Xlsx("a second header row was sent".to_owned()));
                }
            }
        }
    }

    pub(crate) fn bytes_read(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    pub(crate) fn skipped_blank(&self) -> u64 {
        self.blank
    }
}

/// Tells a file that is not a workbook at all from a damaged one before
/// calamine sees it.
fn check_signature(path: &Path) -> Result<(), Error> {
    let mut head = [0u8; 8];
    let mut len = 0;
    let mut file = File::open(path)?;
    while len < head.len() {
        match file.read(head.get_mut(len..).unwrap_or_default()) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::Io(e)),
        }
    }
    let head = head.get(..len).unwrap_or_default();
    if head.is_empty() {
        return Err(Error::Truncated {
            line: 0,
            detail: "the file is empty".to_owned(),
            detail_zh: "文件是空的".to_owned(),
        });
    }
    if head.starts_with(b"\xD0\xCF\x11\xE0") {
        return Err(Error::WrongFormat(Misfiled::LegacyXls));
    }
    if !b"PK\x03\x04".starts_with(head) && !head.starts_with(b"PK\x03\x04") {
        return Err(Error::WrongFormat(Misfiled::NotZip));
    }
    Ok(())
}

/// Worksheet XML compresses some 5–30 times; a cell of one repeated character, thousands of
/// times.
const MAX_RATIO: u64 = 200;
/// calamine reads the shared-string table (every distinct text of the workbook) into memory.
const MAX_SHARED_STRINGS: u64 = 1 << 30;

/// Refuses, from the ZIP directory and before anything is inflated, a workbook that would
/// inflate into far more memory than it takes to upload: a worksheet or text table that
/// expands more than [`MAX_RATIO`] times to over four times [`Limits::max_cell_bytes`] (64 MiB
/// by default: a cell of hundreds of megabytes of one character, which calamine would build
/// whole before its size could be checked), or a shared-string table over
/// [`MAX_SHARED_STRINGS`]. The sizes are those the archive declares; the cell limit still
/// applies to every cell read.
fn check_expansion(path: &Path, limits: Limits) -> Result<(), Error> {
    let bomb_bytes = (limits.max_cell_bytes as u64).saturating_mul(4);
    let file = BufReader::new(File::open(path)?);
    let mut archive = match zip::ZipArchive::new(file) {
        Ok(a) => a,
        // Not readable as a ZIP: calamine reports it as damaged, with its own words.
        Err(_) => return Ok(()),
    };
    for i in 0..archive.len() {
        let Ok(entry) = archive.by_index_raw(i) else {
            continue;
        };
        let Ok(name) = entry.name().map(|n| n.into_owned()) else {
            continue;
        };
        let (size, stored) = (entry.size(), entry.compressed_size().max(1));
        let text_part = name.starts_with("xl/worksheets/") || name == "xl/sharedStrings.xml";
        if !text_part {
            continue;
        }
        let mb = |b: u64| b.div_ceil(1 << 20);
        if size > bomb_bytes && size / stored > MAX_RATIO {
            return Err(Error::Xlsx(format!(
                "the workbook's part {name} expands from {} MB to {} MB ({} times): a sheet this \
                 repetitive holds a cell far larger than a cell may be; nothing was read",
                mb(stored),
                mb(size),
                size / stored
            )));
        }
        if name == "xl/sharedStrings.xml" && size > MAX_SHARED_STRINGS {
            return Err(Error::Xlsx(format!(
                "the workbook's text table (xl/sharedStrings.xml) is {} MB; a workbook is read \
                 with all its texts in memory, so one this large must be sent as CSV",
                mb(size)
            )));
        }
    }
    Ok(())
}

/// A file that counts the bytes read from it.
struct Counting {
    inner: BufReader<File>,
    count: Arc<AtomicU64>,
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl Seek for Counting {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

fn open_error(e: XlsxError) -> Error {
    match e {
        XlsxError::Zip(e) => Error::Truncated {
            line: 0,
            detail: format!(
                "the file is not a complete XLSX (ZIP) archive ({e}); upload it again, or save it from Excel as .xlsx"
            ),
            detail_zh: "不是完整的 XLSX（ZIP）文件：请重新上传，或在 Excel 中另存为 .xlsx"
                .to_owned(),
        },
        XlsxError::Io(e) if e.kind() == io::ErrorKind::UnexpectedEof => Error::Truncated {
            line: 0,
            detail: format!("the XLSX archive ends too early ({e})"),
            detail_zh: "XLSX 文件提前结束".to_owned(),
        },
        XlsxError::Io(e) => Error::Io(e),
        XlsxError::Password => Error::Xlsx(
            "the workbook is password-protected: remove the password and upload it again"
                .to_owned(),
        ),
        e => Error::Xlsx(e.to_string()),
    }
}

/// A row being assembled from cells.
struct Pending {
    /// 0-based sheet row.
    row: u32,
    cells: Vec<String>,
    problem: Option<Error>,
}

/// The worksheet to read: `wanted` (by name, ignoring surrounding spaces), else the only
/// visible worksheet with a value (see the module documentation).
fn choose_sheet<R: Read + Seek>(
    workbook: &mut Xlsx<R>,
    wanted: Option<&str>,
) -> Result<String, Error> {
    let sheets: Vec<(String, bool)> = workbook
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .map(|s| (s.name.clone(), s.visible == SheetVisible::Visible))
        .collect();
    if let Some(wanted) = wanted {
        let wanted = wanted.trim();
        return sheets
            .iter()
            .find(|(n, _)| n.trim() == wanted)
            .map(|(n, _)| n.clone())
            .ok_or_else(|| Error::Sheet {
                wanted: Some(wanted.to_owned()),
                sheets: sheets.iter().map(|(n, _)| n.clone()).collect(),
                hidden: false,
            });
    }
    let Some((first, _)) = sheets.first() else {
        return Err(Error::Xlsx("the workbook has no worksheet".to_owned()));
    };
    if sheets.len() == 1 {
        return Ok(first.clone());
    }
    let mut visible = Vec::new();
    let mut hidden = Vec::new();
    for (name, is_visible) in &sheets {
        if has_value(workbook, name)? {
            if *is_visible {
                visible.push(name);
            } else {
                hidden.push(name);
            }
        }
    }
    match (visible.as_slice(), hidden.is_empty()) {
        ([one], _) => Ok((*one).clone()),
        // Nothing anywhere: the first sheet's missing header is the error to report.
        ([], true) => Ok(first.clone()),
        // Data only on hidden sheets: say where it is rather than "the file is empty".
        ([], false) => Err(Error::Sheet {
            wanted: None,
            sheets: hidden.into_iter().cloned().collect(),
            hidden: true,
        }),
        (several, _) => Err(Error::Sheet {
            wanted: None,
            sheets: several.iter().map(|n| (*n).clone()).collect(),
            hidden: false,
        }),
    }
}

/// Whether a worksheet has any non-blank cell (formatted but empty cells do not count).
fn has_value<R: Read + Seek>(workbook: &mut Xlsx<R>, name: &str) -> Result<bool, Error> {
    let mut cells = workbook.worksheet_cells_reader(name).map_err(open_error)?;
    while let Some(cell) = cells.next_cell().map_err(open_error)? {
        let blank = match cell.get_value() {
            DataRef::Empty => true,
            DataRef::String(s) => s.trim().is_empty(),
            DataRef::SharedString(s) => s.trim().is_empty(),
            _ => false,
        };
        if !blank {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The body of the helper thread: sends the header, then rows, then `End`.
/// Returns early (with an error to send) on a stream error.
fn stream(
    path: &PathBuf,
    limits: Limits,
    sheet: Option<&str>,
    counter: Arc<AtomicU64>,
    out: &mut Batcher,
) -> Result<(), Error> {
    let file = File::open(path)?;
    let reader = Counting {
        inner: BufReader::with_capacity(64 * 1024, file),
        count: counter,
    };
    let mut workbook = Xlsx::new(reader).map_err(open_error)?;
    let name = choose_sheet(&mut workbook, sheet)?;
    let mut merged = MergedDown::new(
        workbook
            .merge_cells_by_sheet_name(&name)
            .map_err(open_error)?,
    );
    let mut cells = workbook.worksheet_cells_reader(&name).map_err(open_error)?;
    // The header width, once the header has been seen.
    let mut width: Option<usize> = None;
    // Title rows skipped above the header.
    let mut titles = 0;
    let mut pending: Option<Pending> = None;
    // The next sheet row expected after the last one flushed.
    let mut next_row: u32 = 0;
    loop {
        // With each cell's formula, if any: a formula the file carries no computed value for
        // (a workbook written by a program that does not calculate) is not an empty cell.
        let cell = cells
            .next_cell_with_formula_metadata()
            .map_err(|e| match open_error(e) {
                Error::Xlsx(detail) => Error::Xlsx(format!(
                    "worksheet {name:?} after row {}: {detail}",
                    next_row
                )),
                e => e,
            })?;
        let Some(cell) = cell else { break };
        let (row, col) = cell.pos;
        if pending.as_ref().is_some_and(|p| p.row != row)
            && let Some(p) = pending.take()
        {
            if p.row > row {
                return Err(Error::Xlsx(format!(
                    "the cells of worksheet {name:?} are out of order at row {}",
                    row + 1
                )));
            }
            if !flush(
                p,
                &mut width,
                &mut titles,
                &mut next_row,
                limits,
                &mut merged,
                out,
            )? {
                return Ok(());
            }
        }
        let p = pending.get_or_insert_with(|| Pending {
            row,
            cells: vec![String::new(); width.unwrap_or(0)],
            problem: None,
        });
        let rendered = match (&cell.value, &cell.formula) {
            (DataRef::Empty, Some(_)) => Err(CellProblem::FormulaWithoutValue),
            (value, _) => render(value),
        };
        let text = match rendered {
            Ok(text) => text,
            Err(problem) => {
                if p.problem.is_none() {
                    p.problem = Some(Error::Cell {
                        line: u64::from(row) + 1,
                        column: col as usize + 1,
                        cell: format!("{}{}", column_name(col), row + 1),
                        problem,
                    });
                }
                continue;
            }
        };
        if text.is_empty() {
            continue;
        }
        let col = col as usize;
        if text.len() > limits.max_cell_bytes {
            if p.problem.is_none() {
                p.problem = Some(Error::CellTooLarge {
                    line: u64::from(row) + 1,
                    column: col + 1,
                    bytes: text.len(),
                    limit: limits.max_cell_bytes,
                });
            }
            continue;
        }
        match width {
            Some(w) if col >= w => {
                if p.problem.is_none() && !text.trim().is_empty() {
                    p.problem = Some(Error::Malformed {
                        line: u64::from(row) + 1,
                        detail: format!(
                            "cell {}{} has a value ({:?}) right of the last header column {}",
                            column_name(col as u32),
                            row + 1,
                            text.chars().take(40).collect::<String>(),
                            column_name(w.saturating_sub(1) as u32)
                        ),
                    });
                }
            }
            Some(_) => {
                if let Some(slot) = p.cells.get_mut(col) {
                    *slot = text;
                }
            }
            None => {
                if col >= limits.max_columns {
                    return Err(Error::TooManyColumns {
                        count: col + 1,
                        limit: limits.max_columns,
                    });
                }
                if p.cells.len() <= col {
                    p.cells.resize(col + 1, String::new());
                }
                if let Some(slot) = p.cells.get_mut(col) {
                    *slot = text;
                }
            }
        }
    }
    if let Some(p) = pending.take()
        && !flush(
            p,
            &mut width,
            &mut titles,
            &mut next_row,
            limits,
            &mut merged,
            out,
        )?
    {
        return Ok(());
    }
    if width.is_none() {
        return Err(if titles == 0 {
            Error::NoHeader
        } else {
            Error::OnlyTitles { titles }
        });
    }
    out.send(Msg::End);
    Ok(())
}

/// Sends a finished row (or the header). `Ok(false)` when the reader is gone.
fn flush(
    mut p: Pending,
    width: &mut Option<usize>,
    titles: &mut usize,
    next_row: &mut u32,
    limits: Limits,
    merged: &mut MergedDown,
    out: &mut Batcher,
) -> Result<bool, Error> {
    let line = u64::from(p.row) + 1;
    let gap = p.row.saturating_sub(*next_row);
    *next_row = p.row.saturating_add(1);
    if gap > 0 && !out.send(Msg::Blank(u64::from(gap))) {
        return Ok(false);
    }
    let msg = match *width {
        None => {
            if let Some(problem) = p.problem {
                return Err(match problem {
                    Error::Malformed { line, detail } => Error::Malformed {
                        line,
                        detail: format!("in the header row: {detail}"),
                    },
                    e => e,
                });
            }
            let mut headers: Vec<String> = p
                .cells
                .into_iter()
                .map(|h| {
                    let t = h.trim_start_matches('\u{feff}').trim();
                    if t.len() == h.len() { h } else { t.to_owned() }
                })
                .collect();
            while headers.last().is_some_and(String::is_empty) {
                headers.pop();
            }
            if headers.is_empty() {
                Msg::Blank(1)
            } else if let Some(title) = title_row(&headers, line, *titles, limits.title_rows) {
                *titles += 1;
                Msg::Title(title)
            } else if headers.len() > limits.max_columns {
                return Err(Error::TooManyColumns {
                    count: headers.len(),
                    limit: limits.max_columns,
                });
            } else {
                *width = Some(headers.len());
                Msg::Header {
                    line,
                    cells: headers,
                }
            }
        }
        Some(_) => {
            merged.fill(p.row, &mut p.cells);
            match p.problem {
                Some(problem) => Msg::Err(problem),
                None => Msg::Row {
                    line,
                    cells: p.cells,
                },
            }
        }
    };
    Ok(out.send(msg))
}

/// Cells merged down several data rows (a 处罚机关 or 数据来源单位 written once for a run of
/// decisions): Excel keeps the value in the region's first cell only and shows it on every row
/// of the region, so each row below takes it in the region's first column. Regions one row high
/// (merged across columns) change nothing: their value belongs to their first column, which holds
/// it. Regions starting in a title or the header row give no value to the rows below.
struct MergedDown {
    /// Regions more than one row high, by first row, last first (popped as rows arrive).
    waiting: Vec<calamine::Dimensions>,
    /// Regions reached, with the value of their first cell when it is in a data row.
    active: Vec<(calamine::Dimensions, Option<String>)>,
}

impl MergedDown {
    fn new(regions: Vec<calamine::Dimensions>) -> MergedDown {
        let mut waiting: Vec<_> = regions
            .into_iter()
            .filter(|d| d.end.0 > d.start.0 && d.end.1 >= d.start.1)
            .collect();
        waiting.sort_by_key(|d| std::cmp::Reverse(d.start));
        MergedDown {
            waiting,
            active: Vec::new(),
        }
    }

    /// Called for every data row, in order: notes the value of regions starting on `row` and
    /// fills the empty first cells of regions covering it.
    fn fill(&mut self, row: u32, cells: &mut [String]) {
        if self.waiting.is_empty() && self.active.is_empty() {
            return;
        }
        self.active.retain(|(d, _)| d.end.0 >= row);
        while self.waiting.last().is_some_and(|d| d.start.0 <= row) {
            let Some(d) = self.waiting.pop() else { break };
            if d.end.0 < row {
                continue;
            }
            let value = (d.start.0 == row)
                .then(|| cells.get(d.start.1 as usize).cloned())
                .flatten()
                .filter(|v| !v.is_empty());
            self.active.push((d, value));
        }
        for (d, value) in &self.active {
            if d.start.0 == row {
                continue;
            }
            if let (Some(v), Some(slot)) = (value, cells.get_mut(d.start.1 as usize))
                && slot.is_empty()
            {
                slot.clone_from(v);
            }
        }
    }
}

/// A cell as text; `Err` says what is wrong with a cell holding an error.
fn render(value: &DataRef<'_>) -> Result<String, CellProblem> {
    Ok(match value {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Int(i) => i.to_string(),
        // Excel keeps 15 significant digits of a number: a citizen ID, USCC-like code or account
        // number typed into a number cell comes back with its last digits turned to zeros (and
        // about one such ID in ten still passes its check digit). No quantity a catalog asks for
        // has 16 digits, so such a cell is refused rather than stored wrong (chengxin's rule;
        // 国办发〔2015〕51号 (二十三): 「准确、规范、完整地记录和采集」).
        DataRef::Float(f) if f.abs() >= 1e15 => {
            return Err(CellProblem::LongNumber {
                shown: float_text(*f),
            });
        }
        DataRef::Float(f) => float_text(*f),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(dt) => {
            if dt.is_duration() {
                duration_text(dt.as_f64())
            } else {
                let (y, mo, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
                let v = dt.as_f64();
                if (0.0..1.0).contains(&v) {
                    time_text(h, mi, s, ms)
                } else if (h, mi, s, ms) == (0, 0, 0, 0) {
                    format!("{y:04}-{mo:02}-{d:02}")
                } else {
                    format!("{y:04}-{mo:02}-{d:02} {}", time_text(h, mi, s, ms))
                }
            }
        }
        DataRef::DateTimeIso(s) => match s.split_once('T') {
            Some((date, time)) if time.trim_start_matches(['0', ':', '.']).is_empty() => {
                date.to_owned()
            }
            Some((date, time)) => format!("{date} {time}"),
            None => s.clone(),
        },
        DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => {
            return Err(CellProblem::ExcelError {
                value: e.to_string(),
            });
        }
    })
}

fn time_text(h: u8, mi: u8, s: u8, ms: u16) -> String {
    if ms == 0 {
        format!("{h:02}:{mi:02}:{s:02}")
    } else {
        format!("{h:02}:{mi:02}:{s:02}.{ms:03}")
    }
}

fn duration_text(days: f64) -> String {
    let total = (days * 86_400.0).round();
    if !total.is_finite() {
        return float_text(days);
    }
    let sign = if total < 0.0 { "-" } else { "" };
    let total = total.abs() as u64;
    format!(
        "{sign}{}:{:02}:{:02}",
        total / 3600,
        (total / 60) % 60,
        total % 60
    )
}

/// Integers without `.0`; other numbers rounded to 15 significant digits (as
/// Excel shows them) and written in the shortest form that reads back as that
/// value.
pub(crate) fn float_text(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    let rounded: f64 = format!("{f:.14e}").parse().unwrap_or(f);
    if rounded.fract() == 0.0 && rounded.abs() < 1e15 {
        format!("{}", rounded as i64)
    } else {
        format!("{rounded}")
    }
}

/// `0` → `A`, `25` → `Z`, `26` → `AA`.
fn column_name(col: u32) -> String {
    let mut n = u64::from(col) + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        out.push(char::from(b'A' + rem));
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
    }

    #[test]
    fn floats() {
        assert_eq!(float_text(3.0), "3");
        assert_eq!(float_text(-0.0), "0");
        assert_eq!(float_text(0.1 + 0.2), "0.3");
        assert_eq!(float_text(1.5), "1.5");
        assert_eq!(float_text(123456789012.0), "123456789012");
        assert_eq!(float_text(1e20), "100000000000000000000");
        assert_eq!(float_text(-2.25), "-2.25");
    }

    #[test]
    fn durations() {
        assert_eq!(duration_text(1.5), "36:00:00");
        assert_eq!(duration_text(0.5 / 24.0), "0:30:00");
    }
}
