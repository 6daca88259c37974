"""The Zalo Official Account channel: the OA Open API as a transport, nothing more.

Facts on the API, with sources: ../shared/review/zalo.md (§3). In: `webhook.py` checks
`X-ZEvent-Signature` on the raw bytes, keeps each verified event in `zalo_oa_inbox` before
answering 200, and `InboxWorker` hands kept events, as `Inbound`s (`inbound.py`), to the
dispatcher. Out: `sender.py` sends outbox rows through `/v3.0/oa/message/cs` (`api.py`),
with the access token from `tokens.py` (refreshed once across processes).
`channel.py` wires it all for `danvan run`; `danvan zalo authorize` (bot/cli/zalo.py)
stores the first token pair.
"""
