"""The server-rendered analyst dashboard (Jinja2, autoescaped; scripts only from /static under a strict CSP)."""
