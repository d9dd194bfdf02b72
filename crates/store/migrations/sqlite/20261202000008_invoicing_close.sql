-- Month-end close (#6): how a client contract groups its invoices and
-- whether the close issues them, what an issued invoice froze of its parties,
-- the days each line covers, accruals (FAE) for invoices waiting for a
-- contract's signature, and the record of each close run.

ALTER TABLE client_contracts ADD COLUMN invoice_grouping TEXT NOT NULL DEFAULT 'per_mission'
    CHECK (invoice_grouping IN ('per_mission', 'per_contract'));
ALTER TABLE client_contracts ADD COLUMN issue_at_close BOOLEAN NOT NULL DEFAULT TRUE;

-- Set when the contract groups several missions on one invoice (mission_id
-- is then empty and each line names its mission).
ALTER TABLE invoices ADD COLUMN contract_id TEXT REFERENCES client_contracts (id);
ALTER TABLE invoices ADD COLUMN due_date TEXT;
-- The parties and terms as they were at issue (JSON): an issued invoice
-- prints the same forever, whatever later edits to the client or the firm.
ALTER TABLE invoices ADD COLUMN frozen TEXT;
-- Why the automatic issue (close, contract signature) did not go through.
ALTER TABLE invoices ADD COLUMN issue_error TEXT;
ALTER TABLE invoices ADD COLUMN waiting_since TEXT;
CREATE INDEX invoices_mission ON invoices (mission_id, period);
CREATE INDEX invoices_contract ON invoices (contract_id, period);
CREATE INDEX invoices_credits ON invoices (credits_id);

ALTER TABLE invoice_lines ADD COLUMN consultant_id TEXT REFERENCES users (id);
ALTER TABLE invoice_lines ADD COLUMN service_from TEXT;
ALTER TABLE invoice_lines ADD COLUMN service_to TEXT;
-- On a credit note's line: the invoice line it gives days back from.
ALTER TABLE invoice_lines ADD COLUMN credits_line_id TEXT REFERENCES invoice_lines (id);
CREATE INDEX billed_days_credit ON billed_days (credit_line_id);

-- The journal's latest date is read at every posting (numbers follow dates).
CREATE INDEX ledger_entries_journal_date ON ledger_entries (journal, year, entry_date);

-- Accrued revenue (FAE) for an invoice that cannot be issued yet: posted on
-- the last day of the period closed, reversed when the invoice is issued.
-- One live accrual per invoice; the reversal points back at it.
CREATE TABLE accruals (
    id TEXT PRIMARY KEY,
    invoice_id TEXT NOT NULL REFERENCES invoices (id),
    period TEXT NOT NULL,
    net_cents BIGINT NOT NULL,
    vat_cents BIGINT NOT NULL,
    gross_cents BIGINT NOT NULL,
    entry_id TEXT NOT NULL REFERENCES ledger_entries (id),
    reversal_entry_id TEXT REFERENCES ledger_entries (id),
    -- The invoice whose issue released it (the same invoice, once issued).
    released_by_invoice_id TEXT REFERENCES invoices (id),
    created_at TEXT NOT NULL,
    reversed_at TEXT
);
CREATE UNIQUE INDEX accruals_live ON accruals (invoice_id) WHERE reversal_entry_id IS NULL;
CREATE INDEX accruals_period ON accruals (period);

CREATE TABLE close_runs (
    id TEXT PRIMARY KEY,
    period TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    started_by TEXT REFERENCES users (id),
    -- JSON: counts, totals and the errors of each contract that failed.
    summary TEXT
);
CREATE INDEX close_runs_period ON close_runs (period, started_at);
