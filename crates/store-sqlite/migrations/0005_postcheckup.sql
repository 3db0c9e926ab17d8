-- Post-checkup measures (事後措置): the rules' judgement of each checkup, the workflow state
-- (denormalised from the append-only steps), the steps themselves (who, when, what; corrections
-- are new steps; a trigger refuses UPDATE, and rows go only when the whole database is wiped), and
-- per-company rule tables.

CREATE TABLE judgements (
    company_id BLOB NOT NULL REFERENCES companies(id),
    event_id BLOB NOT NULL,
    person_id BLOB NOT NULL,
    employment_id BLOB,
    checkup_date TEXT NOT NULL,
    checkup_kind TEXT,
    latest INTEGER NOT NULL,
    overall TEXT,
    institution_overall TEXT,
    differs INTEGER NOT NULL,
    has_treated INTEGER NOT NULL,
    poorly_controlled INTEGER NOT NULL,
    uses_unverified INTEGER NOT NULL,
    urgent_tier TEXT,
    urgent_detected_at TEXT,
    urgent_closed_at TEXT,
    guidance_proposed TEXT,
    work_candidate TEXT,
    opinion_due TEXT,
    followup_due TEXT,
    followup_closed_at TEXT,
    niji_candidate INTEGER NOT NULL,
    niji_claim_until TEXT,
    stratification TEXT,
    result_hash TEXT NOT NULL,
    rules_version TEXT NOT NULL,
    judged_at TEXT NOT NULL,
    stage TEXT NOT NULL,
    guidance TEXT,
    guidance_at TEXT,
    work_category TEXT,
    measures TEXT,
    valid_until TEXT,
    review_on TEXT,
    opinion_at TEXT,
    opinion_by TEXT,
    hr_ack_at TEXT,
    closed_at TEXT,
    PRIMARY KEY (company_id, event_id),
    FOREIGN KEY (company_id, event_id) REFERENCES events(company_id, id)
) WITHOUT ROWID;
CREATE INDEX judgements_person ON judgements (company_id, person_id, checkup_date);

-- What the rules said, as JSON, apart from the row the dashboard scans (lists join it for the
-- rows they show).
CREATE TABLE judgement_results (
    company_id BLOB NOT NULL,
    event_id BLOB NOT NULL,
    result TEXT NOT NULL,
    PRIMARY KEY (company_id, event_id),
    FOREIGN KEY (company_id, event_id) REFERENCES judgements(company_id, event_id)
) WITHOUT ROWID;
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
    company_id BLOB NOT NULL REFERENCES companies(id),
    id BLOB NOT NULL,
    event_id BLOB NOT NULL,
    person_id BLOB NOT NULL,
    step TEXT NOT NULL,
    payload TEXT NOT NULL,
    by_login TEXT NOT NULL,
    by_role TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (company_id, id),
    FOREIGN KEY (company_id, event_id) REFERENCES judgements(company_id, event_id)
) WITHOUT ROWID;
CREATE INDEX postcheckup_steps_event ON postcheckup_steps (company_id, event_id, at);

CREATE TRIGGER postcheckup_steps_no_update BEFORE UPDATE ON postcheckup_steps
BEGIN SELECT RAISE(ABORT, 'postcheckup_steps is append-only'); END;

CREATE TABLE rule_overrides (
    company_id BLOB NOT NULL REFERENCES companies(id),
    table_name TEXT NOT NULL,
    content TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (company_id, table_name)
) WITHOUT ROWID;

-- The referral and follow-up sections look for a treatment or medication on the timeline since
-- the checkup: an index probe, not a walk over every later event of the person.
CREATE INDEX events_person_kind ON events (company_id, person_id, kind, event_date);
