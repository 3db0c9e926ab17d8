//! Japanese first, English second: the language cookie and the UI strings.

use crate::state::AppState;
use axum::Router;
use axum::extract::{Path, Query};
use axum::response::Redirect;
use axum::routing::get;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::Deserialize;

/// The route of this feature: the language switch.
pub fn routes() -> Router<AppState> {
    Router::new().route("/lang/{lang}", get(set_lang))
}

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
    pub fn from_jar(jar: &CookieJar) -> Lang {
        match jar.get("lang").map(Cookie::value) {
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
            "work_regime" => ("労働時間制度", "Working-time regime"),
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
            "postcheckup" => ("事後措置", "Post-checkup"),
            "dashboard" => ("ダッシュボード", "Dashboard"),
            "all_companies" => ("担当事業者すべて", "All companies served"),
            "measures" => ("就業上の措置", "Employment measures"),
            "rules" => ("判定基準", "Rules"),
            "checkup_date" => ("健診日", "Checkup date"),
            "overall" => ("総合判定", "Overall"),
            "urgent" => ("緊急度", "Urgency"),
            "due" => ("期限", "Due"),
            "overdue" => ("期限超過", "overdue"),
            "work_candidate" => ("就業区分(案)", "Proposed work category"),
            "work_category" => ("就業区分", "Work category"),
            "stage" => ("進捗", "Stage"),
            "show_all" => ("すべて表示", "Show all"),
            "bulk_normal" => {
                ("選択した労働者を「所見なし/通常勤務可」で確定", "Confirm selected as no finding / normal work")
            }
            "bulk_note" => (
                "一括確定は就業区分(案)が通常勤務可で緊急値のない健診のみ。一人ずつ監査記録されます。",
                "Only checkups proposed as normal work without urgent values; each worker is audited.",
            ),
            "judgement" => ("判定", "Judgement"),
            "institution" => ("健診機関の判定", "Institution's judgement"),
            "differs" => ("iphrの判定と異なる", "differs from iphr's"),
            "category" => ("判定区分", "Category"),
            "verified" => ("検証", "Verified"),
            "edition" => ("版", "Edition"),
            "not_judged" => ("判定せず", "Not judged"),
            "guidance" => ("指導区分", "Guidance"),
            "proposed" => ("提案", "Proposed"),
            "confirmed" => ("確定", "Confirmed"),
            "deadlines" => ("期限", "Deadlines"),
            "opinion_due" => ("意見聴取期限", "Opinion due"),
            "followup_due" => ("要精検フォロー期限", "Follow-up due"),
            "niji" => ("二次健診等給付", "Secondary checkup benefit"),
            "stratification" => ("特定保健指導", "Specific health guidance"),
            "history" => ("経過", "History"),
            "record" => ("記録", "Record"),
            "valid_until" => ("措置期間(まで)", "Valid until"),
            "review_on" => ("再評価日", "Review on"),
            "opinion" => ("医師の意見", "Physician's opinion"),
            "reasons" => ("理由", "Reasons"),
            "note" => ("メモ", "Note"),
            "contact" => ("連絡記録", "Contact"),
            "reached" => ("本人に連絡がついた", "Worker reached"),
            "outcome" => ("結果", "Outcome"),
            "hr_ack" => ("人事確認", "HR acknowledgement"),
            "acknowledge" => ("確認しました", "Acknowledge"),
            "pending_only" => ("未確認のみ", "Pending only"),
            "legal_category" => ("就業区分(法定)", "Legal category"),
            "taken" => ("受診", "Taken"),
            "unverified_note" => ("未検証の基準を含む", "uses unverified rules"),
            "niji_claim_until" => ("給付の請求期限", "Claim until"),
            "contact_due" => ("連絡期限", "Contact due"),
            "coverage" => ("受診状況", "Checkup coverage"),
            "patrols" => ("職場巡視", "Workplace patrols"),
            "visit" => ("訪問日の対応", "Today's visit"),
            "sum_work" => ("所属・作業・ばく露", "Work and exposures"),
            "sum_history" => ("所属の履歴", "Assignment history"),
            "sum_special_due" => ("特殊健診・特定業務健診の予定", "Special checkups due"),
            "sum_hours" => ("時間外・休日労働と深夜業", "Overtime and night work"),
            "sum_no_hours" => ("勤怠の記録なし", "No attendance recorded"),
            "sum_stress" => ("ストレスチェック", "Stress check"),
            "sum_stress_hidden" => ("結果は本人の同意がある場合のみ表示", "Result shown only with consent"),
            "sum_stress_low" => ("評価点の低い尺度", "Scales at the stressful end"),
            "sum_stress_profile" => ("19尺度のプロフィール", "The 19-scale profile"),
            "sum_treatment" => ("治療状況・服薬", "Treatment and medication"),
            "sum_medication" => ("服薬中", "Current medication"),
            "sum_no_treatment" => ("治療・服薬の記録なし", "No treatment recorded"),
            "sum_judgement" => ("直近の判定と就業上の措置", "Latest judgement and measures"),
            "sum_undecided" => ("未決定", "not decided"),
            "sum_in_force" => ("措置中", "in force"),
            "sum_tasks" => ("対応事項", "Open tasks"),
            "sum_no_tasks" => ("期限のある対応事項なし", "Nothing open"),
            "sum_last_interview" => ("直近の面談", "Last interview"),
            "sum_last_opinion" => ("直近の医師の意見", "Last opinion"),
            "sum_trends" => ("健診結果の経年グラフ", "Checkup trends"),
            "all_kinds" => ("すべて", "All"),
            "period" => ("期間", "Period"),
            "filter" => ("絞り込む", "Filter"),
            "attendance_year" => ("勤怠(年)", "Attendance (year)"),
            "trend_note" => (
                "背景の色は判定区分(A 異常なし〜D 要精密検査・治療)。▲H は基準より高い値、▼L は低い値。",
                "Shading: judgement bands (A normal to D abnormal). ▲H above, ▼L below the reference.",
            ),
            "trend_none" => ("表示できる検査値はありません", "No values to chart"),
            "ref_mark" => ("基準", "Reference"),
            "source_value" => ("健診機関の記載", "As delivered"),
            "stress_profile" => ("19尺度のプロフィール", "The 19-scale profile"),
            "scale" => ("尺度", "Scale"),
            "level" => ("評価点", "Level"),
            "profile_note" => (
                "評価点は素点換算表による5段階(1 がストレスの高い側)。",
                "Levels from the conversion table, 1 to 5 (1 is the stressful end).",
            ),
            "poorly_controlled" => ("治療中だがコントロール不良", "treated but poorly controlled"),
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

/// A redirect target given by a request, if it is a path of this site: it starts with one `/`
/// followed by neither `/` nor `\` (browsers read `//host` and `/\host` as another site), holds
/// no backslash, no control or white-space character (stripped by browsers before resolving),
/// and no encoded slash or backslash (`%2F`, `%5C`, which a second decoding would turn into one).
pub fn local_path(next: &str) -> Option<&str> {
    let rest = next.strip_prefix('/')?;
    let bad_start = rest.starts_with(['/', '\\']);
    let bad_char = next.chars().any(|c| c == '\\' || c.is_control() || c.is_whitespace());
    let lower = next.to_ascii_lowercase();
    let encoded = lower.contains("%2f")
        || lower.contains("%5c")
        || lower.contains("%09")
        || lower.contains("%0a")
        || lower.contains("%0d");
    (!bad_start && !bad_char && !encoded).then_some(next)
}

/// `GET /lang/{ja|en}?next=/path`: sets the language cookie and goes back.
pub async fn set_lang(Path(lang): Path<String>, Query(q): Query<Next>, jar: CookieJar) -> (CookieJar, Redirect) {
    let lang = if lang == "en" { "en" } else { "ja" };
    // Only paths of this site: no open redirect.
    let next = q.next.as_deref().and_then(local_path).unwrap_or("/");
    let cookie =
        Cookie::build(("lang", lang)).path("/").max_age(time::Duration::days(365)).same_site(SameSite::Lax).build();
    (jar.add(cookie), Redirect::to(next))
}

#[cfg(test)]
mod tests {
    use super::local_path;

    /// Issue 11.11: only same-site absolute paths.
    #[test]
    fn redirect_targets() {
        for ok in ["/", "/companies/1/workers?q=山田", "/me/stresscheck", "/a/b?next=https://x"] {
            assert_eq!(local_path(ok), Some(ok), "{ok}");
        }
        for bad in [
            "//evil.example/x",
            "/\\127.0.0.1:18999/phish",
            "/\\/evil",
            "https://evil.example",
            "evil",
            "",
            "/\t/evil",
            "/ /evil",
            "/%2F/evil",
            "/%5c127.0.0.1",
            "/%2f%2fevil",
            "/a\\b",
            "/\u{0}x",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
    }
}
