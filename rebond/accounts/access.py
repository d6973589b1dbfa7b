"""The gateway through which every clinical query passes.

Rules (DOMAIN.md 7.5, SECURITY.md 1.4 "enforce it in one place"):

1. A clinician sees only their own clinic's rows. This filter comes first and is unconditional,
   so clinic B's data cannot be reached from clinic A even by a bug further down.
2. Within the clinic, a clinician sees a couple's case only when they are its primary
   clinician, a co-clinician, or its assigned supervisor, or hold a live emergency grant to
   it (rebond/emergency). A clinic admin sees no clinical data through being an admin.
3. A fetch that is not allowed looks exactly like a fetch of a row that does not exist (404),
   so ids cannot be probed.

Views, API endpoints, exports and background jobs call these functions; they never build
clinical querysets themselves. Each condition sits on its own line so that coverage shows every
case is tested (zulip's `access_stream_by_id` convention).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils.timezone import now

from rebond.accounts.models import Clinic, User
from rebond.alerts.models import Alert
from rebond.assessments.models import Administration
from rebond.couples.models import ConsentRecord, ContactChannel, Couple, Injury, Partner


def _clinic_id(user: User) -> uuid.UUID | None:
    """Return the clinic whose data the user may reach, or None for no clinic at all."""
    if not user.is_authenticated:
        return None
    if not user.is_active:
        return None
    return user.clinic_id


def couples_for_clinician(user: User) -> QuerySet[Couple]:
    """Return the couples whose case the clinician works on, in their clinic only."""
    clinic_id = _clinic_id(user)
    if clinic_id is None:
        return Couple.objects.none()
    on_case = Q(primary_clinician=user) | Q(co_clinicians=user) | Q(supervisor=user)
    # Emergency (break-glass) access a clinic admin granted, until it ends (rebond/emergency).
    on_case |= Q(
        emergency_grants__grantee=user,
        emergency_grants__approved_at__isnull=False,
        emergency_grants__ended_at=None,
        emergency_grants__expires_at__gt=now(),
    )
    # The subquery keeps the result free of duplicate rows from the co-clinician join while
    # staying a plain queryset that callers can filter, order and annotate further.
    ids = Couple.objects.filter(clinic_id=clinic_id).filter(on_case).values("id")
    return Couple.objects.filter(clinic_id=clinic_id, id__in=ids)


def get_couple_for_clinician(user: User, couple_id: uuid.UUID | str) -> Couple:
    """Return one couple the clinician works on, or raise Http404 (never 403: no probing)."""
    try:
        return couples_for_clinician(user).get(id=couple_id)
    except (Couple.DoesNotExist, ValidationError) as exc:
        raise Http404("No such case.") from exc


def partners_for_clinician(user: User) -> QuerySet[Partner]:
    """Return the partners of the couples the clinician works on."""
    return Partner.objects.filter(couple__in=couples_for_clinician(user))


M = TypeVar("M", bound=Model)


def _get_or_404(queryset: QuerySet[M], object_id: uuid.UUID | str) -> M:
    try:
        return queryset.get(id=object_id)
    except (ObjectDoesNotExist, ValidationError) as exc:
        raise Http404("Not found.") from exc


def get_partner_for_clinician(user: User, partner_id: uuid.UUID | str) -> Partner:
    """Return one partner of a couple the clinician works on, or raise Http404."""
    return _get_or_404(partners_for_clinician(user).select_related("couple"), partner_id)


def get_channel_for_clinician(user: User, channel_id: uuid.UUID | str) -> ContactChannel:
    """Return one contact channel of a partner the clinician may see, or raise Http404."""
    channels = ContactChannel.objects.filter(partner__in=partners_for_clinician(user))
    return _get_or_404(channels.select_related("partner__couple"), channel_id)


def get_consent_for_clinician(user: User, consent_id: uuid.UUID | str) -> ConsentRecord:
    """Return one consent record of a partner the clinician may see, or raise Http404."""
    consents = ConsentRecord.objects.filter(partner__in=partners_for_clinician(user))
    return _get_or_404(consents.select_related("partner__couple"), consent_id)


def injuries_for_clinician(user: User) -> QuerySet[Injury]:
    """Return the injuries recorded on the couples the clinician works on."""
    return Injury.objects.filter(couple__in=couples_for_clinician(user))


def get_injury_for_clinician(user: User, injury_id: uuid.UUID | str) -> Injury:
    """Return one injury of a couple the clinician works on, or raise Http404."""
    return _get_or_404(injuries_for_clinician(user).select_related("couple"), injury_id)


# --- A partner's own view (through a private link, never a login) ----------------------------


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
PARTNER_INJURY_WORDS = "Something you are working through with your therapist"


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
        PartnerInjury(injury.id, PARTNER_INJURY_WORDS, injury.partner_summary)
        for injury in injuries_visible_to_partner(partner).order_by("created_at")
    ]


# --- Administrations (assessments) ------------------------------------------------------------


def administrations_for_clinician(user: User) -> QuerySet[Administration]:
    """Return the administrations of the couples the clinician works on."""
    return Administration.objects.filter(couple__in=couples_for_clinician(user))


def get_administration_for_clinician(
    user: User, administration_id: uuid.UUID | str
) -> Administration:
    """Return one administration of a couple the clinician works on, or raise Http404."""
    return _get_or_404(
        administrations_for_clinician(user).select_related("couple", "partner"), administration_id
    )


def administrations_for_partner(partner: Partner) -> QuerySet[Administration]:
    """Return the partner's own administrations, never the other partner's (LK-03, AC-04)."""
    return Administration.objects.filter(partner=partner, couple_id=partner.couple_id)


def get_administration_for_partner(
    partner: Partner, administration_id: uuid.UUID | str
) -> Administration:
    """Return one of the partner's own administrations, or raise Http404 (no probing)."""
    return _get_or_404(
        administrations_for_partner(partner).select_related("couple"), administration_id
    )


# --- Alerts -----------------------------------------------------------------------------------


def alerts_for_clinician(user: User) -> QuerySet[Alert]:
    """Return the alerts addressed or escalated to the clinician, in their clinic only.

    Being on the case is not enough after the fact: an alert goes to the clinicians on the case
    when it is raised (its recipients) and to the safety leads it is escalated to. Being a
    recipient is not enough either once off the case: a recipient sees it while on the case.
    """
    clinic_id = _clinic_id(user)
    if clinic_id is None:
        return Alert.objects.none()
    # A recipient keeps the alert only while on its case: taken off the team, or gone after
    # handing the case over, they lose it with the case, at once (issue 16 item 5). A safety
    # lead it was escalated to keeps it: escalation does not follow the team.
    on_case = couples_for_clinician(user).values("id")
    mine = Q(recipients=user, couple_id__in=on_case) | Q(escalated_to=user)
    ids = Alert.objects.filter(clinic_id=clinic_id).filter(mine).values("id")
    return Alert.objects.filter(clinic_id=clinic_id, id__in=ids)


def get_alert_for_clinician(user: User, alert_id: uuid.UUID | str) -> Alert:
    """Return one alert the clinician may see, or raise Http404."""
    return _get_or_404(alerts_for_clinician(user).select_related("couple", "clinic"), alert_id)


def works_on_case(user: User, couple: Couple) -> bool:
    """Return whether the clinician is on the case: primary, co-clinician or its supervisor."""
    return (
        couple.primary_clinician_id == user.pk
        or couple.supervisor_id == user.pk
        or couple.co_clinicians.filter(pk=user.pk).exists()
    )


class SettingsRefused(PermissionDenied):
    """A clinician of the clinic opened a settings page that only some colleagues may change.

    A 403 that names who can (rebond/accounts/views.permission_denied), not a 404: these pages
    hold no clinical data and their existence is no secret inside the clinic, and the clinician
    needs to know whom to ask. Anyone outside the clinic still gets a 404.
    """

    def __init__(self, clinic: Clinic, *, safety_leads_too: bool = False) -> None:
        who = "clinic admins and safety leads" if safety_leads_too else "clinic admins"
        super().__init__(f"Only {who} can change these settings.")
        self.clinic = clinic
        self.who = who
        self.safety_leads_too = safety_leads_too

    def deciders(self) -> list[User]:
        """Return the clinic's active clinicians who can change these settings."""
        allowed = Q(is_clinic_admin=True)
        if self.safety_leads_too:
            allowed |= Q(is_safety_lead=True)
        return list(User.objects.filter(allowed, clinic=self.clinic, is_active=True))


def get_settings_clinic(user: User, *, safety_leads_too: bool = False) -> Clinic:
    """Return the clinic whose settings the user may change (its admins; leads where said).

    Another clinician of the clinic gets SettingsRefused (403 naming who can); anyone without
    a clinic gets 404. Clinic settings pages and grants ask this; it gives no clinical access.
    """
    if not user.is_authenticated or not user.is_active or user.clinic is None:
        raise Http404("Not found.")
    if user.is_clinic_admin:
        return user.clinic
    if safety_leads_too and user.is_safety_lead:
        return user.clinic
    raise SettingsRefused(user.clinic, safety_leads_too=safety_leads_too)


def get_admin_clinic(user: User) -> Clinic:
    """Return the clinic an active clinic admin administers (SettingsRefused / 404 otherwise)."""
    return get_settings_clinic(user)


def get_clinician_for_admin(user: User, clinician_id: uuid.UUID | str) -> User:
    """Return a clinician of the clinic `user` administers (themselves included, active or
    not); raise Http404 for anyone else's, SettingsRefused for a clinician who is no admin."""
    clinic = get_admin_clinic(user)
    return _get_or_404(User.objects.filter(clinic=clinic).select_related("clinic"), clinician_id)


def is_emergency_reader(user: User, couple_id: uuid.UUID | str) -> bool:
    """Return whether the clinician reaches this case only through a live emergency grant."""
    from rebond.emergency.models import EmergencyAccess

    clinic_id = _clinic_id(user)
    if clinic_id is None:
        return False
    try:
        couple = Couple.objects.get(id=couple_id, clinic_id=clinic_id)
    except (Couple.DoesNotExist, ValidationError):
        return False
    if works_on_case(user, couple):
        return False
    return EmergencyAccess.objects.filter(
        couple=couple,
        grantee=user,
        approved_at__isnull=False,
        ended_at=None,
        expires_at__gt=now(),
    ).exists()


# --- Case teams (issue 16 item 5) -------------------------------------------------------------
#
# Who sees a case's team, and who changes it:
#
#   viewer                                   | sees the team      | changes it
#   -----------------------------------------+--------------------+---------------------------
#   the primary clinician                    | yes (case page)    | yes
#   a co-therapist, the supervisor, an       | yes (case page)    | no (403 naming who can)
#     emergency reader                       |                    |
#   a clinic admin of the case's clinic      | yes (team page:    | yes
#     (on the case or not)                   |   names and roles) |
#   any other clinician of the clinic        | no (404)           | no (404)
#   anyone of another clinic, or inactive    | no (404)           | no (404)
#
# A clinic admin who is not on the case sees no clinical data through being an admin
# (DOMAIN 7.5): what they are given is a `CaseTeam`, which holds the case's reference and its
# people, never the Couple row (no label, status, partner or anything typed about the case).
# Access to the case itself follows the team at once: couples_for_clinician() reads the team
# on every request.


@dataclass(frozen=True)
class CaseTeam:
    """A case's team as anyone who may see it is shown it: its reference and its people."""

    couple_id: uuid.UUID
    clinic_id: uuid.UUID
    reference: str
    primary: User
    co_therapists: tuple[User, ...]
    supervisor: User | None
    # The viewer's standing: works on the case (and so may open it), may change the team.
    viewer_on_case: bool
    viewer_may_change: bool

    @property
    def members(self) -> list[User]:
        """Return everyone on the team: primary, co-therapists, supervisor."""
        people = [self.primary, *self.co_therapists]
        return [*people, self.supervisor] if self.supervisor is not None else people


class TeamChangeRefused(PermissionDenied):
    """A clinician on the case (not its primary) tried to change its team: 403, naming who can.

    Not a 404: they see the team on the case page already, and need to know whom to ask.
    """

    def __init__(self, primary: User) -> None:
        super().__init__("Only the case's primary clinician or a clinic admin can change its team.")
        self.primary = primary


# The columns a team is built from: never the label or anything else typed about the case.
_TEAM_COLUMNS = ("id", "clinic", "primary_clinician", "supervisor")


def may_change_team(user: User, couple: Couple) -> bool:
    """Return whether the user may change this case's team: its primary or a clinic admin."""
    clinic_id = _clinic_id(user)
    if clinic_id is None or clinic_id != couple.clinic_id:
        return False
    if user.is_clinic_admin:
        return True
    return couple.primary_clinician_id == user.pk


def _team_couples(clinic_id: uuid.UUID) -> QuerySet[Couple]:
    return (
        Couple.objects.filter(clinic_id=clinic_id)
        .only(*_TEAM_COLUMNS)
        .select_related("primary_clinician", "supervisor")
        .prefetch_related("co_clinicians")
    )


def _team(couple: Couple, viewer: User, *, on_case: bool) -> CaseTeam:
    return CaseTeam(
        couple_id=couple.id,
        clinic_id=couple.clinic_id,
        reference=couple.reference,
        primary=couple.primary_clinician,
        co_therapists=tuple(sorted(couple.co_clinicians.all(), key=lambda u: u.display_name)),
        supervisor=couple.supervisor,
        viewer_on_case=on_case,
        viewer_may_change=may_change_team(viewer, couple),
    )


def get_case_team(user: User, couple_id: uuid.UUID | str) -> CaseTeam:
    """Return the team of a case the user is on or administers, or raise Http404."""
    clinic_id = _clinic_id(user)
    if clinic_id is None:
        raise Http404("No such case.")
    couple = _get_or_404(_team_couples(clinic_id), couple_id)
    on_case = couples_for_clinician(user).filter(id=couple.id).exists()
    if not on_case and not user.is_clinic_admin:
        raise Http404("No such case.")
    return _team(couple, user, on_case=on_case)


def get_couple_for_team_change(user: User, couple_id: uuid.UUID | str) -> Couple:
    """Return the case whose team the user is about to change, locked until the transaction
    ends (two changes of one team run one after the other).

    Raises Http404 for whoever may not see the team, TeamChangeRefused for a clinician on the
    case who may not change it. Call inside a transaction.
    """
    team = get_case_team(user, couple_id)
    # FOR NO KEY UPDATE: it does not block the key-share locks that PostgreSQL's deferred
    # foreign-key checks take at commit. A plain FOR UPDATE would deadlock with a transaction
    # that holds the audit chain and inserts a row of this case (a partner's submission and
    # its alert) while this one waits for the chain.
    couples = Couple.objects.select_for_update(no_key=True).only(*_TEAM_COLUMNS)
    couple = couples.get(id=team.couple_id)
    if not may_change_team(user, couple):
        raise TeamChangeRefused(team.primary)
    return couple


def case_teams_for_admin(user: User) -> list[CaseTeam]:
    """Return the teams of the clinic's active cases, for its clinic admin (SettingsRefused:
    403 naming the clinic admins for another clinician of the clinic; 404 without a clinic)."""
    clinic = get_admin_clinic(user)
    couples = list(_team_couples(clinic.id).exclude(status__in=Couple.INACTIVE_STATUSES))
    on_case = set(
        couples_for_clinician(user)
        .filter(id__in=[c.id for c in couples])
        .values_list("id", flat=True)
    )
    return [_team(c, user, on_case=c.id in on_case) for c in couples]
