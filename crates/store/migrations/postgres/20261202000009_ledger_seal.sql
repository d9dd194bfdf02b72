-- Inalterability of the posted ledger: each entry's SHA-256 over its
-- essential fields and the hash of the entry before it in the same journal
-- and year (domain::seal documents the bytes). Entries posted before this
-- migration are sealed, in number order, by the store right after
-- migrating (store::ledger::seal_pending), so an upgraded database verifies.
ALTER TABLE ledger_entries ADD COLUMN hash TEXT;
ALTER TABLE ledger_entries ADD COLUMN previous_hash TEXT;
-- What start-up looks for: entries not sealed yet (none, once sealed).
CREATE INDEX ledger_entries_unsealed ON ledger_entries (journal, year, number) WHERE hash IS NULL;

-- The FEC lists entries by date, then journal and number: its pages walk
-- this index.
CREATE INDEX ledger_entries_chrono ON ledger_entries (entry_date, journal, number);

-- Exports run by the job queue (the FEC of a fiscal year): progress and the
-- file itself live here, cut in chunks of about 1 MiB, so whichever
-- instance serves the page shows the progress and streams the download.
CREATE TABLE exports (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('fec')),
    year INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    lines_done BIGINT NOT NULL DEFAULT 0,
    lines_total BIGINT NOT NULL DEFAULT 0,
    size_bytes BIGINT NOT NULL DEFAULT 0,
    file_name TEXT,
    error TEXT,
    requested_by TEXT REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ
);
CREATE INDEX exports_created ON exports (kind, created_at);

CREATE TABLE export_chunks (
    export_id TEXT NOT NULL REFERENCES exports (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    bytes BYTEA NOT NULL,
    PRIMARY KEY (export_id, seq)
);

-- The invoice page and its Factur-X read the accruals of one invoice,
-- reversed ones included (accruals_live covers only the live one).
CREATE INDEX accruals_invoice ON accruals (invoice_id);
