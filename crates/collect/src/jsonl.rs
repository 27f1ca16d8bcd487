//! JSON Lines: one JSON object per line, UTF-8.

use std::collections::HashMap;
use std::fmt;
use std::io::Read;

use memchr::memchr;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::decode::{Decoded, FillError};
use crate::{Error, Limits, Step};

pub(crate) struct JsonlSource {
    dec: Decoded,
    limits: Limits,
    /// The physical line number of the next line.
    next_line: u64,
    line_buf: String,
    /// Key → column. Several keys may name one column (see [`JsonlSource::alias_columns`]).
    columns: HashMap<String, usize>,
    /// Number of columns.
    width: usize,
    /// The first object is both the header and row 1.
    first: Option<(u64, Result<Vec<String>, Error>)>,
    blank_lines: u64,
    ended: bool,
}

pub(crate) struct Opened {
    pub(crate) source: JsonlSource,
    pub(crate) headers: Vec<String>,
    pub(crate) header_line: u64,
}

/// One line of input, held in `line_buf` unless it was too long.
struct Line {
    number: u64,
    /// The line ended with `\n` (the last line of a file may not).
    newline: bool,
    /// Bytes in the line; more than `line_buf` holds when it was too long.
    bytes: usize,
    too_long: bool,
}

/// The entries of a JSON object in their order, values not yet parsed.
struct Entries<'a>(Vec<(String, &'a RawValue)>);

impl<'de> Deserialize<'de> for Entries<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Entries<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries<'de>, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(16).min(1024));
                while let Some(entry) = map.next_entry::<String, &'de RawValue>()? {
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }
        d.deserialize_map(V)
    }
}

impl JsonlSource {
    pub(crate) fn open(input: Box<dyn Read + Send>, limits: Limits) -> Result<Opened, Error> {
        let dec = Decoded::new(input, true)?;
        let mut source = JsonlSource {
            dec,
            limits,
            next_line: 1,
            line_buf: String::new(),
            columns: HashMap::new(),
            width: 0,
            first: None,
            blank_lines: 0,
            ended: false,
        };
        let line = loop {
            let Some(line) = source.next_line()? else {
                return Err(Error::NoHeader);
            };
            if line.too_long {
                return Err(Error::RecordTooLarge {
                    line: line.number,
                    bytes: line.bytes,
                    limit: limits.max_record_bytes,
                });
            }
            if source.line_buf.trim().is_empty() {
                source.blank_lines += 1;
                continue;
            }
            break line;
        };
        let text = source.line_buf.trim();
        let entries = parse_object(text, &line).map_err(|e| match e {
            Error::Malformed { line, detail } if text.starts_with('[') => Error::Malformed {
                line,
                detail: format!(
                    "{detail}; this looks like a JSON array, but the file must be JSON Lines (one object per line)"
                ),
            },
            e => e,
        })?;
        let mut headers: Vec<String> = Vec::with_capacity(entries.0.len());
        for (key, _) in &entries.0 {
            let name = key.trim_start_matches('\u{feff}').trim();
            if source.columns.contains_key(name) {
                return Err(Error::Malformed {
                    line: line.number,
                    detail: format!("key {name:?} appears twice in the object"),
                });
            }
            source.columns.insert(name.to_owned(), headers.len());
            headers.push(name.to_owned());
        }
        if headers.is_empty() {
            return Err(Error::NoHeader);
        }
        if headers.len() > limits.max_columns {
            return Err(Error::TooManyColumns {
                count: headers.len(),
                limit: limits.max_columns,
            });
        }
        let mut cells = vec![String::new(); headers.len()];
        let first = fill_cells(
            &entries,
            &source.columns,
            &mut cells,
            limits,
            line.number,
            1,
        )
        .map(|()| cells);
        source.width = headers.len();
        source.first = Some((line.number, first));
        Ok(Opened {
            source,
            headers,
            header_line: line.number,
        })
    }

    pub(crate) fn bytes_read(&self) -> u64 {
        self.dec.bytes_read()
    }

    /// Accepts `names` as further columns after the first object's keys (each not yet a
    /// column); returns those added, in order. The first object, already read, gets empty cells
    /// for them.
    pub(crate) fn add_columns(&mut self, names: &[&str]) -> Vec<String> {
        let mut added = Vec::new();
        for name in names {
            let name = name.trim();
            if name.is_empty() || self.columns.contains_key(name) {
                continue;
            }
            self.columns.insert(name.to_owned(), self.width);
            self.width += 1;
            added.push(name.to_owned());
        }
        if let Some((_, Ok(first))) = &mut self.first {
            first.resize(self.width, String::new());
        }
        added
    }

    /// Lets later objects name the column of key `of` by any of `aliases` too (each not yet a
    /// key). Nothing happens when `of` is not a key.
    pub(crate) fn alias_columns(&mut self, of: &str, aliases: &[&str]) {
        let Some(&col) = self.columns.get(of.trim()) else {
            return;
        };
        for a in aliases {
            let a = a.trim();
            if !a.is_empty() && !self.columns.contains_key(a) {
                self.columns.insert(a.to_owned(), col);
            }
        }
    }

    pub(crate) fn skipped_blank(&self) -> u64 {
        self.blank_lines
    }

    /// Reads the next object into `cells`; `row` is its data row number.
    pub(crate) fn read(&mut self, cells: &mut Vec<String>, row: u64) -> Result<Step, Error> {
        if let Some((line, first)) = self.first.take() {
            let mut first = first?;
            std::mem::swap(cells, &mut first);
            return Ok(Step::Record(line));
        }
        let line = loop {
            let Some(line) = self.next_line()? else {
                return Ok(Step::End);
            };
            if line.too_long {
                return Err(Error::RecordTooLarge {
                    line: line.number,
                    bytes: line.bytes,
                    limit: self.limits.max_record_bytes,
                });
            }
            if self.line_buf.trim().is_empty() {
                self.blank_lines += 1;
                continue;
            }
            break line;
        };
        let entries = parse_object(self.line_buf.trim(), &line)?;
        cells.resize(self.width, String::new());
        for cell in cells.iter_mut() {
            cell.clear();
        }
        fill_cells(
            &entries,
            &self.columns,
            cells,
            self.limits,
            line.number,
            row,
        )?;
        Ok(Step::Record(line.number))
    }

    /// Reads the next line into `line_buf` (without its `\n`); `None` at the
    /// end. A line over the record limit is skipped without being stored.
    fn next_line(&mut self) -> Result<Option<Line>, Error> {
        self.line_buf.clear();
        if self.ended {
            return Ok(None);
        }
        let number = self.next_line;
        let limit = self.limits.max_record_bytes;
        let mut bytes = 0usize;
        let mut any = false;
        loop {
            let rest = self.dec.rest();
            if !rest.is_empty() {
                any = true;
            }
            let end = memchr(b'\n', rest.as_bytes());
            let seg = rest.get(..end.unwrap_or(rest.len())).unwrap_or_default();
            bytes = bytes.saturating_add(seg.len());
            if bytes <= limit {
                self.line_buf.push_str(seg);
            }
            self.dec.pos += seg.len();
            if end.is_some() {
                self.dec.pos += 1;
                self.next_line += 1;
                return Ok(Some(Line {
                    number,
                    newline: true,
                    bytes,
                    too_long: bytes > limit,
                }));
            }
            let more = self.dec.fill().map_err(|e| match e {
                FillError::Io(e) => Error::Io(e),
                FillError::Unlikely(sample) => Error::NotGb18030 { sample },
                FillError::Invalid {
                    byte_offset,
                    cut_off: true,
                } => Error::cut_in_a_character(number, byte_offset),
                FillError::Invalid { byte_offset, .. } => Error::Encoding {
                    encoding: "UTF-8",
                    byte_offset,
                    line: number,
                },
            })?;
            if !more {
                self.ended = true;
                if !any {
                    return Ok(None);
                }
                return Ok(Some(Line {
                    number,
                    newline: false,
                    bytes,
                    too_long: bytes > limit,
                }));
            }
        }
    }
}

/// Parses one line as a JSON object, keeping its entries in order.
fn parse_object<'a>(text: &'a str, line: &Line) -> Result<Entries<'a>, Error> {
    serde_json::from_str::<Entries<'a>>(text).map_err(|e| {
        let message = chengxin_catalog::plain_serde_message(&e.to_string());
        let message = match message.rfind(" at line ") {
            Some(at) => message.get(..at).unwrap_or(&message).to_owned(),
            None => message,
        };
        if e.is_eof() && !line.newline {
            Error::Truncated {
                line: line.number,
                detail: format!(
                    "the last line ends in the middle of a JSON object ({message}, column {})",
                    e.column()
                ),
                detail_zh: format!(
                    "最后一行在一个 JSON 对象的中间结束（第 {} 个字符处）",
                    e.column()
                ),
            }
        } else {
            Error::Malformed {
                line: line.number,
                detail: format!("not a valid JSON object: {message} (column {})", e.column()),
            }
        }
    })
}

/// Puts the values of `entries` into `cells` (all empty on entry) by column.
fn fill_cells(
    entries: &Entries<'_>,
    columns: &HashMap<String, usize>,
    cells: &mut [String],
    limits: Limits,
    line: u64,
    row: u64,
) -> Result<(), Error> {
    let mut seen = vec![false; cells.len()];
    for (key, raw) in &entries.0 {
        let name = key.trim();
        let Some(&col) = columns.get(name) else {
            return Err(Error::UnknownKey {
                row,
                line,
                key: key.clone(),
            });
        };
        if let Some(seen) = seen.get_mut(col) {
            if *seen {
                return Err(Error::Malformed {
                    line,
                    detail: format!("data row {row}: key {name:?} appears twice in the object"),
                });
            }
            *seen = true;
        }
        let text = raw.get();
        let value = match text.as_bytes().first() {
            Some(b'"') => serde_json::from_str::<String>(text).map_err(|e| Error::Malformed {
                line,
                detail: format!("data row {row}, key {name:?}: {e}"),
            })?,
            Some(b'n') => String::new(),
            Some(b'[' | b'{') => {
                return Err(Error::NestedValue {
                    row,
                    line,
                    column: col + 1,
                    key: name.to_owned(),
                    array: text.starts_with('['),
                });
            }
            // Numbers as their JSON text, `true` and `false` as such.
            _ => text.to_owned(),
        };
        if value.len() > limits.max_cell_bytes {
            return Err(Error::CellTooLarge {
                line,
                column: col + 1,
                bytes: value.len(),
                limit: limits.max_cell_bytes,
            });
        }
        if let Some(cell) = cells.get_mut(col) {
            *cell = value;
        }
    }
    Ok(())
}
