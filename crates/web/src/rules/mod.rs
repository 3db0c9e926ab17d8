//! The rule tables in force (判定基準), with source, edition and verified flag per row; a
//! company's tables with its overrides.

use crate::access::Guard;
use crate::error::AppError;
use crate::page::{Frame, render};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::response::Response;
use axum::routing::get;
use iphr_domain::CompanyId;
use iphr_domain::judgement::Rules;
use iphr_domain::tenant::Company;
use serde::Deserialize;

/// The route of the rules page.
pub fn routes() -> Router<AppState> {
    Router::new().route("/rules", get(rules_page))
}

/// `GET /rules` page.
#[derive(Template)]
#[template(path = "rules/rules.html")]
pub struct RulesPage {
    f: Frame,
    company: Option<Company>,
    companies: Vec<Company>,
    rules: Rules,
    overridden: Vec<String>,
}

/// Rules parameters.
#[derive(Deserialize, Default)]
pub struct RulesParams {
    /// A company: its tables with overrides.
    #[serde(default)]
    pub company: Option<CompanyId>,
}

/// `GET /rules`: the rule tables in force, with source, edition and verified flag per row.
pub async fn rules_page(guard: Guard, Query(p): Query<RulesParams>) -> Result<Response, AppError> {
    let companies = guard.companies().await?;
    let (company, rules, overridden) = match p.company {
        Some(cid) => {
            let company = guard.company(cid).await?;
            let rules = iphr_postcheckup::company_rules(guard.store(), cid)
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?;
            let overridden = guard.store().rule_overrides(cid).await?.into_iter().map(|o| o.table).collect();
            (Some(company), rules, overridden)
        }
        None => (None, Rules::embedded().map_err(|e| AppError::Internal(e.to_string()))?.clone(), vec![]),
    };
    Ok(render(&RulesPage { f: Frame::of(&guard), company, companies, rules, overridden }))
}
