-- Foundation: the firm, companies, contacts, users, sessions, login throttling,
-- API tokens and the audit log. Identifiers are UUID text; money is integer cents;
-- timestamps are bound from the application in UTC.

CREATE TABLE firm (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    legal_form TEXT,
    siren TEXT,
    vat_number TEXT,
    rcs_city TEXT,
    share_capital_cents BIGINT,
    address_line1 TEXT,
    postcode TEXT,
    city TEXT,
    country TEXT NOT NULL DEFAULT 'FR',
    iban TEXT,
    bic TEXT,
    email TEXT,
    phone TEXT,
    updated_at TEXT NOT NULL
);

CREATE TABLE companies (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('client', 'prospect', 'supplier')),
    legal_form TEXT,
    siren TEXT,
    siret TEXT,
    vat_number TEXT,
    address_line1 TEXT,
    address_line2 TEXT,
    postcode TEXT,
    city TEXT,
    country TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    iban TEXT,
    key_account BOOLEAN NOT NULL DEFAULT FALSE,
    notes TEXT,
    search_key TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT companies_siren_key UNIQUE (siren)
);
CREATE INDEX companies_kind_name ON companies (kind, name);
CREATE INDEX companies_name ON companies (name);

CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies (id),
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    job_title TEXT,
    role TEXT NOT NULL CHECK (role IN ('buyer', 'domain_manager', 'accounts_payable', 'operational', 'other')),
    notes TEXT,
    search_key TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX contacts_company ON contacts (company_id, last_name);
CREATE INDEX contacts_name ON contacts (last_name, first_name);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'direction', 'business_manager', 'delivery_manager',
                                       'recruiter', 'finance', 'consultant', 'client_contact')),
    company_id TEXT REFERENCES companies (id),
    locale TEXT CHECK (locale IN ('fr', 'en')),
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    search_key TEXT NOT NULL,
    last_login_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT users_email_key UNIQUE (email),
    -- A client contact is bound to exactly one company; nobody else is.
    CONSTRAINT users_company_iff_client CHECK ((role = 'client_contact') = (company_id IS NOT NULL))
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    flash TEXT,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    ip TEXT,
    user_agent TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE login_attempts (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    ip TEXT NOT NULL,
    succeeded BOOLEAN NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_attempts_email ON login_attempts (email, at);
CREATE INDEX login_attempts_ip ON login_attempts (ip, at);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT,
    CONSTRAINT api_tokens_hash_key UNIQUE (token_hash)
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    actor_user_id TEXT,
    actor_label TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT,
    before_json TEXT,
    after_json TEXT,
    ip TEXT
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, at);
CREATE INDEX audit_log_at ON audit_log (at);
