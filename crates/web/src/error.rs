//! Errors and how they are shown: an HTML page for pages, JSON for the API.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use iphr_store::StoreError;
use serde_json::json;

/// An error of a request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Not logged in.
    #[error("ログインが必要です / login required")]
    Unauthenticated,
    /// Refused by the access policy (already in the audit log).
    #[error("アクセスが拒否されました / access denied: {0}")]
    Forbidden(String),
    /// Nothing there.
    #[error("見つかりません / not found: {0}")]
    NotFound(String),
    /// Bad input.
    #[error("入力エラー / bad request: {0}")]
    BadRequest(String),
    /// The request does not fit the state of the record (e.g. acknowledging an opinion not given).
    #[error("この操作はできません / conflict: {0}")]
    Conflict(String),
    /// Too many attempts.
    #[error("試行回数が多すぎます。しばらくしてから再試行してください / too many attempts, try again later")]
    TooManyRequests,
    /// Something failed inside.
    #[error("内部エラー / internal error")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(m) => AppError::NotFound(m),
            StoreError::Conflict(m) => AppError::Conflict(m),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl AppError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn log(&self) {
        if let AppError::Internal(m) = self {
            tracing::error!(error = %m, "internal error");
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        if matches!(self, AppError::Unauthenticated) {
            return Redirect::to("/login").into_response();
        }
        let msg = html_escape(&self.to_string());
        let status = self.status();
        let body = format!(
            "<!doctype html><html lang=\"ja\"><head><meta charset=\"utf-8\"><title>{code} iphr</title>\
             <link rel=\"stylesheet\" href=\"/static/app.css\"></head><body><main class=\"error\">\
             <h1>{code}</h1><p>{msg}</p><p><a href=\"/\">トップへ / Home</a></p></main></body></html>",
            code = status.as_u16()
        );
        (status, Html(body)).into_response()
    }
}

/// The same error, rendered as JSON for the API.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}
impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        let status = self.0.status();
        let code = match &self.0 {
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::BadRequest(_) => "bad_request",
            AppError::Conflict(_) => "conflict",
            AppError::TooManyRequests => "too_many_requests",
            AppError::Internal(_) => "internal",
        };
        let message = match &self.0 {
            AppError::Internal(_) => "internal error".to_string(),
            e => e.to_string(),
        };
        (status, Json(json!({ "error": code, "message": message }))).into_response()
    }
}

/// Escapes text for HTML.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
