-- Agents filter their queue by status more than by anything else, and order it by
-- last change or by criticality too: without these indexes such a page sorted all
-- the tickets of that status (tens of thousands of open ones on a large base).
CREATE INDEX tickets_status_updated ON tickets (status, updated_at, id);
CREATE INDEX tickets_status_rank    ON tickets (status, crit_rank, created_at, id);

-- SQLite takes an index it has no statistics for as very selective, and would
-- then prefer these new ones to the right ones on a base analysed before them:
-- refresh the statistics of tickets, approximately (a second on a million).
PRAGMA analysis_limit = 1000;
ANALYZE tickets;
PRAGMA analysis_limit = 0;
