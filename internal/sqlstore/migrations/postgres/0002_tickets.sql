-- Tickets, their append-only event log, comments, attachments stored by content
-- (blobs in chunks), and installation settings. Times are UTC.

-- ticket_seq is the last ticket number given in the space (NextTicketNumber).
ALTER TABLE spaces
    ADD COLUMN ticket_seq         bigint  NOT NULL DEFAULT 0,
    ADD COLUMN require_diagnostic boolean NOT NULL DEFAULT true;

CREATE TABLE tickets (
    id                bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    space_id          bigint      NOT NULL REFERENCES spaces (id),
    number            bigint      NOT NULL CHECK (number > 0),
    project_id        bigint      REFERENCES projects (id),
    title             text        NOT NULL,
    -- Enumerations compare bytewise (as on SQLite), whatever the database's locale.
    nature            text        COLLATE "C" NOT NULL CHECK (nature IN ('anomaly', 'evolution', 'question', 'security')),
    criticality       text        COLLATE "C" NOT NULL CHECK (criticality IN ('blocking', 'serious', 'annoying', 'minor')),
    -- crit_rank orders criticality: 1 blocking … 4 minor.
    crit_rank         smallint    NOT NULL CHECK (crit_rank = CASE criticality
                          WHEN 'blocking' THEN 1 WHEN 'serious' THEN 2 WHEN 'annoying' THEN 3 ELSE 4 END),
    priority          smallint    NOT NULL CHECK (priority BETWEEN 1 AND 4),
    priority_disputed boolean     NOT NULL DEFAULT false,
    category          text        NOT NULL DEFAULT '',
    keywords          text        NOT NULL DEFAULT '[]', -- JSON array of strings
    product_version   text        NOT NULL DEFAULT '',
    module_versions   text        NOT NULL DEFAULT '',
    description       text        NOT NULL DEFAULT '',
    log_excerpt       text        NOT NULL DEFAULT '',
    channel           text        NOT NULL,
    author_id         bigint      NOT NULL REFERENCES users (id),
    assignee_id       bigint      REFERENCES users (id),
    engineer_id       bigint      REFERENCES users (id),
    status            text        COLLATE "C" NOT NULL CHECK (status IN ('open', 'awaiting_client', 'awaiting_rd_decision',
                          'awaiting_delivery', 'to_close', 'closed')),
    resolution        text        NOT NULL DEFAULT '',
    rd_issue          text        NOT NULL DEFAULT '',
    decision          text        NOT NULL DEFAULT '' CHECK (decision IN ('', 'not_retained',
                          'interesting_not_retained', 'accepted_backlog', 'accepted_planned')),
    decision_note     text        NOT NULL DEFAULT '',
    target_version    text        NOT NULL DEFAULT '',
    rating            smallint    NOT NULL DEFAULT 0 CHECK (rating BETWEEN 0 AND 5),
    rating_comment    text        NOT NULL DEFAULT '',
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    closed_at         timestamptz
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

-- The event log: appended, never updated or deleted (trigger below). data is text,
-- not jsonb, to keep its bytes (they are hashed); actor_id is NULL for automatic
-- events.
CREATE TABLE ticket_events (
    id        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id bigint      NOT NULL REFERENCES tickets (id),
    seq       bigint      NOT NULL CHECK (seq > 0),
    actor_id  bigint      REFERENCES users (id),
    at        timestamptz NOT NULL,
    kind      text        NOT NULL,
    data      text        NOT NULL,
    private   boolean     NOT NULL DEFAULT false,
    prev_hash bytea,
    hash      bytea       NOT NULL
);
CREATE UNIQUE INDEX ticket_events_seq ON ticket_events (ticket_id, seq);

CREATE FUNCTION ticket_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ticket events are append-only';
END
$$;
CREATE TRIGGER ticket_events_no_change BEFORE UPDATE OR DELETE ON ticket_events
    FOR EACH ROW EXECUTE FUNCTION ticket_events_append_only();
CREATE TRIGGER ticket_events_no_truncate BEFORE TRUNCATE ON ticket_events
    FOR EACH STATEMENT EXECUTE FUNCTION ticket_events_append_only();

CREATE TABLE comments (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id  bigint      NOT NULL REFERENCES tickets (id),
    author_id  bigint      NOT NULL REFERENCES users (id),
    body       text        NOT NULL,
    private    boolean     NOT NULL DEFAULT false,
    mentions   text        NOT NULL DEFAULT '[]', -- JSON array of user ids
    likes      integer     NOT NULL DEFAULT 0 CHECK (likes >= 0),
    created_at timestamptz NOT NULL
);
CREATE INDEX comments_ticket ON comments (ticket_id, id);

CREATE TABLE comment_likes (
    comment_id bigint      NOT NULL REFERENCES comments (id),
    user_id    bigint      NOT NULL REFERENCES users (id),
    at         timestamptz NOT NULL,
    CONSTRAINT comment_likes_pkey PRIMARY KEY (comment_id, user_id)
);

-- Content-addressed files, by SHA-256 (hex), in chunks of 256 KiB numbered from 0.
CREATE TABLE blobs (
    sha256     text        PRIMARY KEY,
    size       bigint      NOT NULL CHECK (size >= 0),
    created_at timestamptz NOT NULL
);
CREATE TABLE blob_chunks (
    sha256 text   NOT NULL REFERENCES blobs (sha256),
    seq    bigint NOT NULL,
    data   bytea  NOT NULL,
    PRIMARY KEY (sha256, seq)
);
-- Attachments are mostly compressed already (images, archives): do not try again.
ALTER TABLE blob_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

CREATE TABLE attachments (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id    bigint      NOT NULL REFERENCES tickets (id),
    comment_id   bigint      REFERENCES comments (id),
    name         text        NOT NULL,
    content_type text        NOT NULL,
    size         bigint      NOT NULL CHECK (size >= 0),
    sha256       text        NOT NULL REFERENCES blobs (sha256),
    uploader_id  bigint      NOT NULL REFERENCES users (id),
    created_at   timestamptz NOT NULL
);
CREATE INDEX attachments_ticket ON attachments (ticket_id, id);

CREATE TABLE settings (
    key   text PRIMARY KEY,
    value text NOT NULL
);
