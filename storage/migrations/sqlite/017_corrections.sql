-- 017: corrections of the bot's understanding (issue 11), folded into a commune's model by
-- `danvan faq train`. `text` is de-identified as the question log is (faq/redact.py): no
-- names, phones or chat ids. A routing correction (an official's /chuyen) names the office
-- the record was moved to and is accepted at once; a citizen's intent label (filed right
-- after an answer, rejected a guess, chose at «hỏi thủ tục hay gửi phản ánh?») waits to be
-- accepted (`danvan faq corrections --accept ID`).

CREATE TABLE corrections (
    id            INTEGER PRIMARY KEY,
    commune_code  TEXT NOT NULL REFERENCES communes(code),
    at            TEXT NOT NULL,
    text          TEXT NOT NULL CHECK (length(text) > 0),
    kind          TEXT NOT NULL CHECK (kind IN ('routing', 'intent')),
    label         TEXT NOT NULL CHECK (length(label) > 0),
    previous      TEXT,
    source        TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected'))
);
CREATE INDEX corrections_commune_status ON corrections(commune_code, status, id);
