"""Issue 15 A1 and D16 (injuries): what the clinician's form refuses, says and voids.

The form refuses an injury whose hurt and hurtful partner are the same person, a discovery date
after the clinic's today, sharing before both partners know, and sharing a threat to safety
with the partner recorded as causing it. It says beside each field who will see it. A wrongly
recorded injury is voided with a reason: audited, kept, struck through for clinicians, gone for
partners.
"""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils.timezone import now

from rebond import access
from rebond.accounts.models import User
from rebond.couples import actions
from rebond.couples.models import Couple, Injury
from rebond.couples.tests.helpers import (
    HTMX,
    assert_no_values_in_audit,
    case_url,
    injury_draft,
    last_audit,
    login,
    partners_of,
)
from rebond.portal.tests.conftest import open_space
from rebond.test import make_couple

pytestmark = pytest.mark.django_db


@pytest.fixture
def couple(alice: User) -> Couple:
    return make_couple(alice, "Rivera & Chen", partners=("Sam Rivera", "Alex Chen"))


def record(client: Client, couple: Couple, **fields: str) -> tuple[int, str]:
    sam, alex = partners_of(couple)
    data = {
        "injury-category": "infidelity",
        "injury-subtype": "emotional_affair",
        "injury-hurt_partner": str(sam.id),
        "injury-hurtful_partner": str(alex.id),
        "injury-disclosure_state": "known_to_both",
        **{f"injury-{name}": value for name, value in fields.items()},
    }
    response = client.post(case_url("injury_record", couple), data, headers=HTMX)
    return response.status_code, response.content.decode()


def test_the_same_partner_cannot_be_both_hurt_and_hurtful(
    client: Client, alice: User, couple: Couple
) -> None:
    sam, _ = partners_of(couple)
    status, body = record(login(client, alice), couple, hurtful_partner=str(sam.id))
    assert status == 422
    assert "The hurtful partner must be the other partner, not the one who was hurt." in body
    assert not Injury.objects.filter(couple=couple).exists()


def test_a_discovery_date_after_the_clinics_today_is_refused(
    client: Client, alice: User, couple: Couple
) -> None:
    # A clinic far east of UTC: its today may already be UTC's tomorrow, and that is allowed.
    clinic = couple.clinic
    clinic.timezone = "Pacific/Kiritimati"
    clinic.save(update_fields=["timezone"])
    today = now().astimezone(ZoneInfo("Pacific/Kiritimati")).date()
    login(client, alice)
    status, body = record(client, couple, discovery_date=str(today + timedelta(days=1)))
    assert status == 422
    assert "The discovery date cannot be in the future" in body
    assert not Injury.objects.filter(couple=couple).exists()
    status, _ = record(client, couple, discovery_date=str(today))
    assert status == 200
    assert Injury.objects.get(couple=couple).discovery_date == today


def test_sharing_waits_until_both_partners_know(
    client: Client, alice: User, couple: Couple
) -> None:
    status, body = record(
        login(client, alice),
        couple,
        disclosure_state="disclosure_planned",
        shared_with_hurt_partner="on",
    )
    assert status == 422
    assert "Share it only once both partners know of it" in body
    assert not Injury.objects.filter(couple=couple).exists()


def test_a_threat_to_safety_is_never_shared_with_its_hurtful_partner(
    client: Client, alice: User, couple: Couple
) -> None:
    login(client, alice)
    status, body = record(
        client,
        couple,
        category="safety_threat",
        subtype="verbal_abuse",
        shared_with_hurtful_partner="on",
    )
    assert status == 422
    assert "never shown to the partner recorded as causing it" in body
    status, _ = record(
        client,
        couple,
        category="safety_threat",
        subtype="verbal_abuse",
        shared_with_hurt_partner="on",
        partner_summary="What we agreed to talk about",
    )
    assert status == 200
    injury = Injury.objects.get(couple=couple)
    assert injury.shared_with_hurt_partner
    assert not injury.shared_with_hurtful_partner


class _Fields(HTMLParser):
    """The record form's fields and the ids of the texts each one is described by."""

    def __init__(self) -> None:
        super().__init__()
        self.in_form = False
        self.fields: dict[str, str] = {}
        self.texts: dict[str, str] = {}
        self._text_id = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.in_form = a.get("action", "").endswith("/injuries/")
        if self.in_form and tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.fields[a["name"]] = a.get("aria-describedby", "")
        if a.get("id", "").endswith("_helptext"):
            self._text_id = a["id"]
            self.texts[self._text_id] = ""

    def handle_data(self, data: str) -> None:
        if self._text_id:
            self.texts[self._text_id] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_form = False
        self._text_id = ""


def test_the_form_says_beside_each_field_who_will_see_it(
    client: Client, alice: User, couple: Couple
) -> None:
    page = login(client, alice).get(f"/cases/{couple.id}/").content.decode()
    parser = _Fields()
    parser.feed(page)
    assert "injury-partner_summary" in parser.fields
    assert len(parser.fields) >= 17
    for name, described_by in parser.fields.items():
        said = " ".join(parser.texts.get(i, "") for i in described_by.split())
        assert "Seen by:" in said, name


def test_a_voided_injury_is_kept_struck_through_and_gone_from_the_partners_view(
    client: Client, alice: User, couple: Couple
) -> None:
    sam, alex = partners_of(couple)
    injury = actions.record_injury(
        alice,
        couple.id,
        injury_draft(
            sam,
            alex,
            sharing=actions.InjurySharing(True, True, "Shared summary canary"),
        ),
    )
    partner = Client()
    open_space(partner, sam, alice)
    assert "Shared summary canary" in partner.get("/me/").content.decode()
    login(client, alice)
    void_url = case_url("injury_void", couple, injury.id)
    refused = client.post(void_url, {f"void-{injury.id}-reason": "  "}, headers=HTMX)
    assert refused.status_code == 422
    assert "Say why this injury is voided." in refused.content.decode()
    done = client.post(
        void_url, {f"void-{injury.id}-reason": "Recorded on the wrong case"}, headers=HTMX
    )
    assert done.status_code == 200
    body = done.content.decode()
    assert "<s>Infidelity: Emotional affair</s>" in body
    assert "Voided by" in body
    assert "Recorded on the wrong case" in body
    injury.refresh_from_db()
    assert injury.voided_by == alice
    assert injury.void_reason == "Recorded on the wrong case"
    assert Injury.objects.filter(pk=injury.pk).exists()  # kept, never deleted
    entry = last_audit("couples.injury.void")
    assert entry.object_id == str(injury.id)
    assert sorted(entry.fields) == ["void_reason", "voided_at", "voided_by"]
    assert_no_values_in_audit("Recorded on the wrong case")
    assert not access.injuries_visible_to_partner(sam).exists()
    assert "Shared summary canary" not in partner.get("/me/").content.decode()
    # A voided injury takes no further change.
    again = client.post(void_url, {f"void-{injury.id}-reason": "Twice"}, headers=HTMX)
    assert again.status_code == 422
    injury.refresh_from_db()
    assert injury.void_reason == "Recorded on the wrong case"


def test_sharing_is_chosen_per_partner_on_the_formulation_form(
    client: Client, alice: User, couple: Couple
) -> None:
    sam, alex = partners_of(couple)
    injury = actions.record_injury(alice, couple.id, injury_draft(sam, alex))
    assert not access.injuries_visible_to_partner(sam).exists()  # recorded: shared with nobody
    prefix = f"injury-{injury.id}"
    login(client, alice)
    update_url = case_url("injury_update", couple, injury.id)
    shared = client.post(
        update_url,
        {
            f"{prefix}-disclosure_state": "known_to_both",
            f"{prefix}-shared_with_hurtful_partner": "on",
            f"{prefix}-partner_summary": "Talked through in session",
        },
        headers=HTMX,
    )
    assert shared.status_code == 200
    assert list(access.injuries_visible_to_partner(alex)) == [injury]
    assert not access.injuries_visible_to_partner(sam).exists()
    assert "partner_summary" in last_audit("couples.injury.update").fields
    assert_no_values_in_audit("Talked through in session")
    # Back to "disclosure planned" while still shared: refused, so nothing is shared by a slip.
    refused = client.post(
        update_url,
        {
            f"{prefix}-disclosure_state": "disclosure_planned",
            f"{prefix}-shared_with_hurtful_partner": "on",
        },
        headers=HTMX,
    )
    assert refused.status_code == 422
    assert "Share it only once both partners know of it" in refused.content.decode()
    injury.refresh_from_db()
    assert injury.disclosure_state == Injury.Disclosure.KNOWN_TO_BOTH
