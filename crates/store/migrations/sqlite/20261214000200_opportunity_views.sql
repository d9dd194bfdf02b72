-- Saved views of the opportunity list: a name over the list's query string
-- (filters and sort, checked by the list's own parser before it is kept).
-- A view is its owner's; direction and the admin may share one with the
-- whole firm. Each user may open one of his own by default.
CREATE TABLE opportunity_views (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    query TEXT NOT NULL,
    shared BOOLEAN NOT NULL DEFAULT FALSE,
    is_default BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- A name is unique among its owner's views.
CREATE UNIQUE INDEX opportunity_views_name ON opportunity_views (user_id, name);
-- One default at most per user.
CREATE UNIQUE INDEX opportunity_views_default ON opportunity_views (user_id) WHERE is_default;
-- The firm's shared views, read by every list.
CREATE INDEX opportunity_views_shared ON opportunity_views (shared) WHERE shared;
