//! Login, sessions and the current user.
//!
//! Passwords are Argon2id PHC strings. The session cookie holds a random 256-bit secret; the
//! database holds only its SHA-256, the user, the expiry and the CSRF token bound to it.
//! Failed logins are counted per login name in the database (so the limit holds across
//! several servers).

use crate::AppState;
use crate::error::{ApiError, AppError};
use crate::i18n::Lang;
use crate::views::{LoginPage, render};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::Form;
use axum::extract::{FromRequestParts, State};
use axum::http::header::{COOKIE, LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use chrono::{Duration, Utc};
use iphr_domain::AuditId;
use iphr_domain::audit::AuditEntry;
use iphr_domain::role::{Actor, Role};
use iphr_store::Session;
use rand::RngCore;
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "iphr_session";
const LOGIN_CSRF_COOKIE: &str = "iphr_login_csrf";

/// Hashes a password with Argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, String> {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let salt = SaltString::encode_b64(&bytes).map_err(|e| e.to_string())?;
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

/// Checks a password against a PHC string.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A random URL-safe token of 32 bytes.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// The value of a cookie.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Compares two secrets in constant time.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The logged-in user of a request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    /// Who, in which role, for which companies.
    pub actor: Actor,
    /// Display name.
    pub display_name: String,
    /// The session's CSRF token.
    pub csrf: String,
    /// UI language.
    pub lang: Lang,
    session_hash: String,
}

async fn current_user(parts: &Parts, state: &AppState) -> Result<CurrentUser, AppError> {
    let secret = cookie(&parts.headers, SESSION_COOKIE).ok_or(AppError::Unauthenticated)?;
    let hash = sha256_hex(&secret);
    let session = state.store.session(&hash).await?.ok_or(AppError::Unauthenticated)?;
    if session.expires_at <= Utc::now() {
        state.store.delete_session(&hash).await?;
        return Err(AppError::Unauthenticated);
    }
    let user = state.store.user(session.user_id).await?.ok_or(AppError::Unauthenticated)?;
    if user.disabled {
        return Err(AppError::Unauthenticated);
    }
    Ok(CurrentUser {
        actor: Actor {
            user_id: user.id,
            login: user.login,
            role: user.role,
            companies: user.companies.into_iter().collect(),
            person_id: user.person_id,
        },
        display_name: user.display_name,
        csrf: session.csrf_token,
        lang: Lang::from_headers(&parts.headers),
        session_hash: hash,
    })
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        current_user(parts, state).await
    }
}

/// The logged-in user of an API request (errors as JSON, 401 instead of a redirect).
#[derive(Debug, Clone)]
pub struct ApiUser(pub CurrentUser);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        current_user(parts, state).await.map(ApiUser).map_err(ApiError)
    }
}

fn cookie_attrs(state: &AppState) -> &'static str {
    if state.config.secure_cookies { "; Secure" } else { "" }
}

/// `GET /login`.
pub async fn login_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let token = random_token();
    let lang = Lang::from_headers(&headers);
    let page = render(&LoginPage { lang, csrf: token.clone(), error: None });
    (
        [(
            SET_COOKIE,
            format!("{LOGIN_CSRF_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict{}", cookie_attrs(&state)),
        )],
        page,
    )
        .into_response()
}

/// The login form.
#[derive(Deserialize)]
pub struct LoginForm {
    login: String,
    password: String,
    csrf: String,
}

async fn audit_login(state: &AppState, login: &str, user: Option<&iphr_store::User>, ok: bool, detail: &str) {
    let entry = AuditEntry {
        id: AuditId::new(),
        at: Utc::now(),
        user_id: user.map(|u| u.id),
        login: login.to_string(),
        role: user.map(|u| u.role),
        action: "login".into(),
        company_id: None,
        person_id: None,
        info_class: None,
        allowed: ok,
        detail: detail.into(),
    };
    if let Err(e) = state.store.append_audit(&entry).await {
        tracing::error!(error = %e, "audit write failed");
    }
}

/// `POST /login`.
pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, AppError> {
    let lang = Lang::from_headers(&headers);
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !same(&expected, &f.csrf) {
        return Err(AppError::Forbidden("CSRF token mismatch".into()));
    }
    let now = Utc::now();
    let since = now - Duration::minutes(state.config.login_window_minutes);
    if state.store.failed_logins_since(&f.login, since).await? >= state.config.login_max_failures {
        audit_login(&state, &f.login, None, false, "rate limited").await;
        return Err(AppError::TooManyRequests);
    }
    let user = state.store.user_by_login(&f.login).await?;
    let ok = match &user {
        Some(u) => !u.disabled && verify_password(&f.password, &u.password_hash),
        None => {
            // Same work for an unknown login: no timing oracle.
            static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
            let _ = verify_password(&f.password, DUMMY.get_or_init(|| hash_password("iphr-dummy").unwrap_or_default()));
            false
        }
    };
    state.store.record_login_attempt(&f.login, ok, now).await?;
    let Some(user) = user.filter(|_| ok) else {
        audit_login(&state, &f.login, None, false, "wrong login or password").await;
        let page = render(&LoginPage { lang, csrf: f.csrf, error: Some(lang.t("login_failed")) });
        return Ok((StatusCode::UNAUTHORIZED, page).into_response());
    };
    audit_login(&state, &f.login, Some(&user), true, "").await;
    let secret = random_token();
    let session = Session {
        id_hash: sha256_hex(&secret),
        user_id: user.id,
        csrf_token: random_token(),
        created_at: now,
        expires_at: now + Duration::hours(state.config.session_hours),
    };
    state.store.create_session(&session).await?;
    let _ = state.store.delete_expired_sessions(now).await;
    let home = if user.role == Role::Worker { "/me" } else { "/companies" };
    Ok((
        StatusCode::SEE_OTHER,
        [
            (
                SET_COOKIE,
                format!(
                    "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
                    state.config.session_hours * 3600,
                    cookie_attrs(&state)
                ),
            ),
            (LOCATION, home.to_string()),
        ],
    )
        .into_response())
}

/// Checks a form's or header's CSRF token against the session's (a mismatch is a 403).
pub fn check_csrf(user: &CurrentUser, token: &str) -> Result<(), AppError> {
    if same(&user.csrf, token) { Ok(()) } else { Err(AppError::Forbidden("CSRF token mismatch".into())) }
}

/// The logout form.
#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

/// `POST /logout`.
pub async fn logout(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(f): Form<CsrfForm>,
) -> Result<Response, AppError> {
    if !same(&user.csrf, &f.csrf) {
        return Err(AppError::Forbidden("CSRF token mismatch".into()));
    }
    state.store.delete_session(&user.session_hash).await?;
    Ok((
        StatusCode::SEE_OTHER,
        [
            (SET_COOKIE, format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")),
            (LOCATION, "/login".to_string()),
        ],
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_round_trip() {
        let h = hash_password("s3cret").unwrap_or_default();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("s3cret", &h));
        assert!(!verify_password("S3cret", &h));
        assert!(!verify_password("s3cret", "not a hash"));
    }

    #[test]
    fn cookies_are_parsed() {
        let mut h = HeaderMap::new();
        h.insert(COOKIE, "a=1; iphr_session=xyz; lang=en".parse().unwrap_or_else(|_| unreachable!()));
        assert_eq!(cookie(&h, "iphr_session").as_deref(), Some("xyz"));
        assert_eq!(cookie(&h, "lang").as_deref(), Some("en"));
        assert_eq!(cookie(&h, "missing"), None);
    }

    #[test]
    fn constant_time_compare() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "ab"));
    }
}
