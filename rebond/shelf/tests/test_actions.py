"""The shelf's actions: each writes and audits in one go, refuses what it must, and Rebond's
starter pages are added once per clinic, when it is created and from the admin's button."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.http import Http404

from rebond.accounts.models import Clinic
from rebond.audit.models import AuditEntry
from rebond.lib.errors import ActionError
from rebond.shelf import actions
from rebond.shelf.models import PageAssignment, ShelfPage
from rebond.shelf.tests.helpers import ShelfWorld, build, page
from rebond.test import make_clinic, make_couple

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> ShelfWorld:
    return build()


def entries(action: str, obj_id: object) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action, object_id=str(obj_id)))


def test_writing_changing_and_publishing_a_page_is_audited(world: ShelfWorld) -> None:
    made = page(world.admin, "  Calm  ", "Text\r\nmore", published=False)
    assert (made.title, made.body, made.published) == ("Calm", "Text\nmore", False)
    assert made.updated_by == world.admin
    [created] = entries("shelf.page.create", made.pk)
    assert created.actor_id == world.admin.pk
    assert created.clinic_id == world.clinic.pk
    actions.update_page(world.admin, made.pk, actions.PageDraft("Calmer", "Text\nmore", False))
    [updated] = entries("shelf.page.update", made.pk)
    assert updated.fields == ["title"]
    actions.set_page_published(world.admin, made.pk, published=True)
    assert len(entries("shelf.page.publish", made.pk)) == 1
    actions.set_page_published(world.admin, made.pk, published=False)
    assert len(entries("shelf.page.unpublish", made.pk)) == 1
    made.refresh_from_db()
    assert not made.published


@pytest.mark.parametrize(
    ("title", "body", "field"),
    [
        ("", "Text", "title"),
        ("   ", "Text", "title"),
        ("x" * 121, "Text", "title"),
        ("Two\nlines", "Text", "title"),
        ("Bidi \u202e", "Text", "title"),
        ("Title", "", "body"),
        ("Title", "x" * 20_001, "body"),
    ],
)
def test_a_page_needs_a_one_line_title_and_a_body(
    world: ShelfWorld, title: str, body: str, field: str
) -> None:
    with pytest.raises(ActionError) as refused:
        actions.create_page(world.admin, actions.PageDraft(title, body))
    assert field in refused.value.errors


def test_only_the_clinic_admin_writes_pages(world: ShelfWorld) -> None:
    for user in (world.therapist, world.colleague):
        with pytest.raises(Exception, match="Only clinic admins"):
            actions.create_page(user, actions.PageDraft("Title", "Body"))
        with pytest.raises(Exception, match="Only clinic admins"):
            actions.set_page_published(user, world.pages["A"].id, published=False)


def test_giving_and_withdrawing_a_page_is_audited(world: ShelfWorld) -> None:
    fresh = page(world.admin, "Fresh page")
    given = actions.assign_page(world.supervisor, world.couple.id, fresh.id, "B")
    assert (given.partner, given.assigned_by, given.withdrawn_at) == (
        world.b,
        world.supervisor,
        None,
    )
    [created] = entries("shelf.assignment.create", given.pk)
    assert created.actor_id == world.supervisor.pk
    actions.withdraw_assignment(world.therapist, world.couple.id, given.id)
    given.refresh_from_db()
    assert given.withdrawn_at is not None
    assert given.withdrawn_by == world.therapist
    [withdrawn] = entries("shelf.assignment.withdraw", given.pk)
    assert withdrawn.fields == ["withdrawn_at", "withdrawn_by"]
    with pytest.raises(ActionError) as again:
        actions.withdraw_assignment(world.therapist, world.couple.id, given.id)
    assert again.value.status == 409
    # Withdrawn, it may be given again.
    assert actions.assign_page(world.therapist, world.couple.id, fresh.id, "B").withdrawn_at is None


def test_a_page_is_not_given_twice_to_the_same_partner(world: ShelfWorld) -> None:
    # Given to A already: not to A again, nor to both (A would have it twice); to B, yes.
    for to in ("A", "both"):
        with pytest.raises(ActionError) as refused:
            actions.assign_page(world.therapist, world.couple.id, world.pages["A"].id, to)
        assert refused.value.status == 409
        assert "Dana Rivera" in refused.value.message
    actions.assign_page(world.therapist, world.couple.id, world.pages["A"].id, "B")
    # Given to both already: to neither partner alone.
    for to in ("A", "B", "both"):
        with pytest.raises(ActionError, match="both partners"):
            actions.assign_page(world.therapist, world.couple.id, world.pages["both"].id, to)


def test_only_a_published_page_of_the_clinic_may_be_given(world: ShelfWorld) -> None:
    outsider = world.outsider
    outsider.is_clinic_admin = True
    outsider.save()
    elsewhere = page(outsider, "Elsewhere")
    for page_id in (world.pages["draft"].id, world.pages["unpublished"].id, elsewhere.id, "nope"):
        with pytest.raises(ActionError, match="published page"):
            actions.assign_page(world.therapist, world.couple.id, page_id, "A")
    with pytest.raises(ActionError, match="who reads it"):
        actions.assign_page(world.therapist, world.couple.id, world.pages["draft"].id, "C")


def test_a_clinician_off_the_case_gives_nothing(world: ShelfWorld) -> None:
    fresh = page(world.admin, "Fresh page")
    for user in (world.colleague, world.admin, world.outsider):
        with pytest.raises(Http404):
            actions.assign_page(user, world.couple.id, fresh.id, "A")
        with pytest.raises(Http404):
            actions.withdraw_assignment(user, world.couple.id, world.given["A"].id)
    assert not PageAssignment.objects.filter(page=fresh).exists()


def test_the_first_reading_is_recorded_once(world: ShelfWorld) -> None:
    given = world.given["both"]
    first = actions.record_first_reading(world.a, given.id)
    assert first.first_read_at is not None
    again = actions.record_first_reading(world.b, given.id)
    assert again.first_read_at == first.first_read_at
    [read] = entries("shelf.assignment.read", given.pk)
    assert read.actor_label.startswith("partner:")
    with pytest.raises(Http404):  # never the other partner's page
        actions.record_first_reading(world.b, world.given["A"].id)
    world.given["A"].refresh_from_db()
    assert world.given["A"].first_read_at is None


def test_starter_pages_are_added_once_published_and_keep_the_clinic_edits() -> None:
    clinic = make_clinic("New")
    added = actions.install_starter_pages(clinic)
    keys = {s.key for s in actions.starter_pages()}
    assert len(keys) == 4
    assert {p.starter_key for p in added} == keys
    assert all(p.published for p in added)
    assert (
        len(AuditEntry.objects.filter(action="shelf.page.install_starter", clinic_id=clinic.pk))
        == 4
    )
    edited = added[0]
    edited.title = "Our own title"
    edited.save()
    ShelfPage.objects.filter(pk=added[1].pk).delete()  # as if never added (no assignment)
    again = actions.install_starter_pages(clinic)
    assert [p.starter_key for p in again] == [added[1].starter_key]
    assert actions.install_starter_pages(clinic) == []
    edited.refresh_from_db()
    assert edited.title == "Our own title"
    assert ShelfPage.objects.filter(clinic=clinic).count() == 4


def test_the_admin_button_adds_only_the_missing_starter_pages(world: ShelfWorld) -> None:
    assert len(actions.add_starter_pages(world.admin)) == 4
    assert actions.add_starter_pages(world.admin) == []
    with pytest.raises(Exception, match="Only clinic admins"):
        actions.add_starter_pages(world.therapist)


def test_a_clinic_created_by_the_operator_starts_with_the_starter_pages() -> None:
    call_command(
        "clinic", "create", "--name", "Harbour Couples", "--slug", "harbour-shelf",
        "--admin-email", "ana.shelf@example.org", "--admin-name", "Ana Garcia",
        "--timezone", "Europe/Madrid", stdout=io.StringIO(),
    )  # fmt: skip
    clinic = Clinic.objects.get(slug="harbour-shelf")
    pages = ShelfPage.objects.filter(clinic=clinic)
    assert {p.starter_key for p in pages} == {s.key for s in actions.starter_pages()}
    assert all(p.published for p in pages)


@pytest.mark.parametrize(
    ("language", "sources", "signature"),
    [("en", "## Sources", "Written for Rebond"), ("es", "## Fuentes", "Escrito para Rebond")],
)
def test_the_starter_pages_are_short_cited_and_editable(
    language: str, sources: str, signature: str
) -> None:
    for starter in actions.starter_pages(language):
        assert starter.title
        assert len(starter.title) <= 120
        assert len(starter.body.split()) < 600, starter.key  # a phone screen or three
        assert sources in starter.body
        assert signature in starter.body.splitlines()[-1]
        assert "Johnson" in starter.body


def test_every_translated_set_of_starter_pages_has_the_same_pages_and_citations() -> None:
    english = {s.key: s for s in actions.starter_pages()}
    assert actions.starter_languages() == ["es"]
    for language in actions.starter_languages():
        translated = {s.key: s for s in actions.starter_pages(language)}
        assert translated.keys() == english.keys()
        for key, starter in translated.items():
            assert starter.title != english[key].title
            # The references stay as published: the same lines, word for word.
            cited = [
                line for line in english[key].body.splitlines() if line.startswith("- Johnson")
            ]
            assert cited
            assert all(line in starter.body for line in cited)


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("es", "Cuando se rompe la confianza: la traición y su impacto"),
        ("en", "When trust is broken: betrayal and its impact"),
        ("xx", "When trust is broken: betrayal and its impact"),  # no such set: English
    ],
)
def test_a_new_clinic_gets_the_starter_pages_in_its_default_language(
    language: str, title: str
) -> None:
    clinic = make_clinic("Nueva", default_language=language)
    added = actions.install_starter_pages(clinic)
    assert len(added) == 4
    first = ShelfPage.objects.get(clinic=clinic, starter_key="1-betrayal-and-its-impact")
    assert first.title == title
    expected = {s.key: s.body for s in actions.starter_pages(language)}
    assert {p.starter_key: p.body for p in added} == expected
    if language == "es":
        assert "herida de apego" in first.body
        assert expected != {s.key: s.body for s in actions.starter_pages("en")}


def test_a_couple_of_another_case_never_mixes(world: ShelfWorld) -> None:
    other = make_couple(world.therapist, "Other case")
    with pytest.raises(Http404):
        actions.withdraw_assignment(world.therapist, other.id, world.given["A"].id)
