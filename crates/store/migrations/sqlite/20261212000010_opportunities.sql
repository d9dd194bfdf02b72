-- The CRM's opportunities (JOURNEY.md steps 1, 5 and 11): a client's need,
-- its stage among the firm's own list, its contacts and skills, the mission
-- it became and what happened to it (the detail page's timeline).

-- The firm's stages in their order, each with the probability an
-- opportunity at it carries by default; exactly one won and one lost
-- stage (checked by `domain::crm::StageSet` when the list is read).
CREATE TABLE opportunity_stages (
    code TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    position INTEGER NOT NULL UNIQUE,
    probability_bp INTEGER NOT NULL CHECK (probability_bp >= 0 AND probability_bp <= 10000),
    outcome TEXT NOT NULL CHECK (outcome IN ('open', 'won', 'lost'))
);
INSERT INTO opportunity_stages (code, label, position, probability_bp, outcome) VALUES
    ('qualification', 'Qualification', 1, 1000, 'open'),
    ('besoin_exprime', 'Besoin exprimé', 2, 2500, 'open'),
    ('positionnement', 'Positionnement', 3, 4000, 'open'),
    ('proposition', 'Proposition', 4, 6000, 'open'),
    ('gagnee', 'Gagnée', 5, 10000, 'won'),
    ('perdue', 'Perdue', 6, 0, 'lost');

-- `source` is a code so that a later column (the follow-up meeting an
-- opportunity was born in) can be added beside it. `expected_cents` and
-- `weighted_cents` are the domain's figures, written with every change of
-- the opportunity or its stage, so the kanban and the list add and sort
-- them in SQL instead of loading every opportunity.
CREATE TABLE opportunities (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('regie_mission', 'fixed_price', 'recruitment_only')),
    client_id TEXT NOT NULL REFERENCES companies (id),
    title TEXT NOT NULL,
    need TEXT,
    tjm_min_cents BIGINT CHECK (tjm_min_cents > 0),
    tjm_max_cents BIGINT CHECK (tjm_max_cents > 0),
    amount_cents BIGINT CHECK (amount_cents > 0),
    start_date TEXT NOT NULL,
    end_date TEXT,
    -- Per position, in half days.
    half_days INTEGER NOT NULL CHECK (half_days > 0),
    positions INTEGER NOT NULL CHECK (positions >= 1),
    business_manager_id TEXT NOT NULL REFERENCES users (id),
    source TEXT NOT NULL CHECK (source IN ('follow_up_meeting', 'call', 'inbound', 'renewal', 'tender')),
    parent_id TEXT REFERENCES opportunities (id),
    stage TEXT NOT NULL REFERENCES opportunity_stages (code),
    -- The business manager's own probability; NULL: the stage's.
    probability_bp INTEGER CHECK (probability_bp >= 0 AND probability_bp <= 10000),
    loss_reason TEXT CHECK (loss_reason IN ('price', 'competitor', 'no_profile', 'client_cancelled', 'internalised', 'other')),
    loss_note TEXT,
    mission_id TEXT REFERENCES missions (id),
    renews_mission_id TEXT REFERENCES missions (id),
    expected_cents BIGINT NOT NULL,
    weighted_cents BIGINT NOT NULL,
    search_key TEXT NOT NULL,
    created_by TEXT REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT opportunities_dates CHECK (end_date IS NULL OR end_date >= start_date),
    CONSTRAINT opportunities_tjm_range CHECK (tjm_min_cents IS NULL OR tjm_max_cents IS NULL OR tjm_min_cents <= tjm_max_cents)
);
-- A mission comes from one opportunity; a mission is renewed by one.
CREATE UNIQUE INDEX opportunities_mission ON opportunities (mission_id);
CREATE UNIQUE INDEX opportunities_renews ON opportunities (renews_mission_id);
-- The list and the kanban: by stage, business manager, account, start.
CREATE INDEX opportunities_stage ON opportunities (stage, start_date, id);
CREATE INDEX opportunities_bm ON opportunities (business_manager_id, stage);
CREATE INDEX opportunities_client ON opportunities (client_id, stage);
CREATE INDEX opportunities_start ON opportunities (start_date, id);
CREATE INDEX opportunities_parent ON opportunities (parent_id);

-- The client's people on the need (contacts of the opportunity's company,
-- checked before writing).
CREATE TABLE opportunity_contacts (
    opportunity_id TEXT NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
    contact_id TEXT NOT NULL REFERENCES contacts (id),
    PRIMARY KEY (opportunity_id, contact_id)
);

-- The skills the need asks for, level 1 (notions) to 4 (expert). A
-- referential of skills may replace the names later.
CREATE TABLE opportunity_skills (
    opportunity_id TEXT NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    level INTEGER NOT NULL CHECK (level >= 1 AND level <= 4),
    PRIMARY KEY (opportunity_id, name)
);

-- What happened to an opportunity, for its timeline.
CREATE TABLE opportunity_events (
    id TEXT PRIMARY KEY,
    opportunity_id TEXT NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('created', 'edited', 'stage_moved', 'probability_set', 'won', 'lost', 'reopened')),
    from_stage TEXT,
    to_stage TEXT,
    loss_reason TEXT,
    mission_id TEXT,
    user_id TEXT REFERENCES users (id),
    happened_at TEXT NOT NULL
);
CREATE INDEX opportunity_events_of ON opportunity_events (opportunity_id, happened_at);
