"""`{% quick_exit_url %}`: the neutral site the quick-exit control leaves for.

Read at render time, not import time, so settings overrides in tests apply.
"""

from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def quick_exit_url() -> str:
    """Return the quick-exit destination (settings.QUICK_EXIT_URL)."""
    return str(settings.QUICK_EXIT_URL)
