-- People and costs: the firm's agencies, one employee record per person who
-- carries cost (consultants and staff, salaried or freelance), the dated
-- versions of what each costs, and the firm's CJM settings. Money is
-- integer cents, rates basis points (4500 = 45 %).

CREATE TABLE agencies (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    city TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT agencies_name_key UNIQUE (name)
);

CREATE TABLE employees (
    id TEXT PRIMARY KEY,
    -- A consultant's login; staff without one are recorded all the same.
    user_id TEXT REFERENCES users (id),
    matricule TEXT NOT NULL,
    legal_entity TEXT NOT NULL,
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    contract_kind TEXT NOT NULL CHECK (contract_kind IN ('cdi', 'cdd', 'freelance_own_company',
                                                         'freelance_portage')),
    -- The company invoicing a freelancer's days (his own, or a portage one).
    supplier_id TEXT REFERENCES companies (id),
    hire_date DATE NOT NULL,
    exit_date DATE,
    job_title TEXT NOT NULL,
    grade TEXT,
    manager_id TEXT REFERENCES users (id),
    work_region TEXT NOT NULL,
    search_key TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT employees_matricule_key UNIQUE (matricule),
    CONSTRAINT employees_user_key UNIQUE (user_id),
    CONSTRAINT employees_dates CHECK (exit_date IS NULL OR exit_date >= hire_date),
    CONSTRAINT employees_supplier_iff_freelance
        CHECK ((contract_kind IN ('cdi', 'cdd')) = (supplier_id IS NULL))
);
CREATE INDEX employees_agency ON employees (agency_id);

-- A version is in force from effective_from until the next one's date.
-- Salary: annual amounts; charges either as a rate (charges_rate_bp) or an
-- amount (charges_cents). Freelance: buy rate per day and a fee either as
-- a rate (fee_rate_bp) or an amount per day (fee_cents).
CREATE TABLE cost_versions (
    id TEXT PRIMARY KEY,
    employee_id TEXT NOT NULL REFERENCES employees (id),
    effective_from DATE NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('salary', 'freelance')),
    annual_gross_cents BIGINT CHECK (annual_gross_cents >= 0),
    annual_bonuses_cents BIGINT CHECK (annual_bonuses_cents >= 0),
    charges_rate_bp BIGINT CHECK (charges_rate_bp >= 0),
    charges_cents BIGINT CHECK (charges_cents >= 0),
    mutual_insurance_cents BIGINT CHECK (mutual_insurance_cents >= 0),
    meal_vouchers_cents BIGINT CHECK (meal_vouchers_cents >= 0),
    transport_cents BIGINT CHECK (transport_cents >= 0),
    per_head_costs_cents BIGINT CHECK (per_head_costs_cents >= 0),
    buy_rate_cents BIGINT CHECK (buy_rate_cents > 0),
    fee_rate_bp BIGINT CHECK (fee_rate_bp >= 0),
    fee_cents BIGINT CHECK (fee_cents >= 0),
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT cost_versions_date_key UNIQUE (employee_id, effective_from),
    CONSTRAINT cost_versions_salary CHECK (kind <> 'salary' OR (annual_gross_cents IS NOT NULL
        AND (charges_rate_bp IS NULL) <> (charges_cents IS NULL))),
    CONSTRAINT cost_versions_freelance CHECK (kind <> 'freelance' OR buy_rate_cents IS NOT NULL)
);

-- The firm's CJM settings: productive days per year (218, the forfait
-- jours), the method (plain, or bench-loaded by a target activity rate),
-- and the last month whose margins are locked (no cost version inside).
CREATE TABLE cjm_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    divisor BIGINT NOT NULL CHECK (divisor BETWEEN 1 AND 366),
    method TEXT NOT NULL CHECK (method IN ('plain', 'bench_loaded')),
    target_activity_bp BIGINT CHECK (target_activity_bp BETWEEN 1 AND 10000),
    margins_locked_through TEXT,
    CONSTRAINT cjm_settings_target CHECK ((method = 'bench_loaded') = (target_activity_bp IS NOT NULL))
);
INSERT INTO cjm_settings (id, divisor, method) VALUES (1, 218, 'plain');

-- The standard CJM of each grade, for margins that must not reveal pay.
CREATE TABLE grade_standard_cjm (
    grade TEXT PRIMARY KEY,
    cjm_cents BIGINT NOT NULL CHECK (cjm_cents > 0)
);
