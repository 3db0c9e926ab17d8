//! Rows to domain types (and back, for values): the mappers more than one aggregate reads with.

use super::*;

pub(super) fn regime(s: &str) -> Result<iphr_domain::person::WorkRegime> {
    iphr_domain::person::WorkRegime::parse(s).ok_or_else(|| corrupt("work_regime", s))
}

pub(super) fn person_from_row(r: &DbRow) -> Result<Person> {
    Ok(Person {
        id: PersonId(get(r, "p_id")?),
        family_name: get(r, "family_name")?,
        given_name: get(r, "given_name")?,
        family_kana: get(r, "family_kana")?,
        given_kana: get(r, "given_kana")?,
        sex: parse::<Sex>("sex", &get::<String>(r, "sex")?)?,
        birth_date: get(r, "birth_date")?,
        insurer: InsurerIds {
            insurer_number: get(r, "insurer_number")?,
            symbol: get(r, "insured_symbol")?,
            number: get(r, "insured_number")?,
        },
        name_as_delivered: optional(r, "name_as_delivered")?,
        kana_as_delivered: optional(r, "kana_as_delivered")?,
    })
}

pub(super) fn employment_from_row(r: &DbRow) -> Result<Employment> {
    Ok(Employment {
        company_id: CompanyId(get(r, "company_id")?),
        id: EmploymentId(get(r, "id")?),
        person_id: PersonId(get(r, "person_id")?),
        employee_number: get(r, "employee_number")?,
        hire_date: get(r, "hire_date")?,
        leave_date: get(r, "leave_date")?,
    })
}

pub(super) fn event_from_row(r: &DbRow) -> Result<Event> {
    let detail: String = get(r, "detail")?;
    Ok(Event {
        company_id: CompanyId(get(r, "company_id")?),
        id: EventId(get(r, "id")?),
        person_id: get::<Option<Uuid>>(r, "person_id")?.map(PersonId),
        employment_id: get::<Option<Uuid>>(r, "employment_id")?.map(EmploymentId),
        department_id: get::<Option<Uuid>>(r, "department_id")?.map(iphr_domain::DepartmentId),
        kind: parse::<EventKind>("kind", &get::<String>(r, "kind")?)?,
        subkind: get(r, "subkind")?,
        event_date: get(r, "event_date")?,
        title: get(r, "title")?,
        content_class: parse::<InfoClass>("content_class", &get::<String>(r, "content_class")?)?,
        producer: {
            let p: String = get(r, "producer")?;
            p.chars().next().and_then(Producer::from_letter).ok_or_else(|| corrupt("producer", &p))?
        },
        detail: serde_json::from_str(&detail).map_err(|e| corrupt("detail", e))?,
        source_doc: get(r, "source_doc")?,
    })
}

/// The value columns of an observations or observation_history row.
pub(super) fn value_from_row(r: &DbRow) -> Result<Value> {
    let kind: String = get(r, "value_kind")?;
    Ok(match kind.as_str() {
        "number" => Value::Number {
            value: get::<Option<f64>>(r, "num")?.ok_or_else(|| corrupt("num", "missing"))?,
            unit: get::<Option<String>>(r, "unit")?.unwrap_or_default(),
        },
        "coded" => Value::Coded { code: get::<Option<String>>(r, "code")?.ok_or_else(|| corrupt("code", "missing"))? },
        "text" => Value::Text { text: get::<Option<String>>(r, "text")?.unwrap_or_default() },
        "document" => Value::Document {
            reference: get::<Option<String>>(r, "code")?.unwrap_or_default(),
            title: get::<Option<String>>(r, "text")?.unwrap_or_default(),
        },
        "not_done" => Value::NotDone,
        "not_measured" => Value::NotMeasured,
        "beyond_range" => Value::BeyondRange,
        other => return Err(corrupt("value_kind", other)),
    })
}

/// The comparator, H/L and scale columns (a query that does not select the scale reads none).
pub(super) fn qualifier_from_row(r: &DbRow) -> Result<Qualifier> {
    let scale = optional::<i16>(r, "scale")?.and_then(|s| u8::try_from(s).ok());
    Ok(Qualifier {
        comparator: get::<Option<String>>(r, "comparator")?.as_deref().and_then(Comparator::from_symbol),
        flag: get::<Option<String>>(r, "flag")?.as_deref().and_then(RangeFlag::from_letter),
        scale,
    })
}

/// The provenance columns.
pub(super) fn provenance_from_row(r: &DbRow) -> Result<Provenance> {
    Ok(Provenance {
        source_code: get(r, "source_code")?,
        source_text: get(r, "source_text")?,
        raw_value: get(r, "raw_value")?,
        source_doc: get(r, "source_doc")?,
        table_version: get(r, "table_version")?,
    })
}

pub(super) fn observation_from_row(r: &DbRow) -> Result<Observation> {
    let value = value_from_row(r)?;
    let qualifier = qualifier_from_row(r)?;
    Ok(Observation {
        company_id: CompanyId(get(r, "company_id")?),
        id: iphr_domain::ObservationId(get(r, "id")?),
        event_id: EventId(get(r, "event_id")?),
        person_id: PersonId(get(r, "person_id")?),
        employment_id: get::<Option<Uuid>>(r, "employment_id")?.map(EmploymentId),
        item: ItemCode::parse(&get::<String>(r, "item")?).map_err(|e| corrupt("item", e))?,
        atr: DataAtr::parse(&get::<String>(r, "data_atr")?).map_err(|e| corrupt("data_atr", e))?,
        value,
        qualifier,
        info_class: parse::<InfoClass>("info_class", &get::<String>(r, "info_class")?)?,
        event_date: get(r, "event_date")?,
        provenance: provenance_from_row(r)?,
    })
}

pub(super) fn value_columns(v: &Value) -> (Option<f64>, Option<String>, Option<String>, Option<String>) {
    match v {
        Value::Number { value, unit } => (Some(*value), Some(unit.clone()), None, None),
        Value::Coded { code } => (None, None, Some(code.clone()), None),
        Value::Text { text } => (None, None, None, Some(text.clone())),
        Value::Document { reference, title } => (None, None, Some(reference.clone()), Some(title.clone())),
        Value::NotDone | Value::NotMeasured | Value::BeyondRange => (None, None, None, None),
    }
}
