-- Account groups: a company may belong to a group (its parent company)
-- and be the group itself, a billing entity or a site. The links form a
-- forest (`domain::company::group::check_parent` refuses a cycle before
-- writing).
ALTER TABLE companies ADD COLUMN parent_id TEXT REFERENCES companies (id);
ALTER TABLE companies ADD COLUMN entity_kind TEXT CHECK (entity_kind IN ('group', 'billing_entity', 'site'));
CREATE INDEX companies_parent ON companies (parent_id);
