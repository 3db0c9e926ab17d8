-- iphr foundation schema, PostgreSQL edition. The SQLite edition has the same tables, columns
-- and version numbers (crates/store-sqlite/migrations). UUIDs are uuid; dates are date; instants timestamptz.
-- Every text column uses the "C" collation: byte order, as SQLite sorts, so that both backends
-- list in the same order whatever the database default collation is.
-- Every tenant-scoped table keys on company_id first (ready for distribution by company).

CREATE TABLE companies (
    id UUID PRIMARY KEY NOT NULL,
    name TEXT COLLATE "C" NOT NULL
);

CREATE TABLE establishments (
    company_id UUID NOT NULL REFERENCES companies(id),
    id UUID NOT NULL,
    name TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (company_id, id)
);

CREATE TABLE departments (
    company_id UUID NOT NULL,
    id UUID NOT NULL,
    establishment_id UUID NOT NULL,
    name TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (company_id, id),
    FOREIGN KEY (company_id, establishment_id) REFERENCES establishments(company_id, id)
);

-- The person owns the lifelong record; not tenant-scoped. No My Number column, by design.
CREATE TABLE persons (
    id UUID PRIMARY KEY NOT NULL,
    family_name TEXT COLLATE "C" NOT NULL,
    given_name TEXT COLLATE "C" NOT NULL,
    family_kana TEXT COLLATE "C" NOT NULL,
    given_kana TEXT COLLATE "C" NOT NULL,
    sex TEXT COLLATE "C" NOT NULL CHECK (sex IN ('male', 'female')),
    birth_date DATE NOT NULL,
    insurer_number TEXT COLLATE "C",
    insured_symbol TEXT COLLATE "C",
    insured_number TEXT COLLATE "C"
);

CREATE TABLE employments (
    company_id UUID NOT NULL REFERENCES companies(id),
    id UUID NOT NULL,
    person_id UUID NOT NULL REFERENCES persons(id),
    employee_number TEXT COLLATE "C" NOT NULL,
    hire_date DATE NOT NULL,
    leave_date DATE,
    search_key TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (company_id, id),
    UNIQUE (company_id, employee_number)
);
CREATE INDEX employments_person ON employments (person_id);

CREATE TABLE assignments (
    company_id UUID NOT NULL,
    id UUID NOT NULL,
    employment_id UUID NOT NULL,
    valid_from DATE NOT NULL,
    valid_to DATE,
    establishment_id UUID NOT NULL,
    department_id UUID NOT NULL,
    position TEXT COLLATE "C" NOT NULL,
    work_content TEXT COLLATE "C" NOT NULL,
    night_work BOOLEAN NOT NULL,
    PRIMARY KEY (company_id, id),
    FOREIGN KEY (company_id, employment_id) REFERENCES employments(company_id, id),
    FOREIGN KEY (company_id, department_id) REFERENCES departments(company_id, id)
);
CREATE INDEX assignments_employment ON assignments (company_id, employment_id, valid_from);
CREATE INDEX assignments_department ON assignments (company_id, department_id);

CREATE TABLE exposures (
    company_id UUID NOT NULL,
    id UUID NOT NULL,
    employment_id UUID NOT NULL,
    agent TEXT COLLATE "C" NOT NULL,
    agent_name TEXT COLLATE "C" NOT NULL,
    regulation TEXT COLLATE "C" NOT NULL,
    valid_from DATE NOT NULL,
    valid_to DATE,
    protection TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (company_id, id),
    FOREIGN KEY (company_id, employment_id) REFERENCES employments(company_id, id)
);
CREATE INDEX exposures_employment ON exposures (company_id, employment_id);

CREATE TABLE events (
    company_id UUID NOT NULL REFERENCES companies(id),
    id UUID NOT NULL,
    person_id UUID REFERENCES persons(id),
    employment_id UUID,
    department_id UUID,
    kind TEXT COLLATE "C" NOT NULL,
    subkind TEXT COLLATE "C",
    event_date DATE NOT NULL,
    title TEXT COLLATE "C" NOT NULL,
    content_class TEXT COLLATE "C" NOT NULL,
    producer TEXT COLLATE "C" NOT NULL,
    detail TEXT COLLATE "C" NOT NULL,
    source_doc TEXT COLLATE "C",
    PRIMARY KEY (company_id, id)
);
CREATE INDEX events_person ON events (company_id, person_id, event_date);
CREATE INDEX events_department ON events (company_id, department_id, event_date) WHERE person_id IS NULL;

CREATE TABLE observations (
    company_id UUID NOT NULL,
    id UUID NOT NULL,
    event_id UUID NOT NULL,
    person_id UUID NOT NULL,
    employment_id UUID,
    item TEXT COLLATE "C" NOT NULL,
    data_atr TEXT COLLATE "C" NOT NULL,
    value_kind TEXT COLLATE "C" NOT NULL,
    num DOUBLE PRECISION,
    unit TEXT COLLATE "C",
    code TEXT COLLATE "C",
    text TEXT COLLATE "C",
    info_class TEXT COLLATE "C" NOT NULL,
    event_date DATE NOT NULL,
    source_code TEXT COLLATE "C",
    source_text TEXT COLLATE "C",
    raw_value TEXT COLLATE "C",
    source_doc TEXT COLLATE "C",
    table_version TEXT COLLATE "C" NOT NULL,
    -- Keyed by event: a checkup's observations are one range of the primary key, no extra index.
    PRIMARY KEY (company_id, event_id, id),
    FOREIGN KEY (company_id, event_id) REFERENCES events(company_id, id)
);
CREATE INDEX observations_person ON observations (company_id, person_id, event_date);

CREATE TABLE consents (
    company_id UUID NOT NULL REFERENCES companies(id),
    id UUID NOT NULL,
    person_id UUID NOT NULL REFERENCES persons(id),
    info_class TEXT COLLATE "C" NOT NULL,
    grantee_role TEXT COLLATE "C" NOT NULL,
    given_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ,
    PRIMARY KEY (company_id, id)
);
CREATE INDEX consents_person ON consents (person_id);

CREATE TABLE policy_overrides (
    company_id UUID NOT NULL REFERENCES companies(id),
    role TEXT COLLATE "C" NOT NULL,
    info_class TEXT COLLATE "C" NOT NULL,
    access TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (company_id, role, info_class)
);

CREATE TABLE users (
    id UUID PRIMARY KEY NOT NULL,
    login TEXT COLLATE "C" NOT NULL UNIQUE,
    display_name TEXT COLLATE "C" NOT NULL,
    role TEXT COLLATE "C" NOT NULL,
    password_hash TEXT COLLATE "C" NOT NULL,
    person_id UUID REFERENCES persons(id),
    disabled BOOLEAN NOT NULL
);

CREATE TABLE user_companies (
    user_id UUID NOT NULL REFERENCES users(id),
    company_id UUID NOT NULL REFERENCES companies(id),
    PRIMARY KEY (user_id, company_id)
);

CREATE TABLE sessions (
    id_hash TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    user_id UUID NOT NULL REFERENCES users(id),
    csrf_token TEXT COLLATE "C" NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE login_attempts (
    id UUID PRIMARY KEY NOT NULL,
    login TEXT COLLATE "C" NOT NULL,
    success BOOLEAN NOT NULL,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_attempts_login ON login_attempts (login, at);

-- Append-only: the application never updates or deletes rows; triggers refuse it.
CREATE TABLE audit_log (
    id UUID PRIMARY KEY NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    user_id UUID,
    login TEXT COLLATE "C" NOT NULL,
    role TEXT COLLATE "C",
    action TEXT COLLATE "C" NOT NULL,
    company_id UUID,
    person_id UUID,
    info_class TEXT COLLATE "C",
    allowed BOOLEAN NOT NULL,
    detail TEXT COLLATE "C" NOT NULL
);
CREATE INDEX audit_company ON audit_log (company_id, id);
CREATE INDEX audit_person ON audit_log (person_id, id);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
