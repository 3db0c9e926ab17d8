-- Work status and the stress check: monthly hours are read by event kind and month, and the
-- stress check runs as campaigns (a company, a period, the high-stress method, the implementer).

CREATE INDEX events_kind_date ON events (company_id, kind, event_date);

CREATE TABLE stress_campaigns (
    company_id UUID NOT NULL REFERENCES companies(id),
    id UUID NOT NULL,
    name TEXT COLLATE "C" NOT NULL,
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    method TEXT COLLATE "C" NOT NULL,
    implementer TEXT COLLATE "C" NOT NULL,
    created_by TEXT COLLATE "C" NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (company_id, id)
);

-- A worker's unfinished questionnaire (answers 1-4, 0 = not yet answered), saved to resume.
CREATE TABLE stress_drafts (
    company_id UUID NOT NULL REFERENCES companies(id),
    campaign_id UUID NOT NULL,
    person_id UUID NOT NULL,
    answers TEXT COLLATE "C" NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (company_id, campaign_id, person_id)
);
