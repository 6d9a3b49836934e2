-- Parties: organisations, users and their roles, spaces, projects, memberships,
-- API tokens and web sessions. Times are UTC.

CREATE TABLE organisations (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind       text        NOT NULL CHECK (kind IN ('provider', 'client', 'partner')),
    name       text        NOT NULL,
    trained    boolean     NOT NULL DEFAULT false,
    trained_on timestamptz,
    created_at timestamptz NOT NULL
);
-- There is exactly one provider per installation.
CREATE UNIQUE INDEX organisations_one_provider ON organisations (kind) WHERE kind = 'provider';
CREATE UNIQUE INDEX organisations_name ON organisations (lower(name), kind);

CREATE TABLE users (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id        bigint      NOT NULL REFERENCES organisations (id),
    email         text        NOT NULL, -- stored lower-case
    name          text        NOT NULL,
    locale        text        NOT NULL,
    password_hash text        NOT NULL,
    disabled      boolean     NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL
);
CREATE UNIQUE INDEX users_email ON users (email);
CREATE INDEX users_org ON users (org_id);

-- Provider roles have no client (NULL); client roles name their client.
CREATE TABLE user_roles (
    user_id   bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role      text   NOT NULL,
    client_id bigint REFERENCES organisations (id)
);
CREATE UNIQUE INDEX user_roles_unique ON user_roles (user_id, role, coalesce(client_id, 0));

CREATE TABLE spaces (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id  bigint      NOT NULL REFERENCES organisations (id),
    key        text        NOT NULL,
    name       text        NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX spaces_key ON spaces (key);
CREATE INDEX spaces_client ON spaces (client_id);

CREATE TABLE projects (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    space_id   bigint      NOT NULL REFERENCES spaces (id),
    name       text        NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX projects_space_name ON projects (space_id, name);

CREATE TABLE memberships (
    space_id bigint      NOT NULL REFERENCES spaces (id),
    user_id  bigint      NOT NULL REFERENCES users (id),
    added_by bigint      REFERENCES users (id),
    added_at timestamptz NOT NULL,
    CONSTRAINT memberships_pkey PRIMARY KEY (space_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE tokens (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint      NOT NULL REFERENCES users (id),
    name         text        NOT NULL,
    hash         bytea       NOT NULL, -- SHA-256 of the secret
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    last_used_at timestamptz
);
CREATE UNIQUE INDEX tokens_hash ON tokens (hash);
CREATE INDEX tokens_user ON tokens (user_id, id);

CREATE TABLE sessions (
    token_hash bytea       PRIMARY KEY, -- SHA-256 of the session token
    data       bytea       NOT NULL,
    expiry     timestamptz NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expiry);
