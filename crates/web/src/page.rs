//! The frame every logged-in page shares (user, role, language switch, CSRF token); pages
//! render with [`render`].

use crate::access::Guard;
use crate::auth::CurrentUser;
use crate::i18n::Lang;
use iphr_domain::role::Role;

pub use crate::render::{render, url_encode};

/// The frame every logged-in page shares.
pub struct Frame {
    /// Language.
    pub lang: Lang,
    /// User display name.
    pub user_name: String,
    /// Role label.
    pub role_label: String,
    /// The role.
    pub role: Role,
    /// CSRF token for forms.
    pub csrf: String,
    /// The current path (for the language switch).
    pub path: String,
}

impl Frame {
    /// The frame of the page a guarded request shows.
    pub fn of(guard: &Guard) -> Self {
        Self::new(guard.user(), guard.path())
    }

    /// The frame for a user and a path.
    pub fn new(user: &CurrentUser, path: impl Into<String>) -> Self {
        Self {
            lang: user.lang,
            user_name: user.display_name.clone(),
            role_label: if user.lang == Lang::En {
                user.actor.role.label_en().into()
            } else {
                user.actor.role.label_ja().into()
            },
            role: user.actor.role,
            csrf: user.csrf.clone(),
            path: path.into(),
        }
    }
    /// Whether the user is a worker.
    pub fn is_worker(&self) -> bool {
        self.role == Role::Worker
    }
    /// Physician, nurse or health manager: the post-checkup dashboard.
    pub fn is_oh_staff(&self) -> bool {
        matches!(self.role, Role::Physician | Role::Nurse | Role::HealthManager)
    }
    /// Physician or nurse: the stress-check implementers (実施者).
    pub fn is_implementer(&self) -> bool {
        matches!(self.role, Role::Physician | Role::Nurse)
    }
    /// Whether the user is admin.
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
    /// A checkup institution: uploads only.
    pub fn is_institution(&self) -> bool {
        self.role == Role::Institution
    }
    /// Whether the role uploads files (which kinds is decided per company and kind).
    pub fn uploads(&self) -> bool {
        !matches!(self.role, Role::Worker | Role::Admin)
    }
}
