"""Filters of the clinician's diary page: a tally in words (rebond/diary/summary.py)."""

from __future__ import annotations

from django import template

from rebond.diary.summary import Tally
from rebond.diary.summary import tally_words as words

register = template.Library()


@register.filter
def tally_words(counts: Tally) -> str:
    return words(counts)
