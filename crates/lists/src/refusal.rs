//! Why an operation was refused: a stable code and a Chinese + English message naming the rule.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::deadline::Deadline;
use crate::model::ExitReason;
use crate::names::RepairMethod;

/// A refused operation. The book is unchanged. [`Refusal::code`] is stable (snake_case) and is
/// also the `refusal` tag of the serialised form.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum Refusal {
    #[error(
        "操作日期 {on} 早于该主体最近一次记录日期 {last}：名单记录按时间顺序登记，不得倒签 / \
         operation dated {on} is before the subject's last recorded step ({last}): history is \
         recorded in date order"
    )]
    DateBeforeLastStep { on: NaiveDate, last: NaiveDate },

    #[error("{}", standard_unknown(.code, *.version, *.none_stored))]
    StandardUnknown {
        code: String,
        version: Option<u32>,
        /// No standard is stored at all (none imported yet): the message says how to import.
        #[serde(default)]
        none_stored: bool,
    },

    #[error(
        "认定标准 {code} 第 {version} 版尚未公布，不得据以认定（国办发〔2020〕49号（七）「认定标准应当\
         通过“信用中国”网站…公开」；1798号（三））/ standard {code} v{version} is not published"
    )]
    StandardNotPublished { code: String, version: u32 },

    #[error(
        "认定标准 {code} 第 {version} 版没有法律、法规或党中央、国务院政策文件依据（国办发〔2020〕49号\
         （六））/ standard {code} v{version} has no legal basis"
    )]
    NoLegalBasis { code: String, version: u32 },

    #[error(
        "认定标准 {code} 第 {version} 版不完整（国办发〔2020〕49号（七）：须明确移出条件、程序和救济措施）\
         ：{} / standard {code} v{version} is incomplete", .problems.join("；")
    )]
    StandardIncomplete {
        code: String,
        version: u32,
        problems: Vec<String>,
    },

    #[error(
        "部门 {department} 不是认定标准 {code} 第 {version} 版明确的认定部门（国办发〔2020〕49号（八）；\
         1798号（六）「按照统一标准认定」）/ department {department} is not named by standard \
         {code} v{version}"
    )]
    DepartmentNotNamed {
        department: String,
        code: String,
        version: u32,
    },

    #[error(
        "只有认定部门 {identifying} 可以处理名单条目 {entry}（1798号（二）「谁认定、谁负责」；（十八）\
         提前退出需经认定部门同意）；当前部门 {department} / only the identifying department \
         {identifying} may act on entry {entry}, not {department}"
    )]
    NotIdentifyingDepartment {
        entry: String,
        department: String,
        identifying: String,
    },

    #[error(
        "只有报送信用记录 {record} 的部门 {sending} 可以处理其异议和信用修复（国办发〔2025〕22号\
         「谁认定、谁修复」）；当前部门 {department} / only {sending}, which sent record {record}, \
         may handle objections to it and its repair, not {department}"
    )]
    NotSendingDepartment {
        record: i64,
        department: String,
        sending: String,
    },

    #[error("缺少必填项 {field} / missing {field}")]
    MissingField { field: String },

    #[error(
        "该主体在严重失信主体名单上（条目 {serious_entry}），不得列入红名单（1798号（八）「确保已被列入\
         “黑名单”的主体不被列入“红名单”」）/ the subject is on a serious list (entry \
         {serious_entry}) and cannot enter a red list"
    )]
    RedCandidateOnSeriousList { serious_entry: String },

    #[error(
        "该主体在重点关注名单或大数据警示名单上（条目 {entry}），不得列入红名单（1798号（十九）二：\
         「有效期内被有关部门列入“黑名单”、重点关注名单……应将相关主体从“红名单”中删除」）/ the \
         subject is on a watch or warning list (entry {entry}) and cannot enter a red list"
    )]
    RedCandidateOnWatchList { entry: String },

    #[error(
        "大数据警示名单由平台依据在 3 个以上不同重点领域被列入重点关注名单自动转入，不接受认定部门提请（1798号\
         （十七））；标准 {code} 只供平台使用 / the big-data warning list is entered by the platform \
         from watch entries in three or more domains, never proposed (standard {code})"
    )]
    WarningListIsAutomatic { code: String },

    #[error(
        "该主体已在同一认定标准下有未结束的名单条目 {entry} / the subject already has an open entry \
         {entry} under this standard"
    )]
    AlreadyListed { entry: String },

    #[error(
        "严重失信主体名单条目须确定退出后列入重点关注名单的有效期（1798号（十八）「有效期由之前将其列入\
         “黑名单”的部门确定」）；标准 {code} 未规定，认定时须填写 / a serious entry needs the watch \
         period after exit: standard {code} has none, so the proposal must give one"
    )]
    WatchPeriodMissing { code: String },

    #[error(
        "条目 {entry} 列入前须事前告知当事人（{basis}）/ entry {entry} needs a prior notice before \
         listing"
    )]
    NoticeRequired {
        entry: String,
        /// The rule that requires the notice ([`crate::Standard::notice_basis`]).
        #[serde(default)]
        basis: String,
    },

    #[error(
        "条目 {entry} 的告知书尚未送达（{basis}）/ the notice of entry {entry} has not been delivered"
    )]
    NoticeNotDelivered {
        entry: String,
        /// The rule that requires the notice ([`crate::Standard::notice_basis`]).
        #[serde(default)]
        basis: String,
    },

    #[error("条目 {entry} 已发出告知书 / a notice was already sent for entry {entry}")]
    NoticeAlreadySent { entry: String },

    #[error(
        "送达日期 {delivered_on} 须不早于发出日期 {sent_on}、不晚于登记日期 {on} / delivery date \
         {delivered_on} must be between sending ({sent_on}) and recording ({on})"
    )]
    InvalidDeliveryDate {
        delivered_on: NaiveDate,
        sent_on: NaiveDate,
        on: NaiveDate,
    },

    #[error(
        "条目 {entry} 的陈述、异议期至 {respond_by} 尚未届满（国办发〔2020〕49号（八））/ the response \
         period of entry {entry} runs until {respond_by}"
    )]
    ResponsePeriodNotOver {
        entry: String,
        respond_by: NaiveDate,
    },

    #[error(
        "红名单条目 {entry} 须先经公示无异议（1798号（八）「经公示无异议的，认定为“红名单”」）/ red \
         entry {entry} must be publicised first"
    )]
    PublicityRequired { entry: String },

    #[error("条目 {entry} 已开始公示 / publicity of entry {entry} already started")]
    PublicityAlreadyStarted { entry: String },

    #[error(
        "条目 {entry} 公示期至 {until} 尚未结束（1798号（八））/ the publicity of entry {entry} runs \
         until {until}"
    )]
    PublicityNotOver { entry: String, until: NaiveDate },

    #[error(
        "{target} 有异议 {objection} 正在核查中，暂停处理（国发〔2016〕33号（二十二）「联合惩戒措施在信息\
         核实期间暂不执行」；1798号（八）「有异议的，由认定部门核实」）/ {target} is under \
         verification (objection {objection})"
    )]
    UnderVerification { target: String, objection: String },

    #[error("名单条目 {entry} 不存在 / no entry {entry} in this book")]
    EntryUnknown { entry: String },

    #[error("异议 {objection} 不存在 / no objection {objection} in this book")]
    ObjectionUnknown { objection: String },

    #[error("信用修复申请 {application} 不存在 / no repair application {application}")]
    RepairUnknown { application: String },

    #[error("{}", wrong_state(.item, .expected, .found))]
    WrongState {
        item: String,
        expected: String,
        found: String,
    },

    #[error("条目 {entry} 不在名单上 / entry {entry} is not on its list")]
    NotOnList { entry: String },

    #[error(
        "退出原因 {reason} 不能手工设定：认定有误经异议或更正处理（1798号（二十三）），信用修复经主体申请、\
         受理和认定部门决定（/api/v1/repairs；国家发展改革委令第36号），到期由系统处理，交叉比对由列入处理 \
         / exit reason {reason} is not set by hand"
    )]
    ExitReasonNotManual { reason: ExitReason },

    #[error(
        "认定标准 {code} 自第 {version} 版以来未发布新版本：因认定标准改变而移出，须先发布新版标准\
         （1798号（十八）四、（十九）四「认定标准发生改变」）/ standard {code} has no version after {version}"
    )]
    StandardUnchanged { code: String, version: u32 },

    #[error(
        "认定标准 {code} 第 {version} 版规定该名单不可修复（1798号（十五）；国办发〔2020〕49号（十一））/ \
         standard {code} v{version} does not allow repair"
    )]
    RepairNotAllowed { code: String, version: u32 },

    #[error(
        "修复方式「{}」不在认定标准允许的方式（{}）之内（1798号（十五）「明确…信用修复的方式\
         和期限」）/ repair method {method} is not one of {}",
        .method.label_zh(),
        methods(.allowed, RepairMethod::label_zh, "、"),
        methods(.allowed, RepairMethod::as_str, ", ")
    )]
    RepairMethodNotAllowed {
        method: RepairMethod,
        allowed: Vec<RepairMethod>,
    },

    #[error(
        "{earliest} 之前不得申请信用修复（最短期限，1798号（十五）；国家发展改革委令第36号）/ repair \
         may be applied for from {earliest}"
    )]
    RepairTooEarly { earliest: NaiveDate },

    #[error(
        "条目 {entry} 的主体屡禁不止、屡罚不改，认定标准规定不得申请信用修复（国办发〔2019〕35号（十一）；\
         36号令（待核实））/ repeat offender: repair barred for entry {entry}"
    )]
    RepeatOffenderBarred { entry: String },

    #[error(
        "已有未办结的信用修复申请 {application} / repair application {application} is still open"
    )]
    RepairAlreadyOpen { application: String },

    #[error(
        "修复记录类信息须提供最短公示期限届满日（国家发展改革委令第36号：达到最短公示期限后方可申请）/ \
         a record repair needs the record's minimum publication date"
    )]
    RecordMinimumRequired,

    #[error(
        "提前退出须经认定部门 {department} 同意（1798号（十八）「提前退出需经认定部门（单位）同意」）：\
         条目 {entry} / early exit of entry {entry} needs the consent of {department}"
    )]
    ConsentRequired { entry: String, department: String },

    #[error("条目 {entry} 已因认定有误被删除 / entry {entry} was erased as listed in error")]
    TargetErased { entry: String },

    #[error("期限无法计算 / deadline cannot be computed: {explanation}")]
    DeadlineNotComputable { explanation: String },

    #[error("日期计算超出范围 / date arithmetic out of range")]
    DateOverflow,
}

/// The message of [`Refusal::StandardUnknown`].
fn standard_unknown(code: &str, version: Option<u32>, none_stored: bool) -> String {
    let (zh, en) = match version {
        Some(v) => (
            format!("认定标准 {code} 第 {v} 版不存在"),
            format!("unknown standard {code} v{v}"),
        ),
        None => (
            format!("认定标准 {code} 不存在"),
            format!("unknown standard {code}"),
        ),
    };
    if none_stored {
        format!(
            "{zh}：平台尚未导入任何认定标准，请先导出默认标准（chengxin lists default > standards.toml），\
             审核修改后导入（chengxin lists import standards.toml，或 POST /api/v1/list-standards）/ \
             {en}: no standards are imported yet; print the defaults with `chengxin lists default > \
             standards.toml`, review them and import with `chengxin lists import standards.toml` \
             (or POST /api/v1/list-standards)"
        )
    } else {
        format!("{zh} / {en}")
    }
}

/// Repair methods for a message, by `name`, joined with `sep`.
fn methods(all: &[RepairMethod], name: fn(RepairMethod) -> &'static str, sep: &str) -> String {
    all.iter().map(|m| name(*m)).collect::<Vec<_>>().join(sep)
}

/// A state's machine name in Chinese (entries, notices, objections, repair applications).
fn state_zh(state: &str) -> String {
    let zh = match state.trim() {
        "proposed" => "拟列入（初步名单）",
        "notified" => "已事前告知",
        "in_publicity" => "公示中",
        "listed" => "已列入",
        "exited" => "已退出",
        "erased" => "已因认定有误删除",
        "submitted" => "已提交，待受理",
        "accepted" => "已受理",
        "not_accepted" => "不予受理",
        "decided" => "已作出核查决定",
        "closed" => "已办结",
        "approved" => "准予修复",
        "refused" => "不予修复",
        "sent, not delivered" => "已发出、尚未送达",
        "delivered" => "已送达",
        other => other,
    };
    zh.to_owned()
}

/// The message of [`Refusal::WrongState`]: Chinese labels, then the machine names.
fn wrong_state(item: &str, expected: &str, found: &str) -> String {
    let item_zh = if let Some(id) = item.strip_prefix("notice of entry ") {
        format!("条目 {id} 的告知书")
    } else if let Some(id) = item.strip_prefix("entry ") {
        format!("名单条目 {id}")
    } else if let Some(id) = item.strip_prefix("objection ") {
        format!("异议 {id}")
    } else if let Some(id) = item.strip_prefix("repair application ") {
        format!("信用修复申请 {id}")
    } else {
        item.to_owned()
    };
    let expected_zh: Vec<String> = expected.split(" | ").map(state_zh).collect();
    format!(
        "{item_zh}当前为「{}」，此操作要求「{}」/ {item} is {found}, expected {expected}",
        state_zh(found),
        expected_zh.join("」或「")
    )
}

impl Refusal {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::DateBeforeLastStep { .. } => "date_before_last_step",
            Refusal::StandardUnknown { .. } => "standard_unknown",
            Refusal::StandardNotPublished { .. } => "standard_not_published",
            Refusal::NoLegalBasis { .. } => "no_legal_basis",
            Refusal::StandardIncomplete { .. } => "standard_incomplete",
            Refusal::DepartmentNotNamed { .. } => "department_not_named",
            Refusal::NotIdentifyingDepartment { .. } => "not_identifying_department",
            Refusal::NotSendingDepartment { .. } => "not_sending_department",
            Refusal::MissingField { .. } => "missing_field",
            Refusal::RedCandidateOnSeriousList { .. } => "red_candidate_on_serious_list",
            Refusal::RedCandidateOnWatchList { .. } => "red_candidate_on_watch_list",
            Refusal::WarningListIsAutomatic { .. } => "warning_list_is_automatic",
            Refusal::AlreadyListed { .. } => "already_listed",
            Refusal::WatchPeriodMissing { .. } => "watch_period_missing",
            Refusal::NoticeRequired { .. } => "notice_required",
            Refusal::NoticeNotDelivered { .. } => "notice_not_delivered",
            Refusal::NoticeAlreadySent { .. } => "notice_already_sent",
            Refusal::InvalidDeliveryDate { .. } => "invalid_delivery_date",
            Refusal::ResponsePeriodNotOver { .. } => "response_period_not_over",
            Refusal::PublicityRequired { .. } => "publicity_required",
            Refusal::PublicityAlreadyStarted { .. } => "publicity_already_started",
            Refusal::PublicityNotOver { .. } => "publicity_not_over",
            Refusal::UnderVerification { .. } => "under_verification",
            Refusal::EntryUnknown { .. } => "entry_unknown",
            Refusal::ObjectionUnknown { .. } => "objection_unknown",
            Refusal::RepairUnknown { .. } => "repair_unknown",
            Refusal::WrongState { .. } => "wrong_state",
            Refusal::NotOnList { .. } => "not_on_list",
            Refusal::ExitReasonNotManual { .. } => "exit_reason_not_manual",
            Refusal::StandardUnchanged { .. } => "standard_unchanged",
            Refusal::RepairNotAllowed { .. } => "repair_not_allowed",
            Refusal::RepairMethodNotAllowed { .. } => "repair_method_not_allowed",
            Refusal::RepairTooEarly { .. } => "repair_too_early",
            Refusal::RepeatOffenderBarred { .. } => "repeat_offender_barred",
            Refusal::RepairAlreadyOpen { .. } => "repair_already_open",
            Refusal::RecordMinimumRequired => "record_minimum_required",
            Refusal::ConsentRequired { .. } => "consent_required",
            Refusal::TargetErased { .. } => "target_erased",
            Refusal::DeadlineNotComputable { .. } => "deadline_not_computable",
            Refusal::DateOverflow => "date_overflow",
        }
    }

    /// Convenience: refusal for a pending deadline.
    pub(crate) fn not_computable(d: &Deadline) -> Refusal {
        Refusal::DeadlineNotComputable {
            explanation: d.describe(),
        }
    }
}
