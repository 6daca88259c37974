"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) under `/open311/v2/`: the
commune's reportable services and its phản ánh and kiến nghị, read-only, for a province's
portal or a partner to pull (issue 13).

- `documents`: the standard's documents (discovery, services, a service definition, service
  requests) built from the settings and the records, with nothing personal in them: never a
  name, phone or chat id; a record's description only where the citizen let it be published
  (until that consent exists, the topic's name); khiếu nại and tố cáo never listed.
- `formats`: the same document as JSON or XML, with the content types the standard's
  validators expect, and errors in the standard's shape.
- `routes`: the Starlette routes `danvan run` mounts on the one web server.

Not built yet (issue 13 stays open): POST requests with API keys, `tokens/{token}`, the
servicerequestupdates extension.
"""
