use std::borrow::Cow;

/// Normalise a code as typed or pasted by a person.
///
/// * full-width ASCII (U+FF01–U+FF5E) becomes half-width (`９１３５` → `9135`);
/// * ASCII lower case becomes upper case (`x` → `X`);
/// * white space is removed everywhere (leading/trailing = trim, and inside the code;
///   this covers the ideographic space U+3000 and every other Unicode `White_Space` char);
/// * hyphens and dashes are removed: ASCII `-`, full-width `－` (U+FF0D), U+2010–U+2015 and
///   the minus sign U+2212 (display forms such as `70846113-6`);
/// * invisible characters pasted along are removed: a byte-order mark, zero-width spaces and
///   joiners, the soft hyphen.
///
/// No other character is touched: in particular `O` is never "corrected" to `0`, nor `I`
/// to `1`, because guessing would turn wrong codes into other, existing subjects' codes.
///
/// Returns [`Cow::Borrowed`] when the input is already normal (no allocation).
/// The function is idempotent.
pub fn normalize(input: &str) -> Cow<'_, str> {
    if is_normal(input) {
        return Cow::Borrowed(input);
    }
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        if let Some(n) = map_char(c) {
            out.push(n);
        }
    }
    Cow::Owned(out)
}

/// Whether `normalize` would leave `s` unchanged.
fn is_normal(s: &str) -> bool {
    // Fast path: upper-case ASCII letters and digits only (branch-free over the bytes).
    if s.bytes().fold(true, |ok, b| {
        ok & (b.is_ascii_digit() | b.is_ascii_uppercase())
    }) {
        return true;
    }
    s.chars().all(|c| map_char(c) == Some(c))
}

/// The normalised form of one character: `None` = dropped.
#[inline]
pub(crate) fn map_char(c: char) -> Option<char> {
    let c = match c {
        // Full-width ASCII block → ASCII (U+FF01 '！' .. U+FF5E '～' ↔ U+0021 .. U+007E).
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    if c.is_whitespace() || is_dash(c) || is_invisible(c) {
        return None;
    }
    Some(c.to_ascii_uppercase())
}

/// Characters that take no room when shown and come along with pasted text: the byte-order
/// mark a spreadsheet or a Windows text file starts with (U+FEFF), zero-width spaces and joiners
/// (U+200B–U+200D, U+2060) and the soft hyphen (U+00AD).
#[inline]
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{FEFF}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{00AD}'
    )
}

#[inline]
fn is_dash(c: char) -> bool {
    matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borrowed_when_normal() {
        assert!(matches!(normalize("91350100M000100Y43"), Cow::Borrowed(_)));
        assert!(matches!(normalize(""), Cow::Borrowed(_)));
        // Non-ASCII that is not mapped is also "normal".
        assert!(matches!(normalize("统一代码"), Cow::Borrowed(_)));
    }

    #[test]
    fn maps_and_drops() {
        assert_eq!(
            normalize("  ９１３５０１００Ｍ０００１００Ｙ４３　"),
            "91350100M000100Y43"
        );
        assert_eq!(normalize("91350100m000100y43"), "91350100M000100Y43");
        assert_eq!(normalize("9135 0100 M000 100Y 43"), "91350100M000100Y43");
        assert_eq!(normalize("70846113-6"), "708461136");
        // Pasted with a byte-order mark, or with zero-width characters inside.
        assert_eq!(
            normalize("\u{FEFF}91350100M000100Y43"),
            "91350100M000100Y43"
        );
        assert_eq!(
            normalize("9135\u{200B}0100M000100Y43\u{AD}"),
            "91350100M000100Y43"
        );
        assert_eq!(normalize("70846113－6"), "708461136");
        assert_eq!(normalize("70846113\u{2014}6"), "708461136");
        assert_eq!(normalize("70846113\u{2212}6"), "708461136");
        assert_eq!(normalize("11010519491231002x"), "11010519491231002X");
        assert_eq!(normalize("ａｂｃ"), "ABC");
    }

    #[test]
    fn never_corrects_lookalikes() {
        assert_eq!(normalize("9135O1OOMOOO1OOY43"), "9135O1OOMOOO1OOY43");
        assert_eq!(normalize("ilo"), "ILO");
        assert_eq!(normalize("ß"), "ß");
        assert_eq!(normalize("_+*"), "_+*");
    }
}
