//! The judgement export and re-running the rules, through the API.

use super::*;

/// Export parameters.
#[derive(Deserialize, Default)]
pub struct ExportParams {
    /// `csv` or `json` (default).
    #[serde(default)]
    pub format: Option<String>,
    /// `1`: only each person's latest checkup.
    #[serde(default)]
    pub latest: Option<String>,
}

/// `GET /api/v1/companies/{cid}/judgements?format=csv|json&latest=1`: the judgement export (the
/// same rows as `iphr export judgements`), class 2.
pub async fn export_api(
    guard: ApiGuard,
    Path(cid): Path<CompanyId>,
    Query(p): Query<ExportParams>,
) -> Result<Response, ApiError> {
    guard.company_class(cid, InfoClass::Class2, "judgement export").await?;
    let filter = JudgementFilter {
        latest_only: p.latest.as_deref() == Some("1"),
        section: None,
        today: guard.today(),
        since: None,
        limit: None,
    };
    let internal = |e: iphr_postcheckup::Error| ApiError::from(AppError::Internal(e.to_string()));
    let records = iphr_postcheckup::judgements_for_export(guard.store(), cid, &filter).await.map_err(internal)?;
    Ok(match p.format.as_deref() {
        Some("csv") => (
            [(axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8")],
            iphr_postcheckup::export_csv(&records).map_err(internal)?,
        )
            .into_response(),
        None | Some("json") => (
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            iphr_postcheckup::export_json(&records).map_err(internal)?,
        )
            .into_response(),
        Some(other) => return Err(AppError::BadRequest(format!("format {other:?}: csv or json")).into()),
    })
}

/// `POST /api/v1/companies/{cid}/judge` (`X-CSRF-Token` header): re-runs the rules over the
/// company's checkups, as `iphr judge` does; physician or nurse.
pub async fn judge_api(
    guard: ApiGuard,
    Path(cid): Path<CompanyId>,
    headers: HeaderMap,
) -> Result<Json<iphr_postcheckup::JudgeReport>, ApiError> {
    let token = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
    check_csrf(guard.user(), token)?;
    guard.company_class(cid, InfoClass::Class2, "judge").await?;
    if !matches!(guard.user().actor.role, Role::Physician | Role::Nurse) {
        guard
            .audit(Some(cid), None, Some(InfoClass::Class2), false, "only a physician or nurse re-runs the rules")
            .await?;
        return Err(AppError::Forbidden("only a physician or nurse re-runs the rules".into()).into());
    }
    let r = iphr_postcheckup::judge_company(guard.store(), cid, None, guard.state().now())
        .await
        .map_err(|e| ApiError::from(AppError::Internal(e.to_string())))?;
    guard
        .audit(
            Some(cid),
            None,
            Some(InfoClass::Class2),
            true,
            format!("judged {} (changed {})", r.summary.judged, r.summary.changed),
        )
        .await?;
    Ok(Json(r))
}
