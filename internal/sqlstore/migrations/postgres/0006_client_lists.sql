-- Clients see their tickets by criticality, then age, by default: within a space
-- that order needs its own index, or every list sorts all the space's tickets.
CREATE INDEX tickets_space_rank ON tickets (space_id, crit_rank, created_at, id);
