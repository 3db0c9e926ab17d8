//! The unit-C records the OH staff write — 面談記録 of every kind (健康相談, 復職面談, 両立支援,
//! 休業前) and 保健指導 — as forms described by data (`data/record-forms-v1.csv`): each form's
//! title, information class (2018 指針: these are class 3) and the roles that write it; each
//! field's label, input, choices, whether it is required and whether it reaches the employer.
//! [`RecordForm::validate`] checks what was entered and names every field in error.

use crate::event::EventKind;
use crate::info_class::InfoClass;
use crate::role::Role;
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const FORMS_CSV: &str = include_str!("../data/record-forms-v1.csv");

/// How a field is entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// One line.
    Text,
    /// Several lines.
    Textarea,
    /// A date (YYYY-MM-DD).
    Date,
    /// One of the choices.
    Choice,
}

/// One field of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormField {
    /// Key (stored).
    pub key: String,
    /// Japanese label.
    pub label_ja: String,
    /// Input.
    pub input: Input,
    /// Choices (code, label) of a choice field.
    pub choices: Vec<(String, String)>,
    /// Must be filled to finalise.
    pub required: bool,
    /// Reaches the employer: on finalising it becomes part of a class-1 opinion.
    pub to_hr: bool,
}

/// One form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordForm {
    /// Key (the event's subkind).
    pub key: String,
    /// Title.
    pub label_ja: String,
    /// Class of the record's content.
    pub class: InfoClass,
    /// Who may write it.
    pub roles: Vec<Role>,
    /// Where it comes from (shown).
    pub source: String,
    /// The timeline event it writes (an interview, a treatment status, a medication, an
    /// attending physician's document).
    pub kind: EventKind,
    /// Fields in order.
    pub fields: Vec<FormField>,
}

/// A field in error, in words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{label}: {reason}")]
pub struct FieldError {
    /// Field key.
    pub field: String,
    /// Field label.
    pub label: String,
    /// Why.
    pub reason: String,
}

impl RecordForm {
    /// The field of a key.
    pub fn field(&self, key: &str) -> Option<&FormField> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// Whether a role may write this form.
    pub fn allows(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Keeps the form's fields of `input` (trimmed; unknown keys are dropped) and checks them:
    /// dates must be dates, choices one of the choices, and — when `finalising` — required fields
    /// filled. Every field in error is named.
    pub fn validate(
        &self,
        input: &BTreeMap<String, String>,
        finalising: bool,
    ) -> Result<BTreeMap<String, String>, Vec<FieldError>> {
        let mut out = BTreeMap::new();
        let mut errors = Vec::new();
        for f in &self.fields {
            let v = input.get(&f.key).map(|s| s.trim().to_string()).unwrap_or_default();
            let err =
                |reason: &str| FieldError { field: f.key.clone(), label: f.label_ja.clone(), reason: reason.into() };
            if v.is_empty() {
                if finalising && f.required {
                    errors.push(err("入力してください"));
                }
                continue;
            }
            match f.input {
                Input::Date if NaiveDate::parse_from_str(&v, "%Y-%m-%d").is_err() => {
                    errors.push(err("日付は 2026-04-01 の形で入力してください"));
                }
                Input::Choice if !f.choices.iter().any(|(c, _)| *c == v) => {
                    errors.push(err("選択肢から選んでください"))
                }
                Input::Text if v.chars().count() > 200 => errors.push(err("200文字以内で入力してください")),
                Input::Textarea if v.chars().count() > 4000 => errors.push(err("4000文字以内で入力してください")),
                _ => {}
            }
            out.insert(f.key.clone(), v);
        }
        if errors.is_empty() { Ok(out) } else { Err(errors) }
    }

    /// The value of a field as shown (a choice by its label).
    pub fn shown(&self, key: &str, value: &str) -> String {
        match self.field(key) {
            Some(f) if f.input == Input::Choice => {
                f.choices.iter().find(|(c, _)| c == value).map_or_else(|| value.to_string(), |(_, l)| l.clone())
            }
            _ => value.to_string(),
        }
    }

    /// The record's title: the form's, with the chosen step where it has one.
    pub fn title(&self, values: &BTreeMap<String, String>) -> String {
        let choice = self
            .fields
            .iter()
            .find(|f| f.input == Input::Choice && f.required)
            .and_then(|f| values.get(&f.key).map(|v| self.shown(&f.key, v)));
        match choice {
            Some(c) => format!("{}({c})", self.label_ja),
            None => self.label_ja.clone(),
        }
    }
}

impl crate::event::Event {
    /// The class of the fact that this event happened. The kind decides
    /// ([`EventKind::summary_class`]), except for an interview written from a form of
    /// `record-forms` (健康相談, 復職面談, 両立支援, 保健指導 …): that it happened is as sensitive
    /// as what it says (指針 class 3), so the employer does not learn of it without consent.
    pub fn summary_class(&self) -> InfoClass {
        match (self.kind, self.subkind.as_deref().and_then(form)) {
            (EventKind::Interview, Some(f)) => f.class.max(self.kind.summary_class()),
            _ => self.kind.summary_class(),
        }
    }
}

/// The embedded forms, parsed once per process; an error names the row and the field.
pub fn forms() -> Result<&'static [RecordForm], String> {
    static TABLE: OnceLock<Result<Vec<RecordForm>, String>> = OnceLock::new();
    TABLE.get_or_init(|| parse(FORMS_CSV)).as_ref().map(Vec::as_slice).map_err(Clone::clone)
}

/// One form by key.
pub fn form(key: &str) -> Option<&'static RecordForm> {
    forms().ok()?.iter().find(|f| f.key == key)
}

fn parse(text: &str) -> Result<Vec<RecordForm>, String> {
    let mut rdr = csv::ReaderBuilder::new().comment(Some(b'#')).flexible(true).from_reader(text.as_bytes());
    let mut out: Vec<RecordForm> = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let row = i + 1;
        let rec = rec.map_err(|e| format!("record-forms row {row}: {e}"))?;
        let col = |n: usize| rec.get(n).unwrap_or("").trim();
        let bad = |field: &str, why: String| format!("record-forms row {row}, field {field}: {why}");
        let (form, field) = (col(0), col(1));
        if field.is_empty() {
            let class: InfoClass = col(7).parse().map_err(|e| bad("class", format!("{e}")))?;
            let roles = col(8)
                .split_whitespace()
                .map(|r| r.parse::<Role>().map_err(|_| bad("roles", format!("unknown role {r:?}"))))
                .collect::<Result<Vec<_>, _>>()?;
            let kind = match col(10) {
                "" | "interview" => EventKind::Interview,
                "treatment" => EventKind::Treatment,
                "medication" => EventKind::Medication,
                "attachment" => EventKind::Attachment,
                "opinion" => EventKind::Opinion,
                other => {
                    return Err(bad(
                        "kind",
                        format!("{other:?} is not interview, treatment, medication, attachment or opinion"),
                    ));
                }
            };
            out.push(RecordForm {
                key: form.to_string(),
                label_ja: col(2).to_string(),
                class,
                roles,
                source: col(9).to_string(),
                kind,
                fields: vec![],
            });
            continue;
        }
        let input = match col(3) {
            "text" => Input::Text,
            "textarea" => Input::Textarea,
            "date" => Input::Date,
            "choice" => Input::Choice,
            other => return Err(bad("input", format!("{other:?} is not text, textarea, date or choice"))),
        };
        let choices: Vec<(String, String)> = col(4)
            .split('|')
            .filter(|c| !c.is_empty())
            .map(|c| {
                c.split_once(':')
                    .map(|(a, b)| (a.to_string(), b.to_string()))
                    .ok_or_else(|| bad("choices", format!("{c:?} is not code:label")))
            })
            .collect::<Result<_, _>>()?;
        if (input == Input::Choice) == choices.is_empty() {
            return Err(bad("choices", "a choice field lists its choices, and only it".into()));
        }
        let yes = |n: usize, name: &str| match col(n) {
            "yes" => Ok(true),
            "no" | "" => Ok(false),
            other => Err(bad(name, format!("{other:?} is not yes or no"))),
        };
        let f = FormField {
            key: field.to_string(),
            label_ja: col(2).to_string(),
            input,
            choices,
            required: yes(5, "required")?,
            to_hr: yes(6, "to_hr")?,
        };
        let owner = out
            .iter_mut()
            .rev()
            .find(|x| x.key == form)
            .ok_or_else(|| bad("form", format!("{form:?} has no form row before it")))?;
        owner.fields.push(f);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rtw() -> &'static RecordForm {
        form("return_to_work").unwrap_or_else(|| panic!("return_to_work"))
    }

    #[test]
    fn the_embedded_forms_are_complete() {
        let keys: Vec<&str> = forms().unwrap_or_default().iter().map(|f| f.key.as_str()).collect();
        assert_eq!(
            keys,
            vec![
                "consultation",
                "return_to_work",
                "ryoritsu",
                "pre_leave",
                "health_guidance",
                "condition_status",
                "medication",
                "attending_opinion",
                "opinion_letter"
            ]
        );
        let kind = |k: &str| form(k).map(|f| f.kind);
        assert_eq!(kind("return_to_work"), Some(EventKind::Interview));
        assert_eq!(kind("condition_status"), Some(EventKind::Treatment));
        assert_eq!(kind("medication"), Some(EventKind::Medication));
        assert_eq!(kind("attending_opinion"), Some(EventKind::Attachment));
        for f in forms().unwrap_or_default() {
            // The opinion letter's reasons are the 面接指導・健診 results (class 2); the rest class 3.
            let want = if f.key == "opinion_letter" { InfoClass::Class2 } else { InfoClass::Class3 };
            assert_eq!(f.class, want, "{}: the 指針's class", f.key);
            assert!(!f.fields.is_empty() && f.fields.iter().any(|x| x.required), "{}", f.key);
        }
        assert_eq!(rtw().roles, vec![Role::Physician]);
        assert_eq!(rtw().field("step").map(|f| f.choices.len()), Some(5));
        assert_eq!(
            rtw().fields.iter().filter(|f| f.to_hr).map(|f| f.key.as_str()).collect::<Vec<_>>(),
            vec!["considerations"]
        );
    }

    #[test]
    fn validation_names_every_field_and_required_ones_only_when_finalising() {
        let mut input = BTreeMap::new();
        input.insert("step".to_string(), "7".to_string());
        input.insert("next".to_string(), "2026-13-01".to_string());
        input.insert("unknown".to_string(), "dropped".to_string());
        let errs = rtw().validate(&input, false).unwrap_err();
        let named: Vec<(&str, &str)> = errs.iter().map(|e| (e.field.as_str(), e.reason.as_str())).collect();
        assert_eq!(
            named,
            vec![("step", "選択肢から選んでください"), ("next", "日付は 2026-04-01 の形で入力してください")]
        );
        // A draft may leave required fields empty; finalising may not.
        let mut ok = BTreeMap::new();
        ok.insert("step".to_string(), " 3 ".to_string());
        ok.insert("unknown".to_string(), "dropped".to_string());
        let kept = rtw().validate(&ok, false).unwrap_or_default();
        assert_eq!(kept.get("step").map(String::as_str), Some("3"));
        assert!(!kept.contains_key("unknown"));
        let errs = rtw().validate(&ok, true).unwrap_err();
        assert_eq!(errs.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), vec!["condition"]);
        assert_eq!(
            errs.first().map(ToString::to_string).as_deref(),
            Some("本人の状態(睡眠・生活リズム・症状): 入力してください")
        );
        assert_eq!(rtw().title(&kept), "復職面談(第3ステップ 職場復帰の可否の判断及び職場復帰支援プランの作成)");
    }

    #[test]
    fn a_broken_table_names_its_row_and_field() {
        let head = "form,field,label_ja,input,choices,required,to_hr,class,roles,source,kind\n";
        let e = parse(&format!("{head}x,,X,,,,,class3,physician,s\nx,a,A,number,,no,no,,,\n")).unwrap_err();
        assert_eq!(e, "record-forms row 2, field input: \"number\" is not text, textarea, date or choice");
        let e = parse(&format!("{head}x,,X,,,,,class9,physician,s\n")).unwrap_err();
        assert!(e.starts_with("record-forms row 1, field class"), "{e}");
        let e = parse(&format!("{head}y,a,A,text,,no,no,,,\n")).unwrap_err();
        assert!(e.contains("has no form row"), "{e}");
    }
}
