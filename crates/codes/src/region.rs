//! GB/T 2260 administrative-division codes (行政区划代码), current **and retired**.
//!
//! The table is `data/regions.tsv`, embedded with `include_str!` and parsed once on first
//! use into a sorted table (binary search over `u32` codes). Source, date, count and
//! licence: `data/README.md` (python-stdnum 2.2 `loc.dat`, itself compiled from the Chinese
//! Wikipedia tables of the 民政部 code lists; 6,885 codes).
//!
//! Retired codes stay known: a USCC (positions 3–8) or citizen ID (positions 1–6) carries
//! the region code valid when the subject registered or the ID was first issued, and that
//! code never changes (e.g. `110103` 崇文区, abolished 2010).

use std::sync::OnceLock;

/// One region code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Region {
    /// The six-digit code as a number (`110105`).
    pub code: u32,
    /// The current name, or for a retired code the last name it had.
    pub name: &'static str,
    /// Whether the source marks the code as in use (see `data/README.md`).
    pub current: bool,
    /// The source's annotated history, e.g. `[-1991]东郊区,[1992-]东丽区` (may equal `name`).
    pub history: &'static str,
}

/// Administrative level implied by the code's shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// `xx0000` (省级).
    Province,
    /// `xxxx00` (地级).
    Prefecture,
    /// anything else (县级).
    County,
}

impl Region {
    /// The code as six ASCII digits.
    pub fn code_str(&self) -> String {
        format!("{:06}", self.code)
    }

    /// Province / prefecture / county, from the code's shape.
    pub fn level(&self) -> Level {
        level_of(self.code)
    }

    /// The province-level entry this code belongs to (itself for a province).
    pub fn province(&self) -> Option<&'static Region> {
        province(self.code)
    }

    /// Whether this is one of the non-GB/T 2260 entries handled in code
    /// ([`NATIONAL`], [`TAIWAN_RESIDENCE_PERMIT`]).
    pub fn is_special(&self) -> bool {
        self.code == NATIONAL.code || self.code == TAIWAN_RESIDENCE_PERMIT.code
    }
}

/// `100000`: national-level registration authority (e.g. SAMR/国家市场监管总局) in USCC
/// positions 3–8 and registration-number positions 1–6. Not a GB/T 2260 code, so
/// [`lookup`] does not return it; the USCC and registration-number validators accept it.
pub static NATIONAL: Region = Region {
    code: 100000,
    name: "国家级登记管理机关",
    current: true,
    history: "",
};

/// `830000`: address-code prefix of 台湾居民居住证 (Taiwan residents' residence permit),
/// which uses the citizen-ID layout. Not a GB/T 2260 code (Taiwan is `710000`); only the
/// citizen-ID validator accepts it. (`810000`/`820000` are ordinary GB/T 2260 codes.)
pub static TAIWAN_RESIDENCE_PERMIT: Region = Region {
    code: 830000,
    name: "台湾居民居住证",
    current: true,
    history: "",
};

static DATA: &str = include_str!("../data/regions.tsv");

struct Table {
    regions: Vec<Region>,
    codes: Vec<u32>,
    /// One bit per possible six-digit code (125 KiB): O(1) membership on the hot path.
    bits: Vec<u64>,
    /// Indexes of current county-level codes of mainland provinces, for generators.
    counties: Vec<usize>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut regions: Vec<Region> = DATA.lines().filter_map(parse_line).collect();
        regions.sort_by_key(|r| r.code);
        regions.dedup_by_key(|r| r.code);
        let codes = regions.iter().map(|r| r.code).collect();
        let counties = regions
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                r.current
                    && r.level() == Level::County
                    && r.code < 710000
                    && r.code % 100 != 0
                    && r.code % 10000 / 100 != 90
                    && r.name != "市辖区"
            })
            .map(|(i, _)| i)
            .collect();
        let mut bits = vec![0u64; 1_000_000 / 64 + 1];
        for r in &regions {
            if let Some(w) = bits.get_mut((r.code / 64) as usize) {
                *w |= 1 << (r.code % 64);
            }
        }
        Table {
            regions,
            codes,
            bits,
            counties,
        }
    })
}

fn parse_line(line: &'static str) -> Option<Region> {
    if line.starts_with('#') || line.is_empty() {
        return None;
    }
    let mut f = line.split('\t');
    let code = f.next()?;
    let name = f.next()?;
    let current = f.next()?;
    let history = f.next().unwrap_or(name);
    if code.len() != 6 {
        return None;
    }
    Some(Region {
        code: crate::tables::parse_digits(code.as_bytes())?,
        name,
        current: current == "1",
        history,
    })
}

fn level_of(code: u32) -> Level {
    if code.is_multiple_of(10000) {
        Level::Province
    } else if code.is_multiple_of(100) {
        Level::Prefecture
    } else {
        Level::County
    }
}

/// Every GB/T 2260 code in the table (current and retired), sorted by code.
pub fn all() -> &'static [Region] {
    &table().regions
}

/// The codes the source marks as in use.
pub fn current() -> impl Iterator<Item = &'static Region> {
    all().iter().filter(|r| r.current)
}

/// Look a code up by its six ASCII digits (`"110105"`). Current or retired.
/// Surrounding white space is ignored; anything else than six digits gives `None`.
/// The special codes [`NATIONAL`] and [`TAIWAN_RESIDENCE_PERMIT`] are not returned.
pub fn lookup(code: &str) -> Option<&'static Region> {
    let b = code.trim().as_bytes();
    if b.len() != 6 {
        return None;
    }
    lookup_code(crate::tables::parse_digits(b)?)
}

/// Look a code up by number (`110105`).
pub fn lookup_code(code: u32) -> Option<&'static Region> {
    let t = table();
    t.codes
        .binary_search(&code)
        .ok()
        .and_then(|i| t.regions.get(i))
}

/// Whether `code` (six digits) is a known GB/T 2260 code, current or retired.
pub fn is_known(code: &str) -> bool {
    lookup(code).is_some()
}

/// Hot-path membership test (bitset over all six-digit codes).
#[inline]
pub(crate) fn is_known_code(code: u32) -> bool {
    table()
        .bits
        .get((code / 64) as usize)
        .is_some_and(|w| w >> (code % 64) & 1 == 1)
}

/// The province-level entry of `code` (`110105` → 北京市).
pub fn province(code: u32) -> Option<&'static Region> {
    lookup_code(code / 10000 * 10000)
}

/// The prefecture-level entry of `code` (`130102` → 石家庄市), if the table has one.
pub fn prefecture(code: u32) -> Option<&'static Region> {
    if level_of(code) == Level::Province {
        return None;
    }
    lookup_code(code / 100 * 100)
}

/// Full name from province down, skipping the placeholders 市辖区/县 and repeated names:
/// `110105` → `北京市朝阳区`, `130102` → `河北省石家庄市长安区`.
pub fn full_name(code: u32) -> Option<String> {
    let own = lookup_code(code)?;
    let mut parts: Vec<&str> = Vec::with_capacity(3);
    let mut push = |r: Option<&'static Region>| {
        if let Some(r) = r {
            let placeholder = matches!(r.name, "市辖区" | "县" | "省直辖县级行政区划");
            if !placeholder && parts.last() != Some(&r.name) {
                parts.push(r.name);
            }
        }
    };
    push(province(code));
    if own.level() == Level::County {
        push(prefecture(code));
    }
    if own.level() != Level::Province {
        push(Some(own));
    }
    Some(parts.concat())
}

/// Current county-level mainland codes (for generators).
pub(crate) fn current_counties() -> impl ExactSizeIterator<Item = &'static Region> {
    let t = table();
    t.counties.iter().map(move |&i| &t.regions[i])
}

/// The `n`-th current county-level mainland code (for generators), wrapping around.
pub(crate) fn nth_current_county(n: usize) -> &'static Region {
    let t = table();
    let idx = t
        .counties
        .get(n % t.counties.len().max(1))
        .copied()
        .unwrap_or(0);
    t.regions.get(idx).unwrap_or(&NATIONAL)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_loads_completely() {
        assert_eq!(all().len(), 6885);
        assert_eq!(current().count(), 3514);
        assert!(all().windows(2).all(|w| w[0].code < w[1].code));
        assert!(current_counties().len() > 2500);
    }

    #[test]
    fn retired_codes_are_known() {
        let r = lookup("110103").expect("崇文区");
        assert_eq!(r.name, "崇文区");
        assert!(!r.current);
        assert!(is_known("440524")); // 潮阳县, GB 11643 example
        assert!(!lookup("440524").expect("潮阳").current);
    }

    #[test]
    fn current_and_levels() {
        let r = lookup(" 110105 ").expect("朝阳区");
        assert!(r.current);
        assert_eq!(r.name, "朝阳区");
        assert_eq!(r.level(), Level::County);
        assert_eq!(r.province().map(|p| p.name), Some("北京市"));
        assert_eq!(
            lookup_code(110000).map(Region::level),
            Some(Level::Province)
        );
        assert_eq!(full_name(110105).as_deref(), Some("北京市朝阳区"));
        assert_eq!(full_name(130102).as_deref(), Some("河北省石家庄市长安区"));
        assert_eq!(full_name(110000).as_deref(), Some("北京市"));
        assert_eq!(r.code_str(), "110105");
    }

    #[test]
    fn unknown_and_malformed() {
        assert!(!is_known("999999"));
        assert!(!is_known("100000")); // national registration: not GB/T 2260
        assert!(!is_known("830000"));
        assert!(!is_known("11010"));
        assert!(!is_known("11010a"));
        assert!(!is_known("1101050"));
        assert!(lookup("").is_none());
    }

    #[test]
    fn renamed_code_keeps_history() {
        let r = lookup("120110").expect("东丽区");
        assert_eq!(r.name, "东丽区");
        assert!(r.current);
        assert!(r.history.contains("东郊区"));
    }
}
