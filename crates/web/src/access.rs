//! The one door to personal data: every page and API handler that reads a person's record
//! asks the [`Guard`], which applies the company's 取扱規程 (default table plus overrides) and
//! the person's consents through [`iphr_domain::policy::decide`], and writes the audit log —
//! every refusal, and every read of health data.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;
use chrono::Utc;
use iphr_domain::audit::AuditEntry;
use iphr_domain::info_class::InfoClass;
use iphr_domain::policy::{ConsentGrant, Decision, PolicyTable, Subject, decide, decide_for, may_see_company};
use iphr_domain::role::Role;
use iphr_domain::tenant::Company;
use iphr_domain::{AuditId, CompanyId, EmploymentId, PersonId};
use iphr_store::WorkerHeader;

/// The access check of one request.
pub struct Guard<'a> {
    state: &'a AppState,
    user: &'a CurrentUser,
    action: String,
}

/// A person the request may see at least the identity of, with what decides the rest.
pub struct PersonAccess {
    /// The worker's header.
    pub header: WorkerHeader,
    /// Company and person.
    pub subject: Subject,
    table: PolicyTable,
    consents: Vec<ConsentGrant>,
}

impl PersonAccess {
    /// The decision for a class of this person's information (no audit: the caller audits
    /// what it shows).
    pub fn decision(&self, user: &CurrentUser, class: InfoClass) -> Decision {
        decide(&self.table, &user.actor, self.subject, class, &self.consents)
    }

    /// The decision for a class of the information of one event of this person (a consent
    /// scoped to that event counts: its result in processed form).
    pub fn decision_for(&self, user: &CurrentUser, class: InfoClass, event: iphr_domain::EventId) -> Decision {
        decide_for(&self.table, &user.actor, self.subject, class, Some(event), &self.consents)
    }
}

impl<'a> Guard<'a> {
    /// A guard for a request; `action` names it in the audit log (e.g. `GET /companies/…`).
    pub fn new(state: &'a AppState, user: &'a CurrentUser, action: impl Into<String>) -> Self {
        Self { state, user, action: action.into() }
    }

    /// Appends an audit entry; a failed audit write fails the request (no unaudited reads).
    pub async fn audit(
        &self,
        company: Option<CompanyId>,
        person: Option<PersonId>,
        class: Option<InfoClass>,
        allowed: bool,
        detail: impl Into<String>,
    ) -> Result<(), AppError> {
        let a = &self.user.actor;
        self.state
            .store
            .append_audit(&AuditEntry {
                id: AuditId::new(),
                at: Utc::now(),
                user_id: Some(a.user_id),
                login: a.login.clone(),
                role: Some(a.role),
                action: self.action.clone(),
                company_id: company,
                person_id: person,
                info_class: class,
                allowed,
                detail: detail.into(),
            })
            .await
            .map_err(|e| AppError::Internal(format!("audit write failed: {e}")))
    }

    /// Refuses the request (audited, 403) for `reason`.
    pub async fn refuse<T>(
        &self,
        company: Option<CompanyId>,
        person: Option<PersonId>,
        class: Option<InfoClass>,
        reason: &str,
    ) -> Result<T, AppError> {
        self.audit(company, person, class, false, reason).await?;
        Err(AppError::Forbidden(reason.to_string()))
    }

    /// A company the user may see (its name and, for staff, its worker list).
    pub async fn company(&self, id: CompanyId) -> Result<Company, AppError> {
        if !may_see_company(&self.user.actor, id) {
            return self.refuse(Some(id), None, None, "company_not_served").await;
        }
        self.state.store.get_company(id).await?.ok_or_else(|| AppError::NotFound(format!("company {id}")))
    }

    /// The worker list of a company: identity data of its employees.
    pub async fn worker_list(&self, id: CompanyId) -> Result<Company, AppError> {
        if self.user.actor.role == Role::Admin {
            return self.refuse(Some(id), None, Some(InfoClass::Identity), "admin_no_data").await;
        }
        let company = self.company(id).await?;
        let table = self.table(id).await?;
        if table.access(self.user.actor.role, InfoClass::Identity) == iphr_domain::policy::Access::Deny {
            return self.refuse(Some(id), None, Some(InfoClass::Identity), "policy").await;
        }
        Ok(company)
    }

    /// Company-level lists of one information class (the post-checkup dashboard, the HR view):
    /// the role must be allowed that class outright by the company's 取扱規程 (consent-based
    /// access is per person and never covers a list). The read is audited; a refusal too.
    pub async fn company_class(&self, id: CompanyId, class: InfoClass, what: &str) -> Result<Company, AppError> {
        let a = &self.user.actor;
        if matches!(a.role, Role::Admin | Role::Worker) {
            let reason = if a.role == Role::Admin { "admin_no_data" } else { "not_own_record" };
            return self.refuse(Some(id), None, Some(class), reason).await;
        }
        let company = self.company(id).await?;
        let table = self.table(id).await?;
        if table.access(a.role, class) != iphr_domain::policy::Access::Allow {
            return self.refuse(Some(id), None, Some(class), "policy").await;
        }
        self.audit(Some(id), None, Some(class), true, format!("read {what}")).await?;
        Ok(company)
    }

    async fn table(&self, company: CompanyId) -> Result<PolicyTable, AppError> {
        let overrides = self.state.store.policy_overrides(company).await?;
        Ok(self.state.policy.with_overrides(&overrides))
    }

    /// A person (an employment of a company) whose identity the user may see.
    pub async fn person(&self, company: CompanyId, employment: EmploymentId) -> Result<PersonAccess, AppError> {
        let a = &self.user.actor;
        if a.role == Role::Admin {
            return self.refuse(Some(company), None, Some(InfoClass::Identity), "admin_no_data").await;
        }
        if a.role != Role::Worker && !a.serves(company) {
            return self.refuse(Some(company), None, Some(InfoClass::Identity), "company_not_served").await;
        }
        let Some(header) = self.state.store.worker(company, employment).await? else {
            if a.role == Role::Worker {
                return self.refuse(Some(company), None, Some(InfoClass::Identity), "not_own_record").await;
            }
            return Err(AppError::NotFound(format!("worker {employment}")));
        };
        let subject = Subject { company_id: company, person_id: header.person.id };
        let access = PersonAccess {
            table: self.table(company).await?,
            consents: self.state.store.consents_of_person(header.person.id).await?,
            header,
            subject,
        };
        match access.decision(self.user, InfoClass::Identity) {
            Decision::Deny { reason } => {
                self.refuse(Some(company), Some(subject.person_id), Some(InfoClass::Identity), reason.as_str()).await
            }
            _ => Ok(access),
        }
    }

    /// Requires a class of a person's information; a refusal is audited and is a 403.
    pub async fn require(&self, p: &PersonAccess, class: InfoClass) -> Result<Decision, AppError> {
        match p.decision(self.user, class) {
            Decision::Deny { reason } => {
                self.refuse(Some(p.subject.company_id), Some(p.subject.person_id), Some(class), reason.as_str()).await
            }
            d => Ok(d),
        }
    }

    /// Requires a class of the information of one event of a person (a consent scoped to that
    /// event counts); a refusal is audited and is a 403.
    pub async fn require_event(
        &self,
        p: &PersonAccess,
        class: InfoClass,
        event: iphr_domain::EventId,
    ) -> Result<Decision, AppError> {
        match p.decision_for(self.user, class, event) {
            Decision::Deny { reason } => {
                self.refuse(Some(p.subject.company_id), Some(p.subject.person_id), Some(class), reason.as_str()).await
            }
            d => Ok(d),
        }
    }

    /// Requires a role for a write (e.g. only a physician decides the 就業区分); a refusal is
    /// audited and is a 403.
    pub async fn require_role(&self, p: &PersonAccess, allowed: bool, what: &str) -> Result<(), AppError> {
        if allowed {
            Ok(())
        } else {
            self.refuse(Some(p.subject.company_id), Some(p.subject.person_id), None, &format!("role may not {what}"))
                .await
        }
    }

    /// Records a write to a person's record.
    pub async fn wrote(&self, p: &PersonAccess, class: InfoClass, what: &str) -> Result<(), AppError> {
        self.audit(Some(p.subject.company_id), Some(p.subject.person_id), Some(class), true, format!("write {what}"))
            .await
    }

    /// Records a read of the given classes of a person's information.
    pub async fn read(&self, p: &PersonAccess, classes: &[InfoClass]) -> Result<(), AppError> {
        let mut cs: Vec<InfoClass> = classes.to_vec();
        cs.sort();
        cs.dedup();
        let single = if cs.len() == 1 { cs.first().copied() } else { None };
        let list = cs.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(",");
        self.audit(Some(p.subject.company_id), Some(p.subject.person_id), single, true, format!("read {list}")).await
    }
}
