"""Writing, sharing and taking back diary entries: refusals, the audit, the constraints, and
the always-on alert of "right now I don't feel safe"."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils.timezone import now

from rebond import access
from rebond.accounts.models import User
from rebond.alerts.models import Alert, AlertNotification, AlertRuleSetting
from rebond.audit.models import AuditEntry
from rebond.couples.models import Couple, SafetyConcern
from rebond.diary import actions
from rebond.diary.models import DiaryEntry, DiaryPlan
from rebond.diary.tests.conftest import Case, draft
from rebond.lib.errors import ActionError

pytestmark = pytest.mark.django_db


def test_an_entry_is_written_private_and_audited_without_its_values(case: Case) -> None:
    line = "The name came up at dinner and I froze"
    entry = actions.write_entry(
        case.a,
        draft(
            triggered=True, trigger_kind="name", trigger_intensity=8, helped="breathing", line=line
        ),
    )
    entry.refresh_from_db()
    assert (entry.felt_safe, entry.felt_close, entry.trigger_intensity) == (6, 4, 8)
    assert entry.line == line
    assert entry.shared_at is None
    assert entry.author == case.a
    logged = AuditEntry.objects.get(action="diary.entry.write")
    assert logged.object_id == str(entry.id)
    assert set(logged.fields) >= {"felt_safe", "trigger_kind", "line"}
    # Names of fields only: no rating, no word of the line, anywhere in the audit.
    for row in AuditEntry.objects.all():
        assert "froze" not in f"{row.fields} {row.reason} {row.actor_label}"
    assert not Alert.objects.exists()


def test_writing_is_refused_while_the_diary_is_not_offered(case: Case) -> None:
    DiaryPlan.objects.filter(couple=case.couple).update(offered=False)
    with pytest.raises(ActionError) as refused:
        actions.write_entry(case.a, draft())
    assert refused.value.message == actions.NOT_OFFERED
    assert not DiaryEntry.objects.exists()
    assert not AuditEntry.objects.filter(action="diary.entry.write").exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"felt_safe": None}, "felt_safe"),
        ({"felt_safe": 11}, "felt_safe"),
        ({"felt_close": -1}, "felt_close"),
        ({"triggered": True, "trigger_intensity": 5}, "trigger_kind"),
        ({"triggered": True, "trigger_kind": "name"}, "trigger_intensity"),
        ({"triggered": True, "trigger_kind": "nope", "trigger_intensity": 3}, "trigger_kind"),
        ({"triggered": True, "trigger_kind": "name", "trigger_intensity": 12}, "trigger_intensity"),
        ({"triggered": False, "trigger_kind": "name"}, "triggered"),
        ({"line": "x" * 281}, "line"),
        ({"line": "abc\u202edef"}, "line"),
    ],
)
def test_bad_drafts_are_refused_like_the_database_would(
    case: Case, fields: dict[str, object], field: str
) -> None:
    with pytest.raises(ActionError) as refused:
        actions.write_entry(case.a, draft(**fields))
    assert field in refused.value.errors
    assert not DiaryEntry.objects.exists()


def test_a_line_of_exactly_280_characters_is_kept(case: Case) -> None:
    entry = actions.write_entry(case.a, draft(line="y" * 280))
    entry.refresh_from_db()
    assert len(entry.line) == 280


def test_share_and_stop_sharing_are_the_authors_and_audited(case: Case) -> None:
    entry = actions.write_entry(case.a, draft())
    actions.share_entry(case.a, entry.id)
    assert list(access.entries_shared_with(case.b)) == [entry]
    actions.stop_sharing(case.a, entry.id)
    assert list(access.entries_shared_with(case.b)) == []
    actions_logged = list(
        AuditEntry.objects.filter(object_id=str(entry.id)).values_list("action", flat=True)
    )
    assert actions_logged == ["diary.entry.write", "diary.entry.share", "diary.entry.unshare"]


def test_the_other_partner_cannot_share_or_take_back_an_entry(case: Case) -> None:
    from django.http import Http404

    entry = actions.write_entry(case.a, draft())
    with pytest.raises(Http404):
        actions.share_entry(case.b, entry.id)
    actions.share_entry(case.a, entry.id)
    with pytest.raises(Http404):
        actions.stop_sharing(case.b, entry.id)
    entry.refresh_from_db()
    assert entry.is_shared


def test_a_not_safe_entry_cannot_be_shared_and_says_why(case: Case) -> None:
    entry = actions.write_entry(case.a, draft(not_safe_now=True))
    with pytest.raises(ActionError) as refused:
        actions.share_entry(case.a, entry.id)
    assert refused.value.message == actions.NOT_SAFE_NOT_SHARED
    entry.refresh_from_db()
    assert entry.shared_at is None
    # The database refuses it too, whoever writes it.
    with pytest.raises(IntegrityError), transaction.atomic():
        DiaryEntry.objects.filter(pk=entry.pk).update(shared_at=now())


def test_sharing_is_refused_with_neutral_words_while_a_safety_concern_is_open(
    case: Case, alice: User
) -> None:
    entry = actions.write_entry(case.a, draft())
    shared = actions.write_entry(case.a, draft())
    actions.share_entry(case.a, shared.id)
    SafetyConcern.objects.create(
        couple=case.couple, subject_partner=case.b, type="other", created_by=alice
    )
    with pytest.raises(ActionError) as refused:
        actions.share_entry(case.a, entry.id)
    assert refused.value.message == access.SHARING_PAUSED
    # Taking a share back is never refused.
    actions.stop_sharing(case.a, shared.id)
    shared.refresh_from_db()
    assert shared.shared_at is None


def test_not_safe_raises_one_high_alert_and_pauses_conjoint_work(case: Case, alice: User) -> None:
    entry = actions.write_entry(case.a, draft(not_safe_now=True, line="words nobody analyses"))
    alert = Alert.objects.get()
    assert alert.rule == "diary_not_safe"
    assert alert.type == Alert.Type.NOT_SAFE_NOW
    assert alert.severity == Alert.Severity.HIGH
    assert alert.source_diary_entry == entry
    assert alert.source_submission is None
    assert alert.subject_partner == case.a
    assert list(alert.recipients.all()) == [alice]
    assert AlertNotification.objects.filter(alert=alert, recipient=alice).exists()
    case.couple.refresh_from_db()
    assert case.couple.status == Couple.Status.PAUSED_SAFETY
    assert AuditEntry.objects.filter(action="alerts.alert.raise").count() == 1
    # A second "not safe" entry raises its own alert: each entry is one statement.
    actions.write_entry(case.a, draft(not_safe_now=True))
    assert Alert.objects.count() == 2


def test_the_diary_rule_is_a_core_rule_no_clinic_can_switch_off(case: Case) -> None:
    assert "diary_not_safe" in AlertRuleSetting.CORE_RULES
    with pytest.raises(IntegrityError), transaction.atomic():
        AlertRuleSetting.objects.create(
            clinic_id=case.couple.clinic_id, rule="diary_not_safe", enabled=False
        )


def test_an_entry_never_exists_without_its_alert(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("alert machinery down")

    monkeypatch.setattr("rebond.alerts.actions.write_alert", broken)
    with pytest.raises(RuntimeError):
        actions.write_entry(case.a, draft(not_safe_now=True))
    assert not DiaryEntry.objects.exists()
