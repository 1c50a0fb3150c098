"""hydrawatch analyst service: REST API under /api/v1 and the server-rendered dashboard."""
