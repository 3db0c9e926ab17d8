//! The access policy: one place that decides every read and write of personal data.
//!
//! A per-company 健康情報等取扱規程 is a table role × information class → [`Access`]. The
//! default rows (`data/policy-default-2018.csv`) follow the 2018 MHLW 指針; a company overrides
//! single rows. Anything not in the table is denied. Around the table sit the tenancy rules:
//! a worker reads only their own record; every other role reads only persons employed by a
//! company it serves; admin reads no personal data at all.

use crate::info_class::InfoClass;
use crate::role::{Actor, Role};
use crate::{CompanyId, PersonId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

const DEFAULT_CSV: &str = include_str!("../data/policy-default-2018.csv");

/// What a role may do with a class of information.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Read and write.
    Allow,
    /// Only a processed form (加工): the category or judgement, never the values.
    AllowProcessed,
    /// Only where the person has consented.
    ConsentRequired,
    /// Never.
    Deny,
}

impl Access {
    /// Stable text form.
    pub fn as_str(&self) -> &'static str {
        match self {
            Access::Allow => "allow",
            Access::AllowProcessed => "allow_processed",
            Access::ConsentRequired => "consent_required",
            Access::Deny => "deny",
        }
    }
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An access name that is unknown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown access {0:?} (expected allow, allow_processed, consent_required or deny)")]
pub struct UnknownAccess(pub String);

impl FromStr for Access {
    type Err = UnknownAccess;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "allow" => Access::Allow,
            "allow_processed" => Access::AllowProcessed,
            "consent_required" => Access::ConsentRequired,
            "deny" => Access::Deny,
            other => return Err(UnknownAccess(other.to_string())),
        })
    }
}

/// One override of a company's 取扱規程.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyOverride {
    /// Role.
    pub role: Role,
    /// Class.
    pub info_class: InfoClass,
    /// Access.
    pub access: Access,
}

/// A consent the person gave: a class of their information may be read by a role of a company
/// — all of it, or only the result of one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentGrant {
    /// The person who consented.
    pub person_id: PersonId,
    /// The company whose users may read.
    pub company_id: CompanyId,
    /// The class consented to.
    pub info_class: InfoClass,
    /// The role that may read.
    pub grantee_role: Role,
    /// The scope: `None`, the whole class; `Some(event)`, the result of that one event only —
    /// its judgements, never the data behind them ([`Decision::AllowProcessed`]). A high-stress
    /// worker's application for the interview is such a consent to the result of that check
    /// (安衛法66条の10第2項, 安衛則52条の13: 検査の結果 — the profile, the high-stress decision
    /// and the need for an interview; not the answers, not other checks).
    #[serde(default)]
    pub event_id: Option<crate::EventId>,
}

/// A problem in a policy table, naming the row and field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("policy table row {row}, field {field}: {reason}")]
pub struct PolicyTableError {
    /// 1-based data row.
    pub row: usize,
    /// Field.
    pub field: &'static str,
    /// Reason.
    pub reason: String,
}

/// A 取扱規程: role × class → access, default-deny.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyTable {
    /// Edition of the base table.
    pub edition: String,
    rows: BTreeMap<(Role, InfoClass), Access>,
}

#[derive(Deserialize)]
struct Row {
    role: String,
    info_class: String,
    access: String,
}

impl PolicyTable {
    /// The default table from the 指針 (`data/policy-default-2018.csv`), parsed once per process;
    /// an error is a defect of the build.
    pub fn default_2018() -> Result<&'static Self, PolicyTableError> {
        static TABLE: OnceLock<Result<PolicyTable, PolicyTableError>> = OnceLock::new();
        TABLE.get_or_init(|| Self::from_csv(DEFAULT_CSV)).as_ref().map_err(Clone::clone)
    }

    /// Parses a table; `# edition: X` in a comment line names the edition.
    pub fn from_csv(text: &str) -> Result<Self, PolicyTableError> {
        let edition = text
            .lines()
            .find_map(|l| l.strip_prefix("# edition:"))
            .map(|e| e.trim().to_string())
            .unwrap_or_else(|| "unnamed".to_string());
        let mut rdr = csv::ReaderBuilder::new().comment(Some(b'#')).from_reader(text.as_bytes());
        let mut rows = BTreeMap::new();
        for (i, rec) in rdr.deserialize::<Row>().enumerate() {
            let row = i + 1;
            let r = rec.map_err(|e| PolicyTableError { row, field: "(row)", reason: e.to_string() })?;
            let role: Role = r.role.parse().map_err(|e: crate::role::UnknownRole| PolicyTableError {
                row,
                field: "role",
                reason: e.to_string(),
            })?;
            let class: InfoClass = r.info_class.parse().map_err(|e: crate::info_class::UnknownInfoClass| {
                PolicyTableError { row, field: "info_class", reason: e.to_string() }
            })?;
            let access: Access = r.access.parse().map_err(|e: UnknownAccess| PolicyTableError {
                row,
                field: "access",
                reason: e.to_string(),
            })?;
            if rows.insert((role, class), access).is_some() {
                return Err(PolicyTableError {
                    row,
                    field: "role",
                    reason: format!("duplicate row for {role} × {class}"),
                });
            }
        }
        Ok(Self { edition, rows })
    }

    /// The table with a company's overrides applied.
    pub fn with_overrides(&self, overrides: &[PolicyOverride]) -> Self {
        let mut t = self.clone();
        for o in overrides {
            t.rows.insert((o.role, o.info_class), o.access);
        }
        t
    }

    /// The access a role has to a class; `Deny` where the table says nothing.
    pub fn access(&self, role: Role, class: InfoClass) -> Access {
        // Admin and a checkup institution read no personal data, whatever an override says.
        if matches!(role, Role::Admin | Role::Institution) {
            return Access::Deny;
        }
        self.rows.get(&(role, class)).copied().unwrap_or(Access::Deny)
    }
}

/// Why access was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DenyReason {
    /// The 取扱規程 denies this role this class.
    Policy,
    /// Consent is required and the person has not given it.
    NoConsent,
    /// The person is employed by a company the user does not serve.
    CompanyNotServed,
    /// A worker asked for someone else's record.
    NotOwnRecord,
    /// Admin reads no personal data.
    AdminNoData,
    /// A checkup institution uploads; it reads nothing.
    UploadOnly,
}

impl DenyReason {
    /// Stable text form.
    pub fn as_str(&self) -> &'static str {
        match self {
            DenyReason::Policy => "policy",
            DenyReason::NoConsent => "no_consent",
            DenyReason::CompanyNotServed => "company_not_served",
            DenyReason::NotOwnRecord => "not_own_record",
            DenyReason::AdminNoData => "admin_no_data",
            DenyReason::UploadOnly => "upload_only",
        }
    }
}

/// The outcome of a policy decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// Allowed in full.
    Allow,
    /// Allowed in processed form only (category, no values).
    AllowProcessed,
    /// Refused.
    Deny {
        /// Why.
        reason: DenyReason,
    },
}

impl Decision {
    /// Whether anything may be shown.
    pub fn is_allowed(&self) -> bool {
        !matches!(self, Decision::Deny { .. })
    }
    /// Whether values may be shown (not only the processed form).
    pub fn is_full(&self) -> bool {
        matches!(self, Decision::Allow)
    }
}

/// What is being accessed: a class of information about a person employed by a company.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject {
    /// The company whose record it is (the employment's company).
    pub company_id: CompanyId,
    /// The person.
    pub person_id: PersonId,
}

/// Decides whether `actor` may read or write `class` information about `subject` as a whole
/// (consents scoped to one event do not count: see [`decide_for`]).
///
/// `consents` are the person's current (unrevoked) consents.
pub fn decide(
    table: &PolicyTable,
    actor: &Actor,
    subject: Subject,
    class: InfoClass,
    consents: &[ConsentGrant],
) -> Decision {
    decide_for(table, actor, subject, class, None, consents)
}

/// Decides whether `actor` may read or write `class` information of one event of `subject`
/// (`None`: not of one event). A class that needs consent is allowed in full by a consent to the
/// whole class, and in processed form (the judgements, not the data behind them) by a consent
/// scoped to this very event; a consent scoped to another event allows nothing here.
pub fn decide_for(
    table: &PolicyTable,
    actor: &Actor,
    subject: Subject,
    class: InfoClass,
    event: Option<crate::EventId>,
    consents: &[ConsentGrant],
) -> Decision {
    match actor.role {
        Role::Admin => {
            return Decision::Deny { reason: DenyReason::AdminNoData };
        }
        Role::Institution => {
            return Decision::Deny { reason: DenyReason::UploadOnly };
        }
        Role::Worker => {
            if actor.person_id != Some(subject.person_id) {
                return Decision::Deny { reason: DenyReason::NotOwnRecord };
            }
        }
        _ => {
            if !actor.serves(subject.company_id) {
                return Decision::Deny { reason: DenyReason::CompanyNotServed };
            }
        }
    }
    match table.access(actor.role, class) {
        Access::Allow => Decision::Allow,
        Access::AllowProcessed => Decision::AllowProcessed,
        Access::Deny => Decision::Deny { reason: DenyReason::Policy },
        Access::ConsentRequired => {
            let mine = consents.iter().filter(|c| {
                c.person_id == subject.person_id
                    && c.company_id == subject.company_id
                    && c.info_class == class
                    && c.grantee_role == actor.role
            });
            let mut scoped = false;
            for c in mine {
                match c.event_id {
                    None => return Decision::Allow,
                    Some(e) if Some(e) == event => scoped = true,
                    Some(_) => {}
                }
            }
            if scoped { Decision::AllowProcessed } else { Decision::Deny { reason: DenyReason::NoConsent } }
        }
    }
}

/// Whether `actor` may see a company at all (its name, its worker list): admin sees every
/// company's name; other staff the companies they serve; a worker none by this route.
pub fn may_see_company(actor: &Actor, company: CompanyId) -> bool {
    match actor.role {
        Role::Admin => true,
        Role::Worker => false,
        _ => actor.serves(company),
    }
}

/// What an upload is (the importers' kinds, `iphr import <kind>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UploadKind {
    /// Checkup results: an institution's CSV through a mapping profile.
    CheckupCsv,
    /// Checkup results: MHLW CDA documents or archives.
    Cda,
    /// Checkup results: eCheckup FHIR Bundles.
    Fhir,
    /// The HR master.
    Hr,
    /// Attendance.
    Attendance,
    /// Stress-check answers keyed in from paper.
    Stress,
}

impl UploadKind {
    /// Every kind, in menu order.
    pub const ALL: [UploadKind; 6] = [
        UploadKind::CheckupCsv,
        UploadKind::Cda,
        UploadKind::Fhir,
        UploadKind::Hr,
        UploadKind::Attendance,
        UploadKind::Stress,
    ];

    /// Stable text form (as `iphr import <kind>`).
    pub fn as_str(&self) -> &'static str {
        match self {
            UploadKind::CheckupCsv => "checkup-csv",
            UploadKind::Cda => "cda",
            UploadKind::Fhir => "fhir",
            UploadKind::Hr => "hr",
            UploadKind::Attendance => "attendance",
            UploadKind::Stress => "stress",
        }
    }

    /// Parses [`Self::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Japanese label.
    pub fn label_ja(&self) -> &'static str {
        match self {
            UploadKind::CheckupCsv => "健診結果CSV (マッピングプロファイル)",
            UploadKind::Cda => "特定健診・事業者健診 CDA XML / ZIP",
            UploadKind::Fhir => "健康診断結果報告書 FHIR (JSON)",
            UploadKind::Hr => "人事マスタCSV",
            UploadKind::Attendance => "勤怠CSV",
            UploadKind::Stress => "ストレスチェック回答CSV (紙)",
        }
    }

    /// Checkup results (what a checkup institution delivers).
    pub fn is_checkup(&self) -> bool {
        matches!(self, UploadKind::CheckupCsv | UploadKind::Cda | UploadKind::Fhir)
    }
}

/// Whether `actor` may upload a file of `kind` for `company`: physicians and OH nurses any kind
/// for the companies they serve; HR and the health manager the work data they keep (HR master,
/// attendance); a checkup institution checkup results for the companies that contract it.
pub fn may_upload(actor: &Actor, company: CompanyId, kind: UploadKind) -> bool {
    if !actor.serves(company) {
        return false;
    }
    match actor.role {
        Role::Physician | Role::Nurse => true,
        Role::Hr | Role::HealthManager => matches!(kind, UploadKind::Hr | UploadKind::Attendance),
        Role::Institution => kind.is_checkup(),
        Role::Worker | Role::Admin => false,
    }
}

/// Whether `actor` may merge two person records or undo a merge: a physician or nurse who serves
/// every company employing either person (issue "Data conversion system", Person identity).
pub fn may_merge_persons(actor: &Actor, companies: &[CompanyId]) -> bool {
    matches!(actor.role, Role::Physician | Role::Nurse)
        && !companies.is_empty()
        && companies.iter().all(|c| actor.serves(*c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::UserId;
    use std::collections::BTreeSet;

    fn table() -> &'static PolicyTable {
        match PolicyTable::default_2018() {
            Ok(t) => t,
            Err(e) => unreachable!("{e}"),
        }
    }

    fn actor(role: Role, companies: &[CompanyId], person: Option<PersonId>) -> Actor {
        Actor {
            user_id: UserId::new(),
            login: "u".into(),
            role,
            companies: companies.iter().copied().collect::<BTreeSet<_>>(),
            person_id: person,
        }
    }

    use Decision::{Allow, Deny};
    use InfoClass::*;

    #[test]
    fn default_table_matrix_for_a_served_company() {
        let t = table();
        let c = CompanyId::new();
        let p = PersonId::new();
        let s = Subject { company_id: c, person_id: p };
        let deny = |reason| Deny { reason };
        let expected: &[(Role, [Decision; 7])] = &[
            // identity, class1, class2, class3, stress, work, personal
            (Role::Physician, [Allow, Allow, Allow, Allow, Allow, Allow, deny(DenyReason::NoConsent)]),
            (Role::Nurse, [Allow, Allow, Allow, Allow, Allow, Allow, deny(DenyReason::NoConsent)]),
            (
                Role::HealthManager,
                [
                    Allow,
                    Allow,
                    Allow,
                    deny(DenyReason::NoConsent),
                    deny(DenyReason::NoConsent),
                    Allow,
                    deny(DenyReason::NoConsent),
                ],
            ),
            (
                Role::Hr,
                [
                    Allow,
                    Allow,
                    deny(DenyReason::Policy),
                    deny(DenyReason::Policy),
                    deny(DenyReason::NoConsent),
                    Allow,
                    deny(DenyReason::Policy),
                ],
            ),
            (Role::Admin, [deny(DenyReason::AdminNoData); 7]),
            (Role::Institution, [deny(DenyReason::UploadOnly); 7]),
        ];
        for (role, row) in expected {
            let a = actor(*role, &[c], None);
            for (class, want) in InfoClass::ALL.iter().zip(row) {
                assert_eq!(decide(t, &a, s, *class, &[]), *want, "{role} × {class}");
            }
        }
    }

    #[test]
    fn worker_reads_only_own_record() {
        let t = table();
        let c = CompanyId::new();
        let me = PersonId::new();
        let other = PersonId::new();
        let a = actor(Role::Worker, &[], Some(me));
        for class in InfoClass::ALL {
            assert_eq!(decide(t, &a, Subject { company_id: c, person_id: me }, class, &[]), Allow);
            assert_eq!(
                decide(t, &a, Subject { company_id: c, person_id: other }, class, &[]),
                Deny { reason: DenyReason::NotOwnRecord }
            );
        }
    }

    #[test]
    fn physician_refused_unassigned_company() {
        let t = table();
        let mine = CompanyId::new();
        let theirs = CompanyId::new();
        let a = actor(Role::Physician, &[mine], None);
        let s = Subject { company_id: theirs, person_id: PersonId::new() };
        for class in InfoClass::ALL {
            assert_eq!(decide(t, &a, s, class, &[]), Deny { reason: DenyReason::CompanyNotServed });
        }
    }

    #[test]
    fn consent_opens_only_the_consented_class_role_and_company() {
        let t = table();
        let c = CompanyId::new();
        let p = PersonId::new();
        let s = Subject { company_id: c, person_id: p };
        let hr = actor(Role::Hr, &[c], None);
        let grant =
            ConsentGrant { person_id: p, company_id: c, info_class: Stress, grantee_role: Role::Hr, event_id: None };
        assert_eq!(decide(t, &hr, s, Stress, &[grant]), Allow);
        // Consent to stress results does not open class 2 (a deny row is not consent-based).
        assert_eq!(decide(t, &hr, s, Class2, &[grant]), Deny { reason: DenyReason::Policy });
        // Another role, person or company: no.
        let hm = actor(Role::HealthManager, &[c], None);
        assert_eq!(decide(t, &hm, s, Stress, &[grant]), Deny { reason: DenyReason::NoConsent });
        let other = ConsentGrant { person_id: PersonId::new(), ..grant };
        assert_eq!(decide(t, &hr, s, Stress, &[other]), Deny { reason: DenyReason::NoConsent });
        let other_co = ConsentGrant { company_id: CompanyId::new(), ..grant };
        assert_eq!(decide(t, &hr, s, Stress, &[other_co]), Deny { reason: DenyReason::NoConsent });
    }

    /// Issue 11.10: a consent scoped to one stress check gives that check's result in processed
    /// form (judgements, never the answers), and nothing of any other check or of the class.
    #[test]
    fn a_consent_scoped_to_one_event_opens_only_its_result() {
        let t = table();
        let c = CompanyId::new();
        let p = PersonId::new();
        let s = Subject { company_id: c, person_id: p };
        let (this, other) = (crate::EventId::new(), crate::EventId::new());
        let hr = actor(Role::Hr, &[c], None);
        let grant = ConsentGrant {
            person_id: p,
            company_id: c,
            info_class: Stress,
            grantee_role: Role::Hr,
            event_id: Some(this),
        };
        assert_eq!(decide_for(t, &hr, s, Stress, Some(this), &[grant]), Decision::AllowProcessed);
        assert_eq!(decide_for(t, &hr, s, Stress, Some(other), &[grant]), Deny { reason: DenyReason::NoConsent });
        assert_eq!(decide_for(t, &hr, s, Stress, None, &[grant]), Deny { reason: DenyReason::NoConsent });
        assert_eq!(decide(t, &hr, s, Stress, &[grant]), Deny { reason: DenyReason::NoConsent });
        // The health manager was not the grantee; a class-wide consent still opens it in full.
        let hm = actor(Role::HealthManager, &[c], None);
        assert_eq!(decide_for(t, &hm, s, Stress, Some(this), &[grant]), Deny { reason: DenyReason::NoConsent });
        let wide = ConsentGrant { event_id: None, ..grant };
        assert_eq!(decide_for(t, &hr, s, Stress, Some(other), &[grant, wide]), Allow);
        // A class allowed outright is not narrowed by a scoped consent.
        let phys = actor(Role::Physician, &[c], None);
        assert_eq!(decide_for(t, &phys, s, Stress, Some(other), &[grant]), Allow);
    }

    #[test]
    fn overrides_apply_per_row_but_never_open_admin() {
        let t = table();
        let c = CompanyId::new();
        let s = Subject { company_id: c, person_id: PersonId::new() };
        let o = t.with_overrides(&[
            PolicyOverride { role: Role::HealthManager, info_class: Class2, access: Access::AllowProcessed },
            PolicyOverride { role: Role::Admin, info_class: Class1, access: Access::Allow },
            PolicyOverride { role: Role::Institution, info_class: Class2, access: Access::Allow },
        ]);
        let hm = actor(Role::HealthManager, &[c], None);
        assert_eq!(decide(&o, &hm, s, Class2, &[]), Decision::AllowProcessed);
        assert_eq!(o.access(Role::Admin, Class1), Access::Deny);
        assert_eq!(o.access(Role::Institution, Class2), Access::Deny);
        let inst = actor(Role::Institution, &[c], None);
        assert_eq!(decide(&o, &inst, s, Class2, &[]), Deny { reason: DenyReason::UploadOnly });
        // The base table is unchanged.
        assert_eq!(decide(t, &hm, s, Class2, &[]), Allow);
    }

    #[test]
    fn missing_rows_are_denied() {
        let t = PolicyTable::from_csv("role,info_class,access\nphysician,class1,allow\n");
        let Ok(t) = t else { unreachable!() };
        assert_eq!(t.access(Role::Physician, Class1), Access::Allow);
        assert_eq!(t.access(Role::Physician, Class2), Access::Deny);
        assert_eq!(t.edition, "unnamed");
    }

    #[test]
    fn table_errors_name_the_row() {
        let e = PolicyTable::from_csv("role,info_class,access\nphysician,class1,allow\nnurse,class9,allow\n");
        assert_eq!(e.err().map(|e| (e.row, e.field)), Some((2, "info_class")));
        let e = PolicyTable::from_csv("role,info_class,access\nphysician,class1,maybe\n");
        assert_eq!(e.err().map(|e| (e.row, e.field)), Some((1, "access")));
    }

    #[test]
    fn merging_persons_needs_a_physician_or_nurse_of_every_company() {
        let (a, b) = (CompanyId::new(), CompanyId::new());
        assert!(may_merge_persons(&actor(Role::Physician, &[a, b], None), &[a, b]));
        assert!(may_merge_persons(&actor(Role::Nurse, &[a], None), &[a]));
        assert!(!may_merge_persons(&actor(Role::Physician, &[a], None), &[a, b]));
        for role in [Role::HealthManager, Role::Hr, Role::Admin, Role::Worker] {
            assert!(!may_merge_persons(&actor(role, &[a, b], None), &[a]), "{role}");
        }
        assert!(!may_merge_persons(&actor(Role::Physician, &[a], None), &[]));
    }

    #[test]
    fn who_may_upload_what() {
        let (c, other) = (CompanyId::new(), CompanyId::new());
        use UploadKind::*;
        let table: &[(Role, [bool; 6])] = &[
            // checkup-csv, cda, fhir, hr, attendance, stress
            (Role::Physician, [true, true, true, true, true, true]),
            (Role::Nurse, [true, true, true, true, true, true]),
            (Role::HealthManager, [false, false, false, true, true, false]),
            (Role::Hr, [false, false, false, true, true, false]),
            (Role::Institution, [true, true, true, false, false, false]),
            (Role::Worker, [false; 6]),
            (Role::Admin, [false; 6]),
        ];
        for (role, row) in table {
            let a = actor(*role, &[c], None);
            for (kind, want) in [CheckupCsv, Cda, Fhir, Hr, Attendance, Stress].iter().zip(row) {
                assert_eq!(may_upload(&a, c, *kind), *want, "{role} {kind:?}");
                assert!(!may_upload(&a, other, *kind), "{role} {kind:?} for a company not served");
            }
        }
        assert_eq!(UploadKind::parse("checkup-csv"), Some(CheckupCsv));
        assert_eq!(UploadKind::parse("documents"), None);
    }

    #[test]
    fn default_edition_is_named() {
        assert_eq!(table().edition, "policy-default-2018-v1");
    }
}
