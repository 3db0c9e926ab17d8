//! A worker's stress checks and monthly attendance.

use super::*;

impl Ctx<'_, '_> {
    pub(super) fn stress_check(&mut self, date: NaiveDate, lat: &Latent, profile: DeptProfile) {
        let level = lat.stress + normal(&mut self.rng, 0.0, 0.6) + (profile.overtime_mean - 20.0) / 30.0;
        let answers: Vec<u8> = self
            .wg
            .stress_items
            .iter()
            .map(|it| {
                // A stressed person's answers score higher in the sum method.
                let score = (2.0 + 0.55 * level + normal(&mut self.rng, 0.0, 0.8)).round().clamp(1.0, 4.0) as u8;
                if it.reverse_in_sum { 5 - score } else { score }
            })
            .collect();
        let Ok(answers) = Answers::parse(answers) else {
            return;
        };
        let r = stress::score_sum(self.wg.stress_items, &answers, self.wg.criteria);
        let ev = self.event(
            EventKind::StressCheck,
            Some("bjsq57"),
            date,
            "ストレスチェック(57項目)".into(),
            Producer::Worker,
            json!({ "answers": answers.as_slice(), "method": "sum", "criteria": "stress-sum-criteria-v1" }),
        );
        for (item, v) in [(codes::STRESS_A, r.a), (codes::STRESS_B, r.b), (codes::STRESS_C, r.c)] {
            let unit = self.wg.table.get_str(item).map(|d| d.unit.clone()).unwrap_or_default();
            self.obs(ev, date, item, DataKind::Measured, Producer::Worker, Value::Number { value: f64::from(v), unit });
        }
        self.coded(
            ev,
            date,
            codes::HIGH_STRESS,
            DataKind::Judgement,
            Producer::Physician,
            if r.high_stress { "yes" } else { "no" },
        );
        if r.high_stress && self.rng.random::<f64>() < 0.35 {
            // The application for the 面接指導 counts as consent to give the result to the employer
            // (安衛則52条の16).
            let applied = date + Duration::days(self.rng.random_range(7..30));
            let held = applied + Duration::days(self.rng.random_range(7..30));
            if held <= self.wg.cfg.as_of {
                // To that check's result only (安衛法66条の10第2項).
                self.b.consents.push(ConsentGrant {
                    person_id: self.person.id,
                    company_id: self.emp.company_id,
                    info_class: InfoClass::Stress,
                    grantee_role: Role::Hr,
                    event_id: Some(ev),
                });
                let iv = self.event(
                    EventKind::Interview,
                    Some("high_stress"),
                    held,
                    "高ストレス者の面接指導".into(),
                    Producer::Physician,
                    json!({ "basis": "安衛法66条の10", "applied_on": applied.to_string(), "scores": { "A": r.a, "B": r.b, "C": r.c } }),
                );
                self.obs(
                    iv,
                    held,
                    codes::INTERVIEW,
                    DataKind::Text,
                    Producer::Physician,
                    Value::Text {
                        text: "業務量の偏りによる心理的負担。睡眠不足あり。上司との面談を勧める。".into()
                    },
                );
                let op = self.event(
                    EventKind::Opinion,
                    Some("high_stress"),
                    held,
                    "面接指導に基づく医師の意見: 通常勤務(要配慮)".into(),
                    Producer::Physician,
                    json!({ "basis": "安衛法66条の10 5項", "category": "通常勤務", "consideration": "業務量の調整" }),
                );
                self.coded(op, held, codes::WORK_CATEGORY, DataKind::Judgement, Producer::Physician, "0");
            }
        }
    }

    pub(super) fn attendance(&mut self, month: NaiveDate, lat: &Latent, profile: DeptProfile, night: bool) {
        let r = &mut self.rng;
        let spike = r.random::<f64>() < 0.025;
        let recent = month.checked_add_months(chrono::Months::new(4)).is_some_and(|m| m > self.wg.cfg.as_of);
        let base = profile.overtime_mean + lat.overtime_off + normal(r, 0.0, 9.0);
        let mut overtime = (base + if spike { r.random_range(40.0..75.0) } else { 0.0 }).max(0.0);
        if recent && lat.recent_floor > 0.0 {
            overtime = overtime.max(lat.recent_floor + r.random_range(0.0..12.0));
        }
        // Seasonal peak in March.
        if month.month() == 3 {
            overtime *= 1.25;
        }
        let holiday = if r.random::<f64>() < 0.15 { 8.0 * f64::from(r.random_range(1..=2u8)) } else { 0.0 };
        let overtime = round1(overtime);
        let total_ot = round1(overtime + holiday);
        let days = days_in_month(month) as f64;
        // 安衛則52条の2: 時間外・休日労働 = total hours − days ÷ 7 × 40.
        let total = round1(days / 7.0 * 40.0 + total_ot);
        let nights = if night { f64::from(r.random_range(4..=10u8)) } else { 0.0 };
        let title = format!("{}年{}月 勤怠", month.year(), month.month());
        let ev = self.event(
            EventKind::AttendanceMonth,
            None,
            month,
            title,
            Producer::HrSystem,
            json!({ "month": format!("{:04}-{:02}", month.year(), month.month()) }),
        );
        for (item, v) in [
            (codes::OVERTIME_HOLIDAY, total_ot),
            (codes::STATUTORY_OVERTIME, overtime),
            (codes::HOLIDAY_WORK, holiday),
            (codes::TOTAL_HOURS, total),
        ] {
            let unit = self.wg.table.get_str(item).map(|d| d.unit.clone()).unwrap_or_default();
            self.obs(ev, month, item, DataKind::Measured, Producer::HrSystem, Value::Number { value: v, unit });
        }
        if night {
            let unit = self.wg.table.get_str(codes::NIGHT_SHIFTS).map(|d| d.unit.clone()).unwrap_or_default();
            self.obs(
                ev,
                month,
                codes::NIGHT_SHIFTS,
                DataKind::Measured,
                Producer::HrSystem,
                Value::Number { value: nights, unit },
            );
        }
        // 安衛法66条の8: over 80 h → the worker is told and may apply; most do in the demo.
        if total_ot > 80.0 && self.rng.random::<f64>() < 0.7 {
            let held = next_month(month) + Duration::days(self.rng.random_range(5..25));
            if held <= self.wg.cfg.as_of {
                let iv = self.event(
                    EventKind::Interview,
                    Some("long_hours"),
                    held,
                    format!("長時間労働者の面接指導({}年{}月 {:.1}時間)", month.year(), month.month(), total_ot),
                    Producer::Physician,
                    json!({ "basis": "安衛法66条の8", "month": format!("{:04}-{:02}", month.year(), month.month()), "overtime_hours": total_ot }),
                );
                self.obs(
                    iv,
                    held,
                    codes::INTERVIEW,
                    DataKind::Text,
                    Producer::Physician,
                    Value::Text {
                        text: "疲労の蓄積あり。睡眠5時間程度。抑うつ症状なし。".into()
                    },
                );
                let restrict = total_ot > 100.0;
                let op = self.event(
                    EventKind::Opinion,
                    Some("long_hours"),
                    held,
                    format!("面接指導に基づく医師の意見: {}", if restrict { "就業制限" } else { "通常勤務" }),
                    Producer::Physician,
                    json!({ "basis": "安衛法66条の8 4項", "category": if restrict { "就業制限" } else { "通常勤務" },
                            "measures": if restrict { vec!["時間外労働の制限"] } else { vec![] } }),
                );
                self.coded(
                    op,
                    held,
                    codes::WORK_CATEGORY,
                    DataKind::Judgement,
                    Producer::Physician,
                    if restrict { "1" } else { "0" },
                );
                if restrict {
                    let dd = held + Duration::days(5);
                    if dd <= self.wg.cfg.as_of {
                        self.event(
                            EventKind::EmploymentDecision,
                            Some("long_hours"),
                            dd,
                            "就業上の措置: 時間外労働の制限(月45時間まで)".into(),
                            Producer::HrSystem,
                            json!({ "basis": "安衛法66条の8 5項", "measure": "時間外労働の制限", "limit_hours": 45 }),
                        );
                    }
                }
            }
        }
    }

    /// The showcase worker's unit-C records as the OH staff would have written them from the
    /// forms of `record-forms` (a health consultation, health guidance, and the nurse's note of the
    /// treatment the worker reported): the workspace shows each kind.
    pub(super) fn showcase_records(&mut self) {
        let as_of = self.wg.cfg.as_of;
        let records: [(&str, i64, serde_json::Value); 3] = [
            (
                "consultation",
                200,
                json!({ "topic": "夜勤明けに眠れない。休日も疲れが残る", "advice": "就寝前のスマートフォンを控える。睡眠の記録をつけて次回持参", "next": (as_of - Duration::days(170)).to_string() }),
            ),
            (
                "health_guidance",
                120,
                json!({ "topic": "血圧と減塩", "advice": "家庭血圧の測定方法、減塩の目安(1日6g未満)", "goals": "朝晩の家庭血圧を記録する。麺類の汁を残す", "followup": (as_of - Duration::days(30)).to_string() }),
            ),
            (
                "consultation",
                40,
                json!({ "topic": "残業が続き、寝つきが悪い", "advice": "上司と業務量を相談するよう助言。長時間労働の面接指導の申出を案内" }),
            ),
        ];
        for (form, days_ago, fields) in records {
            let producer = if form == "consultation" { Producer::OhStaff } else { Producer::Physician };
            self.form_record(form, as_of - Duration::days(days_ago), producer, fields);
        }
    }

    /// A leave and the return to work, as the physician would have recorded them from the forms.
    pub(super) fn return_to_work_records(&mut self) {
        let as_of = self.wg.cfg.as_of;
        let d = |days: i64| as_of - Duration::days(days);
        let records: [(&str, i64, serde_json::Value); 5] = [
            (
                "pre_leave",
                210,
                json!({ "reason": "不眠と抑うつ気分が続き、主治医から休業を勧められた", "period": "約3か月", "contact": "月1回、人事からメールで連絡", "notes": "休業中は治療に専念。傷病手当金の手続きを案内" }),
            ),
            (
                "return_to_work",
                120,
                json!({ "step": "2", "attending": "復職可能(短時間勤務から)との診断書", "condition": "睡眠は7時間、日中の眠気なし。生活記録表で起床時刻が安定", "next": d(106).to_string() }),
            ),
            (
                "return_to_work",
                105,
                json!({ "step": "3", "condition": "通勤訓練を2週間実施。疲労感なし", "considerations": "1か月は6時間勤務、残業なし。2か月目から通常勤務", "next": d(75).to_string() }),
            ),
            (
                "return_to_work",
                75,
                json!({ "step": "5", "condition": "通常勤務に戻り、睡眠・気分とも安定", "considerations": "当面、深夜業は避ける", "next": (as_of + Duration::days(10)).to_string() }),
            ),
            (
                "ryoritsu",
                60,
                json!({ "condition": "うつ病(通院中)", "treatment": "月1回の通院。服薬継続", "considerations": "通院日の時間単位年休を認める" }),
            ),
        ];
        for (form, days_ago, fields) in records {
            self.form_record(form, d(days_ago), Producer::Physician, fields);
        }
    }

    /// One record written from a form of `record-forms` (an interview of class 3), signed by the
    /// demo's physician or nurse as the producer says.
    fn form_record(&mut self, form: &str, day: NaiveDate, producer: Producer, fields: serde_json::Value) {
        let title = iphr_domain::record_form::form(form).map_or_else(|| form.to_string(), |f| f.label_ja.clone());
        let signer = if producer == Producer::OhStaff { "保健 花子" } else { "産業 太郎" };
        let id = self.event(
            EventKind::Interview,
            Some(form),
            day,
            title,
            producer,
            json!({ "form": form, "fields": fields, "signed": { "name": signer, "login": "demo", "at": format!("{day}T09:00:00+00:00") } }),
        );
        // The records are class 3 (指針): the generic event helper gives the kind's default.
        if let Some(e) = self.b.events.iter_mut().find(|e| e.id == id) {
            e.content_class = InfoClass::Class3;
        }
    }
}
