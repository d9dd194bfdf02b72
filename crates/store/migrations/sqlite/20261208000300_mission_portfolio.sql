-- A mission's business managers over dated periods, each with a share in
-- basis points (10000 = 100 %): the hunter who signed and the farmer who
-- grows it may share it (70/30), and a hand-over keeps the history. On
-- every day a period covers, the shares add up to 100 % (checked by the
-- domain before writing). missions.business_manager_id stays as the
-- current owner derived from these periods (largest share today), so the
-- pages and queries that read it keep working.
CREATE TABLE mission_portfolio (
    mission_id TEXT NOT NULL REFERENCES missions (id),
    business_manager_id TEXT NOT NULL REFERENCES users (id),
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    share_bp INTEGER NOT NULL CHECK (share_bp > 0 AND share_bp <= 10000),
    created_at TEXT NOT NULL,
    PRIMARY KEY (mission_id, business_manager_id, valid_from),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX mission_portfolio_manager ON mission_portfolio (business_manager_id, valid_from);

-- Every existing mission: its business manager alone from its start.
INSERT INTO mission_portfolio (mission_id, business_manager_id, valid_from, valid_to, share_bp, created_at)
SELECT id, business_manager_id, start_date, NULL, 10000, created_at FROM missions;
