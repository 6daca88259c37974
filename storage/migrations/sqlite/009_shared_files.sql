-- 009: files one process makes and another may send (the weekly digest's chart and
-- report), kept in the database so that every process can read them, whichever machine
-- it runs on. The outbox row names a file as "db:<id>" in its `extra`; the sender writes
-- it to a private temporary file for the channel and deletes that copy after sending.
CREATE TABLE shared_files (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    data       BLOB NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX shared_files_created ON shared_files(created_at);
