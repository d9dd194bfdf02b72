-- Commercial activities (CRM): a call, a meeting, an e-mail or a task,
-- logged or planned, with a due date and an assignee, about an account,
-- one of its contacts, an opportunity or a mission. They live in `tasks`,
-- beside the renewal follow-up tasks (kind 'renewal'), so "ma journée"
-- and the home page read one table.
--
-- Columns are added, the table is not rebuilt: other migrations add
-- columns to `tasks` too, and a rebuild would drop theirs.
ALTER TABLE tasks ADD COLUMN company_id TEXT REFERENCES companies (id);
ALTER TABLE tasks ADD COLUMN contact_id TEXT REFERENCES contacts (id);
ALTER TABLE tasks ADD COLUMN opportunity_id TEXT REFERENCES opportunities (id);
ALTER TABLE tasks ADD COLUMN notes TEXT;
ALTER TABLE tasks ADD COLUMN created_by TEXT REFERENCES users (id);
ALTER TABLE tasks ADD COLUMN done_by TEXT REFERENCES users (id);
ALTER TABLE tasks ADD COLUMN updated_at TIMESTAMPTZ;

-- The kinds an activity may have, beside the renewal follow-up's.
ALTER TABLE tasks ADD CONSTRAINT tasks_kind CHECK (kind IN ('renewal', 'call', 'meeting', 'email', 'task'));

-- "Ma journée" and the morning e-mail: one user's open tasks by due date
-- (a partial index: done ones are most of the table after a while).
CREATE INDEX tasks_open_due ON tasks (assignee_id, due_date, id) WHERE done_at IS NULL;
-- The morning e-mail's scan: every open task due by today.
CREATE INDEX tasks_due_open ON tasks (due_date, assignee_id) WHERE done_at IS NULL;
-- Timelines of an opportunity, an account and a mission, latest first.
CREATE INDEX tasks_opportunity ON tasks (opportunity_id, due_date, id);
CREATE INDEX tasks_company ON tasks (company_id, due_date, id);
CREATE INDEX tasks_mission ON tasks (mission_id, due_date, id);

-- The morning e-mail of each user's day, recorded before it is queued:
-- one per user and day, whichever instance runs the daily job and however
-- often.
CREATE TABLE activity_digests (
    user_id TEXT NOT NULL REFERENCES users (id),
    day DATE NOT NULL,
    sent_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, day)
);
