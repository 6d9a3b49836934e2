-- Tickets, their append-only event log, comments, attachments stored by content
-- (blobs in chunks), and installation settings. Times are UTC, written by the
-- store as 'YYYY-MM-DD HH:MM:SS.ffffff+00:00', which sorts as text in time order.

-- ticket_seq is the last ticket number given in the space (NextTicketNumber).
ALTER TABLE spaces ADD COLUMN ticket_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE spaces ADD COLUMN require_diagnostic BOOLEAN NOT NULL DEFAULT 1 CHECK (require_diagnostic IN (0, 1));

CREATE TABLE tickets (
    id                INTEGER PRIMARY KEY,
    space_id          INTEGER   NOT NULL REFERENCES spaces (id),
    number            INTEGER   NOT NULL CHECK (number > 0),
    project_id        INTEGER   REFERENCES projects (id),
    title             TEXT      NOT NULL,
    nature            TEXT      NOT NULL CHECK (nature IN ('anomaly', 'evolution', 'question', 'security')),
    criticality       TEXT      NOT NULL CHECK (criticality IN ('blocking', 'serious', 'annoying', 'minor')),
    -- crit_rank orders criticality: 1 blocking … 4 minor.
    crit_rank         INTEGER   NOT NULL CHECK (crit_rank = CASE criticality
                          WHEN 'blocking' THEN 1 WHEN 'serious' THEN 2 WHEN 'annoying' THEN 3 ELSE 4 END),
    priority          INTEGER   NOT NULL CHECK (priority BETWEEN 1 AND 4),
    priority_disputed BOOLEAN   NOT NULL DEFAULT 0 CHECK (priority_disputed IN (0, 1)),
    category          TEXT      NOT NULL DEFAULT '',
    keywords          TEXT      NOT NULL DEFAULT '[]', -- JSON array of strings
    product_version   TEXT      NOT NULL DEFAULT '',
    module_versions   TEXT      NOT NULL DEFAULT '',
    description       TEXT      NOT NULL DEFAULT '',
    log_excerpt       TEXT      NOT NULL DEFAULT '',
    channel           TEXT      NOT NULL,
    author_id         INTEGER   NOT NULL REFERENCES users (id),
    assignee_id       INTEGER   REFERENCES users (id),
    engineer_id       INTEGER   REFERENCES users (id),
    status            TEXT      NOT NULL CHECK (status IN ('open', 'awaiting_client', 'awaiting_rd_decision',
                          'awaiting_delivery', 'to_close', 'closed')),
    resolution        TEXT      NOT NULL DEFAULT '',
    rd_issue          TEXT      NOT NULL DEFAULT '',
    decision          TEXT      NOT NULL DEFAULT '' CHECK (decision IN ('', 'not_retained',
                          'interesting_not_retained', 'accepted_backlog', 'accepted_planned')),
    decision_note     TEXT      NOT NULL DEFAULT '',
    target_version    TEXT      NOT NULL DEFAULT '',
    rating            INTEGER   NOT NULL DEFAULT 0 CHECK (rating BETWEEN 0 AND 5),
    rating_comment    TEXT      NOT NULL DEFAULT '',
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    closed_at         TIMESTAMP
);
CREATE UNIQUE INDEX tickets_space_number ON tickets (space_id, number);
-- Every list ends its order with (created_at, id) or (updated_at, id): one index per
-- usual filter + sort, so that a page of 50 reads 50 index entries and sorts nothing.
CREATE INDEX tickets_priority          ON tickets (priority, created_at, id);
CREATE INDEX tickets_space_priority    ON tickets (space_id, priority, created_at, id);
CREATE INDEX tickets_status_priority   ON tickets (status, priority, created_at, id);
CREATE INDEX tickets_assignee_priority ON tickets (assignee_id, priority, created_at, id) WHERE assignee_id IS NOT NULL;
CREATE INDEX tickets_author_priority   ON tickets (author_id, priority, created_at, id);
CREATE INDEX tickets_project_priority  ON tickets (project_id, priority, created_at, id) WHERE project_id IS NOT NULL;
CREATE INDEX tickets_nature_priority   ON tickets (nature, priority, created_at, id);
CREATE INDEX tickets_rank_priority     ON tickets (crit_rank, priority, created_at, id);
CREATE INDEX tickets_space_created     ON tickets (space_id, created_at, id);
CREATE INDEX tickets_space_updated     ON tickets (space_id, updated_at, id);
CREATE INDEX tickets_created           ON tickets (created_at, id);
CREATE INDEX tickets_updated           ON tickets (updated_at, id);
CREATE INDEX tickets_status_created    ON tickets (status, created_at, id);
CREATE INDEX tickets_nature_created    ON tickets (nature, created_at, id);
CREATE INDEX tickets_rank_created      ON tickets (crit_rank, created_at, id);
CREATE INDEX tickets_assignee_created  ON tickets (coalesce(assignee_id, 0), created_at, id);

-- The event log: appended, never updated or deleted (triggers below). data is kept
-- byte for byte (it is hashed); actor_id is NULL for automatic events.
CREATE TABLE ticket_events (
    id        INTEGER PRIMARY KEY,
    ticket_id INTEGER   NOT NULL REFERENCES tickets (id),
    seq       INTEGER   NOT NULL CHECK (seq > 0),
    actor_id  INTEGER   REFERENCES users (id),
    at        TIMESTAMP NOT NULL,
    kind      TEXT      NOT NULL,
    data      TEXT      NOT NULL,
    private   BOOLEAN   NOT NULL DEFAULT 0 CHECK (private IN (0, 1)),
    prev_hash BLOB,
    hash      BLOB      NOT NULL
);
CREATE UNIQUE INDEX ticket_events_seq ON ticket_events (ticket_id, seq);
CREATE TRIGGER ticket_events_no_update BEFORE UPDATE ON ticket_events
BEGIN
    SELECT RAISE(ABORT, 'ticket events are append-only');
END;
CREATE TRIGGER ticket_events_no_delete BEFORE DELETE ON ticket_events
BEGIN
    SELECT RAISE(ABORT, 'ticket events are append-only');
END;

CREATE TABLE comments (
    id         INTEGER PRIMARY KEY,
    ticket_id  INTEGER   NOT NULL REFERENCES tickets (id),
    author_id  INTEGER   NOT NULL REFERENCES users (id),
    body       TEXT      NOT NULL,
    private    BOOLEAN   NOT NULL DEFAULT 0 CHECK (private IN (0, 1)),
    mentions   TEXT      NOT NULL DEFAULT '[]', -- JSON array of user ids
    likes      INTEGER   NOT NULL DEFAULT 0 CHECK (likes >= 0),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX comments_ticket ON comments (ticket_id, id);

CREATE TABLE comment_likes (
    comment_id INTEGER   NOT NULL REFERENCES comments (id),
    user_id    INTEGER   NOT NULL REFERENCES users (id),
    at         TIMESTAMP NOT NULL,
    PRIMARY KEY (comment_id, user_id)
);

-- Content-addressed files, by SHA-256 (hex), in chunks of 256 KiB numbered from 0.
CREATE TABLE blobs (
    sha256     TEXT      PRIMARY KEY,
    size       INTEGER   NOT NULL CHECK (size >= 0),
    created_at TIMESTAMP NOT NULL
);
CREATE TABLE blob_chunks (
    sha256 TEXT    NOT NULL REFERENCES blobs (sha256),
    seq    INTEGER NOT NULL,
    data   BLOB    NOT NULL,
    PRIMARY KEY (sha256, seq)
);

CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY,
    ticket_id    INTEGER   NOT NULL REFERENCES tickets (id),
    comment_id   INTEGER   REFERENCES comments (id),
    name         TEXT      NOT NULL,
    content_type TEXT      NOT NULL,
    size         INTEGER   NOT NULL CHECK (size >= 0),
    sha256       TEXT      NOT NULL REFERENCES blobs (sha256),
    uploader_id  INTEGER   NOT NULL REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX attachments_ticket ON attachments (ticket_id, id);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
