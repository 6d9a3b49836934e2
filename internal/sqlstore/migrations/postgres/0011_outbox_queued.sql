-- queued: the row's delivery job was inserted (in the transaction that wrote
-- the row, or by the relay). The relay looks only for unsent rows that have no
-- job, through outbox_unqueued; it read every unsent row and asked the queue to
-- insert each again, skipped by the jobs' uniqueness, a cost that grew with the
-- backlog. Rows written before this column have none recorded: the next relay
-- enqueues them once.
ALTER TABLE outbox ADD COLUMN queued boolean NOT NULL DEFAULT false;
CREATE INDEX outbox_unqueued ON outbox (id) WHERE sent_at IS NULL AND NOT queued;
