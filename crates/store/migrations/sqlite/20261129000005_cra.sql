-- no-transaction
-- SQLite rebuilds the documents table below (it cannot alter a CHECK), which
-- needs foreign keys off, which cannot change inside a transaction: the
-- migration opens its own, after switching them off.
PRAGMA foreign_keys = OFF;
BEGIN;

-- Monthly activity reports (CRA) in half-day slots, leave with its types,
-- allowances and requests, the consultant's work pattern, per-mission client
-- approvals, and the reminder log that keeps reminders idempotent across
-- instances. Documents learn a new kind: the activity report sent to the
-- client for validation.

ALTER TABLE users ADD COLUMN work_region TEXT NOT NULL DEFAULT 'standard'
    CHECK (work_region IN ('standard', 'alsace_moselle'));
-- Weekdays worked, Monday = 1: '12345' full time, '1245' four days a week.
ALTER TABLE users ADD COLUMN work_weekdays TEXT NOT NULL DEFAULT '12345';

CREATE TABLE leave_types (
    code TEXT PRIMARY KEY,
    label_fr TEXT NOT NULL,
    label_en TEXT NOT NULL,
    -- Paid leave and RTT are counted against an allowance; sick leave is not.
    tracks_balance BOOLEAN NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    position INTEGER NOT NULL
);
INSERT INTO leave_types (code, label_fr, label_en, tracks_balance, position) VALUES
    ('cp', 'Congés payés', 'Paid leave', TRUE, 1),
    ('rtt', 'RTT', 'RTT (reduced working time)', TRUE, 2),
    ('sans_solde', 'Congé sans solde', 'Unpaid leave', FALSE, 3),
    ('maladie', 'Maladie', 'Sick leave', FALSE, 4),
    ('formation', 'Formation', 'Training leave', FALSE, 5);

CREATE TABLE leave_allowances (
    user_id TEXT NOT NULL REFERENCES users (id),
    leave_type TEXT NOT NULL REFERENCES leave_types (code),
    year INTEGER NOT NULL,
    acquired_half_days INTEGER NOT NULL CHECK (acquired_half_days >= 0),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (user_id, leave_type, year)
);

CREATE TABLE leave_requests (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    leave_type TEXT NOT NULL REFERENCES leave_types (code),
    start_date TEXT NOT NULL,
    start_half TEXT NOT NULL CHECK (start_half IN ('am', 'pm')),
    end_date TEXT NOT NULL,
    end_half TEXT NOT NULL CHECK (end_half IN ('am', 'pm')),
    half_days INTEGER NOT NULL CHECK (half_days >= 0),
    status TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'refused', 'cancelled')),
    comment TEXT,
    decided_by TEXT REFERENCES users (id),
    decided_at TEXT,
    decision_note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT leave_requests_dates CHECK (end_date >= start_date)
);
CREATE INDEX leave_requests_user ON leave_requests (user_id, start_date);
CREATE INDEX leave_requests_status ON leave_requests (status, start_date);

CREATE TABLE cras (
    id TEXT PRIMARY KEY,
    consultant_id TEXT NOT NULL REFERENCES users (id),
    -- 'YYYY-MM'
    month TEXT NOT NULL,
    version INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'signed', 'client_validated', 'validated', 'superseded')),
    comment TEXT,
    rejection_reason TEXT,
    signed_at TEXT,
    client_validated_at TEXT,
    validated_at TEXT,
    validated_by TEXT REFERENCES users (id),
    previous_id TEXT REFERENCES cras (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT cras_version_key UNIQUE (consultant_id, month, version)
);
-- One live report per consultant and month; reopened versions stay beside it.
CREATE UNIQUE INDEX cras_current ON cras (consultant_id, month) WHERE status <> 'superseded';
CREATE INDEX cras_month ON cras (month, status);

-- A half day holds exactly one activity: the primary key is what makes a
-- calendar day unable to exceed one day.
CREATE TABLE cra_slots (
    cra_id TEXT NOT NULL REFERENCES cras (id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    half TEXT NOT NULL CHECK (half IN ('am', 'pm')),
    activity TEXT NOT NULL CHECK (activity IN ('mission', 'bench', 'training', 'internal', 'presales', 'leave')),
    mission_id TEXT REFERENCES missions (id),
    leave_type TEXT REFERENCES leave_types (code),
    PRIMARY KEY (cra_id, day, half),
    CONSTRAINT cra_slots_mission CHECK ((activity = 'mission') = (mission_id IS NOT NULL)),
    CONSTRAINT cra_slots_leave CHECK ((activity = 'leave') = (leave_type IS NOT NULL))
);
CREATE INDEX cra_slots_mission_day ON cra_slots (mission_id, day);

-- On-call and overtime units, where the mission allows them.
ALTER TABLE missions ADD COLUMN extras_allowed BOOLEAN NOT NULL DEFAULT FALSE;
CREATE TABLE cra_extras (
    cra_id TEXT NOT NULL REFERENCES cras (id) ON DELETE CASCADE,
    mission_id TEXT NOT NULL REFERENCES missions (id),
    kind TEXT NOT NULL CHECK (kind IN ('on_call', 'overtime')),
    -- Units in hundredths (on-call periods or hours), whole numbers typed.
    quantity_hundredths INTEGER NOT NULL CHECK (quantity_hundredths > 0),
    PRIMARY KEY (cra_id, mission_id, kind)
);

CREATE TABLE cra_attachments (
    id TEXT PRIMARY KEY,
    cra_id TEXT NOT NULL REFERENCES cras (id) ON DELETE CASCADE,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    bytes BLOB NOT NULL,
    size_bytes BIGINT NOT NULL,
    uploaded_by TEXT REFERENCES users (id),
    uploaded_at TEXT NOT NULL
);
CREATE INDEX cra_attachments_cra ON cra_attachments (cra_id);

-- The client's validation, per mission in the report (a consultant may change
-- missions and clients within a month; each client sees and validates only
-- his own days).
CREATE TABLE cra_client_approvals (
    cra_id TEXT NOT NULL REFERENCES cras (id) ON DELETE CASCADE,
    mission_id TEXT NOT NULL REFERENCES missions (id),
    client_id TEXT NOT NULL REFERENCES companies (id),
    document_id TEXT,
    approved_at TEXT,
    approved_by TEXT,
    via TEXT CHECK (via IN ('link', 'portal')),
    PRIMARY KEY (cra_id, mission_id)
);
CREATE INDEX cra_client_approvals_client ON cra_client_approvals (client_id, approved_at);

CREATE TABLE cra_events (
    id TEXT PRIMARY KEY,
    cra_id TEXT NOT NULL REFERENCES cras (id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    actor_id TEXT REFERENCES users (id),
    actor_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX cra_events_cra ON cra_events (cra_id, at);

CREATE TABLE cra_reminders (
    consultant_id TEXT NOT NULL REFERENCES users (id),
    month TEXT NOT NULL,
    kind TEXT NOT NULL,
    sent_on TEXT NOT NULL,
    PRIMARY KEY (consultant_id, month, kind, sent_on)
);

-- The documents table, rebuilt with the new kind and its link to the report;
-- the tables pointing at it find the same ids again.
CREATE TABLE documents_rebuilt (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('mission_order', 'client_contract', 'amendment', 'paper_scan', 'activity_report')),
    title TEXT NOT NULL,
    mission_id TEXT REFERENCES missions (id),
    contract_id TEXT REFERENCES client_contracts (id),
    amendment_id TEXT REFERENCES amendments (id),
    client_id TEXT REFERENCES companies (id),
    consultant_id TEXT REFERENCES users (id),
    spec TEXT,
    pdf BLOB NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    signed_pdf BLOB,
    signed_sha256 TEXT,
    created_by TEXT REFERENCES users (id),
    created_at TEXT NOT NULL,
    cra_id TEXT REFERENCES cras (id)
);
INSERT INTO documents_rebuilt (id, kind, title, mission_id, contract_id, amendment_id, client_id, consultant_id,
    spec, pdf, sha256, size_bytes, signed_pdf, signed_sha256, created_by, created_at)
SELECT id, kind, title, mission_id, contract_id, amendment_id, client_id, consultant_id,
    spec, pdf, sha256, size_bytes, signed_pdf, signed_sha256, created_by, created_at FROM documents;
DROP TABLE documents;
ALTER TABLE documents_rebuilt RENAME TO documents;
CREATE INDEX documents_mission ON documents (mission_id, created_at);
CREATE INDEX documents_contract ON documents (contract_id, created_at);
CREATE INDEX documents_amendment ON documents (amendment_id);
CREATE INDEX documents_client ON documents (client_id, created_at);
CREATE INDEX documents_consultant ON documents (consultant_id, created_at);
CREATE INDEX documents_cra ON documents (cra_id);

COMMIT;
PRAGMA foreign_keys = ON;
