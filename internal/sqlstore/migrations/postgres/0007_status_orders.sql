-- Agents filter their queue by status more than by anything else, and order it by
-- last change or by criticality too: without these indexes such a page sorted all
-- the tickets of that status (tens of thousands of open ones on a large base).
CREATE INDEX tickets_status_updated ON tickets (status, updated_at, id);
CREATE INDEX tickets_status_rank    ON tickets (status, crit_rank, created_at, id);
