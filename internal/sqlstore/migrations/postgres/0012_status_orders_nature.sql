-- A queue page of the statuses not closed and one nature, by last change or by
-- age, reads each status's run in that order and checks the nature on each
-- ticket it meets, reading its row: a nature that a status has few or none of
-- made it read thousands of rows for nothing. With the nature an INCLUDE column,
-- the run checks it in an index-only scan. SQLite's migration 0013 does the same.
DROP INDEX tickets_status_updated;
CREATE INDEX tickets_status_updated ON tickets (status, updated_at, id) INCLUDE (nature);
DROP INDEX tickets_status_created;
CREATE INDEX tickets_status_created ON tickets (status, created_at, id) INCLUDE (nature);
