"""Hypothesis-generated bad input on every intake form: a 4xx with field errors, never a 500,
and nothing half-saved."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rebond.accounts.models import Clinic, User
from rebond.audit.models import AuditEntry
from rebond.couples.models import Couple, Partner
from rebond.intake.models import ConsultationRequest, RateLimitHit
from rebond.intake.tests.conftest import make_request, valid_post
from rebond.test import sign_in

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Anything a form might be sent: odd Unicode (NUL and surrogates excluded by the client's
# encoder are still reachable through other code points), huge and empty values.
text = st.one_of(
    st.text(max_size=50),
    st.text(min_size=2001, max_size=2100),
    st.sampled_from(
        ["", " ", "\x00", "yes", "no", "not_sure", "email", "phone", "on", "0", "18:00", "07:30"]
    ),
)
values = st.one_of(text, st.lists(text, max_size=3))
PUBLIC_FIELDS = [
    "name",
    "contact_method",
    "contact_value",
    "safe_times",
    "may_leave_message",
    "concerns",
    "concerns_text",
    "feels_safe",
    "consent",
    "safe_from",
    "safe_until",
    "may_mention_therapy",
]


@FUZZ
@given(
    overrides=st.dictionaries(st.sampled_from(PUBLIC_FIELDS), values, min_size=1),
    dropped=st.sets(st.sampled_from(PUBLIC_FIELDS)),
)
def test_the_public_form_never_fails_and_never_half_saves(
    client: Client, clinic_a: Clinic, overrides: dict[str, Any], dropped: set[str]
) -> None:
    RateLimitHit.objects.all().delete()
    before = ConsultationRequest.objects.count()
    data = {k: v for k, v in valid_post(**overrides).items() if k not in dropped}
    r = client.post(reverse("consultation_request", args=[clinic_a.slug]), data)
    assert r.status_code in (302, 400), r.status_code  # 302: to the receipt
    if r.status_code == 400:
        body = r.content.decode()
        assert 'class="field-error"' in body
        assert 'role="alert"' in body
        assert ConsultationRequest.objects.count() == before
        assert RateLimitHit.objects.count() == 0
    else:
        assert ConsultationRequest.objects.count() == before + 1


@FUZZ
@given(referral=text)
def test_the_decline_form_never_fails_and_never_half_saves(
    client: Client, clinic_a: Clinic, alice: User, referral: str
) -> None:
    request = make_request(clinic_a)
    sign_in(client, alice)
    r = client.post(reverse("inbox_request_decline", args=[request.id]), {"referral": referral})
    request.refresh_from_db()
    assert r.status_code in (302, 400), r.status_code
    if r.status_code == 400:
        assert 'class="field-error"' in r.content.decode()
        assert request.status == ConsultationRequest.Status.NEW
        assert not AuditEntry.objects.filter(object_id=str(request.id)).exists()
    else:
        assert request.status == ConsultationRequest.Status.DECLINED


@FUZZ
@given(
    data=st.fixed_dictionaries(
        {},
        optional={
            "label": text,
            "partner_a_name": text,
            "partner_b_name": text,
            "primary_clinician": st.one_of(text, st.uuids().map(str)),
        },
    )
)
def test_the_convert_form_never_fails_and_never_half_saves(
    client: Client, clinic_a: Clinic, alice: User, data: dict[str, str]
) -> None:
    request = make_request(clinic_a)
    couples, partners = Couple.objects.count(), Partner.objects.count()
    sign_in(client, alice)
    r = client.post(reverse("inbox_request_convert", args=[request.id]), data)
    request.refresh_from_db()
    assert r.status_code in (302, 400), r.status_code
    if r.status_code == 400:
        assert 'class="field-error"' in r.content.decode()
        assert request.status == ConsultationRequest.Status.NEW
        assert (Couple.objects.count(), Partner.objects.count()) == (couples, partners)
    else:
        assert request.status == ConsultationRequest.Status.CONVERTED
        assert Couple.objects.count() == couples + 1
