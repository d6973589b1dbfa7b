"""What a partner may see (through their private link, never a login): their own, and of the
couple only what the rules below allow. Partners never reach a clinician's fetches.

- injuries: the table below (`injuries_visible_to_partner`, `injuries_for_partner`);
- check-ins: their own, never the other partner's (`administrations_for_partner`);
- safety plans: their own plans the clinician shared with them (`plans_visible_to_partner`);
- scores: their own, never a risk instrument's; the couple chart (both partners' outcome
  scores) only when both consented to feedback and no safety concern is open
  (`submissions_shown_to_partner`, `couple_chart_allowed`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from rebond.access.base import get_or_404
from rebond.alerts.models import SafetyPlan
from rebond.assessments.models import Administration, Submission
from rebond.couples.models import ConsentDocument, ConsentRecord, Injury, Partner, SafetyConcern

# Who sees an injury (DOMAIN 7.1 `visibility`, 7.5; issue 15 A1). "Shared" is the clinician's
# choice for that partner (`shared_with_hurt_partner` / `shared_with_hurtful_partner`, default
# no). Clinicians on the case (and the supervisor) see every injury, voided ones struck through.
#
#   disclosure state           | hurt partner        | hurtful partner
#   ---------------------------+---------------------+------------------------------------------
#   disclosed privately        | no                  | no
#   facilitated disclosure     | no                  | no
#     planned                  |                     |
#   known to both              | if shared with them | if shared with them, never for a threat
#   disclosed in session       | if shared with them | if shared with them, never for a threat
#   any state, voided          | no                  | no
#
# "Threat" is the SAFETY_THREAT kind: it is never shown to the partner recorded as causing it,
# in any state and whatever was chosen (safety-restricted). A partner who reported an injury
# privately is not shown it either: their space may be read on a shared device. What a partner
# is shown of a visible injury is `PartnerInjury` below: one calm wording for every kind (a
# kind-specific wording would name a threat) and the partner-facing summary the clinician wrote
# for that purpose. The onset and the formulation (clinician free text) are never shown.
BOTH_PARTNERS_KNOW = (Injury.Disclosure.KNOWN_TO_BOTH, Injury.Disclosure.DISCLOSED_IN_SESSION)
# Marked for translation; a partner reads it in their language (`gettext` where it is shown).
PARTNER_INJURY_WORDS = gettext_noop("Something you are working through with your therapist")


@dataclass(frozen=True)
class PartnerInjury:
    """All a partner may read of one injury: no kind, no onset, no formulation."""

    id: uuid.UUID
    words: str
    summary: str


def injuries_visible_to_partner(partner: Partner) -> QuerySet[Injury]:
    """Return the injuries a partner may be shown (the table above)."""
    shared_with_them = Q(hurt_partner=partner, shared_with_hurt_partner=True) | Q(
        hurtful_partner=partner, shared_with_hurtful_partner=True
    )
    causes_the_threat = Q(category=Injury.Category.SAFETY_THREAT, hurtful_partner=partner)
    return (
        Injury.objects.filter(couple_id=partner.couple_id, voided_at=None)
        .filter(disclosure_state__in=BOTH_PARTNERS_KNOW)
        .filter(shared_with_them)
        .exclude(causes_the_threat)
    )


def injuries_for_partner(partner: Partner) -> list[PartnerInjury]:
    """Return what the partner is shown of each injury they may see, oldest first."""
    return [
        PartnerInjury(injury.id, _(PARTNER_INJURY_WORDS), injury.partner_summary)
        for injury in injuries_visible_to_partner(partner).order_by("created_at")
    ]


# --- Check-ins ---------------------------------------------------------------------------------


def administrations_for_partner(partner: Partner) -> QuerySet[Administration]:
    """Return the partner's own administrations, never the other partner's (LK-03, AC-04)."""
    return Administration.objects.filter(partner=partner, couple_id=partner.couple_id)


def get_administration_for_partner(
    partner: Partner, administration_id: uuid.UUID | str
) -> Administration:
    """Return one of the partner's own administrations, or raise Http404 (no probing)."""
    return get_or_404(
        administrations_for_partner(partner).select_related("couple"), administration_id
    )


# --- Safety plans ------------------------------------------------------------------------------


def plans_visible_to_partner(partner: Partner) -> QuerySet[SafetyPlan]:
    """Return the safety plans shared with this partner: their own, never the other's.

    A plan is shared only with the partner it was written for (DOMAIN 7.1 SafetyPlan, 7.5);
    the couple filter keeps a plan moved between couples by a bug out of reach too.
    """
    return SafetyPlan.objects.filter(
        partner_id=partner.pk, couple_id=partner.couple_id, shared_with_partner=True
    ).order_by("created_at")


# --- Scores (rebond/measurement/summary.py draws them) -------------------------------------------


def submissions_shown_to_partner(partner: Partner) -> QuerySet[Submission]:
    """Return the partner's own complete check-ins that a partner may be shown the scores of:
    never a risk instrument's (risk screens are not shown to partners by default, and never to
    the other partner). The other partner's are shown only on the couple chart, and only when
    `couple_chart_allowed`."""
    return Submission.objects.filter(
        administration__partner_id=partner.pk,
        administration__couple_id=partner.couple_id,
        administration__is_risk=False,
        complete=True,
    )


def couple_chart_allowed(partner: Partner) -> tuple[bool, str]:
    """Return whether both partners consented to feedback and no safety concern is open, and
    if not, the sentence that tells the partner so (in the active language: theirs)."""
    kind = ConsentDocument.Kind.MEASUREMENT_FEEDBACK
    consenting = set(
        ConsentRecord.objects.filter(
            partner__couple_id=partner.couple_id, document__kind=kind, withdrawn_at=None
        ).values_list("partner_id", flat=True)
    )
    partners = set(Partner.objects.filter(couple_id=partner.couple_id).values_list("id", flat=True))
    if len(partners) < 2 or consenting != partners:
        return False, _(
            "A chart of you both is shown only when both of you have agreed to share"
            " questionnaire feedback."
        )
    open_concern = SafetyConcern.objects.filter(couple_id=partner.couple_id).exclude(
        status=SafetyConcern.Status.CLOSED
    )
    if open_concern.exists():
        return False, _("A chart of you both is not available at the moment.")
    return True, ""
