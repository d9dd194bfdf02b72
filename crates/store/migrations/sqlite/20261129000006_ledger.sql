-- The general ledger: accounts (the PCG subset every firm starts with),
-- monthly periods that close, gap-free numbering per journal and year, and
-- posted entries with their lines. Nothing here is ever updated or deleted
-- by the application: a posted entry is cancelled by its reversal, which
-- points at it (once).

CREATE TABLE ledger_accounts (
    number TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE
);
INSERT INTO ledger_accounts (number, label) VALUES
    ('401', 'Fournisseurs'),
    ('411', 'Clients'),
    ('4181', 'Clients — factures à établir'),
    ('421', 'Personnel — rémunérations dues'),
    ('4282', 'Dettes provisionnées pour congés à payer'),
    ('4286', 'Autres charges à payer (personnel)'),
    ('431', 'Sécurité sociale'),
    ('4382', 'Charges sociales sur congés à payer'),
    ('4386', 'Autres charges à payer (organismes sociaux)'),
    ('437', 'Autres organismes sociaux'),
    ('4421', 'Prélèvement à la source'),
    ('44566', 'TVA déductible sur autres biens et services'),
    ('44571', 'TVA collectée'),
    ('44574', 'TVA sur prestations en attente d’encaissement'),
    ('44587', 'TVA sur factures à établir'),
    ('467', 'Autres comptes débiteurs ou créditeurs (débours)'),
    ('487', 'Produits constatés d’avance'),
    ('512', 'Banque'),
    ('6251', 'Voyages et déplacements'),
    ('627', 'Services bancaires'),
    ('641', 'Rémunérations du personnel'),
    ('645', 'Charges de sécurité sociale et de prévoyance'),
    ('665', 'Escomptes accordés'),
    ('706', 'Prestations de services'),
    ('7097', 'Rabais, remises et ristournes accordés');

CREATE TABLE ledger_periods (
    -- 'YYYY-MM'
    month TEXT PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    closed_at TEXT,
    closed_by TEXT REFERENCES users (id)
);

CREATE TABLE ledger_sequences (
    journal TEXT NOT NULL,
    year INTEGER NOT NULL,
    last_number BIGINT NOT NULL,
    PRIMARY KEY (journal, year)
);

CREATE TABLE ledger_entries (
    id TEXT PRIMARY KEY,
    journal TEXT NOT NULL CHECK (journal IN ('VE', 'BQ', 'OD', 'AC')),
    year INTEGER NOT NULL,
    number BIGINT NOT NULL,
    entry_date TEXT NOT NULL,
    label TEXT NOT NULL,
    piece_ref TEXT,
    reverses_id TEXT REFERENCES ledger_entries (id),
    -- What produced it (e.g. 'invoice:<id>', 'accrual:<cra>'), for the links
    -- invoicing keeps between documents and entries.
    source TEXT,
    posted_at TEXT NOT NULL,
    posted_by TEXT REFERENCES users (id),
    CONSTRAINT ledger_entries_number_key UNIQUE (journal, year, number),
    CONSTRAINT ledger_entries_reversed_once UNIQUE (reverses_id)
);
CREATE INDEX ledger_entries_date ON ledger_entries (entry_date);
CREATE INDEX ledger_entries_source ON ledger_entries (source);

CREATE TABLE ledger_lines (
    entry_id TEXT NOT NULL REFERENCES ledger_entries (id),
    position INTEGER NOT NULL,
    account TEXT NOT NULL REFERENCES ledger_accounts (number),
    debit_cents BIGINT NOT NULL CHECK (debit_cents >= 0),
    credit_cents BIGINT NOT NULL CHECK (credit_cents >= 0),
    label TEXT NOT NULL,
    third_party_id TEXT REFERENCES companies (id),
    analytic_code TEXT,
    PRIMARY KEY (entry_id, position),
    CONSTRAINT ledger_lines_one_side CHECK ((debit_cents > 0 AND credit_cents = 0) OR (credit_cents > 0 AND debit_cents = 0))
);
CREATE INDEX ledger_lines_account ON ledger_lines (account, entry_id);
CREATE INDEX ledger_lines_third_party ON ledger_lines (third_party_id, account);
