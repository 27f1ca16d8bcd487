#![allow(dead_code)]

use std::io::{Cursor, Read};
use std::path::PathBuf;

use chengxin_collect::{Error, Format, Limits, Reader, Row};

/// Every row or error of `bytes` read as `format` with default limits.
pub fn read_all(bytes: &[u8], format: Format) -> (Reader, Vec<Result<Row, Error>>) {
    read_all_with(bytes, format, Limits::default())
}

pub fn read_all_with(
    bytes: &[u8],
    format: Format,
    limits: Limits,
) -> (Reader, Vec<Result<Row, Error>>) {
    let mut reader =
        Reader::new(Cursor::new(bytes.to_vec()), format, limits).expect("the header is readable");
    let rows = drain(&mut reader);
    (reader, rows)
}

/// A reader of `bytes` with the default limits, nothing read past the header yet.
pub fn open(bytes: &[u8], format: Format) -> Reader {
    Reader::new(Cursor::new(bytes.to_vec()), format, Limits::default())
        .expect("the header is readable")
}

pub fn drain(reader: &mut Reader) -> Vec<Result<Row, Error>> {
    let mut rows = Vec::new();
    while let Some(row) = reader.next_row() {
        rows.push(row);
    }
    rows
}

/// The cells of the rows, panicking on any error.
pub fn cells(rows: &[Result<Row, Error>]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| r.as_ref().expect("no row error").cells.clone())
        .collect()
}

/// The title rows a reader skipped, as (line, text).
pub fn titles(reader: &Reader) -> Vec<(u64, &str)> {
    reader
        .titles()
        .iter()
        .map(|t| (t.line, t.text.as_str()))
        .collect()
}

pub fn strs(rows: &[&[&str]]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| r.iter().map(|s| (*s).to_owned()).collect())
        .collect()
}

/// A fresh path in the temporary directory.
pub fn temp_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("chengxin-collect-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir.join(name)
}

/// A reader that hands out at most `step` bytes per read, to cut the input
/// at every possible place.
pub struct Trickle {
    pub data: Cursor<Vec<u8>>,
    pub step: usize,
}

impl Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.step.max(1));
        self.data.read(&mut buf[..n])
    }
}
