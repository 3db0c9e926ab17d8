-- iphr foundation schema, SQLite edition. The PostgreSQL edition has the same tables, columns
-- and version numbers (crates/store-postgres/migrations). UUIDs are BLOB(16); dates ISO text.
-- Every tenant-scoped table keys on company_id first (ready for distribution by company).

CREATE TABLE companies (
    id BLOB PRIMARY KEY NOT NULL,
    name TEXT NOT NULL
);

CREATE TABLE establishments (
    company_id BLOB NOT NULL REFERENCES companies(id),
    id BLOB NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (company_id, id)
) WITHOUT ROWID;

CREATE TABLE departments (
    company_id BLOB NOT NULL,
    id BLOB NOT NULL,
    establishment_id BLOB NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (company_id, id),
    FOREIGN KEY (company_id, establishment_id) REFERENCES establishments(company_id, id)
) WITHOUT ROWID;

-- The person owns the lifelong record; not tenant-scoped. No My Number column, by design.
CREATE TABLE persons (
    id BLOB PRIMARY KEY NOT NULL,
    family_name TEXT NOT NULL,
    given_name TEXT NOT NULL,
    family_kana TEXT NOT NULL,
    given_kana TEXT NOT NULL,
    sex TEXT NOT NULL CHECK (sex IN ('male', 'female')),
    birth_date TEXT NOT NULL,
    insurer_number TEXT,
    insured_symbol TEXT,
    insured_number TEXT
);

CREATE TABLE employments (
    company_id BLOB NOT NULL REFERENCES companies(id),
    id BLOB NOT NULL,
    person_id BLOB NOT NULL REFERENCES persons(id),
    employee_number TEXT NOT NULL,
    hire_date TEXT NOT NULL,
    leave_date TEXT,
    search_key TEXT NOT NULL,
    PRIMARY KEY (company_id, id),
    UNIQUE (company_id, employee_number)
) WITHOUT ROWID;
CREATE INDEX employments_person ON employments (person_id);

CREATE TABLE assignments (
    company_id BLOB NOT NULL,
    id BLOB NOT NULL,
    employment_id BLOB NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    establishment_id BLOB NOT NULL,
    department_id BLOB NOT NULL,
    position TEXT NOT NULL,
    work_content TEXT NOT NULL,
    night_work INTEGER NOT NULL,
    PRIMARY KEY (company_id, id),
    FOREIGN KEY (company_id, employment_id) REFERENCES employments(company_id, id),
    FOREIGN KEY (company_id, department_id) REFERENCES departments(company_id, id)
) WITHOUT ROWID;
CREATE INDEX assignments_employment ON assignments (company_id, employment_id, valid_from);
CREATE INDEX assignments_department ON assignments (company_id, department_id);

CREATE TABLE exposures (
    company_id BLOB NOT NULL,
    id BLOB NOT NULL,
    employment_id BLOB NOT NULL,
    agent TEXT NOT NULL,
    agent_name TEXT NOT NULL,
    regulation TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    protection TEXT NOT NULL,
    PRIMARY KEY (company_id, id),
    FOREIGN KEY (company_id, employment_id) REFERENCES employments(company_id, id)
) WITHOUT ROWID;
CREATE INDEX exposures_employment ON exposures (company_id, employment_id);

CREATE TABLE events (
    company_id BLOB NOT NULL REFERENCES companies(id),
    id BLOB NOT NULL,
    person_id BLOB REFERENCES persons(id),
    employment_id BLOB,
    department_id BLOB,
    kind TEXT NOT NULL,
    subkind TEXT,
    event_date TEXT NOT NULL,
    title TEXT NOT NULL,
    content_class TEXT NOT NULL,
    producer TEXT NOT NULL,
    detail TEXT NOT NULL,
    source_doc TEXT,
    PRIMARY KEY (company_id, id)
) WITHOUT ROWID;
CREATE INDEX events_person ON events (company_id, person_id, event_date);
CREATE INDEX events_department ON events (company_id, department_id, event_date) WHERE person_id IS NULL;

CREATE TABLE observations (
    company_id BLOB NOT NULL,
    id BLOB NOT NULL,
    event_id BLOB NOT NULL,
    person_id BLOB NOT NULL,
    employment_id BLOB,
    item TEXT NOT NULL,
    data_atr TEXT NOT NULL,
    value_kind TEXT NOT NULL,
    num REAL,
    unit TEXT,
    code TEXT,
    text TEXT,
    info_class TEXT NOT NULL,
    event_date TEXT NOT NULL,
    source_code TEXT,
    source_text TEXT,
    raw_value TEXT,
    source_doc TEXT,
    table_version TEXT NOT NULL,
    -- Keyed by event: a checkup's observations are one range of the primary key, no extra index.
    PRIMARY KEY (company_id, event_id, id),
    FOREIGN KEY (company_id, event_id) REFERENCES events(company_id, id)
) WITHOUT ROWID;
CREATE INDEX observations_person ON observations (company_id, person_id, event_date);

CREATE TABLE consents (
    company_id BLOB NOT NULL REFERENCES companies(id),
    id BLOB NOT NULL,
    person_id BLOB NOT NULL REFERENCES persons(id),
    info_class TEXT NOT NULL,
    grantee_role TEXT NOT NULL,
    given_at TEXT NOT NULL,
    revoked_at TEXT,
    PRIMARY KEY (company_id, id)
) WITHOUT ROWID;
CREATE INDEX consents_person ON consents (person_id);

CREATE TABLE policy_overrides (
    company_id BLOB NOT NULL REFERENCES companies(id),
    role TEXT NOT NULL,
    info_class TEXT NOT NULL,
    access TEXT NOT NULL,
    PRIMARY KEY (company_id, role, info_class)
) WITHOUT ROWID;

CREATE TABLE users (
    id BLOB PRIMARY KEY NOT NULL,
    login TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    person_id BLOB REFERENCES persons(id),
    disabled INTEGER NOT NULL
);

CREATE TABLE user_companies (
    user_id BLOB NOT NULL REFERENCES users(id),
    company_id BLOB NOT NULL REFERENCES companies(id),
    PRIMARY KEY (user_id, company_id)
) WITHOUT ROWID;

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY NOT NULL,
    user_id BLOB NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE login_attempts (
    id BLOB PRIMARY KEY NOT NULL,
    login TEXT NOT NULL,
    success INTEGER NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_attempts_login ON login_attempts (login, at);

-- Append-only: the application never updates or deletes rows; triggers refuse it.
CREATE TABLE audit_log (
    id BLOB PRIMARY KEY NOT NULL,
    at TEXT NOT NULL,
    user_id BLOB,
    login TEXT NOT NULL,
    role TEXT,
    action TEXT NOT NULL,
    company_id BLOB,
    person_id BLOB,
    info_class TEXT,
    allowed INTEGER NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_company ON audit_log (company_id, id);
CREATE INDEX audit_person ON audit_log (person_id, id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
