//! Character tables and check-character algorithms shared by the validators.

/// Marker for "not in the character set" in the value tables.
pub(crate) const NONE: u8 = 0xFF;

/// GB 32100-2015 附录A: the 31 USCC characters in value order (0..=30); I, O, S, V, Z unused.
pub(crate) const USCC_CHARS: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// GB 32100-2015 表4: Wi = 3^(i-1) mod 31 for positions 1..=17.
pub(crate) const USCC_WEIGHTS: [u32; 17] = {
    let mut w = [0u32; 17];
    let mut i = 0;
    let mut p = 1u32;
    while i < 17 {
        w[i] = p;
        p = p * 3 % 31;
        i += 1;
    }
    w
};

/// Byte → USCC character value (GB 32100-2015 附录A), or [`NONE`].
pub(crate) const USCC_VALUE: [u8; 256] = {
    let mut t = [NONE; 256];
    let mut i = 0;
    while i < USCC_CHARS.len() {
        t[USCC_CHARS[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// Byte → GB 11714-1997 附录A value: 0–9 → 0..=9, A–Z (all 26) → 10..=35, or [`NONE`].
pub(crate) const ORG_VALUE: [u8; 256] = {
    let mut t = [NONE; 256];
    let mut i = 0u8;
    while i < 10 {
        t[(b'0' + i) as usize] = i;
        i += 1;
    }
    let mut j = 0u8;
    while j < 26 {
        t[(b'A' + j) as usize] = 10 + j;
        j += 1;
    }
    t
};

/// GB 11714-1997 weights for the 8 body characters.
pub(crate) const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// USCC check character (GB 32100-2015 式1: C18 = 31 − MOD(Σ Ci×Wi, 31); 31 → '0').
/// `body` must be 17 bytes already known to be in the USCC character set.
#[inline]
pub(crate) fn uscc_check_char(body: &[u8]) -> u8 {
    let mut sum = 0u32;
    for (b, w) in body.iter().zip(USCC_WEIGHTS) {
        sum += u32::from(USCC_VALUE[usize::from(*b)]) * w;
    }
    USCC_CHARS[((31 - sum % 31) % 31) as usize]
}

/// GB 11714-1997 check character: C9 = 11 − MOD(Σ Ci×Wi, 11); 10 → 'X', 11 → '0'.
/// `body` must be 8 bytes already known to be in [0-9A-Z].
#[inline]
pub(crate) fn org_check_char(body: &[u8]) -> u8 {
    let mut sum = 0u32;
    for (b, w) in body.iter().zip(ORG_WEIGHTS) {
        sum += u32::from(ORG_VALUE[usize::from(*b)]) * w;
    }
    match 11 - sum % 11 {
        10 => b'X',
        11 => b'0',
        d => b'0' + d as u8,
    }
}

/// ISO 7064 MOD 11,10 (hybrid) check digit for the 14 leading digits of a 15-digit
/// registration number (GS 15-2006; standards.md §2b). `digits` are values 0..=9.
#[inline]
pub(crate) fn mod11_10_check(digits: &[u8]) -> u8 {
    let mut p = 10u32;
    for d in digits {
        let mut s = (p + u32::from(*d)) % 10;
        if s == 0 {
            s = 10;
        }
        p = s * 2 % 11;
    }
    // Valid iff (p + check) % 10 == 1.
    ((11 - p) % 10) as u8
}

/// ISO 7064 MOD 11-2 check character for the 17 body digits of a citizen ID
/// (GB 11643-1999 表2). `digits` are values 0..=9.
#[inline]
pub(crate) fn mod11_2_check(digits: &[u8]) -> u8 {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CH: &[u8; 11] = b"10X98765432";
    let mut sum = 0u32;
    for (d, w) in digits.iter().zip(W) {
        sum += u32::from(*d) * w;
    }
    CH[(sum % 11) as usize]
}

/// Parse ASCII digits into a number; `None` if any byte is not a digit.
#[inline]
pub(crate) fn parse_digits(b: &[u8]) -> Option<u32> {
    let mut n = 0u32;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u32::from(c - b'0');
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uscc_weights_match_standard_table() {
        assert_eq!(
            USCC_WEIGHTS,
            [
                1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28
            ]
        );
    }

    #[test]
    fn uscc_charset_misses_exactly_iozsv() {
        let missing: Vec<u8> = (b'A'..=b'Z')
            .filter(|c| USCC_VALUE[usize::from(*c)] == NONE)
            .collect();
        assert_eq!(missing, b"IOSVZ");
        assert_eq!(USCC_VALUE[usize::from(b'Y')], 30);
        assert_eq!(USCC_VALUE[usize::from(b'A')], 10);
        assert_eq!(USCC_VALUE[usize::from(b'M')], 21);
    }

    #[test]
    fn standard_worked_example() {
        // GB 32100-2015 附录B: sum 1640, mod 31 = 28, check 3.
        assert_eq!(uscc_check_char(b"91350100M000100Y4"), b'3');
    }
}
