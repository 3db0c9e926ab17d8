//! Persons and employments: the worker list and header, merges and their undo, the HR master.

use super::records::write_batch;
use super::*;

/// Recomputes the search key of every employment of a person from their current names.
pub(super) async fn refresh_search_keys(tx: &mut sqlx::Transaction<'static, Db>, person: PersonId) -> Result<()> {
    let Some(p) = sqlx::query(
        "SELECT id AS p_id, family_name, given_name, family_kana, given_kana, sex, birth_date, insurer_number, insured_symbol, insured_number FROM persons WHERE id = $1",
    )
    .bind(person.0)
    .optional(&mut **tx).await?
    else {
        return Ok(());
    };
    let person_key = person_from_row(&p)?.search_key();
    for e in sqlx::query("SELECT company_id, id, employee_number FROM employments WHERE person_id = $1")
        .bind(person.0)
        .all(&mut **tx)
        .await?
    {
        let key = format!("{} {}", search_key(&get::<String>(&e, "employee_number")?), person_key);
        sqlx::query("UPDATE employments SET search_key = $1 WHERE company_id = $2 AND id = $3")
            .bind(key)
            .bind(get::<Uuid>(&e, "company_id")?)
            .bind(get::<Uuid>(&e, "id")?)
            .run(&mut **tx)
            .await?;
    }
    Ok(())
}

pub(super) fn merge_from_row(r: &DbRow) -> Result<PersonMerge> {
    Ok(PersonMerge {
        id: get(r, "id")?,
        kept: PersonId(get(r, "kept")?),
        merged: PersonId(get(r, "merged")?),
        moved: serde_json::from_str(&get::<String>(r, "moved")?).map_err(|e| corrupt("moved", e))?,
        merged_at: get(r, "merged_at")?,
        merged_by: get(r, "merged_by")?,
        undone_at: get(r, "undone_at")?,
        undone_by: get(r, "undone_by")?,
    })
}

#[async_trait]
impl PeopleStore for StoreImpl {
    async fn search_workers(&self, company: CompanyId, q: &WorkerQuery) -> Result<Page<WorkerRow>> {
        let key = search_key(&q.text);
        let pattern = format!("%{}%", key.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        let total: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM employments WHERE company_id = $1 AND ($2 = '' OR search_key LIKE $3 ESCAPE '\\')",
        )
        .bind(company.0)
        .bind(&key)
        .bind(&pattern)
        .one(&self.pool)
        .await?;
        let rows = sqlx::query(
            "WITH page AS (
                SELECT company_id, id, person_id, employee_number, leave_date FROM employments
                WHERE company_id = $1 AND ($2 = '' OR search_key LIKE $3 ESCAPE '\\')
                ORDER BY employee_number LIMIT $4 OFFSET $5)
             SELECT e.company_id, e.id, e.person_id, e.employee_number, e.leave_date,
                    p.family_name, p.given_name, p.family_kana, p.given_kana, p.sex, p.birth_date,
                    (SELECT d.name FROM assignments a JOIN departments d ON d.company_id = a.company_id AND d.id = a.department_id
                      WHERE a.company_id = e.company_id AND a.employment_id = e.id ORDER BY a.valid_from DESC LIMIT 1) AS department
             FROM page e JOIN persons p ON p.id = e.person_id
             ORDER BY e.employee_number",
        )
        .bind(company.0)
        .bind(&key)
        .bind(&pattern)
        .bind(i64::from(q.limit))
        .bind(i64::from(q.offset))
        .all(&self.pool).await?;
        let rows = rows
            .iter()
            .map(|r| {
                Ok(WorkerRow {
                    company_id: CompanyId(get(r, "company_id")?),
                    employment_id: EmploymentId(get(r, "id")?),
                    person_id: PersonId(get(r, "person_id")?),
                    employee_number: get(r, "employee_number")?,
                    name: format!("{} {}", get::<String>(r, "family_name")?, get::<String>(r, "given_name")?),
                    kana: format!("{} {}", get::<String>(r, "family_kana")?, get::<String>(r, "given_kana")?),
                    sex: parse::<Sex>("sex", &get::<String>(r, "sex")?)?,
                    birth_date: get(r, "birth_date")?,
                    department: get(r, "department")?,
                    leave_date: get(r, "leave_date")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Page { rows, total: count(total) })
    }

    async fn worker(&self, company: CompanyId, employment: EmploymentId) -> Result<Option<WorkerHeader>> {
        let Some(e) = sqlx::query(
            "SELECT e.company_id, e.id, e.person_id, e.employee_number, e.hire_date, e.leave_date,
                    p.id AS p_id, p.family_name, p.given_name, p.family_kana, p.given_kana, p.sex, p.birth_date,
                    p.insurer_number, p.insured_symbol, p.insured_number, p.name_as_delivered, p.kana_as_delivered
             FROM employments e JOIN persons p ON p.id = e.person_id
             WHERE e.company_id = $1 AND e.id = $2",
        )
        .bind(company.0)
        .bind(employment.0)
        .optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let person = person_from_row(&e)?;
        let employment = employment_from_row(&e)?;
        let assignments = sqlx::query(
            "SELECT a.company_id, a.id, a.employment_id, a.valid_from, a.valid_to, a.establishment_id, a.department_id,
                    a.position, a.work_content, a.night_work, a.work_regime, s.name AS establishment, d.name AS department
             FROM assignments a
             JOIN establishments s ON s.company_id = a.company_id AND s.id = a.establishment_id
             JOIN departments d ON d.company_id = a.company_id AND d.id = a.department_id
             WHERE a.company_id = $1 AND a.employment_id = $2
             ORDER BY a.valid_from DESC",
        )
        .bind(company.0)
        .bind(employment.id.0)
        .rows(&self.pool, |r| {
            Ok(AssignmentView {
                assignment: Assignment {
                    company_id: CompanyId(get(r, "company_id")?),
                    id: iphr_domain::AssignmentId(get(r, "id")?),
                    employment_id: EmploymentId(get(r, "employment_id")?),
                    valid_from: get(r, "valid_from")?,
                    valid_to: get(r, "valid_to")?,
                    establishment_id: iphr_domain::EstablishmentId(get(r, "establishment_id")?),
                    department_id: iphr_domain::DepartmentId(get(r, "department_id")?),
                    position: get(r, "position")?,
                    work_content: get(r, "work_content")?,
                    night_work: get(r, "night_work")?,
                    work_regime: regime(&get::<String>(r, "work_regime")?)?,
                },
                establishment: get(r, "establishment")?,
                department: get(r, "department")?,
            })
        }).await?;
        // A nested department is shown with the ones above it (製造部 製造一課 一係).
        let mut assignments = assignments;
        let all = departments_of(&self.pool, company).await?;
        if all.iter().any(|d| d.parent_id.is_some()) {
            for a in &mut assignments {
                a.department = iphr_domain::tenant::department_path(&all, a.assignment.department_id);
            }
        }
        let exposures = sqlx::query(
            "SELECT company_id, id, employment_id, agent, agent_name, regulation, valid_from, valid_to, protection
             FROM exposures WHERE company_id = $1 AND employment_id = $2 ORDER BY valid_from DESC",
        )
        .bind(company.0)
        .bind(employment.id.0)
        .rows(&self.pool, |r| {
            Ok(Exposure {
                company_id: CompanyId(get(r, "company_id")?),
                id: iphr_domain::ExposureId(get(r, "id")?),
                employment_id: EmploymentId(get(r, "employment_id")?),
                agent: get(r, "agent")?,
                agent_name: get(r, "agent_name")?,
                regulation: get(r, "regulation")?,
                valid_from: get(r, "valid_from")?,
                valid_to: get(r, "valid_to")?,
                protection: get(r, "protection")?,
            })
        })
        .await?;
        Ok(Some(WorkerHeader { person, employment, assignments, exposures }))
    }

    async fn employments_of_person(&self, person: PersonId) -> Result<Vec<Employment>> {
        sqlx::query(
            "SELECT company_id, id, person_id, employee_number, hire_date, leave_date FROM employments
             WHERE person_id = $1 ORDER BY hire_date DESC, company_id",
        )
        .bind(person.0)
        .rows(&self.pool, employment_from_row)
        .await
    }

    async fn companies_of_person(&self, person: PersonId) -> Result<Vec<CompanyId>> {
        sqlx::query("SELECT DISTINCT company_id FROM employments WHERE person_id = $1 ORDER BY company_id")
            .bind(person.0)
            .rows(&self.pool, |r| Ok(CompanyId(get(r, "company_id")?)))
            .await
    }

    async fn merge_persons(&self, kept: PersonId, merged: PersonId, by: &str) -> Result<PersonMerge> {
        if kept == merged {
            return Err(StoreError::Conflict("a person cannot be merged into itself".into()));
        }
        let mut tx = backend::begin_write(&self.pool).await?;
        for p in [kept, merged] {
            let row = sqlx::query("SELECT merged_into FROM persons WHERE id = $1")
                .bind(p.0)
                .optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("person {p}")))?;
            if get::<Option<Uuid>>(&row, "merged_into")?.is_some() {
                return Err(StoreError::Conflict(format!("person {p} was merged into another already")));
            }
        }
        let companies: Vec<Uuid> = sqlx::query("SELECT DISTINCT company_id FROM employments WHERE person_id = $1")
            .bind(merged.0)
            .all(&mut *tx)
            .await?
            .iter()
            .map(|r| get::<Uuid>(r, "company_id"))
            .collect::<Result<_>>()?;
        let mut moved = serde_json::Map::new();
        // Tenant tables, company by company (their indexes start with company_id).
        for (table, key) in [
            ("employments", "company_id, id"),
            ("events", "company_id, id"),
            ("observations", "company_id, event_id, id"),
            ("consents", "company_id, id"),
            ("unmapped_items", "company_id, id"),
            ("judgements", "company_id, event_id"),
            ("documents", "company_id, id"),
            ("record_drafts", "company_id, id"),
        ] {
            let mut rows = Vec::new();
            for c in &companies {
                for r in sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {key} FROM {table} WHERE company_id = $1 AND person_id = $2"
                )))
                .bind(c)
                .bind(merged.0)
                .all(&mut *tx)
                .await?
                {
                    let cols: Vec<String> = (0..key.split(',').count())
                        .map(|i| r.try_get::<Uuid, _>(i).map(|u| u.to_string()))
                        .collect::<Result<_, _>>()
                        .map_err(|e| corrupt(table, e))?;
                    rows.push(serde_json::json!(cols));
                }
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE {table} SET person_id = $1 WHERE company_id = $2 AND person_id = $3"
                )))
                .bind(kept.0)
                .bind(c)
                .bind(merged.0)
                .run(&mut *tx)
                .await?;
            }
            moved.insert(table.into(), serde_json::Value::Array(rows));
        }
        let users: Vec<String> = sqlx::query("SELECT id FROM users WHERE person_id = $1")
            .bind(merged.0)
            .all(&mut *tx)
            .await?
            .iter()
            .map(|r| get::<Uuid>(r, "id").map(|u| u.to_string()))
            .collect::<Result<_>>()?;
        sqlx::query("UPDATE users SET person_id = $1 WHERE person_id = $2")
            .bind(kept.0)
            .bind(merged.0)
            .run(&mut *tx)
            .await?;
        moved.insert("users".into(), serde_json::json!(users));
        sqlx::query("UPDATE persons SET merged_into = $1 WHERE id = $2")
            .bind(kept.0)
            .bind(merged.0)
            .run(&mut *tx)
            .await?;
        refresh_search_keys(&mut tx, kept).await?;
        let m = PersonMerge {
            id: Uuid::now_v7(),
            kept,
            merged,
            moved: serde_json::Value::Object(moved),
            // Microseconds: what both backends keep.
            merged_at: chrono::SubsecRound::trunc_subsecs(Utc::now(), 6),
            merged_by: by.into(),
            undone_at: None,
            undone_by: None,
        };
        sqlx::query(
            "INSERT INTO person_merges (id, kept, merged, moved, merged_at, merged_by) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(m.id)
        .bind(kept.0)
        .bind(merged.0)
        .bind(m.moved.to_string())
        .bind(m.merged_at)
        .bind(by)
        .run(&mut *tx)
        .await?;
        tx.commit().await.map_err(db_err)?;
        Ok(m)
    }

    async fn person_merge(&self, id: Uuid) -> Result<Option<PersonMerge>> {
        sqlx::query("SELECT id, kept, merged, moved, merged_at, merged_by, undone_at, undone_by FROM person_merges WHERE id = $1")
            .bind(id)
            .row(&self.pool, merge_from_row).await
    }

    async fn undo_merge(&self, id: Uuid, by: &str) -> Result<PersonMerge> {
        let mut tx = backend::begin_write(&self.pool).await?;
        let r = sqlx::query("SELECT id, kept, merged, moved, merged_at, merged_by, undone_at, undone_by FROM person_merges WHERE id = $1")
            .bind(id)
            .optional(&mut *tx).await?
            .ok_or_else(|| StoreError::NotFound(format!("merge {id}")))?;
        let mut m = merge_from_row(&r)?;
        if m.undone_at.is_some() {
            return Err(StoreError::Conflict(format!("merge {id} was undone already")));
        }
        let ids = |v: &serde_json::Value| -> Result<Vec<Uuid>> {
            v.as_array()
                .ok_or_else(|| corrupt("moved", "not a list"))?
                .iter()
                .map(|x| x.as_str().and_then(|s| s.parse().ok()).ok_or_else(|| corrupt("moved", x)))
                .collect()
        };
        for (table, key) in [
            ("employments", "company_id = $2 AND id = $3"),
            ("events", "company_id = $2 AND id = $3"),
            ("observations", "company_id = $2 AND event_id = $3 AND id = $4"),
            ("consents", "company_id = $2 AND id = $3"),
            ("unmapped_items", "company_id = $2 AND id = $3"),
            ("judgements", "company_id = $2 AND event_id = $3"),
            ("documents", "company_id = $2 AND id = $3"),
            ("record_drafts", "company_id = $2 AND id = $3"),
        ] {
            for row in m.moved.get(table).and_then(|v| v.as_array()).cloned().unwrap_or_default() {
                let parts = ids(&row)?;
                let mut q = sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE {table} SET person_id = $1 WHERE {key}")))
                    .bind(m.merged.0);
                for p in parts {
                    q = q.bind(p);
                }
                q.run(&mut *tx).await?;
            }
        }
        for u in ids(m.moved.get("users").unwrap_or(&serde_json::Value::Null)).unwrap_or_default() {
            sqlx::query("UPDATE users SET person_id = $1 WHERE id = $2").bind(m.merged.0).bind(u).run(&mut *tx).await?;
        }
        sqlx::query("UPDATE persons SET merged_into = NULL WHERE id = $1").bind(m.merged.0).run(&mut *tx).await?;
        refresh_search_keys(&mut tx, m.kept).await?;
        refresh_search_keys(&mut tx, m.merged).await?;
        let now = chrono::SubsecRound::trunc_subsecs(Utc::now(), 6);
        sqlx::query("UPDATE person_merges SET undone_at = $1, undone_by = $2 WHERE id = $3")
            .bind(now)
            .bind(by)
            .bind(id)
            .run(&mut *tx)
            .await?;
        tx.commit().await.map_err(db_err)?;
        m.undone_at = Some(now);
        m.undone_by = Some(by.into());
        Ok(m)
    }

    async fn hr_state(&self, company: CompanyId) -> Result<HrState> {
        let establishments =
            sqlx::query("SELECT company_id, id, name FROM establishments WHERE company_id = $1 ORDER BY id")
                .bind(company.0)
                .rows(&self.pool, |r| {
                    Ok(Establishment {
                        company_id: CompanyId(get(r, "company_id")?),
                        id: iphr_domain::EstablishmentId(get(r, "id")?),
                        name: get(r, "name")?,
                    })
                })
                .await?;
        let departments = departments_of(&self.pool, company).await?;
        let mut employees: Vec<HrEmployee> = sqlx::query(
            "SELECT e.company_id, e.id, e.person_id, e.employee_number, e.hire_date, e.leave_date,
                    p.id AS p_id, p.family_name, p.given_name, p.family_kana, p.given_kana, p.sex, p.birth_date,
                    p.insurer_number, p.insured_symbol, p.insured_number, p.name_as_delivered, p.kana_as_delivered
             FROM employments e JOIN persons p ON p.id = e.person_id WHERE e.company_id = $1 ORDER BY e.employee_number",
        )
        .bind(company.0)
        .rows(&self.pool, |r| Ok(HrEmployee { person: person_from_row(r)?, employment: employment_from_row(r)?, current: None, exposures: vec![] })).await?;
        let index: HashMap<EmploymentId, usize> =
            employees.iter().enumerate().map(|(i, e)| (e.employment.id, i)).collect();
        for r in sqlx::query(
            "SELECT company_id, id, employment_id, valid_from, valid_to, establishment_id, department_id, position, work_content, night_work, work_regime
             FROM assignments WHERE company_id = $1 ORDER BY employment_id, valid_from",
        )
        .bind(company.0)
        .all(&self.pool).await?
        {
            let a = Assignment {
                company_id: CompanyId(get(&r, "company_id")?),
                id: iphr_domain::AssignmentId(get(&r, "id")?),
                employment_id: EmploymentId(get(&r, "employment_id")?),
                valid_from: get(&r, "valid_from")?,
                valid_to: get(&r, "valid_to")?,
                establishment_id: iphr_domain::EstablishmentId(get(&r, "establishment_id")?),
                department_id: iphr_domain::DepartmentId(get(&r, "department_id")?),
                position: get(&r, "position")?,
                work_content: get(&r, "work_content")?,
                night_work: get(&r, "night_work")?,
                work_regime: regime(&get::<String>(&r, "work_regime")?)?,
            };
            // Ordered by start: the last one is current.
            if let Some(e) = index.get(&a.employment_id).and_then(|i| employees.get_mut(*i)) {
                e.current = Some(a);
            }
        }
        for r in sqlx::query(
            "SELECT company_id, id, employment_id, agent, agent_name, regulation, valid_from, valid_to, protection
             FROM exposures WHERE company_id = $1 AND valid_to IS NULL ORDER BY employment_id, valid_from",
        )
        .bind(company.0)
        .all(&self.pool)
        .await?
        {
            let x = Exposure {
                company_id: CompanyId(get(&r, "company_id")?),
                id: iphr_domain::ExposureId(get(&r, "id")?),
                employment_id: EmploymentId(get(&r, "employment_id")?),
                agent: get(&r, "agent")?,
                agent_name: get(&r, "agent_name")?,
                regulation: get(&r, "regulation")?,
                valid_from: get(&r, "valid_from")?,
                valid_to: get(&r, "valid_to")?,
                protection: get(&r, "protection")?,
            };
            if let Some(e) = index.get(&x.employment_id).and_then(|i| employees.get_mut(*i)) {
                e.exposures.push(x);
            }
        }
        Ok(HrState { establishments, departments, employees })
    }

    async fn apply_hr(&self, w: &HrWrite) -> Result<()> {
        let mut tx = backend::begin_write(&self.pool).await?;
        write_batch(&mut tx, &w.batch).await?;
        // Each is (company, row id, date): set one date column of one tenant row.
        let dates = w
            .close_assignments
            .iter()
            .map(|(c, id, d)| {
                ("UPDATE assignments SET valid_to = $1 WHERE company_id = $2 AND id = $3", *c, id.0, Some(*d))
            })
            .chain(w.end_exposures.iter().map(|(c, id, d)| {
                ("UPDATE exposures SET valid_to = $1 WHERE company_id = $2 AND id = $3", *c, id.0, Some(*d))
            }))
            .chain(w.leave_dates.iter().map(|(c, id, d)| {
                ("UPDATE employments SET leave_date = $1 WHERE company_id = $2 AND id = $3", *c, id.0, *d)
            }))
            .chain(w.hire_dates.iter().map(|(c, id, d)| {
                ("UPDATE employments SET hire_date = $1 WHERE company_id = $2 AND id = $3", *c, id.0, Some(*d))
            }));
        for (sql, c, id, date) in dates {
            sqlx::query(sql).bind(date).bind(c.0).bind(id).run(&mut *tx).await?;
        }
        for p in &w.person_updates {
            sqlx::query(
                "UPDATE persons SET family_name = $1, given_name = $2, family_kana = $3, given_kana = $4,
                    insurer_number = $5, insured_symbol = $6, insured_number = $7, name_as_delivered = $9,
                    kana_as_delivered = $10 WHERE id = $8",
            )
            .bind(&p.family_name)
            .bind(&p.given_name)
            .bind(&p.family_kana)
            .bind(&p.given_kana)
            .bind(&p.insurer.insurer_number)
            .bind(&p.insurer.symbol)
            .bind(&p.insurer.number)
            .bind(p.id.0)
            .bind(&p.name_as_delivered)
            .bind(&p.kana_as_delivered)
            .run(&mut *tx)
            .await?;
            // The search key of every employment of the person follows the new names.
            refresh_search_keys(&mut tx, p.id).await?;
        }
        tx.commit().await.map_err(db_err)
    }
}

/// A company's departments, with the ones they belong to.
pub(super) async fn departments_of(pool: &sqlx::Pool<Db>, company: CompanyId) -> Result<Vec<Department>> {
    sqlx::query(
        "SELECT company_id, id, establishment_id, name, parent_id FROM departments WHERE company_id = $1 ORDER BY id",
    )
    .bind(company.0)
    .rows(pool, |r| {
        Ok(Department {
            company_id: CompanyId(get(r, "company_id")?),
            id: iphr_domain::DepartmentId(get(r, "id")?),
            establishment_id: iphr_domain::EstablishmentId(get(r, "establishment_id")?),
            parent_id: get::<Option<Uuid>>(r, "parent_id")?.map(iphr_domain::DepartmentId),
            name: get(r, "name")?,
        })
    })
    .await
}
