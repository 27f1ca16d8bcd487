//! What an operation tells the store to do beyond saving the book.

use chrono::NaiveDate;
use serde::Serialize;

use crate::model::{Correction, ExitReason, Target};

/// Action names carried by [`OutboxEvent::actions`] (stable strings).
pub mod actions {
    /// Publish on the portal (1798号 (十一)).
    pub const PUBLISH: &str = "publish";
    /// Share through the credit information sharing platform (1798号 (十)).
    pub const SHARE: &str = "share";
    /// Start applying the listed measures (惩戒措施, per the measure list).
    pub const APPLY_MEASURES: &str = "apply_measures";
    /// Start granting the red list's rewards (激励措施).
    pub const GRANT_REWARDS: &str = "grant_rewards";
    /// Stop publication (终止公示; 国家发展改革委令第36号 第三条).
    pub const STOP_PUBLICATION: &str = "stop_publication";
    /// Stop sharing and use (停止共享和使用; 36号令 第三条).
    pub const STOP_SHARING: &str = "stop_sharing";
    /// Lift the measures (同步解除失信惩戒措施; 36号令 第三条; 1798号 (二十)).
    pub const LIFT_MEASURES: &str = "lift_measures";
    /// Stop the red list's rewards (1798号 (二十) 「停止对其实施联合奖惩」).
    pub const END_REWARDS: &str = "end_rewards";
    /// Recover rewards obtained through an erroneous red listing (1798号 (二十三)).
    pub const REVOKE_REWARDS: &str = "revoke_rewards";
    /// Restore the reputation of a subject listed in error (1798号 (二十三); 33号 (二十二)).
    pub const RESTORE_REPUTATION: &str = "restore_reputation";
    /// Delete every retained copy (1798号 (二十) 「相关信息不予保存」), including at the platforms
    /// the entry was shared with.
    pub const DELETE_RETAINED: &str = "delete_retained";
    /// Suspend measures while an objection is under verification (33号 (二十二)).
    pub const SUSPEND_MEASURES: &str = "suspend_measures";
    /// Resume measures after an objection is closed without upholding it.
    pub const RESUME_MEASURES: &str = "resume_measures";
    /// Correct a record (33号 (二十二) 「经核实有误的信息应及时更正或撤销」).
    pub const CORRECT_RECORD: &str = "correct_record";
    /// Withdraw a record (撤销).
    pub const WITHDRAW_RECORD: &str = "withdraw_record";
}

/// Outbox event kinds (stable strings).
pub mod kinds {
    pub const ENTRY_LISTED: &str = "entry.listed";
    pub const ENTRY_EXITED: &str = "entry.exited";
    pub const ENTRY_ERASED: &str = "entry.erased";
    pub const REPAIR_APPROVED: &str = "repair.approved";
    pub const TARGET_SUSPENDED: &str = "target.suspended";
    pub const TARGET_RESUMED: &str = "target.resumed";
    pub const RECORD_CORRECTED: &str = "record.corrected";
}

/// An event to propagate to every place the data went (upper/lower platforms, departments that
/// apply measures). The store writes it to its outbox in the same transaction as the book.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OutboxEvent {
    /// One of [`kinds`].
    pub kind: &'static str,
    pub subject: String,
    pub entry_or_record: Target,
    pub on: NaiveDate,
    /// What receivers must do, from [`actions`].
    pub actions: Vec<&'static str>,
}

/// What happened, for the store to act on. The book itself already reflects it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "effect", rename_all = "snake_case")]
pub enum Effect {
    /// A new entry was proposed (its id is new).
    Proposed { entry: String },
    /// An entry is now on its list.
    Entered { entry: String },
    /// An entry left its list (or a proposal was closed).
    Exited { entry: String, reason: ExitReason },
    /// An entry listed in error was erased: the store deletes the entry's content and keeps only
    /// `correction` (1798号 (二十)).
    Erased {
        entry: String,
        correction: Correction,
    },
    /// An objection put the target under verification: measures are suspended (33号 (二十二)).
    Suspended { target: Target, objection: String },
    /// The target is no longer under verification.
    Resumed { target: Target, objection: String },
    /// An upheld objection: correct the record, or withdraw it when `withdraw`.
    RecordCorrected { record: i64, withdraw: bool },
    /// An approved repair of a record: stop publishing and sharing it (36号令 第三条).
    RecordRepaired { record: i64 },
    /// Propagate to the outbox.
    Outbox(OutboxEvent),
    /// Publish on the portal through the original channel (publicity, listing and exit
    /// announcements, 1798号 (八) (十一) (二十); clarifications, (二十三)).
    Announcement {
        entry: String,
        kind: AnnouncementKind,
        text: String,
    },
    /// Tell the subject (prior notice, 1798号 (七) / 49号 (八); watch warning, 1798号 (十七);
    /// written apology, 1798号 (二十三)).
    NotifySubject { entry: String, text: String },
    /// A decision a department should review (e.g. a red entry that left because of a serious
    /// entry later erased as erroneous; 1798号 (二十三) 「恢复其名誉」).
    Review { entry: String, text: String },
    /// Watch entries span 3 or more domains but no published big-data warning standard exists,
    /// so no warning entry could be created (1798号 (十七)). Operators must publish one.
    WarningStandardMissing { domains: Vec<String> },
}

/// What an announcement announces (1798号 (八) publicity, (十一) listing, (二十) exit, (二十三)
/// correction).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnnouncementKind {
    Publicity,
    Listing,
    Exit,
    Correction,
}

impl AnnouncementKind {
    /// Stable machine name: `publicity`, `listing`, `exit`, `correction`.
    pub fn as_str(self) -> &'static str {
        match self {
            AnnouncementKind::Publicity => "publicity",
            AnnouncementKind::Listing => "listing",
            AnnouncementKind::Exit => "exit",
            AnnouncementKind::Correction => "correction",
        }
    }

    /// The Chinese heading.
    pub fn label_zh(self) -> &'static str {
        match self {
            AnnouncementKind::Publicity => "公示",
            AnnouncementKind::Listing => "列入公告",
            AnnouncementKind::Exit => "退出公告",
            AnnouncementKind::Correction => "更正说明",
        }
    }

    /// From [`AnnouncementKind::as_str`].
    pub fn parse(s: &str) -> Option<AnnouncementKind> {
        [
            AnnouncementKind::Publicity,
            AnnouncementKind::Listing,
            AnnouncementKind::Exit,
            AnnouncementKind::Correction,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}
