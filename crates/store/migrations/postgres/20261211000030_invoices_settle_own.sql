-- The close issues thousands of drafts in a few statements; each status
-- change refreshed the invoice's own settlement figures (two more updates
-- of the row and of its sixteen indexes, three quarters of the issuing
-- time on PostgreSQL). An invoice's own figures read its allocations, its
-- credit notes and its total only: they change with its total, not with
-- its status, kind or date. The credited invoice's figures still follow
-- every change of a credit note. Mirrored in migrations/sqlite.

CREATE OR REPLACE FUNCTION invoices_settle() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.credits_id IS NOT NULL THEN
        PERFORM invoice_settlement_refresh(OLD.credits_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.credits_id IS NOT NULL THEN
        PERFORM invoice_settlement_refresh(NEW.credits_id);
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.gross_cents IS DISTINCT FROM OLD.gross_cents THEN
        PERFORM invoice_settlement_refresh(NEW.id);
    END IF;
    RETURN NULL;
END $$;
