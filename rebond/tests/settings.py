"""Settings for the test suite: the real settings, with throw-away secrets and plain HTTP.

The live server of the browser tests speaks HTTP on loopback, so HTTPS-only cookies would
never be sent back; everything else is the production configuration.
"""

import os

from rebond.crypto.keys import new_key_line

os.environ.setdefault("SECRET_KEY", "test-suite-only-key-" + "0123456789abcdef" * 3)
os.environ.setdefault("AUDIT_CHAIN_KEY", "test-suite-only-audit-chain-key-" + "fedcba98" * 4)
# A keyring generated for this run (REBOND_KEYS is inherited by commands the tests start).
os.environ.setdefault(
    "REBOND_KEYS", f"{new_key_line('data', 'test-1')};{new_key_line('backup', 'test-backup-1')}"
)
os.environ.setdefault("HTTPS", "False")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("SMS_BACKEND", "rebond.lib.sms.MemoryBackend")

from rebond.settings import *  # noqa: F403

# Password hashing speed is not under test here; Argon2id stays the production hasher.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Serve static files straight from the app folders, as in development: the suite does not run
# collectstatic. The production manifest storage is exercised by `check --deploy` and deploy docs.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
