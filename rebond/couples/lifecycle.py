"""The case lifecycle (DOMAIN 7.2): which status may follow which, and the one way a case moves.

Every change of a case's status goes through `move_case`: it checks the move against
`TRANSITIONS`, writes the append-only `CaseTransition`, saves the status and audits it, on a row
locked by `lock_case`. Its callers add their own rules first:
- `couples.actions.transition_case`, a clinician's move: access, guards, the reasons required;
- `alerts.actions` pausing conjoint work for a HIGH safety alert: a move by nobody (by=None).
A new case's first step (from nothing to REFERRED) is written by `record_opening`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from rebond import audit
from rebond.accounts.models import User
from rebond.couples.models import CaseTransition, Couple
from rebond.lib.errors import ActionError

S = Couple.Status
# Which statuses each status may move to. Any status may also move to DROPPED_OUT.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.REFERRED: frozenset({S.INTAKE_SCHEDULED, S.ASSESSMENT, S.REFERRED_OUT, S.CLOSED}),
    S.INTAKE_SCHEDULED: frozenset({S.ASSESSMENT, S.REFERRED_OUT, S.CLOSED}),
    S.ASSESSMENT: frozenset({S.CONJOINT_ACTIVE, S.INDIVIDUAL_ONLY, S.REFERRED_OUT}),
    S.CONJOINT_ACTIVE: frozenset(
        {S.PAUSED_SAFETY, S.DISCERNMENT, S.TERMINATION_PLANNED, S.INDIVIDUAL_ONLY}
    ),
    S.PAUSED_SAFETY: frozenset({S.CONJOINT_ACTIVE, S.INDIVIDUAL_ONLY, S.REFERRED_OUT}),
    S.INDIVIDUAL_ONLY: frozenset({S.CONJOINT_ACTIVE, S.REFERRED_OUT, S.CLOSED}),
    S.DISCERNMENT: frozenset({S.CONJOINT_ACTIVE, S.SEPARATION_SUPPORT, S.CLOSED}),
    S.SEPARATION_SUPPORT: frozenset({S.CLOSED}),
    S.TERMINATION_PLANNED: frozenset({S.CLOSED, S.CONJOINT_ACTIVE}),
    S.CLOSED: frozenset({S.FOLLOW_UP, S.ARCHIVED}),
    S.FOLLOW_UP: frozenset({S.CLOSED, S.ARCHIVED}),
    S.REFERRED_OUT: frozenset({S.ARCHIVED}),
    S.DROPPED_OUT: frozenset({S.ARCHIVED}),
    S.ARCHIVED: frozenset(),
}


def allowed_next_statuses(couple: Couple) -> list[str]:
    """Return the statuses the case may move to next, in lifecycle order."""
    targets = set(TRANSITIONS[couple.status])
    if couple.status not in (S.DROPPED_OUT, S.ARCHIVED):
        targets.add(S.DROPPED_OUT)
    return [value for value in S.values if value in targets]


def refuse_unless_allowed(couple: Couple, to_status: str) -> None:
    """Raise ActionError when the lifecycle does not allow this move from the case's status."""
    if to_status not in allowed_next_statuses(couple):
        raise ActionError(
            _("A case that is “%(status)s” cannot move to that status.")
            % {"status": couple.get_status_display()},
            {"to_status": [_("Choose one of the statuses offered.")]},
        )


def lock_case(couple_id: uuid.UUID) -> Couple:
    """Return the case row locked until the transaction ends: decide a move on this row only.

    Two moves of the same case (a clinician's and a HIGH alert's pause, or two clinicians')
    then run one after the other, each seeing the status the other left. Lock the case before
    the transaction's first audit entry: the audit head, once taken, is held until commit, so
    locking in the other order could deadlock with a move (couples/tests/test_case_lock_order.py).
    FOR NO KEY UPDATE, as an UPDATE of the row takes: it does not block the key-share lock that
    another transaction's deferred foreign-key check to the case takes at its commit.
    """
    return Couple.objects.select_for_update(no_key=True).get(pk=couple_id)


def move_case(
    couple: Couple,
    to_status: str,
    *,
    by: User | None,
    reason: str,
    audit_action: str = "couples.case.transition",
    unmet_guards: Sequence[str] = (),
) -> CaseTransition:
    """Move a case returned by `lock_case` to `to_status`; return the transition written.

    1. The lifecycle must allow the move (ActionError otherwise).
    2. The transition row (append-only) records who (None: Rebond itself), why, and the guards
       a clinician overrode.
    3. The status is saved and audited in the same transaction. The reason may be clinical: it
       stays on the transition row; the audit entry only says that the status changed.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("move_case() must run inside the transaction that locked the case.")
    refuse_unless_allowed(couple, to_status)
    transition = CaseTransition.objects.create(
        couple=couple,
        from_status=couple.status,
        to_status=to_status,
        by=by,
        reason=reason,
        is_override=bool(unmet_guards),
        unmet_guards=list(unmet_guards),
    )
    couple.status = to_status
    couple.save(update_fields=["status", "updated_at"])
    audit.log(
        actor=by, action=audit_action, obj=couple, clinic_id=couple.clinic_id, fields=["status"]
    )
    return transition


def record_opening(couple: Couple, *, by: User, reason: str) -> CaseTransition:
    """Write a new case's first step: from nothing to the status it was opened in."""
    return CaseTransition.objects.create(
        couple=couple, from_status="", to_status=couple.status, by=by, reason=reason
    )
