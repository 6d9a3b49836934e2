-- Forms of the web interface already sent, by their one-time token, so that a
-- new-ticket form sent twice (a double click, a reload) creates one ticket.
-- ticket_id is NULL while the first sending is still being handled.
CREATE TABLE web_submissions (
    user_id    INTEGER   NOT NULL REFERENCES users (id),
    token      TEXT      NOT NULL,
    ticket_id  INTEGER   REFERENCES tickets (id),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, token)
);
CREATE INDEX web_submissions_created ON web_submissions (created_at);
