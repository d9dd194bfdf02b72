-- no-transaction
-- SQLite rebuilds bank_statements below (it cannot drop a constraint),
-- which needs foreign keys off, which cannot change inside a transaction:
-- the migration opens its own, after switching them off.
PRAGMA foreign_keys = OFF;
BEGIN;

-- Bank statements as banks send them (issue 17 §3).
--
-- A bank account may be known to its bank by another identifier than its
-- IBAN (a domestic account number, given in CAMT.053 as Acct/Id/Othr/Id):
-- other_id, compared without spaces or punctuation.
ALTER TABLE bank_accounts ADD COLUMN other_id TEXT;

-- One file may hold several statements of one account (one per day):
-- file_position is the statement's rank in its file, and the file's digest
-- is unique per account and rank. not_booked counts the entries the bank
-- reported without booking them (pending, announced), left out of the lines.
-- The table is rebuilt with the same ids: bank_lines finds them again.
CREATE TABLE bank_statements_rebuilt (
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
    file_position INTEGER NOT NULL DEFAULT 1,
    not_booked INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT bank_statements_file_key UNIQUE (bank_account_id, file_sha256, file_position),
    CONSTRAINT bank_statements_ref_key UNIQUE (bank_account_id, statement_ref)
);
INSERT INTO bank_statements_rebuilt (id, bank_account_id, format, file_name, file_sha256, statement_ref,
    period_from, period_to, opening_balance_cents, closing_balance_cents, line_count, imported_by, imported_at)
SELECT id, bank_account_id, format, file_name, file_sha256, statement_ref,
    period_from, period_to, opening_balance_cents, closing_balance_cents, line_count, imported_by, imported_at
FROM bank_statements;
DROP TABLE bank_statements;
ALTER TABLE bank_statements_rebuilt RENAME TO bank_statements;

-- A movement's key by the bank's reference now holds its booking date and
-- amount (lines of one batch share the reference): older keys rewritten.
UPDATE bank_lines
SET dedupe_key = 'ref:' || TRIM(bank_reference) || '|' || booking_date || '|' || amount_cents
WHERE dedupe_key LIKE 'ref:%' AND bank_reference IS NOT NULL;

COMMIT;
PRAGMA foreign_keys = ON;
