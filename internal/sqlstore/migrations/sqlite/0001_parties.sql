-- Parties: organisations, users and their roles, spaces, projects, memberships,
-- API tokens and web sessions. Times are UTC, written by the store as
-- 'YYYY-MM-DD HH:MM:SS.ffffff+00:00'.

CREATE TABLE organisations (
    id         INTEGER PRIMARY KEY,
    kind       TEXT      NOT NULL CHECK (kind IN ('provider', 'client', 'partner')),
    name       TEXT      NOT NULL,
    trained    BOOLEAN   NOT NULL DEFAULT 0 CHECK (trained IN (0, 1)),
    trained_on TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
-- There is exactly one provider per installation.
CREATE UNIQUE INDEX organisations_one_provider ON organisations (kind) WHERE kind = 'provider';
CREATE UNIQUE INDEX organisations_name ON organisations (lower(name), kind);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER   NOT NULL REFERENCES organisations (id),
    email         TEXT      NOT NULL, -- stored lower-case
    name          TEXT      NOT NULL,
    locale        TEXT      NOT NULL,
    password_hash TEXT      NOT NULL,
    disabled      BOOLEAN   NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX users_email ON users (email);
CREATE INDEX users_org ON users (org_id);

-- Provider roles have no client (NULL); client roles name their client.
CREATE TABLE user_roles (
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role      TEXT    NOT NULL,
    client_id INTEGER REFERENCES organisations (id)
);
CREATE UNIQUE INDEX user_roles_unique ON user_roles (user_id, role, coalesce(client_id, 0));

CREATE TABLE spaces (
    id         INTEGER PRIMARY KEY,
    client_id  INTEGER   NOT NULL REFERENCES organisations (id),
    key        TEXT      NOT NULL,
    name       TEXT      NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX spaces_key ON spaces (key);
CREATE INDEX spaces_client ON spaces (client_id);

CREATE TABLE projects (
    id         INTEGER PRIMARY KEY,
    space_id   INTEGER   NOT NULL REFERENCES spaces (id),
    name       TEXT      NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX projects_space_name ON projects (space_id, name);

CREATE TABLE memberships (
    space_id INTEGER   NOT NULL REFERENCES spaces (id),
    user_id  INTEGER   NOT NULL REFERENCES users (id),
    added_by INTEGER   REFERENCES users (id),
    added_at TIMESTAMP NOT NULL,
    PRIMARY KEY (space_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER   NOT NULL REFERENCES users (id),
    name         TEXT      NOT NULL,
    hash         BLOB      NOT NULL, -- SHA-256 of the secret
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    revoked_at   TIMESTAMP,
    last_used_at TIMESTAMP
);
CREATE UNIQUE INDEX tokens_hash ON tokens (hash);
CREATE INDEX tokens_user ON tokens (user_id, id);

CREATE TABLE sessions (
    token_hash BLOB      PRIMARY KEY, -- SHA-256 of the session token
    data       BLOB      NOT NULL,
    expiry     TIMESTAMP NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expiry);
