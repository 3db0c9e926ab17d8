//! Login, sessions and the current user.
//!
//! Passwords are Argon2id PHC strings. The session cookie holds a random 256-bit secret; the
//! database holds only its SHA-256, the user, the expiry and the CSRF token bound to it.
//! Failed logins are counted per login name in the database (so the limit holds across
//! several servers). Cookies are read and written through a cookie jar.

mod login;

use crate::error::{ApiError, AppError};
use crate::i18n::Lang;
use crate::state::AppState;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::routing::{get, post};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use base64::Engine;
use iphr_domain::role::Actor;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "iphr_session";

/// The routes of this feature: the login page, login and logout.
pub fn routes() -> Router<AppState> {
    Router::new().route("/login", get(login::login_page).post(login::login)).route("/logout", post(login::logout))
}

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

/// Compares two secrets in constant time.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A cookie with the site's attributes: `HttpOnly`, the given `SameSite`, `Secure` behind HTTPS.
fn cookie<'c>(state: &AppState, name: &'c str, value: String, path: &'c str, same_site: SameSite) -> Cookie<'c> {
    Cookie::build((name, value))
        .path(path)
        .http_only(true)
        .same_site(same_site)
        .secure(state.config.secure_cookies)
        .build()
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
    let jar = CookieJar::from_headers(&parts.headers);
    let secret = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()).ok_or(AppError::Unauthenticated)?;
    let hash = sha256_hex(&secret);
    let session = state.store.session(&hash).await?.ok_or(AppError::Unauthenticated)?;
    if session.expires_at <= state.now() {
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
        lang: Lang::from_jar(&jar),
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

/// Checks a form's or header's CSRF token against the session's (a mismatch is a 403).
pub fn check_csrf(user: &CurrentUser, token: &str) -> Result<(), AppError> {
    if same(&user.csrf, token) { Ok(()) } else { Err(AppError::Forbidden("CSRF token mismatch".into())) }
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
    fn constant_time_compare() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "ab"));
    }
}
