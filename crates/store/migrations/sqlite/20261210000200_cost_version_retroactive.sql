-- A cost version's retroactive date ("rappel depuis le"): a change that
-- concerns months whose margins are locked is entered from the first open
-- month, with its real start here. The locked months keep the version in
-- force then; the margin books the difference on their days as an
-- adjustment in the version's own month. NULL for an ordinary version.
ALTER TABLE cost_versions ADD COLUMN retroactive_from TEXT
    CHECK (retroactive_from IS NULL OR retroactive_from < effective_from);
