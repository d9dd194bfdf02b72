-- The month-end close runs as a job: the page queues a run, the worker
-- closes it in batches and records how far it got, so the page can show
-- its progress. A run refused when it started keeps the refusal's key.
ALTER TABLE close_runs ADD COLUMN issue_date DATE;
ALTER TABLE close_runs ADD COLUMN units_done INTEGER NOT NULL DEFAULT 0;
ALTER TABLE close_runs ADD COLUMN units_total INTEGER NOT NULL DEFAULT 0;
ALTER TABLE close_runs ADD COLUMN refusal TEXT;
ALTER TABLE close_runs ADD COLUMN job_id TEXT;
