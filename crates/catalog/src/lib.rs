//! The public credit information catalog (公共信用信息目录) of chengxin, free of I/O.
//!
//! # What this crate owns
//!
//! * **The catalog model** ([`Catalog`], [`CatalogItem`], [`Field`]): which kinds of information
//!   the platform accepts, each with its catalog category, legal basis, nature (basic / positive
//!   / negative), sharing and disclosure scope, publication rule and field set. Information
//!   enters only through a catalog item (DESIGN.md principle 1; 国办发〔2020〕49号 (一)
//!   「纳入公共信用信息的具体范围以目录为准」). Catalogs are read from TOML or JSON
//!   ([`Catalog::from_toml`], [`Catalog::from_json`]) and refused with a [`CatalogError`] naming
//!   the item and field when they break a rule (unique codes and headers, the roles every item
//!   needs, consistent publication periods, masked personal identifiers).
//! * **The default catalog** ([`Catalog::default_catalog`], `data/default-catalog.toml`):
//!   登记注册基本信息, 行政许可 and 行政处罚 (the 双公示 field sets), 失信被执行人,
//!   严重失信主体名单, 信用承诺 and 诚实守信相关荣誉.
//! * **Header mapping** ([`CatalogItem::columns`]): a batch file's header row matched to fields
//!   by code (any ASCII case), Chinese name or alias (legacy 2016-era names and codes), so both
//!   header styles and both generations of the 双公示 format load.
//! * **Row validation** ([`CatalogItem::validate`]): every rule of a row is checked and every
//!   problem reported ([`RowError`] with a stable rule id); a valid row becomes a [`Draft`] with
//!   its normalised document number, decision date, status, subject reference, severity and a
//!   SHA-256 over its canonical fields (idempotent re-submission: same content, same hash).
//! * **Publication windows** ([`CatalogItem::publication_window`], [`Window`]): when a record is
//!   shown on the portal, by the severity periods of 国家发展改革委令第36号.
//!
//! It does not store, read files, know the clock or the calendar: "today" is passed in, and the
//! 7-working-day timeliness rule is computed by the caller with `chengxin-calendar`.
//!
//! # Sources (standards.md of the project's shared reference, sections given)
//!
//! * §4 双公示 data standard. The 7-working-day rule: 国办发〔2015〕51号 (十八) 「除法律法规另有规定
//!   外，应将行政许可、行政处罚等信息自作出行政决定之日起7个工作日内上网公开」, restated in
//!   国发〔2016〕33号 (十七). Field sets: §4a 行政许可 (`XK_*`, 28 items) and §4b 行政处罚
//!   (`CF_*`, 30 items) as returned by 信用中国 and seen in ≥4 independent public code bases
//!   (\[SECONDARY\]: the official PDF of the standard was not found); §4c the legacy 2016-era
//!   format, mapped here through aliases where a legacy column is one-to-one with a current one.
//!   处罚类别 follows 《行政处罚法》(2021) 第九条.
//! * §5 publication periods. 国家发展改革委令第36号 《信用修复管理办法》 (in force 2026-04-01,
//!   repeals 58号令) and 国办发〔2025〕22号 (二): 轻微 not published or at most 3 months; 一般
//!   3 months to 1 year; 严重 1 to 3 years; counted from the date of the decision; after the
//!   maximum period publication stops automatically. 36号令 第四条: 失信信息 comprises 严重失信主体
//!   名单, 行政处罚, 异常名录 and other negative information of the catalog.
//! * §6 全国公共信用信息基础目录 (2021/2022/2024 editions): the categories 登记注册基本信息,
//!   司法裁判及执行信息, 行政管理信息, 严重失信主体名单信息, 信用承诺及其履行情况信息,
//!   诚实守信相关荣誉信息 ….
//! * Identifiers are checked by `chengxin-codes` (GB 32100-2015, GB 11714-1997, GS 15-2006,
//!   GB 11643-1999); subject kinds and schemes are `chengxin-registry`'s.
//! * Date arithmetic of periods: 《民法典》第二百零一条、第二百零二条 (see [`Window`]).
//!
//! # Example
//!
//! ```
//! use chengxin_catalog::{Catalog, Severity};
//! use chrono::NaiveDate;
//!
//! let catalog = Catalog::default_catalog();
//! let penalty = catalog.item("penalty").expect("default item");
//! let cols = penalty
//!     .columns(&["CF_XDR_MC", "CF_XDR_SHXYM", "CF_WSH", "CF_SY", "CF_YJ", "CF_CFLB", "CF_NR",
//!                "CF_JDRQ", "CF_CFJG"])
//!     .expect("headers");
//! let today = NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
//! let draft = penalty
//!     .validate(&cols, &["某某有限公司", "91350100M000100Y43", "闽榕市监罚〔2026〕12号",
//!                        "未按规定公示年度报告", "《企业信息公示暂行条例》第十八条", "罚款",
//!                        "罚款0.5万元", "2026-01-10", "福州市市场监督管理局"], today)
//!     .expect("valid row");
//! assert_eq!(draft.severity, Some(Severity::General));
//! let window = penalty.publication_window(draft.severity, draft.decision_date, None);
//! assert!(window.is_public_on(NaiveDate::from_ymd_opt(2027, 1, 10).expect("date")));
//! assert!(!window.is_public_on(NaiveDate::from_ymd_opt(2027, 1, 11).expect("date")));
//! ```

mod check;
mod columns;
mod model;
mod row;
mod values;
mod window;

pub use check::{CatalogError, MAX_PERIOD_MONTHS};
pub use columns::{Columns, HeaderError};
pub use model::{
    Catalog, CatalogItem, CodeField, Disclosure, Field, FieldType, Mask, Nature,
    ParseSeverityError, Publication, Role, Severity, SeverityPeriod, Sharing, Unit,
};
pub use row::{
    Draft, ParseStatusError, RecordStatus, RowError, SubjectRef, hex, message_zh, row_hash,
    rule_label_zh, severity_of_penalty_kinds, subject_kind_of,
};
pub use values::{
    excerpt, header_key, normalize_doc_no, parse_date, plain_serde_message, rust_type_in_words,
};
pub use window::{Window, add_months};

use std::sync::OnceLock;

/// The default catalog's source text (`data/default-catalog.toml`).
pub const DEFAULT_CATALOG_TOML: &str = include_str!("../data/default-catalog.toml");

impl Catalog {
    /// The embedded default catalog (version 1), parsed from `data/default-catalog.toml`.
    ///
    /// # Panics
    ///
    /// Never for the shipped file: a test parses and validates it.
    pub fn default_catalog() -> Catalog {
        Catalog::default_ref().clone()
    }

    /// The embedded default catalog, parsed once per process (parsing takes about a
    /// millisecond; cloning is cheaper).
    pub fn default_ref() -> &'static Catalog {
        static DEFAULT: OnceLock<Catalog> = OnceLock::new();
        DEFAULT.get_or_init(|| match Catalog::from_toml(DEFAULT_CATALOG_TOML) {
            Ok(c) => c,
            Err(e) => panic!("the embedded default catalog is invalid: {e}"),
        })
    }

    /// Read and validate a catalog written in TOML.
    pub fn from_toml(text: &str) -> Result<Catalog, CatalogError> {
        let c: Catalog = toml::from_str(text).map_err(|e| CatalogError::Syntax {
            format: "TOML",
            message: plain_serde_message(e.to_string().trim_end()),
        })?;
        check::check_catalog(&c)?;
        Ok(c.normalised())
    }

    /// Read and validate a catalog written in JSON (the form [`Catalog::to_json`] writes and
    /// the store keeps).
    pub fn from_json(text: &str) -> Result<Catalog, CatalogError> {
        let mut de = serde_json::Deserializer::from_str(text);
        let c: Catalog = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            // Where the value is, as a path (`items[3].fields[2].max_chars`), then what is
            // wrong with it and its line and column.
            let path = e.path().to_string();
            let inner = plain_serde_message(&e.inner().to_string());
            CatalogError::Syntax {
                format: "JSON",
                // `?` is serde's path when the text breaks before any value is known.
                message: if path == "." || path == "?" {
                    inner
                } else {
                    format!("{path}: {inner}")
                },
            }
        })?;
        de.end().map_err(|e| CatalogError::Syntax {
            format: "JSON",
            message: format!(
                "text after the catalog: {}",
                plain_serde_message(&e.to_string())
            ),
        })?;
        check::check_catalog(&c)?;
        Ok(c.normalised())
    }

    /// Codes written as they are stored (providers' USCCs in upper case, half-width).
    fn normalised(mut self) -> Catalog {
        for item in &mut self.items {
            for p in &mut item.providers {
                *p = chengxin_codes::normalize(p).into_owned();
            }
        }
        self
    }

    /// The catalog as (pretty-printed) JSON; [`Catalog::from_json`] reads it back equal.
    pub fn to_json(&self) -> String {
        // Serialising these plain types (string keys, no maps with non-string keys, no
        // non-finite floats) cannot fail.
        serde_json::to_string_pretty(self)
            .unwrap_or_else(|e| unreachable!("serialising a catalog cannot fail: {e}"))
    }

    /// Check the catalog's rules (what `from_toml`/`from_json` check), for catalogs built in
    /// code.
    pub fn validate(&self) -> Result<(), CatalogError> {
        check::check_catalog(self)
    }

    /// The item with code `code`.
    pub fn item(&self, code: &str) -> Option<&CatalogItem> {
        self.items.iter().find(|i| i.code == code)
    }
}

#[cfg(test)]
mod tests;
