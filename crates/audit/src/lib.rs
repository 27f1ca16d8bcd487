//! The tamper-evident audit log (审计日志) of chengxin: what an entry holds, its canonical byte
//! encoding, the SHA-256 hash chain and its verification. Pure: no I/O, no clock — the time of an
//! entry is passed in; storage lives in `chengxin-store`, the command in `chengxin audit verify`.
//!
//! Why it exists (issue 3 §3). Every write, and every read of non-public data, appends one entry
//! saying who did what to which subject or record, for what stated purpose, under which request,
//! when, and how it ended — refusals and failures included, and a check that found nothing is
//! logged as completely as one that found something. The legal basis:
//!
//! - 发改财金规〔2017〕1798号 (二十四) 保护个人隐私: 「明确个人信息查询使用权限和程序……建立完善
//!   个人信息查询使用登记和审查制度，防止信息泄露」 — every read of personal data is registered
//!   (登记) and can be reviewed (审查);
//! - 同上 (二十五) 保障信息安全: 「建立健全并严格执行保障信息安全的规章制度」 — the register itself
//!   must be safe against alteration, hence the hash chain;
//! - 国办发〔2020〕49号 (十三) 加强信用信息安全管理: 「明确信息查询使用权限和程序，建立完善信息
//!   查询使用登记和审查制度，防止信息泄露」 and 「严肃查处泄露、篡改、毁损、窃取信用信息……等行为」;
//!   (十四) 加大个人隐私保护力度 (合法、正当、必要、最小化; 明示收集使用信息的目的) — hence the
//!   stated purpose in every entry.
//!
//! The chain. Entry `n` (numbered from 1 without gaps) stores `prev_hash` = the hash of entry
//! `n-1` ([`Hash::GENESIS`], all zeros, for entry 1) and `hash` = [`entry_hash`]: SHA-256 over
//! `prev_hash` and a canonical, unambiguous encoding of `n` and every field in a fixed order. Any
//! change, insertion, deletion or reordering of stored entries breaks either a hash, a link or the
//! numbering at the first affected entry, and [`verify`] names it. A deleted *tail* leaves no
//! broken link; the store therefore keeps the chain [`Head`] (last seq and hash) beside the log
//! and [`Verifier::finish`] compares it.
//!
//! What a hash chain cannot do: someone able to rewrite the whole log *and* its head from the
//! altered entry onward can recompute a consistent chain. Publishing or countersigning the head
//! from time to time (outside this crate) closes that gap.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

/// How the audited action ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Done as asked (a read that found nothing is still `Allowed`).
    Allowed,
    /// Refused by a rule: no permission, no stated purpose, invalid input…
    Refused,
    /// Attempted but failed (a database error, a conflict).
    Failed,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Outcome::Allowed, Outcome::Refused, Outcome::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::Refused => "refused",
            Outcome::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An entry to append: everything but its place in the chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewEntry {
    /// When it happened. Kept to the microsecond (what both databases store); see
    /// [`truncate_to_micros`].
    pub at: DateTime<Utc>,
    /// Who: the authenticated user or service account.
    pub actor: String,
    /// The role under which the actor acted.
    pub role: String,
    /// The actor's department (部门), when known.
    pub department: Option<String>,
    /// What was done, a stable code such as `subject.register` or `subject.read_private`.
    pub action: String,
    /// The subject or record acted upon (a subject key, `case:17`…); `None` for actions on no
    /// single record (a search).
    pub target: Option<String>,
    /// The purpose the actor stated (查询事由), required for reads of non-public data.
    pub purpose: Option<String>,
    /// The request that caused it, to join the entry with server logs.
    pub request_id: String,
    pub outcome: Outcome,
    /// Free text: why it was refused, what a search asked, how many records it returned…
    pub detail: Option<String>,
}

/// The most characters kept of each free field of an entry ([`NewEntry::normalized`]).
pub mod limits {
    pub const ACTOR: usize = 128;
    pub const ROLE: usize = 64;
    pub const DEPARTMENT: usize = 64;
    pub const ACTION: usize = 256;
    pub const TARGET: usize = 256;
    pub const PURPOSE: usize = 512;
    pub const REQUEST_ID: usize = 128;
    pub const DETAIL: usize = 4_000;
}

impl NewEntry {
    /// The entry as it is stored and hashed:
    /// - its time cut to whole microseconds;
    /// - its free text (actor, action, target, purpose, detail) with citizen ID, travel document
    ///   and phone numbers masked
    ///   (`chengxin_codes::mask::redact`): what a caller typed (a user name at a failed sign-in,
    ///   a path, a reason) is kept in the log for good, and auditors may read the log but never
    ///   personal information;
    /// - every text field at most its [`limits`], the rest replaced by a note of how much was
    ///   cut: a refused request is logged with what it sent, and a megabyte user name must not
    ///   become a megabyte entry (a way to fill the disk without signing in).
    ///
    /// Applying it again changes nothing.
    pub fn normalized(mut self) -> NewEntry {
        self.at = truncate_to_micros(self.at);
        self.actor = bounded(&self.actor, limits::ACTOR);
        self.role = cut(self.role, limits::ROLE);
        self.department = self.department.map(|d| cut(d, limits::DEPARTMENT));
        self.action = bounded(&self.action, limits::ACTION);
        self.target = self.target.map(|t| bounded(&t, limits::TARGET));
        self.purpose = self.purpose.map(|p| bounded(&p, limits::PURPOSE));
        self.request_id = cut(self.request_id, limits::REQUEST_ID);
        self.detail = self.detail.map(|d| bounded(&d, limits::DETAIL));
        self
    }
}

/// `text` cut to at most `max` characters, unmasked (a role, a department code, a request id:
/// set by the system, not typed).
fn cut(text: String, max: usize) -> String {
    if text.chars().count() <= max {
        return text;
    }
    text.chars().take(max).collect()
}

/// `text` masked and cut to at most `max` characters (see [`NewEntry::normalized`]).
fn bounded(text: &str, max: usize) -> String {
    let chars = text.chars().count();
    // Masking looks at the whole text: cut it first to what can matter (a number cut at this
    // point lies beyond what is kept), masking a megabyte would take long.
    let head: String = text.chars().take(max + 64).collect();
    let masked = chengxin_codes::mask::redact(&head);
    let masked_chars = masked.chars().count();
    if chars <= max && masked_chars <= max {
        return masked;
    }
    let note = format!("…[截断，共 {chars} 字符 / cut, {chars} characters]");
    let keep = max.saturating_sub(note.chars().count());
    let mut out: String = masked.chars().take(keep).collect();
    out.push_str(&note);
    out
}

/// `t` without its sub-microsecond part (both stores keep microseconds; the hash covers
/// microseconds since the Unix epoch).
pub fn truncate_to_micros(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
}

/// A SHA-256 value. Shown, stored and parsed as 64 lower-case hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hash(pub [u8; 32]);

const HEX: &[u8; 16] = b"0123456789abcdef";

impl Hash {
    /// The `prev_hash` of entry 1: all zeros.
    pub const GENESIS: Hash = Hash([0; 32]);

    /// Writes the 64 lower-case hex digits into `out` and returns them as text.
    pub fn encode_hex<'a>(&self, out: &'a mut [u8; 64]) -> &'a str {
        for (i, b) in self.0.iter().enumerate() {
            out[2 * i] = HEX[usize::from(b >> 4)];
            out[2 * i + 1] = HEX[usize::from(b & 0x0f)];
        }
        // Only ASCII hex digits were written.
        std::str::from_utf8(out).unwrap_or_default()
    }

    pub fn to_hex(&self) -> String {
        let mut buf = [0u8; 64];
        self.encode_hex(&mut buf).to_string()
    }

    /// Parses 64 lower-case hex digits (the one stored form; upper case is refused so that a
    /// stored hash has exactly one spelling).
    pub fn from_hex(s: &str) -> Result<Hash, HashParseError> {
        let b = s.as_bytes();
        if b.len() != 64 {
            return Err(HashParseError::Length(b.len()));
        }
        let mut out = [0u8; 32];
        let mut bad = 0u8;
        for (o, pair) in out.iter_mut().zip(b.chunks_exact(2)) {
            let (hi, lo) = (UNHEX[usize::from(pair[0])], UNHEX[usize::from(pair[1])]);
            bad |= (hi | lo) & 0x80;
            *o = (hi << 4) | (lo & 0x0f);
        }
        if bad != 0 {
            let at = b.iter().position(|&c| UNHEX[usize::from(c)] & 0x80 != 0);
            return Err(HashParseError::Digit(at.unwrap_or(0)));
        }
        Ok(Hash(out))
    }
}

/// Lower-case hex digit → its value; 0x80 for every other byte.
const UNHEX: [u8; 256] = {
    let mut t = [0x80u8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; 64];
        f.write_str(self.encode_hex(&mut buf))
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({self})")
    }
}

impl FromStr for Hash {
    type Err = HashParseError;
    fn from_str(s: &str) -> Result<Hash, HashParseError> {
        Hash::from_hex(s)
    }
}

impl Serialize for Hash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; 64];
        s.serialize_str(self.encode_hex(&mut buf))
    }
}

impl<'de> Deserialize<'de> for Hash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Hash, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Hash::from_hex(&s).map_err(serde::de::Error::custom)
    }
}

/// Why a text is not a [`Hash`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HashParseError {
    #[error("a hash is 64 lower-case hex digits, not {0} characters")]
    Length(usize),
    #[error("character {} of the hash is not a lower-case hex digit", .0 + 1)]
    Digit(usize),
}

/// An entry in its place in the chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Entry {
    /// Its number: 1, 2, 3… without gaps.
    pub seq: i64,
    #[serde(flatten)]
    pub entry: NewEntry,
    /// The hash of entry `seq - 1` ([`Hash::GENESIS`] for entry 1).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub prev_hash: Hash,
    /// [`entry_hash`]`(prev_hash, seq, entry)`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub hash: Hash,
}

/// The end of the chain: the last entry's number and hash (`0` and [`Hash::GENESIS`] when the
/// log is empty). The next entry gets `seq + 1` and links to `hash`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Head {
    pub seq: i64,
    pub hash: Hash,
}

impl Head {
    /// The head of an empty log.
    pub const EMPTY: Head = Head {
        seq: 0,
        hash: Hash::GENESIS,
    };

    /// Seals `e` as the entry after this head (its time cut to microseconds first).
    pub fn append(&self, e: NewEntry) -> Entry {
        let entry = e.normalized();
        let seq = self.seq.saturating_add(1);
        let hash = entry_hash(&self.hash, seq, &entry);
        Entry {
            seq,
            entry,
            prev_hash: self.hash,
            hash,
        }
    }

    /// The head once `e` is appended.
    pub fn after(e: &Entry) -> Head {
        Head {
            seq: e.seq,
            hash: e.hash,
        }
    }
}

/// Domain separation: these bytes start every hashed message, and change with the encoding.
const DOMAIN: &[u8] = b"chengxin-audit-entry/v1\0";

/// Feeds the canonical encoding to `out`, field by field, in this fixed order:
///
/// `DOMAIN ‖ prev (32 bytes) ‖ seq (i64 BE) ‖ at (i64 BE, µs since 1970-01-01T00:00Z) ‖ actor ‖
/// role ‖ department? ‖ action ‖ target? ‖ purpose? ‖ request_id ‖ outcome ‖ detail?`
///
/// where a text is its UTF-8 length as u64 BE then its bytes, and an optional text (`?`) is one
/// byte 0 (absent) or 1 (present) followed by the text. Every field's extent is known from the
/// bytes before it, so the encoding is injective: no two different entries share it.
fn encode(prev: &Hash, seq: i64, e: &NewEntry, out: &mut impl FnMut(&[u8])) {
    fn text(out: &mut impl FnMut(&[u8]), s: &str) {
        out(&(s.len() as u64).to_be_bytes());
        out(s.as_bytes());
    }
    fn opt(out: &mut impl FnMut(&[u8]), s: Option<&str>) {
        match s {
            None => out(&[0]),
            Some(s) => {
                out(&[1]);
                text(out, s);
            }
        }
    }
    out(DOMAIN);
    out(&prev.0);
    out(&seq.to_be_bytes());
    out(&e.at.timestamp_micros().to_be_bytes());
    text(out, &e.actor);
    text(out, &e.role);
    opt(out, e.department.as_deref());
    text(out, &e.action);
    opt(out, e.target.as_deref());
    opt(out, e.purpose.as_deref());
    text(out, &e.request_id);
    text(out, e.outcome.as_str());
    opt(out, e.detail.as_deref());
}

/// The exact bytes [`entry_hash`] hashes (for tests and for anyone re-implementing the check).
pub fn canonical_bytes(prev: &Hash, seq: i64, e: &NewEntry) -> Vec<u8> {
    let mut v = Vec::with_capacity(160);
    encode(prev, seq, e, &mut |b: &[u8]| v.extend_from_slice(b));
    v
}

/// SHA-256 over `prev` and the canonical encoding of `seq` and every field of `e`
/// (see [`canonical_bytes`]). Never a serialised map: field order and boundaries are fixed.
pub fn entry_hash(prev: &Hash, seq: i64, e: &NewEntry) -> Hash {
    // Gather into a stack buffer first: one `update` call hashes faster than a dozen small ones.
    let mut buf = [0u8; 512];
    let mut len = 0usize;
    let mut h = Sha256::new();
    encode(prev, seq, e, &mut |b: &[u8]| {
        if len + b.len() > buf.len() {
            h.update(&buf[..len]);
            len = 0;
            if b.len() > buf.len() {
                h.update(b);
                return;
            }
        }
        buf[len..len + b.len()].copy_from_slice(b);
        len += b.len();
    });
    h.update(&buf[..len]);
    Hash(h.finalize().into())
}

/// The first place where a chain is broken.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("audit entry {seq}: {reason}")]
pub struct ChainBreak {
    /// The first entry found broken (for a deleted tail: the first missing number).
    pub seq: i64,
    pub reason: BreakReason,
}

/// What is wrong at a [`ChainBreak`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BreakReason {
    /// The entry's content no longer matches its hash: a field was changed.
    #[error(
        "its content does not match its stored hash {stored} (recomputed {computed}): the entry was altered"
    )]
    HashMismatch { computed: Hash, stored: Hash },
    /// The entry does not link to the entry before it.
    #[error(
        "it links to previous hash {stored}, but the entry before it has hash {expected}: an entry was inserted, removed or moved before it"
    )]
    PrevHashMismatch { expected: Hash, stored: Hash },
    /// The numbering skips or goes back.
    #[error(
        "expected entry number {expected} here, found {found}: entries are missing or out of order"
    )]
    SeqGap { expected: i64, found: i64 },
    /// The log ends before the recorded head: its last entries were deleted.
    #[error("the chain head records {head_seq} entries but the log ends at entry {last_seq}: entries from {} on were deleted", .last_seq.saturating_add(1))]
    Truncated { head_seq: i64, last_seq: i64 },
    /// The entry lies past the recorded head: it was added without going through the store.
    #[error("it lies past the chain head (entry {head_seq}): it was added around the audit log")]
    BeyondHead { head_seq: i64 },
    /// The chain head's row is gone: it was deleted (the log cannot be checked against it).
    #[error(
        "the chain head (table audit_head) has no row: it was deleted, so whether entries were removed from the end cannot be told"
    )]
    HeadMissing,
    /// The head's hash differs from the last entry's.
    #[error("the chain head records hash {head} but the last entry has hash {last}")]
    HeadHashMismatch { head: Hash, last: Hash },
    /// A stored column cannot be read at all.
    #[error("stored {column} is not valid: {detail}")]
    Malformed {
        column: &'static str,
        detail: String,
    },
}

/// Checks a chain entry by entry, in `seq` order, without holding it in memory.
#[derive(Clone, Debug)]
pub struct Verifier {
    next_seq: i64,
    prev: Hash,
    count: u64,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier::new()
    }
}

impl Verifier {
    /// A verifier for a whole log: the first entry must be number 1 and link to GENESIS.
    pub fn new() -> Verifier {
        Verifier::starting_after(Head::EMPTY)
    }

    /// A verifier for the part of a log after `head` (an already verified prefix).
    pub fn starting_after(head: Head) -> Verifier {
        Verifier {
            next_seq: head.seq.saturating_add(1),
            prev: head.hash,
            count: 0,
        }
    }

    /// Checks the next entry: its number, its link and its hash.
    pub fn push(&mut self, e: &Entry) -> Result<(), ChainBreak> {
        if e.seq != self.next_seq {
            return Err(ChainBreak {
                seq: e.seq,
                reason: BreakReason::SeqGap {
                    expected: self.next_seq,
                    found: e.seq,
                },
            });
        }
        if e.prev_hash != self.prev {
            return Err(ChainBreak {
                seq: e.seq,
                reason: BreakReason::PrevHashMismatch {
                    expected: self.prev,
                    stored: e.prev_hash,
                },
            });
        }
        let computed = entry_hash(&self.prev, e.seq, &e.entry);
        if computed != e.hash {
            return Err(ChainBreak {
                seq: e.seq,
                reason: BreakReason::HashMismatch {
                    computed,
                    stored: e.hash,
                },
            });
        }
        self.prev = e.hash;
        self.next_seq = e.seq.saturating_add(1);
        self.count += 1;
        Ok(())
    }

    /// Entries checked so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The head of what has been checked so far.
    pub fn head(&self) -> Head {
        Head {
            seq: self.next_seq.saturating_sub(1),
            hash: self.prev,
        }
    }

    /// Ends the check by comparing the chain checked with the stored head: a deleted tail, an
    /// entry added past the head, or a head that names another hash is a break.
    pub fn finish(self, stored: Head) -> Result<u64, ChainBreak> {
        let last = self.head();
        if stored.seq > last.seq {
            return Err(ChainBreak {
                seq: last.seq.saturating_add(1),
                reason: BreakReason::Truncated {
                    head_seq: stored.seq,
                    last_seq: last.seq,
                },
            });
        }
        if stored.seq < last.seq {
            return Err(ChainBreak {
                seq: stored.seq.saturating_add(1),
                reason: BreakReason::BeyondHead {
                    head_seq: stored.seq,
                },
            });
        }
        if stored.hash != last.hash {
            return Err(ChainBreak {
                seq: last.seq,
                reason: BreakReason::HeadHashMismatch {
                    head: stored.hash,
                    last: last.hash,
                },
            });
        }
        Ok(self.count)
    }
}

/// Verifies a whole chain given in `seq` order from entry 1: returns the number of entries, or
/// the first break. (No head to compare: see [`Verifier::finish`] for that.)
pub fn verify<I: IntoIterator<Item = Entry>>(entries: I) -> Result<u64, ChainBreak> {
    verify_from(Hash::GENESIS, 1, entries)
}

/// Verifies the part of a chain that starts at entry `next_seq`, whose predecessor has hash
/// `prev`.
pub fn verify_from<I: IntoIterator<Item = Entry>>(
    prev: Hash,
    next_seq: i64,
    entries: I,
) -> Result<u64, ChainBreak> {
    let mut v = Verifier {
        next_seq,
        prev,
        count: 0,
    };
    for e in entries {
        v.push(&e)?;
    }
    Ok(v.count())
}

#[cfg(test)]
mod tests;
