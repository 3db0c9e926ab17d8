-- Document bundles (文書の一括取込): scans, PDFs and images from a workplace's file storage, kept
-- as blobs with their SHA-256 (the same document twice is stored once), the path they had in the
-- bundle and the hash of the bundle they came in. A document matched to a worker (or assigned by
-- hand later) has its person and the attachment event on the timeline; until then it waits
-- unassigned with the reason.
CREATE TABLE documents (
    company_id BLOB NOT NULL REFERENCES companies(id),
    id BLOB NOT NULL,
    person_id BLOB REFERENCES persons(id),
    employment_id BLOB,
    event_id BLOB,
    sha256 TEXT NOT NULL,
    original_path TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    document_date TEXT,
    title TEXT NOT NULL,
    employee_number TEXT,
    unmatched_reason TEXT,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    source_sha256 TEXT NOT NULL,
    assigned_at TEXT,
    assigned_by TEXT,
    PRIMARY KEY (company_id, id),
    UNIQUE (company_id, sha256)
) WITHOUT ROWID;
CREATE INDEX documents_person ON documents (company_id, person_id);
