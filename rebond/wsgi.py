"""WSGI entry point for gunicorn (docs/deploy.md)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rebond.settings")
application = get_wsgi_application()

# Refuse to serve a database whose values need a data key the keyring lacks (issue 24).
from rebond.crypto.needs import refuse_to_start_without_the_data_keys  # noqa: E402

refuse_to_start_without_the_data_keys()
