"""Rebond: the Django project and its apps, one per bounded context (docs/architecture.md)."""

# The one place the version is written: pyproject.toml reads it (dynamic version), so the
# wheel, `rebond --version` and CHANGELOG.md's newest release heading agree.
__version__ = "0.1.0"
