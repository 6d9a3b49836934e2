-- Forms of the web interface already sent, by their one-time token, so that a
-- new-ticket form sent twice (a double click, a reload) creates one ticket.
-- ticket_id is NULL while the first sending is still being handled.
CREATE TABLE web_submissions (
    user_id    bigint      NOT NULL REFERENCES users (id),
    token      text        NOT NULL,
    ticket_id  bigint      REFERENCES tickets (id),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, token)
);
CREATE INDEX web_submissions_created ON web_submissions (created_at);
