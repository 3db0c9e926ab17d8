-- Imports: the files read, corrections with their history, the identity review queue and the
-- unmapped-items queue. Observations gain the comparator and the producer's H/L mark.

ALTER TABLE observations ADD COLUMN comparator TEXT COLLATE "C";
ALTER TABLE observations ADD COLUMN flag TEXT COLLATE "C";

CREATE TABLE source_files (
    company_id UUID NOT NULL REFERENCES companies(id),
    id UUID NOT NULL,
    kind TEXT COLLATE "C" NOT NULL,
    sha256 TEXT COLLATE "C" NOT NULL,
    file_name TEXT COLLATE "C" NOT NULL,
    profile TEXT COLLATE "C",
    encoding TEXT COLLATE "C",
    imported_at TIMESTAMPTZ NOT NULL,
    imported_by TEXT COLLATE "C" NOT NULL,
    summary TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (company_id, id),
    UNIQUE (company_id, kind, sha256)
);

-- The value an observation had before a correction replaced it.
CREATE TABLE observation_history (
    company_id UUID NOT NULL,
    id UUID NOT NULL,
    observation_id UUID NOT NULL,
    event_id UUID NOT NULL,
    value_kind TEXT COLLATE "C" NOT NULL,
    num DOUBLE PRECISION,
    unit TEXT COLLATE "C",
    code TEXT COLLATE "C",
    text TEXT COLLATE "C",
    comparator TEXT COLLATE "C",
    flag TEXT COLLATE "C",
    raw_value TEXT COLLATE "C",
    source_code TEXT COLLATE "C",
    source_text TEXT COLLATE "C",
    source_doc TEXT COLLATE "C",
    table_version TEXT COLLATE "C" NOT NULL,
    superseded_at TIMESTAMPTZ NOT NULL,
    superseded_by TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (company_id, id)
);
CREATE INDEX observation_history_observation ON observation_history (company_id, observation_id);

CREATE TABLE identity_queue (
    company_id UUID NOT NULL REFERENCES companies(id),
    id UUID NOT NULL,
    source_file_id UUID NOT NULL,
    line BIGINT NOT NULL,
    reason TEXT COLLATE "C" NOT NULL,
    identity TEXT COLLATE "C" NOT NULL,
    candidates TEXT COLLATE "C" NOT NULL,
    payload TEXT COLLATE "C" NOT NULL,
    status TEXT COLLATE "C" NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (company_id, id)
);

CREATE TABLE unmapped_items (
    company_id UUID NOT NULL REFERENCES companies(id),
    id UUID NOT NULL,
    source_file_id UUID NOT NULL,
    line BIGINT NOT NULL,
    source_system TEXT COLLATE "C" NOT NULL,
    source_code TEXT COLLATE "C" NOT NULL,
    source_text TEXT COLLATE "C" NOT NULL,
    raw_value TEXT COLLATE "C" NOT NULL,
    unit TEXT COLLATE "C",
    person_id UUID,
    event_date DATE,
    status TEXT COLLATE "C" NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (company_id, id)
);
CREATE INDEX unmapped_items_open ON unmapped_items (company_id, status, source_code);
