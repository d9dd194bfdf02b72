-- Statement lines no invoice explains (bank fees, interest, a transfer
-- between the firm's accounts, an unexplained receipt) are posted from the
-- matching queue to the account the accountant picks (#17): the line is
-- then handled, with the entry that posted it.
ALTER TABLE bank_lines ADD COLUMN ledger_entry_id TEXT REFERENCES ledger_entries (id);

-- The counterparts those postings need besides 627 (services bancaires).
INSERT INTO ledger_accounts (number, label) VALUES
    ('471', 'Compte d''attente'),
    ('580', 'Virements internes'),
    ('768', 'Autres produits financiers')
ON CONFLICT (number) DO NOTHING;
