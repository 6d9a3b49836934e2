-- In-app notifications: what the outbox delivered to a person, to read in the
-- application. One row per outbox row at most (outbox_id is unique), so that a
-- delivery run twice still makes one notification. data holds the kind's
-- details (objective, cycle, due instant) as JSON; the ticket's title and
-- reference are read from the ticket, under the reader's visibility, never
-- copied here.
CREATE TABLE notifications (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    outbox_id  bigint      NOT NULL REFERENCES outbox (id),
    user_id    bigint      NOT NULL REFERENCES users (id),
    ticket_id  bigint      REFERENCES tickets (id),
    kind       text        NOT NULL,
    data       text        NOT NULL,
    created_at timestamptz NOT NULL,
    read_at    timestamptz
);
CREATE UNIQUE INDEX notifications_outbox ON notifications (outbox_id);
-- A person's list, newest first, and their unread count.
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id, id) WHERE read_at IS NULL;
