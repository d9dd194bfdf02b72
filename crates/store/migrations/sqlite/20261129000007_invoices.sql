-- Invoices and credit notes with their lines, and the billed days: each
-- half day a line bills is recorded against the consultant's calendar, and a
-- partial unique index lets a day be billed at most once until a credit note
-- gives it back (the credit line is then recorded on the row).

CREATE TABLE invoices (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    status TEXT NOT NULL CHECK (status IN ('draft', 'waiting_signature', 'issued')),
    client_id TEXT NOT NULL REFERENCES companies (id),
    mission_id TEXT REFERENCES missions (id),
    -- 'YYYY-MM': the month the days were worked.
    period TEXT NOT NULL,
    series TEXT NOT NULL,
    number TEXT,
    issue_date TEXT,
    net_cents BIGINT NOT NULL,
    vat_cents BIGINT NOT NULL,
    gross_cents BIGINT NOT NULL,
    credits_id TEXT REFERENCES invoices (id),
    ledger_entry_id TEXT REFERENCES ledger_entries (id),
    created_at TEXT NOT NULL,
    issued_at TEXT,
    CONSTRAINT invoices_number_key UNIQUE (series, number)
);
CREATE INDEX invoices_client ON invoices (client_id, period);
CREATE INDEX invoices_status ON invoices (status, period);

CREATE TABLE invoice_lines (
    id TEXT PRIMARY KEY,
    invoice_id TEXT NOT NULL REFERENCES invoices (id),
    position INTEGER NOT NULL,
    mission_id TEXT REFERENCES missions (id),
    analytic_code TEXT,
    description TEXT NOT NULL,
    half_days INTEGER NOT NULL CHECK (half_days > 0),
    unit_price_cents BIGINT NOT NULL,
    vat_rate_bp INTEGER NOT NULL,
    net_cents BIGINT NOT NULL,
    CONSTRAINT invoice_lines_position_key UNIQUE (invoice_id, position)
);

CREATE TABLE billed_days (
    consultant_id TEXT NOT NULL REFERENCES users (id),
    day TEXT NOT NULL,
    half TEXT NOT NULL CHECK (half IN ('am', 'pm')),
    cra_id TEXT NOT NULL REFERENCES cras (id),
    line_id TEXT NOT NULL REFERENCES invoice_lines (id),
    credit_line_id TEXT REFERENCES invoice_lines (id),
    PRIMARY KEY (line_id, day, half)
);
CREATE UNIQUE INDEX billed_days_once ON billed_days (consultant_id, day, half) WHERE credit_line_id IS NULL;
CREATE INDEX billed_days_cra ON billed_days (cra_id);
