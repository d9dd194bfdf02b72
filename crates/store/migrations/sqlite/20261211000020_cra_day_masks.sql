-- The half days of each report per activity and mission, as a mask (bit
-- (day - 1) × 2 for the morning, + 1 for the afternoon, as billed_masks):
-- drafting reads one row per report and mission instead of its forty-odd
-- slots (the month-end close of 10 000 consultants read 400 000 slots).
-- Kept by the same triggers as the count. Mirrored in migrations/postgres.

ALTER TABLE cra_day_totals ADD COLUMN mask BIGINT NOT NULL DEFAULT 0;

-- A report holds a half day once (the slots' key), so the bits of a group
-- are distinct and their sum is their union.
UPDATE cra_day_totals SET mask = (
    SELECT COALESCE(SUM(1 << ((CAST(strftime('%d', s.day) AS INTEGER) - 1) * 2
                              + CASE s.half WHEN 'pm' THEN 1 ELSE 0 END)), 0)
    FROM cra_slots s
    WHERE s.cra_id = cra_day_totals.cra_id AND s.activity = cra_day_totals.activity
      AND COALESCE(s.mission_id, '') = cra_day_totals.mission_key);

DROP TRIGGER cra_slots_totals_insert;
DROP TRIGGER cra_slots_totals_delete;
DROP TRIGGER cra_slots_totals_update;

CREATE TRIGGER cra_slots_totals_insert AFTER INSERT ON cra_slots
BEGIN
    INSERT INTO cra_day_totals (cra_id, activity, mission_key, half_days, mask)
    VALUES (NEW.cra_id, NEW.activity, COALESCE(NEW.mission_id, ''), 1,
            1 << ((CAST(strftime('%d', NEW.day) AS INTEGER) - 1) * 2 + CASE NEW.half WHEN 'pm' THEN 1 ELSE 0 END))
    ON CONFLICT (cra_id, activity, mission_key) DO UPDATE SET
        half_days = half_days + 1, mask = mask | excluded.mask;
END;

CREATE TRIGGER cra_slots_totals_delete AFTER DELETE ON cra_slots
BEGIN
    UPDATE cra_day_totals SET half_days = half_days - 1,
        mask = mask & ~(1 << ((CAST(strftime('%d', OLD.day) AS INTEGER) - 1) * 2 + CASE OLD.half WHEN 'pm' THEN 1 ELSE 0 END))
    WHERE cra_id = OLD.cra_id AND activity = OLD.activity AND mission_key = COALESCE(OLD.mission_id, '');
    DELETE FROM cra_day_totals
    WHERE cra_id = OLD.cra_id AND activity = OLD.activity AND mission_key = COALESCE(OLD.mission_id, '')
      AND half_days = 0;
END;

CREATE TRIGGER cra_slots_totals_update AFTER UPDATE OF cra_id, day, half, activity, mission_id ON cra_slots
BEGIN
    UPDATE cra_day_totals SET half_days = half_days - 1,
        mask = mask & ~(1 << ((CAST(strftime('%d', OLD.day) AS INTEGER) - 1) * 2 + CASE OLD.half WHEN 'pm' THEN 1 ELSE 0 END))
    WHERE cra_id = OLD.cra_id AND activity = OLD.activity AND mission_key = COALESCE(OLD.mission_id, '');
    DELETE FROM cra_day_totals
    WHERE cra_id = OLD.cra_id AND activity = OLD.activity AND mission_key = COALESCE(OLD.mission_id, '')
      AND half_days = 0;
    INSERT INTO cra_day_totals (cra_id, activity, mission_key, half_days, mask)
    VALUES (NEW.cra_id, NEW.activity, COALESCE(NEW.mission_id, ''), 1,
            1 << ((CAST(strftime('%d', NEW.day) AS INTEGER) - 1) * 2 + CASE NEW.half WHEN 'pm' THEN 1 ELSE 0 END))
    ON CONFLICT (cra_id, activity, mission_key) DO UPDATE SET
        half_days = half_days + 1, mask = mask | excluded.mask;
END;
