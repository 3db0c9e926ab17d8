-- Unit C records the OH staff write (面談記録 of every kind, 保健指導): a draft is kept apart
-- from the timeline until its author finalises it; a final record that is corrected keeps every
-- earlier version (who replaced it, when, why).
CREATE TABLE record_drafts (
    company_id UUID NOT NULL REFERENCES companies(id),
    id UUID NOT NULL,
    person_id UUID NOT NULL REFERENCES persons(id),
    employment_id UUID NOT NULL,
    form TEXT COLLATE "C" NOT NULL,
    fields TEXT COLLATE "C" NOT NULL,
    author TEXT COLLATE "C" NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (company_id, id)
);
CREATE INDEX record_drafts_person ON record_drafts (company_id, person_id);

CREATE TABLE event_history (
    company_id UUID NOT NULL REFERENCES companies(id),
    event_id UUID NOT NULL,
    version INTEGER NOT NULL,
    event TEXT COLLATE "C" NOT NULL,
    superseded_at TIMESTAMPTZ NOT NULL,
    superseded_by TEXT COLLATE "C" NOT NULL,
    reason TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (company_id, event_id, version)
);
