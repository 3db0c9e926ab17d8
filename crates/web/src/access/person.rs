//! A person the request may see, and every read and write of their data.

use super::Guard;
use super::record::{VisibleEvent, VisibleRecord, event_shown, visible_observations};
use crate::auth::CurrentUser;
use crate::error::AppError;
use iphr_domain::event::Event;
use iphr_domain::info_class::InfoClass;
use iphr_domain::observation::Observation;
use iphr_domain::ohcc::ItemCode;
use iphr_domain::policy::{ConsentGrant, Decision, PolicyTable, Subject, decide, decide_for};
use iphr_domain::{CompanyId, EmploymentId, EventId, PersonId};
use iphr_store::{Store, StoreError, WorkerHeader};
use std::future::Future;

/// A person the request may see at least the identity of, with what decides the rest. Made by
/// [`Guard::person`]; it borrows the guard, so its reads and writes land in the request's audit.
pub struct PersonAccess<'g> {
    guard: &'g Guard,
    /// The worker's header (identity, employment, assignments, exposures).
    pub header: WorkerHeader,
    /// Company and person.
    pub subject: Subject,
    table: PolicyTable,
    consents: Vec<ConsentGrant>,
}

impl<'g> PersonAccess<'g> {
    /// Checks the identity class and opens the person (a refusal is audited).
    pub(super) async fn open(
        guard: &'g Guard,
        header: WorkerHeader,
        table: PolicyTable,
        consents: Vec<ConsentGrant>,
    ) -> Result<Self, AppError> {
        let subject = Subject { company_id: header.employment.company_id, person_id: header.person.id };
        let p = Self { guard, header, subject, table, consents };
        p.require(InfoClass::Identity).await?;
        Ok(p)
    }

    /// The company.
    pub fn company(&self) -> CompanyId {
        self.subject.company_id
    }

    /// The person.
    pub fn person(&self) -> PersonId {
        self.subject.person_id
    }

    /// The employer (the company of the employment the user may see: a worker sees their own
    /// employer even though they serve no company).
    pub async fn employer(&self) -> Result<iphr_domain::tenant::Company, AppError> {
        let id = self.company();
        self.guard.store().get_company(id).await?.ok_or_else(|| AppError::NotFound(format!("company {id}")))
    }

    /// The employment.
    pub fn employment(&self) -> EmploymentId {
        self.header.employment.id
    }

    fn user(&self) -> &CurrentUser {
        &self.guard.user
    }

    /// The decision for a class of this person's information (no audit: a pure answer).
    pub fn decision(&self, class: InfoClass) -> Decision {
        decide(&self.table, &self.user().actor, self.subject, class, &self.consents)
    }

    /// The decision for a class of the information of one event of this person (a consent
    /// scoped to that event counts: its result in processed form).
    pub fn decision_for(&self, class: InfoClass, event: EventId) -> Decision {
        decide_for(&self.table, &self.user().actor, self.subject, class, Some(event), &self.consents)
    }

    async fn refuse<T>(&self, class: Option<InfoClass>, reason: &str) -> Result<T, AppError> {
        self.guard.refuse(Some(self.company()), Some(self.person()), class, reason).await
    }

    /// Requires a class of the person's information; a refusal is audited and is a 403.
    pub async fn require(&self, class: InfoClass) -> Result<Decision, AppError> {
        match self.decision(class) {
            Decision::Deny { reason } => self.refuse(Some(class), reason.as_str()).await,
            d => Ok(d),
        }
    }

    /// Requires a class of the information of one event (a consent scoped to that event
    /// counts); a refusal is audited and is a 403.
    pub async fn require_event(&self, class: InfoClass, event: EventId) -> Result<Decision, AppError> {
        match self.decision_for(class, event) {
            Decision::Deny { reason } => self.refuse(Some(class), reason.as_str()).await,
            d => Ok(d),
        }
    }

    /// Requires a role for a write (e.g. only a physician decides the 就業区分); a refusal is
    /// audited and is a 403.
    pub async fn require_role(&self, allowed: bool, what: &str) -> Result<(), AppError> {
        if allowed { Ok(()) } else { self.refuse(None, &format!("role may not {what}")).await }
    }

    /// Audits a read of these classes (the one place a read is written to the log).
    async fn audit_read(&self, classes: &[InfoClass]) -> Result<(), AppError> {
        let mut cs: Vec<InfoClass> = classes.to_vec();
        cs.sort();
        cs.dedup();
        let single = if cs.len() == 1 { cs.first().copied() } else { None };
        let list = cs.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(",");
        self.guard.audit(Some(self.company()), Some(self.person()), single, true, format!("read {list}")).await
    }

    /// Reads data of these classes of the person: each class is required first (a refusal is
    /// audited and is a 403), then `read` runs against the store, then the read is audited.
    /// Whether a class is given in full or processed only is [`Self::decision`]'s answer.
    pub async fn read<'s, T, F, Fut>(&'s self, classes: &[InfoClass], read: F) -> Result<T, AppError>
    where
        F: FnOnce(&'s dyn Store) -> Fut,
        Fut: Future<Output = Result<T, StoreError>> + 's,
    {
        for c in classes {
            self.require(*c).await?;
        }
        let out = read(self.guard.store()).await?;
        self.audit_read(classes).await?;
        Ok(out)
    }

    /// Writes data of a class of the person (the handler checks the role first with
    /// [`Self::require_role`]); the write is audited as `write {what}`.
    pub async fn write<'s, T, F, Fut>(&'s self, class: InfoClass, what: &str, write: F) -> Result<T, AppError>
    where
        F: FnOnce(&'s dyn Store) -> Fut,
        Fut: Future<Output = Result<T, StoreError>> + 's,
    {
        self.write_all(&[(class, what)], write).await
    }

    /// One write of data of several classes (e.g. a 面接指導 report, class 2, and the opinion,
    /// class 1, in one transaction): audited once per class.
    pub async fn write_all<'s, T, F, Fut>(&'s self, parts: &[(InfoClass, &str)], write: F) -> Result<T, AppError>
    where
        F: FnOnce(&'s dyn Store) -> Fut,
        Fut: Future<Output = Result<T, StoreError>> + 's,
    {
        let out = write(self.guard.store()).await?;
        for (class, what) in parts {
            self.guard
                .audit(Some(self.company()), Some(self.person()), Some(*class), true, format!("write {what}"))
                .await?;
        }
        Ok(out)
    }

    /// The person's record in this company as the policy lets the user see it: the header's
    /// work data where allowed, and every event of the timeline with the observations shown.
    /// Audited with the classes shown.
    pub async fn record(&self) -> Result<VisibleRecord, AppError> {
        let store = self.guard.store();
        let events = store.timeline(self.company(), self.person()).await?;
        let observations = store.person_observations(self.company(), self.person()).await?;
        let rec = VisibleRecord::of(self, events, observations);
        self.audit_read(&rec.classes).await?;
        Ok(rec)
    }

    /// One event of the person's timeline (their own, or a patrol of a department they were
    /// assigned to at the time) with the observations shown; the summary and content classes
    /// are required (refusals audited) and the read is audited.
    pub async fn event(&self, id: EventId) -> Result<VisibleEvent, AppError> {
        let store = self.guard.store();
        let event = store
            .event(self.company(), id)
            .await?
            .filter(|e| self.owns(e))
            .ok_or_else(|| AppError::NotFound(format!("event {id}")))?;
        self.require_event(event.summary_class(), event.id).await?;
        self.require_event(event.content_class, event.id).await?;
        let shown = event_shown(self, &event).unwrap_or(super::Shown::Hidden);
        let obs = store.event_observations(self.company(), id).await?;
        let mut classes = vec![InfoClass::Identity, event.summary_class(), event.content_class];
        let (observations, withheld) = visible_observations(self, shown, obs.into_iter(), &mut classes);
        self.audit_read(&classes).await?;
        Ok(VisibleEvent { event, shown, observations, withheld })
    }

    /// Whether an event is on this person's timeline: their own, or a workplace event (a
    /// patrol) of a department they were assigned to on its date.
    fn owns(&self, e: &Event) -> bool {
        match e.person_id {
            Some(p) => p == self.person(),
            None => e.department_id.is_some_and(|d| {
                self.header.assignments.iter().any(|a| {
                    a.assignment.department_id == d
                        && a.assignment.valid_from <= e.event_date
                        && a.assignment.valid_to.is_none_or(|t| e.event_date <= t)
                })
            }),
        }
    }

    /// Every value of one item of the person, oldest first, where the class of the item is
    /// allowed (processed-only access gives judgements only); audited.
    pub async fn series(&self, item: &ItemCode, class: InfoClass) -> Result<Vec<Observation>, AppError> {
        let decision = self.require(class).await?;
        let all = self.guard.store().person_observations(self.company(), self.person()).await?;
        let out: Vec<Observation> = all
            .into_iter()
            .filter(|o| &o.item == item)
            .filter(|o| match decision {
                Decision::Allow => true,
                Decision::AllowProcessed => o.atr.kind == iphr_domain::ohcc::DataKind::Judgement,
                Decision::Deny { .. } => false,
            })
            .collect();
        self.audit_read(&[class]).await?;
        Ok(out)
    }
}
