"""Read models shared by the API routes and the dashboard."""
