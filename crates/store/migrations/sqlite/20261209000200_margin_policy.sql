-- The firm's margin rules, beside its CJM settings: who carries bench cost
-- (the consultant's business manager by default, his agency, or the
-- agency's missions pro rata of their days), and whether salaries are
-- hidden from business and delivery managers (they then see margins at
-- the grade's standard CJM; hidden by default, PAYROLL.md §5).
ALTER TABLE cjm_settings ADD COLUMN bench_allocation TEXT NOT NULL DEFAULT 'consultant_bm'
    CHECK (bench_allocation IN ('consultant_bm', 'agency', 'agency_missions'));
ALTER TABLE cjm_settings ADD COLUMN salaries_hidden BOOLEAN NOT NULL DEFAULT TRUE;

-- A mission's revenue lines (the margin's drill-down) by its analytic
-- code; the monthly figures come from analytic_months.
CREATE INDEX ledger_lines_analytic ON ledger_lines (analytic_code, account) WHERE analytic_code IS NOT NULL;
