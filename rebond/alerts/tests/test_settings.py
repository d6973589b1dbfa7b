"""The clinic's safety settings: clinic admins and safety leads only; every write audited;
bad input is a 422 with the reason, never a 500, and nothing is half-saved."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rebond.accounts.models import Clinic, CrisisResource, User
from rebond.alerts import clinic_safety, rules
from rebond.alerts.models import Alert, AlertRuleSetting
from rebond.alerts.tests.helpers import answer, login
from rebond.audit.models import AuditEntry
from rebond.lib.errors import ActionError
from rebond.test import change_entries, make_clinician, make_couple

pytestmark = pytest.mark.django_db

HYPOTHESIS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=50)


@pytest.fixture
def admin(clinic_a: Clinic) -> User:
    return make_clinician(clinic_a, "Ada Admin", is_therapist=False, is_clinic_admin=True)


@pytest.fixture
def lead(clinic_a: Clinic) -> User:
    return make_clinician(clinic_a, "Lena Lead", is_safety_lead=True)


@pytest.fixture
def resource(clinic_a: Clinic) -> CrisisResource:
    return CrisisResource.objects.create(clinic=clinic_a, name="Samaritans", phone="116 123")


def settings_urls(resource: CrisisResource, someone: User) -> list[tuple[str, str, dict[str, str]]]:
    return [
        ("get", reverse("safety_settings"), {}),
        ("post", reverse("safety_window"), {"window-minutes": "10"}),
        ("post", reverse("crisis_resource_add"), {"resource-name": "X", "resource-phone": "1"}),
        ("get", reverse("crisis_resource_edit", args=[resource.pk]), {}),
        ("post", reverse("crisis_resource_edit", args=[resource.pk]), {"name": "X", "phone": "1"}),
        ("post", reverse("crisis_resource_delete", args=[resource.pk]), {}),
        ("post", reverse("safety_lead_set", args=[someone.id]), {"is_safety_lead": "yes"}),
        ("post", reverse("alert_rule_set", args=["asq"]), {"rule-asq-enabled": ""}),
    ]


def state(clinic: Clinic) -> tuple[Any, ...]:
    clinic.refresh_from_db()
    return (
        clinic.high_alert_ack_minutes,
        list(CrisisResource.objects.values_list("clinic_id", "name", "phone", "position")),
        list(User.objects.filter(is_safety_lead=True).values_list("id", flat=True)),
        list(AlertRuleSetting.objects.values_list("clinic_id", "rule", "enabled", "threshold")),
        change_entries(),
    )


def test_a_therapist_without_the_role_is_refused_everywhere_and_changes_nothing(
    client: Client, clinic_a: Clinic, bob: User, alice: User, resource: CrisisResource
) -> None:
    before = state(clinic_a)
    login(client, bob)
    for method, url, data in settings_urls(resource, alice):
        # 403 naming who can (rebond/accounts/refusals.py), before any row is looked up.
        assert getattr(client, method)(url, data).status_code == 403, url
    assert "Safety settings" not in client.get(reverse("caseload")).content.decode()
    assert state(clinic_a) == before


def test_another_clinics_admin_reaches_nothing_of_this_clinic(
    client: Client, clinic_a: Clinic, clinic_b: Clinic, alice: User, resource: CrisisResource
) -> None:
    before = state(clinic_a)
    other = make_clinician(clinic_b, "Otto Admin", is_clinic_admin=True)
    login(client, other)
    for method, url, data in settings_urls(resource, alice)[3:7]:
        assert getattr(client, method)(url, data).status_code == 404, url
    body = client.get(reverse("safety_settings")).content.decode()
    assert "Samaritans" not in body
    assert "Alice" not in body
    assert state(clinic_a)[:4] == before[:4]


def test_a_safety_lead_sets_the_window_resources_and_rules_but_not_the_leads(
    client: Client, clinic_a: Clinic, lead: User, alice: User
) -> None:
    login(client, lead)
    assert "Safety settings" in client.get(reverse("caseload")).content.decode()
    assert client.post(reverse("safety_window"), {"window-minutes": "30"}).status_code == 302
    clinic_a.refresh_from_db()
    assert clinic_a.high_alert_ack_minutes == 30
    r = client.post(
        reverse("crisis_resource_add"),
        {
            "resource-name": "Samaritans",
            "resource-phone": "116 123",
            "resource-url": "https://www.samaritans.org",
            "resource-hours": "24 hours, every day",
            "resource-position": "1",
        },
    )
    assert r.status_code == 302
    added = CrisisResource.objects.get(clinic=clinic_a)
    assert (added.name, added.position) == ("Samaritans", 1)
    r = client.post(
        reverse("alert_rule_set", args=["phq9_item9"]),
        {"rule-phq9_item9-enabled": "on", "rule-phq9_item9-threshold": "1"},
    )
    assert r.status_code == 302
    setting = AlertRuleSetting.objects.get(clinic=clinic_a, rule="phq9_item9")
    assert (setting.enabled, setting.threshold) == (True, 1)
    # A rule outside the core safety rules may be switched off.
    assert client.post(reverse("alert_rule_set", args=["severe_score"]), {}).status_code == 302
    assert not AlertRuleSetting.objects.get(clinic=clinic_a, rule="severe_score").enabled
    # Choosing who the safety leads are is a clinic admin's decision.
    r = client.post(reverse("safety_lead_set", args=[alice.id]), {"is_safety_lead": "yes"})
    assert r.status_code == 403
    alice.refresh_from_db()
    assert not alice.is_safety_lead
    actions_logged = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "accounts.clinic.escalation_window",
        "accounts.crisis_resource.add",
        "alerts.rule.set",
    } <= actions_logged


def test_a_clinic_admin_names_and_removes_safety_leads_with_an_audit_entry(
    client: Client, admin: User, alice: User, charlie: User
) -> None:
    login(client, admin)
    body = client.get(reverse("safety_settings")).content.decode()
    assert "No safety lead is named" in body
    r = client.post(reverse("safety_lead_set", args=[alice.id]), {"is_safety_lead": "yes"})
    assert r.status_code == 302
    alice.refresh_from_db()
    assert alice.is_safety_lead
    entry = AuditEntry.objects.get(action="accounts.user.safety_lead")
    assert entry.actor == admin
    assert entry.object_id == str(alice.id)
    # The clinic's only safety lead stays one until another is named (rebond/staff/rules.py).
    r = client.post(reverse("safety_lead_set", args=[alice.id]), {"is_safety_lead": "no"})
    assert r.status_code == 302
    alice.refresh_from_db()
    assert alice.is_safety_lead
    body = client.get(reverse("safety_settings")).content.decode()
    assert "Alice Therapist is the clinic&#x27;s last active safety lead" in body
    client.post(reverse("safety_lead_set", args=[admin.id]), {"is_safety_lead": "yes"})
    client.post(reverse("safety_lead_set", args=[alice.id]), {"is_safety_lead": "no"})
    alice.refresh_from_db()
    assert not alice.is_safety_lead
    # A clinician of another clinic cannot be named.
    r = client.post(reverse("safety_lead_set", args=[charlie.id]), {"is_safety_lead": "yes"})
    assert r.status_code == 404


def test_a_crisis_resource_is_edited_and_removed(
    client: Client, lead: User, resource: CrisisResource
) -> None:
    login(client, lead)
    url = reverse("crisis_resource_edit", args=[resource.pk])
    assert "Samaritans" in client.get(url).content.decode()
    r = client.post(url, {"name": "Samaritans", "phone": "", "text_number": "", "position": "0"})
    assert r.status_code == 422  # no way left to reach the service
    r = client.post(url, {"name": "Samaritans", "text_number": "85258", "position": "2"})
    assert r.status_code == 302
    resource.refresh_from_db()
    assert (resource.phone, resource.text_number, resource.position) == ("", "85258", 2)
    assert client.post(reverse("crisis_resource_delete", args=[resource.pk])).status_code == 302
    assert not CrisisResource.objects.exists()


@HYPOTHESIS
@given(minutes=st.one_of(TEXT, st.integers(-(10**12), 10**12).map(str)))
def test_the_window_form_never_fails_and_keeps_the_window_in_range(
    client: Client, clinic_a: Clinic, lead: User, minutes: str
) -> None:
    before = clinic_a.high_alert_ack_minutes
    r = login(client, lead).post(reverse("safety_window"), {"window-minutes": minutes})
    assert r.status_code in (302, 422)
    clinic_a.refresh_from_db()
    if r.status_code == 422:
        assert clinic_a.high_alert_ack_minutes == before
    assert 5 <= clinic_a.high_alert_ack_minutes <= 1440


@HYPOTHESIS
@given(
    rule=st.sampled_from([r.code for r in rules.RULES]),
    enabled=st.sampled_from(["on", "", "yes", "0"]),
    threshold=st.one_of(TEXT, st.integers(-5, 5).map(str)),
)
def test_a_threshold_outside_the_published_values_is_refused(
    client: Client, clinic_a: Clinic, lead: User, rule: str, enabled: str, threshold: str
) -> None:
    before = list(AlertRuleSetting.objects.values_list("rule", "enabled", "threshold"))
    r = login(client, lead).post(
        reverse("alert_rule_set", args=[rule]),
        {f"rule-{rule}-enabled": enabled, f"rule-{rule}-threshold": threshold},
    )
    assert r.status_code in (302, 422)
    after = list(AlertRuleSetting.objects.values_list("rule", "enabled", "threshold"))
    if r.status_code == 422:
        assert after == before
        body = r.content.decode()
        assert any(
            why in body for why in ("published values", "whole number", rules.CORE_RULE_ALWAYS_ON)
        )
    allowed = {r.code: r.thresholds for r in rules.RULES}
    for code, _, value in after:
        assert value in allowed[code] if allowed[code] else value is None


@pytest.mark.parametrize("rule", sorted(AlertRuleSetting.CORE_RULES))
@pytest.mark.parametrize("enabled", [None, "", "0", "false"])
def test_a_post_forging_a_core_rule_off_is_refused(
    client: Client, clinic_a: Clinic, admin: User, rule: str, enabled: str | None
) -> None:
    # Issue 15 B6: PHQ-9 item 9, ASQ and the partner-violence screens are always on.
    before = state(clinic_a)
    data = {} if enabled is None else {f"rule-{rule}-enabled": enabled}
    data |= {f"rule-{rule}-threshold": "2"} if rule == "phq9_item9" else {}
    r = login(client, admin).post(reverse("alert_rule_set", args=[rule]), data)
    assert r.status_code == 422
    assert rules.CORE_RULE_ALWAYS_ON in r.content.decode()
    assert state(clinic_a) == before
    assert all(s.enabled for s in AlertRuleSetting.objects.all())


def test_the_settings_page_shows_core_rules_as_always_on_without_a_switch(
    client: Client, admin: User
) -> None:
    body = login(client, admin).get(reverse("safety_settings")).content.decode()
    for rule in AlertRuleSetting.CORE_RULES:
        assert f'name="rule-{rule}-enabled" type="checkbox"' not in body
        assert f'id="id_rule-{rule}-enabled"' not in body or rule == "phq9_item9"
    assert body.count("Always on") == len(AlertRuleSetting.CORE_RULES)
    assert 'name="rule-severe_score-enabled"' in body


def test_a_core_rule_may_only_be_made_stricter(
    client: Client, clinic_a: Clinic, admin: User
) -> None:
    r = login(client, admin).post(
        reverse("alert_rule_set", args=["phq9_item9"]),
        {"rule-phq9_item9-enabled": "on", "rule-phq9_item9-threshold": "1"},
    )
    assert r.status_code == 302
    setting = AlertRuleSetting.objects.get(clinic=clinic_a, rule="phq9_item9")
    assert (setting.enabled, setting.threshold) == (True, 1)


@pytest.mark.parametrize("rule", sorted(AlertRuleSetting.CORE_RULES))
def test_the_service_and_the_database_refuse_a_core_rule_off(
    clinic_a: Clinic, admin: User, rule: str
) -> None:
    threshold = 2 if rule == "phq9_item9" else None
    with pytest.raises(ActionError) as refused:
        clinic_safety.set_alert_rule(admin, rule, enabled=False, threshold=threshold)
    assert refused.value.errors == {"enabled": [rules.CORE_RULE_ALWAYS_ON]}
    assert not AlertRuleSetting.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        AlertRuleSetting.objects.create(clinic=clinic_a, rule=rule, enabled=False)
    AlertRuleSetting.objects.create(clinic=clinic_a, rule=rule, enabled=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        AlertRuleSetting.objects.filter(clinic=clinic_a, rule=rule).update(enabled=False)


def test_a_fully_positive_asq_alerts_even_after_an_attempt_to_switch_it_off(
    client: Client, clinic_a: Clinic, admin: User, alice: User
) -> None:
    login(client, admin).post(reverse("alert_rule_set", args=["asq"]), {})
    couple = make_couple(alice)
    # NIMH ASQ: yes to questions 1-4 and to the acuity question 5 = acute positive.
    answer(alice, couple, couple.partners.get(role="A"), dict.fromkeys(range(1, 6), 1), code="ASQ")
    alert = Alert.objects.get()
    assert (alert.rule, alert.severity) == ("asq", Alert.Severity.HIGH)
    # Even a setting that somehow reached the rules switched off is ignored for a core rule.
    drafts = rules.evaluate("ASQ", {}, [{"code": "asq_positive"}], "", enabled={"asq": False})
    assert [d.rule for d in drafts] == ["asq"]


def test_an_unknown_rule_is_a_404(client: Client, lead: User) -> None:
    r = login(client, lead).post(reverse("alert_rule_set", args=["not_a_rule"]), {})
    assert r.status_code == 404
    assert not AlertRuleSetting.objects.exists()


@HYPOTHESIS
@given(
    name=TEXT,
    phone=TEXT,
    url=st.one_of(TEXT, st.just("https://example.org/help"), st.just("javascript:alert(1)")),
    position=st.one_of(TEXT, st.integers(-10, 2000).map(str)),
)
def test_the_crisis_resource_form_never_fails_and_never_half_saves(
    client: Client, lead: User, name: str, phone: str, url: str, position: str
) -> None:
    count = CrisisResource.objects.count()
    r = login(client, lead).post(
        reverse("crisis_resource_add"),
        {
            "resource-name": name,
            "resource-phone": phone,
            "resource-url": url,
            "resource-position": position,
        },
    )
    assert r.status_code in (302, 422)
    if r.status_code == 422:
        assert CrisisResource.objects.count() == count
    else:
        added = CrisisResource.objects.latest("pk")
        assert added.name
        assert 0 <= added.position <= 999
        assert not added.url or added.url.startswith(("https://", "http://"))
