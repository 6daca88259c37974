-- 007: officials on the same conversation engine as citizens. The step an official is
-- about to type (Trả lời, Chuyển, Giao …) becomes their conversation's state
-- ('officials.text'), with the same shape as a citizen's (state, data, nonce) and written
-- by the same code; `official_pending` goes. A waiting step is carried over, its data
-- holding the record, the action, the record's version then and the chat it was asked in.

CREATE TABLE official_conversations (
    official_id INTEGER PRIMARY KEY REFERENCES officials(id) ON DELETE CASCADE,
    flow        TEXT NOT NULL,
    state       TEXT NOT NULL,
    data        TEXT NOT NULL CHECK (json_valid(data)),
    nonce       INTEGER NOT NULL DEFAULT 0,
    updated_at  TEXT NOT NULL
);

INSERT INTO official_conversations (official_id, flow, state, data, nonce, updated_at)
    SELECT official_id, 'officials', 'officials.text',
           json_object('record_id', record_id, 'action', action, 'chat_id', chat_id,
                       'version', version),
           1, created_at
    FROM official_pending;

DROP TABLE official_pending;
