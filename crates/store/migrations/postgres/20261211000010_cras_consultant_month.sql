-- The month-end close and the bulk validation read a few hundred people's
-- validated reports of one month at a time: through this index, pinned on
-- SQLite (cras_month (month, status) would read the whole month's reports
-- for each few hundred people, a quadratic close).
CREATE INDEX cras_consultant_month ON cras (consultant_id, month, status);
