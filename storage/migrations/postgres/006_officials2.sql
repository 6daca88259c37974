-- 006: officials, second round — the assign step (Giao) may wait for the official's text,
-- and a waiting step remembers the record's version, so a record that moved meanwhile is
-- noticed ("hồ sơ đã thay đổi") instead of being acted on.

ALTER TABLE official_pending DROP CONSTRAINT official_pending_action_check;
ALTER TABLE official_pending ADD CONSTRAINT official_pending_action_check
    CHECK (action IN ('info', 'reply', 'transfer', 'reject', 'done', 'extend', 'assign'));
ALTER TABLE official_pending ADD COLUMN version BIGINT CHECK (version >= 0);

-- Set when an official is revoked while a typed step waited; their next text is answered
-- "đã bị thu hồi" (not taken for a citizen's message), then it is cleared.
ALTER TABLE officials ADD COLUMN step_interrupted INTEGER NOT NULL DEFAULT 0
    CHECK (step_interrupted IN (0, 1));
