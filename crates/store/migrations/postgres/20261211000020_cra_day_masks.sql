-- The half days of each report per activity and mission, as a mask (bit
-- (day - 1) × 2 for the morning, + 1 for the afternoon, as billed_masks):
-- drafting reads one row per report and mission instead of its forty-odd
-- slots (the month-end close of 10 000 consultants read 400 000 slots).
-- Kept by the same trigger function as the count. Mirrored in
-- migrations/sqlite.

ALTER TABLE cra_day_totals ADD COLUMN mask BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION cra_slot_bit(day DATE, half TEXT) RETURNS BIGINT LANGUAGE sql IMMUTABLE AS $$
    SELECT CAST(1 AS BIGINT) << ((CAST(EXTRACT(DAY FROM day) AS INTEGER) - 1) * 2
                                 + CASE half WHEN 'pm' THEN 1 ELSE 0 END)
$$;

UPDATE cra_day_totals t SET mask = s.mask
FROM (SELECT cra_id, activity, COALESCE(mission_id, '') AS mission_key,
             bit_or(cra_slot_bit(day, half)) AS mask
      FROM cra_slots GROUP BY 1, 2, 3) s
WHERE t.cra_id = s.cra_id AND t.activity = s.activity AND t.mission_key = s.mission_key;

-- Adds the counts and bits of `added` and takes away those of `removed`
-- (either may be empty), dropping rows that reach zero.
CREATE OR REPLACE FUNCTION cra_day_totals_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE cra_day_totals t SET half_days = t.half_days - o.n, mask = t.mask & ~o.mask
        FROM (SELECT cra_id, activity, COALESCE(mission_id, '') AS mission_key, COUNT(*) AS n,
                     bit_or(cra_slot_bit(day, half)) AS mask
              FROM old_slots GROUP BY 1, 2, 3) o
        WHERE t.cra_id = o.cra_id AND t.activity = o.activity AND t.mission_key = o.mission_key;
        DELETE FROM cra_day_totals t USING (SELECT DISTINCT cra_id FROM old_slots) o
        WHERE t.cra_id = o.cra_id AND t.half_days = 0;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO cra_day_totals (cra_id, activity, mission_key, half_days, mask)
        SELECT cra_id, activity, COALESCE(mission_id, ''), COUNT(*), bit_or(cra_slot_bit(day, half))
        FROM new_slots GROUP BY 1, 2, 3
        ON CONFLICT (cra_id, activity, mission_key) DO UPDATE SET
            half_days = cra_day_totals.half_days + excluded.half_days,
            mask = cra_day_totals.mask | excluded.mask;
    END IF;
    RETURN NULL;
END $$;
