"""Jinja2 templates and CSS for the brief (installed as `briefing.templates`)."""
