"""The web pages on the one web server: the officials' console (`/console/`) and the
commune's public page (`/public/CG/`), server-rendered jinja2 HTML in Vietnamese."""
