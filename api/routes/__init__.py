"""Routers of the REST API (mounted under /api/v1) and the unauthenticated health check."""
