-- In-app notifications: what the outbox delivered to a person, to read in the
-- application. One row per outbox row at most (outbox_id is unique), so that a
-- delivery run twice still makes one notification. data holds the kind's
-- details (objective, cycle, due instant) as JSON; the ticket's title and
-- reference are read from the ticket, under the reader's visibility, never
-- copied here.
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    outbox_id  INTEGER   NOT NULL REFERENCES outbox (id),
    user_id    INTEGER   NOT NULL REFERENCES users (id),
    ticket_id  INTEGER   REFERENCES tickets (id),
    kind       TEXT      NOT NULL,
    data       TEXT      NOT NULL,
    created_at TIMESTAMP NOT NULL,
    read_at    TIMESTAMP
);
CREATE UNIQUE INDEX notifications_outbox ON notifications (outbox_id);
-- A person's list, newest first, and their unread count.
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id, id) WHERE read_at IS NULL;
