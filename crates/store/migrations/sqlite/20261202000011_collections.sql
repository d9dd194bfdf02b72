-- Collections (#8): the firm's bank accounts, payments received and their
-- allocation to invoices, bank statements imported (CAMT.053, CSV) with
-- their lines, lettering of the customer account, dunning (levels, notices
-- sent, pauses) and e-mail attachments (the invoice PDF of a reminder).

-- A bank account of the firm. Its movements post to its ledger account
-- (512, or a sub-account 512x when the firm keeps several banks).
CREATE TABLE bank_accounts (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    iban TEXT NOT NULL,
    bic TEXT,
    ledger_account TEXT NOT NULL REFERENCES ledger_accounts (number),
    -- JSON: how this bank's CSV statements read (separator, columns, date
    -- and amount formats), saved at the first import and offered again.
    csv_mapping TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TEXT NOT NULL,
    CONSTRAINT bank_accounts_iban_key UNIQUE (iban)
);

-- Money received from a client. Posted at once (bank journal): the bank
-- account against 411, and for the part allocated to invoices under VAT on
-- receipts, 44574 against 44571. What is not allocated stays on 411 as the
-- client's credit (unallocated_cents), to allocate later.
CREATE TABLE payments (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES companies (id),
    bank_account_id TEXT NOT NULL REFERENCES bank_accounts (id),
    received_on TEXT NOT NULL,
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    method TEXT NOT NULL CHECK (method IN ('transfer', 'cheque', 'card', 'direct_debit', 'cash', 'other')),
    reference TEXT,
    unallocated_cents BIGINT NOT NULL CHECK (unallocated_cents >= 0),
    ledger_entry_id TEXT NOT NULL REFERENCES ledger_entries (id),
    -- The 411 line of the part left as credit (none when all was allocated).
    credit_position INTEGER,
    created_by TEXT REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX payments_client ON payments (client_id, received_on);
CREATE INDEX payments_date ON payments (received_on);

-- The part of a payment that settles an invoice. vat_cents: the VAT made
-- due by it (44574 → 44571; 0 under the debits option or without VAT).
-- Each allocation has its own 411 credit line (entry and position), in the
-- payment's entry or, for a credit allocated later, in the OD entry that
-- moved it: lettering pairs that line with the invoice's.
CREATE TABLE payment_allocations (
    id TEXT PRIMARY KEY,
    payment_id TEXT NOT NULL REFERENCES payments (id),
    invoice_id TEXT NOT NULL REFERENCES invoices (id),
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    vat_cents BIGINT NOT NULL DEFAULT 0,
    allocated_on TEXT NOT NULL,
    ledger_entry_id TEXT NOT NULL REFERENCES ledger_entries (id),
    ledger_position INTEGER NOT NULL,
    created_by TEXT REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX payment_allocations_invoice ON payment_allocations (invoice_id, allocated_on);
CREATE INDEX payment_allocations_payment ON payment_allocations (payment_id);

-- The sum of the allocations, kept on the invoice so open items (matching,
-- aged balance, dunning) read one row per invoice.
ALTER TABLE invoices ADD COLUMN paid_cents BIGINT NOT NULL DEFAULT 0;
CREATE INDEX invoices_due ON invoices (status, kind, due_date);
-- One client's open invoices (statement, dunning) and the credit notes of
-- an invoice, looked up per invoice: with every equality of those queries
-- in the index, SQLite (no statistics) prefers them to invoices_due, which
-- would scan every issued invoice (receivables statement: 130 ms → 10 ms
-- over 20,000 invoices).
CREATE INDEX invoices_client_open ON invoices (client_id, status, kind, issue_date);
CREATE INDEX invoices_credited ON invoices (credits_id, status, kind, issue_date);

-- A statement file imported: the same file (digest) or the same statement
-- (the bank's id) twice is refused.
CREATE TABLE bank_statements (
    id TEXT PRIMARY KEY,
    bank_account_id TEXT NOT NULL REFERENCES bank_accounts (id),
    format TEXT NOT NULL CHECK (format IN ('camt053', 'csv')),
    file_name TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    statement_ref TEXT,
    period_from TEXT,
    period_to TEXT,
    opening_balance_cents BIGINT,
    closing_balance_cents BIGINT,
    line_count INTEGER NOT NULL,
    imported_by TEXT REFERENCES users (id),
    imported_at TEXT NOT NULL,
    CONSTRAINT bank_statements_file_key UNIQUE (bank_account_id, file_sha256),
    CONSTRAINT bank_statements_ref_key UNIQUE (bank_account_id, statement_ref)
);

-- One movement of a statement, signed (money in is positive). dedupe_key
-- identifies the movement across files (the bank's reference, else a
-- digest of date, amount, label and rank that day): the same movement
-- imported twice is refused. Matched: a payment was recorded from it.
CREATE TABLE bank_lines (
    id TEXT PRIMARY KEY,
    statement_id TEXT NOT NULL REFERENCES bank_statements (id),
    bank_account_id TEXT NOT NULL REFERENCES bank_accounts (id),
    position INTEGER NOT NULL,
    booking_date TEXT NOT NULL,
    value_date TEXT,
    amount_cents BIGINT NOT NULL CHECK (amount_cents <> 0),
    label TEXT NOT NULL,
    counterparty TEXT,
    bank_reference TEXT,
    end_to_end_id TEXT,
    dedupe_key TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('unmatched', 'matched', 'ignored')),
    payment_id TEXT REFERENCES payments (id),
    handled_by TEXT REFERENCES users (id),
    handled_at TEXT,
    CONSTRAINT bank_lines_dedupe_key UNIQUE (bank_account_id, dedupe_key),
    CONSTRAINT bank_lines_position_key UNIQUE (statement_id, position)
);
CREATE INDEX bank_lines_status ON bank_lines (status, booking_date);
CREATE INDEX bank_lines_payment ON bank_lines (payment_id);

-- Lettering of a third party's account (411): lines that settle each other
-- share a code (AA, AB, …, never reused for the account and third party).
-- Complete when they sum to zero; partial otherwise (shown in lowercase,
-- not written to the FEC). Undone letterings stay, with who and why.
CREATE TABLE letterings (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL REFERENCES ledger_accounts (number),
    third_party_id TEXT NOT NULL REFERENCES companies (id),
    code TEXT NOT NULL,
    complete BOOLEAN NOT NULL,
    lettered_on TEXT NOT NULL,
    created_by TEXT REFERENCES users (id),
    created_at TEXT NOT NULL,
    undone_at TEXT,
    undone_by TEXT REFERENCES users (id),
    undo_reason TEXT,
    CONSTRAINT letterings_code_key UNIQUE (account, third_party_id, code)
);
CREATE INDEX letterings_third_party ON letterings (third_party_id, account);

-- The ledger lines of a lettering. live: false once the lettering is undone;
-- a line is in at most one live lettering.
CREATE TABLE lettering_lines (
    lettering_id TEXT NOT NULL REFERENCES letterings (id),
    entry_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    live BOOLEAN NOT NULL DEFAULT TRUE,
    PRIMARY KEY (lettering_id, entry_id, position),
    FOREIGN KEY (entry_id, position) REFERENCES ledger_lines (entry_id, position)
);
CREATE UNIQUE INDEX lettering_lines_live ON lettering_lines (entry_id, position) WHERE live = TRUE;

-- Dunning: the levels (days after the due date), one notice per invoice and
-- level (so two instances never send the same one), pauses per client or
-- invoice, and the settings (the annual late-payment penalty rate).
CREATE TABLE dunning_levels (
    id TEXT PRIMARY KEY,
    rank INTEGER NOT NULL,
    days_after_due INTEGER NOT NULL CHECK (days_after_due >= 0),
    name TEXT NOT NULL,
    tone TEXT NOT NULL CHECK (tone IN ('reminder', 'firm', 'formal_notice')),
    include_penalties BOOLEAN NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    CONSTRAINT dunning_levels_rank_key UNIQUE (rank)
);
INSERT INTO dunning_levels (id, rank, days_after_due, name, tone, include_penalties) VALUES
    ('level-1', 1, 1, 'Rappel', 'reminder', FALSE),
    ('level-2', 2, 15, 'Relance ferme', 'firm', FALSE),
    ('level-3', 3, 30, 'Mise en demeure', 'formal_notice', TRUE);

CREATE TABLE dunning_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    enabled BOOLEAN NOT NULL,
    -- The legal interest rate (creditor a professional) in basis points,
    -- published each half-year: invoices print penalties at three times it,
    -- so the formal notice computes them at 3 × this rate.
    legal_rate_bp INTEGER NOT NULL CHECK (legal_rate_bp >= 0),
    -- Who receives a copy of each notice (the firm's accounting), if anyone.
    copy_to TEXT
);
INSERT INTO dunning_settings (id, enabled, legal_rate_bp) VALUES (1, TRUE, 276);

CREATE TABLE dunning_notices (
    id TEXT PRIMARY KEY,
    invoice_id TEXT NOT NULL REFERENCES invoices (id),
    level_rank INTEGER NOT NULL,
    level_name TEXT NOT NULL,
    sent_on TEXT NOT NULL,
    days_late INTEGER NOT NULL,
    outstanding_cents BIGINT NOT NULL,
    penalty_cents BIGINT NOT NULL,
    indemnity_cents BIGINT NOT NULL,
    email_to TEXT NOT NULL,
    email_id TEXT REFERENCES outbox_emails (id),
    created_by TEXT REFERENCES users (id),
    created_at TEXT NOT NULL,
    CONSTRAINT dunning_notices_once UNIQUE (invoice_id, level_rank)
);
CREATE INDEX dunning_notices_sent ON dunning_notices (sent_on);

CREATE TABLE dunning_pauses (
    id TEXT PRIMARY KEY,
    company_id TEXT REFERENCES companies (id),
    invoice_id TEXT REFERENCES invoices (id),
    reason TEXT NOT NULL,
    paused_until TEXT,
    created_by TEXT REFERENCES users (id),
    created_at TEXT NOT NULL,
    lifted_at TEXT,
    lifted_by TEXT REFERENCES users (id),
    CONSTRAINT dunning_pauses_target CHECK ((company_id IS NULL) <> (invoice_id IS NULL))
);
CREATE INDEX dunning_pauses_company ON dunning_pauses (company_id);
CREATE INDEX dunning_pauses_invoice ON dunning_pauses (invoice_id);

-- Files sent with an e-mail (a reminder carries its invoice's PDF).
CREATE TABLE outbox_attachments (
    email_id TEXT NOT NULL REFERENCES outbox_emails (id),
    position INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (email_id, position)
);
