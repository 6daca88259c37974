-- 011: what citizens send (issue 16). Voice messages and videos are attachments of their
-- own kinds ('voice', 'video').
ALTER TABLE attachments DROP CONSTRAINT attachments_kind_check;
ALTER TABLE attachments ADD CONSTRAINT attachments_kind_check
    CHECK (kind IN ('photo', 'document', 'voice', 'video'));
