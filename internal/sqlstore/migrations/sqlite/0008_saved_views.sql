-- Saved views of the ticket lists: a named filter and order, private to its
-- owner or, for provider staff, shared with all staff. The filter is the list's
-- own filter as JSON, checked by the use case before it is stored.
CREATE TABLE saved_views (
    id         INTEGER   PRIMARY KEY,
    owner_id   INTEGER   NOT NULL REFERENCES users (id),
    name       TEXT      NOT NULL,
    shared     BOOLEAN   NOT NULL DEFAULT FALSE,
    filter     TEXT      NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX saved_views_owner_name ON saved_views (owner_id, name);
CREATE INDEX saved_views_shared ON saved_views (name) WHERE shared;
