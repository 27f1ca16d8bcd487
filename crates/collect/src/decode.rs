//! The byte stage shared by the CSV and JSON Lines readers: reads the input in
//! chunks, detects the text encoding from the first 64 KiB, strips a byte-order
//! mark and decodes to UTF-8 in a streaming way with `encoding_rs`. A file whose
//! first 64 KiB are plain ASCII is read as UTF-8 until a byte shows otherwise,
//! and as GB18030 from there (ASCII reads the same in both).
//!
//! The decoded text is handed out one chunk at a time in [`Decoded::buf`]; the
//! consumer marks what it used with [`Decoded::pos`] and calls
//! [`Decoded::fill`] for more once it has used everything. Memory stays at a
//! few hundred KiB whatever the file size.

use std::io::{self, Read};

use encoding_rs::{Decoder, DecoderResult};

use crate::{Encoding, Error, Misfiled};

/// How many bytes are read from the input at a time.
const CHUNK: usize = 128 * 1024;
/// How many leading bytes decide between UTF-8 and GB18030.
pub(crate) const SNIFF: usize = 64 * 1024;

/// Why [`Decoded::fill`] could not hand out more text.
#[derive(Debug)]
pub(crate) enum FillError {
    /// The source could not be read.
    Io(io::Error),
    /// The next source byte, at this offset, is not valid in the encoding. `cut_off`: it starts
    /// a character that the end of the file cuts short (a file truncated in copying or upload).
    Invalid { byte_offset: u64, cut_off: bool },
    /// The bytes are valid GB18030 but read as mostly unusual characters (see
    /// [`unlikely_gb18030`]); the string is a sample of that reading.
    Unlikely(String),
}

pub(crate) struct Decoded {
    src: Box<dyn Read + Send>,
    decoder: Decoder,
    encoding: Encoding,
    raw: Vec<u8>,
    raw_pos: usize,
    raw_len: usize,
    src_eof: bool,
    finished: bool,
    /// Decoded text; `buf[..pos]` has been used by the consumer.
    pub(crate) buf: String,
    pub(crate) pos: usize,
    /// Source bytes handed to the decoder so far (including a skipped BOM).
    offset: u64,
    /// Source bytes read so far, for progress reports.
    bytes_read: u64,
    /// A malformed sequence was found at this offset; it is reported once the
    /// text decoded before it has been used.
    pending_invalid: Option<(u64, bool)>,
    /// UTF-8 was a guess from an all-ASCII start, and everything decoded so far
    /// is ASCII: a byte that is not UTF-8 then means GB18030, which reads the
    /// same ASCII the same way, so decoding switches to it there.
    ascii_guess: bool,
}

/// What the first bytes of a file say about it.
pub(crate) enum Sniffed {
    Text(Encoding),
    /// The content is not text at all: what it looks like.
    NotText(Misfiled),
}

impl Decoded {
    /// Reads the first 64 KiB and sets up the decoder. `utf8_only` is for
    /// JSON Lines, which RFC 8259 requires to be UTF-8.
    pub(crate) fn new(mut src: Box<dyn Read + Send>, utf8_only: bool) -> Result<Decoded, Error> {
        let mut raw = vec![0u8; CHUNK];
        let (len, src_eof) = read_up_to(&mut src, &mut raw, 0, SNIFF).map_err(Error::Io)?;
        let head = raw.get(..len).unwrap_or_default();
        let (encoding, bom) = match sniff(head, src_eof) {
            Sniffed::Text(encoding) => (encoding, bom_len(head)),
            Sniffed::NotText(what) => return Err(Error::WrongFormat(what)),
        };
        if !utf8_only
            && encoding == Encoding::Gb18030
            && encoding_bom(head).is_none()
            && let Some(sample) = unlikely_gb18030(head)
        {
            return Err(Error::NotGb18030 { sample });
        }
        let ascii_guess =
            !utf8_only && encoding == Encoding::Utf8 && bom_len(head) == 0 && head.is_ascii();
        let encoding = if utf8_only { Encoding::Utf8 } else { encoding };
        let bom = if utf8_only && encoding_bom(head) != Some(Encoding::Utf8) {
            0
        } else {
            bom
        };
        Ok(Decoded {
            src,
            decoder: encoding.codec().new_decoder_without_bom_handling(),
            encoding,
            raw,
            raw_pos: bom,
            raw_len: len,
            src_eof,
            finished: false,
            buf: String::with_capacity(CHUNK * 3 + 16),
            pos: 0,
            offset: bom as u64,
            bytes_read: len as u64,
            pending_invalid: None,
            ascii_guess,
        })
    }

    pub(crate) fn encoding(&self) -> Encoding {
        self.encoding
    }

    pub(crate) fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// The unused decoded text.
    pub(crate) fn rest(&self) -> &str {
        self.buf.get(self.pos..).unwrap_or_default()
    }

    /// Replaces the used-up text with the next decoded chunk. Returns
    /// `Ok(false)` at the end of the input. Call only once `pos == buf.len()`;
    /// anything left unused is kept in front of the new text.
    pub(crate) fn fill(&mut self) -> Result<bool, FillError> {
        if let Some((byte_offset, cut_off)) = self.pending_invalid {
            return Err(FillError::Invalid {
                byte_offset,
                cut_off,
            });
        }
        if self.pos > 0 {
            self.buf.drain(..self.pos.min(self.buf.len()));
            self.pos = 0;
        }
        let kept = self.buf.len();
        loop {
            if self.finished {
                return Ok(self.buf.len() > kept);
            }
            if self.raw_pos >= self.raw_len && !self.src_eof {
                self.read_raw().map_err(FillError::Io)?;
            }
            let mut end = self.raw_len;
            if self.ascii_guess {
                let ahead = self.raw.get(self.raw_pos..self.raw_len).unwrap_or_default();
                match ahead.iter().position(|b| !b.is_ascii()) {
                    // Decide at the first byte that is not ASCII, before decoding it.
                    Some(0) => {
                        self.settle_encoding()?;
                        end = self.raw_len;
                    }
                    // The ASCII before it first.
                    Some(k) => end = self.raw_pos + k,
                    None => {}
                }
            }
            let input = self.raw.get(self.raw_pos..end).unwrap_or_default();
            let last = self.src_eof && end == self.raw_len;
            let need = self
                .decoder
                .max_utf8_buffer_length_without_replacement(input.len())
                .unwrap_or(input.len().saturating_mul(4))
                .saturating_add(16);
            self.buf.reserve(need);
            let (result, read) =
                self.decoder
                    .decode_to_string_without_replacement(input, &mut self.buf, last);
            self.raw_pos += read;
            self.offset += read as u64;
            match result {
                DecoderResult::InputEmpty => {
                    if last {
                        self.finished = true;
                    }
                    if self.buf.len() > kept {
                        return Ok(true);
                    }
                }
                DecoderResult::OutputFull => {
                    if self.buf.len() > kept {
                        return Ok(true);
                    }
                }
                DecoderResult::Malformed(bad, after) => {
                    let back = u64::from(bad) + u64::from(after);
                    let byte_offset = self.offset.saturating_sub(back);
                    // The last bytes of the file begin a character and nothing follows them.
                    let cut_off = last && after == 0 && self.raw_pos >= end;
                    self.pending_invalid = Some((byte_offset, cut_off));
                    if self.buf.len() > kept {
                        return Ok(true);
                    }
                    return Err(FillError::Invalid {
                        byte_offset,
                        cut_off,
                    });
                }
            }
        }
    }

    /// At the first byte that is not ASCII of a file read as UTF-8 on an all-ASCII start: looks at
    /// up to [`SNIFF`] bytes from there (reading ahead if needed) and decides, as at the start,
    /// between UTF-8 and GB18030. Nothing from this byte on has been decoded yet.
    fn settle_encoding(&mut self) -> Result<(), FillError> {
        self.ascii_guess = false;
        if self.raw_len - self.raw_pos < SNIFF && !self.src_eof {
            self.raw.copy_within(self.raw_pos..self.raw_len, 0);
            self.raw_len -= self.raw_pos;
            self.raw_pos = 0;
            let (len, eof) = read_up_to(&mut self.src, &mut self.raw, self.raw_len, SNIFF)
                .map_err(FillError::Io)?;
            self.bytes_read += (len - self.raw_len) as u64;
            self.raw_len = len;
            self.src_eof = eof;
        }
        let end = self.raw_len.min(self.raw_pos + SNIFF);
        let window = self.raw.get(self.raw_pos..end).unwrap_or_default();
        if utf8_or_gb18030(window, self.src_eof && end == self.raw_len) == Encoding::Gb18030 {
            if let Some(sample) = unlikely_gb18030(window) {
                return Err(FillError::Unlikely(sample));
            }
            self.encoding = Encoding::Gb18030;
            self.decoder = Encoding::Gb18030.codec().new_decoder_without_bom_handling();
        }
        Ok(())
    }

    fn read_raw(&mut self) -> io::Result<()> {
        self.raw_pos = 0;
        self.raw_len = 0;
        loop {
            match self.src.read(&mut self.raw) {
                Ok(0) => {
                    self.src_eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.raw_len = n;
                    self.bytes_read += n as u64;
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

/// The encoding named by a byte-order mark at the start of `head`.
fn encoding_bom(head: &[u8]) -> Option<Encoding> {
    if head.starts_with(b"\xEF\xBB\xBF") {
        Some(Encoding::Utf8)
    } else if head.starts_with(b"\x84\x31\x95\x33") {
        Some(Encoding::Gb18030)
    } else if head.starts_with(b"\xFF\xFE") {
        Some(Encoding::Utf16Le)
    } else if head.starts_with(b"\xFE\xFF") {
        Some(Encoding::Utf16Be)
    } else {
        None
    }
}

fn bom_len(head: &[u8]) -> usize {
    match encoding_bom(head) {
        Some(Encoding::Utf8) => 3,
        Some(Encoding::Gb18030) => 4,
        Some(Encoding::Utf16Le | Encoding::Utf16Be) => 2,
        None => 0,
    }
}

/// Decides the encoding from the first bytes of the file (`complete` when
/// they are the whole file): a BOM wins; otherwise UTF-8 if the bytes are
/// valid UTF-8, allowing a character cut at the end of the sample; otherwise
/// GB18030 (a superset of GBK and GB2312).
pub(crate) fn sniff(head: &[u8], complete: bool) -> Sniffed {
    if head.starts_with(b"PK\x03\x04") {
        return Sniffed::NotText(Misfiled::ZipAsText);
    }
    if head.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        return Sniffed::NotText(Misfiled::LegacyXls);
    }
    if let Some(encoding) = encoding_bom(head) {
        return Sniffed::Text(encoding);
    }
    Sniffed::Text(utf8_or_gb18030(head, complete))
}

/// UTF-8 if `bytes` are valid UTF-8, allowing a character cut at their end unless they run to
/// the end of the file (`complete`); otherwise GB18030 (a superset of GBK and GB2312) — unless
/// GB18030 fails on them sooner than UTF-8 does: a UTF-8 file with one damaged line is then
/// reported as invalid UTF-8 at that line, not as GB18030 failing on its first Chinese word.
///
/// A sample whose valid UTF-8 part already holds [`UTF8_EVIDENCE`] multi-byte characters is
/// UTF-8 with a damaged line (one row pasted in from a GBK file, say), whatever GB18030 makes of
/// it: GBK text almost never runs to a few valid UTF-8 multi-byte characters before its first
/// invalid byte (a GBK pair followed by a lead byte is not a UTF-8 sequence), and reading the
/// file as GB18030 would refuse it whole as probably Big5 without saying where it went wrong.
fn utf8_or_gb18030(bytes: &[u8], complete: bool) -> Encoding {
    match std::str::from_utf8(bytes) {
        Ok(_) => Encoding::Utf8,
        Err(e) if e.error_len().is_none() && !complete => Encoding::Utf8,
        Err(e)
            if bytes
                .get(..e.valid_up_to())
                .unwrap_or_default()
                .iter()
                .filter(|b| **b >= 0xC0)
                .count()
                >= UTF8_EVIDENCE =>
        {
            Encoding::Utf8
        }
        Err(e) => match gb18030_valid_up_to(bytes, complete) {
            Some(gb) if gb < e.valid_up_to() => Encoding::Utf8,
            _ => Encoding::Gb18030,
        },
    }
}

/// How many multi-byte UTF-8 characters before the first invalid byte make a sample UTF-8 (see
/// [`utf8_or_gb18030`]).
const UTF8_EVIDENCE: usize = 8;

/// Text that is not UTF-8 is taken for GB18030, but a Big5 (Traditional Chinese) file is
/// valid GB18030 too and reads as nonsense that would be stored and published. Written
/// Chinese in GB18030 is almost all GB2312 punctuation (rows A1–A3) and hanzi (rows B0–F7);
/// Big5 text read as GB18030 is mostly outside them (about 1 in 5 is inside, against all of a
/// Simplified text and two thirds of a Traditional text saved as GBK). Big5 text also lands in
/// GBK's user-defined areas, which GB18030 maps to the Private Use Area, where nothing a
/// department writes is. And Big5's most frequent hanzi (一, 人, 公, 市, 場…) have lead bytes
/// A4–A8, which GB18030 reads as kana, Greek, Cyrillic and bopomofo (GB2312 rows 4–8), or as
/// user-defined or symbol codes: "odd" here, as they are in a Chinese department's file.
/// `Some(sample of the reading)` when, of the two-byte characters of `bytes`, fewer than 2 in 5
/// of at least 32 are usual, or fewer than 1 in 4 of at least 12, or two or more are private-use
/// and fewer than 3 in 5 are usual (a one-row Big5 file), or at least 3 and a quarter are odd.
pub(crate) fn unlikely_gb18030(bytes: &[u8]) -> Option<String> {
    let (mut pairs, mut usual, mut private, mut odd) = (0usize, 0usize, 0usize, 0usize);
    let mut i = 0;
    while let Some(&lead) = bytes.get(i) {
        if lead < 0x80 {
            i += 1;
            continue;
        }
        let Some(&trail) = bytes.get(i + 1) else {
            break;
        };
        if trail.is_ascii_digit() {
            i += 4; // a four-byte sequence
            continue;
        }
        pairs += 1;
        let high_trail = (0xA1..=0xFE).contains(&trail);
        if (matches!(lead, 0xA1..=0xA3) || (0xB0..=0xF7).contains(&lead)) && high_trail {
            usual += 1;
        }
        // GBK's user-defined areas (GB18030 maps them to U+E000–U+F8FF).
        let private_use = ((matches!(lead, 0xAA..=0xAF) || lead >= 0xF8) && high_trail)
            || ((0xA1..=0xA7).contains(&lead) && (0x40..=0xA0).contains(&trail));
        private += usize::from(private_use);
        odd += usize::from(private_use || (0xA4..=0xA8).contains(&lead));
        i += 2;
    }
    let unlikely = (pairs >= 32 && usual * 5 < pairs * 2)
        || (pairs >= 12 && usual * 4 < pairs)
        || (private >= 2 && usual * 5 < pairs * 3)
        || (odd >= 3 && odd * 4 >= pairs);
    if !unlikely {
        return None;
    }
    let start = bytes.iter().position(|b| *b >= 0x80).unwrap_or(0);
    let end = bytes.len().min(start + 60);
    let (text, _) = encoding_rs::GB18030.decode_without_bom_handling(&bytes[start..end]);
    Some(
        text.chars()
            .filter(|c| !c.is_control())
            .map(|c| {
                if ('\u{E000}'..='\u{F8FF}').contains(&c) {
                    '?'
                } else {
                    c
                }
            })
            .take(12)
            .collect(),
    )
}

/// How many leading bytes of `bytes` are valid GB18030 (`None`: all of them).
fn gb18030_valid_up_to(bytes: &[u8], complete: bool) -> Option<usize> {
    let mut decoder = encoding_rs::GB18030.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(
        decoder
            .max_utf8_buffer_length_without_replacement(bytes.len())
            .unwrap_or(bytes.len() * 3),
    );
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut out, complete);
    match result {
        DecoderResult::Malformed(bad, _) => Some(read.saturating_sub(usize::from(bad))),
        DecoderResult::InputEmpty | DecoderResult::OutputFull => None,
    }
}

/// Reads from `src` into `buf[len..]` until `want` bytes are there, the buffer is full or the
/// source ends; returns the new length and whether the source ended.
fn read_up_to(
    src: &mut Box<dyn Read + Send>,
    buf: &mut [u8],
    mut len: usize,
    want: usize,
) -> io::Result<(usize, bool)> {
    while len < want {
        let Some(dst) = buf.get_mut(len..want.min(buf.len())) else {
            break;
        };
        if dst.is_empty() {
            break;
        }
        match src.read(dst) {
            Ok(0) => return Ok((len, true)),
            Ok(n) => len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok((len, false))
}
