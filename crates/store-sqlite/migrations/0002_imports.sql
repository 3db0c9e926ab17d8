-- Imports: the files read, corrections with their history, the identity review queue and the
-- unmapped-items queue. Observations gain the comparator and the producer's H/L mark.

ALTER TABLE observations ADD COLUMN comparator TEXT;
ALTER TABLE observations ADD COLUMN flag TEXT;

CREATE TABLE source_files (
    company_id BLOB NOT NULL REFERENCES companies(id),
    id BLOB NOT NULL,
    kind TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    file_name TEXT NOT NULL,
    profile TEXT,
    encoding TEXT,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    summary TEXT NOT NULL,
    PRIMARY KEY (company_id, id),
    UNIQUE (company_id, kind, sha256)
) WITHOUT ROWID;

-- The value an observation had before a correction replaced it.
CREATE TABLE observation_history (
    company_id BLOB NOT NULL,
    id BLOB NOT NULL,
    observation_id BLOB NOT NULL,
    event_id BLOB NOT NULL,
    value_kind TEXT NOT NULL,
    num REAL,
    unit TEXT,
    code TEXT,
    text TEXT,
    comparator TEXT,
    flag TEXT,
    raw_value TEXT,
    source_code TEXT,
    source_text TEXT,
    source_doc TEXT,
    table_version TEXT NOT NULL,
    superseded_at TEXT NOT NULL,
    superseded_by TEXT NOT NULL,
    PRIMARY KEY (company_id, id)
) WITHOUT ROWID;
CREATE INDEX observation_history_observation ON observation_history (company_id, observation_id);

CREATE TABLE identity_queue (
    company_id BLOB NOT NULL REFERENCES companies(id),
    id BLOB NOT NULL,
    source_file_id BLOB NOT NULL,
    line INTEGER NOT NULL,
    reason TEXT NOT NULL,
    identity TEXT NOT NULL,
    candidates TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (company_id, id)
) WITHOUT ROWID;

CREATE TABLE unmapped_items (
    company_id BLOB NOT NULL REFERENCES companies(id),
    id BLOB NOT NULL,
    source_file_id BLOB NOT NULL,
    line INTEGER NOT NULL,
    source_system TEXT NOT NULL,
    source_code TEXT NOT NULL,
    source_text TEXT NOT NULL,
    raw_value TEXT NOT NULL,
    unit TEXT,
    person_id BLOB,
    event_date TEXT,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (company_id, id)
) WITHOUT ROWID;
CREATE INDEX unmapped_items_open ON unmapped_items (company_id, status, source_code);
