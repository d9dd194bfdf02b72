-- E-invoicing reform (#7): the lifecycle of each issued document as the
-- platform and the parties report it (codes 200–213, see domain::einvoice),
-- its current status on the invoice (updated in the same transaction as the
-- history), and the deposits to the platform.

-- Current lifecycle status code (NULL until deposited) and the sum of the
-- receipts (212) recorded, which settle the invoice when they reach its TTC.
ALTER TABLE invoices ADD COLUMN lifecycle_status INTEGER
    CHECK (lifecycle_status BETWEEN 200 AND 213);
ALTER TABLE invoices ADD COLUMN received_cents BIGINT NOT NULL DEFAULT 0;
CREATE INDEX invoices_lifecycle ON invoices (lifecycle_status);

CREATE TABLE invoice_lifecycle (
    id TEXT PRIMARY KEY,
    invoice_id TEXT NOT NULL REFERENCES invoices (id),
    status INTEGER NOT NULL CHECK (status BETWEEN 200 AND 213),
    occurred_at TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('platform', 'user', 'system')),
    actor TEXT NOT NULL,
    reason TEXT,
    -- 211/212: the amount paid or received; 212: the day received.
    amount_cents BIGINT,
    paid_on TEXT,
    -- The platform's id of the message that reported it: a message applied
    -- twice is recorded once.
    message_id TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX invoice_lifecycle_invoice ON invoice_lifecycle (invoice_id, created_at);
CREATE INDEX invoice_lifecycle_paid ON invoice_lifecycle (status, paid_on);
CREATE UNIQUE INDEX invoice_lifecycle_message ON invoice_lifecycle (message_id);

-- One deposit per document and channel: two instances never deposit twice.
CREATE TABLE einvoice_deposits (
    id TEXT PRIMARY KEY,
    invoice_id TEXT NOT NULL REFERENCES invoices (id),
    channel TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'deposited', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    deposited_at TEXT,
    platform_id TEXT,
    sha256 TEXT,
    error TEXT,
    created_at TEXT NOT NULL,
    CONSTRAINT einvoice_deposits_invoice_key UNIQUE (invoice_id, channel)
);
CREATE INDEX einvoice_deposits_status ON einvoice_deposits (status);
