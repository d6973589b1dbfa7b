"""WSGI entry point for gunicorn (docs/deploy.md)."""

import os
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rebond.settings")
# gunicorn stops (rather than restarting workers for ever) when a worker exits with 3 while
# booting; a configuration error is printed as one line naming the variable and the fix.
WORKER_BOOT_ERROR = 3
try:
    application = get_wsgi_application()
    from rebond.crypto.needs import MissingKeyError, refuse_to_start_without_the_data_keys

    try:
        refuse_to_start_without_the_data_keys()
    except MissingKeyError as exc:
        raise ImproperlyConfigured(str(exc)) from None
except ImproperlyConfigured as exc:
    print(f"rebond: configuration error: {exc}", file=sys.stderr, flush=True)
    raise SystemExit(WORKER_BOOT_ERROR) from None
