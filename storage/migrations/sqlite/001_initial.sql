-- 001: the foundation schema. Times are ISO 8601 UTC text ("2026-11-28T01:02:03.000000+00:00").

CREATE TABLE communes (
    code        TEXT PRIMARY KEY CHECK (length(code) BETWEEN 2 AND 4),
    name        TEXT NOT NULL,
    synced_at   TEXT NOT NULL
);

CREATE TABLE offices (
    commune_code TEXT NOT NULL REFERENCES communes(code),
    code         TEXT NOT NULL,
    name         TEXT NOT NULL,
    chat_id      TEXT,
    active       INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    PRIMARY KEY (commune_code, code)
);

-- A person in one channel. Before consent only the channel identifier is kept (needed to
-- hold the conversation); name and phone stay NULL until consent_at is set.
CREATE TABLE citizens (
    id              INTEGER PRIMARY KEY,
    channel         TEXT NOT NULL,
    external_id     TEXT NOT NULL,
    commune_code    TEXT REFERENCES communes(code),
    name            TEXT,
    phone           TEXT,
    consent_at      TEXT,
    consent_version TEXT,
    created_at      TEXT NOT NULL,
    erased_at       TEXT,
    UNIQUE (channel, external_id),
    CHECK (consent_at IS NOT NULL OR (name IS NULL AND phone IS NULL))
);

CREATE TABLE records (
    id            INTEGER PRIMARY KEY,
    code          TEXT NOT NULL UNIQUE,
    commune_code  TEXT NOT NULL REFERENCES communes(code),
    citizen_id    INTEGER REFERENCES citizens(id) ON DELETE SET NULL,
    channel       TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('phan_anh', 'kien_nghi', 'khieu_nai', 'to_cao')),
    topic         TEXT,
    office_code   TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('received', 'accepted', 'in_progress',
                      'need_info', 'transferred', 'answered', 'rejected', 'closed')),
    description   TEXT NOT NULL CHECK (length(description) > 0),
    hamlet        TEXT,
    place         TEXT,
    latitude      REAL CHECK (latitude IS NULL OR latitude BETWEEN -90 AND 90),
    longitude     REAL CHECK (longitude IS NULL OR longitude BETWEEN -180 AND 180),
    anonymous     INTEGER NOT NULL CHECK (anonymous IN (0, 1)),
    contact_name  TEXT,
    contact_phone TEXT,
    created_at    TEXT NOT NULL,
    due_at        TEXT NOT NULL,
    resolved_at   TEXT,
    FOREIGN KEY (commune_code, office_code) REFERENCES offices(commune_code, code),
    CHECK (anonymous = 0 OR (contact_name IS NULL AND contact_phone IS NULL))
);
CREATE INDEX records_citizen ON records(citizen_id, created_at);
CREATE INDEX records_office_status ON records(commune_code, office_code, status, due_at);

CREATE TABLE attachments (
    id          INTEGER PRIMARY KEY,
    record_id   INTEGER NOT NULL REFERENCES records(id),
    kind        TEXT NOT NULL CHECK (kind IN ('photo', 'document')),
    ref         TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX attachments_record ON attachments(record_id);

-- Append-only audit log: every change of a record's state is one row here.
CREATE TABLE events (
    id                 INTEGER PRIMARY KEY,
    record_id          INTEGER NOT NULL REFERENCES records(id),
    at                 TEXT NOT NULL,
    actor_kind         TEXT NOT NULL CHECK (actor_kind IN ('citizen', 'official', 'system')),
    actor_ref          TEXT,
    action             TEXT NOT NULL,
    from_status        TEXT,
    to_status          TEXT,
    note               TEXT,
    visible_to_citizen INTEGER NOT NULL CHECK (visible_to_citizen IN (0, 1))
);
CREATE INDEX events_record ON events(record_id, id);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

CREATE TABLE conversations (
    citizen_id  INTEGER PRIMARY KEY REFERENCES citizens(id) ON DELETE CASCADE,
    flow        TEXT NOT NULL,
    state       TEXT NOT NULL,
    data        TEXT NOT NULL CHECK (json_valid(data)),
    nonce       INTEGER NOT NULL DEFAULT 0,
    updated_at  TEXT NOT NULL
);

CREATE TABLE processed_updates (
    channel      TEXT NOT NULL,
    update_id    TEXT NOT NULL,
    processed_at TEXT NOT NULL,
    PRIMARY KEY (channel, update_id)
);

CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    channel     TEXT NOT NULL,
    chat_id     TEXT NOT NULL,
    priority    INTEGER NOT NULL CHECK (priority IN (0, 1, 2)),
    payload     TEXT NOT NULL CHECK (json_valid(payload)),
    created_at  TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    not_before  TEXT NOT NULL,
    sent_at     TEXT,
    last_error  TEXT
);
CREATE INDEX outbox_pending ON outbox(channel, status, priority, id);
