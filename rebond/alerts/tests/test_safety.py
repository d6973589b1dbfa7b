"""The case's safety page (concerns and plans), what a partner may see of it, and the rule
that Rebond e-mails nobody but the clinic's own clinicians."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.timezone import now

from rebond.access import plans_visible_to_partner
from rebond.accounts.models import User
from rebond.alerts import delivery, safety_plans
from rebond.alerts.models import SafetyPlan
from rebond.alerts.tests.helpers import ITEM9_MORE_THAN_HALF, NOT_AT_ALL, answer, login
from rebond.audit.models import AuditEntry
from rebond.couples import actions as couple_actions
from rebond.couples.actions import ChannelDraft, InjuryDraft
from rebond.couples.models import ConsentDocument, Couple, Injury, SafetyConcern
from rebond.portal.tests.conftest import open_space
from rebond.test import change_entries, make_clinician, make_couple

pytestmark = pytest.mark.django_db

PLAN = {
    "warning_signs": "CANARY-plan-warning",
    "coping_steps": "Walk the dog.",
    "people_and_places": "",
    "professional_contacts": "GP surgery",
    "making_environment_safe": "",
}
DRAFT = safety_plans.SafetyPlanDraft(
    warning_signs="CANARY-plan-warning",
    coping_steps="Walk the dog.",
    professional_contacts="GP surgery",
)


def threat(clinician: User, couple: Couple) -> SafetyConcern:
    a, b = couple.partners.get(role="A"), couple.partners.get(role="B")
    couple_actions.record_injury(
        clinician,
        couple.id,
        InjuryDraft(
            category=Injury.Category.SAFETY_THREAT,
            subtype=Injury.Subtype.PHYSICAL_ABUSE,
            hurt_partner_id=a.id,
            hurtful_partner_id=b.id,
            disclosure_state=Injury.Disclosure.DISCLOSED_PRIVATELY,
            reported_by_id=a.id,
        ),
    )
    return SafetyConcern.objects.get(couple=couple)


def test_the_safety_page_lists_concerns_and_plans_per_partner(client: Client, alice: User) -> None:
    couple = make_couple(alice, partners=("Sam Rivera", "Alex Chen"))
    concern = threat(alice, couple)
    a = couple.partners.get(role="A")
    safety_plans.save_safety_plan(alice, couple.id, a.id, DRAFT)
    body = login(client, alice).get(reverse("case_safety", args=[couple.id])).content.decode()
    assert "Intimate partner violence" in body
    assert "source of risk: Alex Chen" in body
    assert "CANARY-plan-warning" in body
    assert "Not shared" in body
    assert f'id="concern-{concern.id}"' in body
    assert AuditEntry.objects.filter(action="alerts.case_safety.view").count() == 1


def test_a_concerns_level_and_status_change_through_an_audited_action(
    client: Client, alice: User
) -> None:
    couple = make_couple(alice)
    concern = threat(alice, couple)
    login(client, alice)
    url = reverse("safety_concern_update", args=[couple.id, concern.id])
    key = f"concern-{concern.id}"
    r = client.post(url, {f"{key}-level": "4", f"{key}-status": "monitoring"})
    assert r.status_code == 302
    concern.refresh_from_db()
    assert (concern.level, concern.status) == (4, "monitoring")
    entry = AuditEntry.objects.get(action="couples.safety_concern.update")
    assert entry.fields == ["level", "status"]
    for bad in ({f"{key}-level": "9", f"{key}-status": "open"}, {f"{key}-level": "x"}, {}):
        assert client.post(url, bad).status_code == 422
    concern.refresh_from_db()
    assert (concern.level, concern.status) == (4, "monitoring")


def test_a_plan_is_written_edited_shared_and_deleted(client: Client, alice: User) -> None:
    couple = make_couple(alice)
    a = couple.partners.get(role="A")
    login(client, alice)
    new = reverse("safety_plan_new", args=[couple.id, a.id])
    assert client.get(new).status_code == 200
    assert client.post(new, {}).status_code == 422  # an empty plan is no plan
    assert not SafetyPlan.objects.exists()
    assert client.post(new, PLAN).status_code == 302
    plan = SafetyPlan.objects.get()
    assert (plan.partner, plan.created_by, plan.shared_with_partner) == (a, alice, False)
    edit = reverse("safety_plan_edit", args=[couple.id, plan.id])
    assert "CANARY-plan-warning" in client.get(edit).content.decode()
    assert client.post(edit, {**PLAN, "shared_with_partner": "on"}).status_code == 302
    plan.refresh_from_db()
    assert plan.shared_with_partner
    assert client.post(reverse("safety_plan_delete", args=[couple.id, plan.id])).status_code == 302
    assert not SafetyPlan.objects.exists()
    assert [
        e.action for e in AuditEntry.objects.filter(action__startswith="alerts.safety_plan")
    ] == [
        "alerts.safety_plan.create",
        "alerts.safety_plan.update",
        "alerts.safety_plan.delete",
    ]


@pytest.mark.parametrize("persona", ["bob", "charlie"])
def test_every_safety_page_url_is_a_404_for_anyone_else(
    client: Client, alice: User, persona: str, request: pytest.FixtureRequest
) -> None:
    couple = make_couple(alice)
    concern = threat(alice, couple)
    a = couple.partners.get(role="A")
    plan = safety_plans.save_safety_plan(alice, couple.id, a.id, DRAFT)
    login(client, request.getfixturevalue(persona))
    entries = change_entries()
    key = f"concern-{concern.id}"
    for method, url, data in [
        ("get", reverse("case_safety", args=[couple.id]), {}),
        (
            "post",
            reverse("safety_concern_update", args=[couple.id, concern.id]),
            {f"{key}-level": "1", f"{key}-status": "closed"},
        ),
        ("get", reverse("safety_plan_new", args=[couple.id, a.id]), {}),
        ("post", reverse("safety_plan_new", args=[couple.id, a.id]), PLAN),
        ("get", reverse("safety_plan_edit", args=[couple.id, plan.id]), {}),
        (
            "post",
            reverse("safety_plan_edit", args=[couple.id, plan.id]),
            {**PLAN, "shared_with_partner": "on"},
        ),
        ("post", reverse("safety_plan_delete", args=[couple.id, plan.id]), {}),
    ]:
        r = getattr(client, method)(url, data)
        assert r.status_code == 404, url
        assert "CANARY" not in r.content.decode()
    assert change_entries() == entries
    plan.refresh_from_db()
    concern.refresh_from_db()
    assert not plan.shared_with_partner
    assert concern.status == "open"


def test_a_plan_from_another_couple_cannot_be_reached_through_this_one(
    client: Client, alice: User
) -> None:
    mine, theirs = make_couple(alice), make_couple(alice)
    a = theirs.partners.get(role="A")
    plan = safety_plans.save_safety_plan(alice, theirs.id, a.id, DRAFT)
    login(client, alice)
    assert client.get(reverse("safety_plan_edit", args=[mine.id, plan.id])).status_code == 404
    assert client.get(reverse("safety_plan_new", args=[mine.id, a.id])).status_code == 404


def test_a_shared_plan_reaches_its_own_partner_and_never_the_other(alice: User) -> None:
    couple = make_couple(alice)
    a, b = couple.partners.get(role="A"), couple.partners.get(role="B")
    shared = safety_plans.save_safety_plan(
        alice, couple.id, a.id, replace(DRAFT, shared_with_partner=True)
    )
    safety_plans.save_safety_plan(alice, couple.id, a.id, DRAFT)  # unshared
    assert list(plans_visible_to_partner(a)) == [shared]
    assert list(plans_visible_to_partner(b)) == []
    b_plan = safety_plans.save_safety_plan(
        alice,
        couple.id,
        b.id,
        safety_plans.SafetyPlanDraft(coping_steps="B's own", shared_with_partner=True),
    )
    assert list(plans_visible_to_partner(a)) == [shared]
    assert list(plans_visible_to_partner(b)) == [b_plan]


# --- What partners see of a safety pause -----------------------------------------------------

WORDS = ("pause", "safety", "alert", "risk")
VOLATILE = re.compile(r'(csrfmiddlewaretoken" value="|nonce="|/p/|[0-9a-f]{8}-[0-9a-f-]{27})[^"<]*')


def partner_pages(client: Client) -> dict[str, str]:
    pages = {}
    for url in ("/me/", reverse("checkin_list")):
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = VOLATILE.sub("~", response.content.decode())
    return pages


def without_consent_titles(body: str) -> str:
    # The consent documents' own titles ("Safety check-ins and their limits") are the same
    # for every partner of every case; they are not about this case.
    for title in ConsentDocument.objects.values_list("title", flat=True):
        body = body.replace(str(title), "")
    return body


def test_partners_never_see_a_pause_for_safety(alice: User) -> None:
    # Two worlds: in one, partner A answers item 9 "more than half the days" (HIGH: the case
    # pauses); in the other, "not at all". Partner B's pages must be identical.
    pages: dict[str, dict[str, dict[str, str]]] = {}
    for world, values in (("risk", ITEM9_MORE_THAN_HALF), ("clear", NOT_AT_ALL)):
        couple = make_couple(alice, status=Couple.Status.CONJOINT_ACTIVE)
        a = couple.partners.get(role="A")
        answer(alice, couple, a, values)
        if world == "risk":
            couple.refresh_from_db()
            assert couple.status == Couple.Status.PAUSED_SAFETY
            safety_plans.save_safety_plan(alice, couple.id, a.id, DRAFT)
        pages[world] = {}
        for role in "AB":
            client = Client()
            open_space(client, couple.partners.get(role=role), alice)
            pages[world][role] = partner_pages(client)
    assert pages["risk"]["B"] == pages["clear"]["B"]
    for by_role in pages.values():
        for role, by_url in by_role.items():
            for url, body in by_url.items():
                text = without_consent_titles(body).lower()
                for word in WORDS:
                    assert word not in text, (role, url, word)
                assert "CANARY" not in body


# --- Nobody outside the clinic ---------------------------------------------------------------


def test_every_alert_email_goes_to_a_clinician_of_the_clinic_only(
    alice: User, bob: User, charlie: User, django_capture_on_commit_callbacks: Any
) -> None:
    lead = make_clinician(alice.clinic, "Lena Lead", is_safety_lead=True)
    make_clinician(charlie.clinic, "Other Lead", is_safety_lead=True)
    outsider = make_clinician(None, "Server Operator", is_staff=True)
    couple = make_couple(alice, status=Couple.Status.CONJOINT_ACTIVE)
    couple.co_clinicians.add(bob)
    couple.supervisor = make_clinician(alice.clinic, "Sue Supervisor", is_supervisor=True)
    couple.save(update_fields=["supervisor"])
    for partner in couple.partners.all():
        couple_actions.add_contact_channel(
            alice,
            partner.id,
            ChannelDraft(
                kind="email", value=f"partner-{partner.role}@example.test", safe_to_contact=True
            ),
        )
    threat(alice, couple)
    with django_capture_on_commit_callbacks(execute=True):
        answer(alice, couple, couple.partners.get(role="A"), ITEM9_MORE_THAN_HALF)
        answer(alice, couple, couple.partners.get(role="B"), NOT_AT_ALL)
    with django_capture_on_commit_callbacks(execute=True):
        delivery.escalate_overdue_alerts(at=now() + timedelta(days=2))
    delivery.deliver_notifications()
    recipients = {
        address for message in mail.outbox for address in [*message.to, *message.cc, *message.bcc]
    }
    clinic_emails = set(User.objects.filter(clinic=alice.clinic).values_list("email", flat=True))
    assert recipients, "the path under test sent nothing"
    assert recipients <= clinic_emails
    assert lead.email in recipients
    assert outsider.email not in recipients
    assert not any("partner-" in address for address in recipients)
