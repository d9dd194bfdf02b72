-- Long lists walked a page at a time by their sort key (`WHERE (key, id) <
-- (…) ORDER BY key DESC, id DESC LIMIT n`): each index below holds a list's
-- whole order, id last, so a page reads its rows in order and stops, however
-- deep it is, instead of sorting the table for each page.

-- Invoices and credit notes: newest period first, then by number, drafts
-- (no number yet) last in their month.
CREATE INDEX invoices_list ON invoices (period, (COALESCE(number, '')), id);
-- The list's total (count, net, gross over the filter) read from the index
-- alone rather than from the rows with their frozen copy.
CREATE INDEX invoices_totals ON invoices (period, status, client_id, lifecycle_status, kind, net_cents, gross_cents);

-- Payments: latest received first. Replaces the date alone, which left the
-- ties of a busy day to be sorted.
DROP INDEX payments_date;
CREATE INDEX payments_list ON payments (received_on, id);

-- A journal in the report's order: year, numbered before waiting, date,
-- number.
CREATE INDEX ledger_entries_journal_list
    ON ledger_entries (journal, year, (CASE WHEN number < 0 THEN 1 ELSE 0 END), entry_date, (ABS(number)));
