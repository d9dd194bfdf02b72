-- Month-end at the speed of the disk (#19): what a line bills is kept as one
-- row per line, consultant and month holding a bit per half day (bit
-- (day of month − 1) × 2, plus 1 for the afternoon; see
-- `domain::invoice::billed`), instead of one row per half day (44 a
-- consultant and month, each with its keys and indexes).
CREATE TABLE billed_masks (
    line_id TEXT NOT NULL REFERENCES invoice_lines (id),
    consultant_id TEXT NOT NULL REFERENCES users (id),
    month TEXT NOT NULL,
    cra_id TEXT NOT NULL REFERENCES cras (id),
    -- Every half day the line billed, those credited since included.
    mask BIGINT NOT NULL CHECK (mask > 0),
    -- Those a credit note gave back (always among the line's).
    credited BIGINT NOT NULL DEFAULT 0 CHECK ((credited & ~mask) = 0),
    PRIMARY KEY (line_id, consultant_id, month)
);
CREATE INDEX billed_masks_consultant ON billed_masks (consultant_id, month);
CREATE INDEX billed_masks_cra ON billed_masks (cra_id);

-- Which half days of which line each credit note's line gave back.
CREATE TABLE billed_credits (
    credit_line_id TEXT NOT NULL REFERENCES invoice_lines (id),
    line_id TEXT NOT NULL,
    consultant_id TEXT NOT NULL,
    month TEXT NOT NULL,
    mask BIGINT NOT NULL CHECK (mask > 0),
    PRIMARY KEY (credit_line_id, line_id, consultant_id, month),
    FOREIGN KEY (line_id, consultant_id, month) REFERENCES billed_masks (line_id, consultant_id, month)
);
CREATE INDEX billed_credits_line ON billed_credits (line_id, consultant_id, month);

-- The guard that a half day is never billed twice, also by two instances at
-- once: per consultant and month, the union of the half days billed and
-- not credited back. Drafting claims its bits with one conditional upsert
-- that updates nothing when they meet bits already there.
CREATE TABLE billed_guard (
    consultant_id TEXT NOT NULL REFERENCES users (id),
    month TEXT NOT NULL,
    mask BIGINT NOT NULL CHECK (mask >= 0),
    PRIMARY KEY (consultant_id, month)
);

-- The days billed so far, folded (bit_or over a line's half days;
-- one row each).
INSERT INTO billed_masks (line_id, consultant_id, month, cra_id, mask, credited)
SELECT line_id, consultant_id, to_char(day, 'YYYY-MM'), MIN(cra_id),
    bit_or(CAST(1 AS BIGINT) << ((CAST(EXTRACT(DAY FROM day) AS INTEGER) - 1) * 2 + (CASE WHEN half = 'pm' THEN 1 ELSE 0 END))),
    bit_or(CASE WHEN credit_line_id IS NULL THEN CAST(0 AS BIGINT)
        ELSE CAST(1 AS BIGINT) << ((CAST(EXTRACT(DAY FROM day) AS INTEGER) - 1) * 2 + (CASE WHEN half = 'pm' THEN 1 ELSE 0 END)) END)
FROM billed_days GROUP BY line_id, consultant_id, to_char(day, 'YYYY-MM');

INSERT INTO billed_credits (credit_line_id, line_id, consultant_id, month, mask)
SELECT credit_line_id, line_id, consultant_id, to_char(day, 'YYYY-MM'),
    bit_or(CAST(1 AS BIGINT) << ((CAST(EXTRACT(DAY FROM day) AS INTEGER) - 1) * 2 + (CASE WHEN half = 'pm' THEN 1 ELSE 0 END)))
FROM billed_days WHERE credit_line_id IS NOT NULL
GROUP BY credit_line_id, line_id, consultant_id, to_char(day, 'YYYY-MM');

-- Live days of different lines never meet (the old unique index).
INSERT INTO billed_guard (consultant_id, month, mask)
SELECT consultant_id, month, bit_or(mask & ~credited) FROM billed_masks GROUP BY consultant_id, month;

DROP TABLE billed_days;
