-- Follow-up meetings (RDV de suivi, JOURNEY.md steps 5 and 11): with the
-- client or with the consultant, about a mission or an account; held, they
-- carry the note and decisions, plan the series' next one, and may give
-- birth to child opportunities (`opportunities.meeting_id`).

-- A recurring rule (`domain::crm::recurrence::Series`): the first date,
-- the optional last one; every meeting of the series points to it.
CREATE TABLE meeting_series (
    id TEXT PRIMARY KEY,
    recurrence TEXT NOT NULL CHECK (recurrence IN ('weeks', 'monthly', 'quarterly')),
    every_weeks INTEGER CHECK (every_weeks IS NULL OR (every_weeks >= 1 AND every_weeks <= 26)),
    first_date DATE NOT NULL,
    until_date DATE,
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT meeting_series_dates CHECK (until_date IS NULL OR until_date >= first_date)
);

-- `company_id` is always the account (the mission's client when about a
-- mission) so the scope and the company page read one column.
-- `previous_id` is the meeting whose holding planned this one: unique, so
-- holding a meeting twice can never plan two.
CREATE TABLE meetings (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('client', 'consultant')),
    mission_id TEXT REFERENCES missions (id),
    company_id TEXT NOT NULL REFERENCES companies (id),
    series_id TEXT REFERENCES meeting_series (id),
    previous_id TEXT REFERENCES meetings (id),
    planned_at TIMESTAMPTZ NOT NULL,
    mode TEXT NOT NULL CHECK (mode IN ('on_site', 'video')),
    place TEXT,
    organiser_id TEXT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL CHECK (status IN ('planned', 'held', 'cancelled')),
    note TEXT,
    decisions TEXT,
    held_at TIMESTAMPTZ,
    held_by TEXT REFERENCES users (id),
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT meetings_held CHECK (status <> 'held' OR (note IS NOT NULL AND held_at IS NOT NULL))
);
CREATE UNIQUE INDEX meetings_previous ON meetings (previous_id);
CREATE INDEX meetings_mission ON meetings (mission_id, planned_at);
CREATE INDEX meetings_company ON meetings (company_id, planned_at);
CREATE INDEX meetings_organiser ON meetings (organiser_id, status, planned_at);
CREATE INDEX meetings_planned ON meetings (planned_at, id);

-- The client's people at the meeting (contacts of its account, checked
-- before writing) and the firm's.
CREATE TABLE meeting_contacts (
    meeting_id TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    contact_id TEXT NOT NULL REFERENCES contacts (id),
    PRIMARY KEY (meeting_id, contact_id)
);
CREATE TABLE meeting_users (
    meeting_id TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (meeting_id, user_id)
);
CREATE INDEX meeting_users_user ON meeting_users (user_id, meeting_id);

-- The meeting a need was born in: the meeting lists its children.
ALTER TABLE opportunities ADD COLUMN meeting_id TEXT REFERENCES meetings (id);
CREATE INDEX opportunities_meeting ON opportunities (meeting_id);
