//! A worker's checkups: periodic, special (特殊健診), with values drawn from their latent state.

use super::*;

impl Ctx<'_, '_> {
    pub(super) fn checkup(&mut self, kind: CheckupKind, date: NaiveDate, lat: &Latent, _solvent: bool) {
        let age = f64::from(age_on(self.person.birth_date, date));
        let male = self.person.sex == Sex::Male;
        let years_on = (age - 20.0).max(0.0);
        let title = kind.label_ja().to_string();
        // The institutions of the shipped profiles, with their (fictional) 医療機関番号.
        let (institution, number) =
            [("公益財団法人 みなと健診センター", "1319990011"), ("医療法人 さくら会 健診クリニック", "4019990022")]
                [usize::from(self.person.id.0.as_bytes()[15] % 2)];
        let ev = self.event(
            EventKind::Checkup,
            Some(kind.as_str()),
            date,
            title,
            Producer::Institution,
            json!({ "institution": institution, "institution_number": number }),
        );
        let r = &mut self.rng;
        let bmi = (lat.bmi + 0.08 * years_on + normal(r, 0.0, 0.5)).clamp(15.0, 45.0);
        let h = lat.height;
        let weight = round1(bmi * (h / 100.0).powi(2));
        let bmi = round1(weight / (h / 100.0).powi(2));
        let waist = round1(if male { 2.6 * bmi + 22.0 } else { 2.5 * bmi + 24.0 } + normal(r, 0.0, 3.0));
        let sbp = (102.0
            + 0.55 * years_on
            + 1.3 * (bmi - 22.0)
            + if male { 6.0 } else { 0.0 }
            + lat.sbp_off
            + normal(r, 0.0, 7.0))
        .round()
        .clamp(80.0, 230.0);
        let dbp = (0.62 * sbp + normal(r, 0.0, 6.0) - 4.0).round().clamp(45.0, 140.0);
        let hb = round1(if lat.anemic {
            normal(r, 10.6, 0.9)
        } else if male {
            normal(r, 14.9, 1.0)
        } else {
            normal(r, 13.1, 0.9)
        });
        let rbc = (if male { normal(r, 490.0, 32.0) } else { normal(r, 440.0, 30.0) }
            * if lat.anemic { 0.88 } else { 1.0 })
        .round();
        let ggt = (if lat.drinker { normal(r, 4.6, 0.5) } else { normal(r, if male { 3.3 } else { 2.8 }, 0.4) })
            .exp()
            .round()
            .max(5.0);
        let ast = (normal(r, 3.05, 0.25).exp() + if lat.drinker { 8.0 } else { 0.0 }).round();
        let alt = (normal(r, 2.9 + 0.05 * (bmi - 22.0), 0.35).exp()).round().max(5.0);
        let ldl = (105.0 + 0.9 * years_on + lat.ldl_off + normal(r, 0.0, 10.0)).round().clamp(40.0, 300.0);
        let hdl = (if male { 55.0 } else { 68.0 } - 0.8 * (bmi - 22.0) + lat.hdl_off + normal(r, 0.0, 4.0))
            .round()
            .clamp(20.0, 120.0);
        let tg = ((if male { 95.0 } else { 70.0 })
            * lat.tg_factor
            * (1.0 + 0.06 * (bmi - 22.0))
            * normal(r, 0.0, 0.2).exp())
        .round()
        .clamp(25.0, 1500.0);
        let diabetic = lat.diabetic_from.is_some_and(|a| age >= f64::from(a));
        let fpg = if diabetic {
            normal(r, if self.treated { 135.0 } else { 160.0 }, 25.0)
        } else {
            normal(r, 88.0 + 0.15 * years_on + 0.6 * (bmi - 22.0), 7.0)
        }
        .round()
        .clamp(60.0, 450.0);
        let hba1c = round1(((fpg + 46.7) / 28.7 + normal(r, 0.0, 0.2)).clamp(4.0, 14.0));
        let protein = {
            let x: f64 = r.random();
            if x < 0.90 {
                "neg"
            } else if x < 0.95 {
                "trace"
            } else if x < 0.985 {
                "1p"
            } else if x < 0.997 {
                "2p"
            } else {
                "3p"
            }
        };
        let sugar = if fpg >= 200.0 {
            "2p"
        } else if fpg >= 170.0 {
            "1p"
        } else {
            "neg"
        };
        for (item, v) in [
            (codes::HEIGHT, round1(h)),
            (codes::WEIGHT, weight),
            (codes::WAIST, waist),
            (codes::BMI, bmi),
            (codes::SBP, sbp),
            (codes::DBP, dbp),
            (codes::HB, hb),
            (codes::RBC, rbc),
            (codes::AST, ast),
            (codes::ALT, alt),
            (codes::GGT, ggt),
            (codes::LDL, ldl),
            (codes::HDL, hdl),
            (codes::TG, tg),
            (codes::FPG, fpg),
            (codes::HBA1C, hba1c),
        ] {
            self.num(ev, date, item, v);
        }
        self.coded(ev, date, codes::URINE_PROTEIN, DataKind::Qualitative, Producer::Institution, protein);
        self.coded(ev, date, codes::URINE_SUGAR, DataKind::Qualitative, Producer::Institution, sugar);
        // 問診 (特定健診 標準的な質問票 1–3, 8), delivered with the institution's results as in the MHLW
        // XML: medication answers follow the treatment started after an earlier checkup; a quarter
        // of the workforce smokes.
        let cond = self.treated_cond;
        let smoker = self.person.id.0.as_bytes()[14].is_multiple_of(4);
        for (item, yes) in [
            (codes::MED_BP, cond == Some("高血圧症")),
            (codes::MED_GLUCOSE, cond == Some("2型糖尿病")),
            (codes::MED_LIPIDS, cond == Some("脂質異常症")),
            (codes::SMOKING, smoker),
        ] {
            self.coded(ev, date, item, DataKind::Qualitative, Producer::Institution, if yes { "yes" } else { "no" });
        }
        if kind != CheckupKind::SpecificWork {
            // Non-statutory items the employer added (class 3).
            let r = &mut self.rng;
            let cr =
                (if male { normal(r, 0.88, 0.12) } else { normal(r, 0.66, 0.1) } + 0.004 * years_on).clamp(0.3, 8.0);
            let cr = (cr * 100.0).round() / 100.0;
            // 日本腎臓学会 eGFR式: 194 × Cr^-1.094 × age^-0.287 (× 0.739 for women).
            let egfr = round1(194.0 * cr.powf(-1.094) * age.max(18.0).powf(-0.287) * if male { 1.0 } else { 0.739 });
            let ua = round1(
                (if male { normal(r, 6.0, 1.1) } else { normal(r, 4.5, 0.9) } + 0.08 * (bmi - 22.0)).clamp(1.5, 12.0),
            );
            let blood = if r.random::<f64>() < if male { 0.05 } else { 0.12 } { "1p" } else { "neg" };
            self.num(ev, date, codes::CREATININE, cr);
            self.num(ev, date, codes::EGFR, egfr);
            self.num(ev, date, codes::URIC_ACID, ua);
            self.coded(ev, date, codes::URINE_BLOOD, DataKind::Qualitative, Producer::Institution, blood);
        }
        // The institution's own overall 診断区分, as delivered with the results (imitated; iphr
        // judges from its rule tables separately).
        let overall = if sbp >= 160.0
            || dbp >= 100.0
            || fpg >= 126.0
            || hba1c >= 6.5
            || ldl >= 180.0
            || hb < 10.0
            || ggt >= 200.0
        {
            "D"
        } else if sbp >= 140.0
            || dbp >= 90.0
            || fpg >= 110.0
            || ldl >= 140.0
            || tg >= 300.0
            || ggt >= 101.0
            || alt >= 51.0
            || protein != "neg" && protein != "trace"
        {
            "C"
        } else if sbp >= 130.0 || ldl >= 120.0 || bmi >= 25.0 || fpg >= 100.0 || hdl < 40.0 {
            "B"
        } else {
            "A"
        };
        self.coded(ev, date, codes::OVERALL, DataKind::Judgement, Producer::Institution, overall);
        let diagnosis = match overall {
            "D" if sbp >= 160.0 => "高血圧。要精密検査・治療",
            "D" if fpg >= 126.0 || hba1c >= 6.5 => "糖尿病の疑い。要精密検査・治療",
            "D" => "要精密検査・治療",
            "C" => "要再検査・生活改善",
            "B" => "軽度異常あり",
            _ => "異常なし",
        };
        self.obs(
            ev,
            date,
            codes::DIAGNOSIS,
            DataKind::Text,
            Producer::Institution,
            Value::Text { text: diagnosis.into() },
        );

        // 安衛法66条の4: the physician's opinion for workers with findings; 66条の5: the measure.
        if matches!(overall, "C" | "D") {
            let op_date = date + Duration::days(self.rng.random_range(20..75));
            if op_date <= self.wg.cfg.as_of {
                let restrict = overall == "D" && (sbp >= 180.0 || fpg >= 250.0);
                let (code, label) = if restrict { ("1", "就業制限") } else { ("0", "通常勤務") };
                let op = self.event(
                    EventKind::Opinion,
                    Some("post_checkup"),
                    op_date,
                    format!("健診結果に基づく医師の意見: {label}"),
                    Producer::Physician,
                    json!({ "basis": "安衛法66条の4", "checkup_date": date.to_string(), "category": label,
                            "measures": if restrict { vec!["時間外労働の制限", "深夜業の回数の減少"] } else { vec![] },
                            "review": if restrict { Some((op_date + Duration::days(90)).to_string()) } else { None } }),
                );
                self.coded(op, op_date, codes::WORK_CATEGORY, DataKind::Judgement, Producer::Physician, code);
                self.coded(
                    op,
                    op_date,
                    codes::GUIDANCE,
                    DataKind::Judgement,
                    Producer::OhStaff,
                    if overall == "D" { "4" } else { "1" },
                );
                if restrict {
                    let dd = op_date + Duration::days(7);
                    if dd <= self.wg.cfg.as_of {
                        self.event(
                            EventKind::EmploymentDecision,
                            Some("post_checkup"),
                            dd,
                            "就業上の措置: 時間外労働の制限(月20時間まで)".into(),
                            Producer::HrSystem,
                            json!({ "basis": "安衛法66条の5", "measure": "時間外労働の制限", "limit_hours": 20, "until": (dd + Duration::days(90)).to_string() }),
                        );
                    }
                }
            }
            if overall == "D" && !self.treated && (self.showcase || self.rng.random::<f64>() < 0.6) {
                self.treated = true;
                let td = date + Duration::days(self.rng.random_range(30..120));
                if td <= self.wg.cfg.as_of {
                    let cond = if sbp >= 160.0 {
                        "高血圧症"
                    } else if fpg >= 126.0 || hba1c >= 6.5 {
                        "2型糖尿病"
                    } else {
                        "脂質異常症"
                    };
                    self.treated_cond = Some(cond);
                    let drug = match cond {
                        "高血圧症" => "アムロジピン錠5mg 1日1回",
                        "2型糖尿病" => "メトホルミン錠250mg 1日2回",
                        _ => "ロスバスタチン錠2.5mg 1日1回",
                    };
                    self.event(
                        EventKind::Treatment,
                        None,
                        td,
                        format!("{cond} 治療開始"),
                        Producer::AttendingPhysician,
                        json!({ "condition": cond, "status": "in_treatment", "status_label": "治療中" }),
                    );
                    self.event(
                        EventKind::Medication,
                        None,
                        td,
                        drug.to_string(),
                        Producer::AttendingPhysician,
                        json!({ "drug": drug, "condition": cond }),
                    );
                }
            }
        }
    }

    pub(super) fn special_checkup(&mut self, date: NaiveDate, agent: Option<&str>) {
        if date > self.wg.cfg.as_of {
            return;
        }
        let x: f64 = self.rng.random();
        // Urinary metabolite: mostly low, a few above the 分布 boundaries.
        let (item, dist_item, value, b1, b2): (&str, &str, f64, f64, f64) = match agent {
            Some("xylene") => {
                let v = if x < 0.93 {
                    self.rng.random_range(0.02..0.45)
                } else if x < 0.99 {
                    self.rng.random_range(0.55..1.4)
                } else {
                    self.rng.random_range(1.6..2.5)
                };
                (codes::METHYLHIPPURIC, codes::METHYLHIPPURIC_DIST, v, 0.5, 1.5)
            }
            Some("toluene") => {
                let v = if x < 0.93 {
                    self.rng.random_range(0.05..0.9)
                } else if x < 0.99 {
                    self.rng.random_range(1.1..2.4)
                } else {
                    self.rng.random_range(2.6..3.5)
                };
                (codes::HIPPURIC, codes::HIPPURIC_DIST, v, 1.0, 2.5)
            }
            _ => ("", "", 0.0, 0.0, 0.0),
        };
        let value = (value * 100.0).round() / 100.0;
        // 分布 boundaries from the 有機則 個人票 (生物学的モニタリング, docs/sources.md [ANZENINFO]: 馬尿酸 1 / 2.5 g/L, メチル馬尿酸 0.5 / 1.5 g/L).
        let dist = if value <= b1 {
            1
        } else if value <= b2 {
            2
        } else {
            3
        };
        let ev = self.event(
            EventKind::Checkup,
            Some(CheckupKind::Special.as_str()),
            date,
            "有機溶剤健康診断".into(),
            Producer::Institution,
            json!({
                "basis": "有機則29条",
                "findings": if dist == 1 { "所見なし" } else { "尿中代謝物 分布2以上: 作業環境の確認を要す" },
                "institution": "公益財団法人 みなと健診センター",
                "institution_number": "1319990011",
            }),
        );
        if !item.is_empty() {
            self.num(ev, date, item, value);
            self.coded(ev, date, dist_item, DataKind::Qualitative, Producer::Institution, &dist.to_string());
        }
    }
}
