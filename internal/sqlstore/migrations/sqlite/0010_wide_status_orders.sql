-- A queue page by status and one more filter (a nature, a criticality, a
-- priority) reads its status's index in the page's order and checks that filter
-- on each ticket it meets. The filter's tickets may come late in that order: a
-- minor ticket sorts after every blocking, serious and annoying one, so the
-- page met thousands of tickets first, and read each one's row only to check
-- one column (0.1 s for the minor tickets not closed, by priority, on a million).
-- These indexes carry the columns such filters check, after the order's: SQLite
-- checks them in the index and reads the rows of the tickets that pass only.
-- The same for a criticality's run in order of age, checked for a nature.
DROP INDEX tickets_status_priority;
CREATE INDEX tickets_status_priority ON tickets (status, priority, created_at, id, crit_rank, nature);
DROP INDEX tickets_status_rank;
CREATE INDEX tickets_status_rank ON tickets (status, crit_rank, created_at, id, priority, nature);
DROP INDEX tickets_status_updated;
CREATE INDEX tickets_status_updated ON tickets (status, updated_at, id, crit_rank, priority, nature);
DROP INDEX tickets_status_created;
CREATE INDEX tickets_status_created ON tickets (status, created_at, id, crit_rank, priority, nature);
DROP INDEX tickets_rank_created;
CREATE INDEX tickets_rank_created ON tickets (crit_rank, created_at, id, priority, nature, status);

-- New indexes have no statistics, and SQLite would take them as very selective:
-- refresh those of tickets, approximately (a second on a million).
PRAGMA analysis_limit = 1000;
ANALYZE tickets;
PRAGMA analysis_limit = 0;
