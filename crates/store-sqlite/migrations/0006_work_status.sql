-- Work status and the stress check: monthly hours are read by event kind and month, and the
-- stress check runs as campaigns (a company, a period, the high-stress method, the implementer).

CREATE INDEX events_kind_date ON events (company_id, kind, event_date);

CREATE TABLE stress_campaigns (
    company_id BLOB NOT NULL REFERENCES companies(id),
    id BLOB NOT NULL,
    name TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    method TEXT NOT NULL,
    implementer TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (company_id, id)
) WITHOUT ROWID;

-- A worker's unfinished questionnaire (answers 1-4, 0 = not yet answered), saved to resume.
CREATE TABLE stress_drafts (
    company_id BLOB NOT NULL REFERENCES companies(id),
    campaign_id BLOB NOT NULL,
    person_id BLOB NOT NULL,
    answers TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (company_id, campaign_id, person_id)
) WITHOUT ROWID;
