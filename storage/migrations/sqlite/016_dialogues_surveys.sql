-- 016: dialogues with the commune's leaders (đối thoại) and the one-stop desk's
-- satisfaction survey (issue 14).

CREATE TABLE dialogues (
    id            INTEGER PRIMARY KEY,
    commune_code  TEXT NOT NULL REFERENCES communes(code),
    starts_at     TEXT NOT NULL,
    place         TEXT NOT NULL,
    topic         TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX dialogues_commune_starts ON dialogues(commune_code, starts_at);

-- Who registered: the reminder the day before goes to them once (reminded_at).
CREATE TABLE dialogue_registrations (
    dialogue_id  INTEGER NOT NULL REFERENCES dialogues(id),
    citizen_id   INTEGER NOT NULL REFERENCES citizens(id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    reminded_at  TEXT,
    PRIMARY KEY (dialogue_id, citizen_id)
);
CREATE INDEX dialogue_registrations_citizen ON dialogue_registrations(citizen_id);

-- Questions sent in advance, numbered within their dialogue. A named question shows the
-- citizen's own saved name (read when shown): erasing the citizen leaves it anonymous.
CREATE TABLE dialogue_questions (
    id           INTEGER PRIMARY KEY,
    dialogue_id  INTEGER NOT NULL REFERENCES dialogues(id),
    number       INTEGER NOT NULL CHECK (number > 0),
    citizen_id   INTEGER REFERENCES citizens(id) ON DELETE SET NULL,
    named        INTEGER NOT NULL DEFAULT 0 CHECK (named IN (0, 1)),
    topic        TEXT,
    text         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    answer       TEXT,
    answered_at  TEXT,
    UNIQUE (dialogue_id, number)
);
CREATE INDEX dialogue_questions_citizen ON dialogue_questions(citizen_id);

-- The survey's responses: no person, no time of day, only the local day.
CREATE TABLE survey_responses (
    id            INTEGER PRIMARY KEY,
    commune_code  TEXT NOT NULL REFERENCES communes(code),
    desk          TEXT NOT NULL,
    day           TEXT NOT NULL,
    attitude      INTEGER NOT NULL CHECK (attitude BETWEEN 1 AND 5),
    waiting       INTEGER NOT NULL CHECK (waiting BETWEEN 1 AND 5),
    guidance      INTEGER NOT NULL CHECK (guidance BETWEEN 1 AND 5),
    overall       INTEGER NOT NULL CHECK (overall BETWEEN 1 AND 5),
    comment       TEXT
);
CREATE INDEX survey_responses_commune_day ON survey_responses(commune_code, day, desk);

-- Who answered at which desk today, unlinked to what they answered (no id, no time, no
-- row order): one response per person, desk and day. Past days' marks are dropped.
CREATE TABLE survey_marks (
    citizen_id    INTEGER NOT NULL REFERENCES citizens(id) ON DELETE CASCADE,
    commune_code  TEXT NOT NULL,
    desk          TEXT NOT NULL,
    day           TEXT NOT NULL,
    PRIMARY KEY (commune_code, desk, day, citizen_id)
) WITHOUT ROWID;
