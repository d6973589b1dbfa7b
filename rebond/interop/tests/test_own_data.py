"""The partner's own data (issue 23 item 3): downloaded from their space in JSON and as a tagged
PDF, holding their own canaries and none of the other partner's but the diary entries that
partner shares with them now; a private-link session only; neutral file names; audited."""

from __future__ import annotations

import io
import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

from rebond.accounts.models import User
from rebond.assessments import actions as assessment_actions
from rebond.audit.models import AuditEntry
from rebond.couples import actions as couple_actions
from rebond.couples.models import ConsentDocument, Couple, Partner, SafetyConcern
from rebond.diary import actions as diary_actions
from rebond.diary.models import DiaryPlan
from rebond.portal import actions as portal_actions
from rebond.portal.models import PrivateLink
from rebond.portal.tests.conftest import open_space
from rebond.test import make_couple, sign_in

pytestmark = pytest.mark.django_db

PAGE, JSON_FILE, PDF_FILE = "/me/data/", "/me/data/my-data.json", "/me/data/my-data.pdf"
NEUTRAL_NAME = re.compile(r'attachment; filename="my-data-\d{4}-\d{2}-\d{2}\.(json|pdf)"')
A_ANSWERS = {1: 6, 2: 5, 3: 5, 4: 5}  # CSI-4, total 21
B_ANSWERS = {1: 1, 2: 0, 3: 0, 4: 0}  # total 1


def canary(name: str) -> str:
    return f"CANARY-{name}-{uuid.uuid4().hex[:10]}"


@dataclass
class Seeded:
    couple: Couple
    a: Partner
    b: Partner
    client_a: Client
    client_b: Client
    link_a: PrivateLink
    mine: list[str]  # A's own canaries
    shared_with_a: str  # B's entry shared with A: A may read it
    theirs: list[str]  # B's, A may never read


def _channel(clinician: User, partner: Partner, hours: str) -> str:
    address = f"{canary('address')}@example.test".lower()
    draft = couple_actions.ChannelDraft(
        kind="email", value=address, safe_to_contact=True, safe_hours=hours
    )
    couple_actions.add_contact_channel(clinician, partner.id, draft)
    return address


def _entry(partner: Partner, line: str, *, shared: bool = False, not_safe: bool = False) -> None:
    draft = diary_actions.DiaryDraft(felt_safe=2, felt_close=7, line=line, not_safe_now=not_safe)
    entry = diary_actions.write_entry(partner, draft)
    if shared:
        diary_actions.share_entry(partner, entry.id)


@pytest.fixture
def seeded(alice: User) -> Seeded:
    b_name = canary("B-name")
    couple = make_couple(
        alice, partners=("Robin Ames", f"Sasha {b_name}"), status=Couple.Status.CONJOINT_ACTIVE
    )
    a, b = couple.partners.get(role="A"), couple.partners.get(role="B")
    a.intake_goal = Partner.Goal.IMPROVE
    a.save(update_fields=["intake_goal"])
    mine: list[str] = []
    theirs = [b_name]
    for partner, kept in ((a, mine), (b, theirs)):
        hours = canary(f"{partner.role}-hours")
        kept += [_channel(alice, partner, hours), hours]
    treatment = ConsentDocument.objects.get(kind=ConsentDocument.Kind.TREATMENT, version="1")
    research = ConsentDocument.objects.get(kind=ConsentDocument.Kind.RESEARCH, version="1")
    couple_actions.record_consent(a, a.id, treatment.id)
    couple_actions.record_consent(b, b.id, research.id)
    for partner, answers in ((a, A_ANSWERS), (b, B_ANSWERS)):
        [csi] = assessment_actions.schedule_instrument(
            alice, couple.id, "CSI-4", partner_ids=[partner.id]
        )
        assessment_actions.submit_administration(partner, csi.id, csi.submission_key, answers)
    # A risk screen (scheduled for both partners): its respondent is not shown it (DOMAIN 7.5).
    phq = {
        x.partner_id: x for x in assessment_actions.schedule_instrument(alice, couple.id, "PHQ-9")
    }
    zeros = dict.fromkeys(range(1, 10), 0)
    assessment_actions.submit_administration(a, phq[a.id].id, phq[a.id].submission_key, zeros)
    DiaryPlan.objects.create(couple=couple, offered=True, updated_by=alice)
    a_private, a_shared = canary("A-private"), canary("A-shared")
    _entry(a, a_private)
    _entry(a, a_shared, shared=True)
    mine += [a_private, a_shared]
    b_private, b_shared, b_unsafe = canary("B-private"), canary("B-shared"), canary("B-unsafe")
    _entry(b, b_private)
    _entry(b, b_shared, shared=True)
    _entry(b, b_unsafe, not_safe=True)
    theirs += [b_private, b_unsafe]
    client_a, client_b = Client(), Client()
    link_a = open_space(client_a, a, alice)
    open_space(client_b, b, alice)
    return Seeded(couple, a, b, client_a, client_b, link_a, mine, b_shared, theirs)


def pdf_text(body: bytes) -> str:
    """Return the PDF's text without white space: lines wrap by measured width, at a space or
    after a hyphen, so a canary is looked for without its white space too (`squeezed`)."""
    reader = PdfReader(io.BytesIO(body))
    return squeezed(" ".join(page.extract_text() for page in reader.pages))


def squeezed(text: str) -> str:
    return "".join(text.split())


def test_the_json_holds_their_own_data_and_only_what_the_other_shares(seeded: Seeded) -> None:
    response = seeded.client_a.get(JSON_FILE)
    assert response.status_code == 200
    text = response.content.decode()
    for own in [*seeded.mine, seeded.shared_with_a]:
        assert own in text, own
    for foreign in seeded.theirs:
        assert foreign not in text, foreign
    assert str(seeded.b.id) not in text
    data = json.loads(text)
    assert data["partner"]["id"] == str(seeded.a.id)
    assert data["partner"]["intake_goal"] == "improve"
    assert [c["document"] for c in data["consents"]] == ["treatment"]
    # Their own non-risk check-in, answers and scores; never the risk screen they answered.
    [checkin] = data["checkins"]
    assert checkin["instrument"] == "CSI-4"
    assert checkin["answers"] == {str(k): v for k, v in A_ANSWERS.items()}
    assert checkin["total"] == 21
    assert "PHQ-9" not in text
    assert [e["shared"] for e in data["diary_entries"]] == [False, True]
    [shared] = data["entries_shared_with_you"]
    assert shared["written_by"] == "your partner"
    assert shared["line"] == seeded.shared_with_a
    assert (shared["felt_safe"], shared["felt_close"]) == (2, 7)


def test_the_other_partner_gets_their_own_the_same_way(seeded: Seeded) -> None:
    data = json.loads(seeded.client_b.get(JSON_FILE).content)
    text = json.dumps(data, ensure_ascii=False)
    a_private, a_shared = seeded.mine[-2:]
    assert [e["line"] for e in data["entries_shared_with_you"]] == [a_shared]
    assert a_private not in text
    assert not any(own in text for own in seeded.mine[:2])  # A's address and safe hours
    assert [c["answers"] for c in data["checkins"]] == [{str(k): v for k, v in B_ANSWERS.items()}]
    # Their own "not safe" entry is theirs to download (and was never shared).
    assert seeded.theirs[-1] in text


def test_shared_entries_are_left_out_while_sharing_is_paused(seeded: Seeded, alice: User) -> None:
    SafetyConcern.objects.create(
        couple=seeded.couple, subject_partner=seeded.a, type="other", created_by=alice
    )
    data = json.loads(seeded.client_a.get(JSON_FILE).content)
    assert data["entries_shared_with_you"] == []
    assert seeded.shared_with_a not in json.dumps(data)
    assert len(data["diary_entries"]) == 2  # their own stay


def _tags(node: Any, found: list[str]) -> list[str]:
    node = node.get_object()
    if isinstance(node, dict) and "/S" in node:
        found.append(str(node["/S"]))
    kids = node.get("/K") if isinstance(node, dict) else None
    if kids is not None:
        for kid in kids if isinstance(kids, list) else [kids]:
            if hasattr(kid, "get_object") and isinstance(kid.get_object(), dict):
                _tags(kid, found)
    return found


def test_the_pdf_is_tagged_readable_and_holds_the_same(seeded: Seeded) -> None:
    response = seeded.client_a.get(PDF_FILE)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for own in [*seeded.mine, seeded.shared_with_a]:
        assert squeezed(own) in text, own
    for foreign in seeded.theirs:
        assert squeezed(foreign) not in text, foreign
    assert "RobinAmes" in text
    assert "PHQ" not in text
    assert squeezed("Entries your partner chose to share with you, exactly as written.") in text
    reader = PdfReader(io.BytesIO(response.content))
    root: Any = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert reader.metadata is not None
    assert reader.metadata.title == "Your data"
    tags = _tags(root["/StructTreeRoot"], [])
    for tag in ("/H1", "/H2", "/H3", "/Table", "/TH", "/TD"):
        assert tag in tags, (tag, sorted(set(tags)))


def test_downloads_are_neutral_uncached_and_audited_by_ids_only(seeded: Seeded) -> None:
    for url, file_format in ((JSON_FILE, "json"), (PDF_FILE, "pdf")):
        response = seeded.client_a.get(url)
        assert NEUTRAL_NAME.fullmatch(response["Content-Disposition"]), response[
            "Content-Disposition"
        ]
        assert response["Cache-Control"] == "no-store"
        entry = AuditEntry.objects.filter(action="interop.export.own_data").latest("sequence")
        assert (entry.object_id, entry.fields) == (str(seeded.a.id), [file_format])
        audited = repr(AuditEntry.objects.filter(pk=entry.pk).values().get())
        assert not any(c in audited for c in [*seeded.mine, *seeded.theirs])


def test_the_space_links_to_the_page_and_the_page_to_both_files(seeded: Seeded) -> None:
    home = seeded.client_a.get("/me/").content.decode()
    assert f'href="{PAGE}"' in home
    page = seeded.client_a.get(PAGE).content.decode()
    assert f'href="{JSON_FILE}"' in page
    assert f'href="{PDF_FILE}"' in page


@pytest.mark.parametrize("url", [PAGE, JSON_FILE, PDF_FILE])
def test_a_partner_who_logged_out_is_refused(seeded: Seeded, url: str) -> None:
    seeded.client_a.post("/me/leave/")
    response = seeded.client_a.get(url)
    assert response.status_code == 404
    assert seeded.mine[-1].encode() not in response.content


@pytest.mark.parametrize("url", [PAGE, JSON_FILE, PDF_FILE])
def test_a_revoked_link_is_refused(seeded: Seeded, alice: User, url: str) -> None:
    portal_actions.revoke_link(alice, seeded.link_a.id)
    response = seeded.client_a.get(url)
    assert response.status_code == 404
    assert seeded.mine[-1].encode() not in response.content
    assert not AuditEntry.objects.filter(action="interop.export.own_data").exists()


@pytest.mark.parametrize("url", [JSON_FILE, PDF_FILE])
def test_a_clinician_session_cannot_use_the_partner_download(
    seeded: Seeded, alice: User, url: str
) -> None:
    client = Client()
    sign_in(client, alice)
    response = client.get(url)
    assert response.status_code == 404
    assert seeded.mine[-1].encode() not in response.content
