//! Monthly values (hours) and assignment history.

use super::*;

#[async_trait]
impl WorkStatusStore for StoreImpl {
    async fn monthly_values(
        &self,
        company: CompanyId,
        kind: EventKind,
        from: NaiveDate,
        to: NaiveDate,
        items: &[String],
        person: Option<PersonId>,
    ) -> Result<Vec<MonthlyValue>> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let mut qb: QueryBuilder<Db> = QueryBuilder::new(
            "SELECT o.person_id, o.employment_id, e.event_date, o.item, o.num FROM events e
             JOIN observations o ON o.company_id = e.company_id AND o.event_id = e.id
             WHERE e.company_id = ",
        );
        qb.push_bind(company.0)
            .push(" AND e.kind = ")
            .push_bind(kind.as_str())
            .push(" AND e.event_date >= ")
            .push_bind(from)
            .push(" AND e.event_date <= ")
            .push_bind(to)
            .push(" AND o.value_kind = 'number'");
        if let Some(p) = person {
            qb.push(" AND e.person_id = ").push_bind(p.0);
        }
        qb.push(" AND o.item IN (");
        let mut sep = qb.separated(", ");
        for i in items {
            sep.push_bind(i.clone());
        }
        qb.push(") ORDER BY o.person_id, e.event_date, o.item");
        qb.build()
            .rows(&self.pool, |r| {
                Ok(MonthlyValue {
                    person_id: PersonId(get(r, "person_id")?),
                    employment_id: get::<Option<Uuid>>(r, "employment_id")?.map(EmploymentId),
                    date: get(r, "event_date")?,
                    item: get(r, "item")?,
                    value: get::<Option<f64>>(r, "num")?.unwrap_or(0.0),
                })
            })
            .await
    }

    async fn assignment_history(&self, company: CompanyId) -> Result<Vec<iphr_store::AssignmentSpan>> {
        let mut spans = sqlx::query(
            "SELECT e.person_id, a.employment_id, a.valid_from, a.valid_to, a.department_id, d.name AS department,
                    a.work_regime
             FROM assignments a JOIN employments e ON e.company_id = a.company_id AND e.id = a.employment_id
             JOIN departments d ON d.company_id = a.company_id AND d.id = a.department_id
             WHERE a.company_id = $1 ORDER BY e.person_id, a.valid_from",
        )
        .bind(company.0)
        .rows(&self.pool, |r| {
            Ok(iphr_store::AssignmentSpan {
                person_id: PersonId(get(r, "person_id")?),
                employment_id: EmploymentId(get(r, "employment_id")?),
                valid_from: get(r, "valid_from")?,
                valid_to: get(r, "valid_to")?,
                department_id: iphr_domain::DepartmentId(get(r, "department_id")?),
                department: get(r, "department")?,
                work_regime: regime(&get::<String>(r, "work_regime")?)?,
            })
        })
        .await?;
        // Nested departments by their path: two 一係 of different 課 are different groups.
        let all = super::people::departments_of(&self.pool, company).await?;
        if all.iter().any(|d| d.parent_id.is_some()) {
            for s in &mut spans {
                s.department = iphr_domain::tenant::department_path(&all, s.department_id);
            }
        }
        Ok(spans)
    }
}
