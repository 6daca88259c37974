-- 003: what the channels' senders need: the channel's id of every message sent for an
-- outbox row (so a reply to the bot's notification can be tied to the row's record), and
-- the citizens who subscribed to the commune's announcements.

-- One row per message actually sent for an outbox row; a long text sent in several parts
-- has one row per part. A part recorded here is never sent again.
CREATE TABLE outbox_deliveries (
    outbox_id          INTEGER NOT NULL REFERENCES outbox(id),
    part               INTEGER NOT NULL CHECK (part >= 0),
    channel            TEXT NOT NULL,
    chat_id            TEXT NOT NULL,
    channel_message_id TEXT NOT NULL,
    sent_at            TEXT NOT NULL,
    PRIMARY KEY (outbox_id, part)
);
CREATE UNIQUE INDEX outbox_deliveries_message
    ON outbox_deliveries(channel, chat_id, channel_message_id);

-- Where the sender picks the next message: pending rows per chat in order.
CREATE INDEX outbox_pending_chat ON outbox(channel, status, chat_id, priority, id);

-- Announcements (thông báo): a citizen subscribed for the whole commune (hamlet NULL) or
-- for one thôn / tổ dân phố. Erasing the citizen removes the subscription.
CREATE TABLE subscriptions (
    citizen_id    INTEGER PRIMARY KEY REFERENCES citizens(id) ON DELETE CASCADE,
    commune_code  TEXT NOT NULL REFERENCES communes(code),
    hamlet        TEXT,
    created_at    TEXT NOT NULL
);
CREATE INDEX subscriptions_commune ON subscriptions(commune_code, hamlet);

-- A local copy of an attachment (e.g. a Telegram photo), when the channel downloads them:
-- the path under the data directory, or why it was not fetched (too large, gone).
CREATE TABLE attachment_files (
    attachment_id INTEGER PRIMARY KEY REFERENCES attachments(id),
    path          TEXT,
    size          INTEGER,
    error         TEXT,
    fetched_at    TEXT NOT NULL,
    CHECK ((path IS NULL) <> (error IS NULL))
);
