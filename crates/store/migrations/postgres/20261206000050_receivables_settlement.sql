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
-- migrations/sqlite, where each trigger repeats the two refreshes.

ALTER TABLE invoices ADD COLUMN settled_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN settled_changed_on DATE;
ALTER TABLE invoices ADD COLUMN settled_on DATE NOT NULL DEFAULT DATE '9999-12-31';
ALTER TABLE payments ADD COLUMN allocated_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payments ADD COLUMN allocations_changed_on DATE;
ALTER TABLE payments ADD COLUMN used_up_on DATE NOT NULL DEFAULT DATE '9999-12-31';

-- The invoices that may be open on a date, with every column the aged
-- balance reads; one client's, for its statement.
CREATE INDEX invoices_open_on ON invoices
    (settled_on, issue_date, client_id, due_date, gross_cents, settled_cents, settled_changed_on, id)
    WHERE status = 'issued' AND kind = 'invoice';
CREATE INDEX invoices_client_open_on ON invoices (client_id, settled_on, issue_date)
    WHERE status = 'issued' AND kind = 'invoice';
-- The payments that may hold credit on a date.
CREATE INDEX payments_credit_on ON payments
    (used_up_on, received_on, client_id, amount_cents, allocated_cents, allocations_changed_on, reversed_on, id);

-- Invoice x's figures (the second statement reads what the first wrote).
CREATE FUNCTION invoice_settlement_refresh(x TEXT) RETURNS void LANGUAGE sql AS $$
    UPDATE invoices SET
        settled_cents =
            (SELECT COALESCE(SUM(a.amount_cents), 0) FROM payment_allocations a
             WHERE a.invoice_id = x AND a.reversed_on IS NULL)
          + (SELECT COALESCE(SUM(n.gross_cents), 0) FROM invoices n
             WHERE n.credits_id = x AND n.kind = 'credit_note' AND n.status = 'issued'),
        settled_changed_on = (SELECT MAX(d) FROM (
            SELECT a.allocated_on AS d FROM payment_allocations a WHERE a.invoice_id = x
            UNION ALL SELECT a.reversed_on FROM payment_allocations a WHERE a.invoice_id = x
            UNION ALL SELECT n.issue_date FROM invoices n
              WHERE n.credits_id = x AND n.kind = 'credit_note' AND n.status = 'issued') e)
    WHERE id = x;
    UPDATE invoices SET settled_on = CASE WHEN settled_changed_on IS NOT NULL AND gross_cents <= settled_cents
        THEN settled_changed_on ELSE DATE '9999-12-31' END
    WHERE id = x;
$$;

-- Payment x's figures.
CREATE FUNCTION payment_credit_refresh(x TEXT) RETURNS void LANGUAGE sql AS $$
    UPDATE payments SET
        allocated_cents = (SELECT COALESCE(SUM(a.amount_cents), 0) FROM payment_allocations a
                           WHERE a.payment_id = x AND a.reversed_on IS NULL),
        allocations_changed_on = (SELECT MAX(d) FROM (
            SELECT a.allocated_on AS d FROM payment_allocations a WHERE a.payment_id = x
            UNION ALL SELECT a.reversed_on FROM payment_allocations a WHERE a.payment_id = x
            UNION ALL SELECT p.reversed_on FROM payments p WHERE p.id = x) e)
    WHERE id = x;
    UPDATE payments SET used_up_on = CASE WHEN reversed_on IS NOT NULL OR amount_cents <= allocated_cents
        THEN COALESCE(allocations_changed_on, received_on) ELSE DATE '9999-12-31' END
    WHERE id = x;
$$;

CREATE FUNCTION payment_allocations_settle() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM invoice_settlement_refresh(OLD.invoice_id);
        PERFORM payment_credit_refresh(OLD.payment_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM invoice_settlement_refresh(NEW.invoice_id);
        PERFORM payment_credit_refresh(NEW.payment_id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER payment_allocations_settle
    AFTER INSERT OR DELETE OR UPDATE OF invoice_id, payment_id, amount_cents, allocated_on, reversed_on
    ON payment_allocations FOR EACH ROW EXECUTE FUNCTION payment_allocations_settle();

-- A credit note settles the invoice it credits once issued; an invoice's
-- own total decides whether it is settled.
CREATE FUNCTION invoices_settle() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.credits_id IS NOT NULL THEN
        PERFORM invoice_settlement_refresh(OLD.credits_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.credits_id IS NOT NULL THEN
        PERFORM invoice_settlement_refresh(NEW.credits_id);
    END IF;
    IF TG_OP = 'UPDATE' THEN
        PERFORM invoice_settlement_refresh(NEW.id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER invoices_settle
    AFTER INSERT OR DELETE OR UPDATE OF kind, status, gross_cents, issue_date, credits_id
    ON invoices FOR EACH ROW EXECUTE FUNCTION invoices_settle();

CREATE FUNCTION payments_settle() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM payment_credit_refresh(NEW.id);
    RETURN NULL;
END $$;
CREATE TRIGGER payments_settle AFTER UPDATE OF amount_cents, received_on, reversed_on
    ON payments FOR EACH ROW EXECUTE FUNCTION payments_settle();

-- The figures of the rows already there.
SELECT invoice_settlement_refresh(id) FROM invoices WHERE kind = 'invoice';
SELECT payment_credit_refresh(id) FROM payments;
