"""The one web server: a Starlette application under uvicorn that `danvan run` serves.

- `app.py` builds it from the routes each configured channel offers (Telegram's webhook,
  the Zalo OA webhook, the Zalo Bot webhook), plus `/healthz` and `/metrics`, and runs it
  in the bot's own event loop (`WebServer`);
- `limits.py` bounds every request body before it is read (by Content-Length, then by the
  bytes actually streamed) and turns a body that is not the JSON object a webhook expects
  into a 400, never a 500;
- `health.py` answers `/healthz`: storage reachable, each channel's sender alive, the
  outbox backlog and the age of its oldest pending message, as JSON with 200 or 503;
- `metrics.py` is the Prometheus registry (`prometheus-client`), one per process, with
  no module globals.

A channel plugs in by offering `web_routes()` (Starlette routes; a channel that polls
offers none); see docs/architecture.md, "where a new channel goes".
"""

from bot.server.app import WebServer, build_app
from bot.server.health import Health, HealthReport
from bot.server.limits import DEFAULT_MAX_BODY, BadBody, BodyLimit, read_json_object
from bot.server.metrics import Metrics

__all__ = [
    "DEFAULT_MAX_BODY",
    "BadBody",
    "BodyLimit",
    "Health",
    "HealthReport",
    "Metrics",
    "WebServer",
    "build_app",
    "read_json_object",
]
