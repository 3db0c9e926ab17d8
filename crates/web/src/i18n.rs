//! Japanese first, English second: the language cookie and the UI strings.

use axum::extract::{Path, Query};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// UI language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// 日本語 (default).
    Ja,
    /// English.
    En,
}

impl Lang {
    /// From the `lang` cookie.
    pub fn from_headers(h: &HeaderMap) -> Lang {
        match crate::auth::cookie(h, "lang").as_deref() {
            Some("en") => Lang::En,
            _ => Lang::Ja,
        }
    }
    /// `ja` or `en`.
    pub fn code(&self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }
    /// Translates a UI key.
    pub fn t(&self, key: &str) -> &'static str {
        let (ja, en) = match key {
            "app" => ("iphr 産業保健PHR", "iphr occupational-health PHR"),
            "login" => ("ログイン", "Log in"),
            "logout" => ("ログアウト", "Log out"),
            "login_id" => ("ログインID", "Login"),
            "password" => ("パスワード", "Password"),
            "login_failed" => ("ログインIDまたはパスワードが違います", "Wrong login or password"),
            "companies" => ("事業者", "Companies"),
            "workers" => ("労働者", "Workers"),
            "search" => ("検索", "Search"),
            "search_hint" => ("氏名・カナ・社員番号", "Name, kana or employee number"),
            "employee_number" => ("社員番号", "Employee no."),
            "name" => ("氏名", "Name"),
            "kana" => ("カナ", "Kana"),
            "sex" => ("性別", "Sex"),
            "birth_date" => ("生年月日", "Date of birth"),
            "age" => ("年齢", "Age"),
            "department" => ("所属", "Department"),
            "position" => ("役職", "Position"),
            "work_content" => ("作業内容", "Work"),
            "night_work" => ("深夜業", "Night work"),
            "exposures" => ("有害業務・ばく露", "Exposures"),
            "protection" => ("保護具", "Protection"),
            "hire_date" => ("雇入日", "Hired"),
            "leave_date" => ("退職日", "Left"),
            "timeline" => ("タイムライン", "Timeline"),
            "date" => ("日付", "Date"),
            "kind" => ("種別", "Kind"),
            "details" => ("詳細", "Details"),
            "item" => ("項目", "Item"),
            "value" => ("結果", "Value"),
            "unit" => ("単位", "Unit"),
            "source" => ("原データ", "Source"),
            "hidden_by_policy" => ("取扱規程により非表示", "Hidden by the handling rules"),
            "consent_required" => ("本人同意が必要", "Consent required"),
            "processed_only" => ("加工情報のみ(判定)", "Processed only (judgement)"),
            "prev" => ("前へ", "Previous"),
            "next" => ("次へ", "Next"),
            "total" => ("件", "total"),
            "yes" => ("あり", "yes"),
            "no" => ("なし", "no"),
            "users" => ("ユーザー", "Users"),
            "role" => ("役割", "Role"),
            "my_record" => ("わたしの記録", "My record"),
            "back" => ("戻る", "Back"),
            "info_class" => ("情報区分", "Information class"),
            "none" => ("なし", "none"),
            _ => ("", ""),
        };
        match self {
            Lang::Ja => ja,
            Lang::En => en,
        }
    }
}

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// `GET /lang/{ja|en}?next=/path`: sets the language cookie and goes back.
pub async fn set_lang(Path(lang): Path<String>, Query(q): Query<Next>) -> Response {
    let lang = if lang == "en" { "en" } else { "ja" };
    // Only local paths: no open redirect.
    let next = q.next.filter(|n| n.starts_with('/') && !n.starts_with("//")).unwrap_or_else(|| "/".into());
    (
        StatusCode::SEE_OTHER,
        [(SET_COOKIE, format!("lang={lang}; Path=/; Max-Age=31536000; SameSite=Lax")), (LOCATION, next)],
    )
        .into_response()
}
