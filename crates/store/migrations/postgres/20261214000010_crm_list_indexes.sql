-- The activities list, latest due first, walks this index backwards and
-- stops at the page's end instead of sorting every task.
CREATE INDEX tasks_due ON tasks (due_date, id);

-- The kanban's won and lost columns show the latest closed first.
CREATE INDEX opportunities_stage_updated ON opportunities (stage, updated_at, id);

-- The kanban's totals per stage and the list's count read this index
-- alone (what the portfolio scope compares is in it), not 50 000 rows.
CREATE INDEX opportunities_stage_totals ON opportunities (stage, business_manager_id, client_id, expected_cents, weighted_cents);
