//! Administration: the accounts (the admin reads no personal data).

use crate::access::Guard;
use crate::error::AppError;
use crate::page::{Frame, render};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::response::Response;
use axum::routing::get;
use iphr_domain::role::Role;
use iphr_store::User;

/// The routes of administration.
pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/users", get(users))
}

/// Users page (admin).
#[derive(Template)]
#[template(path = "admin/users.html")]
pub struct UsersPage {
    /// Frame.
    pub f: Frame,
    /// Users.
    pub users: Vec<User>,
}

/// `GET /admin/users`: the accounts (admin only; no health data).
pub async fn users(guard: Guard) -> Result<Response, AppError> {
    if guard.user().actor.role != Role::Admin {
        return guard.refuse(None, None, None, "admin only").await;
    }
    let users = guard.store().list_users().await?;
    Ok(render(&UsersPage { f: Frame::of(&guard), users }))
}
