-- 019: an official's photo of the result, kept with the record (issue 16). `role` says whose
-- attachment it is: 'citizen' (sent with the report or a bổ sung) or 'result' (attached by an
-- official to an answer or the completion). `channel` is the channel its reference belongs
-- to when it is not the record's own (an official on Telegram answering a Zalo record); NULL
-- means the record's channel, as for every attachment before this migration.
ALTER TABLE attachments ADD COLUMN role TEXT NOT NULL DEFAULT 'citizen'
    CHECK (role IN ('citizen', 'result'));
ALTER TABLE attachments ADD COLUMN channel TEXT;

-- zalo_bot_inbox: every update fetched by Zalo Bot polling, kept before it is handled (the
-- platform's getUpdates has no offset: an update is gone once fetched, so a crash between
-- fetching and committing the turn would lose it); replayed on start. The same shape as
-- zalo_oa_inbox (one repository serves both); `event_key` is "event:message_id".
CREATE TABLE zalo_bot_inbox (
    id           INTEGER PRIMARY KEY,
    event_key    TEXT NOT NULL UNIQUE,
    body         TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    processed_at TEXT,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT
);
CREATE INDEX zalo_bot_inbox_pending ON zalo_bot_inbox(processed_at, id);
