-- 004: the officials' side — officials and invites, the handler and version of a record,
-- stage deadlines, ratings, follow-ups and deadline notices. (A reply to a notification
-- finds its record through outbox_deliveries, migration 003.)

-- One channel identity acting for one office with one role. Revoking keeps the row (events
-- refer to it) and clears `active`.
CREATE TABLE officials (
    id           INTEGER PRIMARY KEY,
    commune_code TEXT NOT NULL REFERENCES communes(code),
    channel      TEXT NOT NULL,
    external_id  TEXT NOT NULL,
    display_name TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 80),
    office_code  TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('member', 'head', 'leader', 'admin')),
    active       INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at   TEXT NOT NULL,
    revoked_at   TEXT,
    UNIQUE (channel, external_id),
    FOREIGN KEY (commune_code, office_code) REFERENCES offices(commune_code, code),
    CHECK (active = 1 OR revoked_at IS NOT NULL)
);
CREATE INDEX officials_office ON officials(commune_code, office_code, active);

-- One-time invite codes; used_at/used_by set once, never reused.
CREATE TABLE invites (
    code         TEXT PRIMARY KEY CHECK (length(code) BETWEEN 6 AND 16),
    commune_code TEXT NOT NULL REFERENCES communes(code),
    office_code  TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('member', 'head', 'leader', 'admin')),
    display_name TEXT,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    used_at      TEXT,
    used_by      INTEGER REFERENCES officials(id),
    FOREIGN KEY (commune_code, office_code) REFERENCES offices(commune_code, code),
    CHECK ((used_at IS NULL) = (used_by IS NULL))
);

-- What an official is about to type (the text after pressing Trả lời, Chuyển, …).
CREATE TABLE official_pending (
    official_id INTEGER PRIMARY KEY REFERENCES officials(id) ON DELETE CASCADE,
    record_id   INTEGER NOT NULL REFERENCES records(id),
    action      TEXT NOT NULL CHECK (action IN ('info', 'reply', 'transfer', 'reject',
                    'done', 'extend')),
    chat_id     TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- The record's handler (set when an official takes it), an optimistic-lock version bumped
-- by every lifecycle step, the deadline stage, and the lifecycle timestamps.
ALTER TABLE records ADD COLUMN handler_id INTEGER REFERENCES officials(id);
ALTER TABLE records ADD COLUMN version INTEGER NOT NULL DEFAULT 0 CHECK (version >= 0);
ALTER TABLE records ADD COLUMN stage TEXT NOT NULL DEFAULT 'intake'
    CHECK (stage IN ('intake', 'resolve'));
ALTER TABLE records ADD COLUMN extensions INTEGER NOT NULL DEFAULT 0 CHECK (extensions >= 0);
ALTER TABLE records ADD COLUMN accepted_at TEXT;
ALTER TABLE records ADD COLUMN answered_at TEXT;
ALTER TABLE records ADD COLUMN followup_at TEXT;
-- Set by the citizen's rating of the latest answer; cleared by the next answer.
ALTER TABLE records ADD COLUMN rated_at TEXT;

-- The citizen's rating of the handling; several over time (after a reopen), newest counts.
CREATE TABLE ratings (
    id        INTEGER PRIMARY KEY,
    record_id INTEGER NOT NULL REFERENCES records(id),
    at        TEXT NOT NULL,
    value     TEXT NOT NULL CHECK (value IN ('very_satisfied', 'satisfied', 'unsatisfied')),
    reason    TEXT
);
CREATE INDEX ratings_record ON ratings(record_id, id);

-- Reminders and escalations already sent, so the daily job is safe to run twice a day.
CREATE TABLE deadline_notices (
    record_id INTEGER NOT NULL REFERENCES records(id),
    kind      TEXT NOT NULL CHECK (kind IN ('due_soon', 'overdue')),
    local_day TEXT NOT NULL,
    at        TEXT NOT NULL,
    PRIMARY KEY (record_id, kind, local_day)
);

