//! Deterministic generators of **valid** codes for demo and test data.
//!
//! No `rand` dependency: [`Rng`] is SplitMix64, so a seed always gives the same sequence on
//! every platform. Generated codes are syntactically valid and may coincide with real
//! subjects' codes; never present them as real.

use chrono::{Datelike as _, Months, NaiveDate};

use crate::tables::{USCC_CHARS, mod11_2_check, mod11_10_check, org_check_char, uscc_check_char};
use crate::uscc::AUTHORITIES;
use crate::{CodeError, CodeKind, Rule, normalize, region};

/// SplitMix64 pseudo-random generator (Steele, Lea & Flood 2014). Not cryptographic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rng(pub u64);

impl Rng {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (rejection sampling, no modulo bias); `0` when `n == 0`.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let zone = u64::MAX - u64::MAX % n;
        loop {
            let x = self.next_u64();
            if x < zone {
                return x % n;
            }
        }
    }

    /// Uniform index in `0..n` (`0` when `n == 0`).
    pub fn index(&mut self, n: usize) -> usize {
        usize::try_from(self.below(n as u64)).unwrap_or(0)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.index(items.len()))
    }
}

/// Characters allowed in an organisation code that sits inside a USCC (GB 11714 body
/// characters that are also in the USCC set).
const USCC_ORG_BODY: &[u8] = USCC_CHARS;

/// GB 11714 body characters (digits and all 26 letters).
const ORG_BODY: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

fn org_from_alphabet(rng: &mut Rng, alphabet: &[u8]) -> [u8; 9] {
    loop {
        let mut b = [0u8; 9];
        for c in b.iter_mut().take(8) {
            *c = alphabet
                .get(rng.index(alphabet.len()))
                .copied()
                .unwrap_or(b'0');
        }
        if b[..3] == *b"PDY" {
            continue; // GB 11714 custom range, not valid for exchange
        }
        b[8] = org_check_char(&b[..8]);
        return b;
    }
}

fn ascii(b: &[u8]) -> String {
    b.iter().map(|&c| char::from(c)).collect()
}

/// A random current county-level mainland region code.
pub fn region_code(rng: &mut Rng) -> u32 {
    let n = region::current_counties().len();
    region::nth_current_county(rng.index(n)).code
}

/// A valid organisation code (GB 11714-1997), any of the 26 letters in the body.
pub fn org_code(rng: &mut Rng) -> String {
    ascii(&org_from_alphabet(rng, ORG_BODY))
}

/// A valid USCC: a valid authority/category pair of 第1号修改单, a current county-level
/// region code, an embedded valid organisation code and the right check character.
pub fn uscc(rng: &mut Rng) -> String {
    // Weight towards 91 (enterprises), like real data, but cover every pair.
    let (a, c) = if rng.below(2) == 0 {
        (b'9', b'1')
    } else {
        random_pair(rng)
    };
    let org = org_from_alphabet(rng, USCC_ORG_BODY);
    assemble_uscc(a, c, region_code(rng), &org)
}

fn random_pair(rng: &mut Rng) -> (u8, u8) {
    let a = rng.pick(AUTHORITIES).unwrap_or(&AUTHORITIES[0]);
    let c = rng.pick(a.categories).map_or(b'1', |x| x.0);
    (a.code, c)
}

fn assemble_uscc(a: u8, c: u8, region: u32, org: &[u8; 9]) -> String {
    let mut b = [0u8; 18];
    b[0] = a;
    b[1] = c;
    let r = format!("{:06}", region % 1_000_000);
    b[2..8].copy_from_slice(r.as_bytes());
    b[8..17].copy_from_slice(org);
    b[17] = uscc_check_char(&b[..17]);
    ascii(&b)
}

/// Build a valid USCC around an existing organisation code (legacy mapping: USCC positions
/// 9–17 = the organisation code, GB 32100-2015 §4.2.4).
///
/// * `org`: a valid GB 11714 code (any form [`normalize`] accepts) whose characters are all
///   in the USCC set (no I, O, S, V, Z);
/// * `region`: six digits, a known GB/T 2260 code or `100000`; `None` = random current one;
/// * `pair`: (authority, category) from 第1号修改单, e.g. `('9', '1')`; `None` = random.
///
/// Errors are reported against [`CodeKind::Org`] (bad org code) or [`CodeKind::Uscc`].
pub fn uscc_for_org(
    rng: &mut Rng,
    org: &str,
    region: Option<&str>,
    pair: Option<(char, char)>,
) -> Result<String, CodeError> {
    let org = crate::validate_org_code(org)?;
    let ob = org.as_str().as_bytes();
    if let Some(i) = ob
        .iter()
        .position(|&c| crate::tables::USCC_VALUE[usize::from(c)] == crate::tables::NONE)
    {
        return Err(CodeError::new(
            CodeKind::Org,
            Rule::Charset,
            Some(i + 1),
            format!(
                "position {}: {:?} cannot appear in a USCC (I, O, Z, S, V are not in its \
                 character set), so this organisation code cannot be carried over",
                i + 1,
                char::from(ob[i])
            ),
        ));
    }
    let mut org_b = [0u8; 9];
    org_b.copy_from_slice(ob);
    let region_code = match region {
        None => region_code(rng),
        Some(r) => {
            let n = normalize(r);
            let code = (n.len() == 6)
                .then(|| crate::tables::parse_digits(n.as_bytes()))
                .flatten()
                .filter(|&c| c == region::NATIONAL.code || region::is_known_code(c));
            code.ok_or_else(|| CodeError::region(CodeKind::Uscc, 3, &n))?
        }
    };
    let (a, c) = match pair {
        None => random_pair(rng),
        Some((a, c)) => {
            let (a, c) = (
                u8::try_from(a.to_ascii_uppercase()).unwrap_or(0),
                u8::try_from(c.to_ascii_uppercase()).unwrap_or(0),
            );
            let Some(auth) = crate::uscc::authority(a) else {
                return Err(CodeError::new(
                    CodeKind::Uscc,
                    Rule::RegistrationAuthority,
                    Some(1),
                    format!(
                        "position 1: {:?} is not a registration authority code",
                        char::from(a)
                    ),
                ));
            };
            if !auth.categories.iter().any(|x| x.0 == c) {
                return Err(CodeError::new(
                    CodeKind::Uscc,
                    Rule::InstitutionCategory,
                    Some(2),
                    format!(
                        "position 2: {:?} is not an institution category of authority {:?}",
                        char::from(c),
                        char::from(a)
                    ),
                ));
            }
            (a, c)
        }
    };
    Ok(assemble_uscc(a, c, region_code, &org_b))
}

/// A valid 15-digit registration number: a current region code (1 in 50: `100000`), an
/// 8-digit sequence and the MOD 11,10 check digit.
pub fn reg_no(rng: &mut Rng) -> String {
    let region = if rng.below(50) == 0 {
        region::NATIONAL.code
    } else {
        region_code(rng)
    };
    let mut d = [0u8; 15];
    let r = format!("{region:06}");
    for (x, c) in d.iter_mut().zip(r.bytes()) {
        *x = c - b'0';
    }
    for x in d.iter_mut().take(14).skip(6) {
        *x = rng.below(10) as u8;
    }
    d[14] = mod11_10_check(&d[..14]);
    d.iter().map(|x| char::from(b'0' + x)).collect()
}

/// A valid citizen ID: a current county-level region code, a birth date between
/// 1940-01-01 and 18 years before `today` (clamped when `today` is earlier), a random
/// sequence and the MOD 11-2 check.
pub fn citizen_id(rng: &mut Rng, today: NaiveDate) -> String {
    let start = NaiveDate::from_ymd_opt(1940, 1, 1).unwrap_or(NaiveDate::MIN);
    let adult = today
        .checked_sub_months(Months::new(18 * 12))
        .unwrap_or(today);
    let (lo, hi) = if adult >= start {
        (start, adult)
    } else {
        (today.min(start), today.min(start))
    };
    let span = (hi - lo).num_days().max(0) as u64;
    let birth = lo + chrono::Days::new(rng.below(span + 1));
    let year = birth.year().clamp(0, 9999);
    let body = format!(
        "{:06}{year:04}{:02}{:02}{:03}",
        region_code(rng),
        birth.month(),
        birth.day(),
        rng.below(1000)
    );
    let mut digits = [0u8; 17];
    for (d, c) in digits.iter_mut().zip(body.bytes()) {
        *d = c.wrapping_sub(b'0');
    }
    let mut out = body;
    out.push(char::from(mod11_2_check(&digits)));
    out
}

/// A mainland mobile number `1[3-9]` + 9 digits.
pub fn mobile(rng: &mut Rng) -> String {
    let mut s = String::with_capacity(11);
    s.push('1');
    s.push(char::from(b'3' + rng.below(7) as u8));
    for _ in 0..9 {
        s.push(char::from(b'0' + rng.below(10) as u8));
    }
    s
}
