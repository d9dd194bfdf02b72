-- The close issues thousands of drafts in a few statements; each status
-- change refreshed the invoice's own settlement figures (two more updates
-- of the row and of its sixteen indexes, three quarters of the issuing
-- time on PostgreSQL). An invoice's own figures read its allocations, its
-- credit notes and its total only: they change with its total, not with
-- its status, kind or date. The credited invoice's figures still follow
-- every change of a credit note. Mirrored in migrations/postgres.

DROP TRIGGER invoices_settle_update;

CREATE TRIGGER invoices_settle_update AFTER UPDATE OF kind, status, gross_cents, issue_date, credits_id ON invoices
WHEN OLD.credits_id IS NOT NULL OR NEW.credits_id IS NOT NULL
BEGIN
    UPDATE invoices SET
        settled_cents =
            (SELECT COALESCE(SUM(a.amount_cents), 0) FROM payment_allocations a INDEXED BY payment_allocations_invoice
             WHERE a.invoice_id = OLD.credits_id AND a.reversed_on IS NULL)
          + (SELECT COALESCE(SUM(n.gross_cents), 0) FROM invoices n INDEXED BY invoices_credited
             WHERE n.credits_id = OLD.credits_id AND n.kind = 'credit_note' AND n.status = 'issued'),
        settled_changed_on = (SELECT MAX(d) FROM (
            SELECT a.allocated_on AS d FROM payment_allocations a INDEXED BY payment_allocations_invoice WHERE a.invoice_id = OLD.credits_id
            UNION ALL SELECT a.reversed_on FROM payment_allocations a INDEXED BY payment_allocations_invoice WHERE a.invoice_id = OLD.credits_id
            UNION ALL SELECT n.issue_date FROM invoices n INDEXED BY invoices_credited
              WHERE n.credits_id = OLD.credits_id AND n.kind = 'credit_note' AND n.status = 'issued'))
    WHERE id = OLD.credits_id;
    UPDATE invoices SET settled_on = CASE WHEN settled_changed_on IS NOT NULL AND gross_cents <= settled_cents
        THEN settled_changed_on ELSE '9999-12-31' END
    WHERE id = OLD.credits_id;
    UPDATE invoices SET
        settled_cents =
            (SELECT COALESCE(SUM(a.amount_cents), 0) FROM payment_allocations a INDEXED BY payment_allocations_invoice
             WHERE a.invoice_id = NEW.credits_id AND a.reversed_on IS NULL)
          + (SELECT COALESCE(SUM(n.gross_cents), 0) FROM invoices n INDEXED BY invoices_credited
             WHERE n.credits_id = NEW.credits_id AND n.kind = 'credit_note' AND n.status = 'issued'),
        settled_changed_on = (SELECT MAX(d) FROM (
            SELECT a.allocated_on AS d FROM payment_allocations a INDEXED BY payment_allocations_invoice WHERE a.invoice_id = NEW.credits_id
            UNION ALL SELECT a.reversed_on FROM payment_allocations a INDEXED BY payment_allocations_invoice WHERE a.invoice_id = NEW.credits_id
            UNION ALL SELECT n.issue_date FROM invoices n INDEXED BY invoices_credited
              WHERE n.credits_id = NEW.credits_id AND n.kind = 'credit_note' AND n.status = 'issued'))
    WHERE id = NEW.credits_id;
    UPDATE invoices SET settled_on = CASE WHEN settled_changed_on IS NOT NULL AND gross_cents <= settled_cents
        THEN settled_changed_on ELSE '9999-12-31' END
    WHERE id = NEW.credits_id;
END;

CREATE TRIGGER invoices_settle_own AFTER UPDATE OF gross_cents ON invoices
WHEN NEW.gross_cents IS NOT OLD.gross_cents
BEGIN
    UPDATE invoices SET
        settled_cents =
            (SELECT COALESCE(SUM(a.amount_cents), 0) FROM payment_allocations a INDEXED BY payment_allocations_invoice
             WHERE a.invoice_id = NEW.id AND a.reversed_on IS NULL)
          + (SELECT COALESCE(SUM(n.gross_cents), 0) FROM invoices n INDEXED BY invoices_credited
             WHERE n.credits_id = NEW.id AND n.kind = 'credit_note' AND n.status = 'issued'),
        settled_changed_on = (SELECT MAX(d) FROM (
            SELECT a.allocated_on AS d FROM payment_allocations a INDEXED BY payment_allocations_invoice WHERE a.invoice_id = NEW.id
            UNION ALL SELECT a.reversed_on FROM payment_allocations a INDEXED BY payment_allocations_invoice WHERE a.invoice_id = NEW.id
            UNION ALL SELECT n.issue_date FROM invoices n INDEXED BY invoices_credited
              WHERE n.credits_id = NEW.id AND n.kind = 'credit_note' AND n.status = 'issued'))
    WHERE id = NEW.id;
    UPDATE invoices SET settled_on = CASE WHEN settled_changed_on IS NOT NULL AND gross_cents <= settled_cents
        THEN settled_changed_on ELSE '9999-12-31' END
    WHERE id = NEW.id;
END;
