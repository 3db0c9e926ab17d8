-- Files uploaded on the web (the upload page), kept until committed: several stateless servers
-- share them through the database. The bytes are dropped once the import has run; the row stays
-- as the upload receipt (file name, hash, size, who, when, what happened).
CREATE TABLE uploads (
    company_id BLOB NOT NULL REFERENCES companies(id),
    id BLOB NOT NULL,
    user_id BLOB NOT NULL,
    login TEXT NOT NULL,
    role TEXT NOT NULL,
    kind TEXT NOT NULL,
    profile TEXT,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    bytes BLOB,
    status TEXT NOT NULL,
    phase TEXT NOT NULL,
    report TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (company_id, id)
) WITHOUT ROWID;
CREATE INDEX uploads_by_user ON uploads (company_id, user_id, created_at);
