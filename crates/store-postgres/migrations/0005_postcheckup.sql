-- Post-checkup measures (事後措置): the rules' judgement of each checkup, the workflow state
-- (denormalised from the append-only steps), the steps themselves (who, when, what; corrections
-- are new steps; a trigger refuses UPDATE, and rows go only when the whole database is wiped), and
-- per-company rule tables.

CREATE TABLE judgements (
    company_id UUID NOT NULL REFERENCES companies(id),
    event_id UUID NOT NULL,
    person_id UUID NOT NULL,
    employment_id UUID,
    checkup_date DATE NOT NULL,
    checkup_kind TEXT COLLATE "C",
    latest BOOLEAN NOT NULL,
    overall TEXT COLLATE "C",
    institution_overall TEXT COLLATE "C",
    differs BOOLEAN NOT NULL,
    has_treated BOOLEAN NOT NULL,
    poorly_controlled BOOLEAN NOT NULL,
    uses_unverified BOOLEAN NOT NULL,
    urgent_tier TEXT COLLATE "C",
    urgent_detected_at TIMESTAMPTZ,
    urgent_closed_at TIMESTAMPTZ,
    guidance_proposed TEXT COLLATE "C",
    work_candidate TEXT COLLATE "C",
    opinion_due DATE,
    followup_due DATE,
    followup_closed_at TIMESTAMPTZ,
    niji_candidate BOOLEAN NOT NULL,
    niji_claim_until DATE,
    stratification TEXT COLLATE "C",
    result_hash TEXT COLLATE "C" NOT NULL,
    rules_version TEXT COLLATE "C" NOT NULL,
    judged_at TIMESTAMPTZ NOT NULL,
    stage TEXT COLLATE "C" NOT NULL,
    guidance TEXT COLLATE "C",
    guidance_at TIMESTAMPTZ,
    work_category TEXT COLLATE "C",
    measures TEXT COLLATE "C",
    valid_until DATE,
    review_on DATE,
    opinion_at TIMESTAMPTZ,
    opinion_by TEXT COLLATE "C",
    hr_ack_at TIMESTAMPTZ,
    closed_at TIMESTAMPTZ,
    PRIMARY KEY (company_id, event_id),
    FOREIGN KEY (company_id, event_id) REFERENCES events(company_id, id)
);
CREATE INDEX judgements_person ON judgements (company_id, person_id, checkup_date);

-- What the rules said, as JSON, apart from the row the dashboard scans (lists join it for the
-- rows they show).
CREATE TABLE judgement_results (
    company_id UUID NOT NULL,
    event_id UUID NOT NULL,
    result TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (company_id, event_id),
    FOREIGN KEY (company_id, event_id) REFERENCES judgements(company_id, event_id)
);
CREATE INDEX judgements_latest ON judgements (company_id, latest, opinion_due);
-- The dashboard: every count in one index-only pass over the latest judgements, and one index
-- per section so a list of 20 reads 20 rows.
CREATE INDEX judgements_counts ON judgements (company_id, latest, urgent_tier, urgent_closed_at, urgent_detected_at,
    opinion_due, opinion_at, niji_candidate, niji_claim_until, stratification, work_category, hr_ack_at);
CREATE INDEX judgements_urgent ON judgements (company_id, latest, urgent_tier);
CREATE INDEX judgements_strat ON judgements (company_id, latest, stratification);
CREATE INDEX judgements_niji ON judgements (company_id, latest, niji_candidate, niji_claim_until);
CREATE INDEX judgements_followup ON judgements (company_id, latest, followup_due);

CREATE TABLE postcheckup_steps (
    company_id UUID NOT NULL REFERENCES companies(id),
    id UUID NOT NULL,
    event_id UUID NOT NULL,
    person_id UUID NOT NULL,
    step TEXT COLLATE "C" NOT NULL,
    payload TEXT COLLATE "C" NOT NULL,
    by_login TEXT COLLATE "C" NOT NULL,
    by_role TEXT COLLATE "C" NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (company_id, id),
    FOREIGN KEY (company_id, event_id) REFERENCES judgements(company_id, event_id)
);
CREATE INDEX postcheckup_steps_event ON postcheckup_steps (company_id, event_id, at);

CREATE FUNCTION postcheckup_steps_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'postcheckup_steps is append-only'; END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER postcheckup_steps_no_update BEFORE UPDATE ON postcheckup_steps
FOR EACH ROW EXECUTE FUNCTION postcheckup_steps_append_only();

CREATE TABLE rule_overrides (
    company_id UUID NOT NULL REFERENCES companies(id),
    table_name TEXT COLLATE "C" NOT NULL,
    content TEXT COLLATE "C" NOT NULL,
    updated_by TEXT COLLATE "C" NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (company_id, table_name)
);

-- The referral and follow-up sections look for a treatment or medication on the timeline since
-- the checkup: an index probe, not a walk over every later event of the person.
CREATE INDEX events_person_kind ON events (company_id, person_id, kind, event_date);
