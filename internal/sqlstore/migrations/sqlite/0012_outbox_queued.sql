-- queued: the row's delivery job was inserted (in the transaction that wrote
-- the row, or by the relay). The relay looks only for unsent rows that have no
-- job, through outbox_unqueued; it read every unsent row and asked the queue to
-- insert each again, skipped by the jobs' uniqueness, which after a restart
-- with a large backlog kept SQLite's one writer busy for minutes. Rows written
-- before this column have none recorded: the next relay enqueues them once.
ALTER TABLE outbox ADD COLUMN queued BOOLEAN NOT NULL DEFAULT 0 CHECK (queued IN (0, 1));
CREATE INDEX outbox_unqueued ON outbox (id) WHERE sent_at IS NULL AND NOT queued;
