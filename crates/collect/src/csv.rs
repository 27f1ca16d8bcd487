//! An RFC 4180 CSV parser over the decoded text of [`Decoded`].
//!
//! It is written here rather than taken from the `csv` crate because the
//! reader needs what that crate does not expose: whether the input ended
//! inside a quoted field (a cut-off upload), the physical line where each
//! record starts even after blank lines and `\r\n`, and a cap on the size of a
//! cell that is enforced while the cell is read, so that memory stays bounded.
//! Unquoted fields are found with `memchr`, so the parser runs at several
//! hundred MB/s.

use std::io::Read;

use memchr::{memchr, memchr_iter, memchr3};

use crate::decode::{Decoded, FillError};
use crate::{Encoding, Error, Limits, Step, TitleRow, title_row};

pub(crate) struct CsvSource {
    dec: Decoded,
    delim: u8,
    /// The physical line (1-based) of the next unread byte.
    line: u64,
    /// The last record ended with `\r`, so a `\n` right after it is part of
    /// its line break rather than an empty line.
    after_cr: bool,
    limits: Limits,
    /// Holds the cells past the header width while a record is read.
    scratch: String,
    blank_lines: u64,
    /// Cells the last record read had (it may have fewer than the header).
    last_cells: usize,
}

pub(crate) struct Opened {
    pub(crate) source: CsvSource,
    pub(crate) headers: Vec<String>,
    pub(crate) header_line: u64,
    pub(crate) skipped_blank: u64,
    pub(crate) titles: Vec<TitleRow>,
}

/// Where the parser is inside a record.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    /// Between records: line breaks are skipped here.
    RecordStart,
    /// At the first byte of a field.
    FieldStart,
    /// Inside a field that did not start with a quote.
    Unquoted,
    /// Inside a quoted field.
    Quoted,
    /// Just after a quote inside a quoted field: either `""` or the end.
    QuoteInQuoted,
}

/// What [`CsvSource::parse`] found.
struct Record {
    line: u64,
    /// Cells in the record, including those past the width.
    cells: usize,
    /// The record ended at the end of the file, without a line break.
    at_eof: bool,
    /// A row error met while reading it (a cell or row too large).
    problem: Option<Error>,
    /// The first non-empty cell past the width: its index and a preview.
    extra: Option<(usize, String)>,
}

/// Collects the cells of one record into the caller's strings.
struct Cells<'a> {
    cells: &'a mut Vec<String>,
    scratch: &'a mut String,
    width: usize,
    limits: Limits,
    col: usize,
    cell_line: u64,
    cell_bytes: usize,
    record_bytes: usize,
    discard_cell: bool,
    discard_record: bool,
    problem: Option<Error>,
    extra: Option<(usize, String)>,
}

impl Cells<'_> {
    fn begin(&mut self, line: u64) {
        self.cell_line = line;
        self.cell_bytes = 0;
        self.discard_cell = false;
        if self.col >= self.width {
            self.scratch.clear();
        } else if let Some(cell) = self.cells.get_mut(self.col) {
            cell.clear();
        } else {
            self.cells.push(String::new());
        }
    }

    #[inline]
    fn push(&mut self, seg: &str) {
        if seg.is_empty() {
            return;
        }
        self.cell_bytes = self.cell_bytes.saturating_add(seg.len());
        if self.discard_cell || self.discard_record {
            return;
        }
        if self.cell_bytes > self.limits.max_cell_bytes {
            self.discard_cell = true;
            self.target().clear();
            if self.problem.is_none() {
                self.problem = Some(Error::CellTooLarge {
                    line: self.cell_line,
                    column: self.col + 1,
                    bytes: self.cell_bytes,
                    limit: self.limits.max_cell_bytes,
                });
            }
            return;
        }
        self.record_bytes = self.record_bytes.saturating_add(seg.len());
        if self.record_bytes > self.limits.max_record_bytes {
            self.discard_record = true;
            if self.problem.is_none() {
                self.problem = Some(Error::RecordTooLarge {
                    line: self.cell_line,
                    bytes: self.record_bytes,
                    limit: self.limits.max_record_bytes,
                });
            }
            return;
        }
        let target = self.target();
        if target.capacity() == 0 {
            *target = String::from(seg);
        } else {
            target.push_str(seg);
        }
    }

    #[inline]
    fn target(&mut self) -> &mut String {
        if self.col < self.width
            && let Some(cell) = self.cells.get_mut(self.col)
        {
            return cell;
        }
        self.scratch
    }

    fn end(&mut self) {
        if self.discard_cell
            && let Some(Error::CellTooLarge { column, bytes, .. }) = &mut self.problem
            && *column == self.col + 1
        {
            *bytes = self.cell_bytes;
        }
        if self.col >= self.width
            && self.extra.is_none()
            && (self.discard_cell || !self.scratch.trim().is_empty())
        {
            let preview: String = self.scratch.trim().chars().take(40).collect();
            self.extra = Some((self.col, preview));
        }
        self.col += 1;
    }
}

impl CsvSource {
    /// Sets up decoding, picks the delimiter and reads the header: the first
    /// record that has a non-empty cell, after at most [`Limits::title_rows`] records holding a
    /// single non-empty cell (titles, see [`crate::Reader::titles`]).
    pub(crate) fn open(input: Box<dyn Read + Send>, limits: Limits) -> Result<Opened, Error> {
        let dec = Decoded::new(input, false)?;
        let mut source = CsvSource {
            dec,
            delim: b',',
            line: 1,
            after_cr: false,
            limits,
            scratch: String::new(),
            blank_lines: 0,
            last_cells: 0,
        };
        source.refill()?;
        source.delim = pick_delimiter(source.dec.rest(), limits.title_rows);
        let mut skipped_blank = 0;
        let width = limits.max_columns;
        let mut headers = Vec::new();
        let mut titles = Vec::new();
        loop {
            headers.clear();
            let Some(record) = source.parse(&mut headers, width)? else {
                return Err(if titles.is_empty() {
                    Error::NoHeader
                } else {
                    Error::OnlyTitles {
                        titles: titles.len(),
                    }
                });
            };
            if record.cells > width {
                return Err(Error::TooManyColumns {
                    count: record.cells,
                    limit: width,
                });
            }
            if let Some(problem) = record.problem {
                return Err(problem);
            }
            for (i, h) in headers.iter_mut().enumerate() {
                let name = if i == 0 {
                    h.trim_start_matches('\u{feff}').trim()
                } else {
                    h.trim()
                };
                if name.len() != h.len() {
                    *h = name.to_owned();
                }
            }
            while headers.last().is_some_and(String::is_empty) {
                headers.pop();
            }
            if headers.is_empty() {
                skipped_blank += 1;
                continue;
            }
            if let Some(title) = title_row(&headers, record.line, titles.len(), limits.title_rows) {
                titles.push(title);
                continue;
            }
            return Ok(Opened {
                source,
                headers,
                header_line: record.line,
                skipped_blank,
                titles,
            });
        }
    }

    pub(crate) fn last_cells(&self) -> usize {
        self.last_cells
    }

    pub(crate) fn encoding(&self) -> Encoding {
        self.dec.encoding()
    }

    pub(crate) fn bytes_read(&self) -> u64 {
        self.dec.bytes_read()
    }

    pub(crate) fn skipped_blank(&self) -> u64 {
        self.blank_lines
    }

    /// Reads the next data record into `cells`, which ends up with `width`
    /// strings (reused when it had them).
    pub(crate) fn read(&mut self, cells: &mut Vec<String>, width: usize) -> Result<Step, Error> {
        cells.truncate(width);
        let parsed = self.parse(cells, width);
        if cells.len() < width {
            cells.reserve_exact(width - cells.len());
            while cells.len() < width {
                cells.push(String::new());
            }
        }
        let Some(record) = parsed? else {
            return Ok(Step::End);
        };
        self.last_cells = record.cells;
        if let Some(problem) = record.problem {
            return Err(problem);
        }
        if let Some((col, preview)) = record.extra {
            return Err(Error::Malformed {
                line: record.line,
                detail: format!(
                    "the record has {} cells but the header has {} columns (cell {} is {:?})",
                    record.cells,
                    width,
                    col + 1,
                    preview
                ),
            });
        }
        if record.at_eof && record.cells < width {
            return Err(Error::Truncated {
                line: record.line,
                detail: format!(
                    "the last record has {} of {} cells and no line break at its end",
                    record.cells, width
                ),
                detail_zh: format!(
                    "最后一行只有 {} 个单元格（表头有 {} 列），且行末没有换行",
                    record.cells, width
                ),
            });
        }
        Ok(Step::Record(record.line))
    }

    /// Decodes the next chunk; `Ok(false)` at the end of the input.
    fn refill(&mut self) -> Result<bool, Error> {
        refill(&mut self.dec, self.line)
    }

    /// Parses one record into `cells`: cells `0..width` go into `cells`
    /// (reusing its strings, growing it up to `width` when it is shorter),
    /// later ones are only looked at. Cells of `cells` that the record lacks
    /// are cleared, or, when it was shorter, not added. `Ok(None)` at the end.
    fn parse(&mut self, cells: &mut Vec<String>, width: usize) -> Result<Option<Record>, Error> {
        let delim = self.delim;
        let initial_len = cells.len();
        let mut acc = Cells {
            cells,
            scratch: &mut self.scratch,
            width,
            limits: self.limits,
            col: 0,
            cell_line: self.line,
            cell_bytes: 0,
            record_bytes: 0,
            discard_cell: false,
            discard_record: false,
            problem: None,
            extra: None,
        };
        let mut state = State::RecordStart;
        let mut record_line = self.line;
        let mut at_eof = false;
        'record: loop {
            let text = self.dec.rest();
            let bytes = text.as_bytes();
            let mut i = 0;
            while i < bytes.len() {
                match state {
                    State::RecordStart => match bytes.get(i) {
                        Some(b'\n') => {
                            i += 1;
                            self.line += 1;
                            if self.after_cr {
                                self.after_cr = false;
                            } else {
                                self.blank_lines += 1;
                            }
                        }
                        Some(b'\r') => {
                            i += 1;
                            self.blank_lines += 1;
                            self.after_cr = true;
                        }
                        _ => {
                            self.after_cr = false;
                            record_line = self.line;
                            state = State::FieldStart;
                        }
                    },
                    State::FieldStart => {
                        acc.begin(self.line);
                        if bytes.get(i) == Some(&b'"') {
                            i += 1;
                            state = State::Quoted;
                        } else {
                            state = State::Unquoted;
                        }
                    }
                    // The hot path: unquoted fields one after another, without
                    // going back through the state dispatch between them.
                    State::Unquoted => loop {
                        let rest = bytes.get(i..).unwrap_or_default();
                        let Some(k) = memchr3(delim, b'\n', b'\r', rest) else {
                            acc.push(text.get(i..).unwrap_or_default());
                            i = bytes.len();
                            break;
                        };
                        acc.push(text.get(i..i + k).unwrap_or_default());
                        let b = rest.get(k).copied().unwrap_or(b'\n');
                        i += k + 1;
                        acc.end();
                        if b != delim {
                            if b == b'\n' {
                                self.line += 1;
                            } else {
                                self.after_cr = true;
                            }
                            self.dec.pos += i;
                            break 'record;
                        }
                        match bytes.get(i) {
                            None => {
                                state = State::FieldStart;
                                break;
                            }
                            Some(b'"') => {
                                acc.begin(self.line);
                                i += 1;
                                state = State::Quoted;
                                break;
                            }
                            Some(_) => acc.begin(self.line),
                        }
                    },
                    State::Quoted => {
                        let rest = bytes.get(i..).unwrap_or_default();
                        let k = memchr(b'"', rest).unwrap_or(rest.len());
                        let seg = rest.get(..k).unwrap_or_default();
                        self.line += memchr_iter(b'\n', seg).count() as u64;
                        acc.push(text.get(i..i + k).unwrap_or_default());
                        if k < rest.len() {
                            i += k + 1;
                            state = State::QuoteInQuoted;
                        } else {
                            i = bytes.len();
                        }
                    }
                    State::QuoteInQuoted => match bytes.get(i).copied() {
                        Some(b'"') => {
                            acc.push("\"");
                            i += 1;
                            state = State::Quoted;
                        }
                        Some(b) if b == delim => {
                            i += 1;
                            acc.end();
                            state = State::FieldStart;
                        }
                        Some(b'\n') => {
                            i += 1;
                            self.line += 1;
                            acc.end();
                            self.dec.pos += i;
                            break 'record;
                        }
                        Some(b'\r') => {
                            i += 1;
                            self.after_cr = true;
                            acc.end();
                            self.dec.pos += i;
                            break 'record;
                        }
                        // Text after the closing quote is kept, as most
                        // spreadsheet programs do.
                        _ => state = State::Unquoted,
                    },
                }
            }
            self.dec.pos += i;
            if refill(&mut self.dec, self.line)? {
                continue;
            }
            // The end of the input.
            match state {
                State::RecordStart => return Ok(None),
                State::FieldStart => {
                    acc.begin(self.line);
                    acc.end();
                }
                State::Unquoted | State::QuoteInQuoted => acc.end(),
                State::Quoted => {
                    return Err(Error::Truncated {
                        line: record_line,
                        detail: format!(
                            "the file ends inside the quoted cell in column {} that starts on line {}: the upload may be cut off, or a quote is not closed",
                            acc.col + 1,
                            acc.cell_line
                        ),
                        detail_zh: format!(
                            "文件在第 {} 行开始的第 {} 列带引号的单元格中结束：上传可能被截断，或引号没有闭合",
                            acc.cell_line,
                            acc.col + 1
                        ),
                    });
                }
            }
            at_eof = true;
            break;
        }
        let n = acc.col;
        let problem = acc.problem.take();
        let extra = acc.extra.take();
        let cells = acc.cells;
        if n < initial_len {
            for cell in cells.iter_mut().skip(n) {
                cell.clear();
            }
        }
        Ok(Some(Record {
            line: record_line,
            cells: n,
            at_eof,
            problem,
            extra,
        }))
    }
}

/// Decodes the next chunk; `Ok(false)` at the end of the input. `line` is the
/// line of the next unread byte, for an encoding error.
fn refill(dec: &mut Decoded, line: u64) -> Result<bool, Error> {
    dec.fill().map_err(|e| match e {
        FillError::Io(e) => Error::Io(e),
        FillError::Unlikely(sample) => Error::NotGb18030 { sample },
        FillError::Invalid {
            byte_offset,
            cut_off: true,
        } => Error::cut_in_a_character(line, byte_offset),
        FillError::Invalid { byte_offset, .. } => Error::Encoding {
            encoding: dec.encoding().name(),
            byte_offset,
            line,
        },
    })
}

/// `\t` when the first non-blank line has a tab and no comma, else `,`.
fn pick_delimiter(text: &str, title_rows: usize) -> u8 {
    // The first line with a comma or a tab decides: a title line above the header has neither.
    let first = text
        .split('\n')
        .filter(|l| !l.trim().is_empty())
        .take(title_rows + 1)
        .find(|l| l.contains([',', '\t']))
        .unwrap_or_default();
    if first.contains('\t') && !first.contains(',') {
        b'\t'
    } else {
        b','
    }
}
