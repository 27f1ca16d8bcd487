//! 统一社会信用代码 — GB 32100-2015 with 第1号修改单 (effective 2016-04-18).

use std::fmt;
use std::str::FromStr;

use crate::tables::{NONE, USCC_CHARS, USCC_VALUE, USCC_WEIGHTS, org_check_char, parse_digits};
use crate::{CodeError, CodeKind, Rule, normalize, region};

const KIND: CodeKind = CodeKind::Uscc;

/// A registration-authority code (登记管理部门代码, position 1) and its institution
/// categories (机构类别代码, position 2).
pub(crate) struct Authority {
    pub(crate) code: u8,
    pub(crate) name: &'static str,
    pub(crate) categories: &'static [(u8, &'static str)],
}

/// GB 32100-2015 表2/表3 as extended by 第1号修改单 (approved 2016-04-15, effective
/// 2016-04-18); standards.md §1. The 2015 text had only 1, 5, 9 and Y.
pub(crate) const AUTHORITIES: &[Authority] = &[
    Authority {
        code: b'1',
        name: "机构编制",
        categories: &[
            (b'1', "机关"),
            (b'2', "事业单位"),
            (b'3', "中央编办直接管理机构编制的群众团体"),
            (b'9', "其他"),
        ],
    },
    Authority {
        code: b'2',
        name: "外交",
        categories: &[(b'1', "外国常驻新闻机构"), (b'9', "其他")],
    },
    Authority {
        code: b'3',
        name: "司法行政",
        categories: &[
            (b'1', "律师执业机构"),
            (b'2', "公证处"),
            (b'3', "基层法律服务所"),
            (b'4', "司法鉴定机构"),
            (b'5', "仲裁委员会"),
            (b'9', "其他"),
        ],
    },
    Authority {
        code: b'4',
        name: "文化",
        categories: &[(b'1', "外国在华文化中心"), (b'9', "其他")],
    },
    Authority {
        code: b'5',
        name: "民政",
        categories: &[
            (b'1', "社会团体"),
            (b'2', "民办非企业单位"),
            (b'3', "基金会"),
            (b'9', "其他"),
        ],
    },
    Authority {
        code: b'6',
        name: "旅游",
        categories: &[
            (b'1', "外国旅游部门常驻代表机构"),
            (b'2', "港澳台地区旅游部门常驻内地（大陆）代表机构"),
            (b'9', "其他"),
        ],
    },
    Authority {
        code: b'7',
        name: "宗教",
        categories: &[(b'1', "宗教活动场所"), (b'2', "宗教院校"), (b'9', "其他")],
    },
    Authority {
        code: b'8',
        name: "工会",
        categories: &[(b'1', "基层工会"), (b'9', "其他")],
    },
    Authority {
        code: b'9',
        name: "工商",
        categories: &[
            (b'1', "企业"),
            (b'2', "个体工商户"),
            (b'3', "农民专业合作社"),
        ],
    },
    Authority {
        code: b'A',
        name: "中央军委改革和编制办公室",
        categories: &[(b'1', "军队事业单位"), (b'9', "其他")],
    },
    Authority {
        code: b'N',
        name: "农业",
        categories: &[
            (b'1', "组级集体经济组织"),
            (b'2', "村级集体经济组织"),
            (b'3', "乡镇级集体经济组织"),
            (b'9', "其他"),
        ],
    },
    Authority {
        code: b'Y',
        name: "其他",
        categories: &[(b'1', "其他")],
    },
];

/// For each USCC character value of position 1, the bit set of allowed position-2 values
/// (0 = not an authority). Built at compile time from [`AUTHORITIES`].
const PAIR_MASK: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < AUTHORITIES.len() {
        let a = &AUTHORITIES[i];
        let mut mask = 0u32;
        let mut j = 0;
        while j < a.categories.len() {
            mask |= 1 << USCC_VALUE[a.categories[j].0 as usize];
            j += 1;
        }
        t[USCC_VALUE[a.code as usize] as usize] = mask;
        i += 1;
    }
    t
};

#[inline]
pub(crate) fn authority(b: u8) -> Option<&'static Authority> {
    let i = match b {
        b'1'..=b'9' => usize::from(b - b'1'),
        b'A' => 9,
        b'N' => 10,
        b'Y' => 11,
        _ => return None,
    };
    AUTHORITIES.get(i)
}

#[inline]
fn category(a: &Authority, b: u8) -> Option<&'static str> {
    a.categories.iter().find(|(c, _)| *c == b).map(|(_, n)| *n)
}

/// A valid unified social credit code (统一社会信用代码), in normal form.
///
/// `Copy`, 18 bytes. Serialises as its string; deserialising validates.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Uscc([u8; 18]);

impl Uscc {
    /// The 18-character code.
    pub fn as_str(&self) -> &str {
        // Always ASCII by construction.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// Position 1: 登记管理部门代码 and its name (`('9', "工商")`; 工商 is today 市场监管).
    pub fn registration_authority(&self) -> (char, &'static str) {
        let name = authority(self.0[0]).map_or("", |a| a.name);
        (char::from(self.0[0]), name)
    }

    /// Position 2: the Chinese name of the 机构类别 (`"企业"` for `91…`).
    pub fn institution_category(&self) -> &'static str {
        authority(self.0[0])
            .and_then(|a| category(a, self.0[1]))
            .unwrap_or("")
    }

    /// Positions 3–8: the registration authority's region code at registration time.
    /// The code is lifelong; it does not follow the subject when it moves.
    pub fn region_code(&self) -> &str {
        self.as_str().get(2..8).unwrap_or_default()
    }

    /// The region of positions 3–8 ([`region::NATIONAL`] for `100000`).
    pub fn region(&self) -> Option<&'static region::Region> {
        let code = parse_digits(&self.0[2..8])?;
        if code == region::NATIONAL.code {
            Some(&region::NATIONAL)
        } else {
            region::lookup_code(code)
        }
    }

    /// Positions 9–17: the 主体标识码, i.e. the GB 11714 organisation code (with its own
    /// check character).
    pub fn org_code(&self) -> &str {
        self.as_str().get(8..17).unwrap_or_default()
    }

    /// Positions 9–17 as an [`crate::OrgCode`].
    pub fn org(&self) -> crate::OrgCode {
        let mut b = [0u8; 9];
        b.copy_from_slice(&self.0[8..17]);
        crate::OrgCode::from_valid_bytes(b)
    }

    /// Position 18: the check character.
    pub fn check_character(&self) -> char {
        char::from(self.0[17])
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Uscc({:?})", self.as_str())
    }
}

impl AsRef<str> for Uscc {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl FromStr for Uscc {
    type Err = CodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        validate_uscc(s)
    }
}

impl serde::Serialize for Uscc {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Uscc {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        validate_uscc(&s).map_err(serde::de::Error::custom)
    }
}

/// The first rule a normal-form candidate breaks, without allocating.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Violation {
    /// Byte length is not 18 (or the input is not all ASCII).
    Shape,
    /// 0-based index of a byte outside the USCC set.
    Charset(usize),
    /// 0-based index of a non-digit in positions 3–8.
    RegionDigit(usize),
    CheckCharacter(u8),
    Authority,
    Category,
    Region,
    EmbeddedOrg(u8),
    ReservedOrg,
}

#[inline]
fn violation(b: &[u8]) -> Option<Violation> {
    let Ok(b) = <&[u8; 18]>::try_from(b) else {
        return Some(Violation::Shape);
    };
    // GB 32100-2015 §4.1 / 附录A: 31-character set; positions 3–8 are GB/T 2260 digits.
    // Branch-free pass that also accumulates the weighted sum of §4.2.5 式1.
    let mut sum = 0u32;
    let mut ok = true;
    for (&c, w) in b.iter().zip(USCC_WEIGHTS) {
        let v = USCC_VALUE[usize::from(c)];
        ok &= v != NONE;
        sum += u32::from(v) * w;
    }
    ok &= USCC_VALUE[usize::from(b[17])] != NONE;
    ok &= b[2..8].iter().all(u8::is_ascii_digit);
    if !ok {
        return Some(first_charset_violation(b));
    }
    // GB 32100-2015 §4.2.5 式1: C18 = 31 − MOD(Σ Ci×Wi, 31), 31 → 0.
    let expected = USCC_CHARS[((31 - sum % 31) % 31) as usize];
    if expected != b[17] {
        return Some(Violation::CheckCharacter(expected));
    }
    // 第1号修改单 表2/表3: registration authority and institution category.
    let allowed = PAIR_MASK[usize::from(USCC_VALUE[usize::from(b[0])])];
    if allowed & 1u32.wrapping_shl(u32::from(USCC_VALUE[usize::from(b[1])])) == 0 {
        return Some(if allowed == 0 {
            Violation::Authority
        } else {
            Violation::Category
        });
    }
    // §4.2.3: positions 3–8 = GB/T 2260 code of the registration authority (100000 = national).
    // (Digits were checked above.)
    let code = b[2..8]
        .iter()
        .fold(0u32, |n, &c| n * 10 + u32::from(c.wrapping_sub(b'0')));
    if code != region::NATIONAL.code && !region::is_known_code(code) {
        return Some(Violation::Region);
    }
    // §4.2.4: positions 9–17 = GB 11714 organisation code, whose own check must hold.
    let org_expected = org_check_char(&b[8..16]);
    if org_expected != b[16] {
        return Some(Violation::EmbeddedOrg(org_expected));
    }
    // GB 11714-1997: PDY00001–PDY99999 is a custom range, not for exchange.
    if b[8..11] == *b"PDY" {
        return Some(Violation::ReservedOrg);
    }
    None
}

#[cold]
fn first_charset_violation(b: &[u8; 18]) -> Violation {
    for (i, &c) in b.iter().enumerate() {
        if USCC_VALUE[usize::from(c)] == NONE {
            return Violation::Charset(i);
        }
        if (2..8).contains(&i) && !c.is_ascii_digit() {
            return Violation::RegionDigit(i);
        }
    }
    Violation::Shape
}

/// Fastest check: whether `code` is a valid USCC **in normal form** (18 bytes, upper case,
/// no separators; use [`validate_uscc`] for raw input). Same rules as [`validate_uscc`],
/// no allocation, no error construction.
#[inline]
pub fn is_valid_uscc(code: &[u8]) -> bool {
    violation(code).is_none()
}

/// Validate a unified social credit code (GB 32100-2015 + 第1号修改单).
///
/// Rules, in the order checked (the first failure is returned):
/// 1. `empty`, `length` (18 characters);
/// 2. `charset`: the 31-character set (digits, upper-case letters except I, O, Z, S, V),
///    and digits only in positions 3–8;
/// 3. `check_character` (position 18, weights 3^(i−1) mod 31);
/// 4. `registration_authority` (position 1) and `institution_category` (position 2), from
///    the full amendment table;
/// 5. `region_code` (positions 3–8: a known GB/T 2260 code, current or retired, or
///    `100000`);
/// 6. `embedded_org_code` (positions 9–17 pass GB 11714) and `reserved_org_code`
///    (`PDY…` custom range).
pub fn validate_uscc(input: &str) -> Result<Uscc, CodeError> {
    let s = normalize(input);
    let b = s.as_bytes();
    let Some(v) = violation(b) else {
        let mut out = [0u8; 18];
        out.copy_from_slice(b);
        return Ok(Uscc(out));
    };
    Err(describe(&s, v))
}

fn describe(s: &str, v: Violation) -> CodeError {
    let b = s.as_bytes();
    let at = |i: usize| char::from(b.get(i).copied().unwrap_or(b'?'));
    match v {
        Violation::Shape => shape_error(s),
        Violation::Charset(i) => charset_error(i + 1, at(i)),
        Violation::RegionDigit(i) => region_digit_error(i + 1, at(i)),
        Violation::CheckCharacter(expected) => {
            CodeError::check_character(KIND, 18, char::from(expected), at(17))
        }
        Violation::Authority => CodeError::new(
            KIND,
            Rule::RegistrationAuthority,
            Some(1),
            format!(
                "position 1: {:?} is not a registration authority code (登记管理部门代码) of \
                 GB 32100-2015 amendment No.1 (expected one of 1-9, A, N, Y)",
                at(0)
            ),
        ),
        Violation::Category => {
            let (name, allowed) = authority(b[0]).map_or(("", String::new()), |a| {
                let list: Vec<String> = a
                    .categories
                    .iter()
                    .map(|(c, n)| format!("{} {n}", char::from(*c)))
                    .collect();
                (a.name, list.join(", "))
            });
            CodeError::new(
                KIND,
                Rule::InstitutionCategory,
                Some(2),
                format!(
                    "position 2: {:?} is not an institution category (机构类别代码) of registration \
                     authority {} {name} (expected one of: {allowed})",
                    at(1),
                    at(0)
                ),
            )
        }
        Violation::Region => CodeError::region(KIND, 3, s.get(2..8).unwrap_or_default()),
        Violation::EmbeddedOrg(expected) => CodeError::new(
            KIND,
            Rule::EmbeddedOrgCode,
            Some(17),
            format!(
                "position 17: positions 9-17 ({}) are not a valid GB 11714 organisation code: \
                 expected check character {}, found {}",
                s.get(8..17).unwrap_or_default(),
                char::from(expected),
                at(16)
            ),
        ),
        Violation::ReservedOrg => CodeError::new(
            KIND,
            Rule::ReservedOrgCode,
            Some(9),
            format!(
                "positions 9-17: {} is in the GB 11714 custom range PDY00001-PDY99999, \
                 which is not valid for exchange",
                s.get(8..17).unwrap_or_default()
            ),
        ),
    }
}

/// Length or non-ASCII problems, reported per character.
fn shape_error(s: &str) -> CodeError {
    let count = s.chars().count();
    if count == 0 {
        return CodeError::empty(KIND);
    }
    if count != 18 {
        return CodeError::length(KIND, "18 characters", count);
    }
    // 18 characters but some are not ASCII: report the first bad one.
    for (i, c) in s.chars().enumerate() {
        let ok = u8::try_from(c).is_ok_and(|b| USCC_VALUE[usize::from(b)] != NONE);
        if !ok {
            return if (2..8).contains(&i) {
                region_digit_error(i + 1, c)
            } else {
                charset_error(i + 1, c)
            };
        }
    }
    CodeError::length(KIND, "18 characters", count)
}

fn charset_error(pos: usize, c: char) -> CodeError {
    CodeError::new(
        KIND,
        Rule::Charset,
        Some(pos),
        format!(
            "position {pos}: {c:?} is not in the USCC character set (digits and upper-case \
             letters except I, O, Z, S, V)"
        ),
    )
}

fn region_digit_error(pos: usize, c: char) -> CodeError {
    CodeError::new(
        KIND,
        Rule::Charset,
        Some(pos),
        format!(
            "position {pos}: {c:?} is not a digit (positions 3-8 are the GB/T 2260 region code \
             of the registration authority)"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authority_lookup_covers_table() {
        for a in AUTHORITIES {
            assert_eq!(authority(a.code).map(|x| x.code), Some(a.code));
        }
        for b in [b'0', b'B', b'X', b'Z', b'a'] {
            assert!(authority(b).is_none());
        }
    }
}
