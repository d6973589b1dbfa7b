"""The default assessment schedule (DOMAIN.md 8), and each clinic's and case's own version.

DOMAIN 8 names instruments the catalogue does not offer yet. The default here keeps only
instruments of the default catalogue that have their wording (`checkins.schedulable_instruments`):
CSI-16 and CSI-32 stay out until their scoring key is verified, so CSI-4 stands in for them;
PHQ-9 is given whole at every session because its item 9 is the "every contact" suicide item
(Zero Suicide, DOMAIN 4.5). Nothing is stored until a clinic or a case changes its schedule.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rebond.assessments.checkins import schedulable_instruments
from rebond.assessments.models import Occasion, ScheduleRule
from rebond.couples.models import Couple

# DOMAIN 8, per occasion, limited to what the catalogue can show (filtered by default_schedule).
DOMAIN_SCHEDULE: dict[str, tuple[str, ...]] = {
    Occasion.INTAKE: ("PHQ-9", "GAD-7", "CSI-4", "ASQ", "HARK"),
    Occasion.EVERY_SESSION: ("CSI-4", "PHQ-9"),
    Occasion.SESSION_4: ("ECR-RS",),
    Occasion.EVERY_5_SESSIONS: ("PHQ-9", "GAD-7", "CSI-4"),
    Occasion.END: ("PHQ-9", "GAD-7", "CSI-4"),
    Occasion.FOLLOW_UP: ("CSI-4",),
}
NOT_YET_OFFERED = _(
    "CSI-16 and CSI-32 are not in the default catalogue: part of their scoring key is not "
    "verified, so CSI-4 stands in for them. A clinic admin can offer them after checking the "
    "key (Check-in settings)."
)

Sets = dict[str, list[str]]


def schedulable_codes(clinic_id: uuid.UUID | None = None) -> list[str]:
    """Return the codes a schedule may name (with the clinic's approvals), in catalogue order."""
    return [inst.code for inst in schedulable_instruments(clinic_id)]


def in_catalogue_order(codes: Iterable[str], clinic_id: uuid.UUID | None = None) -> list[str]:
    wanted = set(codes)
    return [code for code in schedulable_codes(clinic_id) if code in wanted]


def default_schedule() -> Sets:
    """Return DOMAIN 8's sets, each limited to instruments the catalogue offers."""
    return {occasion: in_catalogue_order(DOMAIN_SCHEDULE[occasion]) for occasion in Occasion}


def _sets_from(rules: Iterable[ScheduleRule], offered: list[str]) -> Sets:
    """Return {occasion: active codes} of these rules, limited to `offered`, in its order."""
    sets: dict[str, list[str]] = {}
    for rule in rules:
        codes = sets.setdefault(rule.occasion, [])
        if rule.is_active:
            codes.append(rule.instrument_code)
    return {
        occasion: [code for code in offered if code in set(codes)]
        for occasion, codes in sets.items()
    }


def clinic_schedule(clinic_id: uuid.UUID) -> Sets:
    """Return the clinic's sets: its own where it has rows, the default elsewhere."""
    sets = default_schedule()
    rules = ScheduleRule.objects.filter(clinic_id=clinic_id, couple=None)
    sets.update(_sets_from(rules, schedulable_codes(clinic_id)))
    return sets


def case_schedule(couple: Couple) -> tuple[Sets, set[str]]:
    """Return the case's sets and the occasions it overrides (one query)."""
    both_levels = Q(couple=None) | Q(couple=couple)
    rules = list(ScheduleRule.objects.filter(both_levels, clinic_id=couple.clinic_id))
    sets = default_schedule()
    offered = schedulable_codes(couple.clinic_id)
    sets.update(_sets_from((r for r in rules if r.couple_id is None), offered))
    own = _sets_from((r for r in rules if r.couple_id is not None), offered)
    sets.update(own)
    return sets, set(own)
