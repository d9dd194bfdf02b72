-- One mechanism for work that follows a change (#18): what must happen in
-- the same transaction is a direct call (a validated report drafts its
-- invoices), what may happen later is a job (a signed contract queues the
-- release of its invoices). `domain_events` was written and never read.
DROP TABLE domain_events;
