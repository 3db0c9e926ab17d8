//! 受診状況: the checkup coverage of a company for a fiscal year (`iphr_postcheckup::coverage`),
//! by establishment and department, and who lacks a checkup. Whether a checkup was taken is
//! class 1 (HR may see it); the 有所見率 is shown only to roles allowed class 2 outright.

use super::*;
use iphr_postcheckup::coverage::{Coverage, GroupCoverage, coverage, fiscal_year_of};

/// The page.
#[derive(Template)]
#[template(path = "postcheckup/coverage.html")]
pub struct CoveragePage {
    f: Frame,
    company: Company,
    c: Coverage,
    /// Show the 有所見率.
    values: bool,
    /// Years offered.
    years: Vec<i32>,
}

impl CoveragePage {
    /// A rate as shown: one decimal and %, or a dash.
    pub fn pct(&self, r: Option<f64>) -> String {
        r.map_or_else(|| "—".to_string(), |v| format!("{v:.1}%"))
    }
    /// A group's 高ストレス率 as shown (a dash under the 集団分析 minimum).
    pub fn high_stress(&self, g: &GroupCoverage) -> String {
        self.pct(g.high_stress_rate(self.c.min_group))
    }
}

/// Query.
#[derive(serde::Deserialize, Default)]
pub struct CoverageParams {
    /// 年度.
    #[serde(default)]
    year: Option<i32>,
}

/// `GET /companies/{cid}/coverage?year=`.
pub async fn page(
    guard: Guard,
    Path(cid): Path<CompanyId>,
    Query(p): Query<CoverageParams>,
) -> Result<Response, AppError> {
    let company = guard.company_class(cid, InfoClass::Class1, "checkup coverage").await?;
    let values = guard.company_allows(cid, InfoClass::Class2).await?;
    let today = guard.today();
    let current = fiscal_year_of(today);
    let year = p.year.unwrap_or(current).clamp(current - 20, current);
    let rules =
        iphr_postcheckup::company_rules(guard.store(), cid).await.map_err(|e| AppError::Internal(e.to_string()))?;
    let c = coverage(guard.store(), cid, year, today, &rules).await.map_err(|e| AppError::Internal(e.to_string()))?;
    if values {
        guard.audit(Some(cid), None, Some(InfoClass::Class2), true, "read checkup coverage findings").await?;
    }
    let years = (current - 4..=current).rev().collect();
    Ok(render(&CoveragePage { f: Frame::of(&guard), company, c, values, years }))
}
