//! Parsing and normalisation of single cell values: dates, decimals, headers, document numbers.

use chrono::{NaiveDate, NaiveTime};

/// Full-width ASCII (U+FF01–U+FF5E) to half-width, and the ideographic space U+3000 and the
/// no-break space U+00A0 to a space.
pub(crate) fn half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' | '\u{00A0}' => ' ',
        _ => c,
    }
}

/// The key a header or a field code/name/alias is compared by: a leading UTF-8 BOM and all
/// white space removed, full-width ASCII made half-width, ASCII lower-cased.
/// `" CF_wsh"`, `"cf_WSH"` and `"\u{FEFF}CF_WSH"` have the same key, as do
/// `罚款金额（万元）` and `罚款金额(万元)`.
pub fn header_key(s: &str) -> String {
    s.trim_start_matches('\u{FEFF}')
        .chars()
        .map(half_width)
        .filter(|c| !c.is_whitespace() && *c != '\u{FEFF}')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A document number (文书号 / 案号) as stored and compared: trimmed, full-width ASCII made
/// half-width (`京市监罚〔２０２４〕１２号` → `京市监罚〔2024〕12号`, `（2024）` → `(2024)`),
/// and invisible format characters (zero-width space and joiners, word joiner, a byte-order
/// mark) removed: a number copied from a web page or a word processor must not become a second
/// decision that looks the same. Brackets are not unified: `〔〕`, `[]` and `【】` stay as given.
pub fn normalize_doc_no(s: &str) -> String {
    s.chars()
        .filter(|c| !is_invisible(*c))
        .map(half_width)
        .collect::<String>()
        .trim()
        .to_owned()
}

/// Characters that take no room when shown: U+200B–U+200D, U+2060, U+FEFF, U+00AD.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
    )
}

/// A cell that says there is nothing to say: 「/」, 「-」, 「—」, 「无」, 「暂无」, 「N/A」 (ASCII or
/// full width). chengxin's own convention: no standard names these fillers; departments' sheets
/// use them (the issue #4 QA pass), and refusing a whole row for an empty optional date helps no
/// one (seed 000: 「进一步提高“双公示”信息上报质量」).
pub fn is_placeholder(raw: &str) -> bool {
    const PLACEHOLDERS: [&str; 10] = ["/", "-", "--", "—", "——", "无", "暂无", "N/A", "NA", "空"];
    let t = raw.trim();
    // Every date and amount cell of a batch passes here: compare without allocating, and not at
    // all past the longest placeholder (full-width Ｎ／Ａ, 9 bytes).
    if t.len() > 9 {
        return false;
    }
    let folded = t.chars().map(|c| half_width(c).to_ascii_uppercase());
    PLACEHOLDERS.iter().any(|p| folded.clone().eq(p.chars()))
}

/// Words for a validity without end (有效期至): 长期, 长期有效, 无固定期限, 无期限, 永久, 永久有效.
/// The national 双公示 field set leaves the open-ended form unstated (standards.md §4, 有效期至:
/// [UNCERTAIN] whether 2099-12-31 is the convention), so chengxin keeps the word, as 长期, rather
/// than invent a date.
pub fn is_open_ended(raw: &str) -> bool {
    matches!(
        raw.trim(),
        "长期" | "长期有效" | "无固定期限" | "无期限" | "永久" | "永久有效" | "无限期"
    )
}

/// The earliest year accepted in a date.
pub const MIN_YEAR: i32 = 1900;

/// Parse a date as departments write it:
/// `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYY.MM.DD`, `YYYYMMDD`, `YYYY年M月D日`, each with 1- or 2-digit
/// month and day (except `YYYYMMDD`), full-width digits accepted, and optionally followed by a
/// time of day (`YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DDTHH:MM:SS`, as spreadsheets export it), whose
/// date part is taken. Years before 1900 are refused.
pub fn parse_date(input: &str) -> Option<NaiveDate> {
    let s: String = input.chars().map(half_width).collect();
    let s = s.trim();
    // Split off a time of day.
    let (date, time) = match s.find([' ', 'T']) {
        Some(i) => (&s[..i], Some(s[i + 1..].trim())),
        None => (s, None),
    };
    if let Some(t) = time
        && !is_time(t)
    {
        return None;
    }
    let (y, m, d) = if let Some(rest) = date.strip_suffix('日') {
        let (y, rest) = rest.split_once('年')?;
        let (m, d) = rest.split_once('月')?;
        (y, m, d)
    } else if date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit()) {
        (&date[..4], &date[4..6], &date[6..])
    } else {
        let sep = date.chars().find(|c| matches!(c, '-' | '/' | '.'))?;
        let mut parts = date.split(sep);
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        (y, m, d)
    };
    let y = digits(y, 4, 4)?;
    let m = digits(m, 1, 2)?;
    let d = digits(d, 1, 2)?;
    let y = i32::try_from(y).ok()?;
    if y < MIN_YEAR {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, d)
}

fn is_time(t: &str) -> bool {
    ["%H:%M:%S", "%H:%M", "%H:%M:%S%.f"]
        .iter()
        .any(|f| NaiveTime::parse_from_str(t, f).is_ok())
}

fn digits(s: &str, min: usize, max: usize) -> Option<u32> {
    if s.len() < min || s.len() > max || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

use crate::model::Unit;

/// Decimal places allowed (`decimal(18,6)`).
pub const DECIMAL_SCALE: usize = 6;
/// Integer digits allowed (`decimal(18,6)`: 18 − 6).
pub const DECIMAL_INTEGER_DIGITS: usize = 12;

/// Why a decimal was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DecimalError {
    Negative,
    Shape,
    Scale,
    Range,
    /// A unit (元, 万元, ￥) on a field whose catalog entry names none.
    Unit,
}

/// Parse a non-negative decimal and return its canonical form in the field's `unit`: no leading
/// zeros, no trailing fractional zeros, no trailing point (`007.500` → `7.5`, `0.000` → `0`).
///
/// Read as departments' spreadsheets write amounts: full-width digits; thousands separators in
/// the whole part (`1,234.5`, groups of three); and, when the field has a unit, a unit written
/// with the number — a `元`, `万元` or `万` suffix or a `￥` / `¥` sign (元) — converted exactly
/// into the field's unit (`5000元` in a 万元 field is `0.5`). Signs and exponents are refused.
pub(crate) fn parse_decimal(input: &str, unit: Option<Unit>) -> Result<String, DecimalError> {
    let s: String = input.chars().map(half_width).collect();
    let mut s = s.trim();
    let mut written = None;
    if let Some(rest) = s.strip_prefix(['¥', '\u{FFE5}']) {
        s = rest.trim_start();
        written = Some(Unit::Yuan);
    }
    if let Some(rest) = s.strip_suffix("万元").or_else(|| s.strip_suffix('万')) {
        s = rest.trim_end();
        written = Some(Unit::WanYuan);
    } else if let Some(rest) = s.strip_suffix('元') {
        s = rest.trim_end();
        written = Some(Unit::Yuan);
    }
    let shift = match (written, unit) {
        (None, _) => 0,
        (Some(_), None) => return Err(DecimalError::Unit),
        (Some(w), Some(u)) => w.exponent() as isize - u.exponent() as isize,
    };
    if s.starts_with('-') {
        return Err(DecimalError::Negative);
    }
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let int = ungroup(int).ok_or(DecimalError::Shape)?;
    if !all_digits(&int) || frac.is_some_and(|f| !all_digits(f)) {
        return Err(DecimalError::Shape);
    }
    let frac = frac.unwrap_or("");
    // Most cells name no unit: their digits are used as they are, without copying.
    let moved;
    let (int, frac) = if shift == 0 {
        (&*int, frac)
    } else {
        moved = move_point(&int, frac, shift);
        (moved.0.as_str(), moved.1.as_str())
    };
    let frac = frac.trim_end_matches('0');
    if frac.len() > DECIMAL_SCALE {
        return Err(DecimalError::Scale);
    }
    let int = int.trim_start_matches('0');
    if int.len() > DECIMAL_INTEGER_DIGITS {
        return Err(DecimalError::Range);
    }
    let int = if int.is_empty() { "0" } else { int };
    Ok(if frac.is_empty() {
        int.to_owned()
    } else {
        format!("{int}.{frac}")
    })
}

/// The digits `int`.`frac` with the decimal point moved `shift` places (to the right when
/// positive), as whole and fractional digits.
fn move_point(int: &str, frac: &str, shift: isize) -> (String, String) {
    let digits = format!("{int}{frac}");
    let point = int.len() as isize + shift;
    if point <= 0 {
        (
            String::new(),
            format!("{}{digits}", "0".repeat(point.unsigned_abs())),
        )
    } else if point as usize >= digits.len() {
        (
            format!("{digits}{}", "0".repeat(point as usize - digits.len())),
            String::new(),
        )
    } else {
        let (i, f) = digits.split_at(point as usize);
        (i.to_owned(), f.to_owned())
    }
}

/// The whole part of an amount without its thousands separators (`1,234,567` → `1234567`);
/// `None` when the groups are not those of thousands (`1,00`, `,100`, `1,0000`).
fn ungroup(int: &str) -> Option<std::borrow::Cow<'_, str>> {
    if !int.contains(',') {
        return Some(std::borrow::Cow::Borrowed(int));
    }
    let mut groups = int.split(',');
    let first = groups.next()?;
    if first.is_empty() || first.len() > 3 {
        return None;
    }
    let mut out = first.to_owned();
    for g in groups {
        if g.len() != 3 {
            return None;
        }
        out.push_str(g);
    }
    Some(std::borrow::Cow::Owned(out))
}

/// At most `max` characters of `s`, with `…` when cut (for echoing values in messages).
pub fn excerpt(s: &str, max: usize) -> String {
    let mut it = s.chars();
    let head: String = it.by_ref().take(max).collect();
    if it.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

/// A serde error message (JSON or TOML) with the Rust type names it may carry put in a data
/// format's words: "expected struct LoginRequest" → "expected an object", "expected i64" → "expected
/// a whole number", the field-type enum → the types a catalog accepts. Shared by the catalog's
/// own syntax errors and the API's JSON bodies, whose callers never see the Rust types.
pub fn plain_serde_message(message: &str) -> String {
    let mut m = message.to_owned();
    if let Some(at) = m.find("expected struct ") {
        let end = m[at..]
            .find('\n')
            .or_else(|| m[at..].find(" at line"))
            .map_or(m.len(), |i| at + i);
        m.replace_range(at..end, "expected an object");
    }
    for (rust, words) in RUST_TYPES_IN_WORDS {
        m = m.replace(&format!("expected {rust}"), &format!("expected {words}"));
    }
    // Rust's number and boolean parse errors, and serde's words for what it found.
    for (said, plain) in PARSER_PHRASES {
        m = m.replace(said, plain);
    }
    if let Some(rest) = m.strip_prefix("missing field `")
        && let Some((field, after)) = rest.split_once('`')
    {
        m = format!("{field} is required{after}");
    }
    if let Some(rest) = m.strip_prefix("duplicate field `")
        && let Some((field, after)) = rest.split_once('`')
    {
        m = format!("{field} is given more than once{after}");
    }
    m.replace(
        "data did not match any variant of untagged enum FieldTypeRepr",
        "not a field type: expected \"text\", \"date\", \"decimal\", \"uscc\", \"org_code\", \
         \"reg_no\", \"tax_no\", \"citizen_id\", \"any_code\" or { enum = [...] }",
    )
}

/// What Rust's parsers and serde say, in the words of someone sending data.
const PARSER_PHRASES: [(&str, &str); 11] = [
    ("invalid digit found in string", "not a whole number"),
    (
        "cannot parse integer from empty string",
        "empty where a whole number is expected",
    ),
    (
        "number too large to fit in target type",
        "a number too large",
    ),
    (
        "number too small to fit in target type",
        "a number too small",
    ),
    ("invalid float literal", "not a number"),
    (
        "provided string was not `true` or `false`",
        "must be true or false",
    ),
    ("invalid type: sequence,", "found a list (JSON array),"),
    ("invalid type: map,", "found an object,"),
    ("invalid type: ", "found "),
    (
        "key must be a string",
        "an object's keys must be \"quoted\" strings",
    ),
    ("EOF while parsing", "the text ends inside"),
];

/// Rust types a parse error may name, in the words of someone sending data (no name is a prefix
/// of another, so the order does not matter).
const RUST_TYPES_IN_WORDS: [(&str, &str); 15] = [
    ("u128", "a whole number from 0"),
    ("usize", "a whole number from 0"),
    ("u64", "a whole number from 0"),
    ("u32", "a whole number from 0"),
    ("u16", "a whole number from 0"),
    ("u8", "a whole number from 0"),
    ("i128", "a whole number"),
    ("isize", "a whole number"),
    ("i64", "a whole number"),
    ("i32", "a whole number"),
    ("i16", "a whole number"),
    ("i8", "a whole number"),
    ("f64", "a number"),
    ("f32", "a number"),
    ("NaiveDate", "a date (YYYY-MM-DD)"),
];

/// A Rust type's name (a path's last segment) in the words of someone sending data; `None`
/// when it is not one of the value types a parameter or field is read into.
pub fn rust_type_in_words(rust_type: &str) -> Option<&'static str> {
    let t = rust_type.rsplit("::").next().unwrap_or(rust_type);
    if t == "bool" {
        return Some("true or false");
    }
    RUST_TYPES_IN_WORDS
        .iter()
        .find(|(rust, _)| *rust == t)
        .map(|(_, words)| *words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn dates_in_every_accepted_form() {
        for s in [
            "2024-03-05",
            "2024/03/05",
            "2024/3/5",
            "2024.3.5",
            "20240305",
            "2024年3月5日",
            "2024年03月05日",
            "2024-03-05 00:00:00",
            "2024-03-05 13:45",
            "2024-03-05T13:45:10",
            "2024-03-05 13:45:10.250",
            " ２０２４－０３－０５ ",
            "２０２４年３月５日",
        ] {
            assert_eq!(parse_date(s), d(2024, 3, 5), "{s}");
        }
    }

    #[test]
    fn dates_refused() {
        for s in [
            "",
            "2024-02-30",
            "2024-13-01",
            "24-03-05",
            "2024-03",
            "2024-03-05-01",
            "2024/03-05x",
            "1899-12-31",
            "2024-03-05 25:00:00",
            "2024-03-05 noon",
            "2024年3月5",
            "+2024-03-05",
            "45292",
            "2024031",
            "二〇二四年三月五日",
        ] {
            assert_eq!(parse_date(s), None, "{s}");
        }
    }

    #[test]
    fn decimals_canonical() {
        let d = |s: &str| parse_decimal(s, None);
        assert_eq!(d("007.500").as_deref(), Ok("7.5"));
        assert_eq!(d("0.000").as_deref(), Ok("0"));
        assert_eq!(d("10").as_deref(), Ok("10"));
        assert_eq!(d("1.123456").as_deref(), Ok("1.123456"));
        assert_eq!(d("1.1234560").as_deref(), Ok("1.123456"));
        assert_eq!(d("１２.５").as_deref(), Ok("12.5"));
        assert_eq!(d("999999999999.5").as_deref(), Ok("999999999999.5"));
        assert_eq!(d("-1"), Err(DecimalError::Negative));
        assert_eq!(d("1.1234567"), Err(DecimalError::Scale));
        assert_eq!(d("1000000000000"), Err(DecimalError::Range));
        for s in [
            "", ".5", "5.", "1e3", "+1", "1.2.3", "NaN", "1,00", ",100", "1,0000",
        ] {
            assert_eq!(d(s), Err(DecimalError::Shape), "{s}");
        }
        for s in ["1.000,5", "1,000.", "1 000", "12,34,567"] {
            assert_eq!(d(s), Err(DecimalError::Shape), "{s}");
        }
    }

    #[test]
    fn thousands_separators_are_read() {
        let d = |s: &str| parse_decimal(s, None);
        assert_eq!(d("1,000").as_deref(), Ok("1000"));
        assert_eq!(d("1,234,567.50").as_deref(), Ok("1234567.5"));
        assert_eq!(d("１，２３４．５").as_deref(), Ok("1234.5"));
        assert_eq!(d("999,999,999,999").as_deref(), Ok("999999999999"));
        assert_eq!(d("1,000,000,000,000"), Err(DecimalError::Range));
    }

    #[test]
    fn units_are_converted_exactly() {
        let wan = |s: &str| parse_decimal(s, Some(Unit::WanYuan));
        assert_eq!(wan("5000元").as_deref(), Ok("0.5"));
        assert_eq!(wan("5,000.00 元").as_deref(), Ok("0.5"));
        assert_eq!(wan("￥5,000.00").as_deref(), Ok("0.5"));
        assert_eq!(wan("¥1").as_deref(), Ok("0.0001"));
        assert_eq!(wan("0.01元").as_deref(), Ok("0.000001"));
        assert_eq!(wan("0.001元"), Err(DecimalError::Scale));
        assert_eq!(wan("3万元").as_deref(), Ok("3"));
        assert_eq!(wan("3万").as_deref(), Ok("3"));
        assert_eq!(wan("1.5 万元").as_deref(), Ok("1.5"));
        assert_eq!(wan("12000000元").as_deref(), Ok("1200"));
        assert_eq!(wan("2").as_deref(), Ok("2"));
        assert_eq!(wan("-5元"), Err(DecimalError::Negative));
        assert_eq!(wan("元"), Err(DecimalError::Shape));
        assert_eq!(wan("五千元"), Err(DecimalError::Shape));
        let yuan = |s: &str| parse_decimal(s, Some(Unit::Yuan));
        assert_eq!(yuan("1.5万元").as_deref(), Ok("15000"));
        assert_eq!(yuan("0.00001万").as_deref(), Ok("0.1"));
        assert_eq!(yuan("300元").as_deref(), Ok("300"));
        assert_eq!(yuan("100000000万元"), Err(DecimalError::Range));
        // A field whose catalog entry has no unit takes no unit.
        assert_eq!(parse_decimal("5000元", None), Err(DecimalError::Unit));
        assert_eq!(parse_decimal("￥5", None), Err(DecimalError::Unit));
    }

    /// `n` with its thousands separated by commas.
    fn grouped(n: u64) -> String {
        let digits = n.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    }

    /// The canonical decimal of `units / 10^scale`.
    fn canonical(units: u64, scale: u32) -> String {
        let p = 10u64.pow(scale);
        let frac = format!("{:0width$}", units % p, width = scale as usize);
        let frac = frac.trim_end_matches('0');
        if frac.is_empty() {
            (units / p).to_string()
        } else {
            format!("{}.{frac}", units / p)
        }
    }

    proptest::proptest! {
        /// An amount in 元 to the fen, written as spreadsheets write it (thousands separated,
        /// a 元 suffix or a ￥ sign, full-width or not), is read into a 万元 field exactly.
        #[test]
        fn yuan_amounts_convert_exactly(fen in 0u64..100_000_000_000_000_000, form in 0..4u8) {
            let yuan = format!("{}.{:02}", grouped(fen / 100), fen % 100);
            let written = match form {
                0 => format!("{yuan}元"),
                1 => format!("￥{yuan}"),
                2 => format!("¥ {yuan} 元"),
                _ => format!("{yuan}元").chars().map(|c| match c {
                    '0'..='9' | ',' | '.' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
                    c => c,
                }).collect(),
            };
            let got = parse_decimal(&written, Some(Unit::WanYuan));
            proptest::prop_assert_eq!(got, Ok(canonical(fen, 6)), "{}", written);
        }

        /// Thousands separators never change a number; without them it reads the same.
        #[test]
        fn grouping_does_not_change_a_number(int in 0u64..1_000_000_000_000, frac in 0u32..1_000_000) {
            let plain = format!("{int}.{frac:06}");
            let with_commas = format!("{}.{frac:06}", grouped(int));
            let expected = canonical(int * 1_000_000 + u64::from(frac), 6);
            proptest::prop_assert_eq!(parse_decimal(&plain, None), Ok(expected.clone()));
            proptest::prop_assert_eq!(parse_decimal(&with_commas, Some(Unit::WanYuan)), Ok(expected));
        }

        #[test]
        fn parse_decimal_never_panics(s in "\\PC{0,30}", unit in 0..3u8) {
            let unit = [None, Some(Unit::Yuan), Some(Unit::WanYuan)][usize::from(unit)];
            let _ = parse_decimal(&s, unit);
        }
    }

    #[test]
    fn header_keys() {
        assert_eq!(header_key("\u{FEFF} CF_wsh\t"), "cf_wsh");
        assert_eq!(header_key("罚款金额（万元）"), header_key("罚款金额(万元)"));
        assert_eq!(header_key("行政 相对人名称"), "行政相对人名称");
    }

    #[test]
    fn doc_numbers() {
        assert_eq!(
            normalize_doc_no(" 京市监罚〔２０２４〕１２号　"),
            "京市监罚〔2024〕12号"
        );
        assert_eq!(normalize_doc_no("（2024）京0105执1号"), "(2024)京0105执1号");
        // Copied with invisible characters, it is still the same number.
        for hidden in [
            "\u{200B}", "\u{200C}", "\u{200D}", "\u{2060}", "\u{FEFF}", "\u{AD}",
        ] {
            assert_eq!(
                normalize_doc_no(&format!("市监罚〔2026〕{hidden}1202号{hidden}")),
                "市监罚〔2026〕1202号"
            );
        }
    }

    #[test]
    fn excerpts() {
        assert_eq!(excerpt("abc", 5), "abc");
        assert_eq!(excerpt("abcdef", 3), "abc…");
    }
}
