"""Alerts: raised with the score, for clinicians only; escalated; delivered exactly once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils.timezone import now

from rebond.accounts.models import User
from rebond.alerts import actions, delivery, rules
from rebond.alerts.models import Alert, AlertNotification, AlertRuleSetting
from rebond.assessments import actions as assessments
from rebond.audit.models import AuditEntry
from rebond.couples.models import CaseTransition, Couple, Partner
from rebond.lib.errors import ActionError
from rebond.test import load_synthetic_wording, make_clinician, make_couple, sign_in

pytestmark = pytest.mark.django_db

# PHQ-9 scored values, item 9 last (Kroenke, Spitzer & Williams 2001).
NOT_AT_ALL = dict.fromkeys(range(1, 10), 0)
ITEM9_SEVERAL_DAYS = {**NOT_AT_ALL, 9: 1}
ITEM9_MORE_THAN_HALF = {**NOT_AT_ALL, 9: 2}
SEVERE_NO_ITEM9 = {**dict.fromkeys(range(1, 9), 3), 9: 0}  # 24: "severe" (20-27)


def answer(clinician: User, couple: Couple, partner: Partner, code: str, values: dict[int, int]):  # type: ignore[no-untyped-def]
    administration = next(
        a
        for a in assessments.schedule_instrument(clinician, couple.id, code)
        if a.partner_id == partner.id
    )
    return assessments.submit_administration(
        partner, administration.id, administration.submission_key, values
    ).submission


@pytest.mark.parametrize(
    ("code", "answers", "flags", "band", "expected"),
    [
        # PHQ-9 item 9 positive whatever the total; severity by frequency (Simon et al. 2013).
        ("PHQ-9", {"9": 1}, [{"code": "phq9_item9"}], "minimal", [("phq9_item9", 2)]),
        ("PHQ-9", {"9": 2}, [{"code": "phq9_item9"}], "minimal", [("phq9_item9", 3)]),
        (
            "PHQ-9",
            {"9": 3},
            [{"code": "phq9_item9"}],
            "severe",
            [("phq9_item9", 3), ("severe_score", 2)],
        ),
        ("PHQ-9", {"9": 0}, [], "severe", [("severe_score", 2)]),
        ("PHQ-9", {"9": 0}, [], "moderately severe", []),
        ("GAD-7", {}, [], "severe", [("severe_score", 2)]),
        # ASQ (NIMH pathway): every positive screen is HIGH. A non-acute positive needs a brief
        # suicide safety assessment at the same encounter: for a remote self-report, today.
        ("ASQ", {}, [{"code": "asq_positive"}, {"code": "asq_acute"}], "", [("asq", 3)]),
        ("ASQ", {}, [{"code": "asq_positive"}, {"code": "asq_acuity_unknown"}], "", [("asq", 3)]),
        ("ASQ", {}, [{"code": "asq_positive"}], "", [("asq", 3)]),
        ("ASQ", {}, [], "negative", []),
        # Partner violence screens are HIGH: see the partner alone first (DOMAIN 4.2).
        ("HARK", {}, [{"code": "hark_positive"}], "positive", [("ipv_screen", 3)]),
        ("HITS", {}, [{"code": "hits_physical_hurt"}], "", [("ipv_screen", 3)]),
        # HITS total above 10 (Sherin et al. 1998, cut score 10.5): as HIGH as HARK positive.
        ("HITS", {}, [{"code": "hits_positive_screen"}], "positive screen", [("ipv_screen", 3)]),
        (
            "HITS",
            {},
            [{"code": "hits_positive_screen"}, {"code": "hits_physical_hurt"}],
            "positive screen",
            [("ipv_screen", 3)],
        ),
        ("CSI-4", {}, [], "distressed", []),
    ],
)
def test_the_rules(code, answers, flags, band, expected) -> None:  # type: ignore[no-untyped-def]
    drafts = rules.evaluate(code, answers, flags, band)
    assert [(d.rule, d.severity) for d in drafts] == expected


def test_a_clinic_may_turn_a_rule_off_or_lower_a_threshold_but_only_to_a_published_value() -> None:
    flags = [{"code": "phq9_item9"}]
    # Issue 15 B6: a core safety rule ignores a setting that would switch it off.
    kept = rules.evaluate("PHQ-9", {"9": 2}, flags, "", enabled={"phq9_item9": False})
    assert [d.rule for d in kept] == ["phq9_item9"]
    severe = rules.evaluate("GAD-7", {}, [], "severe", enabled={"severe_score": False})
    assert severe == []
    lowered = rules.evaluate("PHQ-9", {"9": 1}, flags, "", thresholds={"phq9_item9": 1})
    assert [d.severity for d in lowered] == [Alert.Severity.HIGH]
    (rule,) = [r for r in rules.RULES if r.code == "phq9_item9"]
    assert rule.thresholds == (2, 1)  # the answer values "more than half the days", "several days"


def test_a_high_risk_answer_raises_an_alert_for_the_case_clinicians_only(
    alice: User, bob: User, charlie: User
) -> None:
    couple = make_couple(alice, status=Couple.Status.CONJOINT_ACTIVE)
    couple.co_clinicians.add(bob)
    make_clinician(alice.clinic, "Lead", is_safety_lead=True)
    a = couple.partners.get(role="A")
    submission = answer(alice, couple, a, "PHQ-9", ITEM9_MORE_THAN_HALF)
    alert = Alert.objects.get()
    assert alert.severity == Alert.Severity.HIGH
    assert alert.type == Alert.Type.SUICIDE_RISK
    assert alert.subject_partner_id == a.id
    assert alert.source_submission_id == submission.id
    assert set(alert.recipients.all()) == {alice, bob}
    assert set(AlertNotification.objects.values_list("recipient_id", flat=True)) == {
        alice.id,
        bob.id,
    }
    # Conjoint work pauses at once, recorded as a system transition.
    couple.refresh_from_db()
    assert couple.status == Couple.Status.PAUSED_SAFETY
    pause = CaseTransition.objects.get(to_status=Couple.Status.PAUSED_SAFETY)
    assert pause.by is None
    # Nobody else can fetch it.
    with pytest.raises(Http404):
        actions.acknowledge_alert(charlie, alert.id)
    assert AuditEntry.objects.filter(action="alerts.alert.raise").count() == 1


def test_a_positive_hits_screen_without_physical_hurt_raises_exactly_one_alert(
    alice: User,
) -> None:
    # Issue 15 B5: Never, Frequently, Frequently, Frequently = 16 > 10 (Sherin et al. 1998).
    couple = make_couple(alice, status=Couple.Status.CONJOINT_ACTIVE)
    a = couple.partners.get(role="A")
    load_synthetic_wording("HITS")  # scoring-only: the clinic loads its licensed wording
    submission = answer(alice, couple, a, "HITS", {1: 1, 2: 5, 3: 5, 4: 5})
    assert (submission.total, submission.band) == (16, "positive screen")
    alert = Alert.objects.get()
    assert (alert.rule, alert.type, alert.severity) == (
        "ipv_screen",
        Alert.Type.IPV_SCREEN_POSITIVE,
        Alert.Severity.HIGH,
    )
    assert alert.subject_partner_id == a.id
    assert list(alert.recipients.all()) == [alice]


def test_a_non_acute_asq_positive_escalates_within_the_clinics_window_with_same_day_advice(
    client: Client, alice: User
) -> None:
    # Issue 15 B7. NIMH ASQ: yes to question 1, no to the acuity question 5 = non-acute positive.
    make_clinician(alice.clinic, "Lead", is_safety_lead=True)
    couple = make_couple(alice, status=Couple.Status.CONJOINT_ACTIVE)
    answer(alice, couple, couple.partners.get(role="A"), "ASQ", {1: 1, 2: 0, 3: 0, 4: 0, 5: 0})
    alert = Alert.objects.get()
    assert (alert.rule, alert.severity) == ("asq", Alert.Severity.HIGH)
    window = timedelta(minutes=alert.clinic.high_alert_ack_minutes)
    assert (
        delivery.escalate_overdue_alerts(at=alert.created_at + window - timedelta(seconds=1)) == 0
    )
    assert delivery.escalate_overdue_alerts(at=alert.created_at + window) == 1
    sign_in(client, alice)
    page = client.get(reverse("alert", args=[alert.id])).content.decode()
    assert "Contact them today" in page
    assert "before the next session" not in page


def test_an_acute_asq_positive_keeps_its_imminent_risk_advice(client: Client, alice: User) -> None:
    couple = make_couple(alice)
    answer(alice, couple, couple.partners.get(role="A"), "ASQ", {1: 1, 2: 1, 3: 1, 4: 0, 5: 1})
    alert = Alert.objects.get()
    assert alert.severity == Alert.Severity.HIGH
    sign_in(client, alice)
    html = client.get(reverse("alert", args=[alert.id])).content.decode()
    assert "imminent risk" in html
    assert "Contact them today" not in html


def test_no_alert_and_no_pause_for_a_clear_answer(alice: User) -> None:
    couple = make_couple(alice, status=Couple.Status.CONJOINT_ACTIVE)
    answer(alice, couple, couple.partners.get(role="A"), "PHQ-9", NOT_AT_ALL)
    assert not Alert.objects.exists()
    couple.refresh_from_db()
    assert couple.status == Couple.Status.CONJOINT_ACTIVE


def test_a_priority_alert_does_not_pause_conjoint_work(alice: User) -> None:
    couple = make_couple(alice, status=Couple.Status.CONJOINT_ACTIVE)
    answer(alice, couple, couple.partners.get(role="A"), "PHQ-9", ITEM9_SEVERAL_DAYS)
    assert Alert.objects.get().severity == Alert.Severity.PRIORITY
    couple.refresh_from_db()
    assert couple.status == Couple.Status.CONJOINT_ACTIVE


def test_the_notification_carries_no_clinical_content(
    alice: User, django_capture_on_commit_callbacks: Any
) -> None:
    couple = make_couple(alice, "Canary Couple", partners=("Canary Ann", "Canary Ben"))
    with django_capture_on_commit_callbacks(execute=True):
        answer(alice, couple, couple.partners.get(role="A"), "PHQ-9", ITEM9_MORE_THAN_HALF)
    assert len(mail.outbox) == 1  # the immediate task backend delivered it on commit
    message = mail.outbox[0]
    assert message.to == [alice.email]
    assert message.subject == "You have a priority item in Rebond"
    text = str(message.subject) + str(message.body)
    for word in ("Canary", "PHQ", "suicide", "risk", "item 9", "score", "self-harm", "dead"):
        assert word.lower() not in text.lower(), word


def test_delivery_claims_each_notification_once(alice: User) -> None:
    couple = make_couple(alice)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(actions, "enqueue_delivery", lambda: None)  # deliver by hand below
        answer(alice, couple, couple.partners.get(role="A"), "PHQ-9", ITEM9_MORE_THAN_HALF)
    assert delivery.deliver_notifications() == 1
    assert delivery.deliver_notifications() == 0
    assert len(mail.outbox) == 1
    assert AlertNotification.objects.get().sent_at is not None


def test_a_failed_send_is_retried_and_the_alert_stays_visible(
    alice: User, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    couple = make_couple(alice)
    settings.EMAIL_BACKEND = "rebond.alerts.tests.failing_email.Backend"
    with django_capture_on_commit_callbacks(execute=True):
        answer(alice, couple, couple.partners.get(role="A"), "PHQ-9", ITEM9_MORE_THAN_HALF)
    notification = AlertNotification.objects.get()
    assert notification.sent_at is None
    assert notification.last_error == "ConnectionRefusedError"
    # The alert is in the clinician's list whatever happened to the e-mail.
    assert [a.pk for a in actions_access_alerts(alice)] == [Alert.objects.get().pk]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert delivery.deliver_notifications() == 1
    assert delivery.deliver_notifications() == 0
    assert len(mail.outbox) == 1


def actions_access_alerts(user: User) -> list[Alert]:
    from rebond import access

    return list(access.alerts_for_clinician(user))


def test_acknowledge_then_close_with_a_disposition_and_reason(alice: User) -> None:
    couple = make_couple(alice)
    answer(alice, couple, couple.partners.get(role="A"), "PHQ-9", ITEM9_SEVERAL_DAYS)
    alert = Alert.objects.get()
    actions.acknowledge_alert(alice, alert.id)
    alert.refresh_from_db()
    assert alert.status == Alert.Status.ACKNOWLEDGED
    assert alert.acknowledged_by == alice
    with pytest.raises(ActionError) as excinfo:
        actions.close_alert(alice, alert.id, disposition="", reason=" ")
    assert set(excinfo.value.errors) == {"disposition", "reason"}
    actions.close_alert(
        alice, alert.id, disposition=Alert.Disposition.FALSE_POSITIVE, reason="Misread the item."
    )
    alert.refresh_from_db()
    assert alert.status == Alert.Status.CLOSED
    assert alert.disposition == Alert.Disposition.FALSE_POSITIVE
    with pytest.raises(ActionError):
        actions.close_alert(alice, alert.id, disposition="false_positive", reason="again")
    assert AuditEntry.objects.filter(action="alerts.alert.close").count() == 1


def test_an_unacknowledged_high_alert_escalates_to_the_safety_leads_after_the_window(
    alice: User, django_capture_on_commit_callbacks: Any
) -> None:
    lead = make_clinician(alice.clinic, "Lena Lead", is_safety_lead=True)
    couple = make_couple(alice)
    with django_capture_on_commit_callbacks(execute=True):
        answer(alice, couple, couple.partners.get(role="A"), "PHQ-9", ITEM9_MORE_THAN_HALF)
    assert [m.to for m in mail.outbox] == [[alice.email]]
    alert = Alert.objects.get()
    window = timedelta(minutes=alert.clinic.high_alert_ack_minutes)
    assert (
        delivery.escalate_overdue_alerts(at=alert.created_at + window - timedelta(seconds=1)) == 0
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.escalate_overdue_alerts(at=alert.created_at + window) == 1
    assert delivery.escalate_overdue_alerts(at=alert.created_at + window * 2) == 0  # only once
    alert.refresh_from_db()
    assert list(alert.escalated_to.all()) == [lead]
    assert [m.to for m in mail.outbox] == [[lead.email]]
    # The lead can now see it; acknowledging stops nothing already sent but is recorded.
    actions.acknowledge_alert(lead, alert.id)


def test_an_acknowledged_alert_does_not_escalate(alice: User) -> None:
    make_clinician(alice.clinic, "Lena Lead", is_safety_lead=True)
    couple = make_couple(alice)
    answer(alice, couple, couple.partners.get(role="A"), "PHQ-9", ITEM9_MORE_THAN_HALF)
    alert = Alert.objects.get()
    actions.acknowledge_alert(alice, alert.id)
    assert delivery.escalate_overdue_alerts(at=now() + timedelta(days=1)) == 0


def test_a_disabled_rule_raises_nothing(alice: User) -> None:
    assert alice.clinic is not None
    AlertRuleSetting.objects.create(clinic=alice.clinic, rule="severe_score", enabled=False)
    couple = make_couple(alice)
    answer(alice, couple, couple.partners.get(role="A"), "PHQ-9", SEVERE_NO_ITEM9)
    assert not Alert.objects.exists()


def test_severe_scores_raise_a_priority_alert(alice: User) -> None:
    couple = make_couple(alice)
    answer(alice, couple, couple.partners.get(role="A"), "PHQ-9", SEVERE_NO_ITEM9)
    alert = Alert.objects.get()
    assert (alert.type, alert.severity) == (Alert.Type.SEVERE_SCORE, Alert.Severity.PRIORITY)
