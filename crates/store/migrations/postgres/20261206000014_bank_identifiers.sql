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
ALTER TABLE bank_statements ADD COLUMN file_position INTEGER NOT NULL DEFAULT 1;
ALTER TABLE bank_statements ADD COLUMN not_booked INTEGER NOT NULL DEFAULT 0;
ALTER TABLE bank_statements DROP CONSTRAINT bank_statements_file_key;
ALTER TABLE bank_statements ADD CONSTRAINT bank_statements_file_key
    UNIQUE (bank_account_id, file_sha256, file_position);

-- A movement's key by the bank's reference now holds its booking date and
-- amount (lines of one batch share the reference): older keys rewritten.
UPDATE bank_lines
SET dedupe_key = 'ref:' || TRIM(bank_reference) || '|' || to_char(booking_date, 'YYYY-MM-DD') || '|' || amount_cents
WHERE dedupe_key LIKE 'ref:%' AND bank_reference IS NOT NULL;
