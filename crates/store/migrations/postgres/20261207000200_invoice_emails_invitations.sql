-- Invoices sent by e-mail, and invitations of new users.
--
-- companies.send_invoices_by_email: the client wants each invoice e-mailed
-- to its billing contact when it is issued. Off for every existing client
-- (nobody receives an e-mail he was not promised); turned on per client.
--
-- invoice_emails: each sending of an invoice, for its history. `reason` is
-- 'issue' (the automatic sending, at most once per invoice: the partial
-- unique index decides between two workers) or 'resend' (by hand, as often
-- as asked). An automatic sending that found no billing address is kept
-- with an empty address and no e-mail, so the invoice page says why.
--
-- user_invitations: the link e-mailed to a new user (or to one who needs a
-- new password) to choose his own password. Only the token's SHA-256 is
-- kept; a link works once (used_at) and until expires_at (72 h).

ALTER TABLE companies ADD COLUMN send_invoices_by_email BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE outbox_emails ADD COLUMN cc_address TEXT;

CREATE TABLE invoice_emails (
    id TEXT PRIMARY KEY,
    invoice_id TEXT NOT NULL REFERENCES invoices (id),
    reason TEXT NOT NULL CHECK (reason IN ('issue', 'resend')),
    to_address TEXT NOT NULL,
    cc_address TEXT,
    email_id TEXT REFERENCES outbox_emails (id),
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX invoice_emails_invoice ON invoice_emails (invoice_id, created_at);
CREATE UNIQUE INDEX invoice_emails_issue_once ON invoice_emails (invoice_id) WHERE reason = 'issue';

CREATE TABLE user_invitations (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL,
    email_id TEXT REFERENCES outbox_emails (id),
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ,
    CONSTRAINT user_invitations_token_key UNIQUE (token_hash)
);
CREATE INDEX user_invitations_user ON user_invitations (user_id, created_at);
