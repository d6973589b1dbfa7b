"""`{{ submission.band|result_word }}`: a band or flag message in the reader's language."""

from __future__ import annotations

from django import template

from rebond.assessments.result_words import shown

register = template.Library()
register.filter("result_word", shown)
