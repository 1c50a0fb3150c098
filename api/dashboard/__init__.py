"""The server-rendered analyst dashboard (Jinja2, autoescaped; strict CSP, scripts from /static)."""
