-- 003: what the channels' senders need (PostgreSQL). Same as sqlite/003_channel.sql.

CREATE TABLE outbox_deliveries (
    outbox_id          BIGINT NOT NULL REFERENCES outbox(id),
    part               INTEGER NOT NULL CHECK (part >= 0),
    channel            TEXT NOT NULL,
    chat_id            TEXT NOT NULL,
    channel_message_id TEXT NOT NULL,
    sent_at            TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (outbox_id, part)
);
CREATE UNIQUE INDEX outbox_deliveries_message
    ON outbox_deliveries(channel, chat_id, channel_message_id);

CREATE INDEX outbox_pending_chat ON outbox(channel, status, chat_id, priority, id);

CREATE TABLE subscriptions (
    citizen_id    BIGINT PRIMARY KEY REFERENCES citizens(id) ON DELETE CASCADE,
    commune_code  TEXT NOT NULL REFERENCES communes(code),
    hamlet        TEXT,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX subscriptions_commune ON subscriptions(commune_code, hamlet);

CREATE TABLE attachment_files (
    attachment_id BIGINT PRIMARY KEY REFERENCES attachments(id),
    path          TEXT,
    size          INTEGER,
    error         TEXT,
    fetched_at    TIMESTAMPTZ NOT NULL,
    CHECK ((path IS NULL) <> (error IS NULL))
);
