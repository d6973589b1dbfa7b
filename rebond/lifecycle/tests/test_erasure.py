"""Erasing a case and erasing one partner, on the security suite's seeded world (every kind of
row, a canary in every private field): exactly what is named goes, the audit chain verifies,
and neither tombstones nor audit entries carry a canary."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.db.models import Model

from rebond.alerts.models import SafetyPlan
from rebond.assessments.models import Administration
from rebond.audit import chain
from rebond.audit.models import AuditEntry
from rebond.couples.models import ContactChannel, Couple, Injury, Partner, SafetyConcern
from rebond.crypto.subjects import is_shredded
from rebond.diary.models import DiaryEntry
from rebond.lifecycle.erasure import (
    CASE_RECORD_ROWS,
    PARTNER_OWN_ROWS,
    erase_case,
    erase_partner,
)
from rebond.lifecycle.models import ErasureReason, ErasureRecord
from rebond.portal.models import PrivateLink
from rebond.tests.security.world import World, build_world
from rebond.therapy.models import Note

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings: Any) -> World:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return build_world()


def _row_texts(*querysets: Any) -> str:
    return " ".join(str(row.__dict__) for queryset in querysets for row in queryset)


def _no_canary_in_trail(world: World) -> None:
    trail = _row_texts(AuditEntry.objects.all(), ErasureRecord.objects.all())
    assert [c.where for c in world.canaries if c.text in trail] == []


def test_every_reference_to_a_partner_is_either_erased_with_them_or_kept_on_purpose() -> None:
    # A new model naming a partner must say which: this fails until it is classified.
    classified = {(m, f) for m, f in PARTNER_OWN_ROWS + CASE_RECORD_ROWS}
    found = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            is_relation = isinstance(field, models.ForeignKey | models.ManyToManyField)
            if is_relation and field.related_model is Partner and not field.auto_created:
                found.add((model, field.name))
    assert found == classified


def test_erasing_a_case_erases_it_whole_and_nothing_of_other_cases(world: World) -> None:
    c1 = world.c1.couple
    others = {case.couple.pk for case in (world.c2, world.c3, world.c4)}
    counts_before = {
        model: model.objects.exclude(couple=c1).count()
        for model in (Administration, Injury, SafetyConcern, Note)
    }
    subjects = {str(c1.pk), *(str(pk) for pk in c1.partners.values_list("pk", flat=True))}
    record = erase_case(c1, actor_or_none=None, reason=ErasureReason.RETENTION_ENDED)

    # Their keys are destroyed (crypto-shredding): no older copy of their values opens.
    assert all(is_shredded(subject) for subject in subjects)
    assert not any(is_shredded(str(case.couple.pk)) for case in (world.c2, world.c3, world.c4))

    assert not Couple.objects.filter(pk=c1.pk).exists()
    assert set(Couple.objects.values_list("pk", flat=True)) == others
    assert not Partner.objects.filter(couple_id=c1.pk).exists()
    assert not ContactChannel.objects.filter(partner__couple_id=c1.pk).exists()
    for model, count in counts_before.items():
        assert model.objects.count() == count
    assert (record.kind, record.object_id, record.reason) == ("case", c1.pk, "retention_ended")
    assert record.rows_erased > 20
    entry = AuditEntry.objects.get(action="lifecycle.case.erase")
    assert (entry.object_id, entry.reason) == (str(c1.pk), "retention_ended")
    assert "couples.partner" in entry.fields
    assert chain.verify().intact
    _no_canary_in_trail(world)


def test_erasing_one_partner_leaves_the_other_and_the_couples_record(world: World) -> None:
    case = world.c1
    admin, therapist = world.people["clinic_admin"], world.people["therapist"]
    erase_partner(
        case.a, requested_by=admin, approved_by=therapist, reason=ErasureReason.PERSON_REQUESTED
    )

    a_own: list[tuple[type[Model], str]] = list(PARTNER_OWN_ROWS)
    for model, field in a_own:
        assert not model._default_manager.filter(**{field: case.a}).exists(), model
    # Partner B's rows, and the couple's record, are all still there.
    assert ContactChannel.objects.filter(pk=case.channel_b.pk).exists()
    assert Administration.objects.filter(pk=case.open_b.pk).exists()
    assert SafetyPlan.objects.filter(pk=case.plan_b.pk).exists()
    assert DiaryEntry.objects.filter(pk=case.diary_entry_b.pk).exists()
    assert PrivateLink.objects.filter(pk=case.link_b.pk).exists()
    assert Injury.objects.filter(pk=case.injury.pk).exists()
    assert SafetyConcern.objects.filter(pk=case.concern.pk).exists()
    assert Note.objects.filter(pk=case.note.pk).exists()
    a = Partner.objects.get(pk=case.a.pk)
    b = Partner.objects.get(pk=case.b.pk)
    assert (a.display_name, a.pronouns, a.intake_goal) == ("Partner A (erased)", "", "")
    assert b.display_name == case.b.display_name
    # No value written for partner A is left in any row still readable (B's canaries are).
    a_canaries = [c for c in world.canaries if re.search(r"\(CaseOne A\b", c.where)]
    assert a_canaries
    own_tables = [model._default_manager.all() for model, _ in PARTNER_OWN_ROWS]
    remaining = _row_texts(Partner.objects.all(), *own_tables)
    assert [c.where for c in a_canaries if c.text in remaining] == []
    assert chain.verify().intact
    _no_canary_in_trail(world)
