//! Judgements, the dashboard and the post-checkup steps.

use super::records::write_batch;
use super::*;

pub(super) const JUDGEMENT_SELECT: &str =
    "SELECT j.*, jr.result, en.employee_number, p.family_name, p.given_name FROM judgements j
     JOIN judgement_results jr ON jr.company_id = j.company_id AND jr.event_id = j.event_id
     LEFT JOIN employments en ON en.company_id = j.company_id AND en.id = j.employment_id
     LEFT JOIN persons p ON p.id = j.person_id";

/// The condition of a dashboard section (each on the person's latest checkup, set by the caller).
fn push_section(qb: &mut QueryBuilder<Db>, section: Section, today: NaiveDate) {
    match section {
        Section::Panic => {
            qb.push(" AND j.urgent_tier = 'panic' AND j.urgent_closed_at IS NULL");
        }
        Section::Referral => {
            // Closed by a recorded visit, or by a treatment or medication on the timeline since.
            qb.push(
                " AND j.urgent_tier = 'referral' AND j.urgent_closed_at IS NULL AND NOT EXISTS (SELECT 1 FROM events t
                   WHERE t.company_id = j.company_id AND t.person_id = j.person_id AND t.kind IN ('treatment', 'medication')
                   AND t.event_date >= j.checkup_date)",
            );
        }
        Section::OpinionDue => {
            qb.push(" AND j.opinion_due IS NOT NULL AND j.opinion_at IS NULL");
        }
        Section::Followup => {
            qb.push(" AND j.followup_due IS NOT NULL AND j.followup_closed_at IS NULL AND j.followup_due <= ")
                .push_bind(today)
                .push(
                    " AND NOT EXISTS (SELECT 1 FROM events t WHERE t.company_id = j.company_id AND t.person_id = j.person_id
                       AND t.kind IN ('treatment', 'medication') AND t.event_date >= j.checkup_date)",
                );
        }
        Section::Niji => {
            qb.push(" AND j.niji_candidate = ").push_bind(true).push(" AND j.niji_claim_until >= ").push_bind(today);
        }
        Section::Stratification => {
            qb.push(" AND j.stratification IN ('active', 'motivational')");
        }
        Section::HrPending => {
            qb.push(" AND j.opinion_at IS NOT NULL AND j.hr_ack_at IS NULL AND j.work_category IS NOT NULL AND j.work_category <> 'normal'");
        }
    }
}

pub(super) fn judgement_from_row(r: &DbRow) -> Result<JudgementRecord> {
    let result: iphr_domain::judgement::CheckupJudgement =
        serde_json::from_str(&get::<String>(r, "result")?).map_err(|e| corrupt("result", e))?;
    let measures: Option<String> = get(r, "measures")?;
    let family: Option<String> = get(r, "family_name")?;
    let given: Option<String> = get(r, "given_name")?;
    Ok(JudgementRecord {
        company_id: CompanyId(get(r, "company_id")?),
        event_id: EventId(get(r, "event_id")?),
        person_id: PersonId(get(r, "person_id")?),
        employment_id: get::<Option<Uuid>>(r, "employment_id")?.map(EmploymentId),
        employee_number: get(r, "employee_number")?,
        name: format!("{} {}", family.unwrap_or_default(), given.unwrap_or_default()).trim().to_string(),
        checkup_date: get(r, "checkup_date")?,
        checkup_kind: get(r, "checkup_kind")?,
        latest: get(r, "latest")?,
        result,
        urgent_detected_at: get(r, "urgent_detected_at")?,
        urgent_closed_at: get(r, "urgent_closed_at")?,
        followup_closed_at: get(r, "followup_closed_at")?,
        judged_at: get(r, "judged_at")?,
        stage: get(r, "stage")?,
        guidance: get(r, "guidance")?,
        work_category: get::<Option<String>>(r, "work_category")?.as_deref().and_then(WorkCategory::parse),
        measures: measures
            .map(|m| serde_json::from_str(&m).map_err(|e| corrupt("measures", e)))
            .transpose()?
            .unwrap_or_default(),
        valid_until: get(r, "valid_until")?,
        review_on: get(r, "review_on")?,
        opinion_at: get(r, "opinion_at")?,
        opinion_by: get(r, "opinion_by")?,
        hr_ack_at: get(r, "hr_ack_at")?,
        closed_at: get(r, "closed_at")?,
    })
}

#[async_trait]
impl PostcheckupStore for StoreImpl {
    async fn checkups_to_judge(
        &self,
        company: CompanyId,
        since: Option<NaiveDate>,
        items: &[String],
        after: Option<EventId>,
        limit: u32,
    ) -> Result<Vec<CheckupToJudge>> {
        let since = since.unwrap_or(NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or_default());
        let events = sqlx::query(
            "SELECT e.id, e.person_id, e.employment_id, e.event_date, e.subkind, e.detail, p.sex, p.birth_date
             FROM events e JOIN persons p ON p.id = e.person_id
             WHERE e.company_id = $1 AND e.kind = 'checkup' AND e.event_date >= $2 AND e.id > $3
             ORDER BY e.id LIMIT $4",
        )
        .bind(company.0)
        .bind(since)
        .bind(after.map_or(Uuid::nil(), |e| e.0))
        .bind(i64::from(limit))
        .all(&self.pool)
        .await?;
        let mut out: Vec<CheckupToJudge> = Vec::with_capacity(events.len());
        let mut index: HashMap<Uuid, usize> = HashMap::with_capacity(events.len());
        for r in &events {
            let id: Uuid = get(r, "id")?;
            let detail: String = get(r, "detail")?;
            index.insert(id, out.len());
            out.push(CheckupToJudge {
                event_id: EventId(id),
                person_id: PersonId(get(r, "person_id")?),
                employment_id: get::<Option<Uuid>>(r, "employment_id")?.map(EmploymentId),
                date: get(r, "event_date")?,
                kind: get(r, "subkind")?,
                detail: serde_json::from_str(&detail).map_err(|e| corrupt("detail", e))?,
                sex: parse::<Sex>("sex", &get::<String>(r, "sex")?)?,
                birth_date: get(r, "birth_date")?,
                facts: Vec::new(),
            });
        }
        drop(events);
        let (Some(first), Some(last)) = (out.first().map(|c| c.event_id.0), out.last().map(|c| c.event_id.0)) else {
            return Ok(out);
        };
        if items.is_empty() {
            return Ok(out);
        }
        // The page's events are one range of the observations' primary key.
        let mut qb: QueryBuilder<Db> = QueryBuilder::new(
            "SELECT event_id, item, value_kind, num, unit, code, text, comparator, flag FROM observations WHERE company_id = ",
        );
        qb.push_bind(company.0)
            .push(" AND event_id >= ")
            .push_bind(first)
            .push(" AND event_id <= ")
            .push_bind(last)
            .push(" AND item IN (");
        let mut sep = qb.separated(", ");
        for i in items {
            sep.push_bind(i.clone());
        }
        qb.push(")");
        let rows = qb.build().all(&self.pool).await?;
        for r in &rows {
            let ev: Uuid = get(r, "event_id")?;
            let Some(c) = index.get(&ev).and_then(|i| out.get_mut(*i)) else { continue };
            let q = qualifier_from_row(r)?;
            c.facts.push(iphr_domain::judgement::Fact {
                item: get(r, "item")?,
                value: value_from_row(r)?,
                comparator: q.comparator,
                flag: q.flag,
            });
        }
        Ok(out)
    }

    async fn prior_opinions(&self, company: CompanyId) -> Result<Vec<PriorOpinion>> {
        let rows = sqlx::query(
            "SELECT person_id, event_date, detail FROM events
             WHERE company_id = $1 AND kind = 'opinion' AND subkind = 'post_checkup' AND person_id IS NOT NULL",
        )
        .bind(company.0)
        .all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let detail: serde_json::Value =
                serde_json::from_str(&get::<String>(r, "detail")?).map_err(|e| corrupt("detail", e))?;
            let Some(checkup_date) =
                detail.get("checkup_date").and_then(|v| v.as_str()).and_then(|s| s.parse::<NaiveDate>().ok())
            else {
                continue;
            };
            let category = match detail.get("category").and_then(|v| v.as_str()).unwrap_or("") {
                "通常勤務" | "通常勤務可" | "normal" => WorkCategory::Normal,
                "要配慮" | "consideration" => WorkCategory::Consideration,
                "就業制限" | "要制限" | "restriction" => WorkCategory::Restriction,
                "要休業" | "leave" => WorkCategory::Leave,
                _ => continue,
            };
            let measures = detail
                .get("measures")
                .and_then(|v| v.as_array())
                .map(|a| a.iter().filter_map(|m| m.as_str().map(str::to_string)).collect())
                .unwrap_or_default();
            out.push(PriorOpinion {
                person_id: PersonId(get(r, "person_id")?),
                checkup_date,
                date: get(r, "event_date")?,
                category,
                measures,
            });
        }
        Ok(out)
    }

    async fn save_judgements(
        &self,
        company: CompanyId,
        rows: &[JudgementWrite],
        at: DateTime<Utc>,
    ) -> Result<JudgeSummary> {
        let mut tx = backend::begin_write(&self.pool).await?;
        let mut stored: HashMap<Uuid, (String, Option<String>, Option<DateTime<Utc>>)> = HashMap::new();
        let first = rows.iter().map(|w| w.event_id.0).min().unwrap_or_default();
        let last = rows.iter().map(|w| w.event_id.0).max().unwrap_or_default();
        for r in sqlx::query(
            "SELECT event_id, result_hash, urgent_tier, urgent_detected_at FROM judgements
             WHERE company_id = $1 AND event_id >= $2 AND event_id <= $3",
        )
        .bind(company.0)
        .bind(first)
        .bind(last)
        .all(&mut *tx)
        .await?
        {
            stored.insert(
                get(&r, "event_id")?,
                (get(&r, "result_hash")?, get(&r, "urgent_tier")?, get(&r, "urgent_detected_at")?),
            );
        }
        let mut summary = JudgeSummary { judged: rows.len() as u64, ..JudgeSummary::default() };
        struct Prepared<'a> {
            w: &'a JudgementWrite,
            json: String,
            hash: String,
            detected: Option<DateTime<Utc>>,
        }
        let mut todo: Vec<Prepared<'_>> = Vec::new();
        for w in rows {
            let json = serde_json::to_string(&w.result.compact()).map_err(|e| corrupt("result", e))?;
            let hash = stable_hash(&json);
            let tier = w.result.urgent_tier.map(|t| t.as_str().to_string());
            let detected = match stored.get(&w.event_id.0) {
                Some((h, _, _)) if *h == hash => {
                    summary.unchanged += 1;
                    continue;
                }
                Some((_, old_tier, old_at)) => {
                    summary.changed += 1;
                    if tier.is_none() {
                        None
                    } else if *old_tier == tier {
                        *old_at
                    } else {
                        Some(at)
                    }
                }
                None => {
                    summary.new += 1;
                    tier.as_ref().map(|_| at)
                }
            };
            todo.push(Prepared { w, json, hash, detected });
        }
        const COLS: usize = 26;
        for chunk in todo.chunks((CHUNK_BINDS / COLS).max(1)) {
            let mut qb: QueryBuilder<Db> = QueryBuilder::new(
                "INSERT INTO judgements (company_id, event_id, person_id, employment_id, checkup_date, checkup_kind, latest, overall, institution_overall, differs, has_treated, poorly_controlled, uses_unverified, urgent_tier, urgent_detected_at, guidance_proposed, work_candidate, opinion_due, followup_due, niji_candidate, niji_claim_until, stratification, result_hash, rules_version, judged_at, stage) ",
            );
            qb.push_values(chunk, |mut b, p| {
                let r = &p.w.result;
                b.push_bind(company.0)
                    .push_bind(p.w.event_id.0)
                    .push_bind(p.w.person_id.0)
                    .push_bind(p.w.employment_id.map(|e| e.0))
                    .push_bind(p.w.checkup_date)
                    .push_bind(p.w.checkup_kind.clone())
                    .push_bind(false)
                    .push_bind(r.overall.map(|c| c.as_str().to_string()))
                    .push_bind(r.institution_overall.clone())
                    .push_bind(r.differs_from_institution)
                    .push_bind(r.has_treated)
                    .push_bind(r.poorly_controlled)
                    .push_bind(r.uses_unverified)
                    .push_bind(r.urgent_tier.map(|t| t.as_str().to_string()))
                    .push_bind(p.detected)
                    .push_bind(r.guidance.map(|g| g.as_str().to_string()))
                    .push_bind(r.work_candidate.map(|g| g.as_str().to_string()))
                    .push_bind(r.opinion_due)
                    .push_bind(r.followup_due)
                    .push_bind(r.niji_candidate)
                    .push_bind(r.niji_claim_until)
                    .push_bind(r.stratification.map(|s| s.as_str().to_string()))
                    .push_bind(p.hash.clone())
                    .push_bind(r.rules_version.clone())
                    .push_bind(at)
                    .push_bind(iphr_domain::postcheckup::Stage::Judged.as_str());
            });
            qb.push(
                " ON CONFLICT (company_id, event_id) DO UPDATE SET overall = excluded.overall, institution_overall = excluded.institution_overall,
                  differs = excluded.differs, has_treated = excluded.has_treated, poorly_controlled = excluded.poorly_controlled,
                  uses_unverified = excluded.uses_unverified, urgent_tier = excluded.urgent_tier, urgent_detected_at = excluded.urgent_detected_at,
                  guidance_proposed = excluded.guidance_proposed, work_candidate = excluded.work_candidate, opinion_due = excluded.opinion_due,
                  followup_due = excluded.followup_due, niji_candidate = excluded.niji_candidate, niji_claim_until = excluded.niji_claim_until,
                  stratification = excluded.stratification, result_hash = excluded.result_hash,
                  rules_version = excluded.rules_version, judged_at = excluded.judged_at, checkup_date = excluded.checkup_date,
                  checkup_kind = excluded.checkup_kind",
            );
            let full = chunk.len() == (CHUNK_BINDS / COLS).max(1);
            qb.build().persistent(full).run(&mut *tx).await?;
            let mut qb: QueryBuilder<Db> =
                QueryBuilder::new("INSERT INTO judgement_results (company_id, event_id, result) ");
            qb.push_values(chunk, |mut b, p| {
                b.push_bind(company.0).push_bind(p.w.event_id.0).push_bind(p.json.clone());
            });
            qb.push(" ON CONFLICT (company_id, event_id) DO UPDATE SET result = excluded.result");
            qb.build().persistent(full).run(&mut *tx).await?;
        }
        // Opinions already on the timeline: linked where no opinion was recorded here.
        for p in &todo {
            let Some(o) = &p.w.prior_opinion else { continue };
            let measures = serde_json::to_string(&o.measures).map_err(|e| corrupt("measures", e))?;
            let opinion_at = o.date.and_time(chrono::NaiveTime::MIN).and_utc();
            sqlx::query(
                "UPDATE judgements SET work_category = $1, measures = $2, opinion_at = $3, opinion_by = 'timeline', stage = $4
                 WHERE company_id = $5 AND event_id = $6 AND opinion_at IS NULL",
            )
            .bind(o.category.as_str())
            .bind(measures)
            .bind(opinion_at)
            .bind(iphr_domain::postcheckup::Stage::OpinionSet.as_str())
            .bind(company.0)
            .bind(p.w.event_id.0)
            .run(&mut *tx).await?;
        }
        tx.commit().await.map_err(db_err)?;
        Ok(summary)
    }

    async fn finish_judging(&self, company: CompanyId) -> Result<()> {
        let mut tx = backend::begin_write(&self.pool).await?;
        // Latest per person among the general checkups (雇入時, 定期, 特定業務, 自発的, ドック …) and
        // among the special checkups (特殊健診): each needs its own opinion. Only rows whose flag
        // changes are written.
        sqlx::query(
            "UPDATE judgements SET latest = NOT latest WHERE company_id = $1 AND latest <> (checkup_date = (
               SELECT MAX(j2.checkup_date) FROM judgements j2
               WHERE j2.company_id = judgements.company_id AND j2.person_id = judgements.person_id
               AND (CASE WHEN j2.checkup_kind = 'special' THEN 1 ELSE 0 END)
                 = (CASE WHEN judgements.checkup_kind = 'special' THEN 1 ELSE 0 END)))",
        )
        .bind(company.0)
        .run(&mut *tx)
        .await?;
        tx.commit().await.map_err(db_err)?;
        // Planner statistics: the dashboard reads through the (company, latest) index.
        sqlx::query("ANALYZE judgements").run(&self.pool).await?;
        Ok(())
    }

    async fn judgements(&self, company: CompanyId, f: &JudgementFilter) -> Result<Vec<JudgementRecord>> {
        // The page is chosen on the lean table (filter, order, limit), then joined with the
        // results and names: a dashboard section reads 20 results, not thousands.
        let lean_order = match f.section {
            Some(Section::OpinionDue) => "j.opinion_due, j.event_id",
            Some(Section::Followup) => "j.followup_due, j.event_id",
            Some(Section::Niji) => "j.niji_claim_until, j.event_id",
            Some(Section::Panic | Section::Referral) => "j.urgent_detected_at, j.checkup_date, j.event_id",
            _ => "j.checkup_date, j.event_id",
        };
        let mut qb: QueryBuilder<Db> = QueryBuilder::new(
            "SELECT j.*, jr.result, en.employee_number, p.family_name, p.given_name FROM (SELECT * FROM judgements j WHERE j.company_id = ",
        );
        qb.push_bind(company.0);
        if f.latest_only {
            qb.push(" AND j.latest = ").push_bind(true);
        }
        if let Some(since) = f.since {
            qb.push(" AND j.checkup_date >= ").push_bind(since);
        }
        if let Some(section) = f.section {
            push_section(&mut qb, section, f.today);
        }
        qb.push(" ORDER BY ").push(lean_order);
        if let Some(limit) = f.limit {
            qb.push(" LIMIT ").push_bind(i64::from(limit));
        }
        qb.push(
            ") j JOIN judgement_results jr ON jr.company_id = j.company_id AND jr.event_id = j.event_id
             LEFT JOIN employments en ON en.company_id = j.company_id AND en.id = j.employment_id
             LEFT JOIN persons p ON p.id = j.person_id ORDER BY ",
        );
        qb.push(match f.section {
            Some(Section::OpinionDue | Section::Followup | Section::Niji | Section::Panic | Section::Referral) => {
                lean_order
            }
            _ => "en.employee_number, j.checkup_date, j.event_id",
        });
        qb.build().rows(&self.pool, judgement_from_row).await
    }

    async fn judgement(&self, company: CompanyId, event: EventId) -> Result<Option<JudgementRecord>> {
        let mut qb: QueryBuilder<Db> = QueryBuilder::new(JUDGEMENT_SELECT);
        qb.push(" WHERE j.company_id = ").push_bind(company.0).push(" AND j.event_id = ").push_bind(event.0);
        qb.build().row(&self.pool, judgement_from_row).await
    }

    async fn dashboard_counts(
        &self,
        company: CompanyId,
        today: NaiveDate,
        panic_cutoff: DateTime<Utc>,
    ) -> Result<DashboardCounts> {
        // One pass over the latest judgements for every count without a subquery …
        let r = sqlx::query(
            "SELECT COUNT(*) AS judged,
               COALESCE(SUM(CASE WHEN urgent_tier = 'panic' AND urgent_closed_at IS NULL THEN 1 ELSE 0 END), 0) AS panic,
               COALESCE(SUM(CASE WHEN urgent_tier = 'panic' AND urgent_closed_at IS NULL AND urgent_detected_at < $3 THEN 1 ELSE 0 END), 0) AS panic_overdue,
               COALESCE(SUM(CASE WHEN opinion_due IS NOT NULL AND opinion_at IS NULL THEN 1 ELSE 0 END), 0) AS opinion_due,
               COALESCE(SUM(CASE WHEN opinion_due IS NOT NULL AND opinion_at IS NULL AND opinion_due < $2 THEN 1 ELSE 0 END), 0) AS opinion_overdue,
               COALESCE(SUM(CASE WHEN niji_candidate = $4 AND niji_claim_until >= $2 THEN 1 ELSE 0 END), 0) AS niji,
               COALESCE(SUM(CASE WHEN stratification = 'active' THEN 1 ELSE 0 END), 0) AS strat_active,
               COALESCE(SUM(CASE WHEN stratification = 'motivational' THEN 1 ELSE 0 END), 0) AS strat_motivational,
               COALESCE(SUM(CASE WHEN stratification = 'information' THEN 1 ELSE 0 END), 0) AS strat_information,
               COALESCE(SUM(CASE WHEN opinion_at IS NOT NULL AND hr_ack_at IS NULL AND work_category IS NOT NULL AND work_category <> 'normal' THEN 1 ELSE 0 END), 0) AS hr_pending
             FROM judgements WHERE company_id = $1 AND latest = $4",
        )
        .bind(company.0)
        .bind(today)
        .bind(panic_cutoff)
        .bind(true)
        .one(&self.pool).await?;
        let n = |k: &str| -> Result<u64> { Ok(count(get::<i64>(&r, k)?)) };
        let mut c = DashboardCounts {
            judged: n("judged")?,
            panic: n("panic")?,
            panic_overdue: n("panic_overdue")?,
            opinion_due: n("opinion_due")?,
            opinion_overdue: n("opinion_overdue")?,
            niji: n("niji")?,
            strat_active: n("strat_active")?,
            strat_motivational: n("strat_motivational")?,
            strat_information: n("strat_information")?,
            hr_pending: n("hr_pending")?,
            ..DashboardCounts::default()
        };
        // … and the two sections that look at the timeline.
        for section in [Section::Referral, Section::Followup] {
            let mut qb: QueryBuilder<Db> = QueryBuilder::new("SELECT COUNT(*) FROM judgements j WHERE j.company_id = ");
            qb.push_bind(company.0).push(" AND j.latest = ").push_bind(true);
            push_section(&mut qb, section, today);
            let v: i64 = qb.build_query_scalar().one(&self.pool).await?;
            if section == Section::Referral {
                c.referral = count(v);
            } else {
                c.followup = count(v);
            }
        }
        Ok(c)
    }

    async fn append_step(&self, w: &StepWrite) -> Result<JudgementRecord> {
        let mut tx = backend::begin_write(&self.pool).await?;
        let row = sqlx::query(
            "SELECT person_id, stage, work_category FROM judgements WHERE company_id = $1 AND event_id = $2",
        )
        .bind(w.company_id.0)
        .bind(w.event_id.0)
        .optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("judgement of checkup {}", w.event_id)))?;
        let person: Uuid = get(&row, "person_id")?;
        // An acknowledgement acknowledges the physician's opinion: none yet, nothing to
        // acknowledge (事後措置指針: the employer decides after hearing the physician).
        if matches!(w.step, iphr_domain::postcheckup::Step::HrAck { .. })
            && get::<Option<String>>(&row, "work_category")?.is_none()
        {
            return Err(StoreError::Conflict(format!(
                "checkup {} has no physician's opinion (就業区分) to acknowledge",
                w.event_id
            )));
        }
        let stage = iphr_domain::postcheckup::Stage::parse(&get::<String>(&row, "stage")?)
            .ok_or_else(|| corrupt("stage", "unknown"))?;
        let payload = serde_json::to_string(&w.step).map_err(|e| corrupt("step", e))?;
        sqlx::query(
            "INSERT INTO postcheckup_steps (company_id, id, event_id, person_id, step, payload, by_login, by_role, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(w.company_id.0)
        .bind(Uuid::now_v7())
        .bind(w.event_id.0)
        .bind(person)
        .bind(w.step.name())
        .bind(payload)
        .bind(&w.by_login)
        .bind(w.by_role.as_str())
        .bind(w.at)
        .run(&mut *tx)
        .await?;
        let new_stage = w.step.stage().map_or(stage, |s| s.max(stage));
        let mut qb: QueryBuilder<Db> = QueryBuilder::new("UPDATE judgements SET stage = ");
        qb.push_bind(new_stage.as_str());
        use iphr_domain::postcheckup::Step;
        match &w.step {
            Step::Guidance { level, .. } => {
                qb.push(", guidance = ").push_bind(level.as_str()).push(", guidance_at = ").push_bind(w.at);
            }
            Step::Opinion(o) => {
                let mut measures: Vec<String> = o.measures.iter().map(|m| m.as_str().to_string()).collect();
                if !o.measures_text.trim().is_empty() {
                    measures.push(o.measures_text.trim().to_string());
                }
                let measures = serde_json::to_string(&measures).map_err(|e| corrupt("measures", e))?;
                qb.push(", work_category = ")
                    .push_bind(o.category.as_str())
                    .push(", measures = ")
                    .push_bind(measures)
                    .push(", valid_until = ")
                    .push_bind(o.valid_until)
                    .push(", review_on = ")
                    .push_bind(o.review_on)
                    .push(", opinion_at = ")
                    .push_bind(w.at)
                    .push(", opinion_by = ")
                    .push_bind(w.by_login.clone())
                    // A new decision needs a new acknowledgement.
                    .push(", hr_ack_at = NULL");
            }
            Step::HrAck { .. } => {
                qb.push(", hr_ack_at = ").push_bind(w.at);
            }
            Step::UrgentContact { reached, .. } => {
                if *reached {
                    qb.push(", urgent_closed_at = ").push_bind(w.at);
                }
            }
            Step::ReferralClosed { .. } => {
                qb.push(", urgent_closed_at = ").push_bind(w.at);
            }
            Step::HealthGuidance { .. } => {}
            Step::FollowupClosed { .. } => {
                qb.push(", followup_closed_at = ").push_bind(w.at).push(", closed_at = ").push_bind(w.at);
            }
        }
        qb.push(" WHERE company_id = ").push_bind(w.company_id.0).push(" AND event_id = ").push_bind(w.event_id.0);
        qb.build().run(&mut *tx).await?;
        if !w.records.is_empty() {
            write_batch(&mut tx, &Batch { events: w.records.clone(), ..Batch::default() }).await?;
        }
        tx.commit().await.map_err(db_err)?;
        self.judgement(w.company_id, w.event_id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("judgement of checkup {}", w.event_id)))
    }

    async fn steps(&self, company: CompanyId, event: EventId) -> Result<Vec<StepRecord>> {
        sqlx::query(
            "SELECT id, event_id, payload, by_login, by_role, at FROM postcheckup_steps
             WHERE company_id = $1 AND event_id = $2 ORDER BY at, id",
        )
        .bind(company.0)
        .bind(event.0)
        .rows(&self.pool, |r| {
            Ok(StepRecord {
                id: get(r, "id")?,
                event_id: EventId(get(r, "event_id")?),
                step: serde_json::from_str(&get::<String>(r, "payload")?).map_err(|e| corrupt("payload", e))?,
                by_login: get(r, "by_login")?,
                by_role: parse::<Role>("by_role", &get::<String>(r, "by_role")?)?,
                at: get(r, "at")?,
            })
        })
        .await
    }
}
