-- Receivables read from indexed figures kept by the database (#8 reporting
-- at five years of data): the aged balance, the cash-in forecast and a
-- client's statement no longer add up every allocation and credit note of
-- every invoice on each request.
--
-- On each invoice: settled_cents, what its live allocations (not given
-- back by a cancelled payment) and its issued credit notes settle today;
-- settled_changed_on, the latest date among those events (an allocation,
-- its cancellation, a credit note; NULL when none); settled_on, the date
-- from which it stays settled for good (that latest date once it is fully
-- settled, 9999-12-31 while it is not). On each payment: allocated_cents,
-- its live allocations; allocations_changed_on, the latest of their dates,
-- their cancellations and the payment's own; used_up_on, the date from
-- which it holds no credit for good (9999-12-31 while it does).
--
-- A report on a date D reads only the invoices with settled_on > D (and
-- the payments with used_up_on > D), through the partial indexes below;
-- of those, the ones whose last event is on or before D take the kept
-- figure, the others (a payment allocated after D) are summed from their
-- history. Money stays integer cents.
--
-- Kept by triggers, not by the application, so that every write path (a
-- payment, an allocation of a credit, a cancellation, a credit note, the
-- close's bulk inserts, fixtures) keeps them right. Mirrored in
-- migrations/postgres with PL/pgSQL functions.

ALTER TABLE invoices ADD COLUMN settled_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN settled_changed_on TEXT;
ALTER TABLE invoices ADD COLUMN settled_on TEXT NOT NULL DEFAULT '9999-12-31';
ALTER TABLE payments ADD COLUMN allocated_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payments ADD COLUMN allocations_changed_on TEXT;
ALTER TABLE payments ADD COLUMN used_up_on TEXT NOT NULL DEFAULT '9999-12-31';

-- The invoices that may be open on a date, with every column the aged
-- balance reads (no table lookup); one client's, for its statement.
CREATE INDEX invoices_open_on ON invoices
    (settled_on, issue_date, client_id, due_date, gross_cents, settled_cents, settled_changed_on, id)
    WHERE status = 'issued' AND kind = 'invoice';
CREATE INDEX invoices_client_open_on ON invoices (client_id, settled_on, issue_date)
    WHERE status = 'issued' AND kind = 'invoice';
-- The payments that may hold credit on a date.
CREATE INDEX payments_credit_on ON payments
    (used_up_on, received_on, client_id, amount_cents, allocated_cents, allocations_changed_on, reversed_on, id);

-- The two refreshes, repeated in each trigger below (SQLite has no
-- procedures): invoice X, then payment X. Their lookups are pinned
-- (INDEXED BY): under statistics taken while the tables were small,
-- SQLite scanned payment_allocations for each row written.
--   UPDATE invoices SET settled_cents = …, settled_changed_on = … WHERE id = X;
--   UPDATE invoices SET settled_on = … WHERE id = X;
-- The second statement reads what the first wrote.

CREATE TRIGGER payment_allocations_settle_insert AFTER INSERT ON payment_allocations
BEGIN
    UPDATE invoices SET
        settled_cents =
            (SELECT COALESCE(SUM(a.amount_cents), 0) FROM payment_allocations a INDEXED BY payment_allocations_invoice
             WHERE a.invoice_id = NEW.invoice_id AND a.reversed_on IS NULL)
          + (SELECT COALESCE(SUM(n.gross_cents), 0) FROM invoices n INDEXED BY invoices_credited
             WHERE n.credits_id = NEW.invoice_id AND n.kind = 'credit_note' AND n.status = 'issued'),
        settled_changed_on = (SELECT MAX(d) FROM (
            SELECT a.allocated_on AS d FROM payment_allocations a INDEXED BY payment_allocations_invoice WHERE a.invoice_id = NEW.invoice_id
            UNION ALL SELECT a.reversed_on FROM payment_allocations a INDEXED BY payment_allocations_invoice WHERE a.invoice_id = NEW.invoice_id
            UNION ALL SELECT n.issue_date FROM invoices n INDEXED BY invoices_credited
              WHERE n.credits_id = NEW.invoice_id AND n.kind = 'credit_note' AND n.status = 'issued'))
    WHERE id = NEW.invoice_id;
    UPDATE invoices SET settled_on = CASE WHEN settled_changed_on IS NOT NULL AND gross_cents <= settled_cents
        THEN settled_changed_on ELSE '9999-12-31' END
    WHERE id = NEW.invoice_id;
    UPDATE payments SET
        allocated_cents = (SELECT COALESCE(SUM(a.amount_cents), 0) FROM payment_allocations a INDEXED BY payment_allocations_payment
                           WHERE a.payment_id = NEW.payment_id AND a.reversed_on IS NULL),
        allocations_changed_on = (SELECT MAX(d) FROM (
            SELECT a.allocated_on AS d FROM payment_allocations a INDEXED BY payment_allocations_payment WHERE a.payment_id = NEW.payment_id
            UNION ALL SELECT a.reversed_on FROM payment_allocations a INDEXED BY payment_allocations_payment WHERE a.payment_id = NEW.payment_id
            UNION ALL SELECT p.reversed_on FROM payments p WHERE p.id = NEW.payment_id))
    WHERE id = NEW.payment_id;
    UPDATE payments SET used_up_on = CASE WHEN reversed_on IS NOT NULL OR amount_cents <= allocated_cents
        THEN COALESCE(allocations_changed_on, received_on) ELSE '9999-12-31' END
    WHERE id = NEW.payment_id;
END;

CREATE TRIGGER payment_allocations_settle_update AFTER UPDATE OF invoice_id, payment_id, amount_cents, allocated_on, reversed_on
    ON payment_allocations
BEGIN
    UPDATE invoices SET
        settled_cents =
            (SELECT COALESCE(SUM(a.amount_cents), 0) FROM payment_allocations a INDEXED BY payment_allocations_invoice
             WHERE a.invoice_id = OLD.invoice_id AND a.reversed_on IS NULL)
          + (SELECT COALESCE(SUM(n.gross_cents), 0) FROM invoices n INDEXED BY invoices_credited
             WHERE n.credits_id = OLD.invoice_id AND n.kind = 'credit_note' AND n.status = 'issued'),
        settled_changed_on = (SELECT MAX(d) FROM (
            SELECT a.allocated_on AS d FROM payment_allocations a INDEXED BY payment_allocations_invoice WHERE a.invoice_id = OLD.invoice_id
            UNION ALL SELECT a.reversed_on FROM payment_allocations a INDEXED BY payment_allocations_invoice WHERE a.invoice_id = OLD.invoice_id
            UNION ALL SELECT n.issue_date FROM invoices n INDEXED BY invoices_credited
              WHERE n.credits_id = OLD.invoice_id AND n.kind = 'credit_note' AND n.status = 'issued'))
    WHERE id = OLD.invoice_id;
    UPDATE invoices SET settled_on = CASE WHEN settled_changed_on IS NOT NULL AND gross_cents <= settled_cents
        THEN settled_changed_on ELSE '9999-12-31' END
    WHERE id = OLD.invoice_id;
    UPDATE payments SET
        allocated_cents = (SELECT COALESCE(SUM(a.amount_cents), 0) FROM payment_allocations a INDEXED BY payment_allocations_payment
                           WHERE a.payment_id = OLD.payment_id AND a.reversed_on IS NULL),
        allocations_changed_on = (SELECT MAX(d) FROM (
            SELECT a.allocated_on AS d FROM payment_allocations a INDEXED BY payment_allocations_payment WHERE a.payment_id = OLD.payment_id
            UNION ALL SELECT a.reversed_on FROM payment_allocations a INDEXED BY payment_allocations_payment WHERE a.payment_id = OLD.payment_id
            UNION ALL SELECT p.reversed_on FROM payments p WHERE p.id = OLD.payment_id))
    WHERE id = OLD.payment_id;
    UPDATE payments SET used_up_on = CASE WHEN reversed_on IS NOT NULL OR amount_cents <= allocated_cents
        THEN COALESCE(allocations_changed_on, received_on) ELSE '9999-12-31' END
    WHERE id = OLD.payment_id;
    UPDATE invoices SET
        settled_cents =
            (SELECT COALESCE(SUM(a.amount_cents), 0) FROM payment_allocations a INDEXED BY payment_allocations_invoice
             WHERE a.invoice_id = NEW.invoice_id AND a.reversed_on IS NULL)
          + (SELECT COALESCE(SUM(n.gross_cents), 0) FROM invoices n INDEXED BY invoices_credited
             WHERE n.credits_id = NEW.invoice_id AND n.kind = 'credit_note' AND n.status = 'issued'),
        settled_changed_on = (SELECT MAX(d) FROM (
            SELECT a.allocated_on AS d FROM payment_allocations a INDEXED BY payment_allocations_invoice WHERE a.invoice_id = NEW.invoice_id
            UNION ALL SELECT a.reversed_on FROM payment_allocations a INDEXED BY payment_allocations_invoice WHERE a.invoice_id = NEW.invoice_id
            UNION ALL SELECT n.issue_date FROM invoices n INDEXED BY invoices_credited
              WHERE n.credits_id = NEW.invoice_id AND n.kind = 'credit_note' AND n.status = 'issued'))
    WHERE id = NEW.invoice_id;
    UPDATE invoices SET settled_on = CASE WHEN settled_changed_on IS NOT NULL AND gross_cents <= settled_cents
        THEN settled_changed_on ELSE '9999-12-31' END
    WHERE id = NEW.invoice_id;
    UPDATE payments SET
        allocated_cents = (SELECT COALESCE(SUM(a.amount_cents), 0) FROM payment_allocations a INDEXED BY payment_allocations_payment
                           WHERE a.payment_id = NEW.payment_id AND a.reversed_on IS NULL),
        allocations_changed_on = (SELECT MAX(d) FROM (
            SELECT a.allocated_on AS d FROM payment_allocations a INDEXED BY payment_allocations_payment WHERE a.payment_id = NEW.payment_id
            UNION ALL SELECT a.reversed_on FROM payment_allocations a INDEXED BY payment_allocations_payment WHERE a.payment_id = NEW.payment_id
            UNION ALL SELECT p.reversed_on FROM payments p WHERE p.id = NEW.payment_id))
    WHERE id = NEW.payment_id;
    UPDATE payments SET used_up_on = CASE WHEN reversed_on IS NOT NULL OR amount_cents <= allocated_cents
        THEN COALESCE(allocations_changed_on, received_on) ELSE '9999-12-31' END
    WHERE id = NEW.payment_id;
END;

CREATE TRIGGER payment_allocations_settle_delete AFTER DELETE ON payment_allocations
BEGIN
    UPDATE invoices SET
        settled_cents =
            (SELECT COALESCE(SUM(a.amount_cents), 0) FROM payment_allocations a INDEXED BY payment_allocations_invoice
             WHERE a.invoice_id = OLD.invoice_id AND a.reversed_on IS NULL)
          + (SELECT COALESCE(SUM(n.gross_cents), 0) FROM invoices n INDEXED BY invoices_credited
             WHERE n.credits_id = OLD.invoice_id AND n.kind = 'credit_note' AND n.status = 'issued'),
        settled_changed_on = (SELECT MAX(d) FROM (
            SELECT a.allocated_on AS d FROM payment_allocations a INDEXED BY payment_allocations_invoice WHERE a.invoice_id = OLD.invoice_id
            UNION ALL SELECT a.reversed_on FROM payment_allocations a INDEXED BY payment_allocations_invoice WHERE a.invoice_id = OLD.invoice_id
            UNION ALL SELECT n.issue_date FROM invoices n INDEXED BY invoices_credited
              WHERE n.credits_id = OLD.invoice_id AND n.kind = 'credit_note' AND n.status = 'issued'))
    WHERE id = OLD.invoice_id;
    UPDATE invoices SET settled_on = CASE WHEN settled_changed_on IS NOT NULL AND gross_cents <= settled_cents
        THEN settled_changed_on ELSE '9999-12-31' END
    WHERE id = OLD.invoice_id;
    UPDATE payments SET
        allocated_cents = (SELECT COALESCE(SUM(a.amount_cents), 0) FROM payment_allocations a INDEXED BY payment_allocations_payment
                           WHERE a.payment_id = OLD.payment_id AND a.reversed_on IS NULL),
        allocations_changed_on = (SELECT MAX(d) FROM (
            SELECT a.allocated_on AS d FROM payment_allocations a INDEXED BY payment_allocations_payment WHERE a.payment_id = OLD.payment_id
            UNION ALL SELECT a.reversed_on FROM payment_allocations a INDEXED BY payment_allocations_payment WHERE a.payment_id = OLD.payment_id
            UNION ALL SELECT p.reversed_on FROM payments p WHERE p.id = OLD.payment_id))
    WHERE id = OLD.payment_id;
    UPDATE payments SET used_up_on = CASE WHEN reversed_on IS NOT NULL OR amount_cents <= allocated_cents
        THEN COALESCE(allocations_changed_on, received_on) ELSE '9999-12-31' END
    WHERE id = OLD.payment_id;
END;

-- A credit note settles the invoice it credits once issued; an invoice's
-- own total decides whether it is settled.
CREATE TRIGGER invoices_settle_insert AFTER INSERT ON invoices WHEN NEW.credits_id IS NOT NULL
BEGIN
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

CREATE TRIGGER invoices_settle_update AFTER UPDATE OF kind, status, gross_cents, issue_date, credits_id ON invoices
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

CREATE TRIGGER invoices_settle_delete AFTER DELETE ON invoices WHEN OLD.credits_id IS NOT NULL
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
END;

CREATE TRIGGER payments_settle_update AFTER UPDATE OF amount_cents, received_on, reversed_on ON payments
BEGIN
    UPDATE payments SET
        allocated_cents = (SELECT COALESCE(SUM(a.amount_cents), 0) FROM payment_allocations a INDEXED BY payment_allocations_payment
                           WHERE a.payment_id = NEW.id AND a.reversed_on IS NULL),
        allocations_changed_on = (SELECT MAX(d) FROM (
            SELECT a.allocated_on AS d FROM payment_allocations a INDEXED BY payment_allocations_payment WHERE a.payment_id = NEW.id
            UNION ALL SELECT a.reversed_on FROM payment_allocations a INDEXED BY payment_allocations_payment WHERE a.payment_id = NEW.id
            UNION ALL SELECT p.reversed_on FROM payments p WHERE p.id = NEW.id))
    WHERE id = NEW.id;
    UPDATE payments SET used_up_on = CASE WHEN reversed_on IS NOT NULL OR amount_cents <= allocated_cents
        THEN COALESCE(allocations_changed_on, received_on) ELSE '9999-12-31' END
    WHERE id = NEW.id;
END;

-- The figures of the rows already there.
UPDATE invoices SET
    settled_cents =
        (SELECT COALESCE(SUM(a.amount_cents), 0) FROM payment_allocations a INDEXED BY payment_allocations_invoice
         WHERE a.invoice_id = invoices.id AND a.reversed_on IS NULL)
      + (SELECT COALESCE(SUM(n.gross_cents), 0) FROM invoices n INDEXED BY invoices_credited
         WHERE n.credits_id = invoices.id AND n.kind = 'credit_note' AND n.status = 'issued'),
    settled_changed_on = (SELECT MAX(d) FROM (
        SELECT a.allocated_on AS d FROM payment_allocations a INDEXED BY payment_allocations_invoice WHERE a.invoice_id = invoices.id
        UNION ALL SELECT a.reversed_on FROM payment_allocations a INDEXED BY payment_allocations_invoice WHERE a.invoice_id = invoices.id
        UNION ALL SELECT n.issue_date FROM invoices n INDEXED BY invoices_credited
          WHERE n.credits_id = invoices.id AND n.kind = 'credit_note' AND n.status = 'issued'));
UPDATE invoices SET settled_on = CASE WHEN settled_changed_on IS NOT NULL AND gross_cents <= settled_cents
    THEN settled_changed_on ELSE '9999-12-31' END;
UPDATE payments SET
    allocated_cents = (SELECT COALESCE(SUM(a.amount_cents), 0) FROM payment_allocations a INDEXED BY payment_allocations_payment
                       WHERE a.payment_id = payments.id AND a.reversed_on IS NULL),
    allocations_changed_on = (SELECT MAX(d) FROM (
        SELECT a.allocated_on AS d FROM payment_allocations a INDEXED BY payment_allocations_payment WHERE a.payment_id = payments.id
        UNION ALL SELECT a.reversed_on FROM payment_allocations a INDEXED BY payment_allocations_payment WHERE a.payment_id = payments.id
        UNION ALL SELECT payments.reversed_on));
UPDATE payments SET used_up_on = CASE WHEN reversed_on IS NOT NULL OR amount_cents <= allocated_cents
    THEN COALESCE(allocations_changed_on, received_on) ELSE '9999-12-31' END;
