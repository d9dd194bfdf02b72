-- Revenue invoiced over a period (the home pages' month and year to date,
-- this year and last): the issued documents by issue date, with what the
-- sum and the business manager's filter read, so a month reads its own
-- documents from the index alone instead of every invoice of every year.
-- `status` is a key column only so that SQLite sees the index as covering.
CREATE INDEX invoices_issued_on ON invoices (issue_date, status, kind, net_cents, mission_id, contract_id)
    WHERE status = 'issued';
