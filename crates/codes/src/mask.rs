//! Masking of personal identifiers for public output (设计原则 3: personal identifiers are
//! masked in every public output), and a detector for unmasked ones.
//!
//! Every function is total: any input gives a result, never a panic.

use crate::normalize;
use crate::tables::mod11_2_check;

fn stars(n: usize) -> String {
    "*".repeat(n)
}

/// Mask a citizen ID: for 18 characters keep the first 4 and last 4
/// (`11010519491231002X` → `1101**********002X`); for other lengths longer than 4 keep at
/// most the first 2 and last 2; 4 characters or fewer become all stars.
///
/// The input is normalised first (separators, full-width, case), so the output never
/// contains the input's separators. The result always differs from a non-empty input.
pub fn citizen_id(s: &str) -> String {
    let chars: Vec<char> = normalize(s).chars().collect();
    let n = chars.len();
    let keep = match n {
        18 => 4,
        5.. => 2,
        _ => 0,
    };
    let mut out: String = chars.iter().take(keep).collect();
    out.push_str(&stars(n - 2 * keep));
    out.extend(chars.iter().skip(n - keep));
    out
}

/// Mask the number of whatever identity document a 证件号码 field holds: a citizen ID (15 or 18
/// characters, digits with a final `X` allowed) as [`citizen_id`], any other document (a passport,
/// a permit) as [`document`], so that one number is masked the same way wherever it is shown.
pub fn identity_number(s: &str) -> String {
    let n = normalize(s);
    let citizen_shaped = matches!(n.len(), 15 | 18)
        && n.char_indices()
            .all(|(i, c)| c.is_ascii_digit() || (c == 'X' && i + 1 == n.len()));
    if citizen_shaped {
        citizen_id(s)
    } else {
        document(s)
    }
}

/// Mask an identity document's number (passport, permit): keep the first character (two when
/// the number has 12 or more) and the last two (one when it has fewer than 8), so that at least
/// half is hidden: `E12345678` → `E******78`, `12345678` → `1*****78`, `E1234` → `E***4`.
pub fn document(s: &str) -> String {
    let chars: Vec<char> = normalize(s).chars().collect();
    let n = chars.len();
    let (front, back) = match n {
        12.. => (2, 2),
        8.. => (1, 2),
        4.. => (1, 1),
        _ => (0, 0),
    };
    let mut out: String = chars.iter().take(front).collect();
    out.push_str(&stars(n - front - back));
    out.extend(chars.iter().skip(n - back));
    out
}

/// Replaces every occurrence of the number `needle` in `text` with `with`, however it is
/// written there: in either case, in full-width forms, or broken up by spaces or hyphens
/// (`E1234 5678`, `E-1234-5678`, `Ｅ１２３４５６７８`). Used to hide a person's own document number
/// from free text about them, whatever shape a detector would expect. A needle of fewer than 4
/// letters and digits is left alone.
pub fn replace_number(text: &str, needle: &str, with: &str) -> String {
    // The characters compared as `normalize` sees them; separators are skipped.
    let fold = crate::normalize::map_char;
    let want: Vec<char> = needle.chars().filter_map(fold).collect();
    if want.len() < 4 {
        return text.to_owned();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if fold(chars[i]) == Some(want[0]) {
            let (mut j, mut k) = (i, 0);
            while j < chars.len() && k < want.len() {
                match fold(chars[j]) {
                    None => j += 1,
                    Some(c) if c == want[k] => {
                        k += 1;
                        j += 1;
                    }
                    Some(_) => break,
                }
            }
            if k == want.len() {
                out.push_str(with);
                i = j;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Mask a phone number.
///
/// * mainland mobile (11 digits, `1[3-9]…`, optionally with `+86`/`86`/`0086`):
///   keep the first 3 and last 4 (`13812341234` → `138****1234`, `+86 138 1234 1234` →
///   `+86138****1234`);
/// * landline with area code (leading `0`, 10–12 digits): keep the area code (3 digits for
///   `01x`/`02x`, else 4) and the last 2 (`010-12345678` → `010-******78`);
/// * anything else: keep only the last 2 characters when longer than 4, else all stars.
pub fn phone(s: &str) -> String {
    let n = normalize(s);
    let digits_only = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    for prefix in ["+86", "0086", "86"] {
        if let Some(rest) = n.strip_prefix(prefix)
            && is_mobile(rest)
        {
            return format!("{prefix}{}", mask_mobile(rest));
        }
    }
    if is_mobile(&n) {
        return mask_mobile(&n);
    }
    if digits_only(&n) && n.starts_with('0') && (10..=12).contains(&n.len()) {
        let area = if n.starts_with("01") || n.starts_with("02") {
            3
        } else {
            4
        };
        let (head, tail) = n.split_at(area);
        return format!(
            "{head}-{}{}",
            stars(tail.len() - 2),
            tail.get(tail.len() - 2..).unwrap_or_default()
        );
    }
    let chars: Vec<char> = n.chars().collect();
    let keep = if chars.len() > 4 { 2 } else { 0 };
    let mut out = stars(chars.len() - keep);
    out.extend(chars.iter().skip(chars.len() - keep));
    out
}

fn is_mobile(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 11
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
        && b.iter().all(u8::is_ascii_digit)
}

fn mask_mobile(s: &str) -> String {
    format!(
        "{}****{}",
        s.get(..3).unwrap_or_default(),
        s.get(7..).unwrap_or_default()
    )
}

/// Mask a person's name: keep the first character, star the rest (`张三丰` → `张**`).
/// A single character becomes `*`. Leading/trailing white space is dropped.
pub fn person_name(s: &str) -> String {
    let mut chars = s.trim().chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let rest = chars.count();
    if rest == 0 {
        return "*".to_owned();
    }
    let mut out = String::with_capacity(first.len_utf8() + rest);
    out.push(first);
    out.push_str(&stars(rest));
    out
}

/// A subject's name as the public sees it: a natural person's by [`person_name`] (surname
/// only), an organisation's through [`redact`] — an individual business is often named after
/// its holder, sometimes with the holder's ID number or phone in the name. 国办发〔2020〕49号
/// (十四): 「遵循合法、正当、必要、最小化原则」 for personal information; 发改财金规〔2017〕1798号
/// (十一): 「涉及企业商业秘密和个人隐私的信息，发布前应进行必要的技术处理」.
pub fn public_name(name: &str, natural_person: bool) -> String {
    if natural_person {
        person_name(name)
    } else {
        redact(name)
    }
}

/// Map full-width digits and letters to ASCII for scanning; everything else unchanged.
fn fold(c: char) -> char {
    match c {
        '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => {
            char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
        }
        _ => c,
    }
}

/// What a finding of [`find_unmasked`] is, which decides how [`redact`] masks it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Found {
    /// A citizen ID (18 or 15 characters, possibly written in groups).
    CitizenId,
    /// A mobile number.
    Mobile,
    /// A landline number with its area code.
    Landline,
    /// A passport or mainland travel permit number.
    Travel,
}

/// Find the first substring of `text` that looks like an **unmasked** personal identifier.
///
/// Privacy first: this errs towards masking. Detected (ASCII or full-width characters):
/// * a citizen ID: a run of exactly 18 letters/digits (not part of a longer alphanumeric
///   run) made of 17 digits and a digit or `X`/`x`, that passes the GB 11643 MOD 11-2 check
///   **or** carries a plausible birth date (`19000101`–`20991231` in positions 7–14), so a
///   mistyped ID still counts. A run that is also a valid USCC (authority/category, region,
///   embedded org code and USCC check) is skipped: organisations' codes are public.
///   Trade-off: an ID that happens to also be a fully valid USCC is missed;
/// * the same 18 characters written in groups joined by one space or hyphen
///   (`330683 19550520 8708`, `330683-1955-0520-8708`);
/// * a first-generation 15-digit ID: exactly 15 digits with a plausible `YYMMDD` birth date in
///   positions 7–12. Trade-off: about 4 % of 15-digit 工商注册号 also have such digits there and
///   are masked in free text;
/// * a mainland mobile number: exactly 11 digits `1[3-9]\d{9}` not part of a longer digit
///   run, the same after an `86` country code (13 digits), or grouped `3-4-4` with one
///   space or hyphen (`138 1234 5678`, `138-1234-5678`);
/// * a landline with its area code: `0` and 2–3 digits, then 7–8 digits, written together
///   (11–12 digits), with one hyphen or space between, or with the area code in (full- or
///   half-width) parentheses (`0571-87654321`, `(0571)87654321`);
/// * a passport or travel permit number: a run of exactly 9 characters, `E`, `G`, `D`, `S`,
///   `P`, `H`, `M` or `C` and 8 digits, or `E`, a letter and 7 digits (`E12345678`, `EA1234567`);
/// * any of these IDs run into letters on either side (`ID340827…`, `…0485号码x`): its digits
///   (with a check `X` after the 17th) are checked on their own.
///
/// Masked output of [`citizen_id`] and [`phone`] is never reported.
pub fn find_unmasked(text: &str) -> Option<String> {
    find(text).map(|(s, _)| s)
}

fn find(text: &str) -> Option<(String, Found)> {
    let cs: Vec<(usize, char)> = text.char_indices().map(|(i, c)| (i, fold(c))).collect();
    let byte_at = |k: usize| cs.get(k).map_or(text.len(), |x| x.0);
    let slice =
        |a: usize, b: usize, f: Found| text.get(byte_at(a)..byte_at(b)).map(|s| (s.to_owned(), f));
    let ch = |k: usize| cs.get(k).map(|x| x.1);
    let mut i = 0;
    while i < cs.len() {
        if !cs[i].1.is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i;
        while end < cs.len() && cs[end].1.is_ascii_alphanumeric() {
            end += 1;
        }
        let run: String = cs[start..end].iter().map(|x| x.1).collect();
        if looks_like_citizen_id(&run) || looks_like_old_citizen_id(&run) {
            return slice(start, end, Found::CitizenId);
        }
        if looks_like_travel_document(&run) {
            return slice(start, end, Found::Travel);
        }
        // Digit sub-runs inside the alphanumeric run.
        let mut k = start;
        while k < end {
            if !cs[k].1.is_ascii_digit() {
                k += 1;
                continue;
            }
            let ds = k;
            while k < end && cs[k].1.is_ascii_digit() {
                k += 1;
            }
            let digits: String = cs[ds..k].iter().map(|x| x.1).collect();
            if is_mobile(&digits)
                || (digits.len() == 13 && is_mobile(&digits[2..]) && digits.starts_with("86"))
            {
                return slice(ds, k, Found::Mobile);
            }
            if is_landline(&digits) {
                return slice(ds, k, Found::Landline);
            }
            // An ID run into letters (`ID340827…`, `…0485号码x`): its digits, with a check `X`
            // right after the 17th.
            let with_x = digits.len() == 17 && matches!(ch(k), Some('X' | 'x'));
            let id_end = if with_x { k + 1 } else { k };
            let id: String = cs[ds..id_end]
                .iter()
                .map(|x| x.1.to_ascii_uppercase())
                .collect();
            if looks_like_citizen_id(&id) || looks_like_old_citizen_id(&id) {
                return slice(ds, id_end, Found::CitizenId);
            }
            // A citizen ID with more digits run on (`…7969123`): the first 18 read as an ID by
            // both its check digit and its birth date.
            if digits.len() > 18
                && (digits.get(..18).is_some_and(certain_citizen_id)
                    || digits
                        .get(digits.len() - 18..)
                        .is_some_and(certain_citizen_id))
            {
                return slice(ds, k, Found::CitizenId);
            }
            if k != end {
                continue;
            }
            // The digit run ends the alphanumeric run: it may go on after a separator.
            if digits.len() == 3
                && is_mobile(&format!("{digits}00000000"))
                && let Some(stop) = grouped_mobile_end(&cs, k)
            {
                return slice(ds, stop, Found::Mobile);
            }
            if let Some(stop) = grouped_citizen_id_end(&cs, ds, k) {
                return slice(ds, stop, Found::CitizenId);
            }
            if is_area_code(&digits)
                && let Some((from, to)) = separated_landline(&cs, ds, k)
            {
                return slice(from, to, Found::Landline);
            }
        }
        i = end;
    }
    find_grouped(&cs)
        .and_then(|(a, b, f)| slice(a, b, f))
        .or_else(|| find_after_keyword(&cs).and_then(|(a, b)| slice(a, b, Found::Travel)))
}

/// Characters people and systems put between the digit groups of a number: spaces of every
/// width (including no-break and zero-width ones), hyphens and dashes, dots, slashes,
/// underscores, middle dots and brackets, in ASCII and full width.
fn is_group_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t'
            | '\u{a0}'
            | '\u{ad}'
            | '\u{3000}'
            | '\u{2000}'..='\u{200d}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{2060}'
            | '\u{feff}'
            | '-'
            | '\u{2010}'..='\u{2015}'
            | '\u{2212}'
            | '\u{ff0d}'
            | '.'
            | '\u{ff0e}'
            | '\u{3002}'
            | '/'
            | '\u{ff0f}'
            | '_'
            | '\u{b7}'
            | '\u{30fb}'
            | '('
            | ')'
            | '\u{ff08}'
            | '\u{ff09}'
    )
}

/// A citizen ID, mobile or landline written as digit groups joined by any mix of one or two
/// [`is_group_separator`] characters (`230184.19710515.7969`, `230184　19710515　7969`,
/// `138.1234.5678`, `1381234 5678`, `(0591) 8765-4321`, `0591 8765 4321`,
/// `+86 591 87654321`): the groups' digits read together. The single-run and
/// single-separator forms are found by [`find`]'s first pass; this is the catch-all.
fn find_grouped(cs: &[(usize, char)]) -> Option<(usize, usize, Found)> {
    let digit = |k: usize| cs.get(k).is_some_and(|x| x.1.is_ascii_digit());
    let mut i = 0;
    while i < cs.len() {
        // A group starts at a digit that no digit precedes.
        if !digit(i) || (i > 0 && digit(i - 1)) {
            i += 1;
            continue;
        }
        let start = i;
        let mut joined = String::new();
        let mut k = i;
        let mut groups = 0;
        loop {
            while digit(k) && joined.len() < 19 {
                joined.push(cs[k].1);
                k += 1;
            }
            if digit(k) {
                break; // longer than any number looked for
            }
            groups += 1;
            if groups >= 2 {
                let next = cs.get(k).map(|x| x.1);
                let x_after = joined.len() == 17 && matches!(next, Some('X' | 'x'));
                let letter_after = next.is_some_and(|c| c.is_ascii_alphabetic());
                if x_after {
                    let id = format!("{joined}X");
                    if looks_like_citizen_id(&id)
                        && !cs.get(k + 1).is_some_and(|x| x.1.is_ascii_alphanumeric())
                    {
                        return Some((start, k + 1, Found::CitizenId));
                    }
                } else if !letter_after {
                    let d = joined.as_str();
                    if (d.len() == 18 && looks_like_citizen_id(d)) || looks_like_old_citizen_id(d) {
                        return Some((start, k, Found::CitizenId));
                    }
                    if is_mobile(d) || (d.len() == 13 && d.starts_with("86") && is_mobile(&d[2..]))
                    {
                        return Some((start, k, Found::Mobile));
                    }
                    let national = d.strip_prefix("86").map(|r| format!("0{r}"));
                    if is_landline(d) || national.as_deref().is_some_and(is_landline) {
                        // Take the area code's opening bracket with it.
                        let from = match start.checked_sub(1).map(|j| cs[j].1) {
                            Some('(' | '\u{ff08}') => start - 1,
                            _ => start,
                        };
                        return Some((from, k, Found::Landline));
                    }
                }
            }
            // Up to two separators, then the next group.
            let mut j = k;
            while j < cs.len() && j - k < 2 && is_group_separator(cs[j].1) {
                j += 1;
            }
            if j == k || !digit(j) || joined.len() >= 18 {
                break;
            }
            k = j;
        }
        i = k.max(i + 1);
    }
    None
}

/// Words that announce an identity document's number in free text. What follows them (after
/// at most a few characters such as 「号码：」) is masked whatever its form: the numbers of 台胞证,
/// 回乡证, Hong Kong, Macao and Taiwan identity cards, residence permits, passports of every
/// country and military cards have no shape of their own to find them by.
const DOCUMENT_WORDS: &[&str] = &[
    "身份证",
    "护照",
    "通行证",
    "台胞证",
    "回乡证",
    "居留证",
    "居住证",
    "证件号",
    "证件编号",
    "军官证",
    "士兵证",
    "警官证",
    "passport",
    "Passport",
    "PASSPORT",
    "HKID",
    "HK ID",
];

/// The document number after a [`DOCUMENT_WORDS`] word: skipping up to six characters of
/// 「号码」, 「：」, spaces and the like (and a 字第 of a military card), the run of letters,
/// digits and bracketed check characters that follows when it holds at least four digits.
fn find_after_keyword(cs: &[(usize, char)]) -> Option<(usize, usize)> {
    let chars: Vec<char> = cs.iter().map(|x| x.1).collect();
    for w in DOCUMENT_WORDS {
        let len = w.chars().count();
        let mut at = 0;
        while at + len <= chars.len() {
            if !chars[at..at + len].iter().copied().eq(w.chars()) {
                at += 1;
                continue;
            }
            let mut k = at + len;
            let mut skipped = 0;
            while k < chars.len()
                && skipped < 6
                && !chars[k].is_ascii_alphanumeric()
                && (matches!(
                    chars[k],
                    '号' | '码'
                        | '编'
                        | '：'
                        | ':'
                        | '为'
                        | '是'
                        | '#'
                        | '军'
                        | '字'
                        | '第'
                        | '（'
                        | '）'
                ) || is_group_separator(chars[k]))
            {
                k += 1;
                skipped += 1;
            }
            // A military card's 「南字第」, 「陆字第」: one character, then 字第.
            if chars.get(k + 1) == Some(&'字') && chars.get(k + 2) == Some(&'第') {
                k += 3;
            }
            let from = k;
            let mut digits = 0;
            while k < chars.len() {
                let c = chars[k];
                if c.is_ascii_alphanumeric() {
                    digits += usize::from(c.is_ascii_digit());
                    k += 1;
                } else if matches!(c, '(' | '（')
                    && chars.get(k + 1).is_some_and(|d| d.is_ascii_alphanumeric())
                    && matches!(chars.get(k + 2), Some(')' | '）'))
                {
                    digits += usize::from(chars[k + 1].is_ascii_digit());
                    k += 3;
                } else if is_group_separator(c)
                    && chars.get(k + 1).is_some_and(|d| d.is_ascii_digit())
                    && k > from
                {
                    k += 1;
                } else {
                    break;
                }
            }
            // A number already masked (stars follow) is left as it is.
            let masked = chars.get(k).is_some_and(|c| *c == '*');
            if digits >= 4 && k - from <= 24 && !masked {
                return Some((from, k));
            }
            at += 1;
        }
    }
    None
}

/// Mask every unmasked personal identifier [`find_unmasked`] finds in free text (names,
/// contacts, grounds typed by departments or the public), leaving the rest as it is. The result
/// is free of findings: `find_unmasked(&redact(t)) == None` for every `t`.
pub fn redact(text: &str) -> String {
    let mut out = text.to_owned();
    // Each pass masks one finding and masked forms are never found again, so the number of
    // passes is bounded by the number of findings (at most one per 8 characters).
    for _ in 0..=text.len() / 8 {
        let Some((hit, kind)) = find(&out) else {
            return out;
        };
        // The number without what was written between its groups.
        let plain: String = hit
            .chars()
            .map(fold)
            .filter(char::is_ascii_alphanumeric)
            .collect();
        let masked = match kind {
            Found::CitizenId => citizen_id(&plain),
            Found::Travel => document(&plain),
            Found::Mobile | Found::Landline => {
                let digits: String = plain.chars().filter(char::is_ascii_digit).collect();
                phone(&digits)
            }
        };
        out = out.replacen(&hit, &in_place(&hit, &masked), 1);
    }
    out
}

/// `masked` (the masked form of `hit`'s letters and digits) written back in `hit`'s layout:
/// what stood between the groups stays (`(+86)138.1234.5678` → `(+86)138.****.5678`, not
/// `(+86138****5678`). `masked` as it is when it does not have one character per letter or digit.
fn in_place(hit: &str, masked: &str) -> String {
    let keep = |c: &char| c.is_ascii_alphanumeric() || *c == '*';
    let mut fill = masked.chars().filter(keep);
    let slots = hit
        .chars()
        .filter(|c| fold(*c).is_ascii_alphanumeric())
        .count();
    if masked.chars().filter(keep).count() != slots {
        return masked.to_owned();
    }
    hit.chars()
        .map(|c| {
            if fold(c).is_ascii_alphanumeric() {
                fill.next().unwrap_or('*')
            } else {
                c
            }
        })
        .collect()
}

/// `ds..k` is an area code ending an alphanumeric run: the landline it starts, written
/// `0571-8765432`, `0571 8765432` or `(0571)87654321` (7 or 8 digits, nothing alphanumeric
/// after), as the range of `cs` it covers, brackets included.
fn separated_landline(cs: &[(usize, char)], ds: usize, k: usize) -> Option<(usize, usize)> {
    let ch = |i: usize| cs.get(i).map(|x| x.1);
    let bracketed = matches!(ds.checked_sub(1).and_then(ch), Some('(' | '（'));
    let after = match (bracketed, ch(k)) {
        (true, Some(')' | '）')) => k + 1 + usize::from(ch(k + 1) == Some(' ')),
        (_, Some('-' | ' ')) => k + 1,
        _ => return None,
    };
    let mut e = after;
    while ch(e).is_some_and(|c| c.is_ascii_digit()) {
        e += 1;
    }
    ((7..=8).contains(&(e - after)) && !ch(e).is_some_and(|c| c.is_ascii_alphanumeric()))
        .then(|| (if bracketed { ds - 1 } else { ds }, e))
}

/// `0` and two or three more digits, the second not `0` (`00` starts an international call).
fn is_area_code(d: &str) -> bool {
    let b = d.as_bytes();
    (3..=4).contains(&b.len()) && b[0] == b'0' && b[1] != b'0'
}

/// A landline written without separators: 11 or 12 digits starting with an area code.
fn is_landline(d: &str) -> bool {
    let b = d.as_bytes();
    (11..=12).contains(&b.len()) && b[0] == b'0' && b[1] != b'0'
}

/// `ds..k` is a digit run ending an alphanumeric run: join it with the groups that follow, each
/// after the same single separator (space or hyphen), while they stay within 18 characters;
/// the end index when they make exactly 18 that read as a citizen ID and no letter or digit
/// follows.
fn grouped_citizen_id_end(cs: &[(usize, char)], ds: usize, k: usize) -> Option<usize> {
    let sep = cs.get(k)?.1;
    if sep != ' ' && sep != '-' {
        return None;
    }
    let mut joined: String = cs[ds..k].iter().map(|x| x.1).collect();
    let mut at = k;
    while joined.len() < 18 && cs.get(at).is_some_and(|x| x.1 == sep) {
        let g = at + 1;
        let mut e = g;
        while cs.get(e).is_some_and(|x| x.1.is_ascii_alphanumeric()) {
            e += 1;
        }
        if e == g {
            return None;
        }
        joined.extend(cs[g..e].iter().map(|x| x.1));
        at = e;
    }
    let upper = joined.to_ascii_uppercase();
    (joined.len() == 18 && at > k && looks_like_citizen_id(&upper)).then_some(at)
}

fn looks_like_old_citizen_id(run: &str) -> bool {
    let b = run.as_bytes();
    b.len() == 15
        && b.iter().all(u8::is_ascii_digit)
        && plausible_date(&format!("19{}", &run[6..12]))
}

fn looks_like_travel_document(run: &str) -> bool {
    let b = run.as_bytes();
    if b.len() != 9 {
        return false;
    }
    let first = b[0].to_ascii_uppercase();
    (b"EGDSPHMC".contains(&first) && b[1..].iter().all(u8::is_ascii_digit))
        || (first == b'E' && b[1].is_ascii_alphabetic() && b[2..].iter().all(u8::is_ascii_digit))
}

/// `YYYYMMDD` with a year 1900–2099, a month 01–12 and a day 01–31.
fn plausible_date(d: &str) -> bool {
    let n = |r: std::ops::Range<usize>| d.get(r).and_then(|s| s.parse::<u32>().ok());
    matches!(
        (n(0..4), n(4..6), n(6..8)),
        (Some(1900..=2099), Some(1..=12), Some(1..=31))
    )
}

/// `k` points just after a 3-digit group `1[3-9]d`; match `S dddd S dddd` with the same
/// separator `S` (space or hyphen) and no digit after. Returns the end index.
fn grouped_mobile_end(cs: &[(usize, char)], k: usize) -> Option<usize> {
    let sep = cs.get(k)?.1;
    if sep != ' ' && sep != '-' {
        return None;
    }
    let group =
        |from: usize| (from..from + 4).all(|j| cs.get(j).is_some_and(|x| x.1.is_ascii_digit()));
    let ok = group(k + 1)
        && cs.get(k + 5).is_some_and(|x| x.1 == sep)
        && group(k + 6)
        && !cs.get(k + 10).is_some_and(|x| x.1.is_ascii_digit());
    ok.then_some(k + 10)
}

/// What makes 18 characters (17 digits and a digit or `X`) read as a citizen ID: whether the
/// MOD 11-2 check character is right, and whether positions 7–14 are a birth date. `None` for
/// any other shape.
fn id_signals(run: &str) -> Option<(bool, bool)> {
    let b = run.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let last = b[17].to_ascii_uppercase();
    if !(last.is_ascii_digit() || last == b'X') {
        return None;
    }
    let mut digits = [0u8; 17];
    for (d, c) in digits.iter_mut().zip(b) {
        *d = c - b'0';
    }
    Some((
        mod11_2_check(&digits) == last,
        run.get(6..14).is_some_and(plausible_date),
    ))
}

/// 18 digits whose check digit is right and whose positions 7–14 are a birth date.
fn certain_citizen_id(d: &str) -> bool {
    d.bytes().all(|b| b.is_ascii_digit()) && id_signals(d) == Some((true, true))
}

fn looks_like_citizen_id(run: &str) -> bool {
    let Some((check, date)) = id_signals(run) else {
        return false;
    };
    if !check && !date {
        return false;
    }
    let mut upper = [0u8; 18];
    upper.copy_from_slice(run.as_bytes());
    upper[17] = upper[17].to_ascii_uppercase();
    // A valid USCC is an organisation's, and public, unless it is also a whole citizen ID (check
    // character and birth date both right, about 1 in 340 IDs): then it may be a person's, and
    // is masked (privacy first; the rare organisation so written loses only its display here).
    !crate::is_valid_uscc(&upper) || (check && date)
}

#[cfg(test)]
mod tests {

    #[test]
    fn documents_and_their_occurrences() {
        assert_eq!(document("E12345678"), "E******78");
        assert_eq!(document("12345678"), "1*****78");
        assert_eq!(document("E1234"), "E***4");
        assert_eq!(document("USA310075123456"), "US***********56");
        for written in [
            "当事人护照E12345678，",
            "当事人护照e12345678，",
            "当事人护照E1234 5678，",
            "当事人护照E-1234-5678，",
            "当事人护照Ｅ１２３４５６７８，",
        ] {
            assert_eq!(
                replace_number(written, "E12345678", "E******78"),
                "当事人护照E******78，",
                "{written}"
            );
        }
        assert_eq!(replace_number("E1234567", "E12345678", "x"), "E1234567");
        assert_eq!(replace_number("abc", "ab", "x"), "abc");
    }
    use super::*;

    #[test]
    fn citizen_id_masks() {
        assert_eq!(citizen_id("11010519491231002X"), "1101**********002X");
        assert_eq!(citizen_id("11010519491231002x"), "1101**********002X");
        assert_eq!(citizen_id("110105491231002"), "11***********02");
        assert_eq!(citizen_id("12345"), "12*45");
        assert_eq!(citizen_id("1234"), "****");
        assert_eq!(citizen_id(""), "");
    }

    #[test]
    fn phone_masks() {
        assert_eq!(phone("13812341234"), "138****1234");
        assert_eq!(phone("138 1234 1234"), "138****1234");
        assert_eq!(phone("+86 138-1234-1234"), "+86138****1234");
        assert_eq!(phone("010-12345678"), "010-******78");
        assert_eq!(phone("0755-12345678"), "0755-******78");
        assert_eq!(phone("0371 6123456"), "0371-*****56");
        assert_eq!(phone("12345678"), "******78");
        assert_eq!(phone("110"), "***");
    }

    #[test]
    fn public_names() {
        assert_eq!(public_name("张三丰", true), "张**");
        assert_eq!(
            public_name("张三340827196601310485工作室", false),
            "张三3408**********0485工作室"
        );
        assert_eq!(
            public_name("福州测试贸易有限公司", false),
            "福州测试贸易有限公司"
        );
    }

    #[test]
    fn names() {
        assert_eq!(person_name("张三丰"), "张**");
        assert_eq!(person_name("张三"), "张*");
        assert_eq!(person_name("张"), "*");
        assert_eq!(person_name(" 买买提·艾力 "), "买*****");
        assert_eq!(person_name(""), "");
    }

    #[test]
    fn finds_unmasked() {
        assert_eq!(
            find_unmasked("身份证号11010519491231002X，电话略").as_deref(),
            Some("11010519491231002X")
        );
        assert_eq!(
            find_unmasked("id: 11010519491231002x.").as_deref(),
            Some("11010519491231002x")
        );
        assert_eq!(
            find_unmasked("全角１１０１０５１９４９１２３１００２Ｘ").as_deref(),
            Some("１１０１０５１９４９１２３１００２Ｘ")
        );
        assert_eq!(
            find_unmasked("电话13812341234").as_deref(),
            Some("13812341234")
        );
        assert_eq!(
            find_unmasked("tel:+8613812341234").as_deref(),
            Some("8613812341234")
        );
        assert_eq!(
            find_unmasked("call 138 1234 1234 now").as_deref(),
            Some("138 1234 1234")
        );
        assert_eq!(
            find_unmasked("call 138-1234-1234").as_deref(),
            Some("138-1234-1234")
        );
        // Order: the first one in the text.
        assert_eq!(
            find_unmasked("13812341234 and 11010519491231002X").as_deref(),
            Some("13812341234")
        );
    }

    #[test]
    fn ignores_masked_and_non_matching() {
        assert_eq!(
            find_unmasked("1101**********002X 138****1234 010-******78"),
            None
        );
        // Check character wrong and no birth date in it: not flagged.
        assert_eq!(find_unmasked("110105000012310021"), None);
        // Part of a longer digit run (19 digits and a check character).
        assert_eq!(find_unmasked("9911010519491231002X"), None);
        // Longer digit runs (bank card, order number).
        assert_eq!(find_unmasked("6222021234567890123"), None);
        assert_eq!(find_unmasked("138123412345"), None);
        // 12x is not a mobile prefix.
        assert_eq!(find_unmasked("12812341234"), None);
        // A published all-digit USCC that fails MOD 11-2.
        assert_eq!(find_unmasked("统一社会信用代码914403001922038216"), None);
        // USCCs with letters are never 17 digits.
        assert_eq!(find_unmasked("91350100M000100Y43"), None);
        assert_eq!(find_unmasked("138 1234 12345"), None);
        // 15 digits without a birth date (a 工商注册号), a 9-character code of other letters.
        assert_eq!(find_unmasked("注册号350100400012345"), None);
        assert_eq!(find_unmasked("批号A12345678"), None);
        // Too few digits after an area code; international prefix.
        assert_eq!(find_unmasked("0571-12345"), None);
        assert_eq!(find_unmasked("00852123456789"), None);
    }

    /// The forms the QA pass found published unmasked (issue 4).
    /// The forms a privacy review found left unmasked: other separators between the groups of a
    /// citizen ID or phone number, and document numbers known only by the word before them.
    #[test]
    fn masks_numbers_however_they_are_grouped() {
        for (written, masked) in [
            (
                "身份证230184.19710515.7969，",
                "身份证2301**.********.7969，",
            ),
            ("身份证230184/19710515/7969", "身份证2301**/********/7969"),
            (
                "身份证230184\u{3000}19710515\u{3000}7969",
                "身份证2301**\u{3000}********\u{3000}7969",
            ),
            (
                "身份证230184\u{a0}19710515\u{a0}7969",
                "身份证2301**\u{a0}********\u{a0}7969",
            ),
            (
                "身份证230184\u{200b}19710515\u{200b}7969",
                "身份证2301**\u{200b}********\u{200b}7969",
            ),
            ("身份证230184–19710515–7969", "身份证2301**–********–7969"),
            ("号130424.19590913.986X，", "号1304**.********.986X，"),
            (
                "文号VAR2〔2026〕230184.19710515.7969号",
                "文号VAR2〔2026〕2301**.********.7969号",
            ),
            ("电话138.1234.5678", "电话138.****.5678"),
            ("电话1381234 5678", "电话138**** 5678"),
            ("手机１３８－１２３４－５６７８", "手机138－****－5678"),
            ("电话138–1234–5678。", "电话138–****–5678。"),
            ("座机0591 8765 4321", "座机0591 **** **21"),
            ("座机(0591) 8765-4321", "座机(0591) ****-**21"),
            ("座机0591—87654321", "座机0591—******21"),
            ("电话+86 591 87654321", "电话+** *** ******21"),
            ("台胞证 12345678", "台胞证 1*****78"),
            ("回乡证 H1234567801", "回乡证 H********01"),
            (
                "外国人永久居留证 USA110090123456",
                "外国人永久居留证 US***********56",
            ),
            ("护照号P1234567", "护照号P*****67"),
            ("HK ID A123456(7)", "HK ID A*****6(7)"),
            ("澳门身份证 1234567(8)", "澳门身份证 1*****7(8)"),
            ("台湾身份证 A123456789", "台湾身份证 A*******89"),
            ("军官证 军字第1234567号", "军官证 军字第1*****7号"),
            ("军官证南字第123456号", "军官证南字第1****6号"),
            ("军官证号：陆字第1234567号", "军官证号：陆字第1*****7号"),
            ("护照号 E 1234 5678", "护照号 E **** **78"),
            ("护照：E 12345678", "护照：E ******78"),
            (
                "身份证532325\u{ad}19741016\u{ad}3461",
                "身份证5323**\u{ad}********\u{ad}3461",
            ),
            (
                "身份证532325\u{202f}19741016\u{202f}3461",
                "身份证5323**\u{202f}********\u{202f}3461",
            ),
        ] {
            let r = redact(written);
            assert_eq!(r, masked, "{written}");
            assert_eq!(find_unmasked(&r), None, "{written}");
            assert_eq!(redact(&r), r, "masking twice changes nothing: {written}");
        }
        // An ID followed by more digits is still an ID.
        assert_eq!(
            find_unmasked("230184197105157969123").as_deref(),
            Some("230184197105157969123")
        );
        assert_eq!(
            find_unmasked("0532325197410163461").as_deref(),
            Some("0532325197410163461")
        );
        // Dates, amounts, times and codes written in groups are not numbers of people.
        for left in [
            "2026.01.05",
            "2020-01-01至2025-12-31",
            "2020.01.01-2025.12.31",
            "罚款 1 000 000 元",
            "2026-01-05 13:45:00",
            "91350100M000100Y43",
            "第 3 条 第 2 款",
            "身份证已于2020年更换",
        ] {
            assert_eq!(redact(left), left, "{left}");
        }
    }

    #[test]
    fn finds_ids_and_numbers_in_other_forms() {
        let cases = [
            ("旧证件340827660131048号", "340827660131048"),
            ("校验位错340827196601310486", "340827196601310486"),
            ("证件 330683 19550520 8708 。", "330683 19550520 8708"),
            ("证件330683-1955-0520-870x", "330683-1955-0520-870x"),
            ("座机0571-87654321", "0571-87654321"),
            ("座机 0571 8765432 转", "0571 8765432"),
            ("电话(0571)87654321", "(0571)87654321"),
            ("电话（010） 12345678", "（010） 12345678"),
            ("电话057187654321", "057187654321"),
            ("护照E12345678", "E12345678"),
            ("护照 EA1234567", "EA1234567"),
            ("通行证H12345678", "H12345678"),
            ("港澳通行证C12345678", "C12345678"),
            ("张三ID340827196601310485工作室", "340827196601310485"),
            ("A340827196601310485B", "340827196601310485"),
            ("ID11010519491231002Xabc", "11010519491231002X"),
            ("sfz340827660131048x", "340827660131048"),
        ];
        for (text, hit) in cases {
            assert_eq!(find_unmasked(text).as_deref(), Some(hit), "{text}");
            let r = redact(text);
            assert_eq!(find_unmasked(&r), None, "{text} → {r}");
            assert!(!r.contains(hit), "{text} → {r}");
        }
        assert_eq!(redact("座机0571-87654321"), "座机0571-******21");
        assert_eq!(redact("电话(0571)87654321"), "电话(0571)******21");
        // What stood between the groups stays, brackets included.
        assert_eq!(redact("(+86)138.1234.5678"), "(+86)138.****.5678");
        assert_eq!(
            redact("证件 330683 19550520 8708 。"),
            "证件 3306** ******** 8708 。"
        );
        assert_eq!(redact("旧证件340827660131048号"), "旧证件34***********48号");
        assert_eq!(redact("护照E12345678"), "护照E******78");
    }
}
