-- An account's business managers over dated periods, with their shares in
-- basis points, under the same rules as a mission's (mission_portfolio):
-- on every day a period covers the shares add up to 100 %, checked by the
-- domain before writing. With the missions' periods, it bounds what a
-- business manager sees (his scope: the accounts of his portfolio).
CREATE TABLE company_portfolio (
    company_id TEXT NOT NULL REFERENCES companies (id),
    business_manager_id TEXT NOT NULL REFERENCES users (id),
    valid_from DATE NOT NULL,
    valid_to DATE,
    share_bp INTEGER NOT NULL CHECK (share_bp > 0 AND share_bp <= 10000),
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (company_id, business_manager_id, valid_from),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
-- A business manager's accounts, for his scope.
CREATE INDEX company_portfolio_holder ON company_portfolio (business_manager_id, company_id);
-- A business manager's missions, for his scope: read as "mission_id IN
-- (his periods)" by every scoped query.
CREATE INDEX mission_portfolio_holder ON mission_portfolio (business_manager_id, mission_id);

-- No company had an owner: each client with missions goes to the business
-- manager of most of them (ties to the smallest id), alone from its first
-- mission's start. Companies without missions stay without an owner.
INSERT INTO company_portfolio (company_id, business_manager_id, valid_from, valid_to, share_bp, created_at)
SELECT client_id, business_manager_id, first_start, NULL, 10000, first_created
FROM (
    SELECT m.client_id, m.business_manager_id,
           MIN(MIN(m.start_date)) OVER (PARTITION BY m.client_id) AS first_start,
           MIN(MIN(m.created_at)) OVER (PARTITION BY m.client_id) AS first_created,
           ROW_NUMBER() OVER (PARTITION BY m.client_id
                              ORDER BY COUNT(*) DESC, m.business_manager_id) AS rank_in_client
    FROM missions m
    GROUP BY m.client_id, m.business_manager_id
) owners
WHERE rank_in_client = 1;
