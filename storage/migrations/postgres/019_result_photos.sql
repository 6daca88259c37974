-- 019: an official's photo of the result, kept with the record (issue 16). `role` says whose
-- attachment it is: 'citizen' (sent with the report or a bổ sung) or 'result' (attached by an
-- official to an answer or the completion). `channel` is the channel its reference belongs
-- to when it is not the record's own (an official on Telegram answering a Zalo record); NULL
-- means the record's channel, as for every attachment before this migration.
ALTER TABLE attachments ADD COLUMN role TEXT NOT NULL DEFAULT 'citizen'
    CHECK (role IN ('citizen', 'result'));
ALTER TABLE attachments ADD COLUMN channel TEXT;
