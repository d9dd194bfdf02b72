-- The account plan of a key account (`domain::crm::account_plan`): its
-- domains (directions métier) with the contact who leads each, the part
-- its contacts play in the buying decision and how strong the firm's
-- relationship with each is, and its yearly targets. The decision makers
-- themselves are not stored (they are the contacts whose role says so),
-- nor its owners (read from company_portfolio).
CREATE TABLE account_domains (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies (id),
    name TEXT NOT NULL,
    lead_contact_id TEXT REFERENCES contacts (id),
    stakes TEXT,
    status TEXT NOT NULL CHECK (status IN ('active', 'target', 'dormant')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT account_domains_name UNIQUE (company_id, name)
);
CREATE TABLE account_stakeholders (
    company_id TEXT NOT NULL REFERENCES companies (id),
    contact_id TEXT NOT NULL REFERENCES contacts (id),
    influence TEXT NOT NULL
        CHECK (influence IN ('decision_maker', 'sponsor', 'influencer', 'user', 'blocker')),
    strength INTEGER NOT NULL CHECK (strength BETWEEN 1 AND 4),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (company_id, contact_id)
);
CREATE TABLE account_targets (
    company_id TEXT NOT NULL REFERENCES companies (id),
    year INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    revenue_cents BIGINT NOT NULL CHECK (revenue_cents >= 0),
    consultants INTEGER NOT NULL CHECK (consultants >= 0),
    opportunities INTEGER NOT NULL CHECK (opportunities >= 0),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (company_id, year)
);
