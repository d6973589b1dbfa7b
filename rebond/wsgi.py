"""WSGI entry point for gunicorn (docs/deploy.md)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rebond.settings")
application = get_wsgi_application()
