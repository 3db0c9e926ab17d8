-- Files uploaded on the web (the upload page), kept until committed: several stateless servers
-- share them through the database. The bytes are dropped once the import has run; the row stays
-- as the upload receipt (file name, hash, size, who, when, what happened).
CREATE TABLE uploads (
    company_id UUID NOT NULL REFERENCES companies(id),
    id UUID NOT NULL,
    user_id UUID NOT NULL,
    login TEXT COLLATE "C" NOT NULL,
    role TEXT COLLATE "C" NOT NULL,
    kind TEXT COLLATE "C" NOT NULL,
    profile TEXT COLLATE "C",
    file_name TEXT COLLATE "C" NOT NULL,
    sha256 TEXT COLLATE "C" NOT NULL,
    size BIGINT NOT NULL,
    bytes BYTEA,
    status TEXT COLLATE "C" NOT NULL,
    phase TEXT COLLATE "C" NOT NULL,
    report TEXT COLLATE "C",
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (company_id, id)
);
CREATE INDEX uploads_by_user ON uploads (company_id, user_id, created_at);
