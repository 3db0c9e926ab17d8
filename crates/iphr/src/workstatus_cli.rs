//! The work-status and stress-check commands: `iphr hours`, `iphr stresscheck …`.

use crate::cli::{audit_cli, find_company, open_store, write_stdout};
use anyhow::{Context, Result, anyhow, bail};
use chrono::{Datelike, Months, NaiveDate};
use iphr_domain::event::EventKind;
use iphr_domain::stress::{Method, StressRules};
use iphr_domain::{CompanyId, PersonId};
use iphr_store::{Store, StressCampaign, WorkerQuery, WorkerRow};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Output formats.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// CSV with a header row.
    Csv,
    /// JSON.
    Json,
}

/// `iphr stresscheck …`
#[derive(clap::Subcommand, Debug)]
pub enum StressCmd {
    /// Campaigns: a company, a period, the high-stress method, the implementer (実施者).
    #[command(subcommand)]
    Campaign(CampaignCmd),
    /// Per worker: the 19 scale scores (素点 and 評価点), the section sums, high stress by each
    /// method and by the campaign's.
    Results {
        /// Campaign id.
        #[arg(long)]
        campaign: uuid::Uuid,
        /// csv or json.
        #[arg(long, value_enum, default_value = "csv")]
        format: Format,
    },
    /// The numbers of 様式第6号の3 (心理的な負担の程度を把握するための検査結果等報告書, 安衛則52条の21) for a
    /// campaign: workers on the roll, examined, interviewed, group analysis done.
    Report {
        /// Campaign id.
        #[arg(long)]
        campaign: uuid::Uuid,
        /// json (an object of the form's fields) or csv (項目,値: one row per field, for
        /// transcription).
        #[arg(long, value_enum, default_value = "json")]
        format: Format,
    },
    /// Remind every target who has not answered (受検勧奨): recorded per worker and shown to them
    /// on their questionnaire; prints who was reminded.
    Remind {
        /// Campaign id.
        #[arg(long)]
        campaign: uuid::Uuid,
    },
    /// Group analysis by the department each worker was in when they answered (仕事のストレス判定図);
    /// groups under 10 are marked not for the employer.
    Groups {
        /// Campaign id.
        #[arg(long)]
        campaign: uuid::Uuid,
        /// csv or json.
        #[arg(long, value_enum, default_value = "csv")]
        format: Format,
    },
}

/// `iphr stresscheck campaign …`
#[derive(clap::Subcommand, Debug)]
pub enum CampaignCmd {
    /// Create a campaign.
    Create {
        /// Company (id or exact name).
        #[arg(long)]
        company: String,
        /// Name, e.g. 2026年度ストレスチェック.
        #[arg(long)]
        name: String,
        /// First day (YYYY-MM-DD).
        #[arg(long)]
        from: NaiveDate,
        /// Last day.
        #[arg(long)]
        to: NaiveDate,
        /// sum (評価基準の例その1) or soten (その2, 素点換算表).
        #[arg(long, default_value = "sum")]
        method: String,
        /// 実施者: the login of a physician or nurse.
        #[arg(long)]
        implementer: String,
    },
    /// List a company's campaigns.
    List {
        /// Company (id or exact name).
        #[arg(long)]
        company: String,
    },
}

fn to_csv<T: Serialize>(rows: &[T]) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r)?;
    }
    Ok(String::from_utf8(w.into_inner().map_err(|e| anyhow!(e.to_string()))?)?)
}

async fn workers(store: &dyn Store, company: CompanyId) -> Result<HashMap<PersonId, WorkerRow>> {
    let rows =
        store.search_workers(company, &WorkerQuery { text: String::new(), offset: 0, limit: u32::MAX / 2 }).await?.rows;
    Ok(rows.into_iter().map(|r| (r.person_id, r)).collect())
}

/// One worker's month for `iphr hours`.
#[derive(Debug, Serialize)]
struct HoursRow {
    employee_number: String,
    name: String,
    month: String,
    work_regime: String,
    overtime_holiday: f64,
    statutory_overtime: f64,
    holiday: f64,
    night_shifts: f64,
    year_statutory_overtime: f64,
    over45_months: u32,
    max_average_months: Option<u32>,
    max_average: Option<f64>,
    flags: String,
    #[serde(skip_serializing)]
    flags_json: Vec<iphr_domain::overtime::Flag>,
}

/// `iphr hours --company C --month YYYY-MM`.
pub async fn hours(url: &str, company: &str, month: &str, profile: Option<&str>, format: Format) -> Result<()> {
    let m = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
        .map_err(|_| anyhow!("--month {month:?}: expected YYYY-MM"))?;
    let store = open_store(url).await?;
    let c = find_company(store.as_ref(), company).await?;
    let company_rules = iphr_postcheckup::company_rules(store.as_ref(), c.id).await?;
    let rules = &company_rules.overtime;
    let profile = profile.unwrap_or(&company_rules.settings.overtime_profile);
    if !rules.profiles.contains_key(profile) {
        bail!("--profile {profile:?}: one of {}", rules.profiles.keys().cloned().collect::<Vec<_>>().join(", "));
    }
    let records = iphr_postcheckup::hours::month_hours(store.as_ref(), c.id, m, rules, profile, None).await?;
    let who = workers(store.as_ref(), c.id).await?;
    let mut rows = Vec::new();
    for rec in records {
        let r = rec.result;
        let w = who.get(&rec.person_id);
        rows.push(HoursRow {
            employee_number: w.map(|w| w.employee_number.clone()).unwrap_or_default(),
            name: w.map(|w| w.name.clone()).unwrap_or_default(),
            month: month.to_string(),
            work_regime: rec.work_regime.as_str().to_string(),
            overtime_holiday: r.hours.overtime_holiday,
            statutory_overtime: r.hours.statutory_overtime,
            holiday: r.hours.holiday,
            night_shifts: r.hours.night_shifts,
            year_statutory_overtime: (r.year_statutory_overtime * 100.0).round() / 100.0,
            over45_months: r.over45_months,
            max_average_months: r.max_average.map(|x| x.0),
            max_average: r.max_average.map(|x| (x.1 * 100.0).round() / 100.0),
            flags: r
                .flags
                .iter()
                .map(|f| format!("{}:{:?}", f.rule.as_str(), f.level).to_lowercase())
                .collect::<Vec<_>>()
                .join(" "),
            flags_json: r.flags,
        });
    }
    rows.sort_by(|a, b| a.employee_number.cmp(&b.employee_number));
    audit_cli(store.as_ref(), "hours", Some(c.id), format!("{month}: {} workers", rows.len())).await?;
    let text = match format {
        Format::Csv => to_csv(&rows)?,
        Format::Json => {
            #[derive(Serialize)]
            struct J<'a> {
                #[serde(flatten)]
                row: &'a HoursRow,
                flag_details: &'a [iphr_domain::overtime::Flag],
            }
            let v: Vec<J<'_>> = rows.iter().map(|r| J { row: r, flag_details: &r.flags_json }).collect();
            serde_json::to_string_pretty(&v)? + "\n"
        }
    };
    write_stdout(&text)
}

async fn find_campaign(store: &dyn Store, id: uuid::Uuid) -> Result<StressCampaign> {
    for c in store.list_companies().await? {
        if let Some(x) = store.stress_campaigns(c.id).await?.into_iter().find(|x| x.id == id) {
            return Ok(x);
        }
    }
    bail!("no stress-check campaign {id} (see `iphr stresscheck campaign list --company C`)")
}

/// One worker's result.
#[derive(Debug, Serialize)]
struct ResultRow {
    employee_number: String,
    name: String,
    sex: String,
    department: String,
    answered_on: NaiveDate,
    sum_a: u32,
    sum_b: u32,
    sum_c: u32,
    high_stress_sum: bool,
    soten_a: u32,
    soten_b: u32,
    soten_c: u32,
    high_stress_soten: bool,
    high_stress: bool,
    #[serde(flatten)]
    scales: BTreeMap<String, i32>,
}

/// Says on standard error when other campaigns overlap this one (made before overlaps were
/// refused): the answers of the common days count in each.
async fn warn_overlaps(store: &dyn Store, camp: &StressCampaign) -> Result<()> {
    for o in iphr_postcheckup::stress::overlapping(store, camp).await? {
        eprintln!(
            "warning: campaign {:?} ({} – {}, {}) overlaps {:?} ({} – {}, {}): the answers of the common days count in both",
            camp.name, camp.starts_on, camp.ends_on, camp.method, o.name, o.starts_on, o.ends_on, o.method
        );
    }
    Ok(())
}

/// `iphr stresscheck …`.
pub async fn stresscheck(url: &str, cmd: StressCmd) -> Result<()> {
    let store = open_store(url).await?;
    let rules = StressRules::embedded()?;
    match cmd {
        StressCmd::Campaign(CampaignCmd::Create { company, name, from, to, method, implementer }) => {
            let c = find_company(store.as_ref(), &company).await?;
            if Method::parse(&method).is_none() {
                bail!("--method {method:?}: sum or soten");
            }
            if to < from {
                bail!("--to {to} is before --from {from}");
            }
            let u = store
                .user_by_login(&implementer)
                .await?
                .ok_or_else(|| anyhow!("--implementer {implementer:?}: no such user"))?;
            if !matches!(u.role, iphr_domain::role::Role::Physician | iphr_domain::role::Role::Nurse) {
                bail!("--implementer {implementer:?}: the 実施者 must be a physician or nurse (安衛則52条の10)");
            }
            let campaign = StressCampaign {
                company_id: c.id,
                id: uuid::Uuid::now_v7(),
                name,
                starts_on: from,
                ends_on: to,
                method,
                implementer,
                created_by: "cli".into(),
                created_at: chrono::Utc::now(),
            };
            iphr_postcheckup::stress::create_campaign(store.as_ref(), &campaign).await?;
            audit_cli(store.as_ref(), "stresscheck campaign create", Some(c.id), campaign.id.to_string()).await?;
            println!("{}", campaign.id);
            Ok(())
        }
        StressCmd::Campaign(CampaignCmd::List { company }) => {
            let c = find_company(store.as_ref(), &company).await?;
            let list = store.stress_campaigns(c.id).await?;
            println!("{}", serde_json::to_string_pretty(&list)?);
            Ok(())
        }
        StressCmd::Results { campaign, format } => {
            let camp = find_campaign(store.as_ref(), campaign).await?;
            warn_overlaps(store.as_ref(), &camp).await?;
            let a = iphr_postcheckup::stress::analyse(store.as_ref(), rules, &camp).await?;
            let mut rows = Vec::new();
            for x in &a.scored {
                let (w, r) = (&x.worker, &x.result);
                rows.push(ResultRow {
                    employee_number: w.employee_number.clone(),
                    name: w.name.clone(),
                    sex: w.sex.as_str().into(),
                    department: x.department.clone(),
                    answered_on: x.date,
                    sum_a: r.sum.a,
                    sum_b: r.sum.b,
                    sum_c: r.sum.c,
                    high_stress_sum: r.high_sum,
                    soten_a: r.soten_a,
                    soten_b: r.soten_b,
                    soten_c: r.soten_c,
                    high_stress_soten: r.high_soten,
                    high_stress: x.high,
                    scales: r
                        .scales
                        .iter()
                        .flat_map(|x| {
                            [(format!("{}_raw", x.code), x.raw), (format!("{}_level", x.code), i32::from(x.hyoka))]
                        })
                        .collect(),
                });
            }
            rows.sort_by(|a, b| a.employee_number.cmp(&b.employee_number));
            audit_cli(
                store.as_ref(),
                "stresscheck results",
                Some(camp.company_id),
                format!("{campaign}: {} sheets", rows.len()),
            )
            .await?;
            let text = match format {
                Format::Csv => {
                    // The scale columns follow the fixed ones, in the scales' order.
                    let mut w = csv::Writer::from_writer(Vec::new());
                    let mut header: Vec<String> = [
                        "employee_number",
                        "name",
                        "sex",
                        "department",
                        "answered_on",
                        "sum_a",
                        "sum_b",
                        "sum_c",
                        "high_stress_sum",
                        "soten_a",
                        "soten_b",
                        "soten_c",
                        "high_stress_soten",
                        "high_stress",
                    ]
                    .iter()
                    .map(|s| s.to_string())
                    .collect();
                    for sc in &rules.scales {
                        header.push(format!("{}_raw", sc.code));
                        header.push(format!("{}_level", sc.code));
                    }
                    w.write_record(&header)?;
                    for r in &rows {
                        let mut rec = vec![
                            r.employee_number.clone(),
                            r.name.clone(),
                            r.sex.clone(),
                            r.department.clone(),
                            r.answered_on.to_string(),
                            r.sum_a.to_string(),
                            r.sum_b.to_string(),
                            r.sum_c.to_string(),
                            r.high_stress_sum.to_string(),
                            r.soten_a.to_string(),
                            r.soten_b.to_string(),
                            r.soten_c.to_string(),
                            r.high_stress_soten.to_string(),
                            r.high_stress.to_string(),
                        ];
                        for h in header.iter().skip(14) {
                            rec.push(r.scales.get(h).map(|v| v.to_string()).unwrap_or_default());
                        }
                        w.write_record(&rec)?;
                    }
                    String::from_utf8(w.into_inner().map_err(|e| anyhow!(e.to_string()))?)?
                }
                Format::Json => serde_json::to_string_pretty(&rows)? + "\n",
            };
            write_stdout(&text)
        }
        StressCmd::Report { campaign, format } => {
            let camp = find_campaign(store.as_ref(), campaign).await?;
            warn_overlaps(store.as_ref(), &camp).await?;
            let rows = store
                .search_workers(camp.company_id, &WorkerQuery { text: String::new(), offset: 0, limit: u32::MAX / 2 })
                .await?
                .rows;
            let sheets = store.stress_sheets(camp.company_id, camp.starts_on, camp.ends_on).await?;
            let examined = iphr_postcheckup::stress::latest_per_person(&sheets).len();
            // 検査実施年月: the month of the last answer (the report's rule for checks run over time).
            let month = sheets.iter().map(|s| s.date).max().unwrap_or(camp.ends_on);
            let month_end = NaiveDate::from_ymd_opt(month.year(), month.month(), 1)
                .and_then(|d| d.checked_add_months(Months::new(1)))
                .and_then(|d| d.pred_opt())
                .unwrap_or(month);
            let on_roll = rows.iter().filter(|r| r.leave_date.is_none_or(|d| d > month_end)).count();
            let interviewed: std::collections::BTreeSet<PersonId> = store
                .events_of_kind(camp.company_id, EventKind::Interview, Some("high_stress"))
                .await?
                .into_iter()
                .filter(|e| e.event_date >= camp.starts_on)
                .filter_map(|e| e.person_id)
                .collect();
            let report = serde_json::json!({
                "form": "様式第6号の3 (安衛則52条の21)",
                "campaign": camp.name,
                "検査実施年月": format!("{}-{:02}", month.year(), month.month()),
                "在籍労働者数": on_roll,
                "検査を実施した者": if camp.implementer.is_empty() { serde_json::Value::Null } else { serde_json::json!(camp.implementer) },
                "検査を受けた労働者数": examined,
                "面接指導を受けた労働者数": interviewed.len(),
                "集団ごとの分析の実施の有無": if examined > 0 { 1 } else { 2 },
                "note": "在籍労働者数 is counted at the end of the 検査実施年月 from the employment records; 集団分析 1 = iphr computes it for every campaign with answers",
            });
            audit_cli(store.as_ref(), "stresscheck report", Some(camp.company_id), campaign.to_string()).await?;
            match format {
                Format::Json => write_stdout(&(serde_json::to_string_pretty(&report)? + "\n")),
                Format::Csv => {
                    let mut w = csv::Writer::from_writer(Vec::new());
                    w.write_record(["項目", "値"])?;
                    for k in [
                        "form",
                        "campaign",
                        "検査実施年月",
                        "在籍労働者数",
                        "検査を実施した者",
                        "検査を受けた労働者数",
                        "面接指導を受けた労働者数",
                        "集団ごとの分析の実施の有無",
                    ] {
                        let v = match &report[k] {
                            serde_json::Value::String(s) => s.clone(),
                            serde_json::Value::Null => String::new(),
                            v => v.to_string(),
                        };
                        w.write_record([k, v.as_str()])?;
                    }
                    write_stdout(&String::from_utf8(w.into_inner().map_err(|e| anyhow!(e.to_string()))?)?)
                }
            }
        }
        StressCmd::Remind { campaign } => {
            let camp = find_campaign(store.as_ref(), campaign).await?;
            let reminded =
                iphr_postcheckup::stress::remind(store.as_ref(), rules, &camp, "cli", chrono::Utc::now()).await?;
            audit_cli(
                store.as_ref(),
                "stresscheck remind",
                Some(camp.company_id),
                format!("{campaign}: {} workers reminded", reminded.len()),
            )
            .await?;
            let mut text = format!("{} workers reminded (受検勧奨)\n", reminded.len());
            for w in &reminded {
                text.push_str(&format!("{}\t{}\n", w.employee_number, w.name));
            }
            write_stdout(&text)
        }
        StressCmd::Groups { campaign, format } => {
            let camp = find_campaign(store.as_ref(), campaign).await?;
            warn_overlaps(store.as_ref(), &camp).await?;
            let a = iphr_postcheckup::stress::analyse(store.as_ref(), rules, &camp).await?;
            #[derive(Serialize)]
            struct GroupRow {
                group: String,
                #[serde(flatten)]
                result: iphr_domain::stress::GroupResult,
            }
            let rows: Vec<GroupRow> = a.groups.into_iter().map(|(group, result)| GroupRow { group, result }).collect();
            audit_cli(
                store.as_ref(),
                "stresscheck groups",
                Some(camp.company_id),
                format!("{campaign}: {} groups", rows.len()),
            )
            .await?;
            let text = match format {
                Format::Csv => {
                    let flat: Vec<GroupCsv> = rows
                        .iter()
                        .map(|g| GroupCsv {
                            group: g.group.clone(),
                            n: g.result.n,
                            quant: round2(g.result.quant),
                            control: round2(g.result.control),
                            boss: round2(g.result.boss),
                            cowork: round2(g.result.cowork),
                            risk_demand_control: round2(g.result.risk_demand_control),
                            risk_support: round2(g.result.risk_support),
                            total_risk: round2(g.result.total_risk),
                            high_stress: g.result.high_stress,
                            disclosable: g.result.disclosable,
                        })
                        .collect();
                    to_csv(&flat).context("csv")?
                }
                Format::Json => serde_json::to_string_pretty(&rows)? + "\n",
            };
            write_stdout(&text)
        }
    }
}

/// A group row of the CSV.
#[derive(Serialize)]
struct GroupCsv {
    group: String,
    n: usize,
    quant: f64,
    control: f64,
    boss: f64,
    cowork: f64,
    risk_demand_control: f64,
    risk_support: f64,
    total_risk: f64,
    high_stress: usize,
    disclosable: bool,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// `iphr special-checkups --company C`: special checkups due or overdue from current exposures.
pub async fn special_checkups(url: &str, company: &str, as_of: Option<NaiveDate>, format: Format) -> Result<()> {
    let store = open_store(url).await?;
    let c = find_company(store.as_ref(), company).await?;
    let today = as_of.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let rules = iphr_postcheckup::company_rules(store.as_ref(), c.id).await?;
    let soon = i64::from(rules.settings.special_due_soon_days);
    let rows = iphr_postcheckup::workstatus::special_due(store.as_ref(), c.id, today, soon).await?;
    audit_cli(store.as_ref(), "special-checkups", Some(c.id), format!("{} due rows as of {today}", rows.len())).await?;
    let text = match format {
        Format::Csv => to_csv(&rows)?,
        Format::Json => serde_json::to_string_pretty(&rows)? + "\n",
    };
    write_stdout(&text)
}

/// `iphr import work-environment FILE… --company C`: each file in one transaction; a row whose
/// department is unknown or whose fields are wrong refuses the file (unless `--allow-partial`);
/// importing the same rows again writes nothing.
pub async fn import_work_environment(
    url: &str,
    files: &[std::path::PathBuf],
    company: &str,
    dry_run: bool,
    allow_partial: bool,
    json: bool,
) -> Result<()> {
    use iphr_convert::work_env;
    use iphr_domain::event::Event;
    use iphr_domain::ohcc::Producer;
    let store = open_store(url).await?;
    let c = find_company(store.as_ref(), company).await?;
    let mut reports = Vec::new();
    let mut refused = false;
    for path in files {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).with_context(|| format!("cannot read {name}"))?;
        let parsed = work_env::parse(&bytes).map_err(|e| anyhow!("{name}: {e}"))?;
        let departments = store.hr_state(c.id).await?.departments;
        let existing: Vec<Event> = store.events_of_kind(c.id, EventKind::WorkEnvironment, None).await?;
        let mut errors: Vec<serde_json::Value> = parsed
            .errors
            .iter()
            .map(|e| serde_json::json!({ "file": name, "line": e.line, "field": e.field, "reason": e.reason }))
            .collect();
        let mut events = Vec::new();
        let mut unchanged = 0usize;
        for r in &parsed.rows {
            let Some(d) = departments.iter().find(|d| d.name == r.department) else {
                errors.push(serde_json::json!({ "file": name, "line": r.line, "field": "部署",
                    "reason": format!("no department {:?} in {} (import the HR master first)", r.department, c.name) }));
                continue;
            };
            let detail = serde_json::json!({
                "unit_workplace": r.unit_workplace, "agent": r.agent, "method": r.method,
                "management_class": r.management_class, "estimate": r.estimate, "limit": r.limit, "unit": r.unit,
                "risk_level": r.risk_level, "note": r.note, "source": format!("{name}#line={}", r.line),
            });
            let same = |e: &Event| {
                e.department_id == Some(d.id)
                    && e.event_date == r.date
                    && e.detail.get("unit_workplace") == detail.get("unit_workplace")
                    && e.detail.get("agent") == detail.get("agent")
                    && e.detail.get("method") == detail.get("method")
            };
            if let Some(old) = existing.iter().find(|e| same(e)) {
                let strip = |v: &serde_json::Value| {
                    let mut v = v.clone();
                    if let Some(o) = v.as_object_mut() {
                        o.remove("source");
                    }
                    v
                };
                if strip(&old.detail) == strip(&detail) {
                    unchanged += 1;
                    continue;
                }
                errors.push(serde_json::json!({ "file": name, "line": r.line, "field": "管理区分",
                    "reason": "a different result is already stored for this unit workplace, substance and date" }));
                continue;
            }
            let title = match (r.management_class, &r.risk_level) {
                (Some(k), _) => format!("作業環境測定 {} {} 第{k}管理区分", r.unit_workplace, r.agent),
                (None, Some(l)) => {
                    format!("リスクアセスメント({}) {} {} リスクレベル{l}", r.method, r.unit_workplace, r.agent)
                }
                _ => format!("{} {} {}", r.method, r.unit_workplace, r.agent),
            };
            events.push(Event {
                company_id: c.id,
                id: iphr_domain::EventId::new(),
                person_id: None,
                employment_id: None,
                department_id: Some(d.id),
                kind: EventKind::WorkEnvironment,
                subkind: Some(if r.method == "作業環境測定" {
                    "measurement".into()
                } else {
                    "risk_assessment".into()
                }),
                event_date: r.date,
                title,
                content_class: EventKind::WorkEnvironment.default_content_class(),
                producer: Producer::HrSystem,
                detail,
                source_doc: Some(name.clone()),
            });
        }
        let refuse = !errors.is_empty() && !allow_partial;
        if !refuse && !dry_run && !events.is_empty() {
            store.insert_batch(&iphr_store::Batch { events: events.clone(), ..iphr_store::Batch::default() }).await?;
            audit_cli(
                store.as_ref(),
                "import work-environment",
                Some(c.id),
                format!("{name}: {} results", events.len()),
            )
            .await?;
        }
        refused |= refuse;
        let status = if refuse {
            "refused"
        } else if dry_run {
            "dry run"
        } else {
            "imported"
        };
        reports.push(serde_json::json!({
            "file": name, "read": parsed.rows.len() + parsed.errors.len(),
            "imported": if refuse || dry_run { 0 } else { events.len() }, "unchanged": unchanged,
            "rejected": errors.len(), "status": status, "errors": errors,
        }));
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    } else {
        for r in &reports {
            println!(
                "{}: read {}, imported {}, unchanged {}, rejected {} — {}",
                r["file"].as_str().unwrap_or(""),
                r["read"],
                r["imported"],
                r["unchanged"],
                r["rejected"],
                r["status"].as_str().unwrap_or("")
            );
            for e in r["errors"].as_array().into_iter().flatten() {
                println!(
                    "  {}:{}: {}: {}",
                    e["file"].as_str().unwrap_or(""),
                    e["line"],
                    e["field"].as_str().unwrap_or(""),
                    e["reason"].as_str().unwrap_or("")
                );
            }
        }
    }
    if refused {
        bail!("some files were refused: nothing was written from them (see the errors above)");
    }
    Ok(())
}
