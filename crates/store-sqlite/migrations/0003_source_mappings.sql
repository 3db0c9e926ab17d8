-- Mappings a user made for source items no table covered: a source system's code → OHCC item.
-- Later imports of that source use them; held unmapped items are converted when one is made.

CREATE TABLE source_mappings (
    company_id BLOB NOT NULL REFERENCES companies(id),
    source_system TEXT NOT NULL,
    source_code TEXT NOT NULL,
    item TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (company_id, source_system, source_code)
) WITHOUT ROWID;
