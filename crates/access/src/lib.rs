//! Who may do what in chengxin. Pure rules, no I/O: the store keeps accounts, sessions, keys and
//! grants; the server asks these functions for decisions.
//!
//! Sources:
//! - 发改财金规〔2017〕1798号 (二十四): "明确个人信息查询使用权限和程序…建立完善个人信息查询使用登记和审查制度";
//!   (二十五): "建立健全并严格执行保障信息安全的规章制度".
//! - 国办发〔2020〕49号 (十三): "明确信息查询使用权限和程序，建立完善信息查询使用登记和审查制度";
//!   (十四): "遵循合法、正当、必要、最小化原则 … 禁止任何单位和个人未经授权、强制授权或一次授权终身收集使用个人信用信息".
//!   Hence every grant to read personal information names a purpose and a scope and expires.
//! - 国办发〔2021〕52号 (九): "信息主体有权免费查询其在融资信用服务平台上的所有信息" — an enterprise
//!   account reads everything held on its own subject.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// The roles of DESIGN.md's users. `Public` is everyone not signed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 平台运营: runs the platform, manages accounts, departments, catalogs and grants.
    Operator,
    /// 部门数据报送员: reports its department's catalogued information.
    DataOfficer,
    /// 认定部门经办人: proposes and manages list entries under published standards.
    IdentifyingOfficer,
    /// 信用核查: a system or person running credit checks inside a workflow.
    Checker,
    /// 异议/修复办理: handles objections and credit-repair applications.
    Handler,
    /// 审计员: reads the audit log.
    Auditor,
    /// 企业账户: acts for one verified subject.
    Enterprise,
    /// 金融机构 (信易贷 access institution): financing queries with authorisation.
    AccessInstitution,
    /// Anyone, not signed in.
    Public,
}

impl Role {
    pub const ALL: [Role; 9] = [
        Role::Operator,
        Role::DataOfficer,
        Role::IdentifyingOfficer,
        Role::Checker,
        Role::Handler,
        Role::Auditor,
        Role::Enterprise,
        Role::AccessInstitution,
        Role::Public,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::DataOfficer => "data_officer",
            Role::IdentifyingOfficer => "identifying_officer",
            Role::Checker => "checker",
            Role::Handler => "handler",
            Role::Auditor => "auditor",
            Role::Enterprise => "enterprise",
            Role::AccessInstitution => "access_institution",
            Role::Public => "public",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Role::Operator => "平台运营",
            Role::DataOfficer => "部门数据报送员",
            Role::IdentifyingOfficer => "认定部门经办人",
            Role::Checker => "信用核查",
            Role::Handler => "异议与修复办理",
            Role::Auditor => "审计员",
            Role::Enterprise => "企业账户",
            Role::AccessInstitution => "金融机构",
            Role::Public => "公众",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Roles that work for a department and must name one.
    pub fn needs_department(self) -> bool {
        matches!(
            self,
            Role::DataOfficer | Role::IdentifyingOfficer | Role::Checker | Role::Handler
        )
    }

    /// Roles that act for one subject and must name it.
    pub fn needs_subject(self) -> bool {
        self == Role::Enterprise
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who may call a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in account or key, whatever its role.
    SignedIn,
    /// Only these roles.
    Roles(&'static [Role]),
}

/// The answer to "may this caller use this route?".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Not signed in: 401.
    Unauthenticated,
    /// Signed in with a role the route does not admit: 403.
    Forbidden,
}

impl Policy {
    pub fn decide(self, role: Role) -> Decision {
        match (self, role) {
            (Policy::Public, _) => Decision::Allow,
            (_, Role::Public) => Decision::Unauthenticated,
            (Policy::SignedIn, _) => Decision::Allow,
            (Policy::Roles(roles), r) if roles.contains(&r) => Decision::Allow,
            (Policy::Roles(_), _) => Decision::Forbidden,
        }
    }

    /// The roles admitted, for the OpenAPI document.
    pub fn roles(self) -> Vec<Role> {
        match self {
            Policy::Public => Role::ALL.to_vec(),
            Policy::SignedIn => Role::ALL
                .into_iter()
                .filter(|r| *r != Role::Public)
                .collect(),
            Policy::Roles(r) => r.to_vec(),
        }
    }

    pub fn describe(self) -> String {
        match self {
            Policy::Public => "public".into(),
            Policy::SignedIn => "any signed-in account or API key".into(),
            Policy::Roles(r) => {
                let names: Vec<&str> = r.iter().map(|r| r.as_str()).collect();
                format!("roles: {}", names.join(", "))
            }
        }
    }
}

/// Lock-out after repeated password failures: after [`LOCKOUT_THRESHOLD`] consecutive failures the
/// account is locked for [`LOCKOUT_MINUTES`] minutes from the last failure.
pub const LOCKOUT_THRESHOLD: i64 = 5;
pub const LOCKOUT_MINUTES: i64 = 15;

/// The count of consecutive failures after one more: counting starts again once a lock has run
/// out (the failures that caused it are not held against the next try).
pub fn failures_after(failures: i64) -> i64 {
    if failures >= LOCKOUT_THRESHOLD {
        1
    } else {
        failures + 1
    }
}

/// Until when an account with `failures` consecutive failures, the last at `last_failure`, is
/// locked; `None` when it is not locked at `now`.
pub fn locked_until(
    failures: i64,
    last_failure: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let last = last_failure?;
    if failures < LOCKOUT_THRESHOLD {
        return None;
    }
    let until = last + Duration::minutes(LOCKOUT_MINUTES);
    (until > now).then_some(until)
}

/// Minimum password length for accounts.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Checks a new password against the rules; the message says which rule.
pub fn check_new_password(password: &str, username: &str) -> Result<(), &'static str> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err("a password has at least 12 characters");
    }
    if password.to_lowercase().contains(&username.to_lowercase()) && !username.is_empty() {
        return Err("a password must not contain the user name");
    }
    if password
        .chars()
        .all(|c| c == password.chars().next().unwrap_or(' '))
    {
        return Err("a password must not repeat one character");
    }
    Ok(())
}

/// The stored form of an opaque secret (API key or session token): its SHA-256, hex. Secrets have
/// 256 bits of entropy, so a plain hash is enough; the clear text is never stored.
pub fn secret_hash(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Formats 32 random bytes as a secret with a recognisable prefix (`cxk_` for API keys,
/// `cxs_` for sessions), so leaked keys can be found by secret scanners.
pub fn format_secret(prefix: &str, random: &[u8; 32]) -> String {
    let mut out = String::with_capacity(prefix.len() + 64);
    out.push_str(prefix);
    for b in random {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    out
}

/// Sixteen consonants, one per nibble: a token written into pages (a form's CSRF token) holds no
/// digit, so it can never contain a run that reads as a phone or ID number. A hex token could
/// (`…a039221265149b…` is a landline to `chengxin_codes::mask::find_unmasked`), which the
/// pages' privacy checks then flag at random.
const PAGE_LETTERS: &[u8; 16] = b"BCDFGHJKLMNPQRST";

/// Formats random bytes as a token that appears in pages (two letters per byte, see
/// [`PAGE_LETTERS`]).
pub fn page_token(random: &[u8]) -> String {
    let mut out = String::with_capacity(random.len() * 2);
    for b in random {
        out.push(char::from(PAGE_LETTERS[usize::from(b >> 4)]));
        out.push(char::from(PAGE_LETTERS[usize::from(b & 0xf)]));
    }
    out
}

/// Personal fields whose unmasked value a grant may open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonalField {
    /// A natural person's citizen ID number.
    CitizenId,
    /// A representative's document number.
    LegalRepId,
}

impl PersonalField {
    pub const ALL: [PersonalField; 2] = [PersonalField::CitizenId, PersonalField::LegalRepId];

    pub fn as_str(self) -> &'static str {
        match self {
            PersonalField::CitizenId => "citizen_id",
            PersonalField::LegalRepId => "legal_rep_id",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// An authorisation to read personal information of one subject, for one purpose, until a time.
/// There is no lifetime grant (49号 (十四)): every grant expires, at most [`MAX_GRANT_DAYS`] after
/// it is given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub id: i64,
    pub account: String,
    pub subject_key: String,
    pub fields: Vec<PersonalField>,
    pub purpose: String,
    pub granted_by: String,
    pub granted_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

pub const MAX_GRANT_DAYS: i64 = 90;

/// Why a personal read is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GrantRefusal {
    #[error("a stated purpose is required to read personal information")]
    NoPurpose,
    #[error("no authorisation covers {field} of subject {subject} for this account")]
    NotCovered {
        field: &'static str,
        subject: String,
    },
    #[error("the authorisation #{id} expired at {at}")]
    Expired { id: i64, at: DateTime<Utc> },
    #[error("the authorisation #{id} was revoked")]
    Revoked { id: i64 },
    /// A grant opens personal information for the purpose it names only (个人信息保护法 第六条:
    /// 与处理目的直接相关; 国办发〔2020〕49号 (十四)).
    #[error(
        "the authorisation #{id} is for the purpose {purpose:?} only: state that purpose, or ask \
         for an authorisation for this one"
    )]
    OtherPurpose { id: i64, purpose: String },
}

/// May `account` read `field` of `subject_key` at `now`, given its grants? The grant used is
/// returned so the audit entry can name it.
pub fn authorise_personal_read<'g>(
    grants: &'g [Grant],
    account: &str,
    subject_key: &str,
    field: PersonalField,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<&'g Grant, GrantRefusal> {
    if purpose.trim().is_empty() {
        return Err(GrantRefusal::NoPurpose);
    }
    let mut refusal = GrantRefusal::NotCovered {
        field: field.as_str(),
        subject: subject_key.to_string(),
    };
    for g in grants.iter().filter(|g| {
        g.account == account && g.subject_key == subject_key && g.fields.contains(&field)
    }) {
        if g.purpose.trim() != purpose.trim() {
            if matches!(refusal, GrantRefusal::NotCovered { .. }) {
                refusal = GrantRefusal::OtherPurpose {
                    id: g.id,
                    purpose: g.purpose.clone(),
                };
            }
        } else if g.revoked_at.is_some() {
            refusal = GrantRefusal::Revoked { id: g.id };
        } else if g.expires_at <= now {
            refusal = GrantRefusal::Expired {
                id: g.id,
                at: g.expires_at,
            };
        } else {
            return Ok(g);
        }
    }
    Err(refusal)
}

/// Checks who gives a grant to whom: never oneself (授权与使用分离: the person who reads
/// personal information is not the one who authorises the read), and only to an account whose
/// role may read personal information under a grant (`may_read_personal`).
pub fn check_grantor(grantee: &str, grantee_role: Role, grantor: &str) -> Result<(), &'static str> {
    if grantee.trim() == grantor.trim() {
        return Err(
            "an account may not authorise itself: another person gives the grant (授权与使用分离)",
        );
    }
    if !may_read_personal(grantee_role) {
        return Err(
            "this account's role never reads personal information (only operator, checker, \
             handler and identifying_officer accounts do, under a grant)",
        );
    }
    Ok(())
}

/// Roles that may read personal information, each read under a live grant.
pub const PERSONAL_READERS: &[Role] = &[
    Role::Operator,
    Role::Checker,
    Role::Handler,
    Role::IdentifyingOfficer,
];

/// Whether `role` is one of [`PERSONAL_READERS`].
pub fn may_read_personal(role: Role) -> bool {
    PERSONAL_READERS.contains(&role)
}

/// The longest purpose a grant may state.
pub const MAX_PURPOSE_CHARS: usize = 500;

/// Checks a grant about to be given: a purpose (at most [`MAX_PURPOSE_CHARS`]), a scope, an
/// expiry in the future and within [`MAX_GRANT_DAYS`].
pub fn check_new_grant(
    fields: &[PersonalField],
    purpose: &str,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), &'static str> {
    if purpose.trim().chars().count() < 4 {
        return Err("a grant states its purpose (at least 4 characters)");
    }
    // A purpose is a statement, not a document: it is read back with every use of the grant.
    if purpose.trim().chars().count() > MAX_PURPOSE_CHARS {
        return Err("a grant's purpose is at most 500 characters");
    }
    if fields.is_empty() {
        return Err("a grant names the personal fields it opens");
    }
    if fields
        .iter()
        .enumerate()
        .any(|(i, f)| fields[..i].contains(f))
    {
        return Err("a grant names each personal field once");
    }
    if expires_at <= now {
        return Err("a grant expires in the future");
    }
    if expires_at > now + Duration::days(MAX_GRANT_DAYS) {
        return Err(
            "a grant lasts at most 90 days: no lifetime authorisation (国办发〔2020〕49号 (十四))",
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests;
