-- Saved views of the ticket lists: a named filter and order, private to its
-- owner or, for provider staff, shared with all staff. The filter is the list's
-- own filter as JSON, checked by the use case before it is stored.
CREATE TABLE saved_views (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id   bigint      NOT NULL REFERENCES users (id),
    name       text        NOT NULL,
    shared     boolean     NOT NULL DEFAULT FALSE,
    filter     text        NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX saved_views_owner_name ON saved_views (owner_id, name);
CREATE INDEX saved_views_shared ON saved_views (name) WHERE shared;

-- The queue's figures count a space's tickets per status (a client's figures
-- always do): without this index such a count read the whole space, half a
-- million tickets on a large base, to find the few awaiting the client. Ordered
-- by creation within the status, it also serves a space's list of one status.
CREATE INDEX tickets_space_status ON tickets (space_id, status, created_at, id);
