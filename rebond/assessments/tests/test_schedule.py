"""The default schedule (DOMAIN.md 8): per clinic and per case, and scheduling a whole set."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rebond.access import SettingsRefused
from rebond.accounts.models import Clinic, User
from rebond.assessments import actions, schedule
from rebond.assessments.models import Administration, ClinicCheckinSettings, ScheduleRule
from rebond.audit.models import AuditEntry
from rebond.couples.models import Couple
from rebond.lib.errors import ActionError
from rebond.test import make_clinician, make_couple, sign_in

pytestmark = pytest.mark.django_db

INTAKE = ["PHQ-9", "GAD-7", "ASQ", "HARK", "CSI-4"]  # Catalogue order.
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
junk = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "PHQ-9", "CSI-16", "CSI-32", "HITS", "intake", "\x00", "0", "-1", "99"]),
)


@pytest.fixture
def couple(alice: User) -> Couple:
    return make_couple(alice, "Schedule couple")


@pytest.fixture
def admin(clinic_a: Clinic) -> User:
    return make_clinician(clinic_a, "Ada Admin", is_clinic_admin=True, is_therapist=False)


def login(client: Client, user: User) -> Client:
    sign_in(client, user)
    return client


def test_the_default_holds_only_instruments_the_catalogue_can_show() -> None:
    sets = schedule.default_schedule()
    assert sets["intake"] == INTAKE
    assert sets["every_session"] == ["PHQ-9", "CSI-4"]
    assert sets["session_4"] == ["ECR-RS"]
    assert sets["every_5_sessions"] == sets["end"] == ["PHQ-9", "GAD-7", "CSI-4"]
    assert sets["follow_up"] == ["CSI-4"]
    offered = set(schedule.schedulable_codes())
    assert all(set(codes) <= offered for codes in sets.values())
    assert "CSI-16" not in offered
    assert "CSI-32" not in offered


def test_scheduling_the_intake_set_gives_both_partners_every_instrument_at_once(
    alice: User, couple: Couple
) -> None:
    scheduled = actions.apply_schedule(alice, couple.id, "intake")
    assert len(scheduled) == 10
    rows = Administration.objects.filter(couple=couple)
    assert sorted({a.instrument_code for a in rows}) == sorted(INTAKE)
    assert {a.occasion for a in rows} == {"Intake"}
    assert len({a.due_at for a in rows}) == 1
    for code in ("PHQ-9", "ASQ", "HARK"):
        pair = rows.filter(instrument_code=code)
        assert pair.count() == 2
        assert all(a.is_risk for a in pair)
        assert len({a.schedule_group for a in pair}) == 1
        assert {a.partner_id for a in pair} == set(couple.partners.values_list("id", flat=True))
    assert AuditEntry.objects.filter(action="assessments.administration.schedule").count() == 10


def test_colleagues_and_other_clinics_cannot_schedule_a_set(
    client: Client, bob: User, charlie: User, couple: Couple
) -> None:
    for outsider in (bob, charlie):
        with pytest.raises(Http404):
            actions.apply_schedule(outsider, couple.id, "intake")
        with pytest.raises(Http404):
            actions.set_case_schedule(outsider, couple.id, {"intake": ["CSI-4"]})
        login(client, outsider)
        url = reverse("apply_schedule", kwargs={"couple_id": couple.id})
        assert client.post(url, {"occasion": "intake"}).status_code == 404
        assert client.post(reverse("case_schedule", args=[couple.id])).status_code == 404
        assert client.post(reverse("case_schedule_reset", args=[couple.id])).status_code == 404
    assert not Administration.objects.exists()
    assert not ScheduleRule.objects.exists()


def test_the_case_page_offers_each_set_and_schedules_it(
    client: Client, alice: User, couple: Couple
) -> None:
    login(client, alice)
    page = client.get(reverse("case_checkins", args=[couple.id])).content.decode()
    assert "Schedule the Intake set" in page
    assert "CSI-16 and CSI-32 are not in the default catalogue" in page
    r = client.post(reverse("apply_schedule", args=[couple.id]), {"occasion": "every_session"})
    assert r.status_code == 302
    # The occasion is sealed (issue 15 A3): read back, not searched in SQL.
    scheduled = Administration.objects.filter(couple=couple)
    assert [a.occasion for a in scheduled] == ["Every session"] * 4


def test_the_clinic_default_is_used_and_a_case_can_override_it(
    admin: User, alice: User, couple: Couple
) -> None:
    changed = actions.set_clinic_schedule(admin, {"follow_up": ["CSI-4", "WHO-5"]})
    assert changed == ["follow_up"]
    assert schedule.clinic_schedule(couple.clinic_id)["follow_up"] == ["WHO-5", "CSI-4"]
    assert AuditEntry.objects.filter(action="assessments.schedule_rule.set").exists()
    actions.set_case_schedule(alice, couple.id, {"follow_up": ["RSES"], "intake": INTAKE})
    sets, own = schedule.case_schedule(couple)
    assert sets["follow_up"] == ["RSES"]
    assert own == {"follow_up"}
    scheduled = actions.apply_schedule(alice, couple.id, "follow_up")
    assert {a.instrument_code for a in scheduled} == {"RSES"}
    other = make_couple(alice, "Other couple")
    assert schedule.case_schedule(other)[0]["follow_up"] == ["WHO-5", "CSI-4"]
    assert actions.reset_case_schedule(alice, couple.id) > 0
    assert schedule.case_schedule(couple) == (schedule.clinic_schedule(couple.clinic_id), set())
    # Saving the default again removes the clinic's own rows.
    actions.set_clinic_schedule(admin, schedule.default_schedule())
    assert not ScheduleRule.objects.exists()


def test_an_empty_set_is_refused_and_bad_codes_never_stored(
    admin: User, alice: User, couple: Couple
) -> None:
    actions.set_case_schedule(alice, couple.id, {"session_4": []})
    with pytest.raises(ActionError):
        actions.apply_schedule(alice, couple.id, "session_4")
    with pytest.raises(ActionError):
        actions.apply_schedule(alice, couple.id, "session_99")
    for bad in ({"intake": ["CSI-16"]}, {"intake": ["HITS"]}, {"nope": ["CSI-4"]}):
        with pytest.raises(ActionError):
            actions.set_clinic_schedule(admin, bad)
    assert not Administration.objects.exists()


def test_only_clinic_admins_reach_the_settings_page(
    client: Client, admin: User, alice: User, charlie: User
) -> None:
    for user in (alice, charlie):
        login(client, user)
        # Told who can change it (rebond/accounts/refusals.py), never shown the page.
        assert client.get(reverse("schedule_settings")).status_code == 403
        r = client.post(reverse("reminder_settings_save"), {"reminders-remind_after_days": "5"})
        assert r.status_code == 403
        assert client.post(reverse("schedule_settings_save")).status_code == 403
        with pytest.raises(SettingsRefused):
            actions.set_clinic_schedule(user, {"intake": ["CSI-4"]})
    assert not ScheduleRule.objects.exists()
    assert not ClinicCheckinSettings.objects.exists()


def test_the_settings_page_saves_the_schedule_and_the_reminders(
    client: Client,
    admin: User,
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    login(client, admin)
    # Session, user, settings, rules, and the clinic's approved instruments (read per form).
    # + up to 8 for the audit entry of the read (SECURITY.md LG-01).
    with django_assert_max_num_queries(18):
        page = client.get(reverse("schedule_settings"))
    assert page.status_code == 200
    assert "CSI-16 and CSI-32 are not in the default catalogue" in page.content.decode()
    data = {f"clinic-{o}": codes for o, codes in schedule.default_schedule().items()}
    data["clinic-intake"] = ["CSI-4"]
    assert client.post(reverse("schedule_settings_save"), data).status_code == 302
    assert admin.clinic_id is not None
    assert schedule.clinic_schedule(admin.clinic_id)["intake"] == ["CSI-4"]
    r = client.post(
        reverse("reminder_settings_save"),
        {"reminders-remind_after_days": "5", "reminders-max_reminders": "1"},
    )
    assert r.status_code == 302
    saved = ClinicCheckinSettings.objects.get(clinic=admin.clinic)
    assert (saved.remind_after_days, saved.max_reminders) == (5, 1)
    assert AuditEntry.objects.filter(action="assessments.checkin_settings.set").count() == 1
    # More rules never mean more queries.
    # + up to 8 for the audit entry of the read (SECURITY.md LG-01).
    with django_assert_max_num_queries(18):
        assert client.get(reverse("schedule_settings")).status_code == 200


def _state() -> list[Any]:
    return [
        list(ScheduleRule.objects.values().order_by("id")),
        list(ClinicCheckinSettings.objects.values().order_by("id")),
        Administration.objects.count(),
    ]


@FUZZ
@given(
    intake=st.lists(junk, max_size=4), follow=junk, extra=st.dictionaries(junk, junk, max_size=3)
)
def test_bad_input_to_the_settings_forms(
    client: Client, admin: User, intake: list[str], follow: str, extra: dict[str, str]
) -> None:
    login(client, admin)
    before = _state()
    data: dict[str, Any] = {**extra, "clinic-intake": intake, "clinic-follow_up": follow}
    r = client.post(reverse("schedule_settings_save"), data)
    assert r.status_code in (302, 400), r.status_code
    if r.status_code == 400:
        assert _state() == before
    before = _state()
    r = client.post(
        reverse("reminder_settings_save"),
        {**extra, "reminders-remind_after_days": follow, "reminders-max_reminders": intake[:1]},
    )
    assert r.status_code in (302, 400), r.status_code
    if r.status_code == 400:
        assert _state() == before


@FUZZ
@given(
    occasion=junk, codes=st.lists(junk, max_size=3), extra=st.dictionaries(junk, junk, max_size=3)
)
def test_bad_input_to_the_case_schedule_forms(
    client: Client, alice: User, couple: Couple, occasion: str, codes: list[str], extra: Any
) -> None:
    login(client, alice)
    before = _state()
    r = client.post(reverse("apply_schedule", args=[couple.id]), {**extra, "occasion": occasion})
    assert r.status_code in (302, 400), r.status_code
    if r.status_code == 400:
        assert _state() == before
    before = _state()
    r = client.post(reverse("case_schedule", args=[couple.id]), {**extra, "case-end": codes})
    assert r.status_code in (302, 400), r.status_code
    if r.status_code == 400:
        assert _state() == before
