-- 012: the officials' web console (issue 12).
-- web_links: one-time login links. Only the SHA-256 of the token is kept; a link works once
-- (used_at) and until expires_at (10 minutes after it was made).
CREATE TABLE web_links (
    id          INTEGER PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    official_id INTEGER NOT NULL REFERENCES officials(id),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);
CREATE INDEX web_links_official ON web_links(official_id);

-- web_secrets: the key the console's session cookies are signed with, made once so that
-- every process (PostgreSQL deployments run several) signs with the same one.
CREATE TABLE web_secrets (
    name       TEXT PRIMARY KEY,
    secret     TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- record_notes: internal notes on a record, seen by officials only (never the citizen).
CREATE TABLE record_notes (
    id          INTEGER PRIMARY KEY,
    record_id   INTEGER NOT NULL REFERENCES records(id),
    official_id INTEGER NOT NULL REFERENCES officials(id),
    at          TEXT NOT NULL,
    text        TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 2000)
);
CREATE INDEX record_notes_record ON record_notes(record_id, id);

-- web_audit: what the console logs about an official's use of it: logins, exports with the
-- senders' identities. No record content, no citizen's data.
CREATE TABLE web_audit (
    id          INTEGER PRIMARY KEY,
    official_id INTEGER NOT NULL REFERENCES officials(id),
    at          TEXT NOT NULL,
    action      TEXT NOT NULL,
    detail      TEXT
);

-- The channel a step was done through ("telegram", "web", …); NULL for the steps before.
ALTER TABLE events ADD COLUMN channel TEXT;
