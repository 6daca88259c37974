-- 002: questions the bot could not answer with confidence, for the weekly digest.
-- Only a normalised, redacted form is kept: no names, phones or chat ids.

CREATE TABLE question_log (
    id            INTEGER PRIMARY KEY,
    commune_code  TEXT NOT NULL REFERENCES communes(code),
    at            TEXT NOT NULL,
    question      TEXT NOT NULL CHECK (length(question) > 0),
    intent        TEXT NOT NULL CHECK (intent IN ('faq', 'report', 'greeting', 'emergency',
                      'unknown')),
    answered      INTEGER NOT NULL CHECK (answered IN (0, 1)),
    confidence    REAL NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    best_faq_id   TEXT
);
CREATE INDEX question_log_commune_at ON question_log(commune_code, at);
