"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) under `/open311/v2/`: the
commune's reportable services and its phản ánh and kiến nghị for a province's portal or a
partner to pull, and new ones for it to post with an API key (issue 13).

- `documents`: the standard's documents (discovery, services, a service definition, service
  requests, mySociety's service request updates) built from the settings and the records,
  with nothing personal in them: never a name, phone or chat id; a record's description
  only where the citizen let it be published (until that consent exists, the topic's name);
  an official's words masked (`published`); khiếu nại and tố cáo never listed.
- `formats`: the same document as JSON or XML, with the content types the standard's
  validators expect, and errors in the standard's shape.
- `common`: the prefix, `Refused` (→ the standard's error), the commune a request names.
- `routes`: the Starlette routes `danvan run` mounts on the one web server (none with
  `[open311] enabled = false`): the reads, and `servicerequestupdates`.
- `write`: `POST requests` (one transaction: the key, the form, `file_record`, the token,
  the office's notices) and `tokens/{token}`.
- `submission`: a posted form checked and turned into the chat's `Intake` (consent rules).
- `keys`: keys and tokens made here, kept as SHA-256 hashes (`storage/repos/open311.py`);
  `danvan open311 key …` (bot/cli/open311.py) makes, lists and revokes them.
"""
