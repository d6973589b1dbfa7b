"""Rebond: the Django project and its apps, one per bounded context (docs/architecture.md)."""
