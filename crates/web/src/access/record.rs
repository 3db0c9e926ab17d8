//! A person's record as the policy lets the user see it: which events, how much of each, which
//! observations — and the classes shown, for the audit entry.

use super::PersonAccess;
use iphr_domain::EventId;
use iphr_domain::event::Event;
use iphr_domain::info_class::InfoClass;
use iphr_domain::observation::Observation;
use iphr_domain::ohcc::DataKind;
use iphr_domain::policy::Decision;
use serde::Serialize;
use std::collections::HashMap;

/// How much of an event's content is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Shown {
    /// Everything the policy allows per datum.
    Full,
    /// Judgements only (加工).
    Processed,
    /// Only the fact that the event happened.
    Hidden,
}

/// An event as shown, with the observations shown and how many were withheld.
#[derive(Debug, Clone)]
pub struct VisibleEvent {
    /// The event.
    pub event: Event,
    /// How much of it is shown.
    pub shown: Shown,
    /// The observations shown.
    pub observations: Vec<Observation>,
    /// Observations withheld by the policy.
    pub withheld: usize,
}

/// A person's record as shown.
#[derive(Debug, Clone)]
pub struct VisibleRecord {
    /// Whether the work data of the header (work content, night work, exposures) is shown.
    pub work: bool,
    /// The events shown, newest first.
    pub events: Vec<VisibleEvent>,
    /// The classes shown (audited).
    pub classes: Vec<InfoClass>,
}

impl VisibleRecord {
    /// Filters a timeline and its observations by the decisions of `p`.
    pub(super) fn of(p: &PersonAccess<'_>, events: Vec<Event>, obs: Vec<Observation>) -> Self {
        let mut classes = vec![InfoClass::Identity];
        let work = p.decision(InfoClass::Work).is_allowed();
        if work {
            classes.push(InfoClass::Work);
        }
        let mut by_event: HashMap<EventId, Vec<Observation>> = HashMap::new();
        for o in obs {
            by_event.entry(o.event_id).or_default().push(o);
        }
        let mut shown_events = Vec::with_capacity(events.len());
        for e in events {
            let Some(shown) = event_shown(p, &e) else {
                continue;
            };
            classes.push(e.summary_class());
            let own = by_event.remove(&e.id).unwrap_or_default();
            let (observations, withheld) = visible_observations(p, shown, own.into_iter(), &mut classes);
            if shown == Shown::Full {
                classes.push(e.content_class);
            }
            shown_events.push(VisibleEvent { event: e, shown, observations, withheld });
        }
        VisibleRecord { work, events: shown_events, classes }
    }
}

/// How much of an event the user may see (`None`: not even that it happened).
pub(super) fn event_shown(p: &PersonAccess<'_>, e: &Event) -> Option<Shown> {
    if !p.decision_for(e.summary_class(), e.id).is_allowed() {
        return None;
    }
    Some(match p.decision_for(e.content_class, e.id) {
        Decision::Allow => Shown::Full,
        Decision::AllowProcessed => Shown::Processed,
        Decision::Deny { .. } => Shown::Hidden,
    })
}

/// The observations of an event that the user may see, and how many were withheld; the classes
/// shown are added to `classes`.
pub(super) fn visible_observations(
    p: &PersonAccess<'_>,
    shown: Shown,
    obs: impl Iterator<Item = Observation>,
    classes: &mut Vec<InfoClass>,
) -> (Vec<Observation>, usize) {
    let mut out = Vec::new();
    let mut withheld = 0;
    for o in obs {
        let ok = match (shown, p.decision_for(o.info_class, o.event_id)) {
            (Shown::Hidden, _) | (_, Decision::Deny { .. }) => false,
            (Shown::Processed, _) | (_, Decision::AllowProcessed) => o.atr.kind == DataKind::Judgement,
            (Shown::Full, Decision::Allow) => true,
        };
        if ok {
            classes.push(o.info_class);
            out.push(o);
        } else {
            withheld += 1;
        }
    }
    (out, withheld)
}
