-- Client commercial contracts (framework agreements, purchase orders) and the
-- domain events other features consume (invoicing waits for contract_signed).

CREATE TABLE client_contracts (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES companies (id),
    kind TEXT NOT NULL CHECK (kind IN ('framework', 'purchase_order')),
    reference TEXT NOT NULL,
    title TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    ceiling_half_days BIGINT CHECK (ceiling_half_days IS NULL OR ceiling_half_days > 0),
    ceiling_cents BIGINT CHECK (ceiling_cents IS NULL OR ceiling_cents > 0),
    payment_days INTEGER NOT NULL,
    payment_end_of_month BOOLEAN NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'sent', 'signed', 'cancelled')),
    sent_at TEXT,
    signed_at TEXT,
    signed_on_paper BOOLEAN NOT NULL DEFAULT FALSE,
    signed_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT client_contracts_reference_key UNIQUE (client_id, reference),
    CONSTRAINT client_contracts_dates CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX client_contracts_client ON client_contracts (client_id, valid_from);

ALTER TABLE missions ADD COLUMN client_contract_id TEXT REFERENCES client_contracts (id);

CREATE TABLE domain_events (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    aggregate_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    consumed_at TEXT
);
CREATE INDEX domain_events_pending ON domain_events (kind, consumed_at, created_at);
