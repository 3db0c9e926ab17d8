-- Document bundles (文書の一括取込): scans, PDFs and images from a workplace's file storage, kept
-- as blobs with their SHA-256 (the same document twice is stored once), the path they had in the
-- bundle and the hash of the bundle they came in. A document matched to a worker (or assigned by
-- hand later) has its person and the attachment event on the timeline; until then it waits
-- unassigned with the reason.
CREATE TABLE documents (
    company_id UUID NOT NULL REFERENCES companies(id),
    id UUID NOT NULL,
    person_id UUID REFERENCES persons(id),
    employment_id UUID,
    event_id UUID,
    sha256 TEXT COLLATE "C" NOT NULL,
    original_path TEXT COLLATE "C" NOT NULL,
    content_type TEXT COLLATE "C" NOT NULL,
    size BIGINT NOT NULL,
    bytes BYTEA NOT NULL,
    document_date DATE,
    title TEXT COLLATE "C" NOT NULL,
    employee_number TEXT COLLATE "C",
    unmatched_reason TEXT COLLATE "C",
    imported_at TIMESTAMPTZ NOT NULL,
    imported_by TEXT COLLATE "C" NOT NULL,
    source_sha256 TEXT COLLATE "C" NOT NULL,
    assigned_at TIMESTAMPTZ,
    assigned_by TEXT COLLATE "C",
    PRIMARY KEY (company_id, id),
    UNIQUE (company_id, sha256)
);
CREATE INDEX documents_person ON documents (company_id, person_id);
