-- 006: officials, second round — the assign step (Giao) may wait for the official's text,
-- and a waiting step remembers the record's version, so a record that moved meanwhile is
-- noticed ("hồ sơ đã thay đổi") instead of being acted on.

-- SQLite cannot change a CHECK in place: rebuild the (short-lived) table.
CREATE TABLE official_pending_new (
    official_id INTEGER PRIMARY KEY REFERENCES officials(id) ON DELETE CASCADE,
    record_id   INTEGER NOT NULL REFERENCES records(id),
    action      TEXT NOT NULL CHECK (action IN ('info', 'reply', 'transfer', 'reject',
                    'done', 'extend', 'assign')),
    chat_id     TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    version     INTEGER CHECK (version >= 0)
);
INSERT INTO official_pending_new (official_id, record_id, action, chat_id, created_at)
    SELECT official_id, record_id, action, chat_id, created_at FROM official_pending;
DROP TABLE official_pending;
ALTER TABLE official_pending_new RENAME TO official_pending;

-- Set when an official is revoked while a typed step waited; their next text is answered
-- "đã bị thu hồi" (not taken for a citizen's message), then it is cleared.
ALTER TABLE officials ADD COLUMN step_interrupted INTEGER NOT NULL DEFAULT 0
    CHECK (step_interrupted IN (0, 1));
