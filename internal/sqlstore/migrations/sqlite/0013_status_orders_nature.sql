-- A queue page of the statuses not closed and one nature, by last change or by
-- age, reads each status's run in that order and checks the nature on each
-- ticket it meets. A nature that a status has few or none of (no question
-- awaits a delivery, few security tickets await the client) made it read
-- thousands of rows for nothing: 20 ms on average and 108 ms at worst on a
-- million tickets (1.9 and 7.9 ms now): a sixth of the time of the queue's
-- lists, for 1.4 % of them. With the nature in the index, the run checks it
-- there and reads the rows of the tickets that pass only. The nature alone is
-- added: the timer sweep rewrites these entries when it changes statuses, and
-- every column added makes it slower (see 0010): 10,000 status changes took
-- 3.76 s before, 3.83-3.87 s after.
DROP INDEX tickets_status_updated;
CREATE INDEX tickets_status_updated ON tickets (status, updated_at, id, nature);
DROP INDEX tickets_status_created;
CREATE INDEX tickets_status_created ON tickets (status, created_at, id, nature);

PRAGMA analysis_limit = 1000;
ANALYZE tickets;
PRAGMA analysis_limit = 0;
