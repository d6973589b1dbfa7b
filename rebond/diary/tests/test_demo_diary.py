"""The demo's diary: six weeks of synthetic entries for both partners of one case, offered
with weekly reminders, built once; its chart page shows them beside the therapy's moves."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rebond.demo.diary import DIARY_CASE, build_demo_diary
from rebond.demo.practice import build_demo_practice
from rebond.diary.models import DiaryEntry, DiaryPlan
from rebond.test import couple_labelled, sign_in
from rebond.tests.test_accessibility import duplicate_ids

pytestmark = pytest.mark.django_db


def test_the_demo_case_has_six_weeks_of_diary_for_both_partners(client: Client) -> None:
    build_demo_practice()
    couple = couple_labelled(DIARY_CASE)
    plan = DiaryPlan.objects.get(couple=couple)
    assert (plan.offered, plan.prompt) == (True, DiaryPlan.Prompt.WEEKLY)
    entries = DiaryEntry.objects.filter(couple=couple)
    for partner in couple.partners.all():
        own = entries.filter(author=partner)
        assert own.count() >= 15
        assert own.filter(triggered=True).exists()
        assert own.filter(shared_at__isnull=False).exists()
        assert own.filter(shared_at__isnull=True).exists()
    assert not entries.filter(not_safe_now=True).exists()
    lines = [e.line for e in entries if e.line]
    assert lines
    assert all(line.startswith("Synthetic") for line in lines)
    count = entries.count()
    build_demo_diary(couple.clinic)
    assert DiaryEntry.objects.filter(couple=couple).count() == count  # built once
    sign_in(client, couple.primary_clinician)
    page = client.get(reverse("case_diary", args=[couple.id])).content.decode()
    assert "AIRM" in page  # the AIRM's steps are marked on the same weeks
    assert "Synthetic demo entry" in page
    assert duplicate_ids(page) == []
    case_page = client.get(reverse("case", args=[couple.id])).content.decode()
    assert duplicate_ids(case_page) == []  # the diary form's ids are its own on the case page
