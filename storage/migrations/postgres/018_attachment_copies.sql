-- 018: a copy of a citizen's photo or document that any process can read (issue 15).
-- The copy is kept like the digest's files (`shared_files`, or a path in the configured
-- shared folder); `file_id` names the stored file, so purging old digest files keeps it.
ALTER TABLE attachment_files ADD COLUMN file_id BIGINT REFERENCES shared_files(id);
CREATE INDEX attachment_files_file ON attachment_files(file_id);
