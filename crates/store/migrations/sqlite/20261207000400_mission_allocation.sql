-- A consultant's share of working time on a mission, in percent: 100 is
-- full time; overlapping missions of one consultant add up to at most 100.
ALTER TABLE missions ADD COLUMN allocation_percent INTEGER NOT NULL DEFAULT 100
    CHECK (allocation_percent BETWEEN 1 AND 100);
