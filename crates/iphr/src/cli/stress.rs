//! `iphr stresscheck`: stress-check campaigns, results per worker, group analysis, reminders
//! (安衛法66条の10).

use crate::cli::context::Context;
use crate::cli::context::write_stdout;
use crate::cli::workstatus::{Format, to_csv};
use anyhow::{Context as _, Result, anyhow, bail};
use chrono::{Datelike, Months, NaiveDate};
use iphr_domain::PersonId;
use iphr_domain::event::EventKind;
use iphr_domain::stress::{Method, StressRules};
use iphr_store::{Store, StressCampaign, WorkerQuery};
use serde::Serialize;
use std::collections::BTreeMap;

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
pub async fn run(ctx: &Context, cmd: StressCmd) -> Result<()> {
    let rules = StressRules::embedded()?;
    match cmd {
        StressCmd::Campaign(CampaignCmd::Create { company, name, from, to, method, implementer }) => {
            let c = ctx.company(&company).await?;
            if Method::parse(&method).is_none() {
                bail!("--method {method:?}: sum or soten");
            }
            if to < from {
                bail!("--to {to} is before --from {from}");
            }
            let u = ctx
                .store()
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
                created_at: ctx.now(),
            };
            iphr_postcheckup::stress::create_campaign(ctx.store(), &campaign).await?;
            ctx.audit("stresscheck campaign create", Some(c.id), campaign.id.to_string()).await?;
            println!("{}", campaign.id);
            Ok(())
        }
        StressCmd::Campaign(CampaignCmd::List { company }) => {
            let c = ctx.company(&company).await?;
            let list = ctx.store().stress_campaigns(c.id).await?;
            println!("{}", serde_json::to_string_pretty(&list)?);
            Ok(())
        }
        StressCmd::Results { campaign, format } => {
            let camp = find_campaign(ctx.store(), campaign).await?;
            warn_overlaps(ctx.store(), &camp).await?;
            let a = iphr_postcheckup::stress::analyse(ctx.store(), rules, &camp).await?;
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
            ctx.audit("stresscheck results", Some(camp.company_id), format!("{campaign}: {} sheets", rows.len()))
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
            let camp = find_campaign(ctx.store(), campaign).await?;
            warn_overlaps(ctx.store(), &camp).await?;
            let rows = ctx
                .store()
                .search_workers(camp.company_id, &WorkerQuery { text: String::new(), offset: 0, limit: u32::MAX / 2 })
                .await?
                .rows;
            let sheets = ctx.store().stress_sheets(camp.company_id, camp.starts_on, camp.ends_on).await?;
            let examined = iphr_postcheckup::stress::latest_per_person(&sheets).len();
            // 検査実施年月: the month of the last answer (the report's rule for checks run over time).
            let month = sheets.iter().map(|s| s.date).max().unwrap_or(camp.ends_on);
            let month_end = NaiveDate::from_ymd_opt(month.year(), month.month(), 1)
                .and_then(|d| d.checked_add_months(Months::new(1)))
                .and_then(|d| d.pred_opt())
                .unwrap_or(month);
            let on_roll = rows.iter().filter(|r| r.leave_date.is_none_or(|d| d > month_end)).count();
            let interviewed: std::collections::BTreeSet<PersonId> = ctx
                .store()
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
            ctx.audit("stresscheck report", Some(camp.company_id), campaign.to_string()).await?;
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
            let camp = find_campaign(ctx.store(), campaign).await?;
            let reminded = iphr_postcheckup::stress::remind(ctx.store(), rules, &camp, "cli", ctx.now()).await?;
            ctx.audit(
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
            let camp = find_campaign(ctx.store(), campaign).await?;
            warn_overlaps(ctx.store(), &camp).await?;
            let a = iphr_postcheckup::stress::analyse(ctx.store(), rules, &camp).await?;
            #[derive(Serialize)]
            struct GroupRow {
                group: String,
                #[serde(flatten)]
                result: iphr_domain::stress::GroupResult,
            }
            let rows: Vec<GroupRow> = a.groups.into_iter().map(|(group, result)| GroupRow { group, result }).collect();
            ctx.audit("stresscheck groups", Some(camp.company_id), format!("{campaign}: {} groups", rows.len()))
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
