-- rebuilds tables
-- 011: what citizens send (issue 16). Voice messages and videos are attachments of their
-- own kinds ('voice', 'video'). SQLite cannot change a CHECK, so the table is rebuilt with
-- its ids (attachment_files refers to them), foreign keys off (storage/sqlite.py).

CREATE TABLE attachments_011 (
    id          INTEGER PRIMARY KEY,
    record_id   INTEGER NOT NULL REFERENCES records(id),
    kind        TEXT NOT NULL CHECK (kind IN ('photo', 'document', 'voice', 'video')),
    ref         TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
INSERT INTO attachments_011 (id, record_id, kind, ref, created_at)
    SELECT id, record_id, kind, ref, created_at FROM attachments;
DROP TABLE attachments;
ALTER TABLE attachments_011 RENAME TO attachments;
CREATE INDEX attachments_record ON attachments(record_id);

-- Likely duplicates: a citizen who finds their problem already reported follows that
-- record («theo dõi cùng») instead of filing it again, and hears of its progress.
-- Erasing the citizen removes what they follow.
CREATE TABLE record_followers (
    record_id   INTEGER NOT NULL REFERENCES records(id),
    citizen_id  INTEGER NOT NULL REFERENCES citizens(id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (record_id, citizen_id)
);
CREATE INDEX record_followers_citizen ON record_followers(citizen_id);
