//! Judgements, the dashboard and the post-checkup steps.

use crate::*;

pub(crate) async fn postcheckup(store: &dyn Store, w: &World) {
    use iphr_domain::judgement::{CheckupFacts, NotationOnly, Rules};
    use iphr_domain::postcheckup::{GuidanceLevel, Measure, Opinion, Step, WorkCategory};
    use iphr_store::{JudgementFilter, JudgementWrite, RuleOverride, Section, StepWrite};
    let c = w.company.id;
    let rules = Rules::embedded().unwrap();
    let items = rules.items_read();
    let checkups = store.checkups_to_judge(c, None, &items, None, 100).await.unwrap();
    assert_eq!(checkups.len(), 2, "both checkups of the company");
    let mine = checkups.iter().find(|k| k.event_id == w.checkup.id).unwrap();
    // Only the items the rules read: urine protein, not height or text.
    assert_eq!(mine.facts.len(), 1);
    assert_eq!(mine.facts[0].item, "Ak0010000Z");
    assert_eq!(mine.sex, w.persons[0].sex);
    assert_eq!(mine.kind.as_deref(), Some("periodic"));
    assert_eq!(store.checkups_to_judge(c, Some(d(2025, 6, 11)), &items, None, 100).await.unwrap().len(), 1);
    // Pages in event-id order.
    let first = store.checkups_to_judge(c, None, &items, None, 1).await.unwrap();
    let second = store.checkups_to_judge(c, None, &items, first.last().map(|k| k.event_id), 1).await.unwrap();
    assert_eq!((first.len(), second.len()), (1, 1));
    assert!(first[0].event_id < second[0].event_id);
    assert!(store.checkups_to_judge(c, None, &items, second.last().map(|k| k.event_id), 1).await.unwrap().is_empty());
    let judge = |k: &iphr_store::CheckupToJudge| {
        let facts = CheckupFacts {
            date: k.date,
            kind: k.kind.as_deref().and_then(iphr_domain::event::CheckupKind::parse),
            submitted_on: None,
            sex: k.sex,
            birth_date: k.birth_date,
            facts: &k.facts,
        };
        JudgementWrite {
            event_id: k.event_id,
            person_id: k.person_id,
            employment_id: k.employment_id,
            checkup_date: k.date,
            checkup_kind: k.kind.clone(),
            result: rules.judge(&facts, &NotationOnly),
            prior_opinion: None,
        }
    };
    let writes: Vec<_> = checkups.iter().map(judge).collect();
    let at = Utc.with_ymd_and_hms(2025, 12, 1, 9, 0, 0).unwrap();
    let s = store.save_judgements(c, &writes, at).await.unwrap();
    assert_eq!((s.judged, s.new, s.changed, s.unchanged), (2, 2, 0, 0));
    store.finish_judging(c).await.unwrap();
    let s = store.save_judgements(c, &writes, at).await.unwrap();
    assert_eq!((s.judged, s.new, s.changed, s.unchanged), (2, 0, 0, 2), "judging again writes nothing");
    let j = store.judgement(c, w.checkup.id).await.unwrap().unwrap();
    assert_eq!(j.result.overall.map(|o| o.as_str()), Some("D"));
    assert!(j.latest);
    assert_eq!(j.stage, "judged");
    assert_eq!(j.employee_number.as_deref(), Some(w.employments[0].employee_number.as_str()));
    assert_eq!(j.result.opinion_due, Some(d(2025, 9, 10)));
    assert_eq!(j.result.followup_due, Some(d(2025, 9, 8)));
    // Stored compactly: labels and sources come back from the rule tables.
    assert!(j.result.items.iter().all(|i| i.source.is_empty()));

    let today = d(2025, 12, 1);
    let counts = store.dashboard_counts(c, today, at - Duration::hours(24)).await.unwrap();
    assert_eq!(counts.judged, 2);
    // The other checkup has no kind: not a statutory checkup, no opinion due.
    assert_eq!((counts.opinion_due, counts.opinion_overdue), (1, 1));
    assert_eq!(counts.followup, 1);
    assert_eq!((counts.panic, counts.referral, counts.niji, counts.hr_pending), (0, 0, 0, 0));
    let due =
        JudgementFilter { latest_only: true, section: Some(Section::OpinionDue), today, since: None, limit: Some(1) };
    assert_eq!(store.judgements(c, &due).await.unwrap().len(), 1);

    let step = |step: Step, role: Role, h: u32| StepWrite {
        company_id: c,
        event_id: w.checkup.id,
        step,
        by_login: format!("{role:?}").to_lowercase(),
        by_role: role,
        at: Utc.with_ymd_and_hms(2025, 12, 2, h, 0, 0).unwrap(),
        records: vec![],
    };
    let j = store
        .append_step(&step(Step::Guidance { level: GuidanceLevel::Medical, note: String::new() }, Role::Nurse, 9))
        .await
        .unwrap();
    assert_eq!((j.stage.as_str(), j.guidance.as_deref()), ("guidance_set", Some("medical")));
    let opinion = Opinion {
        category: WorkCategory::Restriction,
        measures: vec![Measure::OvertimeLimit, Measure::FewerNightShifts],
        measures_text: "月20時間まで".into(),
        reasons: "尿蛋白2+".into(),
        opinion: "精密検査を受けること".into(),
        valid_until: Some(d(2026, 3, 31)),
        review_on: Some(d(2026, 3, 1)),
        conditions: vec![iphr_domain::postcheckup::ConditionStatus {
            condition: "高血圧症".into(),
            status: iphr_domain::postcheckup::TreatmentStatus::InTreatment,
        }],
    };
    // The opinion's timeline records are written in the step's transaction.
    let subject = iphr_domain::postcheckup::StepSubject {
        company_id: c,
        person_id: w.persons[0].id,
        employment_id: Some(w.employments[0].id),
        checkup: w.checkup.id,
        checkup_date: w.checkup.event_date,
    };
    let records =
        iphr_domain::postcheckup::step_events(&Step::Opinion(opinion.clone()), None, subject, today, "doctor");
    let j = store
        .append_step(&StepWrite { records: records.clone(), ..step(Step::Opinion(opinion), Role::Physician, 10) })
        .await
        .unwrap();
    assert_eq!(j.stage, "opinion_set");
    let timeline = store.timeline(c, w.persons[0].id).await.unwrap();
    assert!(records.iter().all(|r| timeline.contains(r)), "the opinion is on the timeline");
    assert_eq!(j.work_category, Some(WorkCategory::Restriction));
    assert_eq!(j.measures, vec!["overtime_limit", "fewer_night_shifts", "月20時間まで"]);
    assert_eq!(j.valid_until, Some(d(2026, 3, 31)));
    let counts = store.dashboard_counts(c, today, at).await.unwrap();
    assert_eq!((counts.opinion_due, counts.hr_pending), (0, 1));
    // Issue 11.12: the other checkup has no opinion: nothing to acknowledge, nothing written.
    let other = writes.iter().map(|x| x.event_id).find(|e| *e != w.checkup.id).unwrap();
    let mut early = step(Step::HrAck { note: String::new() }, Role::Hr, 11);
    early.event_id = other;
    assert!(matches!(store.append_step(&early).await, Err(StoreError::Conflict(_))));
    assert!(store.steps(c, other).await.unwrap().is_empty());
    let j = store.append_step(&step(Step::HrAck { note: "了解".into() }, Role::Hr, 11)).await.unwrap();
    assert_eq!(j.stage, "hr_acknowledged");
    assert_eq!(store.dashboard_counts(c, today, at).await.unwrap().hr_pending, 0);
    // A guidance correction later does not move the stage back.
    let j = store
        .append_step(&step(Step::Guidance { level: GuidanceLevel::Health, note: "訂正".into() }, Role::Nurse, 12))
        .await
        .unwrap();
    assert_eq!((j.stage.as_str(), j.guidance.as_deref()), ("hr_acknowledged", Some("health")));
    let j = store.append_step(&step(Step::FollowupClosed { note: String::new() }, Role::Physician, 13)).await.unwrap();
    assert_eq!(j.stage, "closed");
    assert_eq!(store.dashboard_counts(c, today, at).await.unwrap().followup, 0);
    let steps = store.steps(c, w.checkup.id).await.unwrap();
    let names: Vec<_> = steps.iter().map(|s| s.step.name()).collect();
    assert_eq!(names, vec!["guidance", "opinion", "hr_ack", "guidance", "followup_closed"]);
    assert_eq!(steps[1].by_role, Role::Physician);
    // Re-judging keeps the workflow state.
    let mut changed = writes.clone();
    changed[0].result.rules_version = "changed".into();
    let s = store.save_judgements(c, &changed, at).await.unwrap();
    assert_eq!((s.changed, s.unchanged), (1, 1));
    let j = store.judgement(c, w.checkup.id).await.unwrap().unwrap();
    assert_eq!((j.stage.as_str(), j.work_category), ("closed", Some(WorkCategory::Restriction)));
    // No judgement: no step.
    let mut orphan = step(Step::HrAck { note: String::new() }, Role::Hr, 14);
    orphan.event_id = EventId::new();
    assert!(matches!(store.append_step(&orphan).await, Err(StoreError::NotFound(_))));

    // Rule overrides per company.
    assert!(store.rule_overrides(c).await.unwrap().is_empty());
    let o = RuleOverride {
        table: "settings".into(),
        content: "key,value,source\nfollowup_days,60,社内\n".into(),
        updated_by: "doctor".into(),
        updated_at: at,
    };
    store.set_rule_override(c, &o).await.unwrap();
    store
        .set_rule_override(
            c,
            &RuleOverride { content: "key,value,source\nfollowup_days,45,社内\n".into(), ..o.clone() },
        )
        .await
        .unwrap();
    let got = store.rule_overrides(c).await.unwrap();
    assert_eq!(got.len(), 1);
    assert!(got[0].content.contains("45"));
    store.set_rule_override(c, &RuleOverride { content: String::new(), ..o }).await.unwrap();
    assert!(store.rule_overrides(c).await.unwrap().is_empty());
}
