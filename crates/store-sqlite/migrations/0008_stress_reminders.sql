-- Reminders to take the stress check (受検勧奨), one row per worker and sending: whether a worker
-- took the check is information the employer may hold (class 1); no result is kept here.
CREATE TABLE stress_reminders (
    company_id BLOB NOT NULL REFERENCES companies(id),
    campaign_id BLOB NOT NULL,
    person_id BLOB NOT NULL,
    sent_at TEXT NOT NULL,
    sent_by TEXT NOT NULL,
    PRIMARY KEY (company_id, campaign_id, person_id, sent_at)
) WITHOUT ROWID;
