-- Documents (generated PDFs and paper scans) and the built-in electronic
-- signature: requests, ordered signers with their single-use links, and the
-- hash-chained audit trail. Plus the administrator's document templates.

CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('mission_order', 'client_contract', 'amendment', 'paper_scan')),
    title TEXT NOT NULL,
    mission_id TEXT REFERENCES missions (id),
    contract_id TEXT REFERENCES client_contracts (id),
    amendment_id TEXT REFERENCES amendments (id),
    -- Who sees it besides staff: this client's contacts, this consultant.
    client_id TEXT REFERENCES companies (id),
    consultant_id TEXT REFERENCES users (id),
    -- The layout the PDF was written from (JSON), so the signed copy can be
    -- rebuilt byte for byte with its signature page; NULL for uploads.
    spec TEXT,
    pdf BLOB NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    signed_pdf BLOB,
    signed_sha256 TEXT,
    created_by TEXT REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX documents_mission ON documents (mission_id, created_at);
CREATE INDEX documents_contract ON documents (contract_id, created_at);
CREATE INDEX documents_amendment ON documents (amendment_id);
CREATE INDEX documents_client ON documents (client_id, created_at);
CREATE INDEX documents_consultant ON documents (consultant_id, created_at);

CREATE TABLE signature_requests (
    id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents (id),
    status TEXT NOT NULL CHECK (status IN ('pending', 'completed', 'declined', 'cancelled', 'expired')),
    -- The fingerprint of what the signers were sent; the stored PDF must
    -- still match it when anyone signs.
    document_sha256 TEXT NOT NULL,
    created_by TEXT REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    closed_at TEXT,
    decline_reason TEXT
);
CREATE UNIQUE INDEX signature_requests_one_pending ON signature_requests (document_id) WHERE status = 'pending';
CREATE INDEX signature_requests_status ON signature_requests (status, expires_at);

CREATE TABLE signature_signers (
    id TEXT PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES signature_requests (id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('waiting', 'invited', 'signed', 'declined')),
    -- Only hashes: the link and the code travel by e-mail, never stored.
    token_hash TEXT UNIQUE,
    code_hash TEXT,
    code_attempts INTEGER NOT NULL DEFAULT 0,
    link_expires_at TEXT,
    invited_at TEXT,
    reminders_sent INTEGER NOT NULL DEFAULT 0,
    viewed_at TEXT,
    signed_at TEXT,
    typed_name TEXT,
    ip TEXT,
    user_agent TEXT,
    decline_reason TEXT,
    CONSTRAINT signature_signers_position UNIQUE (request_id, position)
);
CREATE INDEX signature_signers_email ON signature_signers (email, status);
CREATE INDEX signature_signers_invited ON signature_signers (status, invited_at);

CREATE TABLE signature_events (
    id TEXT PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES signature_requests (id),
    seq INTEGER NOT NULL,
    -- Kept as the exact text that was hashed.
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    ip TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    document_sha256 TEXT NOT NULL,
    detail TEXT NOT NULL,
    previous_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    CONSTRAINT signature_events_seq UNIQUE (request_id, seq)
);

CREATE TABLE document_templates (
    kind TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    updated_by TEXT REFERENCES users (id),
    updated_at TEXT NOT NULL
);
