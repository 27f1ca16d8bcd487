//! Small closed vocabularies: list kinds, repair methods, disclosure scopes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A name that is not one of a vocabulary's values.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "未知的{}「{value}」，可选：{} / unknown {what} '{value}': one of {}",
    what_zh(self.what),
    choices(self.what, true),
    choices(self.what, false)
)]
pub struct UnknownName {
    /// Which vocabulary (`list kind`, `repair method`, `disclosure`).
    pub what: &'static str,
    /// The text that was not recognised.
    pub value: String,
}

/// A vocabulary's name in Chinese.
fn what_zh(what: &str) -> &'static str {
    match what {
        "list kind" => "名单类型",
        "repair method" => "修复方式",
        _ => "公开属性",
    }
}

/// A vocabulary's values, Chinese (`zh`) or machine names.
fn choices(what: &str, zh: bool) -> String {
    let all: Vec<(&str, &str)> = match what {
        "list kind" => ListKind::ALL
            .iter()
            .map(|k| (k.label_zh(), k.as_str()))
            .collect(),
        "repair method" => RepairMethod::ALL
            .iter()
            .map(|m| (m.label_zh(), m.as_str()))
            .collect(),
        _ => [Disclosure::Public, Disclosure::Authorised, Disclosure::None]
            .iter()
            .map(|d| (d.label_zh(), d.as_str()))
            .collect(),
    };
    let names: Vec<&str> = all.iter().map(|(z, m)| if zh { *z } else { *m }).collect();
    names.join(if zh { "、" } else { ", " })
}

/// The four kinds of list (DESIGN.md glossary; names as the seeds use them).
///
/// * `Red` 红名单 (守信联合激励对象名单, 发改财金规〔2017〕1798号 (八)).
/// * `Serious` 严重失信主体名单 (国办发〔2020〕49号 四; called 失信联合惩戒对象名单 / "黑名单" in
///   1798号 (七)).
/// * `Watch` 重点关注名单 (诚信状况重点关注对象名单, 1798号 (十六); 国办发〔2019〕35号 (八)).
/// * `Warning` 大数据警示名单 (1798号 (十七): subjects on watch lists in 3 or more different key
///   domains).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListKind {
    Red,
    Serious,
    Watch,
    Warning,
}

impl ListKind {
    /// All kinds, in this order.
    pub const ALL: [ListKind; 4] = [
        ListKind::Red,
        ListKind::Serious,
        ListKind::Watch,
        ListKind::Warning,
    ];

    /// Stable machine name: `red`, `serious`, `watch`, `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            ListKind::Red => "red",
            ListKind::Serious => "serious",
            ListKind::Watch => "watch",
            ListKind::Warning => "warning",
        }
    }

    /// The Chinese name used by the seeds.
    pub fn label_zh(self) -> &'static str {
        match self {
            ListKind::Red => "红名单",
            ListKind::Serious => "严重失信主体名单",
            ListKind::Watch => "重点关注名单",
            ListKind::Warning => "大数据警示名单",
        }
    }

    /// Whether the list is a dishonesty list (measures restrict the subject), i.e. anything but
    /// the red list.
    pub fn is_negative(self) -> bool {
        !matches!(self, ListKind::Red)
    }
}

impl fmt::Display for ListKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ListKind {
    type Err = UnknownName;

    /// Accepts the machine name, the Chinese name, and the older names of 1798号
    /// (`黑名单`, `失信联合惩戒对象名单`, `守信联合激励对象名单`, `大数据预警名单`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let k = match t {
            "red" | "红名单" | "守信联合激励对象名单" => ListKind::Red,
            "serious" | "严重失信主体名单" | "黑名单" | "失信联合惩戒对象名单" => {
                ListKind::Serious
            }
            "watch" | "重点关注名单" | "诚信状况重点关注对象名单" => {
                ListKind::Watch
            }
            "warning" | "大数据警示名单" | "大数据预警名单" => ListKind::Warning,
            _ => {
                return Err(UnknownName {
                    what: "list kind",
                    value: s.to_owned(),
                });
            }
        };
        Ok(k)
    }
}

/// Ways a subject may repair its credit (信用修复方式).
///
/// Sources: 国办发〔2019〕35号 (十三) 「可通过作出信用承诺、完成信用整改、通过信用核查、接受专题培训、
/// 提交信用报告、参加公益慈善活动等方式开展信用修复」; 国发〔2016〕33号 (二十一) 「支持有失信行为的个人
/// 通过社会公益服务等方式修复个人信用」; 1798号 (十五) 「对可通过履行相关义务纠正失信行为的“黑名单”
/// 主体，可在履行相关义务后…申请退出」.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RepairMethod {
    /// 履行义务 (1798号 (十五)).
    FulfilObligation,
    /// 信用承诺 (35号 (十三)).
    Commitment,
    /// 整改报告 / 完成信用整改 (35号 (十三)).
    RectificationReport,
    /// 培训 / 接受专题培训 (35号 (十三)).
    Training,
    /// 公益 / 参加公益慈善活动 (35号 (十三); 33号 (二十一)).
    PublicService,
}

impl RepairMethod {
    /// All methods, in this order.
    pub const ALL: [RepairMethod; 5] = [
        RepairMethod::FulfilObligation,
        RepairMethod::Commitment,
        RepairMethod::RectificationReport,
        RepairMethod::Training,
        RepairMethod::PublicService,
    ];

    /// Stable machine name (the TOML/JSON spelling).
    pub fn as_str(self) -> &'static str {
        match self {
            RepairMethod::FulfilObligation => "fulfil_obligation",
            RepairMethod::Commitment => "commitment",
            RepairMethod::RectificationReport => "rectification_report",
            RepairMethod::Training => "training",
            RepairMethod::PublicService => "public_service",
        }
    }

    /// Chinese name.
    pub fn label_zh(self) -> &'static str {
        match self {
            RepairMethod::FulfilObligation => "履行义务",
            RepairMethod::Commitment => "信用承诺",
            RepairMethod::RectificationReport => "整改报告",
            RepairMethod::Training => "培训",
            RepairMethod::PublicService => "公益",
        }
    }
}

impl fmt::Display for RepairMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RepairMethod {
    type Err = UnknownName;

    /// Accepts the machine name or the Chinese name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        RepairMethod::ALL
            .into_iter()
            .find(|m| m.as_str() == t || m.label_zh() == t)
            .ok_or_else(|| UnknownName {
                what: "repair method",
                value: s.to_owned(),
            })
    }
}

/// Who may see a list's entries (公开属性).
///
/// 1798号 (十一) publishes red and serious lists on the portals; (十六) shares the watch list
/// and makes it public only selectively (「有选择地对外公开」); 国办发〔2020〕49号 (四) requires
/// a legal basis or consent before personal information is made public.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disclosure {
    /// Published on the portal (公开).
    Public,
    /// Shared with authorised departments and shown to the subject, not published (有条件共享).
    Authorised,
    /// Neither published nor shared beyond the identifying department (不公开).
    None,
}

impl Disclosure {
    /// Stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            Disclosure::Public => "public",
            Disclosure::Authorised => "authorised",
            Disclosure::None => "none",
        }
    }

    /// Chinese name.
    pub fn label_zh(self) -> &'static str {
        match self {
            Disclosure::Public => "公开",
            Disclosure::Authorised => "有条件共享",
            Disclosure::None => "不公开",
        }
    }
}

impl FromStr for Disclosure {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "public" | "公开" => Ok(Disclosure::Public),
            "authorised" | "authorized" | "有条件共享" => Ok(Disclosure::Authorised),
            "none" | "不公开" => Ok(Disclosure::None),
            _ => Err(UnknownName {
                what: "disclosure",
                value: s.to_owned(),
            }),
        }
    }
}
