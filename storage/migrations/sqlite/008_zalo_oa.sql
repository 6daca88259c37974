-- 008: the Zalo Official Account channel.
-- zalo_oa_tokens: the OA's access/refresh pair (the refresh token is single-use: a refresh
--   writes the new pair, under the row's version, and commits before the token is used).
-- zalo_oa_inbox: every verified webhook event, stored before the webhook answers 200 and
--   handled afterwards by a worker (a crash after the answer loses nothing); `event_key`
--   is the event's identity (msg_id, or event+user+time) so Zalo's retries are stored once.
-- zalo_oa_contacts: the citizen's last message (its id is quoted by a reply sent within 48 h)
--   and whether they follow the OA.
-- zalo_oa_unreachable: a message the OA could not deliver because Zalo's window was closed.

CREATE TABLE zalo_oa_tokens (
    oa_id         TEXT PRIMARY KEY,
    access_token  TEXT NOT NULL,
    refresh_token TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    refreshed_at  TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    failed_at     TEXT,
    last_error    TEXT
);

CREATE TABLE zalo_oa_inbox (
    id           INTEGER PRIMARY KEY,
    event_key    TEXT NOT NULL UNIQUE,
    body         TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    processed_at TEXT,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT
);
CREATE INDEX zalo_oa_inbox_pending ON zalo_oa_inbox(processed_at, id);

CREATE TABLE zalo_oa_contacts (
    user_id     TEXT PRIMARY KEY,
    last_msg_id TEXT,
    last_at     TEXT NOT NULL,
    following   INTEGER NOT NULL DEFAULT 1 CHECK (following IN (0, 1)),
    -- the numbered choices of the last message with more than five buttons: {"6": data}
    choices     TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE zalo_oa_unreachable (
    outbox_id   INTEGER PRIMARY KEY,
    user_id     TEXT NOT NULL,
    record_code TEXT,
    error_code  INTEGER NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX zalo_oa_unreachable_record ON zalo_oa_unreachable(record_code);
