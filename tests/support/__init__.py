"""Helpers shared by test modules; test modules import from here (or from conftest's
fixtures and driver), never from each other.

- `labels.label(key)`: a button's text from handlers/templates/labels.j2, so tests press
  `label("btn.menu_file")` rather than a copy of the Vietnamese.
- `records`: filing a phản ánh as a citizen (`file_report`), the tracking-code pattern,
  the test's SQLite file (`db`) and the text of a list of replies (`texts`).
- `cli`: the `danvan` command line in a subprocess (`cli`, `run_chat`).
- `telegram`: a citizen talking through the Bot API stand-in (`Citizen`), the Telegram
  channel running in polling or webhook mode (`running`, `deliverer`), `db_rows`.
- `digest`, `digest_seed`: the digest's week and "processes" sharing a database
  (`shared_apps`, `digest_of`, `outbox_rows`), and the hand-checkable history it reports on.
- `officials`: a record's events and status, a card's delivery, an office with a group
  chat (`app_with_vp_group`), filing a tố cáo (tests/officials/).
- `lifecycle`: the fixed time, officials and records to ask permissions about, a record
  put in a status on a real database (`new_in`) (tests/lifecycle/).

The transcript driver (`Chat`: `press`, `says(template)`, `says_exactly(...)`) and the
fixtures stay in tests/conftest.py; tests/telegram/ and tests/digest/ add fixtures of their
own in their conftest.py.
"""
