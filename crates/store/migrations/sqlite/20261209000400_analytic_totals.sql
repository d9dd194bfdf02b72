-- Figures the margin pages read instead of walking years of rows on each
-- request (issue "People and costs", its measure: 2 000 consultants × 5
-- years).
--
-- analytic_months: the ledger's lines that carry an analytic code, summed
-- per code, account and month of the entry. Posted lines are never
-- updated or deleted (a correction is a reversing entry, itself inserted),
-- so an insert trigger keeps it exact; every write path (invoicing, the
-- close's bulk inserts, accruals, fixtures) goes through it.
--
-- cra_day_totals: the half days of each report per activity and mission
-- (mission_key '' for the activities without one), kept by triggers on
-- the slots, which the report's forms rewrite. A month's figures are then
-- one row per report and kind of work instead of forty-odd.
--
-- Mirrored in migrations/postgres.

CREATE TABLE analytic_months (
    analytic_code TEXT NOT NULL,
    account TEXT NOT NULL,
    month TEXT NOT NULL,
    debit_cents BIGINT NOT NULL,
    credit_cents BIGINT NOT NULL,
    PRIMARY KEY (analytic_code, account, month)
);
CREATE INDEX analytic_months_month ON analytic_months (month, account);

INSERT INTO analytic_months (analytic_code, account, month, debit_cents, credit_cents)
SELECT l.analytic_code, l.account, substr(e.entry_date, 1, 7), SUM(l.debit_cents), SUM(l.credit_cents)
FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id
WHERE l.analytic_code IS NOT NULL
GROUP BY l.analytic_code, l.account, substr(e.entry_date, 1, 7);

CREATE TRIGGER ledger_lines_analytic_months AFTER INSERT ON ledger_lines
WHEN NEW.analytic_code IS NOT NULL
BEGIN
    INSERT INTO analytic_months (analytic_code, account, month, debit_cents, credit_cents)
    SELECT NEW.analytic_code, NEW.account, substr(e.entry_date, 1, 7), NEW.debit_cents, NEW.credit_cents
    FROM ledger_entries e WHERE e.id = NEW.entry_id
    ON CONFLICT (analytic_code, account, month) DO UPDATE SET
        debit_cents = debit_cents + excluded.debit_cents,
        credit_cents = credit_cents + excluded.credit_cents;
END;

CREATE TABLE cra_day_totals (
    cra_id TEXT NOT NULL REFERENCES cras (id) ON DELETE CASCADE,
    activity TEXT NOT NULL,
    mission_key TEXT NOT NULL,
    half_days INTEGER NOT NULL CHECK (half_days >= 0),
    PRIMARY KEY (cra_id, activity, mission_key)
);

INSERT INTO cra_day_totals (cra_id, activity, mission_key, half_days)
SELECT cra_id, activity, COALESCE(mission_id, ''), COUNT(*)
FROM cra_slots GROUP BY cra_id, activity, COALESCE(mission_id, '');

CREATE TRIGGER cra_slots_totals_insert AFTER INSERT ON cra_slots
BEGIN
    INSERT INTO cra_day_totals (cra_id, activity, mission_key, half_days)
    VALUES (NEW.cra_id, NEW.activity, COALESCE(NEW.mission_id, ''), 1)
    ON CONFLICT (cra_id, activity, mission_key) DO UPDATE SET half_days = half_days + 1;
END;

CREATE TRIGGER cra_slots_totals_delete AFTER DELETE ON cra_slots
BEGIN
    UPDATE cra_day_totals SET half_days = half_days - 1
    WHERE cra_id = OLD.cra_id AND activity = OLD.activity AND mission_key = COALESCE(OLD.mission_id, '');
    DELETE FROM cra_day_totals
    WHERE cra_id = OLD.cra_id AND activity = OLD.activity AND mission_key = COALESCE(OLD.mission_id, '')
      AND half_days = 0;
END;

CREATE TRIGGER cra_slots_totals_update AFTER UPDATE OF cra_id, activity, mission_id ON cra_slots
BEGIN
    UPDATE cra_day_totals SET half_days = half_days - 1
    WHERE cra_id = OLD.cra_id AND activity = OLD.activity AND mission_key = COALESCE(OLD.mission_id, '');
    DELETE FROM cra_day_totals
    WHERE cra_id = OLD.cra_id AND activity = OLD.activity AND mission_key = COALESCE(OLD.mission_id, '')
      AND half_days = 0;
    INSERT INTO cra_day_totals (cra_id, activity, mission_key, half_days)
    VALUES (NEW.cra_id, NEW.activity, COALESCE(NEW.mission_id, ''), 1)
    ON CONFLICT (cra_id, activity, mission_key) DO UPDATE SET half_days = half_days + 1;
END;
