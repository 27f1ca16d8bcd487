//! Why a record version is or is not on the portal on a given day: the reader's side of the
//! rule of [`StoredRecord::on_show`] and of the filter of [`crate::Store::publicity`]. Pure: the
//! date and whether the catalog discloses the record are passed in.

use crate::records::StoredRecord;
use chrono::NaiveDate;

/// The standing of one record version on a day. The first reason that applies wins, in the
/// order of the variants: a superseded version is 已被更正 whatever its own status, a revoked
/// decision is 已撤销 whatever its window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Showing {
    /// A newer version of the same decision (department + item + document number) replaced it:
    /// a correction is a new version, the old one stays in history (DESIGN.md principle 4).
    Superseded,
    /// 当前状态 撤销: the department withdrew the decision.
    Revoked,
    /// 当前状态 无效 (or any status other than 有效 and 撤销).
    Invalid,
    /// An approved credit repair ended its publication early (国家发展改革委令第36号 第三条):
    /// off the portal, kept in history.
    Repaired,
    /// Not published: the catalog gives the item or its class no publication window, or the
    /// item is not open to the public under the catalog in force or the version the record
    /// entered under (国办发〔2020〕49号 (四)).
    NotPublic,
    /// Its publication window has not begun.
    NotYet,
    /// Its publication window has ended (国家发展改革委令第36号 公示期限; a licence at the end of
    /// 有效期至): withdrawn from the portal automatically (下撤), kept in history.
    Expired,
    /// On the portal today (公示中).
    OnShow,
}

impl Showing {
    /// Every standing, in the order of precedence.
    pub const ALL: [Showing; 8] = [
        Showing::Superseded,
        Showing::Revoked,
        Showing::Invalid,
        Showing::Repaired,
        Showing::NotPublic,
        Showing::NotYet,
        Showing::Expired,
        Showing::OnShow,
    ];

    /// The code used in JSON (`on_show`, `expired`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Showing::Superseded => "superseded",
            Showing::Revoked => "revoked",
            Showing::Invalid => "invalid",
            Showing::Repaired => "repaired",
            Showing::NotPublic => "not_public",
            Showing::NotYet => "not_yet",
            Showing::Expired => "expired",
            Showing::OnShow => "on_show",
        }
    }

    /// The Chinese label shown to readers.
    pub fn label_zh(self) -> &'static str {
        match self {
            Showing::Superseded => "已被更正",
            Showing::Revoked => "已撤销",
            Showing::Invalid => "无效",
            Showing::Repaired => "已信用修复",
            Showing::NotPublic => "不公示",
            Showing::NotYet => "未到公示期",
            Showing::Expired => "公示期满",
            Showing::OnShow => "公示中",
        }
    }
}

impl StoredRecord {
    /// The standing of this version on `today`. `disclosed`: whether the catalog opens the
    /// record's item to the public, in force and in the version the record entered under (the
    /// server's `disclosed_versions`). `Showing::OnShow` exactly when [`StoredRecord::on_show`]
    /// holds and `disclosed` is true.
    pub fn showing(&self, today: NaiveDate, disclosed: bool) -> Showing {
        if !self.current {
            return Showing::Superseded;
        }
        match self.status.as_str() {
            "valid" => {}
            "revoked" => return Showing::Revoked,
            _ => return Showing::Invalid,
        }
        if self.repaired_on.is_some_and(|r| r <= today) {
            return Showing::Repaired;
        }
        let Some(from) = self.publish_from.filter(|_| disclosed) else {
            return Showing::NotPublic;
        };
        if from > today {
            Showing::NotYet
        } else if self.publish_until.is_some_and(|u| u < today) {
            Showing::Expired
        } else {
            Showing::OnShow
        }
    }
}

/// The standing of each of a subject's record versions on `day` as things stood that day:
/// `None` for a version not yet received then; of a decision's versions received by then, the
/// latest is the one in force and the others are superseded (a correction or a revocation sent
/// later does not reach back). `disclosed` as for [`StoredRecord::showing`].
pub fn standings_on(
    records: &[StoredRecord],
    day: NaiveDate,
    disclosed: impl Fn(&StoredRecord) -> bool,
) -> Vec<Option<Showing>> {
    use std::collections::HashMap;
    let mut latest: HashMap<(&str, &str, &str), i64> = HashMap::new();
    for r in records.iter().filter(|r| r.received_on <= day) {
        let v = latest
            .entry((r.department.as_str(), r.item.as_str(), r.doc_no.as_str()))
            .or_insert(r.version);
        *v = (*v).max(r.version);
    }
    records
        .iter()
        .map(|r| {
            let newest =
                *latest.get(&(r.department.as_str(), r.item.as_str(), r.doc_no.as_str()))?;
            if r.received_on > day {
                None
            } else if r.version < newest {
                Some(Showing::Superseded)
            } else {
                let then = StoredRecord {
                    current: true,
                    ..r.clone()
                };
                Some(then.showing(day, disclosed(r)))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    /// A current, valid 一般 penalty shown 2026-01-10 … 2027-01-10.
    fn record() -> StoredRecord {
        StoredRecord {
            id: 1,
            item: "penalty".into(),
            department: "11350100MB0000019U".into(),
            doc_no: "榕市监罚〔2026〕1号".into(),
            version: 1,
            current: true,
            batch_id: 1,
            row_no: 1,
            catalog_version: 1,
            subject_id: 1,
            subject_name: "福州恒信科技有限公司".into(),
            subject_code: "91350100M000100Y43".into(),
            decision_date: d(2026, 1, 10),
            status: "valid".into(),
            severity: Some("general".into()),
            publish_from: Some(d(2026, 1, 10)),
            min_until: Some(d(2026, 4, 10)),
            publish_until: Some(d(2027, 1, 10)),
            received_on: d(2026, 1, 12),
            on_time: Some(true),
            filled_optional: 0,
            fields: serde_json::Map::new(),
            hash: String::new(),
            recorded_at: Utc
                .with_ymd_and_hms(2026, 1, 12, 0, 0, 0)
                .single()
                .unwrap_or_default(),
            repaired_on: None,
            under_verification: false,
            party_shown_as_person: false,
        }
    }

    #[test]
    fn each_reason_in_its_order() {
        let today = d(2026, 11, 23);
        let r = record();
        assert_eq!(r.showing(today, true), Showing::OnShow);
        assert_eq!(r.showing(today, false), Showing::NotPublic);
        // The window: first day and last day shown, the day before and the day after not.
        assert_eq!(r.showing(d(2026, 1, 10), true), Showing::OnShow);
        assert_eq!(r.showing(d(2026, 1, 9), true), Showing::NotYet);
        assert_eq!(r.showing(d(2027, 1, 10), true), Showing::OnShow);
        assert_eq!(r.showing(d(2027, 1, 11), true), Showing::Expired);
        // No end (a licence 长期): never expires.
        let open = StoredRecord {
            publish_until: None,
            ..record()
        };
        assert_eq!(open.showing(d(2040, 1, 1), true), Showing::OnShow);
        // A class the catalog does not publish.
        let hidden = StoredRecord {
            publish_from: None,
            publish_until: None,
            ..record()
        };
        assert_eq!(hidden.showing(today, true), Showing::NotPublic);
        // Repaired: off from the day of the repair on.
        let repaired = StoredRecord {
            repaired_on: Some(d(2026, 6, 1)),
            ..record()
        };
        assert_eq!(repaired.showing(d(2026, 5, 31), true), Showing::OnShow);
        assert_eq!(repaired.showing(d(2026, 6, 1), true), Showing::Repaired);
        // Status before the window, superseded before the status.
        let revoked = StoredRecord {
            status: "revoked".into(),
            ..record()
        };
        assert_eq!(revoked.showing(today, true), Showing::Revoked);
        assert_eq!(revoked.showing(d(2030, 1, 1), true), Showing::Revoked);
        let invalid = StoredRecord {
            status: "invalid".into(),
            ..record()
        };
        assert_eq!(invalid.showing(today, true), Showing::Invalid);
        let old = StoredRecord {
            current: false,
            ..revoked.clone()
        };
        assert_eq!(old.showing(today, true), Showing::Superseded);
    }

    /// `OnShow` is exactly `on_show` (the rule of the publicity filter) with the item disclosed.
    #[test]
    fn on_show_agrees_with_the_publicity_rule() {
        let days = [
            d(2026, 1, 9),
            d(2026, 1, 10),
            d(2026, 6, 1),
            d(2027, 1, 10),
            d(2027, 1, 11),
        ];
        for current in [true, false] {
            for status in ["valid", "revoked", "invalid"] {
                for from in [None, Some(d(2026, 1, 10))] {
                    for until in [None, Some(d(2027, 1, 10))] {
                        for repaired in [None, Some(d(2026, 6, 1))] {
                            let r = StoredRecord {
                                current,
                                status: status.into(),
                                publish_from: from,
                                publish_until: until,
                                repaired_on: repaired,
                                ..record()
                            };
                            for day in days {
                                for disclosed in [true, false] {
                                    assert_eq!(
                                        r.showing(day, disclosed) == Showing::OnShow,
                                        r.on_show(day) && disclosed,
                                        "{r:?} on {day}, disclosed {disclosed}"
                                    );
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn codes_and_labels_are_distinct() {
        let codes: std::collections::HashSet<_> = Showing::ALL.iter().map(|s| s.as_str()).collect();
        let labels: std::collections::HashSet<_> =
            Showing::ALL.iter().map(|s| s.label_zh()).collect();
        assert_eq!((codes.len(), labels.len()), (8, 8));
        for s in Showing::ALL {
            assert_eq!(
                serde_json::to_value(s).ok(),
                Some(serde_json::Value::String(s.as_str().into()))
            );
        }
    }

    /// As things stood on a day: a revocation received later does not reach back, and a
    /// version not yet received then is not there.
    #[test]
    fn standings_on_a_day_know_only_what_was_received_by_then() {
        let v1 = StoredRecord {
            current: false,
            ..record()
        };
        let v2 = StoredRecord {
            id: 2,
            version: 2,
            status: "revoked".into(),
            received_on: d(2026, 6, 1),
            ..record()
        };
        let both = [v2.clone(), v1.clone()];
        assert_eq!(
            standings_on(&both, d(2026, 3, 1), |_| true),
            [None, Some(Showing::OnShow)]
        );
        assert_eq!(
            standings_on(&both, d(2026, 7, 1), |_| true),
            [Some(Showing::Revoked), Some(Showing::Superseded)]
        );
        // Before even the first version was received: nothing.
        assert_eq!(standings_on(&both, d(2026, 1, 11), |_| true), [None, None]);
    }
}
