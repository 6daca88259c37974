-- 014: Open311 GeoReport v2's write path (issue 13). A partner system (the province's
-- portal) posts service requests with an API key; the key is stored only as the SHA-256 of
-- the secret (printed once by `danvan open311 key create`). `commune_code` NULL: any
-- commune of this deployment. Revoking keeps the row (requests refer to it).
CREATE TABLE open311_keys (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    commune_code TEXT REFERENCES communes(code),
    key_hash     TEXT NOT NULL UNIQUE CHECK (length(key_hash) = 64),
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);

-- One row per record posted through Open311: its token (the standard's asynchronous path,
-- `tokens/{token}`), the key that posted it, and the partner's media_url (the record's
-- own columns hold everything else). Nothing personal here: an e-mail address is not kept
-- (records keep a name and phone only, which retention and erasure clear).
CREATE TABLE open311_requests (
    token         TEXT PRIMARY KEY CHECK (length(token) BETWEEN 16 AND 64),
    record_id     INTEGER NOT NULL UNIQUE REFERENCES records(id),
    key_id        INTEGER NOT NULL REFERENCES open311_keys(id),
    media_url     TEXT,
    created_at    TEXT NOT NULL
);
