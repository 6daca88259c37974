-- 011: what citizens send (issue 16). Voice messages and videos are attachments of their
-- own kinds ('voice', 'video').
ALTER TABLE attachments DROP CONSTRAINT attachments_kind_check;
ALTER TABLE attachments ADD CONSTRAINT attachments_kind_check
    CHECK (kind IN ('photo', 'document', 'voice', 'video'));

-- Likely duplicates: a citizen who finds their problem already reported follows that
-- record («theo dõi cùng») instead of filing it again, and hears of its progress.
-- Erasing the citizen removes what they follow.
CREATE TABLE record_followers (
    record_id   BIGINT NOT NULL REFERENCES records(id),
    citizen_id  BIGINT NOT NULL REFERENCES citizens(id) ON DELETE CASCADE,
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (record_id, citizen_id)
);
CREATE INDEX record_followers_citizen ON record_followers(citizen_id);
