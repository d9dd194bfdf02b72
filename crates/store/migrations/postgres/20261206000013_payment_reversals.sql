-- A payment recorded on the wrong invoice or client is cancelled (#17): its
-- entry reversed on the day of the cancellation, its allocations given back
-- to their invoices on that day (the receipts' e-reporting corrects the
-- period of the cancellation, not the one of the receipt), its lettering
-- undone and its bank line back in the matching queue.
ALTER TABLE payments ADD COLUMN reversed_on DATE;
ALTER TABLE payments ADD COLUMN reversed_at TIMESTAMPTZ;
ALTER TABLE payments ADD COLUMN reversed_by TEXT REFERENCES users (id);
ALTER TABLE payments ADD COLUMN reversal_reason TEXT;
ALTER TABLE payments ADD COLUMN reversal_entry_id TEXT REFERENCES ledger_entries (id);
ALTER TABLE payment_allocations ADD COLUMN reversed_on DATE;
CREATE INDEX payment_allocations_reversed ON payment_allocations (reversed_on);
