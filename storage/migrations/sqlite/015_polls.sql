-- 015: consultations and household votes (lấy ý kiến, biểu quyết; issue 14).
-- A poll asks one question with 2–10 options, of the whole commune or one thôn, open until
-- `closes_at` (NULL: until closed by hand). `household` polls take one vote per household,
-- cast with a one-time code the trưởng thôn hands out (Luật THDCOCS 2022 Điều 15–22, ND
-- 59/2023). `closed_at` is set once; `results_sent_at` once the participants were told.
CREATE TABLE polls (
    id              INTEGER PRIMARY KEY,
    commune_code    TEXT NOT NULL REFERENCES communes(code),
    question        TEXT NOT NULL CHECK (length(question) BETWEEN 1 AND 500),
    options         TEXT NOT NULL, -- a JSON array of the options' texts
    hamlet          TEXT,
    household       INTEGER NOT NULL DEFAULT 0 CHECK (household IN (0, 1)),
    created_by      INTEGER REFERENCES officials(id),
    created_at      TEXT NOT NULL,
    closes_at       TEXT,
    closed_at       TEXT,
    results_sent_at TEXT
);
CREATE INDEX polls_open ON polls(commune_code, closed_at);

-- Household codes: only a SHA-256 of the code is kept; a code belongs to one thôn and is
-- spent (`used_at`) by the first vote cast with it.
CREATE TABLE poll_codes (
    id          INTEGER PRIMARY KEY,
    poll_id     INTEGER NOT NULL REFERENCES polls(id),
    hamlet      TEXT NOT NULL,
    code_hash   TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    used_at     TEXT
);
CREATE INDEX poll_codes_poll ON poll_codes(poll_id, hamlet);

-- One answer per person (and, for a household poll, per code). The person's link is kept
-- only to let them change their answer and to tell them the result; erasing the citizen
-- keeps the vote in the count, tied to nobody. Who answered what is never shown.
CREATE TABLE poll_answers (
    id          INTEGER PRIMARY KEY,
    poll_id     INTEGER NOT NULL REFERENCES polls(id),
    citizen_id  INTEGER REFERENCES citizens(id) ON DELETE SET NULL,
    code_id     INTEGER UNIQUE REFERENCES poll_codes(id),
    hamlet      TEXT,
    choice      INTEGER NOT NULL CHECK (choice >= 0),
    comment     TEXT CHECK (comment IS NULL OR length(comment) <= 1000),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (poll_id, citizen_id)
);
CREATE INDEX poll_answers_poll ON poll_answers(poll_id, choice);
