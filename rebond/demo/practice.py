"""Build the synthetic demo practice: one clinic, two clinicians, a few couples, two
consultation requests waiting in the inbox, the clinic's crisis resources, and the
clinicians' calendars (rebond/demo/calendar.py).

Every name here is invented. Running `build_demo_practice()` again changes nothing but the
demo passwords and authenticator seeds, which are reset so the printed logins always work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils.timezone import localtime, now

from rebond.accounts import mfa
from rebond.accounts.models import Clinic, CrisisResource, TOTPDevice, User
from rebond.assessments import actions as assessment_actions
from rebond.assessments.models import Administration
from rebond.couples import actions
from rebond.couples.models import CaseTransition, ConsentDocument, Couple, Injury, Partner
from rebond.demo.calendar import build_demo_calendar
from rebond.demo.diary import build_demo_diary
from rebond.demo.shelf import build_demo_shelf
from rebond.demo.therapy import build_demo_therapy
from rebond.intake.models import ConsultationRequest
from rebond.lib.clinic_time import clinic_time

# Printed by `rebond demo`; the demo holds only synthetic data and refuses to load without DEBUG.
DEMO_PASSWORD = "demo-practice-only"  # noqa: S105
DEMO_CLINIC_SLUG = "harbour-demo"
# The demo clinicians' authenticator-app seed: published, like the password, so anyone trying
# the demo can get a code (`rebond demo --code`). Base32 of no real account.
DEMO_TOTP_SECRET = "REBONDDEMOSEEDPUBLICNOTASECRET22"  # noqa: S105


@dataclass(frozen=True)
class DemoLogin:
    email: str
    display_name: str
    roles: str


_CLINICIANS = [
    # (e-mail, name, therapist, supervisor, safety lead, clinic admin)
    ("therapist@demo.rebond.test", "Dr. Noor Castellan", True, False, False, False),
    ("supervisor@demo.rebond.test", "Dr. Ilse Marchetti", True, True, True, True),
]

_COUPLES = [
    # (label, status, primary e-mail, co-clinician e-mail or None, supervised, A, B)
    (
        "Okafor & Lindqvist",
        Couple.Status.CONJOINT_ACTIVE,
        0,
        None,
        True,
        "Tobi Okafor",
        "Saga Lindqvist",
    ),
    ("Reyes & Bauer", Couple.Status.ASSESSMENT, 0, None, True, "Mara Reyes", "Jonas Bauer"),
    ("Haddad & Moreau", Couple.Status.CONJOINT_ACTIVE, 0, 1, False, "Sami Haddad", "Élodie Moreau"),
    (
        "Kowalski & Tanaka",
        Couple.Status.INTAKE_SCHEDULED,
        1,
        None,
        False,
        "Ola Kowalski",
        "Ren Tanaka",
    ),
    (
        "Novak & Ferreira",
        Couple.Status.PAUSED_SAFETY,
        0,
        None,
        True,
        "Dana Novak",
        "Luís Ferreira",
    ),
]


# Real public UK services (the demo clinic is in GB); a clinic enters its own in production.
_CRISIS_RESOURCES = [
    # (name, phone, text number, web address, hours)
    ("Emergency services (police, ambulance)", "999", "", "", "If you are in danger now"),
    (
        "National Domestic Abuse Helpline",
        "0808 2000 247",
        "",
        "https://www.nationaldahelpline.org.uk",
        "24 hours, every day; free",
    ),
    ("Samaritans", "116 123", "", "https://www.samaritans.org", "24 hours, every day; free"),
    ("Shout (text support)", "", "85258", "https://giveusashout.org", "24 hours, every day"),
]

_REQUESTS: list[tuple[int, dict[str, Any]]] = [
    (
        1,
        {
            "name": "Priya",
            "contact_method": ConsultationRequest.ContactMethod.EMAIL,
            "contact_value": "priya.demo@example.test",
            "safe_times": "Any time",
            "may_leave_message": True,
            "concerns": [
                ConsultationRequest.Concern.INFIDELITY,
                ConsultationRequest.Concern.BROKEN_TRUST,
            ],
            "concerns_text": "I found messages on his phone three weeks ago. We both want to try.",
            "feels_safe": ConsultationRequest.FeelsSafe.YES,
        },
    ),
    (
        0,
        {
            "name": "J.",
            "contact_method": ConsultationRequest.ContactMethod.TEXT,
            "contact_value": "07700 900 482",
            "safe_times": "Weekdays 10:00 to 14:00 only",
            "may_leave_message": False,
            "concerns": [
                ConsultationRequest.Concern.ATTACHMENT_NEGLECT,
                ConsultationRequest.Concern.SAFETY_THREAT,
            ],
            "concerns_text": "",
            "feels_safe": ConsultationRequest.FeelsSafe.NOT_SURE,
        },
    ),
]


@transaction.atomic
def build_demo_practice() -> list[DemoLogin]:
    """Create or refresh the demo practice and return its logins."""
    clinic, _ = Clinic.objects.get_or_create(
        slug=DEMO_CLINIC_SLUG,
        defaults={
            "name": "Harbour Couples Practice (demo)",
            "jurisdiction": "GB",
            "timezone": "Europe/London",
        },
    )
    clinicians: list[User] = []
    logins: list[DemoLogin] = []
    for email, name, therapist, supervisor, safety_lead, admin in _CLINICIANS:
        user = User.objects.filter(email=email).first() or User(email=email)
        user.display_name = name
        user.clinic = clinic
        user.is_therapist = therapist
        user.is_supervisor = supervisor
        user.is_safety_lead = safety_lead
        user.is_clinic_admin = admin
        user.set_password(DEMO_PASSWORD)
        user.save()
        TOTPDevice.objects.update_or_create(
            user=user,
            defaults={"secret": DEMO_TOTP_SECRET, "confirmed": True, "confirmed_at": now()},
        )
        clinicians.append(user)
        logins.append(DemoLogin(email, name, ", ".join(str(r.label) for r in user.roles)))
    # Labels are encrypted, so the demo's couples are found by reading them, not by a query.
    existing = {c.label for c in Couple.objects.filter(clinic=clinic)}
    for label, status, primary, co, supervised, name_a, name_b in _COUPLES:
        if label not in existing:
            couple = Couple.objects.create(
                clinic=clinic,
                label=label,
                status=status,
                primary_clinician=clinicians[primary],
                supervisor=clinicians[1] if supervised else None,
            )
            if co is not None:
                couple.co_clinicians.add(clinicians[co])
            Partner.objects.create(couple=couple, role=Partner.Role.A, display_name=name_a)
            Partner.objects.create(couple=couple, role=Partner.Role.B, display_name=name_b)
    _build_crisis_resources(clinic)
    _build_consultation_requests(clinic)
    _build_case_histories(clinic)
    build_demo_therapy(clinic)
    build_demo_calendar(clinic)
    build_demo_shelf(clinic, clinicians[0])
    build_demo_diary(clinic)
    return logins


def _build_crisis_resources(clinic: Clinic) -> None:
    for position, (name, phone, text_number, url, hours) in enumerate(_CRISIS_RESOURCES):
        CrisisResource.objects.update_or_create(
            clinic=clinic,
            name=name,
            defaults={
                "phone": phone,
                "text_number": text_number,
                "url": url,
                "hours": hours,
                "position": position,
            },
        )


def _build_consultation_requests(clinic: Clinic) -> None:
    existing = {r.name for r in ConsultationRequest.objects.filter(clinic=clinic)}
    for days_ago, fields in _REQUESTS:
        if fields["name"] in existing:
            continue
        sent = now() - timedelta(days=days_ago, hours=3)
        ConsultationRequest.objects.create(
            clinic=clinic, consented_at=sent, created_at=sent, **fields
        )


# The way each demo case came to its status, oldest step first (DOMAIN 7.2).
_PATHS: dict[str, list[str]] = {
    Couple.Status.CONJOINT_ACTIVE: [
        Couple.Status.REFERRED,
        Couple.Status.INTAKE_SCHEDULED,
        Couple.Status.ASSESSMENT,
        Couple.Status.CONJOINT_ACTIVE,
    ],
    Couple.Status.PAUSED_SAFETY: [
        Couple.Status.REFERRED,
        Couple.Status.INTAKE_SCHEDULED,
        Couple.Status.ASSESSMENT,
        Couple.Status.CONJOINT_ACTIVE,
        Couple.Status.PAUSED_SAFETY,
    ],
    Couple.Status.ASSESSMENT: [Couple.Status.REFERRED, Couple.Status.ASSESSMENT],
    Couple.Status.INTAKE_SCHEDULED: [Couple.Status.REFERRED, Couple.Status.INTAKE_SCHEDULED],
}


# The cases the therapy demo (rebond/demo/therapy.py) follows through months of sessions.
_DAYS_PER_STEP = {"Okafor & Lindqvist": 42, "Haddad & Moreau": 35, "Novak & Ferreira": 21}


def _build_case_histories(clinic: Clinic) -> None:
    """Give the demo cases a history, channels, consents and injuries, once."""
    for couple in Couple.objects.filter(clinic=clinic).select_related("primary_clinician"):
        if couple.transitions.exists():
            continue
        path = _PATHS.get(couple.status, [couple.status])
        days = _DAYS_PER_STEP.get(couple.label, 14)
        start = now() - timedelta(days=days * len(path))
        previous = ""
        for step, status in enumerate(path):
            CaseTransition.objects.create(
                couple=couple,
                from_status=previous,
                to_status=status,
                at=start + timedelta(days=14 * step),
                by=couple.primary_clinician,
                reason="Case opened" if not previous else "",
            )
            previous = status
    by_label = {c.label: c for c in Couple.objects.filter(clinic=clinic)}
    if "Okafor & Lindqvist" in by_label:
        _build_okafor_lindqvist(by_label["Okafor & Lindqvist"])
    if "Reyes & Bauer" in by_label:
        _build_reyes_bauer(by_label["Reyes & Bauer"])
    if "Okafor & Lindqvist" in by_label:
        _build_checkins(by_label["Okafor & Lindqvist"])
    if "Haddad & Moreau" in by_label:
        with clinic_time(clinic):  # check-ins at 15:00 at the clinic
            _build_progress(by_label["Haddad & Moreau"])


def _partners(couple: Couple) -> tuple[Partner, Partner]:
    a, b = couple.partners.order_by("role")
    return a, b


def _build_okafor_lindqvist(couple: Couple) -> None:
    therapist = couple.primary_clinician
    tobi, saga = _partners(couple)
    if tobi.contact_channels.exists() or couple.injuries.exists():
        return
    actions.add_contact_channel(
        therapist,
        tobi.id,
        actions.ChannelDraft(
            "email", "tobi.okafor@example.test", True, "Evenings after 18:00", True
        ),
    )
    actions.add_contact_channel(
        therapist,
        saga.id,
        actions.ChannelDraft("phone", "07700 900 315", True, "Weekdays 9:00 to 17:00", False),
    )
    actions.set_intake_goal(therapist, tobi.id, Partner.Goal.IMPROVE)
    actions.set_intake_goal(therapist, saga.id, Partner.Goal.CLARIFY)
    documents = actions.current_documents()
    for partner in (tobi, saga):
        actions.record_individual_screen(therapist, partner.id)
        for kind in (*actions.CONJOINT_CONSENTS, ConsentDocument.Kind.MEASUREMENT_FEEDBACK):
            if kind in documents:
                actions.record_consent(therapist, partner.id, documents[kind].id)
    actions.record_injury(
        therapist,
        couple.id,
        actions.InjuryDraft(
            category=Injury.Category.INFIDELITY,
            subtype=Injury.Subtype.EMOTIONAL_AFFAIR,
            hurt_partner_id=tobi.id,
            hurtful_partner_id=saga.id,
            reported_by_id=tobi.id,
            disclosure_state=Injury.Disclosure.KNOWN_TO_BOTH,
            discovered_how=Injury.DiscoveredHow.DISCOVERED,
            onset_period="Autumn, two years ago",
            contact_with_third_party_ongoing=False,
            is_attachment_injury=True,
            severity_by_hurt_partner=8,
        ),
    )


def _build_reyes_bauer(couple: Couple) -> None:
    therapist = couple.primary_clinician
    mara, jonas = _partners(couple)
    if mara.contact_channels.exists() or couple.injuries.exists():
        return
    # A shared family e-mail address: recorded so that nothing is ever sent to it.
    actions.add_contact_channel(
        therapist, mara.id, actions.ChannelDraft("email", "reyes.bauer.home@example.test")
    )
    actions.add_contact_channel(
        therapist,
        mara.id,
        actions.ChannelDraft("text", "07700 900 127", True, "Weekdays 12:00 to 13:00", False),
    )
    actions.add_contact_channel(
        therapist,
        jonas.id,
        actions.ChannelDraft("phone", "07700 900 644", True, "Any time", True),
    )
    actions.record_individual_screen(therapist, mara.id)
    actions.record_injury(
        therapist,
        couple.id,
        actions.InjuryDraft(
            category=Injury.Category.BROKEN_TRUST,
            subtype=Injury.Subtype.FINANCIAL_SECRECY,
            hurt_partner_id=mara.id,
            hurtful_partner_id=jonas.id,
            reported_by_id=jonas.id,
            disclosure_state=Injury.Disclosure.DISCLOSED_PRIVATELY,
            onset_period="Last year",
            ongoing=True,
        ),
    )
    actions.record_injury(
        therapist,
        couple.id,
        actions.InjuryDraft(
            category=Injury.Category.SAFETY_THREAT,
            subtype=Injury.Subtype.VERBAL_ABUSE,
            hurt_partner_id=mara.id,
            hurtful_partner_id=jonas.id,
            reported_by_id=mara.id,
            disclosure_state=Injury.Disclosure.DISCLOSED_PRIVATELY,
            ongoing=True,
            severity_by_hurt_partner=7,
        ),
    )


# Check-ins of the demo (rebond/assessments): PHQ-9 and CSI-4 at intake, answered by both;
# at session 4 Tobi has answered the PHQ-9 again and the rest are open. Scored values follow
# each instrument's printed options (PHQ-9 0-3 per item; CSI-4 item 1 0-6, items 2-4 0-5); no
# answer raises a risk flag, so the demo starts without a safety alert.
_DEMO_CHECKINS = [
    # (instrument, occasion, days ago, {role: answers by item number})
    ("PHQ-9", "Intake", 42, {"A": [2, 2, 1, 2, 1, 2, 1, 1, 0], "B": [1, 1, 2, 1, 0, 1, 1, 0, 0]}),
    ("CSI-4", "Intake", 42, {"A": [2, 2, 2, 2], "B": [1, 2, 1, 1]}),
    ("PHQ-9", "Session 4", 0, {"A": [1, 0, 1, 1, 0, 1, 0, 0, 0]}),
    ("CSI-4", "Session 4", 0, {}),
]


def _build_checkins(couple: Couple) -> None:
    """Schedule and answer the demo's check-ins, once (nothing if the case has any)."""
    if Administration.objects.filter(couple=couple).exists():
        return
    for code, occasion, days_ago, answers in _DEMO_CHECKINS:
        scheduled = assessment_actions.schedule_instrument(
            couple.primary_clinician,
            couple.id,
            code,
            occasion=occasion,
            due_at=now() - timedelta(days=days_ago),
        )
        for administration in scheduled:
            values = answers.get(administration.partner.role)
            if values is None:
                continue
            assessment_actions.submit_administration(
                administration.partner,
                administration.id,
                administration.submission_key,
                dict(enumerate(values, start=1)),
            )


def demo_codes(email: str | None = None) -> list[tuple[str, str]]:
    """Return (e-mail, current code) for the demo clinicians, or for the one with `email`.

    Only accounts of the demo clinic whose app has the published demo seed qualify; asking
    for any other account raises LookupError, so this never prints a real clinician's code.
    """
    candidates = User.objects.filter(
        clinic__slug=DEMO_CLINIC_SLUG, totp_device__confirmed=True
    ).select_related("totp_device")
    if email is not None:
        candidates = candidates.filter(email=email.strip().lower())
    # The seed is encrypted at rest, so it is compared here, not in SQL.
    users = sorted(
        (u for u in candidates if u.totp_device.secret == DEMO_TOTP_SECRET), key=lambda u: u.email
    )
    if email is not None and not users:
        raise LookupError(f"{email} is not a demo account.")
    return [(user.email, mfa.current_code(DEMO_TOTP_SECRET)) for user in users]


# Eight weekly sessions of Haddad & Moreau (rebond/measurement): Sami's CSI-4 rises while
# Élodie's stays flat. The CSI-4 has no published reliable-change figure, so the couple shows
# the honest default, "not judged", with no band drawn (issue 17). GAD-7 at intake, session 4
# and 7: it has one (4 points, NHS Talking Therapies), so its chart draws each partner's band.
# Synthetic answers (CSI-4 item 1 0-6, items 2-4 0-5; GAD-7 0-3 per item).
_DEMO_PROGRESS = {
    "A": [
        [1, 1, 1, 1],
        [2, 1, 1, 1],
        [2, 2, 1, 1],
        [2, 2, 2, 1],
        [3, 2, 2, 1],
        [3, 2, 2, 2],
        [3, 3, 2, 2],
        [3, 3, 3, 2],
    ],
    "B": [
        [1, 1, 1, 1],
        [1, 1, 1, 1],
        [1, 1, 1, 0],
        [1, 1, 1, 1],
        [1, 1, 1, 1],
        [1, 0, 1, 1],
        [1, 1, 1, 1],
        [1, 1, 0, 1],
    ],
}
_DEMO_GAD7 = {
    0: {"A": [2, 2, 1, 2, 1, 1, 2], "B": [2, 1, 2, 1, 1, 2, 1]},
    4: {"A": [1, 1, 1, 1, 1, 1, 1], "B": [2, 2, 1, 2, 1, 2, 1]},
    7: {"A": [1, 0, 1, 1, 0, 1, 0], "B": [2, 2, 2, 1, 1, 2, 1]},
}


# Days ago of the demo couple's check-ins: intake a week before their first session, then on
# the days of their conjoint sessions 3 to 9 (rebond/demo/therapy.py HADDAD, 17:00), two hours
# before each, so the charts count therapy sessions as the timeline does.
_DEMO_CHECKIN_DAYS = (77, 56, 49, 42, 35, 28, 21, 14)


def _build_progress(couple: Couple) -> None:
    """Answer the couple's eight check-ins, once: intake, then before sessions 3 to 9."""
    from rebond.assessments.models import Submission
    from rebond.measurement.tracking import refresh_tracks

    if Administration.objects.filter(couple=couple).exists():
        return
    sessions = len(_DEMO_PROGRESS["A"])
    for session, days_ago in zip(range(sessions), _DEMO_CHECKIN_DAYS, strict=True):
        day = localtime(now() - timedelta(days=days_ago))
        when = day.replace(hour=15, minute=0, second=0, microsecond=0)
        occasion = "Intake" if session == 0 else f"Session {session + 2}"
        sets = [("CSI-4", {r: v[session] for r, v in _DEMO_PROGRESS.items()})]
        if session in _DEMO_GAD7:
            sets.append(("GAD-7", _DEMO_GAD7[session]))
        for code, answers in sets:
            for administration in assessment_actions.schedule_instrument(
                couple.primary_clinician, couple.id, code, occasion=occasion, due_at=when
            ):
                submission = assessment_actions.submit_administration(
                    administration.partner,
                    administration.id,
                    administration.submission_key,
                    dict(enumerate(answers[administration.partner.role], start=1)),
                ).submission
                # Synthetic history: date each answer on its session's day, not today.
                Submission.objects.filter(pk=submission.pk).update(submitted_at=when)
                Administration.objects.filter(pk=administration.pk).update(submitted_at=when)
    refresh_tracks([couple.id])
