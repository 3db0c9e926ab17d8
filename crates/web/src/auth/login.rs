//! The login page, login and logout.

use super::{CurrentUser, SESSION_COOKIE, cookie, random_token, same, sha256_hex, verify_password};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::render::render;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use chrono::Duration;
use iphr_domain::AuditId;
use iphr_domain::audit::AuditEntry;
use iphr_domain::role::Role;
use iphr_store::Session;
use serde::Deserialize;

const LOGIN_CSRF_COOKIE: &str = "iphr_login_csrf";

/// Login page.
#[derive(Template)]
#[template(path = "auth/login.html")]
pub struct LoginPage {
    /// Language.
    pub lang: Lang,
    /// Login CSRF token.
    pub csrf: String,
    /// Error message.
    pub error: Option<&'static str>,
}

/// `GET /login`.
pub async fn login_page(State(state): State<AppState>, jar: CookieJar) -> (CookieJar, Response) {
    let token = random_token();
    let lang = Lang::from_jar(&jar);
    let page = render(&LoginPage { lang, csrf: token.clone(), error: None });
    (jar.add(cookie(&state, LOGIN_CSRF_COOKIE, token, "/login", SameSite::Strict)), page)
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
        at: state.now(),
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
    jar: CookieJar,
    Form(f): Form<LoginForm>,
) -> Result<Response, AppError> {
    let lang = Lang::from_jar(&jar);
    let expected = jar.get(LOGIN_CSRF_COOKIE).map(|c| c.value().to_string()).unwrap_or_default();
    if expected.is_empty() || !same(&expected, &f.csrf) {
        return Err(AppError::Forbidden("CSRF token mismatch".into()));
    }
    let now = state.now();
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
            let dummy = DUMMY.get_or_init(|| super::hash_password("iphr-dummy").unwrap_or_default());
            let _ = verify_password(&f.password, dummy);
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
    let mut c = cookie(&state, SESSION_COOKIE, secret, "/", SameSite::Lax);
    c.set_max_age(time::Duration::seconds(state.config.session_hours * 3600));
    Ok((jar.add(c), Redirect::to(home)).into_response())
}

/// The logout form.
#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

/// `POST /logout`.
pub async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    user: CurrentUser,
    Form(f): Form<CsrfForm>,
) -> Result<Response, AppError> {
    if !same(&user.csrf, &f.csrf) {
        return Err(AppError::Forbidden("CSRF token mismatch".into()));
    }
    state.store.delete_session(&user.session_hash).await?;
    let gone = Cookie::build((SESSION_COOKIE, "")).path("/").build();
    Ok((jar.remove(gone), Redirect::to("/login")).into_response())
}
