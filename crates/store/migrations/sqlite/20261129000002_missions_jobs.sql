-- Missions (one analytic centre each), their amendments, the job queue with
-- leases, recurring schedules, renewal follow-up, tasks and the e-mail outbox.

CREATE TABLE missions (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    client_id TEXT NOT NULL REFERENCES companies (id),
    consultant_id TEXT NOT NULL REFERENCES users (id),
    business_manager_id TEXT NOT NULL REFERENCES users (id),
    delivery_manager_id TEXT REFERENCES users (id),
    start_date TEXT NOT NULL,
    -- The end agreed at creation; amendments move end_date.
    initial_end_date TEXT NOT NULL,
    -- The current end, amendments included.
    end_date TEXT NOT NULL,
    base_tjm_cents BIGINT NOT NULL CHECK (base_tjm_cents > 0),
    status TEXT NOT NULL CHECK (status IN ('upcoming', 'active', 'ended', 'extended', 'interrupted')),
    analytic_code TEXT NOT NULL,
    po_number TEXT,
    payment_days INTEGER NOT NULL,
    payment_end_of_month BOOLEAN NOT NULL,
    vat_rate_bp INTEGER NOT NULL,
    vat_regime TEXT NOT NULL CHECK (vat_regime IN ('on_receipts', 'on_debits', 'reverse_charge_eu', 'exempt')),
    expense_policy TEXT NOT NULL CHECK (expense_policy IN ('not_rebilled', 'at_cost', 'at_cost_plus_fee')),
    expense_fee_bp INTEGER NOT NULL DEFAULT 0,
    invoicing_locked BOOLEAN NOT NULL,
    invoicing_contact_id TEXT REFERENCES contacts (id),
    billing_address TEXT,
    notes TEXT,
    interrupted_on TEXT,
    search_key TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT missions_analytic_code_key UNIQUE (analytic_code),
    CONSTRAINT missions_dates CHECK (end_date >= start_date)
);
CREATE INDEX missions_client ON missions (client_id, start_date);
CREATE INDEX missions_consultant ON missions (consultant_id, start_date);
CREATE INDEX missions_end ON missions (end_date);

-- Client contacts who validate the consultant's activity reports.
CREATE TABLE mission_validators (
    mission_id TEXT NOT NULL REFERENCES missions (id) ON DELETE CASCADE,
    contact_id TEXT NOT NULL REFERENCES contacts (id),
    PRIMARY KEY (mission_id, contact_id)
);

CREATE TABLE amendments (
    id TEXT PRIMARY KEY,
    mission_id TEXT NOT NULL REFERENCES missions (id),
    number INTEGER NOT NULL,
    effective_from TEXT NOT NULL,
    new_tjm_cents BIGINT CHECK (new_tjm_cents IS NULL OR new_tjm_cents > 0),
    new_end TEXT,
    reason TEXT,
    created_by TEXT REFERENCES users (id),
    created_at TEXT NOT NULL,
    CONSTRAINT amendments_number_key UNIQUE (mission_id, number),
    CONSTRAINT amendments_changes_something CHECK (new_tjm_cents IS NOT NULL OR new_end IS NOT NULL)
);

CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    run_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    locked_by TEXT,
    lease_until TEXT,
    last_error TEXT,
    dedupe_key TEXT,
    created_at TEXT NOT NULL,
    finished_at TEXT,
    CONSTRAINT jobs_dedupe_key UNIQUE (dedupe_key)
);
CREATE INDEX jobs_due ON jobs (state, run_at);

-- Recurring work: an instance enqueues a run by moving next_run_at forward
-- with a compare-and-set, so two instances never enqueue the same slot.
CREATE TABLE schedules (
    name TEXT PRIMARY KEY,
    job_kind TEXT NOT NULL,
    every_seconds INTEGER NOT NULL CHECK (every_seconds > 0),
    next_run_at TEXT NOT NULL
);

CREATE TABLE tasks (
    id TEXT PRIMARY KEY,
    assignee_id TEXT NOT NULL REFERENCES users (id),
    mission_id TEXT REFERENCES missions (id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    due_date TEXT NOT NULL,
    done_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX tasks_assignee ON tasks (assignee_id, done_at, due_date);

CREATE TABLE renewal_alerts (
    id TEXT PRIMARY KEY,
    mission_id TEXT NOT NULL REFERENCES missions (id),
    kind TEXT NOT NULL CHECK (kind IN ('d60', 'd30')),
    end_date TEXT NOT NULL,
    task_id TEXT REFERENCES tasks (id),
    created_at TEXT NOT NULL,
    -- One alert per threshold and end date: a renewal (new end) re-arms them.
    CONSTRAINT renewal_alerts_once UNIQUE (mission_id, kind, end_date)
);

CREATE TABLE renewals (
    mission_id TEXT NOT NULL REFERENCES missions (id),
    end_date TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('to_follow_up', 'in_discussion', 'renewed', 'not_renewed')),
    note TEXT,
    decided_at TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (mission_id, end_date)
);

CREATE TABLE outbox_emails (
    id TEXT PRIMARY KEY,
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    last_error TEXT
);
CREATE INDEX outbox_unsent ON outbox_emails (sent_at, created_at);
