-- The activities list, latest due first, walks this index backwards and
-- stops at the page's end instead of sorting every task.
CREATE INDEX tasks_due ON tasks (due_date, id);

-- The kanban's won and lost columns show the latest closed first.
CREATE INDEX opportunities_stage_updated ON opportunities (stage, updated_at, id);
