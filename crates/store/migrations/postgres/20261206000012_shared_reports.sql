-- A report shared by several clients (#16): each client sees only what
-- concerns him. An event of a report's history (its validation, its
-- refusal, its e-mailed link) and an attachment belong to one client, or
-- to none (the firm's own steps, files kept internal).
ALTER TABLE cra_events ADD COLUMN client_id TEXT REFERENCES companies (id);
ALTER TABLE cra_attachments ADD COLUMN mission_id TEXT REFERENCES missions (id);

-- Validations recorded before: the approval they completed names the
-- client (its validator's name is the event's detail).
UPDATE cra_events SET client_id = (
    SELECT a.client_id FROM cra_client_approvals a
    WHERE a.cra_id = cra_events.cra_id AND a.approved_by = cra_events.detail
    LIMIT 1
) WHERE kind = 'client_validated';

-- Attachments of a report with a single client mission were meant for it.
UPDATE cra_attachments SET mission_id = (
    SELECT MIN(a.mission_id) FROM cra_client_approvals a WHERE a.cra_id = cra_attachments.cra_id
) WHERE (SELECT COUNT(*) FROM cra_client_approvals a WHERE a.cra_id = cra_attachments.cra_id) = 1;
