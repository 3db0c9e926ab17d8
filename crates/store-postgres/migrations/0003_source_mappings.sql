-- Mappings a user made for source items no table covered: a source system's code → OHCC item.
-- Later imports of that source use them; held unmapped items are converted when one is made.

CREATE TABLE source_mappings (
    company_id UUID NOT NULL REFERENCES companies(id),
    source_system TEXT COLLATE "C" NOT NULL,
    source_code TEXT COLLATE "C" NOT NULL,
    item TEXT COLLATE "C" NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    created_by TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (company_id, source_system, source_code)
);
