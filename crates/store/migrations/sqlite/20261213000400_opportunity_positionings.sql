-- Positioning (JOURNEY.md step 2): a consultant proposed on an opportunity
-- at a daily rate, and the client's answer. A recruitment candidate may be
-- proposed instead once recruitment exists: `candidate_id` is kept for it
-- (no table to reference yet), and exactly one of the two is set.
CREATE TABLE opportunity_positionings (
    id TEXT PRIMARY KEY,
    opportunity_id TEXT NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
    consultant_id TEXT REFERENCES users (id),
    candidate_id TEXT,
    proposed_tjm_cents BIGINT NOT NULL CHECK (proposed_tjm_cents > 0),
    answer TEXT NOT NULL DEFAULT 'pending' CHECK (answer IN ('pending', 'accepted', 'refused')),
    answered_on TEXT,
    note TEXT,
    created_by TEXT REFERENCES users (id),
    created_at TEXT NOT NULL,
    CONSTRAINT opportunity_positionings_who CHECK ((consultant_id IS NULL) <> (candidate_id IS NULL)),
    -- A pending answer has no date; an answer has one.
    CONSTRAINT opportunity_positionings_answered CHECK ((answer = 'pending') = (answered_on IS NULL))
);
-- A person is proposed once on a need.
CREATE UNIQUE INDEX opportunity_positionings_consultant ON opportunity_positionings (opportunity_id, consultant_id);
CREATE UNIQUE INDEX opportunity_positionings_candidate ON opportunity_positionings (opportunity_id, candidate_id);
