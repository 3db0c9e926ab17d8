//! Writing a worker's events and observations into the batch.

use super::*;

pub(super) struct Ctx<'g, 'b> {
    pub(super) rng: ChaCha8Rng,
    pub(super) emp: &'g Employment,
    pub(super) person: &'g Person,
    pub(super) b: &'b mut Batch,
    pub(super) wg: &'g WorkerGenerator<'g>,
    pub(super) treated: bool,
    /// The condition under treatment (for the questionnaire's 服薬 answers).
    pub(super) treated_cond: Option<&'static str>,
    /// The showcase worker ([`super::SHOWCASE_WORKER`]): treatment of a D finding is certain.
    pub(super) showcase: bool,
}

impl Ctx<'_, '_> {
    pub(super) fn event(
        &mut self,
        kind: EventKind,
        subkind: Option<&str>,
        date: NaiveDate,
        title: String,
        producer: Producer,
        detail: serde_json::Value,
    ) -> EventId {
        let id = EventId(id_on(&mut self.rng, date));
        self.b.events.push(Event {
            company_id: self.emp.company_id,
            id,
            person_id: Some(self.person.id),
            employment_id: Some(self.emp.id),
            department_id: None,
            kind,
            subkind: subkind.map(str::to_string),
            event_date: date,
            title,
            content_class: kind.default_content_class(),
            producer,
            detail,
            source_doc: Some(self.wg.source.clone()),
        });
        id
    }

    pub(super) fn obs(
        &mut self,
        event: EventId,
        date: NaiveDate,
        item: &str,
        kind: DataKind,
        producer: Producer,
        value: Value,
    ) {
        let Ok(code) = ItemCode::parse(item) else {
            return;
        };
        let Some(def) = self.wg.table.get(&code) else {
            return;
        };
        let raw = match &value {
            Value::Number { value, .. } => format!("{value}"),
            Value::Coded { code } => code.clone(),
            Value::Text { text } => text.clone(),
            Value::Document { title, .. } => title.clone(),
            other => other.kind().to_string(),
        };
        let (jlac, name, class) = (def.jlac10.clone(), def.name_ja.clone(), def.info_class);
        self.b.observations.push(Observation {
            company_id: self.emp.company_id,
            id: ObservationId(id_on(&mut self.rng, date)),
            event_id: event,
            person_id: self.person.id,
            employment_id: Some(self.emp.id),
            item: code,
            atr: DataAtr { kind, producer, seq: 1 },
            value,
            qualifier: Default::default(),
            info_class: class,
            event_date: date,
            provenance: Provenance {
                source_code: (!jlac.is_empty()).then_some(jlac),
                source_text: Some(name),
                raw_value: Some(raw),
                source_doc: Some(self.wg.source.clone()),
                table_version: self.wg.table.version.clone(),
            },
        });
    }

    pub(super) fn num(&mut self, ev: EventId, date: NaiveDate, item: &str, v: f64) {
        let unit = self.wg.table.get_str(item).map(|d| d.unit.clone()).unwrap_or_default();
        self.obs(ev, date, item, DataKind::Measured, Producer::Institution, Value::Number { value: v, unit });
    }

    pub(super) fn coded(
        &mut self,
        ev: EventId,
        date: NaiveDate,
        item: &str,
        kind: DataKind,
        producer: Producer,
        code: &str,
    ) {
        self.obs(ev, date, item, kind, producer, Value::Coded { code: code.into() });
    }
}
