"""The seeded world of the security suite (SECURITY.md section 3, "World fixture").

Two clinics. In Clinic A: case C1 (the case under test: therapist Alice, supervisor Sue,
co-clinician Dee who is then deactivated), case C2 (Alice's other case: ids to mix into C1's
URLs) and case C4 (colleague Bob's case, Alice not on it). In Clinic B: case C3 (Charlie's).
Every case has partners with contact channels, consents, injuries (one private to each
partner, one safety threat that opens a safety concern), a safety plan per partner, two
PHQ-9s answered by B with a risk answer (one alert closed with a reason, one open), open
check-ins with B's draft answer, and three video sessions scheduled ahead (A's individual,
B's individual, a conjoint one); every clinic has a consultation request and a crisis resource;
Clinic A offers free consultations, and its request holds one with Bob.
Each clinic's reading shelf has three published pages; every case is given one to partner A
only, one to partner B only and one to both (each page's words are canaries: C1's partner B
never reads the page given to A only, and the reverse).
Clinic A's admin has invited two therapists who are not enrolled yet (Ivy, Ed: see INVITED).

Every private field holds a unique canary with the roles that may see it (`Canary.seen_by`).
A new private field is one `self.canary(where, seen_by)` call where its row is written.

Every row is written through the apps' own actions, as in production.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import time, timedelta
from urllib.parse import urlsplit

from django.test import Client
from django.urls import reverse
from django.utils.timezone import now

from rebond.accounts.models import Clinic, CrisisResource, User
from rebond.alerts import actions as alert_actions
from rebond.alerts import safety_plans
from rebond.alerts.models import Alert, SafetyPlan
from rebond.appointments import booking
from rebond.appointments import feeds as appointment_feeds
from rebond.appointments import sessions as appointment_sessions
from rebond.appointments.availability import TimeOffDraft, add_time_off, add_weekly_hours
from rebond.appointments.booking import place
from rebond.appointments.clinic_settings import ensure_session_types
from rebond.appointments.models import (
    Appointment,
    AppointmentSettings,
    CalendarFeed,
    SessionType,
    TimeOff,
    WeeklyHours,
)
from rebond.assessments import actions as assessment_actions
from rebond.assessments.models import Administration
from rebond.couples import actions as couple_actions
from rebond.couples.models import (
    ConsentDocument,
    ConsentRecord,
    ContactChannel,
    Couple,
    Injury,
    Partner,
    SafetyConcern,
)
from rebond.diary import actions as diary_actions
from rebond.diary.models import DiaryEntry, DiaryPlan
from rebond.emergency import actions as emergency_actions
from rebond.emergency.models import EmergencyAccess
from rebond.intake.models import ConsultationRequest
from rebond.lib.clinic_time import clinic_today
from rebond.ops.health import safety_sweep_beat
from rebond.portal.models import PrivateLink, hash_token, new_token
from rebond.shelf import actions as shelf_actions
from rebond.shelf.models import PageAssignment, ShelfPage
from rebond.staff import invitations
from rebond.test import make_clinic, make_clinician, make_couple, sign_in
from rebond.therapy import actions as therapy_actions
from rebond.therapy.models import Note
from rebond.therapy.models import Session as TherapySession

# The roles of the access matrix (SECURITY.md AC-02, adapted to what exists).
ANONYMOUS = "anonymous"
PARTNER_A = "partner_a"  # partner A of C1, through a private-link session: owns the URL's rows
PARTNER_B = "partner_b"  # the other partner of the same couple, same kind of session
THERAPIST = "therapist"  # Alice, C1's primary clinician
SUPERVISOR = "supervisor"  # Sue, C1's assigned supervisor
COLLEAGUE = "colleague"  # Bob, a therapist of Clinic A on none of Alice's cases
CLINIC_ADMIN = "clinic_admin"  # Clinic A's admin: no clinical role, on no case
OUTSIDER = "outsider"  # Charlie, a therapist of Clinic B
DEACTIVATED = "deactivated"  # Dee, C1's co-clinician, signed in and then deactivated
REVOKED_LINK = "revoked_link"  # partner A's session after the link was revoked (AC-09)
# Invited to Clinic A (issue 16) and not enrolled: Ivy opened her invitation link and has no
# password yet; Ed set his password through his link but has not confirmed an authenticator
# app, so he is logged in with the second factor still owed.
INVITED = "invited"
ENROLLING = "enrolling"
ROLES = (
    ANONYMOUS,
    PARTNER_A,
    PARTNER_B,
    THERAPIST,
    SUPERVISOR,
    COLLEAGUE,
    CLINIC_ADMIN,
    OUTSIDER,
    DEACTIVATED,
    REVOKED_LINK,
    INVITED,
    ENROLLING,
)
# Roles logged in with the password alone: every clinician page sends them to the second factor.
SECOND_FACTOR_OWED = frozenset({ENROLLING})
# Who works on C1's case, and so may see its clinical rows.
ON_C1 = frozenset({THERAPIST, SUPERVISOR})
# Who may triage Clinic A's consultation requests (rebond/intake/access.py can_triage).
CLINIC_A_TRIAGE = frozenset({THERAPIST, SUPERVISOR, COLLEAGUE, CLINIC_ADMIN})

# PHQ-9 scored values (Kroenke, Spitzer & Williams 2001): item 9 "several days" (1) raises a
# risk flag, and so an alert; the other items 0.
ENROLLING_PASSWORD = "enrolling persona passphrase"  # Synthetic test persona only.

PHQ9_ITEM9_RISK = {**dict.fromkeys(range(1, 10), 0), 9: 2}


@dataclass(frozen=True)
class Canary:
    """One unique string in one private field, and the roles of the matrix that may see it."""

    text: str
    where: str  # "model.field (whose)", for the failure message
    seen_by: frozenset[str]


@dataclass
class Case:
    """One couple and the ids of its rows, by kind (the URL parameters of the matrix)."""

    couple: Couple
    a: Partner
    b: Partner
    channel_a: ContactChannel
    channel_b: ContactChannel
    consent_a: ConsentRecord
    injury: Injury
    concern: SafetyConcern
    plan_a: SafetyPlan
    plan_b: SafetyPlan
    open_a: Administration
    open_b: Administration
    alert: Alert
    link_a: PrivateLink  # partner A's invitation link, never opened (the clinician's links page)
    link_b: PrivateLink
    session: TherapySession  # a therapy session with its clinical purpose (clinicians only)
    note: Note  # a process note (clinicians only, never in a client's export)
    # Sessions scheduled ahead, each by video with a canary link: A's and B's individual ones
    # (each never seen by the other partner, DOMAIN 7.5 rule 4), and a conjoint one.
    appointment_a: Appointment
    appointment_b: Appointment
    appointment_together: Appointment
    # Reading shelf pages given on the case (rebond/shelf): to A only, to B only, to both.
    reading_a: PageAssignment
    reading_b: PageAssignment
    reading_both: PageAssignment
    # The diary entry the URLs name: in C1, A's "not safe right now" entry (its help page is
    # A's alone); elsewhere A's private entry. `diary_entry_b`: B's private entry.
    diary_entry: DiaryEntry
    diary_entry_b: DiaryEntry


@dataclass
class Calendar:
    """A clinic's session type, and its therapist's hours, time off, feed and appointment."""

    session_type: SessionType
    hours: WeeklyHours
    time_off: TimeOff
    feed: CalendarFeed
    feed_token: str  # the secret in the feed's address (only its hash is stored)
    appointment: Appointment


@dataclass(frozen=True)
class Shelf:
    """A clinic's three published reading pages, by whom they are given to on its cases."""

    for_a: ShelfPage
    for_b: ShelfPage
    for_both: ShelfPage


@dataclass
class World:
    clinic_a: Clinic
    clinic_b: Clinic
    people: dict[str, User]
    c1: Case
    c2: Case
    c3: Case
    c4: Case
    request_a: ConsultationRequest
    request_b: ConsultationRequest
    resource_a: CrisisResource
    resource_b: CrisisResource
    document: ConsentDocument
    grant_a: EmergencyAccess  # a live emergency grant on C2, to a stand-in outside the matrix
    grant_b: EmergencyAccess  # the same in Clinic B
    calendar_a: Calendar  # Alice's, on C1 (rebond/appointments)
    calendar_b: Calendar  # Charlie's, on C3
    # Each clinic's shelf pages: given to A only, to B only, to both on every case.
    shelf_a: Shelf
    shelf_b: Shelf
    # The invitation links of the not-yet-enrolled roles (INVITED's is also the URL's token).
    invitation_links: dict[str, str] = field(default_factory=dict)
    canaries: list[Canary] = field(default_factory=list)

    def partner(self, role: str) -> Partner:
        return self.c1.a if role == PARTNER_A else self.c1.b


def canary_text(where: str) -> str:
    return f"CANARY:{where}:{uuid.uuid4().hex[:12]}"


class _Seeder:
    def __init__(self) -> None:
        self.canaries: list[Canary] = []
        self.cases = 0  # each case's appointments on days of its own: no clinician double-booked

    def canary(self, where: str, seen_by: frozenset[str] | set[str]) -> str:
        text = canary_text(where)
        self.canaries.append(Canary(text, where, frozenset(seen_by)))
        return text

    def case(
        self,
        clinician: User,
        label: str,
        *,
        on_case: frozenset[str],
        is_c1: bool = False,
        shelf: Shelf,
        supervisor: User | None = None,
        co_clinician: User | None = None,
    ) -> Case:
        """Build one couple with every kind of row; `on_case`: the matrix roles on the case."""
        clinic_roles = on_case  # C1's canaries also name its partners; others' name none
        tag = label.replace(" ", "")
        couple = make_couple(clinician, label, supervisor=supervisor)
        if co_clinician is not None:
            couple.co_clinicians.add(co_clinician)
        a, b = couple.partners.order_by("role")
        for partner, own in ((a, PARTNER_A), (b, PARTNER_B)):
            mine = clinic_roles | ({own} if is_c1 else set())
            address = f"canary-{tag}-{partner.role}-{uuid.uuid4().hex[:8]}@example.test"
            self.canaries.append(
                Canary(address, f"ContactChannel.value ({tag} {partner.role})", mine)
            )
            hours = self.canary(f"ContactChannel.safe_hours ({tag} {partner.role})", mine)
            couple_actions.add_contact_channel(
                clinician,
                partner.id,
                couple_actions.ChannelDraft(
                    kind="email", value=address, safe_to_contact=True, safe_hours=hours
                ),
            )
        channel_a = a.contact_channels.get()
        channel_b = b.contact_channels.get()
        # Scheduled before B's risk answers below pause conjoint work for safety.
        appointments = self.appointments(clinician, couple, tag, clinic_roles, is_c1=is_c1)
        documents = couple_actions.current_documents()
        consent_a = couple_actions.record_consent(
            clinician, a.id, documents[ConsentDocument.Kind.TREATMENT].id
        )
        couple_actions.record_consent(clinician, b.id, documents[ConsentDocument.Kind.TREATMENT].id)
        for hurt, hurtful in ((a, b), (b, a)):
            couple_actions.record_injury(
                clinician,
                couple.id,
                couple_actions.InjuryDraft(
                    category=Injury.Category.BROKEN_TRUST,
                    subtype=Injury.Subtype.HIDDEN_HABIT,
                    hurt_partner_id=hurt.id,
                    hurtful_partner_id=hurtful.id,
                    disclosure_state=Injury.Disclosure.DISCLOSED_PRIVATELY,
                    reported_by_id=hurt.id,
                    # Clinician free text: never a partner's to read (issue 15 A1).
                    onset_period=self.canary(
                        f"Injury.onset_period (private to {tag} {hurt.role})", clinic_roles
                    ),
                ),
            )
        # The diary, written before B's safety concern below pauses sharing between them.
        diary_entry, diary_entry_b = self.diary(clinician, couple, tag, clinic_roles, is_c1=is_c1)
        # B discloses a threat to their safety: B may see what B said, A never (DOMAIN 7.5).
        injury = couple_actions.record_injury(
            clinician,
            couple.id,
            couple_actions.InjuryDraft(
                category=Injury.Category.SAFETY_THREAT,
                subtype=Injury.Subtype.PHYSICAL_ABUSE,
                hurt_partner_id=b.id,
                hurtful_partner_id=a.id,
                disclosure_state=Injury.Disclosure.DISCLOSED_PRIVATELY,
                reported_by_id=b.id,
                onset_period=self.canary(
                    f"Injury.onset_period (safety threat disclosed by {tag} B)", clinic_roles
                ),
            ),
        )
        concern = SafetyConcern.objects.get(couple=couple, injury=injury)
        couple_actions.update_case_details(
            clinician,
            couple.id,
            label=label,
            relationship_agreement=couple.relationship_agreement,
            relationship_agreement_notes=self.canary(
                f"Couple.relationship_agreement_notes ({tag})", clinic_roles
            ),
            secrets_policy=couple.secrets_policy,
            modality=couple.modality,
        )
        plans = {}
        for partner in (a, b):
            plans[partner.role] = safety_plans.save_safety_plan(
                clinician,
                couple.id,
                partner.id,
                safety_plans.SafetyPlanDraft(
                    warning_signs=self.canary(
                        f"SafetyPlan.warning_signs (unshared, {tag} {partner.role})", clinic_roles
                    ),
                ),
            )
        # B answers a PHQ-9 with a risk answer, twice: two alerts for the case's clinicians,
        # whose existence and reasons stay hidden from A (DOMAIN 7.5 rule 4). The first is
        # closed with a reason; the second stays open, with its buttons on the alert page.
        for _ in range(2):
            phq9 = assessment_actions.schedule_instrument(clinician, couple.id, "PHQ-9")
            answered_b = next(x for x in phq9 if x.partner_id == b.id)
            assessment_actions.submit_administration(
                b, answered_b.id, answered_b.submission_key, PHQ9_ITEM9_RISK
            )
            alert = Alert.objects.filter(couple=couple).latest("created_at")
            if (
                alert.status == Alert.Status.OPEN
                and not Alert.objects.filter(couple=couple, status=Alert.Status.CLOSED).exists()
            ):
                alert_actions.acknowledge_alert(clinician, alert.id)
                alert_actions.close_alert(
                    clinician,
                    alert.id,
                    disposition=Alert.Disposition.values[0],
                    reason=self.canary(f"Alert.disposition_reason ({tag})", clinic_roles),
                )
        alert = Alert.objects.filter(couple=couple, status=Alert.Status.OPEN).latest("created_at")
        # The occasion is the clinician's words: clinicians only (issue 15 A3).
        open_checkins = assessment_actions.schedule_instrument(
            clinician,
            couple.id,
            "PHQ-9",
            occasion=self.canary(f"Administration.occasion ({tag})", clinic_roles),
        )
        open_a = next(x for x in open_checkins if x.partner_id == a.id)
        open_b = next(x for x in open_checkins if x.partner_id == b.id)
        # B's draft answers to the open check-in: numbers, but B's alone.
        assessment_actions.save_draft_answer(b, open_b.id, 9, 3)
        # Both partners' CSI-4 (the outcome instrument): the progress charts and summaries.
        for partner in (a, b):
            csi = next(
                x
                for x in assessment_actions.schedule_instrument(
                    clinician,
                    couple.id,
                    "CSI-4",
                    # A submitted check-in's occasion: the one a per-person export would carry.
                    occasion=self.canary(f"Administration.occasion ({tag} CSI-4)", clinic_roles),
                )
                if x.partner_id == partner.id
            )
            assessment_actions.submit_administration(
                partner, csi.id, csi.submission_key, {1: 3, 2: 3, 3: 3, 4: 3}
            )
        # The therapy process: a session and a process note, each holding a canary.
        therapy_session = therapy_actions.record_session(
            clinician,
            couple.id,
            therapy_actions.SessionDraft(
                attendee_ids=(a.id, b.id),
                clinical_purpose=self.canary(f"Session.clinical_purpose ({tag})", clinic_roles),
            ),
        )
        note = therapy_actions.write_note(
            clinician,
            couple.id,
            kind="process",
            body=self.canary(f"Note.body ({tag})", clinic_roles),
            session_id=therapy_session.id,
        )
        # The shelf's pages, given as a clinician on the case gives them (rebond/shelf).
        reading = {
            to: shelf_actions.assign_page(clinician, couple.id, page.id, to)
            for to, page in (("A", shelf.for_a), ("B", shelf.for_b), ("both", shelf.for_both))
        }
        link_a, link_b = (
            PrivateLink.objects.create(
                partner=partner,
                purpose=PrivateLink.Purpose.INVITATION,
                token_hash=hash_token(new_token()),
                created_by=clinician,
                expires_at=now() + timedelta(days=14),
            )
            for partner in (a, b)
        )
        return Case(
            couple=couple,
            a=a,
            b=b,
            channel_a=channel_a,
            channel_b=channel_b,
            consent_a=consent_a,
            injury=injury,
            concern=concern,
            plan_a=plans["A"],
            plan_b=plans["B"],
            open_a=open_a,
            open_b=open_b,
            alert=alert,
            link_a=link_a,
            link_b=link_b,
            session=therapy_session,
            note=note,
            appointment_a=appointments["A"],
            appointment_b=appointments["B"],
            appointment_together=appointments["both"],
            reading_a=reading["A"],
            reading_b=reading["B"],
            reading_both=reading["both"],
            diary_entry=diary_entry,
            diary_entry_b=diary_entry_b,
        )

    def diary(
        self,
        clinician: User,
        couple: Couple,
        tag: str,
        clinic_roles: frozenset[str],
        *,
        is_c1: bool,
    ) -> tuple[DiaryEntry, DiaryEntry]:
        """Write each partner's diary through their own actions; return the entry the URLs
        name and B's private entry. In C1: A shares one entry, keeps one private and writes
        one "not safe right now" (never shareable: seen by A and the case's clinicians only);
        B shares one and keeps one private. A shared entry's line is the other partner's to
        read too; a private one only its author's and the clinicians' on the case."""
        # Daily reminders: the canary sweep reads them as an e-mail channel.
        DiaryPlan.objects.create(
            couple=couple, offered=True, prompt=DiaryPlan.Prompt.DAILY, updated_by=clinician
        )
        a, b = couple.partners.order_by("role")
        entries: dict[str, DiaryEntry] = {}
        both = {PARTNER_A, PARTNER_B} if is_c1 else set()
        kinds = ("shared", "private", "not_safe") if is_c1 else ("private",)
        for partner, own in ((a, PARTNER_A), (b, PARTNER_B)):
            for kind in kinds:
                if kind == "not_safe" and partner == b:
                    continue
                mine = {own} if is_c1 else set()
                seen_by = clinic_roles | (both if kind == "shared" else mine)
                line = self.canary(f"DiaryEntry.line ({tag} {partner.role} {kind})", seen_by)
                entry = diary_actions.write_entry(
                    partner,
                    diary_actions.DiaryDraft(
                        felt_safe=3,
                        felt_close=4,
                        triggered=True,
                        trigger_kind=DiaryEntry.TriggerKind.MESSAGE,
                        trigger_intensity=7,
                        line=line,
                        not_safe_now=kind == "not_safe",
                    ),
                )
                if kind == "shared":
                    diary_actions.share_entry(partner, entry.id)
                entries[f"{partner.role} {kind}"] = entry
        named = entries["A not_safe"] if is_c1 else entries["A private"]
        return named, entries["B private"]

    def calendar(
        self, clinician: User, case: Case, *, on_case: frozenset[str], is_c1: bool = False
    ) -> Calendar:
        """Give the clinician a calendar: hours, time off, a feed and a video appointment of
        the case tomorrow. Its video link is for the case's clinicians and invited partners
        only, never the clinic admin's clinic calendar or a feed (DOMAIN 7.5, issue 18)."""
        assert clinician.clinic is not None
        session_type = next(
            t for t in ensure_session_types(clinician.clinic) if t.kind == SessionType.Kind.CONJOINT
        )
        (hours,) = add_weekly_hours(clinician, [0], time(9), time(17))
        soon = now().replace(microsecond=0) + timedelta(days=1)
        time_off = add_time_off(
            clinician, TimeOffDraft(soon + timedelta(days=7), soon + timedelta(days=8), "Leave")
        )
        feed, token = appointment_feeds.create_feed(clinician)
        invited = on_case | ({PARTNER_A, PARTNER_B} if is_c1 else set())
        appointment = place(
            Appointment(
                clinic=clinician.clinic,
                clinician=clinician,
                session_type=session_type,
                kind=session_type.kind,
                starts_at=soon,
                ends_at=soon + timedelta(minutes=session_type.duration_minutes),
                couple=case.couple,
                mode=Appointment.Mode.VIDEO,
                video_link="https://video.example.test/"
                + self.canary(f"Appointment.video_link ({case.couple.label})", invited),
                created_by=clinician,
            )
        )
        appointment.invited.set([case.a, case.b])
        return Calendar(session_type, hours, time_off, feed, token, appointment)

    def appointments(
        self,
        clinician: User,
        couple: Couple,
        tag: str,
        clinic_roles: frozenset[str],
        *,
        is_c1: bool,
    ) -> dict[str, Appointment]:
        """Schedule A's and B's individual video sessions and a conjoint one, days ahead."""
        self.cases += 1
        types = {}
        for kind in (SessionType.Kind.CONJOINT, SessionType.Kind.INDIVIDUAL):
            types[kind], _ = SessionType.objects.get_or_create(
                clinic=couple.clinic, name=kind, defaults={"kind": kind, "duration_minutes": 50}
            )
        day = clinic_today(couple.clinic) + timedelta(days=2 * self.cases)
        a, b = couple.partners.order_by("role")
        made = {}
        for hour, (who, partner, roles) in enumerate(
            (
                ("A", a, {PARTNER_A}),
                ("B", b, {PARTNER_B}),
                ("both", None, {PARTNER_A, PARTNER_B}),
            )
        ):
            # A video room's address, as a canary: seen by the invited partners of C1 only.
            link = f"https://video.example.org/canary-{tag}-{who}-{uuid.uuid4().hex[:12]}"
            seen_by = clinic_roles | (roles if is_c1 else set())
            self.canaries.append(Canary(link, f"Appointment.video_link ({tag} {who})", seen_by))
            kind = SessionType.Kind.CONJOINT if partner is None else SessionType.Kind.INDIVIDUAL
            [made[who]] = appointment_sessions.schedule_sessions(
                clinician,
                couple.id,
                appointment_sessions.ScheduleDraft(
                    session_type_id=types[kind].id,
                    clinician_id=clinician.id,
                    day=day,
                    clock=time(9 + 2 * hour, 0),
                    mode=Appointment.Mode.VIDEO,
                    video_link=link,
                    partner_id=partner.id if partner else None,
                ),
            )
        return made

    def shelf(
        self, admin: User, clinicians: frozenset[str], partners: dict[str, set[str]]
    ) -> Shelf:
        """Write the clinic's three published pages through its admin. Every clinician of the
        clinic reads its pages; a partner only those given to them (`partners`: the partner
        roles each page reaches, C1's being the only partners in the matrix)."""
        assert admin.clinic is not None
        tag = admin.clinic.name.replace(" ", "")
        pages = {}
        for who in ("A", "B", "both"):
            seen_by = clinicians | partners.get(who, set())
            where = f"ShelfPage ({tag}, given to {who})"
            pages[who] = shelf_actions.create_page(
                admin,
                shelf_actions.PageDraft(
                    title=self.canary(f"{where}.title", seen_by),
                    body="# Reading\n\n" + self.canary(f"{where}.body", seen_by),
                    published=True,
                ),
            )
        return Shelf(pages["A"], pages["B"], pages["both"])

    def request(self, clinic: Clinic, seen_by: frozenset[str]) -> ConsultationRequest:
        tag = clinic.name.replace(" ", "")
        return ConsultationRequest.objects.create(
            clinic=clinic,
            name=self.canary(f"ConsultationRequest.name ({tag})", seen_by),
            contact_method=ConsultationRequest.ContactMethod.EMAIL,
            contact_value=f"canary-request-{uuid.uuid4().hex[:10]}@example.test",
            safe_times=self.canary(f"ConsultationRequest.safe_times ({tag})", seen_by),
            may_leave_message=False,
            concerns=[ConsultationRequest.Concern.INFIDELITY],
            concerns_text=self.canary(f"ConsultationRequest.concerns_text ({tag})", seen_by),
            feels_safe=ConsultationRequest.FeelsSafe.NOT_SURE,
            consented_at=now(),
        )


def build_world() -> World:
    """Seed both clinics, their people and their four cases (see the module docstring)."""
    seeder = _Seeder()
    safety_sweep_beat()  # A healthy installation: /healthz answers 200.
    clinic_a = make_clinic("Clinic A")
    clinic_b = make_clinic("Clinic B")
    alice = make_clinician(clinic_a, "Alice Therapist")
    sue = make_clinician(clinic_a, "Sue Supervisor", is_supervisor=True)
    dee = make_clinician(clinic_a, "Dee Deactivated")
    bob = make_clinician(clinic_a, "Bob Colleague")
    admin = make_clinician(clinic_a, "Ada Admin", is_therapist=False, is_clinic_admin=True)
    charlie = make_clinician(clinic_b, "Charlie Outsider")
    bea = make_clinician(clinic_b, "Bea Admin", is_therapist=False, is_clinic_admin=True)
    # Every clinician of Clinic A reads its shelf; C1's partners, the pages given to them.
    shelf_a = seeder.shelf(
        admin,
        CLINIC_A_TRIAGE,
        {"A": {PARTNER_A}, "B": {PARTNER_B}, "both": {PARTNER_A, PARTNER_B}},
    )
    shelf_b = seeder.shelf(bea, frozenset({OUTSIDER}), {})
    c1 = seeder.case(
        alice,
        "Case One",
        on_case=ON_C1,
        is_c1=True,
        shelf=shelf_a,
        supervisor=sue,
        co_clinician=dee,
    )
    c2 = seeder.case(alice, "Case Two", on_case=frozenset({THERAPIST}), shelf=shelf_a)
    c3 = seeder.case(charlie, "Case Three", on_case=frozenset({OUTSIDER}), shelf=shelf_b)
    c4 = seeder.case(bob, "Case Four", on_case=frozenset({COLLEAGUE}), shelf=shelf_a)
    world = World(
        clinic_a=clinic_a,
        clinic_b=clinic_b,
        people={
            THERAPIST: alice,
            SUPERVISOR: sue,
            DEACTIVATED: dee,
            COLLEAGUE: bob,
            CLINIC_ADMIN: admin,
            OUTSIDER: charlie,
        },
        c1=c1,
        c2=c2,
        c3=c3,
        c4=c4,
        request_a=seeder.request(clinic_a, CLINIC_A_TRIAGE),
        request_b=seeder.request(clinic_b, frozenset({OUTSIDER})),
        resource_a=CrisisResource.objects.create(clinic=clinic_a, name="Line A", phone="116 123"),
        resource_b=CrisisResource.objects.create(clinic=clinic_b, name="Line B", phone="116 123"),
        document=couple_actions.current_documents()[ConsentDocument.Kind.TREATMENT],
        grant_a=_grant(admin, c2, make_clinician(clinic_a, "Gus Standby")),
        grant_b=_grant(bea, c3, make_clinician(clinic_b, "Hal Standby")),
        calendar_a=seeder.calendar(alice, c1, on_case=ON_C1, is_c1=True),
        calendar_b=seeder.calendar(charlie, c3, on_case=frozenset({OUTSIDER})),
        shelf_a=shelf_a,
        shelf_b=shelf_b,
    )
    world.canaries = seeder.canaries
    _hold_consultation(world.request_a, bob)
    for role, name in ((INVITED, "Ivy Invited"), (ENROLLING, "Ed Enrolling")):
        _, link = invitations.invite(
            clinic_a,
            email=f"{role}@example.test",
            display_name=name,
            roles={User.Role.THERAPIST},
            invited_by=admin,
        )
        world.invitation_links[role] = urlsplit(link).path
    return world


def _hold_consultation(request: ConsultationRequest, clinician: User) -> Appointment:
    """Let the clinic offer free consultations, and hold one for its request (rebond/
    appointments): the inbox's consultation routes then answer with real times and forms."""
    AppointmentSettings.objects.update_or_create(
        clinic=request.clinic, defaults={"consultation_booking": True}
    )
    session_type = SessionType.objects.create(
        clinic=request.clinic,
        kind=SessionType.Kind.CONSULTATION,
        name="Security world consultation",
        duration_minutes=30,
    )
    for weekday in range(7):
        WeeklyHours.objects.create(
            clinician=clinician, weekday=weekday, starts=time(6), ends=time(7)
        )
    starts_at = (now() + timedelta(days=3)).replace(hour=6, minute=0, second=0, microsecond=0)
    return booking.place(
        Appointment(
            clinic=request.clinic,
            clinician=clinician,
            session_type=session_type,
            kind=Appointment.Kind.CONSULTATION,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=30),
            status=Appointment.Status.REQUESTED,
            request=request,
            held_until=now() + timedelta(days=2),
        )
    )


def _grant(admin: User, case: Case, grantee: User) -> EmergencyAccess:
    """Open one case to a stand-in clinician who plays no role in the matrix."""
    return emergency_actions.grant_emergency_access(
        admin,
        emergency_actions.GrantDraft(
            case.couple.id, grantee.id, "Stand-in while the therapist is away.", 8
        ),
    )


def make_token(partner: Partner, by: User) -> str:
    """Create a usable private link, as the delivery task would, and return its token."""
    token = new_token()
    PrivateLink.objects.create(
        partner=partner,
        purpose=PrivateLink.Purpose.INVITATION,
        token_hash=hash_token(token),
        created_by=by,
        expires_at=now() + timedelta(days=14),
    )
    return token


def client_for(world: World, role: str, *, enforce_csrf_checks: bool = False) -> Client:
    """Return a test client holding the role's session (clinician login or private link)."""
    client = Client(enforce_csrf_checks=enforce_csrf_checks)
    if role in (PARTNER_A, PARTNER_B, REVOKED_LINK):
        partner = world.partner(PARTNER_A if role == REVOKED_LINK else role)
        token = make_token(partner, world.people[THERAPIST])
        response = client.get(f"/p/{token}/")
        assert response.status_code == 302, response.status_code
        assert response["Location"] == "/me/", response["Location"]
        if role == REVOKED_LINK:
            PrivateLink.objects.filter(token_hash=hash_token(token)).update(revoked_at=now())
    elif role == INVITED:
        response = client.get(world.invitation_links[INVITED])
        assert response["Location"] == reverse("enrolment_password"), response.status_code
    elif role == ENROLLING:
        client.get(world.invitation_links[ENROLLING])
        form = client.get(reverse("enrolment_password"))
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.content.decode())
        assert csrf, form.status_code
        password = ENROLLING_PASSWORD
        response = client.post(
            reverse("enrolment_password"),
            {"csrfmiddlewaretoken": csrf[1], "password": password, "password_again": password},
        )
        assert response["Location"] == reverse("mfa_enrol"), response.status_code
        # The authenticator app is shown (an unconfirmed device exists) but never confirmed.
        assert client.get(reverse("mfa_enrol")).status_code == 200
    elif role != ANONYMOUS:
        user = world.people[role]
        sign_in(client, user)
        if role == DEACTIVATED:
            User.objects.filter(pk=user.pk).update(is_active=False)
    return client
