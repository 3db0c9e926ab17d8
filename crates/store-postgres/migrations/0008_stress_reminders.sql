-- Reminders to take the stress check (受検勧奨), one row per worker and sending: whether a worker
-- took the check is information the employer may hold (class 1); no result is kept here.
CREATE TABLE stress_reminders (
    company_id UUID NOT NULL REFERENCES companies(id),
    campaign_id UUID NOT NULL,
    person_id UUID NOT NULL,
    sent_at TIMESTAMPTZ NOT NULL,
    sent_by TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (company_id, campaign_id, person_id, sent_at)
);
