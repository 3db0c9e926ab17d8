-- Unit C records the OH staff write (面談記録 of every kind, 保健指導): a draft is kept apart
-- from the timeline until its author finalises it; a final record that is corrected keeps every
-- earlier version (who replaced it, when, why).
CREATE TABLE record_drafts (
    company_id BLOB NOT NULL REFERENCES companies(id),
    id BLOB NOT NULL,
    person_id BLOB NOT NULL REFERENCES persons(id),
    employment_id BLOB NOT NULL,
    form TEXT NOT NULL,
    fields TEXT NOT NULL,
    author TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (company_id, id)
) WITHOUT ROWID;
CREATE INDEX record_drafts_person ON record_drafts (company_id, person_id);

CREATE TABLE event_history (
    company_id BLOB NOT NULL REFERENCES companies(id),
    event_id BLOB NOT NULL,
    version INTEGER NOT NULL,
    event TEXT NOT NULL,
    superseded_at TEXT NOT NULL,
    superseded_by TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (company_id, event_id, version)
) WITHOUT ROWID;
