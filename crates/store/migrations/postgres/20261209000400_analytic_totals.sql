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
-- Mirrored in migrations/sqlite. Statement-level triggers with transition
-- tables here: a bulk insert of ten thousand lines updates the totals in
-- one grouped statement.

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
SELECT l.analytic_code, l.account, to_char(e.entry_date, 'YYYY-MM'), SUM(l.debit_cents), SUM(l.credit_cents)
FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id
WHERE l.analytic_code IS NOT NULL
GROUP BY l.analytic_code, l.account, to_char(e.entry_date, 'YYYY-MM');

CREATE FUNCTION ledger_lines_analytic_months() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO analytic_months (analytic_code, account, month, debit_cents, credit_cents)
    SELECT n.analytic_code, n.account, to_char(e.entry_date, 'YYYY-MM'), SUM(n.debit_cents), SUM(n.credit_cents)
    FROM new_lines n JOIN ledger_entries e ON e.id = n.entry_id
    WHERE n.analytic_code IS NOT NULL
    GROUP BY n.analytic_code, n.account, to_char(e.entry_date, 'YYYY-MM')
    ON CONFLICT (analytic_code, account, month) DO UPDATE SET
        debit_cents = analytic_months.debit_cents + excluded.debit_cents,
        credit_cents = analytic_months.credit_cents + excluded.credit_cents;
    RETURN NULL;
END $$;
CREATE TRIGGER ledger_lines_analytic_months AFTER INSERT ON ledger_lines
REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION ledger_lines_analytic_months();

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

-- Adds the counts of `added` and takes away those of `removed` (either
-- may be empty), dropping rows that reach zero.
CREATE FUNCTION cra_day_totals_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE cra_day_totals t SET half_days = t.half_days - o.n
        FROM (SELECT cra_id, activity, COALESCE(mission_id, '') AS mission_key, COUNT(*) AS n
              FROM old_slots GROUP BY 1, 2, 3) o
        WHERE t.cra_id = o.cra_id AND t.activity = o.activity AND t.mission_key = o.mission_key;
        DELETE FROM cra_day_totals t USING (SELECT DISTINCT cra_id FROM old_slots) o
        WHERE t.cra_id = o.cra_id AND t.half_days = 0;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO cra_day_totals (cra_id, activity, mission_key, half_days)
        SELECT cra_id, activity, COALESCE(mission_id, ''), COUNT(*) FROM new_slots GROUP BY 1, 2, 3
        ON CONFLICT (cra_id, activity, mission_key) DO UPDATE SET
            half_days = cra_day_totals.half_days + excluded.half_days;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER cra_slots_totals_insert AFTER INSERT ON cra_slots
REFERENCING NEW TABLE AS new_slots FOR EACH STATEMENT EXECUTE FUNCTION cra_day_totals_apply();
CREATE TRIGGER cra_slots_totals_delete AFTER DELETE ON cra_slots
REFERENCING OLD TABLE AS old_slots FOR EACH STATEMENT EXECUTE FUNCTION cra_day_totals_apply();
CREATE TRIGGER cra_slots_totals_update AFTER UPDATE ON cra_slots
REFERENCING OLD TABLE AS old_slots NEW TABLE AS new_slots FOR EACH STATEMENT EXECUTE FUNCTION cra_day_totals_apply();
