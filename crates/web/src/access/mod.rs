//! The one door to personal data. A handler that touches a company's workers or a person's
//! record takes a [`Guard`] (or an [`ApiGuard`]) as an extractor: it is the signed-in user, the
//! state and the request's route (`METHOD /path`, taken from the request itself, so no
//! handler writes its route as a string). The guard applies the company's 取扱規程 (default
//! table plus overrides) and the person's consents through
//! [`iphr_domain::policy::decide_for`] and writes the audit log — every refusal, and every read
//! and write of health data.
//!
//! A person's data is read through [`PersonAccess`] ([`Guard::person`], [`Guard::own_person`]):
//! [`PersonAccess::record`], [`PersonAccess::event`], [`PersonAccess::series`] and
//! [`PersonAccess::read`] decide before they read and audit before they return, and
//! [`PersonAccess::write`] audits what it wrote; there is no separate "remember to audit" call.

mod person;
mod record;

pub use person::PersonAccess;
pub use record::{Shown, VisibleEvent, VisibleRecord};

use crate::auth::CurrentUser;
use crate::error::{ApiError, AppError};
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use iphr_domain::audit::AuditEntry;
use iphr_domain::info_class::InfoClass;
use iphr_domain::policy::{Access, PolicyTable, may_see_company};
use iphr_domain::role::Role;
use iphr_domain::tenant::Company;
use iphr_domain::{AuditId, CompanyId, EmploymentId, PersonId};
use iphr_store::Store;

/// The access check of one request.
pub struct Guard {
    state: AppState,
    user: CurrentUser,
    /// The request's path and query.
    path: String,
    action: String,
}

impl FromRequestParts<AppState> for Guard {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        let path = parts.uri.path_and_query().map_or_else(|| parts.uri.path(), |pq| pq.as_str()).to_string();
        // The route without the query: a search's text is not copied into the log.
        let action = format!("{} {}", parts.method, parts.uri.path());
        Ok(Guard { state: state.clone(), user, path, action })
    }
}

/// A [`Guard`] for the JSON API: refusals and a missing session answer in JSON (401, not a
/// redirect to the login page).
pub struct ApiGuard(pub Guard);

impl FromRequestParts<AppState> for ApiGuard {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Guard::from_request_parts(parts, state).await.map(ApiGuard).map_err(ApiError)
    }
}

impl std::ops::Deref for ApiGuard {
    type Target = Guard;
    fn deref(&self) -> &Guard {
        &self.0
    }
}

impl Guard {
    /// The signed-in user.
    pub fn user(&self) -> &CurrentUser {
        &self.user
    }

    /// The shared state: the store for company-level data, the tables, the clock.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The store, for company-level data (lists the guard allowed, rule tables, uploads). A
    /// person's record is read through [`PersonAccess`].
    pub fn store(&self) -> &dyn Store {
        self.state.store.as_ref()
    }

    /// The request's path and query (the page's own address, for the language switch).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The route as the audit log names it: method and path.
    pub fn action(&self) -> &str {
        &self.action
    }

    /// Today in Japan.
    pub fn today(&self) -> chrono::NaiveDate {
        self.state.today()
    }

    /// The user's language.
    pub fn lang(&self) -> crate::i18n::Lang {
        self.user.lang
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
                at: self.state.now(),
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

    /// Refuses unless `allowed` (a role check of a page or a write that names no person);
    /// a refusal is audited and is a 403.
    pub async fn require_role(&self, company: Option<CompanyId>, allowed: bool, what: &str) -> Result<(), AppError> {
        if allowed { Ok(()) } else { self.refuse(company, None, None, &format!("role may not {what}")).await }
    }

    /// A company the user may see (its name and, for staff, its worker list).
    pub async fn company(&self, id: CompanyId) -> Result<Company, AppError> {
        if !may_see_company(&self.user.actor, id) {
            return self.refuse(Some(id), None, None, "company_not_served").await;
        }
        self.state.store.get_company(id).await?.ok_or_else(|| AppError::NotFound(format!("company {id}")))
    }

    /// The companies the user may see.
    pub async fn companies(&self) -> Result<Vec<Company>, AppError> {
        let all = self.state.store.list_companies().await?;
        Ok(all.into_iter().filter(|c| may_see_company(&self.user.actor, c.id)).collect())
    }

    /// The worker list of a company: identity data of its employees.
    pub async fn worker_list(&self, id: CompanyId) -> Result<Company, AppError> {
        if self.user.actor.role == Role::Admin {
            return self.refuse(Some(id), None, Some(InfoClass::Identity), "admin_no_data").await;
        }
        let company = self.company(id).await?;
        let table = self.table(id).await?;
        if table.access(self.user.actor.role, InfoClass::Identity) == Access::Deny {
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
        if table.access(a.role, class) != Access::Allow {
            return self.refuse(Some(id), None, Some(class), "policy").await;
        }
        self.audit(Some(id), None, Some(class), true, format!("read {what}")).await?;
        Ok(company)
    }

    /// Whether the company's 取扱規程 allows the role a class outright (no audit: a pure answer;
    /// a handler that then shows data of the class audits it with [`Self::audit`]).
    pub async fn company_allows(&self, id: CompanyId, class: InfoClass) -> Result<bool, AppError> {
        let a = &self.user.actor;
        if matches!(a.role, Role::Admin | Role::Worker) {
            return Ok(false);
        }
        Ok(self.table(id).await?.access(a.role, class) == Access::Allow)
    }

    async fn table(&self, company: CompanyId) -> Result<PolicyTable, AppError> {
        let overrides = self.state.store.policy_overrides(company).await?;
        Ok(self.state.policy.with_overrides(&overrides))
    }

    /// A person (an employment of a company) whose identity the user may see.
    pub async fn person(&self, company: CompanyId, employment: EmploymentId) -> Result<PersonAccess<'_>, AppError> {
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
        let table = self.table(company).await?;
        let consents = self.state.store.consents_of_person(header.person.id).await?;
        PersonAccess::open(self, header, table, consents).await
    }

    /// A worker's own record: the newest employment of the person their account is linked to.
    pub async fn own_person(&self) -> Result<PersonAccess<'_>, AppError> {
        let person = self
            .user
            .actor
            .person_id
            .ok_or_else(|| AppError::NotFound("no personal record is linked to this account".into()))?;
        let e = self
            .state
            .store
            .employments_of_person(person)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::NotFound("no employment".into()))?;
        self.person(e.company_id, e.id).await
    }
}
