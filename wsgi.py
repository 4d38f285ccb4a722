"""Entry point for gunicorn: `gunicorn wsgi:app` (refuses the development secret unless
PORTAL_ENV=development; see the README's production section)."""

from portal import create_app

app = create_app(server=True)
