-- The bank journal's brouillard (#17): bank entries arrive in any date order
-- (yesterday's statement imported after today's cheque), yet the FEC wants
-- each journal numbered chronologically and without gaps. A BQ entry is
-- therefore recorded provisional: it counts in balances, reports and
-- lettering at once, but has no number in the journal and no seal yet. Its
-- `number` holds its place in the brouillard, negated (-1, -2, …, from the
-- series 'BQ~brouillard'), so the journal's numbers stay unique and every
-- positive number is a validated one. Validation (by finance, up to a date,
-- or when a month is closed) numbers the entries in date order, seals them
-- and stamps `validated_at`, the FEC's ValidDate.
ALTER TABLE ledger_entries ADD COLUMN validated_at TEXT;
ALTER TABLE ledger_entries ADD COLUMN validated_by TEXT REFERENCES users (id);
-- Every entry so far was numbered when posted: validated then.
UPDATE ledger_entries SET validated_at = posted_at, validated_by = posted_by;
-- What validation and the journal page read: a journal's brouillard by date.
CREATE INDEX ledger_entries_provisional ON ledger_entries (journal, entry_date) WHERE number < 0;
