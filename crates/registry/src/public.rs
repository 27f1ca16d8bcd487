//! The public view of a subject: what the portal and the public API may show.
//!
//! Principle 3 of DESIGN.md and 国办发〔2020〕49号 (十四): personal information is shown masked in every
//! public output. Enterprise registration facts (name, codes, representative's name, authority) are
//! public registration information (企业信息公示暂行条例); a representative's document number is not.

use crate::{Subject, SubjectKind, SubjectStatus};
use chengxin_codes as codes;
use chrono::NaiveDate;
use serde::Serialize;

/// A subject as the public may see it. Every personal identifier in it is masked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicSubject {
    /// Stable key to address the subject (its USCC, or an opaque key for subjects without one).
    pub key: String,
    pub kind: SubjectKind,
    /// 主体类型, e.g. 法人.
    pub kind_label: String,
    /// Name; for natural persons (and businesses shown as persons,
    /// [`crate::SubjectData::shown_as_person`]) only the surname is shown.
    pub name: String,
    pub status: SubjectStatus,
    /// 登记状态, e.g. 存续.
    pub status_label: String,
    pub uscc: Option<String>,
    /// 登记管理部门 decoded from USCC position 1.
    pub registration_department: Option<String>,
    /// 机构类别 decoded from USCC position 2.
    pub institution_category: Option<String>,
    pub org_code: Option<String>,
    pub reg_no: Option<String>,
    pub tax_no: Option<String>,
    /// Natural persons' ID number, masked (e.g. `1101**********002X`).
    pub citizen_id_masked: Option<String>,
    /// A natural person's other identity document, its kind and masked number
    /// (e.g. `护照 E******78`).
    pub person_doc_masked: Option<String>,
    pub legal_rep_name: Option<String>,
    /// The representative's document number, masked.
    pub legal_rep_id_masked: Option<String>,
    pub region_code: Option<String>,
    pub region_name: Option<String>,
    pub registration_authority: Option<String>,
    pub established: Option<NaiveDate>,
    /// Earlier names (曾用名), oldest first.
    pub former_names: Vec<String>,
    /// The version shown and the date from which it holds.
    pub version: i64,
    pub valid_from: NaiveDate,
}

impl PublicSubject {
    /// The public view of `subject`, with the former names computed from its history.
    pub fn from_subject(subject: &Subject, former_names: Vec<String>) -> Self {
        let d = subject.data();
        let person = d.shown_as_person();
        let parsed = d.uscc.as_deref().and_then(|u| codes::validate_uscc(u).ok());
        PublicSubject {
            key: subject.key.clone(),
            kind: d.kind,
            kind_label: d.kind.label_zh().to_string(),
            name: codes::mask::public_name(&d.name, person),
            status: d.status,
            status_label: d.status.label_zh().to_string(),
            uscc: d.uscc.clone(),
            registration_department: parsed.map(|u| u.registration_authority().1.to_string()),
            institution_category: parsed.map(|u| u.institution_category().to_string()),
            org_code: d.org_code.clone(),
            reg_no: d.reg_no.clone(),
            tax_no: d.tax_no.as_deref().map(mask_if_personal),
            citizen_id_masked: d.citizen_id.as_deref().map(codes::mask::citizen_id),
            person_doc_masked: d.person_doc.as_deref().map(crate::masked_person_identifier),
            legal_rep_name: d.legal_rep_name.as_deref().map(codes::mask::redact),
            legal_rep_id_masked: d.legal_rep_id.as_deref().map(codes::mask::citizen_id),
            // A natural person's region is the first six digits of their ID number: shown beside
            // the masked number (first four, last four) it would give away two more of them.
            region_code: d.region_code.clone().filter(|_| !person),
            region_name: d
                .region_code
                .as_deref()
                .filter(|_| !person)
                .and_then(codes::region::lookup)
                .map(|r| r.name.to_string()),
            registration_authority: d.registration_authority.clone(),
            established: d.established,
            former_names: if person {
                Vec::new()
            } else {
                former_names
                    .iter()
                    .map(|n| codes::mask::redact(n))
                    .collect()
            },
            version: subject.current.version,
            valid_from: subject.current.valid_from,
        }
    }
}

/// Old tax numbers of individual businesses were often the holder's citizen ID (plus a suffix):
/// mask such a number entirely rather than show the ID inside it.
fn mask_if_personal(s: &str) -> String {
    if codes::mask::find_unmasked(s).is_some() {
        codes::mask::citizen_id(s)
    } else {
        s.to_string()
    }
}
