-- Business calendars, contracts and their versions, the contract of each space,
-- the timers of tickets, and the outbox of notifications.
--
-- Calendars keep their opening hours, extra closed and open days as JSON:
-- hours {"monday": ["09:00-12:30", "13:30-18:00"], …}, closed [{"from": "2026-08-10",
-- "to": "2026-08-14"}], open ["2026-05-08"].
CREATE TABLE calendars (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text        NOT NULL,
    time_zone  text        NOT NULL,
    hours      text        NOT NULL,
    holidays   text        NOT NULL,
    closed     text        NOT NULL DEFAULT '[]',
    open       text        NOT NULL DEFAULT '[]',
    is_default boolean     NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX calendars_name ON calendars (name);
CREATE UNIQUE INDEX calendars_one_default ON calendars (is_default) WHERE is_default;
INSERT INTO calendars (name, time_zone, hours, holidays, is_default, created_at, updated_at)
VALUES ('France, Monday to Friday 09:00-18:00', 'Europe/Paris',
    '{"monday":["09:00-18:00"],"tuesday":["09:00-18:00"],"wednesday":["09:00-18:00"],"thursday":["09:00-18:00"],"friday":["09:00-18:00"]}',
    'fr', true, date_trunc('milliseconds', now()), date_trunc('milliseconds', now()));

-- objectives: {"blocking": {"first_response": "1h0m0s", …}, …}; channels: ["web", …];
-- timers: {"awaiting_client_days": 30, …}. version counts the changes, from 1.
CREATE TABLE contracts (
    id                 bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id          bigint      NOT NULL REFERENCES organisations (id),
    reference          text        NOT NULL,
    tier               text        COLLATE "C" NOT NULL CHECK (tier IN ('on_demand', 'total_care', 'premium', 'enterprise', 'maintenance')),
    calendar_id        bigint      REFERENCES calendars (id),
    objectives         text        NOT NULL,
    channels           text        NOT NULL,
    timers             text        NOT NULL,
    account_manager_id bigint      REFERENCES users (id),
    version            integer     NOT NULL CHECK (version > 0),
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL
);
CREATE UNIQUE INDEX contracts_reference ON contracts (reference);
CREATE INDEX contracts_client ON contracts (client_id);
CREATE INDEX contracts_calendar ON contracts (calendar_id);

-- Every version of a contract, as it applied from changed_at on (the calendar's
-- definition included), so that a figure can be explained by the rules of its time.
CREATE TABLE contract_versions (
    contract_id bigint      NOT NULL REFERENCES contracts (id),
    version     integer     NOT NULL,
    data        text        NOT NULL,
    changed_by  bigint      REFERENCES users (id),
    changed_at  timestamptz NOT NULL,
    PRIMARY KEY (contract_id, version)
);

ALTER TABLE spaces ADD COLUMN contract_id bigint REFERENCES contracts (id);
CREATE INDEX spaces_contract ON spaces (contract_id);

-- ticket_timers holds, per ticket, the next instant one of its timers falls due
-- (NULL: none), read by the sweep through its index, and for a closed ticket the
-- figures of the rules that applied when it closed (JSON). It is narrow on
-- purpose: the sweep rewrites it for every ticket it takes, which would cost an
-- entry in each of the tickets table's indexes. deadline_at, on the ticket, is
-- the nearest due instant of a running objective, for the queue ordered by
-- deadline; tickets without one sort last ('9999-12-31').
CREATE TABLE ticket_timers (
    ticket_id   bigint      PRIMARY KEY REFERENCES tickets (id),
    next_due_at timestamptz,
    slo_final   text
);
CREATE INDEX ticket_timers_next_due ON ticket_timers (next_due_at, ticket_id) WHERE next_due_at IS NOT NULL;
-- Every sweep rewrites the rows it takes: vacuum this small table early, so that
-- dead index entries do not slow the next sweep's scan.
ALTER TABLE ticket_timers SET (autovacuum_vacuum_scale_factor = 0.0, autovacuum_vacuum_threshold = 5000,
    autovacuum_vacuum_cost_delay = 0);
ALTER TABLE tickets ADD COLUMN deadline_at timestamptz NOT NULL DEFAULT '9999-12-31 00:00:00+00';
CREATE INDEX tickets_deadline ON tickets (deadline_at, id);
-- Tickets that exist already fall due now: the first sweep computes their timers.
INSERT INTO ticket_timers (ticket_id, next_due_at) SELECT id, created_at FROM tickets WHERE status <> 'closed';

-- Notifications to deliver, written in the same transaction as their cause. The
-- idempotency key makes a second write of the same notification a no-op.
CREATE TABLE outbox (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            text        NOT NULL,
    recipient_id    bigint      NOT NULL REFERENCES users (id),
    ticket_id       bigint      REFERENCES tickets (id),
    payload         text        NOT NULL,
    idempotency_key text        NOT NULL,
    created_at      timestamptz NOT NULL,
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    sent_at         timestamptz
);
CREATE UNIQUE INDEX outbox_key ON outbox (idempotency_key);
CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE sent_at IS NULL;
