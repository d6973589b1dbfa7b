"""The therapy process of the demo practice (rebond/therapy), built once per case.

Three synthetic couples show what the therapy pages are for:
- Okafor & Lindqvist walk from assessment to EFT Stage 3, and Saga's emotional affair, an
  attachment injury for Tobi, is resolved through the eight AIRM steps on the way;
- Haddad & Moreau are in Stage 2, and the AIRM of Sami's absence at a bereavement has stalled
  (no step in four sessions), which prompts a consultation;
- Novak & Ferreira are paused for safety: coercive control came to light in an individual
  session, conjoint work and the AIRM are suspended.

Every move goes through `rebond.therapy.actions`, so the guards of DOMAIN 7.3 and 7.4 hold in
the demo as they do in use: the stage gates are met by the marker ratings of the sessions, not
overridden. Every name and word here is invented.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils.timezone import localtime, now

from rebond.accounts.models import Clinic
from rebond.alerts import safety_plans
from rebond.couples import actions as couple_actions
from rebond.couples.models import Couple, Injury, Partner
from rebond.lib.clinic_time import clinic_time
from rebond.therapy import actions
from rebond.therapy.actions import PositionDraft, RatingDraft, SessionDraft
from rebond.therapy.models import Session, TherapySettings

EACH = "each"  # rate the marker for both partners


@dataclass
class Visit:
    """One demo session: when, who, why, what was rated, and what moved after it."""

    days_ago: float
    purpose: str
    ratings: list[tuple[str, str, int]] = field(default_factory=list)  # (code, A|B|C|each, 0-2)
    stage: list[str] = field(default_factory=list)
    airm: list[str] = field(default_factory=list)
    kind: str = Session.Kind.CONJOINT
    alone: str = ""  # the partner role of an individual session
    note: str = ""
    reason: str = ""


def _deesc(rating: int, *numbers: int) -> list[tuple[str, str, int]]:
    return [(f"EFT.DEESC.{n}", EACH, rating) for n in numbers]


OKAFOR = [
    Visit(
        84,
        "Assessment: joint session",
        [("EFT.STEP.1", "C", 1)],
        note="Both describe the discovery of Saga's messages as the start of the crisis. "
        "Alliance forming with both; Tobi wants to improve, Saga to clarify.",
    ),
    Visit(81, "Individual assessment: safety screen", kind="individual", alone="A"),
    Visit(80, "Individual assessment: safety screen", kind="individual", alone="B"),
    Visit(77, "Assessment: goals and history", [("EFT.STEP.1", "C", 2)], stage=["S2"]),
    Visit(70, "Mapping the cycle", [("EFT.STEP.2", "C", 2), *_deesc(1, 1)], stage=["S3"]),
    Visit(
        63,
        "Emotions under the cycle",
        [("EFT.STEP.3", EACH, 2), *_deesc(1, 2), ("AIRM.1", "I", 2)],
        stage=["S4"],
        airm=["a1"],
        reason="The affair comes up vividly, with 'never again'.",
    ),
    Visit(
        56,
        "Reframe; AIRM: the hurtful partner's account",
        [*_deesc(1, 1, 2, 3, 4), ("EFT.STEP.4", "C", 1), ("AIRM.2", "I", 2)],
        airm=["a2"],
    ),
    Visit(
        49,
        "De-escalation review; AIRM continues",
        [
            *_deesc(2, 1, 2, 3, 4),
            ("EFT.DEESC.5", "C", 2),
            ("EFT.DEESC.6", "C", 1),
            ("EFT.STEP.4", "C", 2),
            ("AIRM.3", "I", 2),
        ],
        stage=["WRE5"],
        airm=["a3"],
        note="De-escalated: both name the pursue-withdraw dance as 'the storm'.",
    ),
    Visit(
        42,
        "Withdrawer re-engagement; AIRM: accounting",
        [("EFT.STEP.5", "B", 2), ("AIRM.4", "I", 2)],
        stage=["WRE6"],
        airm=["a4"],
    ),
    Visit(
        35,
        "Withdrawer re-engagement; AIRM: grief",
        [("EFT.STEP.6", "A", 2), ("AIRM.5", "I", 2)],
        stage=["WRE7"],
        airm=["a5"],
    ),
    Visit(
        28,
        "Enactment; AIRM: remorse",
        [("EFT.STEP.7", "C", 2), ("AIRM.6", "I", 2)],
        airm=["a6"],
        note="Saga asked Tobi to stay close when she goes quiet; Tobi could stay. Process: "
        "Saga's remorse was felt, not formulaic; Tobi softened in the room.",
    ),
    Visit(
        21,
        "AIRM: request for comfort and antidote",
        [("AIRM.7", "I", 2), ("AIRM.8", "I", 2)],
        airm=["a7", "a8", "resolved"],
        stage=["BLS5"],
        note="The antidote bonding event: Tobi asked for the comfort missing "
        "that autumn; Saga gave it. Injury resolved.",
    ),
    Visit(
        14,
        "Blamer softening",
        [("EFT.STEP.5", "A", 2), ("EFT.STEP.6", "B", 2)],
        stage=["BLS6", "BLS7"],
    ),
    Visit(
        7,
        "Blamer softening: bonding event",
        [("EFT.STEP.7", "C", 2), ("EFT.STEP.8", "C", 1)],
        stage=["S8"],
    ),
    Visit(
        1,
        "Consolidation",
        [("EFT.STEP.8", "C", 2), ("EFT.STEP.9", "C", 1)],
        stage=["S9"],
        note="They solved the holiday plans without the storm. Start planning the ending.",
    ),
]

HADDAD = [
    Visit(70, "Assessment: joint session", [("EFT.STEP.1", "C", 2)], stage=["S2"]),
    Visit(63, "Mapping the cycle", [("EFT.STEP.2", "C", 2), *_deesc(1, 1, 2)], stage=["S3"]),
    Visit(
        56,
        "Emotions under the cycle; AIRM begins",
        [("EFT.STEP.3", EACH, 2), *_deesc(1, 3, 4), ("AIRM.1", "I", 2)],
        stage=["S4"],
        airm=["a1"],
        reason="Élodie relives the funeral week.",
    ),
    Visit(
        49,
        "Reframe; AIRM: defensive stance",
        [*_deesc(2, 1, 2, 3, 4), ("EFT.STEP.4", "C", 2), ("AIRM.2", "I", 2)],
        stage=["WRE5"],
        airm=["a2"],
    ),
    Visit(42, "AIRM: hurt partner's fears", [("AIRM.3", "I", 2)], airm=["a3"]),
    Visit(35, "AIRM: hurtful partner's account", [("AIRM.4", "I", 1), ("EFT.STEP.5", "A", 1)]),
    Visit(
        28,
        "AIRM: hurtful partner's account",
        [("AIRM.4", "I", 1)],
        note="Process: Sami explains the work trip again; Élodie hears justification.",
    ),
    Visit(21, "AIRM: hurtful partner's account", [("AIRM.4", "I", 0)]),
    Visit(
        14,
        "AIRM: hurtful partner's account",
        [("AIRM.4", "I", 1)],
        note="Stuck at step 4 for four sessions: bring to supervision.",
    ),
]

NOVAK = [
    Visit(63, "Assessment: joint session", [("EFT.STEP.1", "C", 2)], stage=["S2"]),
    Visit(60, "Individual assessment: safety screen", kind="individual", alone="A"),
    Visit(59, "Individual assessment: safety screen", kind="individual", alone="B"),
    Visit(
        49,
        "Mapping the cycle",
        [("EFT.STEP.2", "C", 2), ("AIRM.1", "I", 2)],
        stage=["S3"],
        airm=["a1"],
    ),
    Visit(
        35, "Emotions under the cycle", [("EFT.STEP.3", EACH, 1), ("AIRM.2", "I", 1)], airm=["a2"]
    ),
    Visit(
        14,
        "IPV follow-up",
        kind="individual",
        alone="A",
        note="Safety note: Dana describes monitoring of her phone and money; safety plan "
        "made; conjoint sessions paused.",
    ),
    Visit(7, "IPV follow-up", kind="individual", alone="A"),
]


def build_demo_therapy(clinic: Clinic) -> None:
    """Give the three demo cases their therapy process, once (nothing if a case has sessions)."""
    actions.ensure_marker_catalogue()
    TherapySettings.objects.get_or_create(clinic=clinic)
    by_label = {c.label: c for c in Couple.objects.filter(clinic=clinic)}
    # Session times are the clinic's clock times (17:00 there, summer and winter).
    with clinic_time(clinic):
        if "Okafor & Lindqvist" in by_label:
            _okafor(by_label["Okafor & Lindqvist"])
        if "Haddad & Moreau" in by_label:
            _haddad(by_label["Haddad & Moreau"])
        if "Novak & Ferreira" in by_label:
            _novak(by_label["Novak & Ferreira"])


def _partners(couple: Couple) -> dict[str, Partner]:
    return {p.role: p for p in couple.partners.all()}


def _ago(days: float) -> datetime:
    # Sessions at 17:00 on their day at the clinic, so that a week reads as a week.
    day = localtime(now() - timedelta(days=days))
    return day.replace(hour=17, minute=0, second=0, microsecond=0)


def _play(couple: Couple, injury: Injury, visits: list[Visit]) -> None:
    """Record each visit's session and ratings, then its moves, at the session's time."""
    therapist = couple.primary_clinician
    partners = _partners(couple)
    for visit in visits:
        at = _ago(visit.days_ago)
        if visit.kind == Session.Kind.INDIVIDUAL:
            attendees = [partners[visit.alone].id]
            label = "Individual session"
        else:
            attendees = [p.id for p in partners.values()]
            label = "Session"
        ratings = []
        for code, target, rating in visit.ratings:
            if target == "I":
                ratings.append(RatingDraft(code, rating, injury_id=injury.id))
            elif target == "C":
                ratings.append(RatingDraft(code, rating))
            else:
                roles = ["A", "B"] if target == EACH else [target]
                ratings += [RatingDraft(code, rating, partner_id=partners[r].id) for r in roles]
        session = actions.record_session(
            therapist,
            couple.id,
            SessionDraft(
                kind=visit.kind,
                occurred_at=at,
                attendee_ids=attendees,
                shared_label=label,
                clinical_purpose=visit.purpose,
                airm_injury_ids=[injury.id] if any(t == "I" for _, t, _ in visit.ratings) else [],
            ),
            ratings,
            at=at,
        )
        moved_at = at + timedelta(minutes=55)
        for state in visit.airm:
            actions.move_airm(
                therapist,
                injury.id,
                state,
                reason=visit.reason if state == "a1" else "",
                attest=state == "resolved",
                session_id=session.id,
                at=moved_at,
            )
        for position in visit.stage:
            actions.move_stage(
                therapist, couple.id, position, attest=True, session_id=session.id, at=moved_at
            )
        if visit.note:
            kind = "safety" if visit.note.startswith("Safety") else "progress"
            if visit.note.startswith("Process"):
                kind = "process"
            actions.write_note(
                therapist, couple.id, kind=kind, body=visit.note, session_id=session.id, at=moved_at
            )


def _attachment_injury(couple: Couple, injury: Injury | None) -> Injury:
    if injury is None:
        raise LookupError(f"The demo case {couple.label} has no injury to work on.")
    if not injury.is_attachment_injury:
        couple_actions.update_injury_formulation(
            couple.primary_clinician,
            injury.id,
            is_attachment_injury=True,
            complex=injury.complex,
            ongoing=False,
            disclosure_state=injury.disclosure_state,
        )
        injury.refresh_from_db()
    return injury


def _okafor(couple: Couple) -> None:
    if Session.objects.filter(couple=couple).exists():
        return
    injury = _attachment_injury(couple, couple.injuries.order_by("created_at").first())
    _play(couple, injury, OKAFOR)
    p = _partners(couple)
    actions.save_cycle(
        couple.primary_clinician,
        couple.id,
        pattern="pursue_withdraw",
        trigger="Saga comes home late or goes quiet on her phone",
        positions=[
            PositionDraft(
                p["A"].id,
                "pursuer",
                "questions, criticises, follows her from room to room",
                "anger, suspicion",
                "fear, hurt",
                "being left again, not mattering",
                "reassurance that he is chosen",
            ),
            PositionDraft(
                p["B"].id,
                "withdrawer",
                "goes quiet, explains, leaves the room",
                "numbness, irritation",
                "shame, helplessness",
                "failing him whatever she does",
                "to be seen as trying, not as the enemy",
            ),
        ],
    )
    # A note from today, still open for changes for 24 hours.
    actions.write_note(
        couple.primary_clinician,
        couple.id,
        kind="progress",
        body="Planning the ending: three more sessions, then follow-up at 6 months.",
    )


def _haddad(couple: Couple) -> None:
    if Session.objects.filter(couple=couple).exists():
        return
    p = _partners(couple)
    injury = couple_actions.record_injury(
        couple.primary_clinician,
        couple.id,
        couple_actions.InjuryDraft(
            category=Injury.Category.ATTACHMENT_NEGLECT,
            subtype=Injury.Subtype.UNAVAILABLE_AT_BEREAVEMENT,
            hurt_partner_id=p["B"].id,
            hurtful_partner_id=p["A"].id,
            reported_by_id=p["B"].id,
            disclosure_state=Injury.Disclosure.KNOWN_TO_BOTH,
            onset_period="When Élodie's father died, three years ago",
            is_attachment_injury=True,
            severity_by_hurt_partner=9,
        ),
    )
    _play(couple, injury, HADDAD)
    actions.save_cycle(
        couple.primary_clinician,
        couple.id,
        pattern="withdraw_withdraw",
        trigger="Anniversaries, and talk of work trips",
        positions=[
            PositionDraft(
                p["A"].id,
                "withdrawer",
                "works late, changes the subject",
                "numbness",
                "guilt, fear of being a failure",
                "being unforgivable",
                "a chance to make it right",
            ),
            PositionDraft(
                p["B"].id,
                "withdrawer",
                "stops asking, sleeps early",
                "cold anger",
                "grief, loneliness",
                "being alone in the worst moments",
                "to know he will come",
            ),
        ],
    )


def _novak(couple: Couple) -> None:
    if Session.objects.filter(couple=couple).exists():
        return
    therapist = couple.primary_clinician
    p = _partners(couple)
    injury = couple_actions.record_injury(
        therapist,
        couple.id,
        couple_actions.InjuryDraft(
            category=Injury.Category.INFIDELITY,
            subtype=Injury.Subtype.ONLINE_SEXUAL,
            hurt_partner_id=p["B"].id,
            hurtful_partner_id=p["A"].id,
            reported_by_id=p["B"].id,
            disclosure_state=Injury.Disclosure.KNOWN_TO_BOTH,
            is_attachment_injury=True,
        ),
    )
    _play(couple, injury, NOVAK[:5])
    # Coercive control comes to light: a safety concern at HIGH, the AIRM suspended.
    threat = couple_actions.record_injury(
        therapist,
        couple.id,
        couple_actions.InjuryDraft(
            category=Injury.Category.SAFETY_THREAT,
            subtype=Injury.Subtype.COERCIVE_CONTROL,
            hurt_partner_id=p["A"].id,
            hurtful_partner_id=p["B"].id,
            reported_by_id=p["A"].id,
            disclosure_state=Injury.Disclosure.DISCLOSED_PRIVATELY,
            ongoing=True,
        ),
    )
    concern = threat.safety_concerns.get()
    safety_plans.update_safety_concern(
        therapist, couple.id, concern.id, level=3, status=concern.status
    )
    actions.move_airm(
        therapist,
        injury.id,
        "suspended_safety",
        reason="Coercive control disclosed individually; conjoint work paused.",
        at=_ago(20),
    )
    _play(couple, injury, NOVAK[5:])
