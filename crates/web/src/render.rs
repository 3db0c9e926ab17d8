//! Rendering a page template.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

/// Renders a template, or a 500 page if it fails.
pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

/// How a stored document is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// No file name: an image the page embeds.
    Embedded,
    /// Shown by the browser where it can, under this file name.
    Inline,
    /// Downloaded under this file name.
    Download,
}

/// A stored document's bytes as they were, with their content type (recognised from the bytes
/// when stored) and, unless embedded, a UTF-8 file name for the browser (RFC 6266 `filename*`).
pub fn document_response(bytes: Vec<u8>, content_type: &str, file: &str, how: Disposition) -> Response {
    use axum::http::{HeaderValue, header};
    let mut res = Response::new(axum::body::Body::from(bytes));
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    let kind = match how {
        Disposition::Embedded => return res,
        Disposition::Inline => "inline",
        Disposition::Download => "attachment",
    };
    if let Ok(v) = HeaderValue::from_str(&format!("{kind}; filename*=UTF-8''{}", url_encode(file))) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// Whether a browser shows a document of this type itself (PDF, JPEG, PNG).
pub fn browser_shows(content_type: &str) -> bool {
    matches!(content_type, "application/pdf" | "image/jpeg" | "image/png")
}

/// Percent-encodes a query value.
pub fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(char::from(b)),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
