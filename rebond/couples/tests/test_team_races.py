"""A safety alert raised while the case is being handed over reaches the new primary
clinician, whichever of the two transactions gets to the database first (PostgreSQL, two
threads, two connections; the pauses force each order).

Alice hands the case to Bob and leaves the team, while partner A answers a PHQ-9 with a risk
answer. Without care, the alert could be addressed to Alice alone (the team it read) after the
handover looked for open alerts and found none: an alert nobody on the case can open.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from rebond import access
from rebond.accounts.models import User
from rebond.alerts import actions as alert_actions
from rebond.alerts.models import Alert
from rebond.alerts.tests.helpers import ITEM9_SEVERAL_DAYS
from rebond.assessments import actions as assessments
from rebond.couples import team
from rebond.couples.models import Couple
from rebond.couples.tests.helpers import case_with_everything
from rebond.test import ensure_totp_device

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

NOTE = "Handing over while I am away."
# Long enough for the other thread to reach the lock it waits on.
SETTLE_SECONDS = 1.0


@pytest.fixture
def couple(alice: User, bob: User) -> Couple:
    assert connection.vendor == "postgresql", "run in the PostgreSQL leg of make test"
    for clinician in (alice, bob):
        ensure_totp_device(clinician)
    return case_with_everything(alice)


def in_thread(work: Callable[[], Any], errors: list[BaseException]) -> threading.Thread:
    """Run `work` on its own database connection; keep what it raises."""

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def pause_before(
    monkeypatch: pytest.MonkeyPatch, owner: Any, name: str
) -> tuple[threading.Event, threading.Event]:
    """Make `owner.name` stop when called until `go_on` is set; `reached` says it was called."""
    reached, go_on = threading.Event(), threading.Event()
    original = getattr(owner, name)

    def paused(*args: Any, **kwargs: Any) -> Any:
        reached.set()
        go_on.wait(timeout=10)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, paused)
    return reached, go_on


def risk_answer(alice: User, couple: Couple) -> Callable[[], Any]:
    partner = couple.partners.get(role="A")
    administration = next(
        a
        for a in assessments.schedule_instrument(alice, couple.id, "PHQ-9")
        if a.partner_id == partner.id
    )
    return lambda: assessments.submit_administration(
        partner, administration.id, administration.submission_key, ITEM9_SEVERAL_DAYS
    )


def assert_the_alert_reaches_bob(couple: Couple, bob: User, errors: list[BaseException]) -> None:
    assert errors == []
    couple.refresh_from_db()
    assert couple.primary_clinician == bob
    alert = Alert.objects.get(couple=couple)
    assert bob in alert.recipients.all()


def test_an_alert_being_raised_when_the_handover_starts_is_found_by_it(
    alice: User, bob: User, couple: Couple, monkeypatch: pytest.MonkeyPatch
) -> None:
    submit = risk_answer(alice, couple)
    # The submission stops once its alert is written and audited, before reading the team.
    alert_written, go_on = pause_before(monkeypatch, access, "case_clinicians")
    errors: list[BaseException] = []
    submission = in_thread(submit, errors)
    assert alert_written.wait(timeout=10)
    handover = in_thread(
        lambda: team.hand_over(alice, couple.id, bob.id, note=NOTE, previous_stays=False), errors
    )
    time.sleep(SETTLE_SECONDS)  # the handover now waits for the submission's transaction
    go_on.set()
    submission.join(timeout=30)
    handover.join(timeout=30)
    assert_the_alert_reaches_bob(couple, bob, errors)


def test_an_alert_raised_while_the_handover_commits_reads_the_new_team(
    alice: User, bob: User, couple: Couple, monkeypatch: pytest.MonkeyPatch
) -> None:
    submit = risk_answer(alice, couple)
    # The handover stops once its change is audited (the audit chain held), before commit.
    audited, go_on = threading.Event(), threading.Event()
    address = alert_actions.address_open_alerts_to

    def paused(*args: Any, **kwargs: Any) -> list[Alert]:
        found = address(*args, **kwargs)
        audited.set()
        go_on.wait(timeout=10)
        return found

    monkeypatch.setattr("rebond.couples.team.address_open_alerts_to", paused)
    errors: list[BaseException] = []
    handover = in_thread(
        lambda: team.hand_over(alice, couple.id, bob.id, note=NOTE, previous_stays=False), errors
    )
    assert audited.wait(timeout=10)
    submission = in_thread(submit, errors)
    time.sleep(SETTLE_SECONDS)  # the submission now waits for the handover's transaction
    go_on.set()
    handover.join(timeout=30)
    submission.join(timeout=30)
    assert_the_alert_reaches_bob(couple, bob, errors)
    assert set(Alert.objects.get(couple=couple).recipients.all()) == {bob}
