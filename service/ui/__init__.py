"""Reviewer web UI: server-rendered (Jinja2), Vietnamese labels, no external assets."""
