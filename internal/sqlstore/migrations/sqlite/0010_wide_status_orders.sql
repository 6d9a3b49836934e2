-- A queue page by status and one more filter (a nature, a criticality, a
-- priority) reads its status's index in the page's order and checks that filter
-- on each ticket it meets. The filter's tickets may come late in that order: a
-- minor ticket sorts after every blocking, serious and annoying one, so the
-- page met thousands of tickets first, and read each one's row only to check
-- one column (0.1 s for the minor tickets not closed, by priority, on a million).
-- These indexes carry the columns such filters check, after the order's: SQLite
-- checks them in the index and reads the rows of the tickets that pass only.
-- Only the status's runs by priority (the queue's usual order) and by
-- criticality are widened: the timer sweep changes the status of thousands of
-- tickets at once, rewriting their entries in every index holding the status,
-- and wider entries in all four made a sweep of 10,000 a quarter slower.
-- The same for a criticality's run in order of age, checked for a nature (the
-- status, which a sweep changes, is left out of it).
DROP INDEX tickets_status_priority;
CREATE INDEX tickets_status_priority ON tickets (status, priority, created_at, id, crit_rank, nature);
DROP INDEX tickets_status_rank;
CREATE INDEX tickets_status_rank ON tickets (status, crit_rank, created_at, id, priority, nature);
DROP INDEX tickets_rank_created;
CREATE INDEX tickets_rank_created ON tickets (crit_rank, created_at, id, priority, nature);

-- New indexes have no statistics, and SQLite would take them as very selective:
-- refresh those of tickets, approximately (a second on a million).
PRAGMA analysis_limit = 1000;
ANALYZE tickets;
PRAGMA analysis_limit = 0;
