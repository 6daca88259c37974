-- 013: the citizen's consent to publish (issue 12). At filing, a phản ánh or kiến nghị may
-- be marked «cho phép công khai (đã ẩn thông tin cá nhân)»; once answered, its masked
-- description, office, dates and answer are listed on the commune's public page. Khiếu nại
-- and tố cáo are never published: the CHECK refuses it. Every existing record stays
-- unpublished (nobody was asked).
ALTER TABLE records ADD COLUMN publishable INTEGER NOT NULL DEFAULT 0
    CHECK (publishable = 0 OR (publishable = 1 AND kind IN ('phan_anh', 'kien_nghi')));
CREATE INDEX records_published ON records(commune_code, publishable, answered_at);

-- announcements: what the commune announced (`danvan broadcast`, `/thongbao`), kept once
-- for the public page; the outbox rows per subscriber are deleted after outbox.keep_days.
CREATE TABLE announcements (
    id           INTEGER PRIMARY KEY,
    commune_code TEXT NOT NULL REFERENCES communes(code),
    hamlet       TEXT,
    text         TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX announcements_commune ON announcements(commune_code, created_at);
